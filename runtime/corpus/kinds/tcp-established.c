/* An established TCP connection on 127.0.0.1 with data queued both ways and unread (100000 bytes one way, 2000
   the other: part in the peer's receive queue, part still in the send queue), TCP_NODELAY on one end: after the
   move every byte arrives in order and the connection carries more. */
#include "corpus.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>

int main(void)
{
    static unsigned char big[100000], got[100000];
    unsigned char small[2000];
    corpus_fill(big, sizeof big, 30);
    corpus_fill(small, sizeof small, 31);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    SETUP_OK(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(listener, 1) == 0
             && getsockname(listener, (struct sockaddr *)&addr, &len) == 0, "listening");
    int client = socket(AF_INET, SOCK_STREAM, 0);
    SETUP_OK(connect(client, (struct sockaddr *)&addr, sizeof addr) == 0, "connecting");
    int served = accept(listener, NULL, NULL);
    int one = 1, small_buf = 16384;
    SETUP_OK(served >= 0 && setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "accept");
    setsockopt(served, SOL_SOCKET, SO_RCVBUF, &small_buf, sizeof small_buf); /* so that part stays in the send queue */
    fcntl(client, F_SETFL, O_NONBLOCK);
    size_t sent = 0;
    while (sent < sizeof big) {
        ssize_t n = write(client, big + sent, sizeof big - sent);
        if (n <= 0)
            break;
        sent += n;
    }
    SETUP_OK(sent > 0 && write(served, small, sizeof small) == sizeof small, "queueing");
    corpus_ready_then_wait();
    fcntl(client, F_SETFL, 0);
    /* the rest of what the client could not queue before the move goes now */
    if (sent < sizeof big)
        CHECK(write(client, big + sent, sizeof big - sent) == (ssize_t)(sizeof big - sent), "writing the rest");
    CHECK(corpus_read_all(served, got, sizeof big, 3000) == sizeof big, "the server got fewer than 100000 bytes");
    long bad = corpus_mismatch(got, sizeof big, 30);
    CHECK(bad < 0, "the server's byte %ld differs (%zu were queued before the move)", bad, sent);
    CHECK(corpus_read_all(client, got, sizeof small, 3000) == sizeof small && corpus_mismatch(got, sizeof small, 31) < 0,
          "the client's 2000 bytes differ or are short");
    int opt = 0;
    len = sizeof opt;
    CHECK(getsockopt(client, IPPROTO_TCP, TCP_NODELAY, &opt, &len) == 0 && opt, "TCP_NODELAY lost");
    char c = 0;
    CHECK(write(served, "!", 1) == 1 && corpus_readable(client, 2000) && read(client, &c, 1) == 1 && c == '!', "no more bytes after");
    static char verdict[120];
    snprintf(verdict, sizeof verdict, "TCP on loopback: %zu queued bytes one way, 2000 the other, in order; TCP_NODELAY", sent);
    corpus_pass(verdict);
}
