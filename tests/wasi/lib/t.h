/* t.h — tiny self-checking harness for the WASI test programs: CHECK macros count failures,
 * t_done() prints a summary and gives the exit status; raw WASI imports by pointer+length. */
#ifndef WASI_TEST_T_H
#define WASI_TEST_T_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

extern int t_failures, t_checks;
void t_fail(const char *file, int line, const char *what, long a, long b);
int t_done(const char *name);
/* False under Node's node:wasi (run_node.mjs sets WASI_NODE): checks of edge semantics
 * where Node differs (EFAULT vs EOVERFLOW, no "."/".." in readdir, ...) run only when true. */
int t_strict(void);
#define STRICT if (t_strict())
/* The base directory for this test's files (argv[1]), with a path joined onto it. */
const char *t_path(const char *base, const char *name);
/* Find the fd of the preopen whose guest name is `name`, or -1. */
int t_preopen(const char *name);
/* That preopen's directory opened again (".", with the preopen's rights), as conformance
 * programs work from a fresh fd; -1 (and a failed check) if there is none. *pre_out gets the
 * preopen's own fd (may be NULL). */
int t_open_scratch(const char *name, int *pre_out);
/* Read a whole file into a static buffer; returns length or -1. */
long t_slurp(const char *path, char *out, size_t max);
int t_write_file(const char *path, const char *data);

#define CHECK(c) do { t_checks++; if (!(c)) t_fail(__FILE__, __LINE__, #c, 0, 0); } while (0)
#define CHECK_EQ(a, b) do { long _a = (long)(a), _b = (long)(b); t_checks++; \
    if (_a != _b) t_fail(__FILE__, __LINE__, #a " == " #b, _a, _b); } while (0)
/* A libc call that should fail with errno e. */
#define CHECK_ERR(call, e) do { errno = 0; long _r = (long)(call); t_checks++; \
    if (_r != -1 || errno != (e)) t_fail(__FILE__, __LINE__, #call " fails with " #e, _r, errno); } while (0)

/* Raw imports taking pointer + length, for tricks libc would normalise (NUL in a path). */
#define RAW(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
int32_t raw_path_open(int32_t fd, int32_t dirflags, const char *path, int32_t len,
                      int32_t oflags, int64_t rb, int64_t ri, int32_t fdflags,
                      int32_t *out) RAW(path_open);
int32_t raw_path_create_directory(int32_t fd, const char *path, int32_t len)
    RAW(path_create_directory);
int32_t raw_path_unlink_file(int32_t fd, const char *path, int32_t len) RAW(path_unlink_file);
int32_t raw_path_symlink(const char *old, int32_t oldlen, int32_t fd, const char *path,
                         int32_t len) RAW(path_symlink);
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, const char *path, int32_t len,
                              void *buf) RAW(path_filestat_get);
int32_t raw_fd_write(int32_t fd, const void *iovs, int32_t n, void *nw) RAW(fd_write);
int32_t raw_fd_read(int32_t fd, const void *iovs, int32_t n, void *nr) RAW(fd_read);
int32_t raw_fd_prestat_get(int32_t fd, void *buf) RAW(fd_prestat_get);
int32_t raw_args_get(void *argv, void *buf) RAW(args_get);
int32_t raw_random_get(void *buf, int32_t len) RAW(random_get);
int32_t raw_clock_time_get(int32_t id, int64_t prec, void *out) RAW(clock_time_get);
int32_t raw_fd_readdir(int32_t fd, void *buf, int32_t len, int64_t cookie, void *used)
    RAW(fd_readdir);
int32_t raw_proc_raise(int32_t sig) RAW(proc_raise);
int32_t raw_poll_oneoff(const void *in, void *out, int32_t n, void *nev) RAW(poll_oneoff);

#endif
