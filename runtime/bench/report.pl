#!/usr/bin/perl
# The bench's tables, from its CSV of raw figures (one row per run; see bench.sh):
#
#   report.pl CSV case MIB RATE   the table of one case: medians per method, ratios to cold, each run below
#   report.pl CSV summary          the line on the issue's target (1 GiB at 8 MiB/s, vmread against cold), and
#                                  with --network runs the client-seen pause against the frozen time (issue #12)
#   report.pl CSV all              every case's table, then the summary
#
# Runs of ./haul bench --network have a client_gap_s (the echo client's longest gap between two echoes: the pause
# a TCP peer saw); a case with any gets a second table: that pause per method against the frozen time of the same
# migration (gap - frozen and gap / frozen, medians over the runs of the per-run figures) and against cold CRIU's
# (the medians' ratio, as for the other columns). CSVs from before that column read as before.
use strict;
use warnings;
use utf8;

my ($csv, $what, @args) = @ARGV;
die "usage: report.pl CSV case MIB RATE | summary | all\n" unless defined $what;

open(my $in, '<', $csv) or die "cannot read $csv: $!\n";
my $header = <$in>;
chomp $header;
my @columns = split /,/, $header;
my @rows;
while (my $line = <$in>) {
    chomp $line;
    next if $line eq '';
    my @values = split /,/, $line, scalar @columns;
    my %row;
    @row{@columns} = @values;
    push @rows, \%row;
}
close $in;

