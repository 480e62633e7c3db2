/* A regular file open three times: read-write at offset 5000, append-only, and read-only with FD_CLOEXEC
   set; after the move each fd has its offset, its flags and its descriptor flag, and reads the file's bytes. */
#include "corpus.h"

int main(void)
{
    unsigned char data[16384], got[1000];
    corpus_fill(data, sizeof data, 1);
    int rw = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
    SETUP_OK(rw >= 0 && write(rw, data, sizeof data) == sizeof data, "writing ./data");
    SETUP_OK(lseek(rw, 5000, SEEK_SET) == 5000, "lseek");
    int ap = open("data", O_WRONLY | O_APPEND);
    int ro = open("data", O_RDONLY | O_CLOEXEC);
    SETUP_OK(ap >= 0 && ro >= 0 && lseek(ro, 777, SEEK_SET) == 777, "opening ./data again");
    corpus_ready_then_wait();
    CHECK(lseek(rw, 0, SEEK_CUR) == 5000, "read-write fd at %ld, not 5000", (long)lseek(rw, 0, SEEK_CUR));
    CHECK(lseek(ro, 0, SEEK_CUR) == 777, "read-only fd at %ld, not 777", (long)lseek(ro, 0, SEEK_CUR));
    CHECK((fcntl(ap, F_GETFL) & (O_APPEND | O_ACCMODE)) == (O_APPEND | O_WRONLY), "append fd lost O_APPEND or O_WRONLY");
    CHECK((fcntl(rw, F_GETFL) & O_ACCMODE) == O_RDWR, "read-write fd is not O_RDWR");
    CHECK(fcntl(ro, F_GETFD) & FD_CLOEXEC, "read-only fd lost FD_CLOEXEC");
    CHECK(!(fcntl(rw, F_GETFD) & FD_CLOEXEC), "read-write fd gained FD_CLOEXEC");
    CHECK(read(rw, got, sizeof got) == sizeof got && memcmp(got, data + 5000, sizeof got) == 0, "bytes at 5000 differ");
    CHECK(read(ro, got, sizeof got) == sizeof got && memcmp(got, data + 777, sizeof got) == 0, "bytes at 777 differ");
    CHECK(write(ap, "x", 1) == 1 && lseek(ap, 0, SEEK_CUR) == sizeof data + 1, "append did not go to the end");
    corpus_pass("3 fds: offsets 5000 and 777, O_APPEND, O_RDWR, FD_CLOEXEC, bytes");
}
