/* corpus: unshare=--ipc
   A SysV semaphore set of 3 (own IPC namespace) with values 5, 0 and 32000: after the move the set has its id
   and values, and an operation on it works. */
#include "corpus.h"
#include <sys/ipc.h>
#include <sys/sem.h>

int main(void)
{
    int id = semget(0x48415531, 3, IPC_CREAT | 0600);
    unsigned short values[3] = { 5, 0, 32000 };
    SETUP_OK(id >= 0 && semctl(id, 0, SETALL, values) == 0, "semget/SETALL");
    corpus_ready_then_wait();
    CHECK(semget(0x48415531, 0, 0) == id, "the key names another set");
    unsigned short now[3] = { 0 };
    CHECK(semctl(id, 0, GETALL, now) == 0, "GETALL");
    CHECK(now[0] == 5 && now[1] == 0 && now[2] == 32000, "values %u %u %u, not 5 0 32000", now[0], now[1], now[2]);
    struct sembuf op = { .sem_num = 0, .sem_op = -2, .sem_flg = IPC_NOWAIT };
    CHECK(semop(id, &op, 1) == 0 && semctl(id, 0, GETVAL) == 3, "semop");
    corpus_pass("SysV semaphores: id and values 5 0 32000, semop works");
}
