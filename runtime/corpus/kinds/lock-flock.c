/* A BSD lock (flock LOCK_EX) on a file in the working folder: after the move another open file of it cannot
   take the lock, and the holder can release and take it again. (On one kernel: refused by Haul.) */
#include "corpus.h"
#include <sys/file.h>

int main(void)
{
    int fd = open("flocked", O_RDWR | O_CREAT | O_TRUNC, 0644);
    SETUP_OK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "flock");
    corpus_ready_then_wait();
    int other = open("flocked", O_RDWR);
    CHECK(other >= 0, "opening ./flocked");
    CHECK(flock(other, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK, "another open file could take the lock");
    CHECK(flock(fd, LOCK_UN) == 0 && flock(other, LOCK_EX | LOCK_NB) == 0, "the lock could not be released");
    corpus_pass("flock LOCK_EX held");
}
