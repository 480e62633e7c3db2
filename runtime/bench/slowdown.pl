#!/usr/bin/perl
# slowdown.pl PROBE_LOG RECORD_JSON: the probe's mean throughput in the 4 s before the migration started and
# during its pre-copy phase, from probe.pl's log and the migration's record (phase history).
use strict;
use warnings;
use JSON::PP;
use Time::Local qw(timegm);

my ($log, $json) = @ARGV;
my $record = JSON::PP->new->decode(do { local $/; open(my $in, '<', $json) or die "$json: $!"; <$in> });
my %at;
for my $entry (@{$record->{history}}) {
    my ($y, $mo, $d, $h, $mi, $s) = $entry->{at} =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):([\d.]+)Z$/ or die "time $entry->{at}";
    $at{$entry->{phase}} = timegm(0, $mi, $h, $d, $mo - 1, $y) + $s;
}
my @rows;
open(my $in, '<', $log) or die "$log: $!";
while (<$in>) { push @rows, [split] if /^[\d.]+ \d+$/ }
sub rate { # mean iterations per second over [from, to)
    my ($from, $to) = @_;
    my ($sum, $n) = (0, 0);
    for my $i (1 .. $#rows) {
        my ($t0, $n0) = @{$rows[$i - 1]};
        my ($t1, $n1) = @{$rows[$i]};
        my $mid = ($t0 + $t1) / 2;
        next if $mid < $from || $mid >= $to || $t1 <= $t0 || $n1 < $n0;
        $sum += ($n1 - $n0) / ($t1 - $t0);
        $n++;
    }
    die "no probe figures between $from and $to\n" unless $n;
    return $sum / $n;
}
my $before = rate($at{HANDSHAKE} - 4, $at{HANDSHAKE});
my $during = rate($at{PRECOPY}, $at{FINAL_DUMP});
printf "before %d/s, during pre-copy %d/s: %.1f %% slower (pre-copy %.1f s, frozen %s)\n", $before, $during,
    100 * (1 - $during / $before), $at{FINAL_DUMP} - $at{PRECOPY}, $record->{statistics}{frozen};
