/* Two pipes between a parent and its child, each holding data the other wrote (60000 bytes one way, 777 the
   other, a 1 MiB pipe size): after the move each side reads its bytes and the pipe keeps its size. */
#include "corpus.h"

int main(void)
{
    static unsigned char big[60000], got[60000];
    unsigned char small[777];
    corpus_fill(big, sizeof big, 4);
    corpus_fill(small, sizeof small, 5);
    int down[2], up[2];
    SETUP_OK(pipe(down) == 0 && pipe(up) == 0, "pipe");
    SETUP_OK(fcntl(down[1], F_SETPIPE_SZ, 1 << 20) >= (1 << 20), "F_SETPIPE_SZ");
    SETUP_OK(write(down[1], big, sizeof big) == sizeof big, "filling the pipe");
    pid_t child = fork();
    SETUP_OK(child >= 0, "fork");
    if (child == 0) {
        SETUP_OK(write(up[1], small, sizeof small) == sizeof small, "child writing");
        unsigned char c;
        while (access("go", F_OK) != 0)
            usleep(20000);
        /* the child reads what the parent left it and reports through the up pipe */
        c = corpus_read_all(down[0], got, sizeof got, 3000) == sizeof got && corpus_mismatch(got, sizeof got, 4) < 0;
        if (write(up[1], &c, 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    corpus_ready_then_wait();
    CHECK(fcntl(down[1], F_GETPIPE_SZ) >= (1 << 20), "pipe size %d, not 1 MiB", fcntl(down[1], F_GETPIPE_SZ));
    CHECK(corpus_read_all(up[0], small, sizeof small, 3000) == sizeof small && corpus_mismatch(small, sizeof small, 5) < 0,
          "the child's 777 bytes did not come back");
    unsigned char verdict = 0;
    CHECK(corpus_read_all(up[0], &verdict, 1, 5000) == 1, "no word from the child");
    CHECK(verdict == 1, "the child did not read its 60000 bytes intact");
    corpus_pass("pipes: 60000 and 777 buffered bytes between two tasks, 1 MiB pipe size");
}
