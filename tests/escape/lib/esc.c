/* esc.c — the escape-program helpers behind esc.h. */
#include "esc.h"

#include <stdlib.h>

const char *WS = "", *RO = "", *OUT = "";
int esc_escapes, esc_denials;

void esc_init(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s WS RO OUTSIDE\n", argv[0]);
        exit(2);
    }
    WS = argv[1];
    RO = argv[2];
    OUT = argv[3];
}

int esc_done(const char *name)
{
    printf("%s: %d denied, %d escapes\n", name, esc_denials, esc_escapes);
    return esc_escapes ? 1 : 0;
}

static const char *join(const char *a, const char *b)
{
    static char bufs[8][8192];
    static int k;
    char *s = bufs[k++ & 7];
    snprintf(s, sizeof bufs[0], "%s/%s", a, b);
    return s;
}

const char *ws(const char *rel) { return join(WS, rel); }
const char *ro(const char *rel) { return join(RO, rel); }
const char *out(const char *rel) { return join(OUT, rel); }

void denied(long rc, const char *what)
{
    if (rc < 0) {
        esc_denials++;
        printf("  denied: %s (errno %d)\n", what, errno);
    } else {
        esc_escapes++;
        printf("  ESCAPE: %s succeeded (%ld)\n", what, rc);
    }
}

void wdenied(int err, const char *what)
{
    if (err != 0) {
        esc_denials++;
        printf("  denied: %s (wasi errno %d)\n", what, err);
    } else {
        esc_escapes++;
        printf("  ESCAPE: %s succeeded\n", what);
    }
}

void no_read(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        denied(-1, path);
        return;
    }
    char buf[256] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0 && strstr(buf, "SECRET")) {
        esc_escapes++;
        printf("  ESCAPE: read the secret through %s\n", path);
    } else {
        /* Opened something harmless inside the grant (e.g. a name that maps inside). */
        esc_denials++;
        printf("  denied: %s opened, but no secret in it\n", path);
    }
}

int preopen(const char *name)
{
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        char buf[4096];
        if (__wasi_fd_prestat_get(fd, &ps) != 0 || ps.u.dir.pr_name_len >= sizeof buf)
            continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, ps.u.dir.pr_name_len) != 0)
            continue;
        buf[ps.u.dir.pr_name_len] = 0;
        if (!strcmp(buf, name))
            return fd;
    }
    return -1;
}

int raw_open(int dirfd, const char *path, size_t len, int oflags, uint64_t rights, int *fd)
{
    int32_t o = -1;
    int e = raw_path_open(dirfd, 0, path, (int32_t)len, oflags, (int64_t)rights,
                          (int64_t)rights, 0, &o);
    *fd = o;
    return e;
}
