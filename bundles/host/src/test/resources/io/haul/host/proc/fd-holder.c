/* Opens one file of each kind FilesOutsideMounts and StateCriuLoses look at, lets the timers expire, prints
   "name=fd" for each, then "ready", and waits to be killed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *dir = argv[1];
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 };
    char qname[64];
    snprintf(qname, sizeof qname, "/haul-fd-holder-%d", getpid());
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0600, &attr);
    mq_unlink(qname);
    int sem = eventfd(3, EFD_SEMAPHORE), plain = eventfd(42, 0);
    int periodic = timerfd_create(CLOCK_MONOTONIC, 0), oneshot = timerfd_create(CLOCK_MONOTONIC, 0);
    int armed = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec every10ms = { .it_interval = { 0, 10000000 }, .it_value = { 0, 10000000 } };
    struct itimerspec once = { .it_value = { 0, 10000000 } }, hour = { .it_interval = { 3600, 0 }, .it_value = { 3600, 0 } };
    timerfd_settime(periodic, 0, &every10ms, NULL);
    timerfd_settime(oneshot, 0, &once, NULL);
    timerfd_settime(armed, 0, &hour, NULL);
    int queued = inotify_init1(0), quiet = inotify_init1(0);
    inotify_add_watch(queued, dir, IN_CREATE);
    inotify_add_watch(quiet, dir, IN_DELETE);
    char path[4096];
    snprintf(path, sizeof path, "%s/created", dir);
    close(open(path, O_CREAT | O_WRONLY, 0644));
    struct timespec wait = { 0, 50000000 };
    nanosleep(&wait, NULL); /* both 10 ms timers expire, nobody reads them */
    printf("mq=%d sem=%d plain=%d periodic=%d oneshot=%d armed=%d queued=%d quiet=%d\nready\n",
           (int)q, sem, plain, periodic, oneshot, armed, queued, quiet);
    fflush(stdout);
    for (;;)
        pause();
}
