/* wasi_misc.c — args, environment, clocks, randomness, poll_oneoff, process and socket
 * functions of WASI preview1. Sockets are not offered (a guest reaches the network only
 * through tools that go through egress/). */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "wasi/wasi_int.h"

static wasm_trap strings_sizes(wasm_memory *mem, wasm_slot *s, char **v, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    if (total > UINT32_MAX)
        RET(WASI_E2BIG);
    if (!wasi_mem_ok(mem, A32(0), 4) || !wasi_mem_ok(mem, A32(1), 4))
        RET(WASI_EFAULT);
    wasi_put32(mem, A32(0), (uint32_t)n);
    wasi_put32(mem, A32(1), (uint32_t)total);
    RET(0);
}

static wasm_trap strings_get(wasm_memory *mem, wasm_slot *s, char **v, size_t n)
{
    uint32_t ptrs = A32(0), bufp = A32(1);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    if (!wasi_mem_ok(mem, ptrs, (uint64_t)n * 4) || !wasi_mem_ok(mem, bufp, total))
        RET(WASI_EFAULT);
    uint32_t at = bufp;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(v[i]) + 1;
        wasi_put32(mem, ptrs + (uint32_t)(4 * i), at);
        wasm_memory_write(mem, at, v[i], k);
        at += (uint32_t)k;
    }
    RET(0);
}

WASI_FN(args_sizes_get)
{
    WASI_PROLOGUE();
    return strings_sizes(mem, s, c->argv, c->argc);
}

WASI_FN(args_get)
{
    WASI_PROLOGUE();
    return strings_get(mem, s, c->argv, c->argc);
}

WASI_FN(environ_sizes_get)
{
    WASI_PROLOGUE();
    return strings_sizes(mem, s, c->env, c->nenv);
}

WASI_FN(environ_get)
{
    WASI_PROLOGUE();
    return strings_get(mem, s, c->env, c->nenv);
}

