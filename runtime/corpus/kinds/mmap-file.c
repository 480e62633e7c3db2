/* A file in the working folder mapped shared (written through the mapping) and mapped private (changed in
   memory only): after the move the shared mapping and the file agree, a write through it reaches the file, and
   the private mapping still holds its own change while the file does not. */
#include "corpus.h"
#include <sys/mman.h>

#define SIZE (256u << 10)

int main(void)
{
    int fd = open("mapped", O_RDWR | O_CREAT | O_TRUNC, 0644);
    SETUP_OK(fd >= 0 && ftruncate(fd, SIZE) == 0, "making ./mapped");
    unsigned char *shared = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    SETUP_OK(shared != MAP_FAILED, "mmap shared");
    corpus_fill(shared, SIZE, 50);
    SETUP_OK(msync(shared, SIZE, MS_SYNC) == 0, "msync");
    unsigned char *priv = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    SETUP_OK(priv != MAP_FAILED, "mmap private");
    memset(priv, 0x5A, 4096);
    corpus_ready_then_wait();
    unsigned char page[4096];
    long bad = corpus_mismatch(shared, SIZE, 50);
    CHECK(bad < 0, "shared mapping byte %ld differs", bad);
    CHECK(pread(fd, page, sizeof page, 0) == sizeof page && corpus_mismatch(page, sizeof page, 50) < 0, "the file differs");
    CHECK(priv[0] == 0x5A && priv[4095] == 0x5A, "the private mapping lost its own change");
    CHECK(corpus_mismatch_from(priv, 4096, SIZE, 50) < 0, "the private mapping's unchanged pages differ from the file");
    shared[8192] = 0x77;
    CHECK(msync(shared, SIZE, MS_SYNC) == 0 && pread(fd, page, 1, 8192) == 1 && page[0] == 0x77, "a write through the mapping did not reach the file");
    corpus_pass("file mappings: shared agrees with the file and writes through, private keeps its change");
}
