/* A tree of 6 tasks in 3 levels sharing pages: the root fills 16 MiB, forks 3 children (copy-on-write), each
   rewrites its own 1 MiB slice and forks a grandchild that rewrites another; all share a 64 KiB anonymous shared
   mapping where each task has a slot. After the move every task checks its whole 16 MiB (its own slices, its
   parents', the rest the root's) and writes its verdict into its slot. (The tree issue #17 item 1 found.) */
#include "corpus.h"
#include <sys/mman.h>

#define MIB (1u << 20)
#define SIZE (16 * MIB)
#define TASKS 7 /* root, 3 children, 3 grandchildren */

static unsigned char *mem;
static volatile unsigned char *slots;
static unsigned seeds[16]; /* per MiB slice: the seed that wrote it, as this task sees it */

static int check_all(void)
{
    for (int s = 0; s < 16; s++)
        if (corpus_mismatch(mem + s * MIB, MIB, seeds[s]) >= 0)
            return 0;
    return 1;
}

static void rewrite(int slice, unsigned seed)
{
    corpus_fill(mem + slice * MIB, MIB, seed);
    seeds[slice] = seed;
}

static void wait_and_report(int slot)
{
    while (access("go", F_OK) != 0)
        usleep(20000);
    slots[slot] = check_all() ? 1 : 2;
    for (;;)
        pause();
}

int main(void)
{
    mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    slots = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SETUP_OK(mem != MAP_FAILED && slots != MAP_FAILED, "mmap");
    for (int s = 0; s < 16; s++)
        rewrite(s, 100 + s);
    for (int c = 0; c < 3; c++) {
        if (fork() == 0) {
            rewrite(1 + c, 200 + c);
            if (fork() == 0) {
                rewrite(8 + c, 300 + c);
                wait_and_report(4 + c);
            }
            wait_and_report(1 + c);
        }
    }
    usleep(100000); /* the grandchildren's rewrites */
    corpus_ready_then_wait();
    slots[0] = check_all() ? 1 : 2;
    for (int i = 0; i < 500; i++) {
        int done = 0;
        for (int t = 0; t < TASKS; t++)
            done += slots[t] != 0;
        if (done == TASKS)
            break;
        usleep(10000);
    }
    for (int t = 0; t < TASKS; t++)
        CHECK(slots[t] == 1, "task %d of 7 %s", t, slots[t] ? "found its pages changed" : "did not report");
    corpus_pass("7 tasks in 3 levels: 16 MiB copy-on-write with own slices, a shared mapping");
}
