/* esc.h — helpers for the escape programs: each program tries one way out of its grants and
 * records every attempt; an attempt that succeeds is an escape. argv: WS RO OUTSIDE, where WS
 * is the writable workspace grant, RO a read-only grant and OUTSIDE a directory granted to
 * nobody (holding secret.txt = "SECRET-OUTSIDE"). Exit status 0 = everything was denied. */
#ifndef ESC_H
#define ESC_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

extern const char *WS, *RO, *OUT;
extern int esc_escapes, esc_denials;

void esc_init(int argc, char **argv);
int esc_done(const char *name);
/* "WS/rel" etc. in one of 8 rotating buffers. */
const char *ws(const char *rel);
const char *ro(const char *rel);
const char *out(const char *rel);
/* A libc call that must fail (returns < 0 / NULL-as--1). */
void denied(long rc, const char *what);
/* A raw WASI call that must fail (errno != 0). */
void wdenied(int err, const char *what);
/* Opening `path` for reading must not yield the outside secret (or any content at all). */
void no_read(const char *path);
/* The preopen fd whose guest name is `name`, or -1. */
int preopen(const char *name);
/* A raw path_open of a guest string of `len` bytes (may contain NUL); returns errno, *fd. */
int raw_open(int dirfd, const char *path, size_t len, int oflags, uint64_t rights, int *fd);
/* The WS-relative part of an absolute guest path under WS. */

#define RAW(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
int32_t raw_path_open(int32_t fd, int32_t dirflags, const char *path, int32_t len,
                      int32_t oflags, int64_t rb, int64_t ri, int32_t fdflags,
                      int32_t *out) RAW(path_open);
int32_t raw_path_symlink(const char *old, int32_t oldlen, int32_t fd, const char *path,
                         int32_t len) RAW(path_symlink);
int32_t raw_path_link(int32_t ofd, int32_t oflags, const char *op, int32_t ol, int32_t nfd,
                      const char *np, int32_t nl) RAW(path_link);
int32_t raw_path_rename(int32_t fd, const char *op, int32_t ol, int32_t nfd, const char *np,
                        int32_t nl) RAW(path_rename);
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, const char *path, int32_t len,
                              void *buf) RAW(path_filestat_get);
int32_t raw_path_create_directory(int32_t fd, const char *path, int32_t len)
    RAW(path_create_directory);
int32_t raw_path_unlink_file(int32_t fd, const char *path, int32_t len) RAW(path_unlink_file);
int32_t raw_fd_read(int32_t fd, const void *iovs, int32_t n, void *nr) RAW(fd_read);
int32_t raw_fd_write(int32_t fd, const void *iovs, int32_t n, void *nw) RAW(fd_write);

#define R_ALL ((1ull << 30) - 1)
#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET)

#endif
