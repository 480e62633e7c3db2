/* An inotify instance watching a folder in the working folder for creations and deletions (and a file for
   changes), with one event already queued: after the move the queued event is read with its name, and new
   events come for the same watch descriptors. */
#include "corpus.h"
#include <sys/inotify.h>

static int next_event(int fd, char *name, size_t len)
{
    static char buf[4096] __attribute__((aligned(8)));
    static ssize_t have, at;
    if (at >= have) {
        if (!corpus_readable(fd, 2000) || (have = read(fd, buf, sizeof buf)) <= 0)
            return -1;
        at = 0;
    }
    struct inotify_event *e = (struct inotify_event *)(buf + at);
    at += sizeof *e + e->len;
    snprintf(name, len, "%s", e->len ? e->name : "");
    return e->wd;
}

int main(void)
{
    mkdir("watched", 0755);
    int fd = inotify_init1(IN_NONBLOCK);
    SETUP_OK(fd >= 0, "inotify_init1");
    int file = open("watched-file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int wd = inotify_add_watch(fd, "watched", IN_CREATE | IN_DELETE), fwd = inotify_add_watch(fd, "watched-file", IN_MODIFY);
    SETUP_OK(file >= 0 && wd >= 0 && fwd >= 0, "inotify_add_watch");
    SETUP_OK(close(open("watched/before", O_CREAT | O_WRONLY, 0644)) == 0, "creating watched/before");
    corpus_ready_then_wait();
    char name[256];
    CHECK(next_event(fd, name, sizeof name) == wd && strcmp(name, "before") == 0, "the queued event is gone or wrong (%s)", name);
    CHECK(close(open("watched/after", O_CREAT | O_WRONLY, 0644)) == 0, "creating watched/after");
    CHECK(next_event(fd, name, sizeof name) == wd && strcmp(name, "after") == 0, "no event for a creation after the move");
    CHECK(write(file, "x", 1) == 1 && next_event(fd, name, sizeof name) == fwd, "no event for the watched file");
    corpus_pass("inotify: a queued event, and new ones for both watches");
}
