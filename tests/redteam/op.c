/* op.c — red-team WASI probe: one raw path operation per run, chosen on the command line,
 * so a suite can try many escapes without a guest per attack.
 *   op.wasm FD OP PATH [ARG]
 * OP: read (no symlink follow), readf (follow), write (create+trunc, follow), symlink PATH->ARG,
 * link PATH ARG, rename PATH ARG, mkdir, unlink, rmdir, readlink, stat, ls.
 * Prints what it got and "errno=N" (WASI errno); exit 0 on success, 1 on a WASI error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_errno_t dump(__wasi_fd_t f)
{
    char b[4096];
    __wasi_iovec_t iov = {(uint8_t *)b, sizeof b - 1};
    size_t n = 0;
    __wasi_errno_t e = __wasi_fd_read(f, &iov, 1, &n);
    b[n] = 0;
    if (!e) printf("READ(%zu): %s\n", n, b);
    return e;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        printf("usage: op FD OP PATH [ARG]\n");
        return 2;
    }
    __wasi_fd_t fd = (__wasi_fd_t)atoi(argv[1]);
    const char *op = argv[2], *p = argv[3], *arg = argc > 4 ? argv[4] : "";
    __wasi_errno_t e = 0;
    __wasi_fd_t f;
    if (!strcmp(op, "read") || !strcmp(op, "readf")) {
        e = __wasi_path_open(fd, !strcmp(op, "readf") ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, p, 0,
                             __WASI_RIGHTS_FD_READ, 0, 0, &f);
        if (!e) e = dump(f);
    } else if (!strcmp(op, "write")) {
        e = __wasi_path_open(fd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p,
                             __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0, 0,
                             &f);
        if (!e) {
            const char *d = *arg ? arg : "pwned\n";
            __wasi_ciovec_t iov = {(const uint8_t *)d, strlen(d)};
            size_t n;
            e = __wasi_fd_write(f, &iov, 1, &n);
        }
    } else if (!strcmp(op, "symlink")) {
        e = __wasi_path_symlink(arg, fd, p);
    } else if (!strcmp(op, "link")) {
        e = __wasi_path_link(fd, 0, p, fd, arg);
    } else if (!strcmp(op, "rename")) {
        e = __wasi_path_rename(fd, p, fd, arg);
    } else if (!strcmp(op, "mkdir")) {
        e = __wasi_path_create_directory(fd, p);
    } else if (!strcmp(op, "unlink")) {
        e = __wasi_path_unlink_file(fd, p);
    } else if (!strcmp(op, "rmdir")) {
        e = __wasi_path_remove_directory(fd, p);
    } else if (!strcmp(op, "readlink")) {
        char b[512];
        size_t n = 0;
        e = __wasi_path_readlink(fd, p, (uint8_t *)b, sizeof b - 1, &n);
        if (!e) {
            b[n] = 0;
            printf("LINK: %s\n", b);
        }
    } else if (!strcmp(op, "stat")) {
        __wasi_filestat_t st;
        e = __wasi_path_filestat_get(fd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, &st);
        if (!e) printf("STAT type %d size %llu\n", st.filetype, (unsigned long long)st.size);
    } else if (!strcmp(op, "ls")) {
        e = __wasi_path_open(fd, 0, p, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &f);
        if (!e) {
            static char b[16384];
            size_t n = 0, o = 0;
            e = __wasi_fd_readdir(f, (uint8_t *)b, sizeof b, 0, &n);
            while (!e && o + sizeof(__wasi_dirent_t) <= n) {
                __wasi_dirent_t d;
                memcpy(&d, b + o, sizeof d);
                o += sizeof d;
                if (o + d.d_namlen > n) break;
                printf("ENT %.*s\n", (int)d.d_namlen, b + o);
                o += d.d_namlen;
            }
        }
    } else {
        printf("bad op %s\n", op);
        return 2;
    }
    printf("errno=%d\n", e);
    return e ? 1 : 0;
}
