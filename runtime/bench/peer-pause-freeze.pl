#!/usr/bin/perl
# peer-pause-freeze.pl IFNAME SERVER CLIENT PORT FREEZE_MS (run in the server's namespace, as root)
# A freeze as the client sees it: the server's TCP traffic on PORT dropped for FREEZE_MS, as CRIU's network lock drops
# it while a container is frozen, then let through. Prints when the client retransmitted meanwhile (its segments are
# seen on a packet socket before the firewall drops them; one below the highest seen is a retransmission).
use strict;
use warnings;
use Socket qw(inet_aton SOCK_RAW);
use Time::HiRes qw(time);
use constant { AF_PACKET => 17, ETH_P_IP => 0x0800 };

my ($ifname, $server, $client, $port, $freeze_ms) = @ARGV;
die "usage: peer-pause-freeze.pl IFNAME SERVER CLIENT PORT FREEZE_MS\n" unless defined $freeze_ms;
socket(my $watch, AF_PACKET, SOCK_RAW, unpack('n', pack('S', ETH_P_IP))) or die "packet socket: $!\n";
open(my $index_file, '<', "/sys/class/net/$ifname/ifindex") or die "no interface $ifname: $!\n";
chomp(my $ifindex = <$index_file>);
bind($watch, pack('S n i S C C a8', AF_PACKET, ETH_P_IP, $ifindex, 0, 0, 0, '')) or die "bind: $!\n";
my @drop = (['INPUT', '--dport'], ['OUTPUT', '--sport']);
system('iptables', '-I', $_->[0], '-p', 'tcp', $_->[1], $port, '-j', 'DROP') == 0 or die "iptables\n" for @drop;
my ($start, $highest, $dropped, @retransmissions) = (time, undef, 0);
my ($from, $to) = (inet_aton($client), inet_aton($server));
while ((my $left = $start + $freeze_ms / 1000 - time) > 0) {
    my $ready = '';
    vec($ready, fileno($watch), 1) = 1;
    next unless select($ready, undef, undef, $left);
    defined recv($watch, my $frame, 2048, 0) or next;
    my $ip = substr($frame, 14);
    my ($version, $protocol, $source, $destination) = unpack('C x8 C x2 a4 a4', $ip);
    next unless $protocol == 6 && $source eq $from && $destination eq $to;
    my (undef, $dport, $seq) = unpack('n n N', substr($ip, ($version & 15) * 4));
    next unless $dport == $port;
    $dropped++;
    push @retransmissions, sprintf('%.0f', (time - $start) * 1000) if defined $highest && $seq < $highest;
    $highest = $seq if !defined $highest || $seq > $highest;
}
system('iptables', '-D', $_->[0], '-p', 'tcp', $_->[1], $port, '-j', 'DROP') == 0 or die "iptables\n" for @drop;
printf "freeze %d ms: %d client segments dropped, its retransmissions at %s ms\n", $freeze_ms, $dropped,
    join(',', @retransmissions) || '-';
