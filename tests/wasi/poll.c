/* poll.c — poll_oneoff: relative and absolute clock subscriptions (nanosleep/clock_nanosleep),
 * stdout writable, stdin readable (the suite pipes "x"), several subscriptions at once,
 * an unknown clock, bad fds, zero subscriptions, and bad pointers. */
#include <time.h>
#include <unistd.h>

#include "t.h"

static uint64_t mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int main(void)
{
    uint64_t t0 = mono();
    struct timespec ts = {0, 30 * 1000000};
    CHECK_EQ(nanosleep(&ts, NULL), 0);
    CHECK(mono() - t0 >= 29000000ull);
    if (!t_strict()) /* Node hangs on absolute clocks and waits on clocks with fds ready */
        return t_done("poll");
    /* Absolute monotonic deadline. */
    __wasi_subscription_t s[4];
    __wasi_event_t ev[4];
    __wasi_size_t n;
    memset(s, 0, sizeof s);
    s[0].userdata = 42;
    s[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    s[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s[0].u.u.clock.timeout = mono() + 20000000ull;
    s[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    t0 = mono();
    CHECK_EQ(__wasi_poll_oneoff(s, ev, 1, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].userdata, 42);
    CHECK_EQ(ev[0].error, 0);
    CHECK_EQ(ev[0].type, __WASI_EVENTTYPE_CLOCK);
    CHECK(mono() - t0 >= 15000000ull);
    /* stdout is writable at once, before a long clock. */
    memset(s, 0, sizeof s);
    s[0].userdata = 1;
    s[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    s[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s[0].u.u.clock.timeout = 5000000000ull;
    s[1].userdata = 2;
    s[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    s[1].u.u.fd_write.file_descriptor = 1;
    t0 = mono();
    CHECK_EQ(__wasi_poll_oneoff(s, ev, 2, &n), 0);
    CHECK(n >= 1);
    CHECK_EQ(ev[0].userdata, 2);
    CHECK_EQ(ev[0].type, __WASI_EVENTTYPE_FD_WRITE);
    CHECK(mono() - t0 < 2000000000ull);
    /* stdin readable (data piped in). */
    s[1].userdata = 3;
    s[1].u.tag = __WASI_EVENTTYPE_FD_READ;
    s[1].u.u.fd_read.file_descriptor = 0;
    CHECK_EQ(__wasi_poll_oneoff(s, ev, 2, &n), 0);
    CHECK(n >= 1);
    CHECK_EQ(ev[0].userdata, 3);
    CHECK_EQ(ev[0].error, 0);
    /* A bad fd is an event with EBADF, not a failure of the call. */
    s[1].userdata = 4;
    s[1].u.tag = __WASI_EVENTTYPE_FD_READ;
    s[1].u.u.fd_read.file_descriptor = 77;
    CHECK_EQ(__wasi_poll_oneoff(s, ev, 2, &n), 0);
    CHECK(n >= 1);
    CHECK_EQ(ev[0].userdata, 4);
    CHECK_EQ(ev[0].error, __WASI_ERRNO_BADF);
    /* Zero subscriptions and bad pointers. */
    CHECK_EQ(__wasi_poll_oneoff(s, ev, 0, &n), __WASI_ERRNO_INVAL);
    CHECK_EQ(raw_poll_oneoff((void *)0xffffff00u, ev, 4, &n), __WASI_ERRNO_FAULT);
    CHECK_EQ(raw_poll_oneoff(s, (void *)0xffffff00u, 4, &n), __WASI_ERRNO_FAULT);
    CHECK_EQ(__wasi_sched_yield(), 0);
    return t_done("poll");
}
