#!/usr/bin/perl
# The slowdown benchmark's workload: holds MIB mebibytes of random pages (memory for pre-copy to read) and
# spins on a fixed piece of CPU work, appending "EPOCH_SECONDS ITERATIONS" to LOG every 200 ms: its
# throughput over time, before, during and after a migration. The log is reopened by path on each write, so it
# goes on after a restore on another host of this machine.
#
#   probe.pl MIB LOG
use strict;
use warnings;
use Time::HiRes qw(time);

my ($mib, $log) = @ARGV;
die "usage: probe.pl MIB LOG\n" unless defined $log && $mib =~ /^\d+$/;
open(my $random, '<:raw', '/dev/urandom') or die "cannot read /dev/urandom: $!";
my $data = '';
read($random, $data, $mib << 20) == $mib << 20 or die "short read from /dev/urandom\n";
close($random);
my $page = substr($data, 0, 4096);
my ($iterations, $next) = (0, time + 0.2);
while (1) {
    my $sum = unpack('%32N*', $page);
    $iterations++;
    next if $iterations & 255 || time < $next;
    open(my $out, '>>', $log) or die "cannot append to $log: $!";
    printf $out "%.3f %d\n", time, $iterations;
    close($out);
    $next += 0.2;
}
