#!/usr/bin/perl
# peer-pause-client.pl SERVER PORT SECONDS: streams a line every 5 ms to the echo server (as the tests' and the
# demo's clients do) and prints the longest gap between two echoes.
use strict; use warnings; use IO::Socket::INET; use Time::HiRes qw(time);
my ($server, $port, $seconds) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => $server, PeerPort => $port, Proto => 'tcp') or die "connect: $!";
$s->setsockopt(6, 1, 1); $s->blocking(0);
my ($n, $last, $gap, $end, $buf, $next) = (0, time, 0, time + $seconds, '', time);
while (time < $end) {
    if (time >= $next) { syswrite($s, ++$n . "\n"); $next += 0.005; }
    my $rin = ''; vec($rin, fileno($s), 1) = 1;
    my $wait = $next - time; $wait = 0 if $wait < 0;
    if (select(my $rout = $rin, undef, undef, $wait)) {
        my $r = sysread($s, $buf, 65536) or die "read: $!";
        my $now = time; $gap = $now - $last if $now - $last > $gap; $last = $now;
    }
}
printf "client: longest gap %.0f ms\n", $gap * 1000;
