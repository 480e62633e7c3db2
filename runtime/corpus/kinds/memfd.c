/* A memfd with 128 KiB of data, sealed against growing and shrinking, mapped shared: after the move the fd and
   the mapping hold the data, the seals are there, and a write through the mapping shows in the fd. */
#include "corpus.h"
#include <sys/mman.h>

#define SIZE (128u << 10)

int main(void)
{
    int fd = memfd_create("corpus", MFD_ALLOW_SEALING);
    SETUP_OK(fd >= 0 && ftruncate(fd, SIZE) == 0, "memfd_create");
    unsigned char *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    SETUP_OK(map != MAP_FAILED, "mmap");
    corpus_fill(map, SIZE, 55);
    SETUP_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK) == 0, "sealing");
    corpus_ready_then_wait();
    CHECK(fcntl(fd, F_GET_SEALS) == (F_SEAL_GROW | F_SEAL_SHRINK), "seals %#x", fcntl(fd, F_GET_SEALS));
    static unsigned char got[SIZE];
    CHECK(pread(fd, got, SIZE, 0) == SIZE && corpus_mismatch(got, SIZE, 55) < 0, "the memfd's bytes differ");
    CHECK(corpus_mismatch(map, SIZE, 55) < 0, "the mapping differs");
    map[100] = 0x11;
    CHECK(pread(fd, got, 1, 100) == 1 && got[0] == 0x11, "the mapping and the fd are no longer one");
    CHECK(ftruncate(fd, SIZE * 2) != 0, "the grow seal is gone");
    corpus_pass("memfd: 128 KiB, seals grow and shrink, mapping shared with the fd");
}
