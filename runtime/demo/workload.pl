#!/usr/bin/perl
# The demo's and the tests' workload: holds MIB mebibytes in which every 4 KiB page carries its own number,
# and every 100 ms checks a few pages and writes "COUNT PID OK|CORRUPT" to STATUS_FILE (atomically). The
# count goes on across a migration; a page that came back wrong turns OK into CORRUPT for good.
#
#   workload.pl MIB STATUS_FILE
use strict;
use warnings;

my ($mib, $status) = @ARGV;
die "usage: workload.pl MIB STATUS_FILE\n" unless defined $status && $mib =~ /^\d+$/;
my $pages = $mib * 256;
my $data = '';
$data .= pack('N', $_) x 1024 for 0 .. $pages - 1;
my ($count, $state) = (0, 'OK');
while (1) {
    $count++;
    for (1 .. 32) {
        my $page = int(rand($pages));
        $state = "CORRUPT page $page" if substr($data, $page * 4096, 4096) ne pack('N', $page) x 1024;
    }
    open(my $out, '>', "$status.tmp") or die "cannot write $status.tmp: $!";
    print $out "$count $$ $state\n";
    close($out);
    rename("$status.tmp", $status) or die "cannot rename $status.tmp: $!";
    select(undef, undef, undef, 0.1);
}
