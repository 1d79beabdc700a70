/* conform_misc.c — more behaviour the WASI conformance programs check: set_times on a symlink
 * itself versus through it, read-only and write-only opens (the other direction is EBADF, and
 * the rights say so), pread/pwrite with several iovecs, a zero-length pwrite past the end (no
 * change), pwrite past the end (the file grows, the cursor stays), pwrite on an APPEND fd (it
 * appends, as on Linux). argv[1]: a writable preopen's guest name. */
#include <stdlib.h>

#include "t.h"

#define R(x) __WASI_RIGHTS_##x

static void symlink_times(__wasi_fd_t d)
{
    __wasi_fd_t f;
    CHECK_EQ(__wasi_path_open(d, 0, "file", __WASI_OFLAGS_CREAT, R(FD_READ) | R(FD_WRITE), 0, 0, &f), 0);
    __wasi_filestat_t fst, sst, st;
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "file", &fst), 0);
    CHECK_EQ(__wasi_path_symlink("file", d, "symlink"), 0);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "symlink", &sst), 0);
    __wasi_timestamp_t m = sst.mtim - 2000000000ull;
    CHECK_EQ(__wasi_path_filestat_set_times(d, 0, "symlink", 0, m, __WASI_FSTFLAGS_MTIM), 0);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "symlink", &st), 0);
    CHECK_EQ(st.mtim, m);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "file", &st), 0);
    CHECK_EQ(st.mtim, fst.mtim);
    CHECK_EQ(__wasi_path_filestat_get(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "symlink", &st), 0);
    CHECK_EQ(st.mtim, fst.mtim);
    CHECK_EQ(__wasi_path_filestat_set_times(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "symlink", 0, m,
                                            __WASI_FSTFLAGS_MTIM), 0);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "file", &st), 0);
    CHECK_EQ(st.mtim, m);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "symlink"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "file"), 0);
}

static void directions(__wasi_fd_t d)
{
    __wasi_fd_t f;
    __wasi_fdstat_t st;
    uint8_t buf[100], one[50];
    memset(one, 1, sizeof one);
    __wasi_iovec_t io = {buf, sizeof buf};
    __wasi_ciovec_t co = {one, sizeof one};
    __wasi_size_t n;
    CHECK_EQ(__wasi_path_open(d, 0, "rw", __WASI_OFLAGS_CREAT, 0, 0, 0, &f), 0);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "rw", 0, R(FD_READ), 0, 0, &f), 0);
    CHECK_EQ(__wasi_fd_fdstat_get(f, &st), 0);
    CHECK_EQ(st.fs_rights_base & (R(FD_READ) | R(FD_WRITE)), R(FD_READ));
    CHECK_EQ(__wasi_fd_read(f, &io, 1, &n), 0);
    CHECK_EQ(n, 0);
    __wasi_errno_t e = __wasi_fd_write(f, &co, 1, &n);
    CHECK(e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_PERM);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "rw", 0, R(FD_WRITE), 0, 0, &f), 0);
    CHECK_EQ(__wasi_fd_fdstat_get(f, &st), 0);
    CHECK_EQ(st.fs_rights_base & (R(FD_READ) | R(FD_WRITE) | R(FD_READDIR)), R(FD_WRITE));
    e = __wasi_fd_read(f, &io, 1, &n);
    CHECK(e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_PERM);
    CHECK_EQ(__wasi_fd_write(f, &co, 1, &n), 0);
    CHECK_EQ(n, 50);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "rw"), 0);
}

static void positional(__wasi_fd_t d)
{
    __wasi_fd_t f;
    __wasi_size_t n;
    __wasi_filesize_t pos;
    __wasi_filestat_t st;
    const uint8_t c[4] = {0, 1, 2, 3};
    CHECK_EQ(__wasi_path_open(d, 0, "p", __WASI_OFLAGS_CREAT, R(FD_READ) | R(FD_WRITE), 0, 0, &f), 0);
    __wasi_ciovec_t two[2] = {{c, 2}, {c + 2, 2}};
    CHECK_EQ(__wasi_fd_pwrite(f, two, 2, 0, &n), 0);
    CHECK_EQ(n, 4);
    uint8_t b[4] = {9, 9, 9, 9};
    __wasi_iovec_t rd[2] = {{b, 2}, {b + 2, 2}};
    CHECK_EQ(__wasi_fd_pread(f, rd, 2, 0, &n), 0);
    CHECK_EQ(n, 4);
    CHECK(!memcmp(b, c, 4));
    uint8_t b2[4] = {0};
    __wasi_iovec_t r2 = {b2, 4};
    CHECK_EQ(__wasi_fd_pread(f, &r2, 1, 2, &n), 0);
    CHECK_EQ(n, 2);
    CHECK(b2[0] == 2 && b2[1] == 3 && b2[2] == 0);
    CHECK_EQ(__wasi_fd_tell(f, &pos), 0);
    CHECK_EQ(pos, 0);
    __wasi_ciovec_t none = {c, 0};
    CHECK_EQ(__wasi_fd_pwrite(f, &none, 1, 50, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(__wasi_fd_filestat_get(f, &st), 0);
    CHECK_EQ(st.size, 4);
    __wasi_ciovec_t o = {c, 1};
    CHECK_EQ(__wasi_fd_pwrite(f, &o, 1, 50, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(__wasi_fd_filestat_get(f, &st), 0);
    CHECK_EQ(st.size, 51);
    CHECK_EQ(__wasi_fd_tell(f, &pos), 0);
    CHECK_EQ(pos, 0);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "p"), 0);

    CHECK_EQ(__wasi_path_open(d, 0, "pa", __WASI_OFLAGS_CREAT, R(FD_READ) | R(FD_WRITE), 0,
                              __WASI_FDFLAGS_APPEND, &f), 0);
    CHECK_EQ(__wasi_fd_pwrite(f, &o, 1, 50, &n), 0);
    CHECK_EQ(__wasi_fd_filestat_get(f, &st), 0);
    CHECK_EQ(st.size, 1);
    CHECK_EQ(__wasi_fd_pwrite(f, &o, 1, 0, &n), 0);
    CHECK_EQ(__wasi_fd_filestat_get(f, &st), 0);
    CHECK_EQ(st.size, 2);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "pa"), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int dfd = t_open_scratch(argv[1], NULL);
    if (dfd < 0) return t_done("conform_misc");
    symlink_times((__wasi_fd_t)dfd);
    directions((__wasi_fd_t)dfd);
    positional((__wasi_fd_t)dfd);
    return t_done("conform_misc");
}
