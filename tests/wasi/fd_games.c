/* fd_games.c — descriptor and path behaviour conformance suites check: messy but legal paths
 * ("dir/.//nested/../../dir/nested/../nested///./file"), trailing slashes on directories, a
 * trailing NUL, escapes by ".." and absolute paths (refused: ENOTCAPABLE here, EPERM in
 * wasmtime; both accepted), renumbering a directory over the preopen's own fd, renumbering
 * files (the source closed, the target keeping the source's fdstat), readlink into a short
 * buffer (truncated, untouched beyond), set_times with both a time and NOW (EINVAL), and
 * removing then re-creating names whose fds are still open. argv[1]: a writable preopen.
 * Not run under Node's node:wasi: it did not finish this program within a minute. */
#include <stdlib.h>

#include "t.h"

#define ALLR ((__wasi_rights_t)0x1fffffff)

static int escape_refused(__wasi_errno_t e)
{
    return e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_PERM;
}

static void paths(__wasi_fd_t d, const char *arg)
{
    __wasi_fd_t fd;
    CHECK_EQ(__wasi_path_create_directory(d, "dir"), 0);
    CHECK_EQ(__wasi_path_create_directory(d, "dir/nested"), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "dir/nested/file", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK(escape_refused(__wasi_path_open(d, 0, "/dir/nested/file", 0, 0, 0, 0, &fd)));
    CHECK_EQ(__wasi_path_open(d, 0, "dir/.//nested/../../dir/nested/../nested///./file", 0, 0, 0, 0,
                              &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    static const char nul[] = "dir/nested/file\0";
    __wasi_errno_t e = raw_path_open((int32_t)d, 0, nul, (int32_t)sizeof nul - 1, 0, 0, 0, 0,
                                     (int32_t *)&fd);
    CHECK(e == __WASI_ERRNO_INVAL || e == __WASI_ERRNO_ILSEQ);
    e = __wasi_path_open(d, 0, "dir/nested/file/", 0, 0, 0, 0, &fd);
    CHECK(e == __WASI_ERRNO_NOTDIR || e == __WASI_ERRNO_NOENT);
    e = __wasi_path_open(d, 0, "dir/nested/file///", 0, 0, 0, 0, &fd);
    CHECK(e == __WASI_ERRNO_NOTDIR || e == __WASI_ERRNO_NOENT);
    CHECK_EQ(__wasi_path_open(d, 0, "dir/nested/", 0, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "dir/nested///", 0, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    char bad[512];
    snprintf(bad, sizeof bad, "dir/nested/../../../%s/dir/nested/file", arg);
    CHECK(escape_refused(__wasi_path_open(d, 0, bad, 0, 0, 0, 0, &fd)));
    CHECK_EQ(__wasi_path_unlink_file(d, "dir/nested/file"), 0);
    CHECK_EQ(__wasi_path_remove_directory(d, "dir/nested"), 0);
    CHECK_EQ(__wasi_path_remove_directory(d, "dir"), 0);
}

static void renumbering(int pre, __wasi_fd_t d)
{
    __wasi_fd_t a, b;
    CHECK_EQ(__wasi_path_open(d, 0, "file1", __WASI_OFLAGS_CREAT,
                              __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &a), 0);
    __wasi_fdstat_t sa, sb;
    CHECK_EQ(__wasi_fd_fdstat_get(a, &sa), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "file2", __WASI_OFLAGS_CREAT,
                              __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &b), 0);
    CHECK_EQ(__wasi_fd_renumber(a, b), 0);
    CHECK_EQ(__wasi_fd_close(a), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_fd_fdstat_get(b, &sb), 0);
    CHECK_EQ(sa.fs_filetype, sb.fs_filetype);
    CHECK_EQ(sa.fs_flags, sb.fs_flags);
    CHECK_EQ(sa.fs_rights_base, sb.fs_rights_base);
    CHECK_EQ(sa.fs_rights_inheriting, sb.fs_rights_inheriting);
    CHECK_EQ(__wasi_fd_close(b), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "file1"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "file2"), 0);

    /* a directory renumbered over the preopen's own fd: that fd is now the directory */
    CHECK_EQ(__wasi_path_create_directory(d, "over"), 0);
    __wasi_fd_t o;
    CHECK_EQ(__wasi_path_open(d, 0, "over", __WASI_OFLAGS_DIRECTORY, ALLR & ~__WASI_RIGHTS_FD_WRITE,
                              ALLR, 0, &o), 0);
    __wasi_filestat_t before, after;
    CHECK_EQ(__wasi_fd_filestat_get(o, &before), 0);
    CHECK_EQ(__wasi_fd_renumber(o, (__wasi_fd_t)pre), 0);
    CHECK_EQ(__wasi_fd_filestat_get((__wasi_fd_t)pre, &after), 0);
    CHECK_EQ(before.dev, after.dev);
    CHECK_EQ(before.ino, after.ino);
    __wasi_fdstat_t gone;
    CHECK_EQ(__wasi_fd_fdstat_get(o, &gone), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_path_remove_directory(d, "over"), 0);
}

static void readlink_short(__wasi_fd_t d)
{
    __wasi_fd_t fd;
    CHECK_EQ(__wasi_path_open(d, 0, "target", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_symlink("target", d, "symlink"), 0);
    uint8_t buf[10] = {0};
    __wasi_size_t used = 0;
    CHECK_EQ(__wasi_path_readlink(d, "symlink", buf, sizeof buf, &used), 0);
    CHECK_EQ(used, 6);
    CHECK(!memcmp(buf, "target\0\0\0\0", 10));
    uint8_t small[4] = {0};
    CHECK_EQ(__wasi_path_readlink(d, "symlink", small, sizeof small, &used), 0);
    CHECK_EQ(used, 4);
    CHECK(!memcmp(small, "targ", 4));
    CHECK_EQ(__wasi_path_unlink_file(d, "target"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "symlink"), 0);
}

static void times_flags(__wasi_fd_t d)
{
    __wasi_fd_t fd;
    CHECK_EQ(__wasi_path_open(d, 0, "times", __WASI_OFLAGS_CREAT,
                              __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES, 0, 0, &fd),
             0);
    CHECK_EQ(__wasi_fd_filestat_set_times(fd, 100, 200, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
             __WASI_ERRNO_INVAL);
    CHECK_EQ(__wasi_fd_filestat_set_times(fd, 100, 200, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
             __WASI_ERRNO_INVAL);
    CHECK_EQ(__wasi_fd_filestat_set_times(fd, 100, 200, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0);
    __wasi_filestat_t st;
    CHECK_EQ(__wasi_fd_filestat_get(fd, &st), 0);
    CHECK_EQ(st.atim, 100);
    CHECK_EQ(st.mtim, 200);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_filestat_set_times(d, 0, "times", 0, 0, __WASI_FSTFLAGS_MTIM |
                                            __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_INVAL);
    CHECK_EQ(__wasi_path_unlink_file(d, "times"), 0);
}

static void dangling(__wasi_fd_t d)
{
    __wasi_fd_t fd, keep;
    CHECK_EQ(__wasi_path_open(d, 0, "dang", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "dang", 0, 0, 0, 0, &keep), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "dang"), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "dang", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_fd_close(keep), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "dang"), 0);
    CHECK_EQ(__wasi_path_create_directory(d, "dangdir"), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "dangdir", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &keep), 0);
    CHECK_EQ(__wasi_path_remove_directory(d, "dangdir"), 0);
    CHECK_EQ(__wasi_path_create_directory(d, "dangdir"), 0);
    CHECK_EQ(__wasi_fd_close(keep), 0);
    CHECK_EQ(__wasi_path_remove_directory(d, "dangdir"), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int pre;
    int dfd = t_open_scratch(argv[1], &pre);
    if (dfd < 0) return t_done("fd_games");
    __wasi_fd_t d = (__wasi_fd_t)dfd;
    paths(d, argv[1]);
    readlink_short(d);
    times_flags(d);
    dangling(d);
    renumbering(pre, d); /* last: it replaces the preopen */
    return t_done("fd_games");
}
