/* hang.c — red-team WASI guest that tries to outlast or outgrow its limits:
 *   hang.wasm sleep|stdin|yield|zerowrite|random|pollread|out|err|env|prestats
 * Every mode but env/prestats runs until the host stops it (timeout, output cut). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "sleep";
    if (!strcmp(m, "sleep") || !strcmp(m, "pollread")) {
        __wasi_subscription_t s;
        memset(&s, 0, sizeof s);
        if (!strcmp(m, "sleep")) {
            s.u.tag = __WASI_EVENTTYPE_CLOCK;
            s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
            s.u.u.clock.timeout = 3600ull * 1000000000ull;
        } else {
            s.u.tag = __WASI_EVENTTYPE_FD_READ;
            s.u.u.fd_read.file_descriptor = 0;
        }
        __wasi_event_t ev;
        size_t n;
        printf("poll errno=%d\n", __wasi_poll_oneoff(&s, &ev, 1, &n));
    } else if (!strcmp(m, "stdin")) {
        char b[16];
        printf("read %zd\n", read(0, b, sizeof b));
    } else if (!strcmp(m, "yield")) {
        for (;;)
            if (__wasi_sched_yield()) break;
    } else if (!strcmp(m, "zerowrite")) {
        for (;;) {
            __wasi_ciovec_t iov = {(const uint8_t *)"", 0};
            size_t n;
            if (__wasi_fd_write(1, &iov, 1, &n)) break;
        }
    } else if (!strcmp(m, "random")) {
        static char b[1 << 16];
        for (;;)
            if (__wasi_random_get((uint8_t *)b, sizeof b)) break;
    } else if (!strcmp(m, "out") || !strcmp(m, "err")) {
        static char b[65536];
        memset(b, 'A', sizeof b);
        for (int i = 0; i < 100000; i++) fwrite(b, 1, sizeof b, !strcmp(m, "out") ? stdout : stderr);
    } else if (!strcmp(m, "env")) {
        for (char **e = environ; e && *e; e++) printf("ENV %s\n", *e);
    } else if (!strcmp(m, "prestats")) {
        for (__wasi_fd_t fd = 0; fd < 64; fd++) {
            __wasi_prestat_t ps;
            if (__wasi_fd_prestat_get(fd, &ps) == 0) {
                char name[512] = {0};
                size_t l = ps.u.dir.pr_name_len < 511 ? ps.u.dir.pr_name_len : 511;
                if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, l) == 0)
                    printf("PRESTAT %u %s\n", (unsigned)fd, name);
            }
        }
    }
    printf("END %s\n", m);
    return 0;
}
