/* corpus: unshare=--ipc
   A POSIX message queue (mq_open) holding 3 messages of priorities 1, 9 and 5: after the move they come back
   by priority, whole. */
#include "corpus.h"
#include <mqueue.h>

int main(void)
{
    struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = 1024 };
    mqd_t q = mq_open("/haul-corpus", O_RDWR | O_CREAT | O_NONBLOCK, 0600, &attr);
    SETUP_OK(q != (mqd_t)-1, "mq_open");
    SETUP_OK(mq_send(q, "one", 3, 1) == 0 && mq_send(q, "nine", 4, 9) == 0 && mq_send(q, "five", 4, 5) == 0, "mq_send");
    corpus_ready_then_wait();
    char buf[1024];
    unsigned prio;
    CHECK(mq_receive(q, buf, sizeof buf, &prio) == 4 && prio == 9 && memcmp(buf, "nine", 4) == 0, "first message");
    CHECK(mq_receive(q, buf, sizeof buf, &prio) == 4 && prio == 5, "second message");
    CHECK(mq_receive(q, buf, sizeof buf, &prio) == 3 && prio == 1, "third message");
    corpus_pass("POSIX message queue: 3 messages by priority");
}
