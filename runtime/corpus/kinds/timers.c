/* Timers: a POSIX timer (CLOCK_MONOTONIC, 50 ms period, SIGRTMIN with a value) and an interval itimer
   (ITIMER_REAL, 70 ms): after the move both are armed with their periods, and both go on firing. */
#include "corpus.h"

static volatile sig_atomic_t posix_fired, real_fired, value_ok = 1;

static void on_rt(int sig, siginfo_t *info, void *context)
{
    (void)sig; (void)context;
    if (info->si_value.sival_int != 4242)
        value_ok = 0;
    posix_fired++;
}

static void on_alarm(int sig) { (void)sig; real_fired++; }

int main(void)
{
    struct sigaction rt = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO | SA_RESTART };
    struct sigaction alarm = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigaction(SIGRTMIN, &rt, NULL);
    sigaction(SIGALRM, &alarm, NULL);
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN, .sigev_value.sival_int = 4242 };
    timer_t timer;
    SETUP_OK(timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0, "timer_create");
    struct itimerspec period = { .it_interval = { 0, 50000000 }, .it_value = { 0, 50000000 } };
    SETUP_OK(timer_settime(timer, 0, &period, NULL) == 0, "timer_settime");
    struct itimerval real = { .it_interval = { 0, 70000 }, .it_value = { 0, 70000 } };
    SETUP_OK(setitimer(ITIMER_REAL, &real, NULL) == 0, "setitimer");
    corpus_ready_then_wait();
    struct itimerspec now;
    CHECK(timer_gettime(timer, &now) == 0 && now.it_interval.tv_nsec == 50000000 && now.it_interval.tv_sec == 0,
          "the POSIX timer's period is %ld ns", (long)now.it_interval.tv_nsec);
    struct itimerval rnow;
    CHECK(getitimer(ITIMER_REAL, &rnow) == 0 && rnow.it_interval.tv_usec == 70000, "the itimer's period is %ld us",
          (long)rnow.it_interval.tv_usec);
    int p0 = posix_fired, r0 = real_fired;
    for (int i = 0; i < 100 && (posix_fired < p0 + 3 || real_fired < r0 + 3); i++)
        usleep(10000);
    CHECK(posix_fired >= p0 + 3, "the POSIX timer stopped firing");
    CHECK(real_fired >= r0 + 3, "the itimer stopped firing");
    CHECK(value_ok, "the POSIX timer's signal came with another value");
    corpus_pass("POSIX timer (50 ms, SIGRTMIN, value) and itimer (70 ms) armed and firing");
}
