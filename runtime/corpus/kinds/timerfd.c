/* A timerfd (CLOCK_MONOTONIC, 40 ms period) and a one-shot one set 1 hour ahead: after the move the periodic
   one has its period and ticks, the one-shot one is still armed with about the hour left. */
#include "corpus.h"
#include <sys/timerfd.h>
#include <stdint.h>

int main(void)
{
    int tick = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), later = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec period = { .it_interval = { 0, 40000000 }, .it_value = { 0, 40000000 } };
    struct itimerspec hour = { .it_value = { 3600, 0 } };
    SETUP_OK(tick >= 0 && later >= 0 && timerfd_settime(tick, 0, &period, NULL) == 0
             && timerfd_settime(later, 0, &hour, NULL) == 0, "timerfd");
    corpus_ready_then_wait();
    struct itimerspec now;
    CHECK(timerfd_gettime(tick, &now) == 0 && now.it_interval.tv_nsec == 40000000, "period %ld ns", (long)now.it_interval.tv_nsec);
    uint64_t ticks = 0;
    CHECK(corpus_readable(tick, 2000) && read(tick, &ticks, sizeof ticks) == sizeof ticks && ticks > 0, "no tick");
    CHECK(corpus_readable(tick, 2000) && read(tick, &ticks, sizeof ticks) == sizeof ticks && ticks > 0, "no second tick");
    CHECK(timerfd_gettime(later, &now) == 0 && now.it_value.tv_sec > 3000 && now.it_value.tv_sec <= 3600,
          "the one-shot timer has %ld s left", (long)now.it_value.tv_sec);
    corpus_pass("timerfd: 40 ms period ticking; one-shot an hour ahead still armed");
}
