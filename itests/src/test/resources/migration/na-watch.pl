#!/usr/bin/perl
# Prints each IPv6 neighbour advertisement that reaches this network namespace, a line per frame:
#   NA TARGET from MAC override|no-override solicited|unsolicited
# for SECONDS seconds at most (the test stops it sooner). A packet socket on every interface (root).
use strict;
use warnings;
use Socket;
use IO::Select;

my $seconds = shift // 60;
$| = 1;
# AF_PACKET 17, SOCK_RAW 3, protocol htons(ETH_P_ALL): every frame
socket(my $raw, 17, 3, unpack('n', pack('S', 3))) or die "cannot open a packet socket: $!";
my $select = IO::Select->new($raw);
print "watching\n";
my $end = time + $seconds;
while (time < $end) {
    next unless $select->can_read(0.2);
    my $frame = '';
    defined(recv($raw, $frame, 2048, 0)) or die "recv: $!";
    next if length($frame) < 14 + 40 + 24;
    next unless unpack('n', substr($frame, 12, 2)) == 0x86dd;    # IPv6
    next unless ord(substr($frame, 14 + 6, 1)) == 58;           # ICMPv6, no extension header
    next unless ord(substr($frame, 54, 1)) == 136;              # neighbour advertisement
    my $flags = ord(substr($frame, 58, 1));
    my $target = join(':', unpack('(H4)8', substr($frame, 62, 16)));
    my $mac = join(':', unpack('(H2)6', substr($frame, 6, 6)));
    printf "NA %s from %s %s %s\n", $target, $mac, ($flags & 0x20) ? 'override' : 'no-override',
        ($flags & 0x40) ? 'solicited' : 'unsolicited';
}
