/* A POSIX record lock (fcntl F_SETLK, bytes 10-29, write) on a file in the working folder: after the move a
   child sees the lock held by its parent over those bytes and cannot take it. (On one kernel the frozen source
   still holds it: Haul refuses.) */
#include "corpus.h"

int main(void)
{
    int fd = open("locked", O_RDWR | O_CREAT | O_TRUNC, 0644);
    SETUP_OK(fd >= 0 && ftruncate(fd, 100) == 0, "making ./locked");
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 20 };
    SETUP_OK(fcntl(fd, F_SETLK, &lock) == 0, "F_SETLK");
    corpus_ready_then_wait();
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        int own = open("locked", O_RDWR);
        struct flock probe = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
        if (own < 0 || fcntl(own, F_GETLK, &probe) != 0)
            _exit(10);
        if (probe.l_type != F_WRLCK || probe.l_start != 10 || probe.l_len != 20 || probe.l_pid != getppid())
            _exit(11);
        struct flock take = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 15, .l_len = 1 };
        _exit(fcntl(own, F_SETLK, &take) == 0 ? 12 : 0);
    }
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status), "the probing child did not end");
    CHECK(WEXITSTATUS(status) != 11, "the lock is not the parent's write lock on bytes 10-29");
    CHECK(WEXITSTATUS(status) != 12, "another process could take the locked byte");
    CHECK(WEXITSTATUS(status) == 0, "the probe failed (%d)", WEXITSTATUS(status));
    corpus_pass("POSIX write lock on bytes 10-29, held");
}
