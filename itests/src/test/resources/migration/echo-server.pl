#!/usr/bin/perl
# The network tests' workload: paged-counter.pl's pages and status file, and a TCP server on PORT (every
# address) that echoes each line a client sends, at once, to that client. Any number of clients; a client
# that goes away is forgotten. A migration that loses, repeats or reorders a byte in either direction shows
# in the client's echoes; one that resets the connection shows as its end.
#
#   echo-server.pl MIB PORT STATUS_FILE
use strict;
use warnings;
use Digest::MD5 qw(md5);
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);

my ($mib, $port, $status) = @ARGV;
die "usage: echo-server.pl MIB PORT STATUS_FILE\n" unless defined $status && $mib =~ /^\d+$/ && $port =~ /^\d+$/;
$SIG{PIPE} = 'IGNORE';
my $pages = $mib * 256;
open(my $random, '<:raw', '/dev/urandom') or die "cannot read /dev/urandom: $!";
my $data = '';
read($random, $data, $mib << 20) == ($mib << 20) or die "short read from /dev/urandom\n";
close($random);
my @sums = map { md5(substr($data, $_ * 4096, 4096)) } 0 .. $pages - 1;

my $listener = IO::Socket::INET->new(LocalPort => $port, Listen => 16, ReuseAddr => 1, Proto => 'tcp')
    or die "cannot listen on $port: $!";
my $select = IO::Select->new($listener);
my %pending; # per client: what came without its newline yet
my ($count, $state, $next_status) = (0, 'OK', 0);
while (1) {
    for my $ready ($select->can_read(0.05)) {
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
    next if time() < $next_status;
    $next_status = time() + 0.1;
    $count++;
    for (1 .. 32) {
        my $page = int(rand($pages));
        $state = "CORRUPT page $page" if $state eq 'OK' && md5(substr($data, $page * 4096, 4096)) ne $sums[$page];
    }
    open(my $out, '>', "$status.tmp") or die "cannot write $status.tmp: $!";
    print $out "$count $$ $state\n";
    close($out);
    rename("$status.tmp", $status) or die "cannot rename $status.tmp: $!";
}