static bool clock_of(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

WASI_FN(clock_res_get)
{
    WASI_PROLOGUE();
    clockid_t id;
    if (!clock_of(A32(0), &id))
        RET(WASI_EINVAL);
    struct timespec ts;
    if (clock_getres(id, &ts) < 0)
        RET(wasi_errno_from_host(errno));
    if (!wasi_put64(mem, A32(1), (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec))
        RET(WASI_EFAULT);
    RET(0);
}

WASI_FN(clock_time_get)
{
    WASI_PROLOGUE();
    clockid_t id;
    if (!clock_of(A32(0), &id))
        RET(WASI_EINVAL);
    struct timespec ts;
    if (clock_gettime(id, &ts) < 0)
        RET(wasi_errno_from_host(errno));
    if (!wasi_put64(mem, A32(2), (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec))
        RET(WASI_EFAULT);
    RET(0);
}

WASI_FN(random_get)
{
    WASI_PROLOGUE();
    uint32_t len = A32(1);
    unsigned char *p = mem ? wasm_memory_ptr(mem, A32(0), len) : NULL;
    if (!p && len)
        RET(WASI_EFAULT);
    size_t done = 0;
    while (done < len) {
        ssize_t r = getrandom(p + done, len - done, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            RET(wasi_errno_from_host(errno));
        }
        done += (size_t)r;
    }
    RET(0);
}

WASI_FN(proc_exit)
{
    WASI_PROLOGUE();
    c->exit_code = (int)A32(0);
    c->exited = true;
    wasm_instance_set_trap_message(in, "exit %u", A32(0));
    return WASM_TRAP_EXIT;
}

WASI_FN(proc_raise)
{
    WASI_PROLOGUE();
    RET(WASI_ENOSYS);
}

WASI_FN(sched_yield)
{
    WASI_PROLOGUE();
    sched_yield();
    RET(0);
}

static wasm_trap no_socket(wasi_ctx *c, wasm_slot *s)
{
    wasi_fd *f = wasi_fd_get(c, A32(0));
    RET(f ? WASI_ENOTSUP : WASI_EBADF);
}

WASI_FN(sock_accept)
{
    WASI_PROLOGUE();
    return no_socket(c, s);
}

WASI_FN(sock_recv)
{
    WASI_PROLOGUE();
    return no_socket(c, s);
}

WASI_FN(sock_send)
{
    WASI_PROLOGUE();
    return no_socket(c, s);
}

WASI_FN(sock_shutdown)
{
    WASI_PROLOGUE();
    return no_socket(c, s);
}

/* ---------------------------------------------------------------- poll_oneoff */

#define MAX_SUBS 4096

typedef struct sub {
    uint64_t userdata;
    uint8_t tag;        /* 0 clock, 1 fd_read, 2 fd_write */
    uint32_t fd;
    uint64_t deadline;  /* clock: absolute, in the clock's own ns */
    clockid_t clk;
    bool done;
} sub;

static uint64_t now_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put_event(wasm_memory *mem, uint32_t out, uint32_t k, uint64_t ud, uint16_t err,
                      uint8_t type, uint64_t nbytes)
{
    unsigned char ev[32];
    memset(ev, 0, sizeof ev);
    memcpy(ev, &ud, 8);
    memcpy(ev + 8, &err, 2);
    ev[10] = type;
    memcpy(ev + 16, &nbytes, 8);
    wasm_memory_write(mem, (uint64_t)out + 32ull * k, ev, sizeof ev);
}

/* Readiness of an fd subscription now: 1 ready (nbytes), 0 not yet, or a WASI errno < 0. */
static int fd_ready(wasi_ctx *c, const sub *sb, uint64_t *nbytes)
{
    *nbytes = 0;
    wasi_fd *f = wasi_fd_get(c, sb->fd);
    if (!f)
        return -WASI_EBADF;
    if (!(f->rb & R_POLL_FD_READWRITE) && f->stdio < 0)
        return -WASI_ENOTCAPABLE;
    if (f->stdio >= 0) {
        if ((sb->tag == 1) != (f->stdio == 0))
            return -WASI_EBADF;
        int r = wasi_stdio_ready(c, f->stdio, 0, nbytes);
        return r > 0 ? 1 : 0;
    }
    if (sb->tag == 1 && f->filetype == FT_REG) {
        int h = wasi_fd_host(c, f);
        struct stat st;
        off_t pos = h >= 0 ? lseek(h, 0, SEEK_CUR) : -1;
        if (h >= 0 && fstat(h, &st) == 0 && pos >= 0 && st.st_size > pos)
            *nbytes = (uint64_t)(st.st_size - pos);
    }
    return 1;
}

WASI_FN(poll_oneoff)
{
    WASI_PROLOGUE();
    uint32_t inp = A32(0), outp = A32(1), n = A32(2), neventsp = A32(3);
    if (n == 0)
        RET(WASI_EINVAL);
    if (n > MAX_SUBS)
        RET(WASI_EINVAL);
    if (!wasi_mem_ok(mem, inp, 48ull * n) || !wasi_mem_ok(mem, outp, 32ull * n) ||
        !wasi_mem_ok(mem, neventsp, 4))
        RET(WASI_EFAULT);
    sub *subs = xcalloc(n, sizeof *subs);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char b[48];
        wasm_memory_read(mem, (uint64_t)inp + 48ull * i, b, sizeof b);
        memcpy(&subs[i].userdata, b, 8);
        subs[i].tag = b[8];
        if (subs[i].tag == 0) {
            uint32_t id;
            uint64_t timeout;
            uint16_t fl;
            memcpy(&id, b + 16, 4);
            memcpy(&timeout, b + 24, 8);
            memcpy(&fl, b + 40, 2);
            subs[i].clk = id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
            if (id > 3) {
                subs[i].tag = 0xff; /* invalid clock: reported as an EINVAL event */
                continue;
            }
            uint64_t now = now_of(subs[i].clk);
            subs[i].deadline = (fl & 1) ? timeout
                               : (timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout);
        } else if (subs[i].tag == 1 || subs[i].tag == 2) {
            memcpy(&subs[i].fd, b + 16, 4);
        } else {
            subs[i].tag = 0xfe; /* unknown kind */
        }
    }
    uint32_t nev = 0;
    wasm_trap trap = WASM_OK;
    for (;;) {
        bool blocking_fds = false;
        for (uint32_t i = 0; i < n; i++) {
            sub *sb = &subs[i];
            if (sb->tag == 0xff || sb->tag == 0xfe) {
                put_event(mem, outp, nev++, sb->userdata, WASI_EINVAL, 0, 0);
                sb->done = true;
            } else if (sb->tag == 1 || sb->tag == 2) {
                uint64_t nb;
                int r = fd_ready(c, sb, &nb);
                if (r != 0) {
                    put_event(mem, outp, nev++, sb->userdata, (uint16_t)(r < 0 ? -r : 0),
                              sb->tag, nb);
                    sb->done = true;
                } else {
                    blocking_fds = true;
                }
            }
        }
        uint64_t wait_ns = UINT64_MAX;
        for (uint32_t i = 0; i < n; i++) {
            sub *sb = &subs[i];
            if (sb->tag != 0 || sb->done)
                continue;
            uint64_t now = now_of(sb->clk);
            if (now >= sb->deadline) {
                put_event(mem, outp, nev++, sb->userdata, 0, 0, 0);
                sb->done = true;
            } else if (sb->deadline - now < wait_ns) {
                wait_ns = sb->deadline - now;
            }
        }
        if (nev)
            break;
        int left = wasi_ms_left(c);
        if (left == 0) {
            c->timed_out = true;
            wasm_instance_set_trap_message(in, "timeout in poll_oneoff");
            trap = WASM_TRAP_INTERRUPTED;
            break;
        }
        uint64_t slice = blocking_fds ? 10000000ull : 100000000ull; /* 10 ms / 100 ms */
        if (wait_ns > slice)
            wait_ns = slice;
        if (left > 0 && (uint64_t)left * 1000000ull < wait_ns)
            wait_ns = (uint64_t)left * 1000000ull;
        if (wait_ns == UINT64_MAX)
            wait_ns = slice;
        struct timespec ts = {(time_t)(wait_ns / 1000000000ull), (long)(wait_ns % 1000000000ull)};
        nanosleep(&ts, NULL);
    }
    free(subs);
    if (trap != WASM_OK)
        return trap;
    wasi_put32(mem, neventsp, nev);
    RET(0);
}
