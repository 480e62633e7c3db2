/* A NETLINK_ROUTE socket bound with a port id and joined to the link group: after the move it keeps its port
   id and groups and answers a link dump request with loopback's link. */
#include "corpus.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <net/if.h>

int main(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = RTMGRP_LINK };
    SETUP_OK(fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0, "binding netlink");
    socklen_t len = sizeof addr;
    SETUP_OK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0, "getsockname");
    unsigned port = addr.nl_pid;
    corpus_ready_then_wait();
    struct sockaddr_nl now;
    len = sizeof now;
    CHECK(getsockname(fd, (struct sockaddr *)&now, &len) == 0 && now.nl_pid == port, "port id %u, not %u", now.nl_pid, port);
    CHECK(now.nl_groups == RTMGRP_LINK, "groups %#x, not RTMGRP_LINK", now.nl_groups);
    struct { struct nlmsghdr h; struct ifinfomsg i; } req = {
        .h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 42 },
        .i = { .ifi_family = AF_UNSPEC } };
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    CHECK(sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) == sizeof req, "sending a request");
    static char buf[65536];
    int lo = 0;
    for (int done = 0; !done;) {
        CHECK(corpus_readable(fd, 2000), "no answer");
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        CHECK(n > 0, "recv");
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE) { done = 1; break; }
            if (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 42
                && (((struct ifinfomsg *)NLMSG_DATA(h))->ifi_flags & IFF_LOOPBACK))
                lo = 1;
        }
    }
    CHECK(lo, "the dump has no loopback link");
    corpus_pass("NETLINK_ROUTE socket: port id and group kept, answers a link dump");
}
