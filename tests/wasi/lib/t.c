/* t.c — the test harness behind t.h. */
#include "t.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int t_failures, t_checks;

void t_fail(const char *file, int line, const char *what, long a, long b)
{
    t_failures++;
    fprintf(stderr, "FAIL %s:%d: %s (got %ld, %ld; errno %d %s)\n", file, line, what, a, b,
            errno, strerror(errno));
}

int t_done(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, t_checks, t_failures);
    return t_failures ? 1 : 0;
}

int t_strict(void)
{
    return getenv("WASI_NODE") == NULL;
}

const char *t_path(const char *base, const char *name)
{
    static char bufs[4][1024];
    static int k;
    char *b = bufs[k++ & 3];
    snprintf(b, 1024, "%s/%s", base, name);
    return b;
}

int t_open_scratch(const char *name, int *pre_out)
{
    int pre = t_preopen(name);
    if (pre_out) *pre_out = pre;
    CHECK(pre >= 0);
    if (pre < 0) return -1;
    __wasi_fdstat_t st;
    CHECK_EQ(__wasi_fd_fdstat_get(pre, &st), 0);
    __wasi_fd_t d = (__wasi_fd_t)-1;
    CHECK_EQ(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base,
                              st.fs_rights_inheriting, 0, &d), 0);
    return (int)d;
}

int t_preopen(const char *name)
{
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0)
            continue;
        char buf[512];
        if (ps.u.dir.pr_name_len >= sizeof buf)
            continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, ps.u.dir.pr_name_len) != 0)
            continue;
        buf[ps.u.dir.pr_name_len] = 0;
        if (!strcmp(buf, name))
            return fd;
    }
    return -1;
}

long t_slurp(const char *path, char *out, size_t max)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = read(fd, out, max - 1);
    close(fd);
    if (n >= 0)
        out[n] = 0;
    return n;
}

int t_write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, data, strlen(data));
    close(fd);
    return n == (ssize_t)strlen(data) ? 0 : -1;
}
