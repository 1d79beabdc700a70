/* util.h — small shared helpers: allocation that cannot silently fail, file reading, number
 * and size/duration parsing, SHA-256, monotonic time. */
#ifndef BOXAGENT_UTIL_H
#define BOXAGENT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation: on failure these print a message and exit(1) — out of memory is not input. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file (at most max bytes; 0 = 1 GiB). Returns malloc'd data (NUL-terminated)
 * and its length, or NULL with errno set (EFBIG if larger than max). */
char *util_read_file(const char *path, size_t max, size_t *len);

/* A read-only view of a whole file: a private mapping of a regular file (no copy, no fresh
 * memory to clear: what makes `run-wasm` start as fast as a native program), else the bytes
 * read as by util_read_file (pipes, /proc). NULL with errno (EFBIG past `max`, 0 = 1 GiB) on
 * failure. A mapped file truncated by someone else while it is read raises SIGBUS: callers
 * that map files they do not control catch it (see cmd_run_wasm.c). */
typedef struct util_file_view {
    const unsigned char *data;
    size_t len;
    bool mapped;
} util_file_view;
bool util_file_view_open(util_file_view *v, const char *path, size_t max);
void util_file_view_close(util_file_view *v);
/* Write atomically: temp file in the same directory, fsync, rename. 0 or -errno. */
int util_write_file_atomic(const char *path, const void *data, size_t len, int mode);

/* Strict unsigned parsing: whole string, no sign, no overflow. */
bool util_parse_u64(const char *s, uint64_t *out);
/* "4096", "64K", "256M", "2G" (binary units, optional trailing "B"/"iB"). */
bool util_parse_size(const char *s, uint64_t *out);
/* "500", "500ms", "30s", "5m", "1h" -> milliseconds (bare number = ms). */
bool util_parse_duration_ms(const char *s, uint64_t *out);

/* SHA-256 (FIPS 180-4, src/util/sha256.c): the digest, or 64 lower-case hex chars + NUL. */
void util_sha256(const void *data, size_t len, unsigned char out[32]);
void util_sha256_hex(const void *data, size_t len, char out[65]);

/* Monotonic clock in nanoseconds; wall clock in milliseconds since the epoch. */
uint64_t util_now_ns(void);
uint64_t util_wall_ms(void);

#endif
