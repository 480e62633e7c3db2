/* An eventfd at 42 and a semaphore-mode one at 3, and an epoll set watching a pipe's read end (edge-triggered,
   data 0xfeed) and the eventfd (level, data 0xbeef) with the pipe already written: after the move the counters
   are kept, and epoll reports both with their data and events. */
#include "corpus.h"
#include <sys/eventfd.h>
#include <sys/epoll.h>
#include <stdint.h>

int main(void)
{
    int counter = eventfd(42, EFD_NONBLOCK), sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    int ep = epoll_create1(0), p[2];
    SETUP_OK(counter >= 0 && sem >= 0 && ep >= 0 && pipe(p) == 0, "eventfd/epoll");
    struct epoll_event pe = { .events = EPOLLIN | EPOLLET, .data.u64 = 0xfeed };
    struct epoll_event ce = { .events = EPOLLIN, .data.u64 = 0xbeef };
    SETUP_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &pe) == 0 && epoll_ctl(ep, EPOLL_CTL_ADD, counter, &ce) == 0, "epoll_ctl");
    SETUP_OK(write(p[1], "e", 1) == 1, "writing the pipe");
    corpus_ready_then_wait();
    struct epoll_event got[4];
    int n = epoll_wait(ep, got, 4, 2000);
    int pipe_seen = 0, counter_seen = 0;
    for (int i = 0; i < n; i++) {
        if (got[i].data.u64 == 0xfeed && (got[i].events & EPOLLIN)) pipe_seen = 1;
        if (got[i].data.u64 == 0xbeef && (got[i].events & EPOLLIN)) counter_seen = 1;
    }
    CHECK(n == 2 && pipe_seen && counter_seen, "epoll reported %d events (pipe %d, eventfd %d)", n, pipe_seen, counter_seen);
    uint64_t value = 0;
    CHECK(read(counter, &value, sizeof value) == sizeof value && value == 42, "the eventfd holds %llu, not 42", (unsigned long long)value);
    for (int i = 0; i < 3; i++)
        CHECK(read(sem, &value, sizeof value) == sizeof value && value == 1, "semaphore read %d gave %llu", i, (unsigned long long)value);
    CHECK(read(sem, &value, sizeof value) < 0 && errno == EAGAIN, "the semaphore eventfd holds more than 3");
    CHECK(epoll_wait(ep, got, 4, 0) == 0, "edge-triggered pipe reported again");
    corpus_pass("eventfd 42 and semaphore 3; epoll with ET and level entries and their data");
}
