/* A file written, held open and unlinked (CRIU carries its content as a ghost file): after the move the fd
   reads the same 64 KiB from its offset, and the file has no name (st_nlink 0). */
#include "corpus.h"

int main(void)
{
    static unsigned char data[65536], got[65536];
    corpus_fill(data, sizeof data, 2);
    int fd = open("ghost", O_RDWR | O_CREAT | O_TRUNC, 0600);
    SETUP_OK(fd >= 0 && write(fd, data, sizeof data) == sizeof data, "writing ./ghost");
    SETUP_OK(unlink("ghost") == 0 && lseek(fd, 100, SEEK_SET) == 100, "unlinking ./ghost");
    corpus_ready_then_wait();
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0, "the file has %ld names, not 0", (long)st.st_nlink);
    CHECK(st.st_size == sizeof data, "size %ld, not %zu", (long)st.st_size, sizeof data);
    CHECK(lseek(fd, 0, SEEK_CUR) == 100, "offset %ld, not 100", (long)lseek(fd, 0, SEEK_CUR));
    CHECK(pread(fd, got, sizeof got, 0) == sizeof got, "short read");
    long bad = corpus_mismatch(got, sizeof got, 2);
    CHECK(bad < 0, "byte %ld differs", bad);
    CHECK(access("ghost", F_OK) != 0, "the name came back");
    corpus_pass("unlinked file: 64 KiB content, offset 100, no name");
}
