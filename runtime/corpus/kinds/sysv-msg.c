/* corpus: unshare=--ipc
   A SysV message queue (own IPC namespace) holding 4 messages of types 1-4 and sizes up to 3000: after the move
   each comes back by type, whole. */
#include "corpus.h"
#include <sys/ipc.h>
#include <sys/msg.h>

struct message { long type; unsigned char body[3000]; };

int main(void)
{
    int id = msgget(0x48415532, IPC_CREAT | 0600);
    SETUP_OK(id >= 0, "msgget");
    static struct message m;
    for (int i = 1; i <= 4; i++) {
        m.type = i;
        corpus_fill(m.body, i * 700, 70 + i);
        SETUP_OK(msgsnd(id, &m, i * 700, IPC_NOWAIT) == 0, "msgsnd %d", i);
    }
    corpus_ready_then_wait();
    CHECK(msgget(0x48415532, 0) == id, "the key names another queue");
    for (int i = 4; i >= 1; i--) {
        ssize_t n = msgrcv(id, &m, sizeof m.body, i, IPC_NOWAIT);
        CHECK(n == i * 700, "message of type %d: %zd bytes, not %d", i, n, i * 700);
        CHECK(corpus_mismatch(m.body, n, 70 + i) < 0, "message of type %d differs", i);
    }
    CHECK(msgrcv(id, &m, sizeof m.body, 0, IPC_NOWAIT) < 0, "more messages than were sent");
    corpus_pass("SysV message queue: 4 messages by type, whole");
}
