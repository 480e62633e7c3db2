#!/usr/bin/perl
# The demo's and the bench's (--network) client machine: connects to HOST:PORT, sends a numbered line every 5 ms
# and checks that each echo is the next number (a byte lost, repeated or reordered either way, or a reset, ends it
# with an error). It writes "ECHOED N LONGEST_GAP_MS GAP_ENDED_AT" to STATUS_FILE as it goes and when it ends
# (GAP_ENDED_AT: when the echo that ended the longest gap came, in seconds since the epoch, so that the bench can
# place that gap against the migration's frozen window); on SIGTERM it stops sending, waits up to 5 s for the last
# echoes and prints one line:
#   client: 2000 sent, 2000 echoed, 0 lost or repeated, the connection open throughout; longest gap 312 ms
# exiting 0 only when every line came back once, in order, on the one connection.
#
#   echo-client.pl HOST PORT STATUS_FILE
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Time::HiRes qw(time);

my ($host, $port, $status) = @ARGV;
die "usage: echo-client.pl HOST PORT STATUS_FILE\n" unless defined $status;
my $socket = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 10)
    or die "client: cannot connect to $host:$port: $!\n";
$socket->setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
my $select = IO::Select->new($socket);
my ($sent, $echoed, $longest, $longest_end, $broken, $pending) = (0, 0, 0, 0, '', '');
my ($last_echo, $next_send, $stop_at, $next_status) = (time(), time(), undef, 0);
$SIG{TERM} = sub { $stop_at //= time() + 5 };

until ($broken || (defined $stop_at && ($echoed == $sent || time() > $stop_at))) {
    if (!defined $stop_at && time() >= $next_send) {
        $sent++;
        defined syswrite($socket, "$sent\n") or $broken = "sending failed after $sent: $!";
        $next_send += 0.005;
    }
    for my $ready ($select->can_read(0.005)) {
        my $got = sysread($ready, my $chunk, 65536);
        if (!$got) {
            $broken = defined $got ? "the server ended the connection after echo $echoed" : "reading failed: $!";
            last;
        }
        $pending .= $chunk;
        while ($pending =~ s/^([^\n]*)\n//) {
            my ($line, $now) = ($1, time());
            ($longest, $longest_end) = ($now - $last_echo, $now) if $now - $last_echo > $longest;
            $last_echo = $now;
            if ($line ne $echoed + 1) {
                $broken = "echo " . ($echoed + 1) . " expected, '$line' came";
                last;
            }
            $echoed++;
        }
    }
    if (time() >= $next_status) {
        $next_status = time() + 0.1;
        write_status();
    }
}
$broken ||= ($sent - $echoed) . " of $sent lines never came back" if $echoed < $sent;
write_status();
printf "client: %d sent, %d echoed, %s; longest gap %.0f ms\n", $sent, $echoed,
    $broken ? "BROKEN: $broken" : "0 lost or repeated, the connection open throughout", $longest * 1000;
exit($broken ? 1 : 0);

sub write_status {
    open(my $out, '>', "$status.tmp") or return;
    printf $out "ECHOED %d %.0f %.6f\n", $echoed, $longest * 1000, $longest_end;
    close($out);
    rename("$status.tmp", $status);
}
