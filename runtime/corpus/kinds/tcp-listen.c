/* A TCP socket listening on 127.0.0.1 (SO_REUSEADDR, backlog 8) and a UDP socket bound on 127.0.0.1: after the
   move the listener keeps its port and accepts a connection that carries bytes both ways, and the UDP socket
   keeps its port and receives a datagram. */
#include "corpus.h"
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    return getsockname(fd, (struct sockaddr *)&a, &len) == 0 ? ntohs(a.sin_port) : -1;
}

int main(void)
{
    struct sockaddr_in any = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int one = 1;
    int listener = socket(AF_INET, SOCK_STREAM, 0), udp = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    SETUP_OK(bind(listener, (struct sockaddr *)&any, sizeof any) == 0 && listen(listener, 8) == 0, "listening");
    SETUP_OK(bind(udp, (struct sockaddr *)&any, sizeof any) == 0, "binding UDP");
    int tcp_port = port_of(listener), udp_port = port_of(udp);
    corpus_ready_then_wait();
    CHECK(port_of(listener) == tcp_port && port_of(udp) == udp_port, "the ports changed");
    int opt = 0;
    socklen_t optlen = sizeof opt;
    CHECK(getsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &opt, &optlen) == 0 && opt, "SO_REUSEADDR lost");
    struct sockaddr_in to = any;
    to.sin_port = htons(tcp_port);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(client, (struct sockaddr *)&to, sizeof to) == 0, "connecting to the listener");
    CHECK(corpus_readable(listener, 2000), "no connection to accept");
    int served = accept(listener, NULL, NULL);
    char c = 0;
    CHECK(served >= 0 && write(client, "a", 1) == 1 && corpus_readable(served, 2000) && read(served, &c, 1) == 1 && c == 'a', "client to server");
    CHECK(write(served, "b", 1) == 1 && corpus_readable(client, 2000) && read(client, &c, 1) == 1 && c == 'b', "server to client");
    to.sin_port = htons(udp_port);
    int sender = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(sendto(sender, "u", 1, 0, (struct sockaddr *)&to, sizeof to) == 1 && corpus_readable(udp, 2000)
          && recv(udp, &c, 1, 0) == 1 && c == 'u', "the UDP socket got no datagram");
    corpus_pass("TCP listener and UDP socket on loopback: ports kept, serving");
}
