/* Signal state: a handler for SIGUSR1 with SA_RESTART and a mask, SIGPIPE ignored, SIGUSR2 blocked with two
   signals pending (a queued SIGRTMIN+1 with a value and SIGUSR2), and a signalfd on SIGRTMIN+1: after the move
   the dispositions and mask are kept, the signalfd reads the queued signal with its value, SIGUSR2 is pending,
   and the handler runs. */
#include "corpus.h"
#include <sys/signalfd.h>

static volatile sig_atomic_t handled;
static void on_usr1(int sig) { (void)sig; handled++; }

int main(void)
{
    struct sigaction act = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
    sigaddset(&act.sa_mask, SIGTERM);
    SETUP_OK(sigaction(SIGUSR1, &act, NULL) == 0 && signal(SIGPIPE, SIG_IGN) != SIG_ERR, "sigaction");
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR2);
    sigaddset(&blocked, SIGRTMIN + 1);
    SETUP_OK(sigprocmask(SIG_BLOCK, &blocked, NULL) == 0, "sigprocmask");
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGRTMIN + 1);
    int sfd = signalfd(-1, &only, SFD_NONBLOCK);
    SETUP_OK(sfd >= 0, "signalfd");
    union sigval value = { .sival_int = 31337 };
    SETUP_OK(sigqueue(getpid(), SIGRTMIN + 1, value) == 0 && kill(getpid(), SIGUSR2) == 0, "queueing signals");
    corpus_ready_then_wait();
    struct sigaction now;
    CHECK(sigaction(SIGUSR1, NULL, &now) == 0 && now.sa_handler == on_usr1 && (now.sa_flags & SA_RESTART)
          && sigismember(&now.sa_mask, SIGTERM), "SIGUSR1's handler, flags or mask changed");
    CHECK(sigaction(SIGPIPE, NULL, &now) == 0 && now.sa_handler == SIG_IGN, "SIGPIPE is no longer ignored");
    sigset_t mask, pending;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &mask) == 0 && sigismember(&mask, SIGUSR2) && sigismember(&mask, SIGRTMIN + 1), "the mask changed");
    CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR2), "SIGUSR2 is no longer pending");
    struct signalfd_siginfo info;
    CHECK(corpus_readable(sfd, 1000) && read(sfd, &info, sizeof info) == sizeof info, "the signalfd has no signal");
    CHECK(info.ssi_signo == (unsigned)SIGRTMIN + 1 && info.ssi_int == 31337, "signal %u value %d", info.ssi_signo, info.ssi_int);
    CHECK(kill(getpid(), SIGUSR1) == 0 && handled == 1, "the SIGUSR1 handler did not run");
    corpus_pass("signals: handler with flags and mask, ignored, blocked, 2 pending, signalfd with a queued value");
}
