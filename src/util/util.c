/* util.c — allocation, files, number/size/duration parsing and clocks (SHA-256: sha256.c). */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    fputs("boxagent: out of memory\n", stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) oom();
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p) oom();
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&p, fmt, ap);
    va_end(ap);
    if (n < 0) oom();
    return p;
}

/* Open `path` for reading; *size is the length of a non-empty regular file, 0 for anything
 * else (pipes, /proc files). -1 with errno on failure (EFBIG if the file is larger than max). */
static int open_sized(const char *path, size_t max, size_t *size)
{
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uint64_t)st.st_size > max) { close(fd); errno = EFBIG; return -1; }
        *size = (size_t)st.st_size;
    }
    return fd;
}

/* Read `fd` to its end and close it. A known size sizes the buffer (one read, no copies while
 * growing); the loop still copes with files that change size and with size 0 (unknown). */
static char *read_fd(int fd, size_t size, size_t max, size_t *len)
{
    size_t cap = size ? size + 1 : 4096, n = 0; /* +1: one read sees the end of the file */
    char *data = malloc(cap + 1);
    if (!data) { close(fd); errno = ENOMEM; return NULL; }
    for (;;) {
        if (n == cap) {
            if (cap > max) break;
            cap *= 2;
            char *p = realloc(data, cap + 1);
            if (!p) { free(data); close(fd); errno = ENOMEM; return NULL; }
            data = p;
        }
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            free(data); close(fd); errno = e;
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n > max) break;
    }
    close(fd);
    if (n > max) { free(data); errno = EFBIG; return NULL; }
    data[n] = '\0';
    if (len) *len = n;
    return data;
}

char *util_read_file(const char *path, size_t max, size_t *len)
{
    if (!max) max = (size_t)1 << 30;
    size_t size;
    int fd = open_sized(path, max, &size);
    return fd < 0 ? NULL : read_fd(fd, size, max, len);
}

bool util_file_view_open(util_file_view *v, const char *path, size_t max)
{
    memset(v, 0, sizeof *v);
    if (!max) max = (size_t)1 << 30;
    size_t size;
    int fd = open_sized(path, max, &size);
    if (fd < 0) return false;
    if (size) {
        void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p != MAP_FAILED) {
            close(fd);
            v->data = p;
            v->len = size;
            v->mapped = true;
            return true;
        }
    }
    size_t len = 0;
    char *data = read_fd(fd, size, max, &len); /* not mappable: read from the same fd */
    if (!data) return false;
    v->data = (const unsigned char *)data;
    v->len = len;
    return true;
}

void util_file_view_close(util_file_view *v)
{
    if (v->mapped)
        munmap((void *)v->data, v->len);
    else
        free((void *)v->data);
    memset(v, 0, sizeof *v);
}

int util_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) { int e = errno; free(tmp); return -e; }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno; close(fd); unlink(tmp); free(tmp); return -e;
        }
        p += w; left -= (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0) { int e = errno; unlink(tmp); free(tmp); return -e; }
    if (rename(tmp, path) < 0) { int e = errno; unlink(tmp); free(tmp); return -e; }
    free(tmp);
    return 0;
}

bool util_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s) return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Split "123abc" into the number and its suffix. */
static bool split_num(const char *s, uint64_t *num, const char **suffix)
{
    if (!s || *s < '0' || *s > '9') return false;
    uint64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *num = v;
    *suffix = p;
    return true;
}

static bool scale(uint64_t v, uint64_t mul, uint64_t *out)
{
    if (mul && v > UINT64_MAX / mul) return false;
    *out = v * mul;
    return true;
}

bool util_parse_size(const char *s, uint64_t *out)
{
    uint64_t v;
    const char *sfx;
    if (!split_num(s, &v, &sfx)) return false;
    uint64_t mul = 1;
    if (*sfx) {
        switch (*sfx) {
        case 'k': case 'K': mul = 1024ULL; break;
        case 'm': case 'M': mul = 1024ULL * 1024; break;
        case 'g': case 'G': mul = 1024ULL * 1024 * 1024; break;
        case 'b': case 'B': mul = 1; break;
        default: return false;
        }
        sfx++;
        if (mul != 1) {
            if (*sfx == 'i') sfx++;
            if (*sfx == 'B' || *sfx == 'b') sfx++;
        }
        if (*sfx) return false;
    }
    return scale(v, mul, out);
}

bool util_parse_duration_ms(const char *s, uint64_t *out)
{
    uint64_t v;
    const char *sfx;
    if (!split_num(s, &v, &sfx)) return false;
    uint64_t mul;
    if (!*sfx || !strcmp(sfx, "ms")) mul = 1;
    else if (!strcmp(sfx, "s")) mul = 1000;
    else if (!strcmp(sfx, "m") || !strcmp(sfx, "min")) mul = 60000;
    else if (!strcmp(sfx, "h")) mul = 3600000;
    else return false;
    return scale(v, mul, out);
}

uint64_t util_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t util_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}
