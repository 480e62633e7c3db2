/* A unix datagram pair and a seqpacket pair with messages queued (5 of sizes 1-2000, boundaries kept): after the
   move each message comes back whole, in order, with its size. */
#include "corpus.h"
#include <sys/socket.h>

static void queue(int fd, unsigned seed)
{
    unsigned char msg[2000];
    for (int i = 0; i < 5; i++) {
        size_t len = 1 + i * 450;
        corpus_fill(msg, len, seed + i);
        SETUP_OK(send(fd, msg, len, 0) == (ssize_t)len, "sending message %d", i);
    }
}

static void expect(int fd, unsigned seed, const char *kind)
{
    unsigned char msg[4000];
    for (int i = 0; i < 5; i++) {
        size_t len = 1 + i * 450;
        CHECK(corpus_readable(fd, 2000), "%s: message %d is missing", kind, i);
        ssize_t n = recv(fd, msg, sizeof msg, MSG_DONTWAIT);
        CHECK(n == (ssize_t)len, "%s: message %d has %zd bytes, not %zu", kind, i, n, len);
        CHECK(corpus_mismatch(msg, len, seed + i) < 0, "%s: message %d differs", kind, i);
    }
    CHECK(!corpus_readable(fd, 0), "%s: more messages than were sent", kind);
}

int main(void)
{
    int dgram[2], seq[2];
    SETUP_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dgram) == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, seq) == 0, "socketpair");
    queue(dgram[0], 10);
    queue(seq[1], 20);
    corpus_ready_then_wait();
    expect(dgram[1], 10, "dgram");
    expect(seq[0], 20, "seqpacket");
    corpus_pass("unix dgram and seqpacket pairs: 5 queued messages each, boundaries kept");
}
