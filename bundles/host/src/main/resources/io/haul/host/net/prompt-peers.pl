#!/usr/bin/perl
# prompt-peers.pl IFNAME: run inside a restored container's network namespace (nsenter --net) right after it runs
# and is announced; tells each TCP peer to retransmit now rather than when its backed-off timer says. The peer's
# segments were dropped while the container was frozen, so it waits in RTO backoff (200 ms doubling: up to the whole
# last interval after the freeze). For each established connection to another host:
#  1. a segment from the peer's address and port outside the receive window, delivered here: the restored socket
#     answers it with an ACK at once (RFC 793), which carries the sequence number it expects next;
#  2. that ACK, seen leaving on IFNAME, reaches the peer: when the peer lacked it (the lock dropped it), its oldest
#     unacknowledged byte moves on and it sends at once;
#  3. ICMP host-unreachable messages quoting the peer's segment at that sequence number: Linux undoes one step of the
#     connection's backoff for each (RFC 6069) and retransmits once the RTO without backoff has passed since its last
#     retransmission.
# Prints one line a connection (prompted PEER:PORT seq N | no answer from LOCAL:PORT); exits 0 unless it could not
# start (no raw sockets, no IFNAME).
use strict;
use warnings;
use Socket qw(inet_aton inet_ntoa SOCK_RAW AF_INET);
use Time::HiRes qw(time);

use constant { AF_PACKET => 17, ETH_P_ALL => 0x0003, IPPROTO_ICMP => 1, IPPROTO_RAW => 255,
    SIOCGIFINDEX => 0x8933, ANSWER_SECONDS => 0.2, PROMPTS => 8 };

my $ifname = shift // die "usage: prompt-peers.pl IFNAME\n";
# ETH_P_ALL: a packet socket of one protocol sees the frames that come in, not those this host sends
socket(my $watch, AF_PACKET, SOCK_RAW, unpack('n', pack('S', ETH_P_ALL))) or die "packet socket: $!\n";
# the interface's index by SIOCGIFINDEX: nsenter --net leaves /sys showing the agent's namespace
my $request = pack('a16 x16', $ifname);
ioctl($watch, SIOCGIFINDEX, $request) or die "no interface $ifname here: $!\n";
my $ifindex = unpack('x16 i', $request);
bind($watch, pack('S n i S C C a8', AF_PACKET, ETH_P_ALL, $ifindex, 0, 0, 0, '')) or die "bind $ifname: $!\n";
socket(my $raw, AF_INET, SOCK_RAW, IPPROTO_RAW) or die "raw socket: $!\n";
socket(my $icmp, AF_INET, SOCK_RAW, IPPROTO_ICMP) or die "ICMP socket: $!\n";

for my $connection (established()) {
    my ($local, $lport, $peer, $pport) = @$connection;
    provoke($local, $lport, $peer, $pport);
    my $expected = answer($local, $lport, $peer, $pport);
    if (!defined $expected) {
        printf "no answer from %s:%d to %s:%d\n", inet_ntoa($local), $lport, inet_ntoa($peer), $pport;
        next;
    }
    my $quoted = pack('C C n n n C C n a4 a4', 0x45, 0, 40, 0, 0x4000, 64, 6, 0, $peer, $local)
        . pack('n n N', $pport, $lport, $expected);
    my $message = pack('C C n N', 3, 1, 0, 0) . $quoted;
    substr($message, 2, 2) = pack('n', checksum($message));
    send($icmp, $message, 0, pack('S n a4 x8', AF_INET, 0, $peer)) for 1 .. PROMPTS;
    printf "prompted %s:%d seq %u\n", inet_ntoa($peer), $pport, $expected;
}

# The established IPv4 connections of this namespace to addresses other than loopback: [local, lport, peer, pport];
# those of IPv6 sockets with IPv4-mapped addresses too (a server listening on :: takes IPv4 clients so, as busybox's
# nc does).
sub established {
    my @connections;
    for my $table ('/proc/net/tcp', '/proc/net/tcp6') {
        open(my $tcp, '<', $table) or next;
        while (<$tcp>) {
            my ($local, $remote, $state) = (split ' ')[1, 2, 3];
            next unless defined $state && $state eq '01';
            my ($l, $lp) = ipv4_of($local);
            my ($r, $rp) = ipv4_of($remote);
            next unless defined $l && defined $r && unpack('C', $r) != 127;
            push @connections, [$l, $lp, $r, $rp];
        }
    }
    return @connections;
}

# "0100007F:1F90" (tcp) or "0000000000000000FFFF00000100007F:1F90" (tcp6, IPv4-mapped): the address, as the kernel
# prints it in host-order words, and the port; nothing for other IPv6 addresses.
sub ipv4_of {
    my ($address, $port) = split /:/, $_[0];
    if (length $address == 32) {
        return unless $address =~ /^0{16}FFFF0000([0-9A-F]{8})$/i;
        $address = $1;
    }
    return (pack('V', hex $address), hex $port);
}

# An ACK from the peer with a sequence number half the sequence space away from anything in the window.
sub provoke {
    my ($local, $lport, $peer, $pport) = @_;
    my $segment = pack('n n N N C C n n n', $pport, $lport, int(rand(2**32)), 0, 5 << 4, 0x10, 1024, 0, 0);
    substr($segment, 16, 2) = pack('n', checksum($peer . $local . pack('C C n', 0, 6, length $segment) . $segment));
    my $ip = pack('C C n n n C C n a4 a4', 0x45, 0, 20 + length $segment, 0, 0x4000, 64, 6, 0, $peer, $local);
    send($raw, $ip . $segment, 0, pack('S n a4 x8', AF_INET, 0, $local)) or die "send: $!\n";
}

# The acknowledgment number of the socket's first segment to the peer after the provocation, if one leaves in time.
sub answer {
    my ($local, $lport, $peer, $pport) = @_;
    my $deadline = time + ANSWER_SECONDS;
    while ((my $left = $deadline - time) > 0) {
        my $ready = '';
        vec($ready, fileno($watch), 1) = 1;
        last unless select($ready, undef, undef, $left);
        defined recv($watch, my $frame, 2048, 0) or next;
        next unless length $frame >= 54 && unpack('x12 n', $frame) == 0x0800;
        my $ip = substr($frame, 14);
        my ($version, $protocol, $from, $to) = unpack('C x8 C x2 a4 a4', $ip);
        next unless $protocol == 6 && $from eq $local && $to eq $peer;
        my ($sport, $dport, undef, $ack) = unpack('n n N N', substr($ip, ($version & 15) * 4));
        return $ack if $sport == $lport && $dport == $pport;
    }
    return undef;
}

sub checksum {
    my $sum = 0;
    $sum += $_ for unpack('n*', $_[0] . (length($_[0]) % 2 ? "\0" : ''));
    $sum = ($sum >> 16) + ($sum & 0xffff) while $sum >> 16;
    return ~$sum & 0xffff;
}
