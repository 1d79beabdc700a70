/* wasi_stdio.c — the guest's standard streams: stdin from a caller buffer or a host fd,
 * stdout/stderr captured or passed through, both bounded by the output limit. */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "wasi/wasi_int.h"

int wasi_stdio_write(wasi_ctx *c, int stream, const void *p, size_t n, size_t *done)
{
    *done = 0;
    if (stream < 1 || stream > 2)
        return WASI_EBADF;
    if (n == 0)
        return 0;
    size_t allow = n;
    if (c->out_limit) {
        uint64_t left = c->out_limit > c->out_used ? c->out_limit - c->out_used : 0;
        if (left < allow) {
            allow = (size_t)left;
            c->out_cut = true;
        }
        if (allow == 0)
            return WASI_EFBIG;
    }
    int idx = stream - 1;
    switch (c->mode[stream]) {
    case WASI_STDIO_BUFFER:
        if (!buf_append(&c->out[idx], p, allow))
            return WASI_ENOMEM;
        break;
    case WASI_STDIO_FD: {
        size_t off = 0;
        while (off < allow) {
            ssize_t w = write(c->iofd[stream], (const char *)p + off, allow - off);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                if (off)
                    break;
                return wasi_errno_from_host(errno);
            }
            off += (size_t)w;
        }
        allow = off;
        break;
    }
    default:
        break;
    }
    c->out_used += allow;
    c->out_bytes[idx] += allow;
    *done = allow;
    return 0;
}

int wasi_stdio_ready(wasi_ctx *c, int stream, int wait_ms, uint64_t *nbytes)
{
    *nbytes = 0;
    if (c->mode[stream] != WASI_STDIO_FD) {
        if (stream == 0)
            *nbytes = c->in_len - c->in_pos;
        return 1;
    }
    struct pollfd pf = {.fd = c->iofd[stream], .events = stream == 0 ? POLLIN : POLLOUT};
    int r = poll(&pf, 1, wait_ms);
    if (r <= 0)
        return r < 0 && errno != EINTR ? -2 : -1;
    *nbytes = 1;
    return 1;
}

int wasi_stdio_read(wasi_ctx *c, void *p, size_t n, size_t *done, bool *timed_out)
{
    *done = 0;
    *timed_out = false;
    if (c->mode[0] == WASI_STDIO_NULL || n == 0)
        return 0;
    if (c->mode[0] == WASI_STDIO_BUFFER) {
        size_t left = c->in_len - c->in_pos;
        size_t k = n < left ? n : left;
        if (k)
            memcpy(p, c->in_data + c->in_pos, k);
        c->in_pos += k;
        *done = k;
        return 0;
    }
    /* Pass-through: wait for input in slices so the run deadline is honoured. */
    for (;;) {
        int left = wasi_ms_left(c);
        if (left == 0) {
            *timed_out = true;
            return WASI_EINTR;
        }
        uint64_t nb;
        int r = wasi_stdio_ready(c, 0, left < 0 || left > 100 ? 100 : left, &nb);
        if (r == -2)
            return wasi_errno_from_host(errno);
        if (r < 0)
            continue;
        ssize_t k = read(c->iofd[0], p, n);
        if (k < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return wasi_errno_from_host(errno);
        }
        *done = (size_t)k;
        return 0;
    }
}
