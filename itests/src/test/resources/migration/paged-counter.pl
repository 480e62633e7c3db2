#!/usr/bin/perl
# The migration tests' workload (after runtime/demo/workload.pl): holds MIB mebibytes of random bytes (so
# nothing on the way can compress or deduplicate them, and a capped link governs how long they take), with
# the MD5 of every 4 KiB page kept apart. Every 100 ms it checks 32 random pages against their MD5, then
# writes "COUNT PID OK" (or "COUNT PID CORRUPT page N", for good) to STATUS_FILE, atomically by rename, and
# the same line to stdout, unbuffered, for whoever reads the pipe. The count goes on across a migration.
#
#   paged-counter.pl MIB STATUS_FILE
use strict;
use warnings;
use Digest::MD5 qw(md5);

my ($mib, $status) = @ARGV;
die "usage: paged-counter.pl MIB STATUS_FILE\n" unless defined $status && $mib =~ /^\d+$/ && $mib > 0;
$| = 1;
$SIG{PIPE} = 'IGNORE'; # a reader that went away must not end the counter
my $pages = $mib * 256;
my $data = '';
open(my $random, '<:raw', '/dev/urandom') or die "cannot read /dev/urandom: $!";
for (1 .. $mib) {
    my $chunk = '';
    my $got = read($random, $chunk, 1 << 20);
    die "short read from /dev/urandom\n" unless defined $got && $got == 1 << 20;
    $data .= $chunk;
}
close($random); # the tree keeps no file of its own open but what its starter gave it
my @sums = map { md5(substr($data, $_ * 4096, 4096)) } 0 .. $pages - 1;
my ($count, $state) = (0, 'OK');
while (1) {
    $count++;
    for (1 .. 32) {
        my $page = int(rand($pages));
        $state = "CORRUPT page $page" if $state eq 'OK' && md5(substr($data, $page * 4096, 4096)) ne $sums[$page];
    }
    open(my $out, '>', "$status.tmp") or die "cannot write $status.tmp: $!";
    print $out "$count $$ $state\n";
    close($out);
    rename("$status.tmp", $status) or die "cannot rename $status.tmp: $!";
    print "$count $$ $state\n";
    select(undef, undef, undef, 0.1);
}
