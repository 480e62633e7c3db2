#!/usr/bin/perl
# A tree of two processes joined by a TCP connection over loopback with data always queued on it: the child
# writes numbered lines as fast as the connection takes them (so its send queue and the parent's receive queue
# stay full), the parent reads one every 10 ms and checks it is the next number. Every 100 ms the parent
# writes "COUNT PID OK" (or "COUNT PID BROKEN why", for good) to STATUS_FILE, atomically, COUNT the last number
# read. A migration that loses, repeats or resets any of the queued bytes shows as BROKEN, or as a count that
# stops.
#
#   tcp-pair.pl STATUS_FILE
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my ($status) = @ARGV;
die "usage: tcp-pair.pl STATUS_FILE\n" unless defined $status;
$SIG{PIPE} = 'IGNORE';
my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1)
    or die "cannot listen: $!";
my $port = $listener->sockport;
my $child = fork() // die "cannot fork: $!";
if ($child == 0) {
    close($listener);
    my $out = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die "cannot connect: $!";
    my $n = 0;
    while (1) {
        $n++;
        my $line = "$n\n";
        while (length $line) {
            my $wrote = syswrite($out, $line);
            exit 1 unless defined $wrote;
            substr($line, 0, $wrote) = '';
        }
    }
}
my $in = $listener->accept or die "accept: $!";
close($listener);
my ($last, $state, $next_status, $pending) = (0, 'OK', 0, '');
while (1) {
    while ($pending !~ /\n/) {
        my $got = sysread($in, my $chunk, 64);
        if (!$got) {
            $state = 'BROKEN the connection ended' if $state eq 'OK';
            last;
        }
        $pending .= $chunk;
    }
    if ($pending =~ s/^([^\n]*)\n//) {
        my $line = $1;
        if ($state eq 'OK') {
            if ($line eq $last + 1) { $last = $line } else { $state = "BROKEN $line came after $last" }
        }
    }
    if (time() >= $next_status) {
        $next_status = time() + 0.1;
        open(my $fh, '>', "$status.tmp") or die "cannot write $status.tmp: $!";
        print $fh "$last $$ $state\n";
        close($fh);
        rename("$status.tmp", $status) or die "cannot rename $status.tmp: $!";
    }
    sleep(0.01);
}
