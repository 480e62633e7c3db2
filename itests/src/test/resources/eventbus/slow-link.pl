#!/usr/bin/perl
# A slow link in front of a TCP server: slow-link.pl LISTEN_IP LISTEN_PORT TARGET_IP TARGET_PORT DELAY_SECONDS
# Serves one connection: what the client sends reaches the server DELAY_SECONDS later (in order), what the server
# sends reaches the client at once; either side's close is passed on. Prints "listening" once it accepts.
# EventBusIT puts it before the bridge, so that a TLS handshake takes longer than the agent once allowed, for certain.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my ($listen_ip, $listen_port, $target_ip, $target_port, $delay) = @ARGV;
die "usage: slow-link.pl LISTEN_IP LISTEN_PORT TARGET_IP TARGET_PORT DELAY_SECONDS\n" unless defined $delay;
$| = 1;
my $server = IO::Socket::INET->new(LocalAddr => $listen_ip, LocalPort => $listen_port, Listen => 1, ReuseAddr => 1)
    or die "slow-link: cannot listen on $listen_ip:$listen_port: $!\n";
print "listening\n";
my $client = $server->accept() or die "slow-link: accept: $!\n";
close $server;
my $upstream = IO::Socket::INET->new(PeerAddr => $target_ip, PeerPort => $target_port)
    or die "slow-link: cannot connect to $target_ip:$target_port: $!\n";
my @held;           # [due time, bytes] from the client, oldest first
my $client_done = 0;
my $select = IO::Select->new($client, $upstream);
while (1) {
    my $wait = @held ? $held[0][0] - time() : ($client_done ? 0 : undef);
    $wait = 0 if defined $wait && $wait < 0;
    for my $ready ($select->can_read($wait)) {
        my $n = sysread($ready, my $bytes, 65536);
        if ($ready == $upstream) {
            exit 0 unless $n;   # the server closed: so does the link
            syswrite($client, $bytes);
        } elsif ($n) {
            push @held, [time() + $delay, $bytes];
        } else {
            $client_done = 1;
            $select->remove($client);
        }
    }
    while (@held && $held[0][0] <= time()) {
        syswrite($upstream, (shift @held)->[1]) or exit 0;
    }
    exit 0 if $client_done && !@held;
}
