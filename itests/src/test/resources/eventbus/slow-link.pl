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
my $begun = time();
my ($to_server, $to_client) = (0, 0);   # bytes passed on each way, said when the connection ends
my $client_done = 0;
my $select = IO::Select->new($client, $upstream);
while (1) {
    my $wait = @held ? $held[0][0] - time() : ($client_done ? 0 : undef);
    $wait = 0 if defined $wait && $wait < 0;
    for my $ready ($select->can_read($wait)) {
        my $n = sysread($ready, my $bytes, 65536);
        if ($ready == $upstream) {
            unless ($n) {   # the server closed: so does the link
                printf "the server closed the connection after %.1f s (%s): %d bytes from the client had reached it, %d it sent\n",
                    time() - $begun, defined $n ? 'end of stream' : "error: $!", $to_server, $to_client;
                exit 0;
            }
            $to_client += $n;
            syswrite($client, $bytes);
        } elsif ($n) {
            push @held, [time() + $delay, $bytes];
        } else {
            $client_done = 1;
            $select->remove($client);
            printf "the client closed the connection after %.1f s (%s)\n", time() - $begun,
                defined $n ? 'end of stream' : "error: $!";
        }
    }
    while (@held && $held[0][0] <= time()) {
        my $bytes = (shift @held)->[1];
        unless (syswrite($upstream, $bytes)) {
            printf "the link could not pass bytes on to the server after %.1f s: %s\n", time() - $begun, $!;
            exit 0;
        }
        $to_server += length $bytes;
    }
    exit 0 if $client_done && !@held;
}
