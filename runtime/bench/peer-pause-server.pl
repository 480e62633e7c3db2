#!/usr/bin/perl
# peer-pause-server.pl ADDRESS PORT: echoes one connection.
use strict; use warnings; use IO::Socket::INET;
my $l = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1], Listen => 1, ReuseAddr => 1) or die $!;
my $c = $l->accept; my $b; while (sysread($c, $b, 65536)) { syswrite($c, $b) }