my @order = qw(cold none vmread);
sub rank { my ($m) = @_; for (0 .. $#order) { return $_ if $order[$_] eq $m } return 99 }

sub median {
    my @v = sort { $a <=> $b } grep { defined && $_ ne '' } @_;
    return undef unless @v;
    return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

sub mib { my ($b) = @_; return defined $b ? sprintf('%.1f MiB', $b / 1048576) : '-' }
sub secs { my ($s) = @_; return defined $s ? sprintf('%.3f s', $s) : '-' }
sub ratio { my ($x, $base) = @_; return defined $x && defined $base && $base > 0 ? sprintf('%.2f', $x / $base) : '-' }

sub row { my $line = sprintf(shift, @_); $line =~ s/ +$//m; return $line }
sub msecs { my ($s) = @_; return defined $s ? sprintf('%+.0f ms', $s * 1000) : '-' }

# A networked run's client-seen pause, or undef (a run without the column, or whose client said nothing).
sub gap { my ($r) = @_; return defined $r->{client_gap_s} && $r->{client_gap_s} ne '' ? $r->{client_gap_s} : undef }

sub cases {
    my %seen;
    return grep { !$seen{"$_->[0],$_->[1]"}++ } map { [$_->{mib}, $_->{rate}] } @rows;
}

sub case_table {
    my ($mib, $rate) = @_;
    my @case = grep { $_->{mib} == $mib && $_->{rate} == $rate } @rows;
    return "no runs for $mib MiB at $rate MiB/s\n" unless @case;
    my $link = $case[0]{link};
    my %methods;
    push @{$methods{$_->{method}}}, $_ for @case;
    my %ok;
    for my $m (keys %methods) { $ok{$m} = [grep { $_->{status} eq 'ok' } @{$methods{$m}}] }
    my %med;
    for my $m (keys %methods) {
        my @r = @{$ok{$m}};
        next unless @r;
        $med{$m} = { map { my $k = $_; ($k => median(map { $_->{$k} } @r)) } qw(downtime_s total_s bytes rounds) };
        my @net = grep { defined gap($_) } @r;
        next unless @net;
        $med{$m}{gap} = median(map { gap($_) } @net);
        $med{$m}{over} = median(map { gap($_) - $_->{downtime_s} } @net);
        $med{$m}{per_frozen} = median(map { $_->{downtime_s} > 0 ? gap($_) / $_->{downtime_s} : undef } @net);
    }
    my $networked = grep { defined gap($_) } @case;
    my $runs = (sort { $b <=> $a } map { scalar @{$methods{$_}} } keys %methods)[0];
    my $out = sprintf("\n%s MiB resident, %s MiB/s written, link %s: medians of %d run%s\n",
        $mib, $rate, $link, $runs, $runs == 1 ? '' : 's');
    my $format = "%-8s %11s %11s %14s %7s %14s %11s %11s  %s\n";
    $out .= row($format, 'method', 'downtime', 'total', 'on the wire', 'rounds', 'downtime/cold', 'total/cold',
        'bytes/cold', '');
    my $cold = $med{cold};
    my @notes;
    for my $m (sort { rank($a) <=> rank($b) || $a cmp $b } keys %methods) {
        my @all = @{$methods{$m}};
        if (my ($na) = grep { $_->{status} eq 'unavailable' } @all) {
            $out .= "$m: not available on this agent ($na->{detail})\n";
            next;
        }
        my @failed = grep { $_->{status} ne 'ok' } @all;
        my $md = $med{$m};
        if (!$md) {
            $out .= sprintf("%-8s failed in %s: %s\n", $m, @all == 1 ? 'its run' : 'all ' . @all . ' runs',
                $failed[0]{detail});
            next;
        }
        my @stuck = grep { $_->{verdict} eq 'round cap' || $_->{verdict} eq 'not shrinking' } @{$ok{$m}};
        my $note = '';
        if (@stuck) {
            my %why;
            $why{$_->{verdict}}++ for @stuck;
            $note = 'did not converge (' . join(' / ', sort keys %why) . ')'
                . (@stuck < @{$ok{$m}} ? sprintf(' in %d of %d runs', scalar @stuck, scalar @{$ok{$m}}) : '');
        }
        $note .= ($note eq '' ? '' : '; ') . sprintf('%d of %d runs failed', scalar @failed, scalar @all) if @failed;
        $out .= row($format, $m, secs($md->{downtime_s}), secs($md->{total_s}), mib($md->{bytes}),
            $m eq 'cold' ? '-' : sprintf('%g', $md->{rounds}),
            ratio($md->{downtime_s}, $cold && $cold->{downtime_s}), ratio($md->{total_s}, $cold && $cold->{total_s}),
            ratio($md->{bytes}, $cold && $cold->{bytes}), $note);
    }
    if ($networked) {
        $out .= "client-seen pause (the echo client's longest gap between two echoes) against the frozen time\n";
        my $net_format = "%-8s %11s %11s %11s %11s %13s %14s\n";
        $out .= row($net_format, 'method', 'frozen', 'client gap', 'gap-frozen', 'gap/frozen', 'gap/cold gap',
            'frozen/cold');
        for my $m (sort { rank($a) <=> rank($b) || $a cmp $b } grep { $med{$_} && defined $med{$_}{gap} } keys %med) {
            my $md = $med{$m};
            $out .= row($net_format, $m, secs($md->{downtime_s}), secs($md->{gap}), msecs($md->{over}),
                defined $md->{per_frozen} ? sprintf('%.2f', $md->{per_frozen}) : '-',
                ratio($md->{gap}, $cold && $cold->{gap}), ratio($md->{downtime_s}, $cold && $cold->{downtime_s}));
        }
    }
    $out .= breakdown_table(\%ok);
    for my $m (sort { rank($a) <=> rank($b) || $a cmp $b } keys %methods) {
        my @all = grep { $_->{status} ne 'unavailable' } @{$methods{$m}};
        next unless @all;
        my @each = map {
            $_->{status} eq 'ok'
                ? sprintf('%.3f s / %.3f s / %s', $_->{downtime_s}, $_->{total_s}, mib($_->{bytes}))
                    . ($m eq 'cold' ? '' : " / $_->{rounds} rounds" . ($_->{verdict} eq '-' ? '' : " ($_->{verdict})"))
                    . ($networked ? ' / ' . secs(gap($_)) : '')
                    . ($_->{detail} eq '' ? '' : " [$_->{detail}]")
                : "FAILED: $_->{detail}" . (defined gap($_) ? ' (client gap ' . secs(gap($_)) . ')' : '')
        } @all;
        $out .= sprintf("  %-7s runs (downtime / total / wire%s%s): %s\n", $m, $m eq 'cold' ? '' : ' / rounds',
            $networked ? ' / client gap' : '', join('; ', @each));
    }
    return $out;
}

# The frozen window's breakdown per method (issue #16), medians of the runs that went through: the source's
# phases (dump: the freeze and CRIU's dump, Haul's page capture within it; transfer: the images sent while the
# destination rebuilds them; restore: the rest of the rebuild and the restore; commit: the commit point until the
# destination confirms) and, in parentheses, what the agents measured themselves: CRIU's dump, the destination's
# reception and rebuild of the images, CRIU's restore, and the final dump's pages found by fingerprint (not hashed
# again). Cold CRIU's are its dump, its copy and its restore. CSVs from before these columns print no table.
sub breakdown_table {
    my ($ok) = @_;
    my @methods = sort { rank($a) <=> rank($b) || $a cmp $b }
        grep { grep { defined $_->{dump_s} && $_->{dump_s} ne '' } @{$ok->{$_}} } keys %$ok;
    return '' unless @methods;
    my $format = "%-8s %10s %10s %12s %10s %10s %12s %10s %10s\n";
    my $out = "frozen window, medians: the source's phases (in parentheses the agents' own figures)\n";
    $out .= row($format, 'method', 'frozen', 'dump', '(criu dump)', 'transfer', '(rebuild)', 'restore', '(criu)',
        'commit');
    for my $m (@methods) {
        my @r = grep { defined $_->{dump_s} && $_->{dump_s} ne '' } @{$ok->{$m}};
        my %md = map { my $k = $_; ($k => median(map { $_->{$k} } @r)) }
            qw(downtime_s dump_s transfer_s restore_s commit_s criu_dump_s rebuild_s criu_restore_s known_pages);
        $out .= row($format, $m, secs($md{downtime_s}), secs($md{dump_s}), paren(secs($md{criu_dump_s})),
            secs($md{transfer_s}), paren(secs($md{rebuild_s})), secs($md{restore_s}), paren(secs($md{criu_restore_s})),
            secs($md{commit_s}));
        $out .= sprintf("  %s: %d pages of the final dump known by fingerprint, not hashed again\n", $m, $md{known_pages})
            if defined $md{known_pages} && $md{known_pages} > 0;
    }
    return $out;
}

sub paren { my ($v) = @_; return $v eq '-' ? '-' : "($v)" }

# Issue #16's aim for small trees: for the smallest case with both, vmread's frozen time against cold CRIU's own
# dump and restore of the same tree in the same run (its copy left out: plain CRIU on one host).
sub tiny_summary {
    my ($small) = sort { $a <=> $b } map { $_->{mib} } grep { $_->{method} eq 'vmread' && $_->{status} eq 'ok' } @rows;
    return '' unless defined $small && $small < 64;
    my @case = grep { $_->{mib} == $small && $_->{status} eq 'ok' } @rows;
    my @cold = grep { $_->{method} eq 'cold' && defined $_->{criu_dump_s} && $_->{criu_dump_s} ne '' } @case;
    my @vmread = grep { $_->{method} eq 'vmread' } @case;
    return '' unless @cold && @vmread;
    my $plain = median(map { $_->{criu_dump_s} + $_->{criu_restore_s} } @cold);
    my $frozen = median(map { $_->{downtime_s} } @vmread);
    return sprintf("a tiny tree (%s MiB): vmread frozen %.3f s, %.2f × CRIU's own dump + restore of it (%.3f s)"
        . " (target ≤ 1.2)\n", $small, $frozen, $frozen / $plain, $plain);
}

# Issue #12's aim, for each networked case: the pause a TCP client sees within 50 ms of the frozen time.
sub network_summary {
    my $out = '';
    for my $c (cases()) {
        my ($mib, $rate) = @$c;
        my @net = grep { $_->{mib} == $mib && $_->{rate} == $rate && $_->{status} eq 'ok' && defined gap($_) } @rows;
        next unless @net;
        my %by;
        push @{$by{$_->{method}}}, $_ for @net;
        my @parts = map {
            my @r = @{$by{$_}};
            my $over = median(map { gap($_) - $_->{downtime_s} } @r);
            sprintf('%s %s (%s)', $_, msecs($over), $over <= 0.05 ? 'within' : 'over')
        } sort { rank($a) <=> rank($b) || $a cmp $b } keys %by;
        $out .= sprintf("networked, %s MiB at %s MiB/s: client-seen pause minus frozen time, median: %s; aim: within"
            . " 50 ms\n", $mib, $rate, join(', ', @parts));
    }
    return $out;
}

# The issue's target: 1 GiB at 8 MiB/s, vmread against cold.
sub summary {
    my @case = grep { $_->{mib} == 1024 && $_->{rate} == 8 && $_->{status} eq 'ok' } @rows;
    my @cold = grep { $_->{method} eq 'cold' } @case;
    my @vmread = grep { $_->{method} eq 'vmread' } @case;
    return "1 GiB at 8 MiB/s: target not measured (needs --mib 1024 --rates 8 --methods cold,vmread with"
        . " successful runs of both)\n" unless @cold && @vmread;
    my $link = $case[0]{link};
    $link = '1 Gbit/s' if lc($link) eq '1gbit';
    my $down = median(map { $_->{downtime_s} } @vmread) / median(map { $_->{downtime_s} } @cold);
    my $bytes = median(map { $_->{bytes} / (1024 * 1048576 + 8 * 1048576 * $_->{total_s}) } @vmread);
    return sprintf("1 GiB at 8 MiB/s over %s: vmread downtime %.3f s, %.3f of cold (targets: #4 ≤ 0.25, #16 ≤ 0.02);"
        . " bytes %.2f × (resident + dirtied) (target ≤ 1.1)\n", $link, median(map { $_->{downtime_s} } @vmread), $down,
        $bytes);
}

binmode(STDOUT, ':utf8');
if ($what eq 'case') {
    print case_table(@args);
} elsif ($what eq 'summary') {
    print network_summary(), tiny_summary(), summary();
} elsif ($what eq 'all') {
    print case_table(@$_) for cases();
    print "\n", network_summary(), tiny_summary(), summary();
} else {
    die "usage: report.pl CSV case MIB RATE | summary | all\n";
}
