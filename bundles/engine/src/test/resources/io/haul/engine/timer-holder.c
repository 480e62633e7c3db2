/* A periodic timerfd armed an hour ahead, which the holder never reads. On SIGUSR1 it re-arms it 1 ms ahead
   (every hour after), waits with poll (which reads no tick) until it expired, and prints "expired". */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <unistd.h>

static volatile sig_atomic_t asked;

static void ask(int signal) { (void)signal; asked = 1; }

int main(void)
{
    int timer = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec hour = { .it_interval = { 3600, 0 }, .it_value = { 3600, 0 } };
    struct itimerspec soon = { .it_interval = { 3600, 0 }, .it_value = { 0, 1000000 } };
    signal(SIGUSR1, ask);
    if (timer < 0 || timerfd_settime(timer, 0, &hour, NULL) != 0)
        return 1;
    printf("ready\n");
    fflush(stdout);
    while (!asked)
        pause();
    timerfd_settime(timer, 0, &soon, NULL);
    struct pollfd p = { .fd = timer, .events = POLLIN };
    while (poll(&p, 1, -1) != 1)
        ;
    printf("expired\n");
    fflush(stdout);
    for (;;)
        pause();
}
