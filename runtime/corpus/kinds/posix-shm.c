/* POSIX shared memory (shm_open, a file in /dev/shm) of 512 KiB mapped shared by a parent and its child: after
   the move both see the same bytes and a write by the child shows in the parent. */
#include "corpus.h"
#include <sys/mman.h>

#define SIZE (512u << 10)

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "/haul-corpus-%d", getppid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
    SETUP_OK(fd >= 0 && ftruncate(fd, SIZE) == 0, "shm_open %s", name);
    unsigned char *mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    SETUP_OK(mem != MAP_FAILED, "mmap");
    corpus_fill(mem, SIZE, 80);
    pid_t child = fork();
    if (child == 0) {
        while (access("go", F_OK) != 0)
            usleep(20000);
        mem[SIZE - 1] = 0x99;
        for (;;)
            pause();
    }
    corpus_ready_then_wait();
    long bad = corpus_mismatch(mem, SIZE - 1, 80);
    CHECK(bad < 0, "byte %ld differs", bad);
    for (int i = 0; i < 300 && mem[SIZE - 1] != 0x99; i++)
        usleep(10000);
    CHECK(mem[SIZE - 1] == 0x99, "the child's write does not show in the parent");
    shm_unlink(name);
    corpus_pass("POSIX shm: 512 KiB shared by two tasks");
}
