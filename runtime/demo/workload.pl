#!/usr/bin/perl
# The demo's, tests' and benchmark's workload: holds MIB mebibytes of 4 KiB pages of random bytes (as
# incompressible as real memory), each page starting with its own number and version, and remembers every
# page's version and the checksum of its random rest apart. Every 100 ms it rewrites pages in order at
# WRITE_MIB_PER_S (bumping their versions: changed pages for pre-copy to chase), checks a few pages against
# what it remembers, and writes "COUNT PID OK|CORRUPT ..." to STATUS_FILE (atomically). The count goes on
# across a migration; a page that came back wrong or stale turns OK into CORRUPT for good, the way QEMU's
# migration tests check guest memory. With PORT it is also a TCP server on that port (every address) that
# echoes each line a client sends back to that client at once (echo-client.pl checks the echoes).
#
#   workload.pl MIB STATUS_FILE [WRITE_MIB_PER_S [PORT]]
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);

my ($mib, $status, $rate, $port) = @ARGV;
die "usage: workload.pl MIB STATUS_FILE [WRITE_MIB_PER_S [PORT]]\n"
    unless defined $status && $mib =~ /^\d+$/ && (!defined $rate || $rate =~ /^\d+(\.\d+)?$/)
    && (!defined $port || $port =~ /^\d+$/);
$rate //= 0;
$SIG{PIPE} = 'IGNORE'; # a client that went away must not end the workload
my $select = IO::Select->new;
my $listener;
if (defined $port) {
    $listener = IO::Socket::INET->new(LocalPort => $port, Listen => 16, ReuseAddr => 1, Proto => 'tcp')
        or die "cannot listen on $port: $!";
    $select->add($listener);
}
my %pending; # per client: what came without its newline yet
my $pages = $mib * 256;
open(my $random, '<:raw', '/dev/urandom') or die "cannot read /dev/urandom: $!";
my $data = '';
read($random, $data, $pages * 4096) == $pages * 4096 or die "short read from /dev/urandom\n";
close($random);
my $versions = "\0" x (4 * $pages);   # vec($versions, $page, 32): the version each page must hold
my $sums = "\0" x (4 * $pages);       # vec($sums, $page, 32): the checksum of its bytes 8 to 4095
for my $page (0 .. $pages - 1) {
    substr($data, $page * 4096, 8) = pack('NN', $page, 0);
    vec($sums, $page, 32) = unpack('%32N*', substr($data, $page * 4096 + 8, 4088));
}
my $per_tick = int($rate * 256 / 10 + 0.5);  # pages rewritten every 100 ms
my ($cursor, $count, $state) = (0, 0, 'OK');
while (1) {
    $count++;
    for (1 .. $per_tick) {
        my $version = vec($versions, $cursor, 32) + 1;
        vec($versions, $cursor, 32) = $version;
        substr($data, $cursor * 4096, 8) = pack('NN', $cursor, $version);
        $cursor = ($cursor + 1) % $pages;
    }
    for (1 .. 32) {
        my $page = int(rand($pages));
        my $head = pack('NN', $page, vec($versions, $page, 32));
        next if $state ne 'OK';
        if (substr($data, $page * 4096, 8) ne $head) {
            $state = "CORRUPT page $page: stale or wrong number/version";
        } elsif (unpack('%32N*', substr($data, $page * 4096 + 8, 4088)) != vec($sums, $page, 32)) {
            $state = "CORRUPT page $page: its content changed";
        }
    }
    open(my $out, '>', "$status.tmp") or die "cannot write $status.tmp: $!";
    print $out "$count $$ $state\n";
    close($out);
    rename("$status.tmp", $status) or die "cannot rename $status.tmp: $!";
    serve(time() + 0.1);
}

# Until the deadline: accepts clients and echoes their complete lines (or just waits, without a port).
sub serve {
    my ($deadline) = @_;
    while ((my $left = $deadline - time()) > 0) {
        if (!$listener) {
            select(undef, undef, undef, $left);
            return;
        }
        for my $ready ($select->can_read($left)) {
            if ($ready == $listener) {
                my $client = $listener->accept or next;
                $select->add($client);
                $pending{fileno $client} = '';
                next;
            }
            my $got = sysread($ready, my $chunk, 65536);
            if (!$got) {
                delete $pending{fileno $ready};
                $select->remove($ready);
                close($ready);
                next;
            }
            my $buffer = $pending{fileno $ready} . $chunk;
            my $cut = rindex($buffer, "\n") + 1;
            $pending{fileno $ready} = substr($buffer, $cut);
            syswrite($ready, substr($buffer, 0, $cut)) if $cut > 0;
        }
    }
}
