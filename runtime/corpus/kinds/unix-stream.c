/* A connected unix stream pair with unread data queued each way (20000 and 300 bytes) and a socket bound to a
   path in the working folder, listening: after the move each end reads its bytes in order, and a new
   connection to the path is accepted and carries a byte. */
#include "corpus.h"
#include <sys/socket.h>
#include <sys/un.h>

int main(void)
{
    static unsigned char a[20000], got[20000];
    unsigned char b[300];
    corpus_fill(a, sizeof a, 6);
    corpus_fill(b, sizeof b, 7);
    int pair[2];
    SETUP_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "socketpair");
    SETUP_OK(write(pair[0], a, sizeof a) == sizeof a && write(pair[1], b, sizeof b) == sizeof b, "queueing");
    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "listener.sock" };
    unlink(addr.sun_path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    SETUP_OK(listener >= 0 && bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(listener, 4) == 0,
             "listening on ./listener.sock");
    corpus_ready_then_wait();
    CHECK(corpus_read_all(pair[1], got, sizeof a, 2000) == sizeof a && corpus_mismatch(got, sizeof a, 6) < 0,
          "the 20000 queued bytes differ or are short");
    CHECK(corpus_read_all(pair[0], got, sizeof b, 2000) == sizeof b && corpus_mismatch(got, sizeof b, 7) < 0,
          "the 300 queued bytes differ or are short");
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(connect(client, (struct sockaddr *)&addr, sizeof addr) == 0, "connecting to ./listener.sock");
    CHECK(corpus_readable(listener, 2000), "the listener sees no connection");
    int served = accept(listener, NULL, NULL);
    char c = 'z';
    CHECK(served >= 0 && write(client, "q", 1) == 1 && read(served, &c, 1) == 1 && c == 'q', "the new connection carries nothing");
    corpus_pass("unix stream pair: 20000 and 300 queued bytes; listener on a path accepts");
}
