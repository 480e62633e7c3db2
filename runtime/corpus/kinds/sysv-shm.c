/* corpus: unshare=--ipc
   A SysV shared memory segment (own IPC namespace) with a 1 MiB pattern, attached by the parent and a child:
   after the move the segment has its id, size and bytes, and a write by the parent shows in the child. */
#include "corpus.h"
#include <sys/ipc.h>
#include <sys/shm.h>

#define SIZE (1u << 20)

int main(void)
{
    int id = shmget(0x4841554c, SIZE, IPC_CREAT | 0600);
    unsigned char *mem = id < 0 ? NULL : shmat(id, NULL, 0);
    SETUP_OK(mem && mem != (void *)-1, "shmget/shmat");
    corpus_fill(mem, SIZE, 60);
    int report[2];
    SETUP_OK(pipe(report) == 0, "pipe");
    pid_t child = fork();
    if (child == 0) {
        while (access("go", F_OK) != 0)
            usleep(20000);
        for (int i = 0; i < 300 && mem[0] != 0xEE; i++)
            usleep(10000);
        unsigned char ok = mem[0] == 0xEE && corpus_mismatch_from(mem, 4096, SIZE, 60) < 0;
        if (write(report[1], &ok, 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    corpus_ready_then_wait();
    struct shmid_ds ds;
    CHECK(shmget(0x4841554c, 0, 0) == id, "the key names another segment");
    CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == SIZE && ds.shm_nattch == 2, "size %zu, %lu attached",
          (size_t)ds.shm_segsz, (unsigned long)ds.shm_nattch);
    long bad = corpus_mismatch(mem, SIZE, 60);
    CHECK(bad < 0, "byte %ld differs", bad);
    mem[0] = 0xEE;
    unsigned char ok = 0;
    CHECK(corpus_read_all(report[0], &ok, 1, 5000) == 1 && ok, "the child does not see the segment as the parent");
    corpus_pass("SysV shm: key, id, 1 MiB, 2 attached, shared between tasks");
}
