/*
 * What every corpus program shares: the status file and the go signal. A program sets its kernel object up,
 * writes "READY" to ./status, waits until ./go exists in its working folder (the runner makes it after the
 * move), checks that its object is as it left it and writes "PASS what it checked" or "FAIL why", then waits
 * to be killed. Every check that could wait on an object that did not come back waits with a time limit, so a
 * lost object turns into FAIL with the reason, never into a hang. SETUP means the machine could not make the
 * object at all (the runner reports the kind as not tried).
 */
#ifndef CORPUS_H
#define CORPUS_H
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Writes one line to ./status atomically (a reader never sees half of it). */
static void corpus_status(const char *fmt, ...)
{
    char line[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    int fd = open("status.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    dprintf(fd, "%s\n", line);
    close(fd);
    rename("status.tmp", "status");
}

static __attribute__((noreturn)) void corpus_hold(void)
{
    for (;;)
        pause();
}

#define SETUP_FAIL(...) do { char why_[400]; snprintf(why_, sizeof why_, __VA_ARGS__); \
        corpus_status("SETUP %s", why_); corpus_hold(); } while (0)
#define FAIL(...) do { char why_[400]; snprintf(why_, sizeof why_, __VA_ARGS__); \
        corpus_status("FAIL %s", why_); corpus_hold(); } while (0)
/* SETUP_OK(cond, what): a setup step that must work; CHECK(cond, what): a check after the move. */
#define SETUP_OK(cond, ...) do { if (!(cond)) { char s_[300]; snprintf(s_, sizeof s_, __VA_ARGS__); \
        SETUP_FAIL("%s: %s", s_, strerror(errno)); } } while (0)
#define CHECK(cond, ...) do { if (!(cond)) { int e_ = errno; char c_[300]; snprintf(c_, sizeof c_, __VA_ARGS__); \
        FAIL("%s (errno %s)", c_, e_ ? strerror(e_) : "0"); } } while (0)

static __attribute__((noreturn)) void corpus_pass(const char *what)
{
    corpus_status("PASS %s", what);
    corpus_hold();
}

/* Says READY, then waits for ./go: polled, since the go comes from outside the tree and a file is what
   survives the move unchanged (the working folder is on storage both hosts see). */
static void corpus_ready_then_wait(void)
{
    corpus_status("READY %d", getpid());
    struct timespec tick = { 0, 20 * 1000 * 1000 };
    while (access("go", F_OK) != 0)
        nanosleep(&tick, NULL);
    errno = 0;
}

/* Waits up to ms for fd to be readable; 0 when it is not. */
static __attribute__((unused)) int corpus_readable(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* A pattern byte for offset i of buffer number seed: data nobody else writes. */
static __attribute__((unused)) unsigned char corpus_byte(unsigned seed, size_t i)
{
    return (unsigned char)((i * 131u + seed * 7919u + (i >> 9)) & 0xff);
}

static __attribute__((unused)) void corpus_fill(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = corpus_byte(seed, i);
}

/* The first offset where buf is not the pattern, or -1. */
static __attribute__((unused)) long corpus_mismatch(const unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != corpus_byte(seed, i))
            return (long)i;
    return -1;
}

/* The first offset in [from, len) where buf (a patterned buffer seen whole) is not the pattern, or -1. */
static __attribute__((unused)) long corpus_mismatch_from(const unsigned char *buf, size_t from, size_t len, unsigned seed)
{
    for (size_t i = from; i < len; i++)
        if (buf[i] != corpus_byte(seed, i))
            return (long)i;
    return -1;
}

/* Reads exactly len bytes from fd within ms in all; the count read. */
static __attribute__((unused)) ssize_t corpus_read_all(int fd, void *buf, size_t len, int ms)
{
    size_t got = 0;
    while (got < len && corpus_readable(fd, ms)) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}
#endif
