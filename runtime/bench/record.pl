#!/usr/bin/perl
# Reads what `./haul migrate ... --json` printed (a migration record) and prints its figures for bench.sh,
# tab-separated on one line:
#
#   OUTCOME  DOWNTIME_S  TOTAL_S  BYTES_ON_WIRE  ROUNDS  VERDICT  IMAGE_BYTES  NEW_ROOT_PID  FREEZE_AT  ID  PHASES  ERROR
#
# PHASES is the frozen window's breakdown by the source's phases, in seconds, DUMP/TRANSFER/RESTORE/COMMIT
# (statistics.phaseDurations of FINAL_DUMP, TRANSFER, RESTORE and COMMIT: the freeze and CRIU's dump with the
# page images' capture; sending the images while the destination rebuilds them; the rest of that rebuild and the
# restore; the commit point until the destination confirms the tree runs). ID is the migration's id, by which
# the bench finds the agents' own figures in their logs.
#
# DOWNTIME_S is statistics.frozen (an ISO-8601 duration such as PT2.799S; plain seconds are accepted too),
# TOTAL_S is ended - started, ROUNDS the number of statistics.rounds. FREEZE_AT is when the final dump began
# (the history's FINAL_DUMP entry; the engine locks the network and freezes right after), in seconds since the
# epoch, so that the bench can place the pause its networked client saw against the frozen window. VERDICT is why pre-copy stopped, worked
# out from the rounds' figures with the rules and defaults of the engine's convergence policy (the record
# does not keep the verdict): "fits downtime", "few pages", "not shrinking", "round cap", or "-" without
# pre-copy rounds. An empty field is "-" (so that a shell's read splits the line right). A file that holds no record (the command failed before starting one) gives outcome
# NO_RECORD with the file's text as the error.
#
#   record.pl FILE [DOWNTIME_TARGET_S] [MAX_ROUNDS] [MIN_PAGES] [MAX_GROWTH]
use strict;
use warnings;
use JSON::PP ();
use Time::Local qw(timegm);

my ($file, $target, $max_rounds, $min_pages, $max_growth) = @ARGV;
die "usage: record.pl FILE [DOWNTIME_TARGET_S] [MAX_ROUNDS] [MIN_PAGES] [MAX_GROWTH]\n" unless defined $file;
$target //= 0.3;         # ConvergencePolicy.DEFAULT and migrate's --downtime default
$max_rounds //= 10;
$min_pages //= 64;
$max_growth //= 0.10;

my $text = do { local $/; open(my $in, '<', $file) or die "cannot read $file: $!\n"; <$in> };
my $start = index($text, '{');
my $record = $start < 0 ? undef : eval { JSON::PP->new->decode(substr($text, $start)) };
if (!defined $record || ref $record ne 'HASH' || !exists $record->{outcome}) {
    (my $why = $text) =~ s/\s+/ /g;
    $why =~ s/^ | $//g;
    print join("\t", 'NO_RECORD', ('-') x 10, $why eq '' ? 'no output' : $why), "\n";
    exit 0;
}

# ISO-8601 duration (PT1M2.5S, PT0.8S, P1DT...), or a number of seconds.
sub seconds {
    my ($value) = @_;
    return '' unless defined $value;
    return $value + 0 if $value =~ /^-?\d+(\.\d+)?$/;
    my ($neg, $d, $h, $m, $s) = $value =~ /^(-)?P(?:(\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?[\d.]+)S)?)?$/
        or die "not a duration: $value\n";
    my $total = ($d // 0) * 86400 + ($h // 0) * 3600 + ($m // 0) * 60 + ($s // 0);
    return $neg ? -$total : $total;
}

# ISO-8601 instant in UTC (2026-11-26T01:25:40.123456789Z), as epoch seconds with the fraction.
sub instant {
    my ($value) = @_;
    return undef unless defined $value;
    my ($y, $mo, $d, $h, $mi, $s, $frac) = $value =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(\.\d+)?Z$/
        or die "not a UTC instant: $value\n";
    return timegm($s, $mi, $h, $d, $mo - 1, $y) + ($frac // 0);
}

my $stats = $record->{statistics} // {};
my $rounds = $stats->{rounds} // [];
my $verdict = '-';
if (@$rounds) {
    my ($last, $before) = ($rounds->[-1], @$rounds > 1 ? $rounds->[-2] : undef);
    my $predicted = seconds($last->{predictedDowntime} // 0);
    if ($last->{round} > 1 && $predicted > 0 && $predicted <= $target) {
        $verdict = 'fits downtime';
    } elsif ($last->{round} > 1 && $last->{pagesSent} <= $min_pages) {
        $verdict = 'few pages';
    } elsif (defined $before && $last->{pagesSent} > $before->{pagesSent} * (1 + $max_growth)) {
        $verdict = 'not shrinking';
    } elsif ($max_rounds > 0 && $last->{round} >= $max_rounds) {
        $verdict = 'round cap';
    } else {
        $verdict = 'nothing more to copy';   # a next round found nothing and was not recorded
    }
}
my ($started, $ended) = (instant($record->{started}), instant($record->{ended}));
my $total = defined $started && defined $ended ? sprintf('%.3f', $ended - $started) : '';
my $frozen = seconds($stats->{frozen});
my ($dump) = grep { ($_->{phase} // '') eq 'FINAL_DUMP' } @{$record->{history} // []};
my $freeze_at = $dump ? sprintf('%.6f', instant($dump->{at})) : '';
my $durations = $stats->{phaseDurations} // {};
my $phases = join('/', map { sprintf('%.3f', seconds($durations->{$_} // 0)) } qw(FINAL_DUMP TRANSFER RESTORE COMMIT));
my $error = '';
if ($record->{error}) {
    my $e = $record->{error};
    $error = join(': ', grep { defined && $_ ne '' } $e->{phase}, $e->{code}, $e->{message});
    $error .= " (log $e->{logFile})" if ($e->{logFile} // '') ne '';
    $error =~ s/\s+/ /g;
}
print join("\t", map { defined $_ && $_ ne '' ? $_ : '-' } $record->{outcome},
    $frozen eq '' ? '' : sprintf('%.3f', $frozen), $total, $stats->{bytesOnWire}, scalar(@$rounds), $verdict,
    $stats->{imageBytes}, $stats->{newRootPid}, $freeze_at, $record->{id}, $phases, $error), "\n";
