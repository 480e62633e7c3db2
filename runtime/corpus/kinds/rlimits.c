/* Resource limits lowered from their defaults: open files 777/1777, core 0/4096 KiB, stack 4 MiB/unlimited,
   address space 3 GiB, pending signals 555, plus umask 027, nice 7 and the task's name: after the move each is
   as set. */
#include "corpus.h"
#include <sys/resource.h>
#include <sys/prctl.h>

static const struct { int resource; const char *name; rlim_t soft, hard; } LIMITS[] = {
    { RLIMIT_NOFILE, "nofile", 777, 1777 },
    { RLIMIT_CORE, "core", 0, 4096 * 1024 },
    { RLIMIT_STACK, "stack", 4 << 20, RLIM_INFINITY },
    { RLIMIT_AS, "as", 3ul << 30, 3ul << 30 },
    { RLIMIT_SIGPENDING, "sigpending", 555, 555 },
};
#define N_LIMITS (sizeof LIMITS / sizeof LIMITS[0])

int main(void)
{
    for (size_t i = 0; i < N_LIMITS; i++) {
        struct rlimit r = { LIMITS[i].soft, LIMITS[i].hard };
        SETUP_OK(setrlimit(LIMITS[i].resource, &r) == 0, "setrlimit %s", LIMITS[i].name);
    }
    umask(027);
    SETUP_OK(setpriority(PRIO_PROCESS, 0, 7) == 0, "nice");
    prctl(PR_SET_NAME, "corpus-limited");
    corpus_ready_then_wait();
    for (size_t i = 0; i < N_LIMITS; i++) {
        struct rlimit r;
        CHECK(getrlimit(LIMITS[i].resource, &r) == 0 && r.rlim_cur == LIMITS[i].soft && r.rlim_max == LIMITS[i].hard,
              "%s is %llu/%llu", LIMITS[i].name, (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
    }
    mode_t mask = umask(027);
    CHECK(mask == 027, "umask %03o, not 027", mask);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    CHECK(nice == 7, "nice %d, not 7", nice);
    char name[16] = "";
    prctl(PR_GET_NAME, name);
    CHECK(strcmp(name, "corpus-limited") == 0, "name %s", name);
    corpus_pass("5 rlimits, umask 027, nice 7, task name kept");
}
