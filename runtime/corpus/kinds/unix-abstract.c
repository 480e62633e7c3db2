/* A unix datagram socket bound to an abstract name and one connected to it with two datagrams queued: after the
   move both come back, and a fresh socket can send to the abstract name. */
#include "corpus.h"
#include <sys/socket.h>
#include <sys/un.h>

int main(void)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int len = snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "haul-corpus-%d", getpid()) + 1;
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + len;
    int server = socket(AF_UNIX, SOCK_DGRAM, 0), client = socket(AF_UNIX, SOCK_DGRAM, 0);
    SETUP_OK(server >= 0 && bind(server, (struct sockaddr *)&addr, alen) == 0, "binding an abstract name");
    SETUP_OK(connect(client, (struct sockaddr *)&addr, alen) == 0, "connecting to it");
    SETUP_OK(send(client, "first", 5, 0) == 5 && send(client, "second", 6, 0) == 6, "queueing");
    corpus_ready_then_wait();
    char buf[64];
    CHECK(corpus_readable(server, 2000) && recv(server, buf, sizeof buf, 0) == 5 && memcmp(buf, "first", 5) == 0, "first datagram");
    CHECK(corpus_readable(server, 2000) && recv(server, buf, sizeof buf, 0) == 6 && memcmp(buf, "second", 6) == 0, "second datagram");
    int fresh = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(sendto(fresh, "third", 5, 0, (struct sockaddr *)&addr, alen) == 5, "sending to the abstract name");
    CHECK(corpus_readable(server, 2000) && recv(server, buf, sizeof buf, 0) == 5, "third datagram");
    corpus_pass("abstract unix name: bound, 2 queued datagrams, reachable");
}
