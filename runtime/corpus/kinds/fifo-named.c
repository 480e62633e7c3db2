/* A named FIFO in the working folder, open read-write, with 3000 bytes in its buffer: after the move the FIFO
   holds the same bytes. (On one kernel the frozen source's FIFO is the destination's: Haul refuses it.) */
#include "corpus.h"

int main(void)
{
    unsigned char data[3000], got[3000];
    corpus_fill(data, sizeof data, 3);
    unlink("fifo");
    SETUP_OK(mkfifo("fifo", 0600) == 0, "mkfifo");
    int fd = open("fifo", O_RDWR | O_NONBLOCK);
    SETUP_OK(fd >= 0 && write(fd, data, sizeof data) == sizeof data, "filling the FIFO");
    corpus_ready_then_wait();
    CHECK(corpus_read_all(fd, got, sizeof got, 2000) == sizeof got, "the FIFO holds fewer than 3000 bytes");
    CHECK(memcmp(got, data, sizeof got) == 0, "the FIFO's bytes differ");
    CHECK(!corpus_readable(fd, 0), "the FIFO holds more than it was given");
    corpus_pass("named FIFO: 3000 buffered bytes");
}
