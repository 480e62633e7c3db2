/* Anonymous memory: a 4 MiB private mapping and a 1 MiB shared one, both patterned, a read-only page and a
   PROT_NONE guard page, then a child forked: the private pages are shared copy-on-write until the child rewrites
   half, the shared mapping is one for both. After the move each task sees its own private pages, the parent's
   write into the shared mapping shows in the child, and protections are kept. */
#include "corpus.h"
#include <sys/mman.h>

#define PRIV (4u << 20)
#define SHARED (1u << 20)

static int protection_of(void *addr)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long start, end;
    char perms[8];
    int found = -1;
    while (maps && fgets(line, sizeof line, maps))
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 && (unsigned long)addr >= start && (unsigned long)addr < end)
            found = (perms[0] == 'r') | (perms[1] == 'w') << 1 | (perms[2] == 'x') << 2;
    if (maps)
        fclose(maps);
    return found;
}

int main(void)
{
    unsigned char *priv = mmap(NULL, PRIV, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *shared = mmap(NULL, SHARED, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned char *ro = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SETUP_OK(priv != MAP_FAILED && shared != MAP_FAILED && ro != MAP_FAILED, "mmap");
    corpus_fill(priv, PRIV, 40);
    corpus_fill(shared, SHARED, 41);
    corpus_fill(ro, 4096, 42);
    SETUP_OK(mprotect(ro, 4096, PROT_READ) == 0 && mprotect(ro + 4096, 4096, PROT_NONE) == 0, "mprotect");
    int report[2];
    SETUP_OK(pipe(report) == 0, "pipe");
    pid_t child = fork();
    SETUP_OK(child >= 0, "fork");
    if (child == 0) {
        corpus_fill(priv, PRIV / 2, 43); /* its own copy of the first half */
        while (access("go", F_OK) != 0)
            usleep(20000);
        /* the parent writes a marker into the shared mapping after the go: wait for it */
        for (int i = 0; i < 300 && shared[SHARED - 1] != 0xA5; i++)
            usleep(10000);
        unsigned char ok = corpus_mismatch(priv, PRIV / 2, 43) < 0 && corpus_mismatch(priv + PRIV / 2, PRIV / 2, 40) < 0
            && shared[SHARED - 1] == 0xA5 && corpus_mismatch(shared, SHARED - 1, 41) < 0;
        if (write(report[1], &ok, 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    corpus_ready_then_wait();
    long bad = corpus_mismatch(priv, PRIV, 40);
    CHECK(bad < 0, "private page byte %ld differs in the parent", bad);
    CHECK((bad = corpus_mismatch(shared, SHARED, 41)) < 0, "shared byte %ld differs", bad);
    CHECK(corpus_mismatch(ro, 4096, 42) < 0, "the read-only page differs");
    CHECK(protection_of(ro) == 1, "the read-only page is not r-- (%d)", protection_of(ro));
    CHECK(protection_of(ro + 4096) == 0, "the guard page is not --- (%d)", protection_of(ro + 4096));
    shared[SHARED - 1] = 0xA5;
    unsigned char ok = 0;
    CHECK(corpus_read_all(report[0], &ok, 1, 5000) == 1, "no word from the child");
    CHECK(ok == 1, "the child's private half, the parent's half it shares or the shared mapping differ in the child");
    corpus_pass("anonymous memory: 4 MiB private (copy-on-write with a child), 1 MiB shared, r-- and --- pages");
}
