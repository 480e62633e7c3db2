/* A process tree with sessions and groups: the root leads its session; child A leads a group of its own with
   grandchild A1 in it; child B leads a new session with its child B1 in it. After the move each of the four
   reports its parent, group and session (the namespace's pids: this tree has no /proc of its own), and each is
   as it was made. */
#include "corpus.h"

struct report { int role; pid_t pid, ppid, pgid, sid; };
static int reports[2];

static __attribute__((noreturn)) void report_after_go(int role)
{
    while (access("go", F_OK) != 0)
        usleep(20000);
    struct report r = { role, getpid(), getppid(), getpgid(0), getsid(0) };
    if (write(reports[1], &r, sizeof r) != sizeof r)
        _exit(1);
    for (;;)
        pause();
}

int main(void)
{
    SETUP_OK(pipe(reports) == 0, "pipe");
    pid_t a = fork();
    if (a == 0) {
        setpgid(0, 0);
        if (fork() == 0)
            report_after_go(2);
        report_after_go(0);
    }
    pid_t b = fork();
    if (b == 0) {
        setsid();
        if (fork() == 0)
            report_after_go(3);
        report_after_go(1);
    }
    SETUP_OK(a > 0 && b > 0, "fork");
    usleep(100000);
    corpus_ready_then_wait();
    pid_t me = getpid();
    CHECK(getsid(0) == me && getpgid(0) == me, "the root no longer leads its session and group");
    struct report got[4] = { { 0 } };
    for (int i = 0; i < 4; i++) {
        struct report r;
        CHECK(corpus_read_all(reports[0], &r, sizeof r, 5000) == sizeof r && r.role >= 0 && r.role < 4, "only %d of 4 tasks reported", i);
        got[r.role] = r;
    }
    /* expected: A (role 0) and A1 (2) in group A of the root's session; B (1) and B1 (3) in session and group B */
    CHECK(got[0].pid == a && got[0].ppid == me && got[0].pgid == a && got[0].sid == me, "child A: parent %d group %d session %d",
          got[0].ppid, got[0].pgid, got[0].sid);
    CHECK(got[2].ppid == a && got[2].pgid == a && got[2].sid == me, "grandchild A1: parent %d group %d session %d",
          got[2].ppid, got[2].pgid, got[2].sid);
    CHECK(got[1].pid == b && got[1].ppid == me && got[1].pgid == b && got[1].sid == b, "child B: parent %d group %d session %d",
          got[1].ppid, got[1].pgid, got[1].sid);
    CHECK(got[3].ppid == b && got[3].pgid == b && got[3].sid == b, "grandchild B1: parent %d group %d session %d",
          got[3].ppid, got[3].pgid, got[3].sid);
    corpus_pass("sessions and groups of 5 tasks in 3 levels, parents kept");
}
