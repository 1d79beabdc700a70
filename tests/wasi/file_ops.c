/* file_ops.c — file and symlink behaviour conformance suites check: NOFOLLOW on a symlink to
 * a directory or a file (ELOOP/ENOTDIR), following it; APPEND set at open and cleared with
 * fd_fdstat_set_flags; fd_filestat_set_size and set_times (mtim exact, atim untouched);
 * fd_allocate growing a file only past its end; closing the preopen while a directory opened
 * from it lives on. argv[1]: a writable preopen's guest name. */
#include <stdlib.h>

#include "t.h"

#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)

static __wasi_errno_t wr(__wasi_fd_t fd, uint8_t v, size_t n)
{
    static uint8_t b[256];
    memset(b, v, n);
    __wasi_ciovec_t io = {b, n};
    __wasi_size_t w = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &io, 1, &w);
    return e ? e : (w == n ? 0 : __WASI_ERRNO_IO);
}

static int all(__wasi_fd_t fd, uint8_t v, size_t n)
{
    static uint8_t b[256];
    __wasi_iovec_t io = {b, n};
    __wasi_size_t r = 0;
    if (__wasi_fd_read(fd, &io, 1, &r) || r != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v) return 0;
    return 1;
}

static void nofollow(__wasi_fd_t d)
{
    __wasi_fd_t fd;
    __wasi_errno_t e;
    CHECK_EQ(__wasi_path_create_directory(d, "tdir"), 0);
    CHECK_EQ(__wasi_path_symlink("tdir", d, "sl"), 0);
    e = __wasi_path_open(d, 0, "sl", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd);
    CHECK(e == __WASI_ERRNO_LOOP || e == __WASI_ERRNO_NOTDIR);
    e = __wasi_path_open(d, 0, "sl", 0, 0, 0, 0, &fd);
    CHECK(e == __WASI_ERRNO_LOOP || e == __WASI_ERRNO_ACCES);
    CHECK_EQ(__wasi_path_open(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sl", __WASI_OFLAGS_DIRECTORY,
                              0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "sl"), 0);
    CHECK_EQ(__wasi_path_remove_directory(d, "tdir"), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "tdir", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_symlink("tdir", d, "sl"), 0);
    e = __wasi_path_open(d, 0, "sl", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd);
    CHECK(e == __WASI_ERRNO_LOOP || e == __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_open(d, 0, "sl", 0, 0, 0, 0, &fd), __WASI_ERRNO_LOOP);
    CHECK_EQ(__wasi_path_open(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sl", __WASI_OFLAGS_DIRECTORY,
                              0, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_unlink_file(d, "tdir"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "sl"), 0);
}

static void append(__wasi_fd_t d)
{
    __wasi_fd_t fd;
    __wasi_filesize_t pos;
    CHECK_EQ(__wasi_path_open(d, 0, "app", __WASI_OFLAGS_CREAT, RW, 0, __WASI_FDFLAGS_APPEND, &fd), 0);
    CHECK_EQ(wr(fd, 0, 100), 0);
    CHECK_EQ(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), 0);
    CHECK(all(fd, 0, 100));
    CHECK_EQ(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), 0);
    CHECK_EQ(wr(fd, 1, 100), 0); /* appended despite the seek */
    CHECK_EQ(__wasi_fd_seek(fd, 100, __WASI_WHENCE_SET, &pos), 0);
    CHECK(all(fd, 1, 100));
    __wasi_fdstat_t st;
    CHECK_EQ(__wasi_fd_fdstat_get(fd, &st), 0);
    CHECK_EQ(st.fs_flags & __WASI_FDFLAGS_APPEND, __WASI_FDFLAGS_APPEND);
    CHECK_EQ(__wasi_fd_fdstat_set_flags(fd, 0), 0);
    CHECK_EQ(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), 0);
    CHECK_EQ(wr(fd, 2, 100), 0); /* overwrites now */
    CHECK_EQ(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), 0);
    CHECK(all(fd, 2, 100));
    CHECK_EQ(__wasi_fd_close(fd), 0);
    __wasi_filestat_t fs;
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "app", &fs), 0);
    CHECK_EQ(fs.size, 200);
    CHECK_EQ(__wasi_path_unlink_file(d, "app"), 0);
}

static void sizes(__wasi_fd_t d)
{
    __wasi_fd_t fd;
    CHECK_EQ(__wasi_path_open(d, 0, "sz", __WASI_OFLAGS_CREAT,
                              RW | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET |
                                  __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |
                                  __WASI_RIGHTS_FD_FILESTAT_SET_TIMES, 0, 0, &fd), 0);
    __wasi_filestat_t st;
    CHECK_EQ(__wasi_fd_filestat_set_size(fd, 100), 0);
    CHECK_EQ(__wasi_fd_filestat_get(fd, &st), 0);
    CHECK_EQ(st.size, 100);
    __wasi_timestamp_t atim = st.atim, m = st.mtim - 100;
    CHECK_EQ(__wasi_fd_filestat_set_times(fd, m, m, __WASI_FSTFLAGS_MTIM), 0);
    CHECK_EQ(__wasi_fd_filestat_get(fd, &st), 0);
    CHECK_EQ(st.size, 100);
    CHECK_EQ(st.mtim, m);
    CHECK_EQ(st.atim, atim);
    CHECK_EQ(__wasi_fd_allocate(fd, 10, 10), 0);
    CHECK_EQ(__wasi_fd_filestat_get(fd, &st), 0);
    CHECK_EQ(st.size, 100);
    CHECK_EQ(__wasi_fd_allocate(fd, 90, 20), 0);
    CHECK_EQ(__wasi_fd_filestat_get(fd, &st), 0);
    CHECK_EQ(st.size, 110);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "sz"), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int pre;
    int dfd = t_open_scratch(argv[1], &pre);
    if (dfd < 0) return t_done("file_ops");
    __wasi_fd_t d = (__wasi_fd_t)dfd;
    nofollow(d);
    append(d);
    sizes(d);
    /* closing the preopen: the directory opened from it lives on */
    CHECK_EQ(__wasi_fd_close((__wasi_fd_t)pre), 0);
    __wasi_fdstat_t ds;
    CHECK_EQ(__wasi_fd_fdstat_get(d, &ds), 0);
    CHECK_EQ(ds.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(__wasi_fd_fdstat_get((__wasi_fd_t)pre, &ds), __WASI_ERRNO_BADF);
    return t_done("file_ops");
}
