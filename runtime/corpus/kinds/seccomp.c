/* A seccomp filter (no_new_privs, BPF) that makes getcpu fail with errno 77 and lets everything else through:
   after the move the filter is there (Seccomp: 2 in /proc/self/status) and still answers getcpu with 77. */
#include "corpus.h"
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static int seccomp_mode(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    int mode = -1;
    while (status && fgets(line, sizeof line, status))
        if (sscanf(line, "Seccomp: %d", &mode) == 1)
            break;
    if (status)
        fclose(status);
    return mode;
}

int main(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getcpu, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 77),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };
    SETUP_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0, "seccomp");
    unsigned cpu;
    SETUP_OK(syscall(SYS_getcpu, &cpu, NULL, NULL) < 0 && errno == 77, "the filter does not answer");
    corpus_ready_then_wait();
    CHECK(seccomp_mode() == 2, "Seccomp mode %d, not 2 (filter)", seccomp_mode());
    errno = 0;
    long r = syscall(SYS_getcpu, &cpu, NULL, NULL);
    CHECK(r < 0 && errno == 77, "getcpu gave %ld errno %d: the filter is gone", r, errno);
    CHECK(getpid() > 0, "getpid");
    corpus_pass("seccomp filter kept: getcpu answered with errno 77");
}
