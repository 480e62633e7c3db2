/* A zombie child that exited with status 7, not yet reaped, and a second child killed by SIGSEGV's number
   (SIGUSR2): after the move both are zombies, and waitpid gives each its exit status or signal. */
#include "corpus.h"

int main(void)
{
    pid_t exited = fork();
    if (exited == 0)
        _exit(7);
    pid_t killed = fork();
    if (killed == 0) {
        for (;;)
            pause();
    }
    SETUP_OK(exited > 0 && killed > 0 && kill(killed, SIGUSR2) == 0, "fork");
    siginfo_t info;
    /* wait until both are zombies without reaping them */
    SETUP_OK(waitid(P_PID, exited, &info, WEXITED | WNOWAIT) == 0 && waitid(P_PID, killed, &info, WEXITED | WNOWAIT) == 0, "waitid");
    corpus_ready_then_wait();
    /* /proc here is the host's, not the namespace's: ask waitid, without reaping, whether both are zombies */
    siginfo_t now = { 0 };
    CHECK(waitid(P_PID, exited, &now, WEXITED | WNOHANG | WNOWAIT) == 0 && now.si_pid == exited
          && now.si_code == CLD_EXITED && now.si_status == 7, "the exited child is no zombie with status 7");
    int status;
    CHECK(waitpid(exited, &status, WNOHANG) == exited && WIFEXITED(status) && WEXITSTATUS(status) == 7,
          "the zombie's exit status is %#x, not 7", status);
    CHECK(waitpid(killed, &status, WNOHANG) == killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR2,
          "the killed zombie's status is %#x, not SIGUSR2", status);
    corpus_pass("2 zombies: exit status 7 and killed by SIGUSR2, reaped after the move");
}
