/* corpus: cflags=-pthread
   Four threads, each with its own name, a thread-local value, its own blocked signal and a counter it keeps
   bumping, sharing a mutex-guarded total: after the move every thread runs on (its counter grows), keeps its
   name, its thread-local value and its signal mask. */
#include "corpus.h"
#include <pthread.h>
#include <sys/prctl.h>

#define THREADS 4
static __thread long local_value;
static volatile long counters[THREADS];
static volatile int verdicts[THREADS]; /* 0 not yet, 1 ok, 2 wrong */
static volatile int check_now;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

static __attribute__((noreturn)) void *worker(void *arg)
{
    long me = (long)arg;
    char name[16];
    snprintf(name, sizeof name, "corpus-t%ld", me);
    prctl(PR_SET_NAME, name);
    local_value = 1000 + me;
    sigset_t mine;
    sigemptyset(&mine);
    sigaddset(&mine, SIGRTMIN + (int)me);
    pthread_sigmask(SIG_BLOCK, &mine, NULL);
    while (!check_now) {
        counters[me]++;
        pthread_mutex_lock(&lock);
        total++;
        pthread_mutex_unlock(&lock);
        usleep(1000);
    }
    char now[16] = "";
    prctl(PR_GET_NAME, now);
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    long before = counters[me];
    for (int i = 0; i < 20; i++) {
        counters[me]++;
        usleep(1000);
    }
    verdicts[me] = (strcmp(now, name) == 0 && local_value == 1000 + me && sigismember(&mask, SIGRTMIN + (int)me)
                    && counters[me] >= before + 20) ? 1 : 2;
    for (;;)
        pause();
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        SETUP_OK(pthread_create(&t[i], NULL, worker, (void *)i) == 0, "pthread_create");
    usleep(50000);
    corpus_ready_then_wait();
    long seen[THREADS];
    for (int i = 0; i < THREADS; i++)
        seen[i] = counters[i];
    usleep(100000);
    for (int i = 0; i < THREADS; i++)
        CHECK(counters[i] > seen[i], "thread %d stopped counting", i);
    check_now = 1;
    for (int i = 0; i < THREADS; i++) {
        for (int w = 0; w < 300 && !verdicts[i]; w++)
            usleep(10000);
        CHECK(verdicts[i] == 1, "thread %d lost its name, thread-local value or mask (verdict %d)", i, verdicts[i]);
    }
    corpus_pass("4 threads running on with their names, thread-local values and masks");
}
