/* edge_semantics.c — the corner cases of preview1 path calls that conformance suites check, with
 * the errno a Linux host gives: trailing slashes on files and directories (open, create,
 * unlink, rmdir, rename, symlink), O_CREAT|O_EXCL on an existing name, O_DIRECTORY on a file,
 * a file used as the directory fd, symlink loops, NOFOLLOW on a symlink, dangling symlinks,
 * removing a non-empty directory, and closing a preopen. argv[1]: a writable directory that
 * is a preopen of its own (its guest name). Node's node:wasi differs on four of them (a file as
 * the directory fd, O_NOFOLLOW on a final symlink, "." and closing a preopen): STRICT. */
#include <stdlib.h>

#include "t.h"

/* the rights the preopen lets files and directories below it have (all of them, here):
 * these checks are about paths, not rights */
static __wasi_rights_t RW;
static int dirfd_;

static __wasi_errno_t open_(const char *p, __wasi_lookupflags_t lf, __wasi_oflags_t of,
                            __wasi_fd_t *fd)
{
    /* a directory is never opened for writing (EISDIR) */
    __wasi_rights_t base = (of & __WASI_OFLAGS_DIRECTORY) ? RW & ~__WASI_RIGHTS_FD_WRITE : RW;
    return __wasi_path_open(dirfd_, lf, p, of, base, RW, 0, fd);
}

static void mkfile(const char *p)
{
    __wasi_fd_t fd;
    CHECK_EQ(open_(p, 0, __WASI_OFLAGS_CREAT, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
}

static void trailing_slashes(void)
{
    __wasi_fd_t fd;
    mkfile("file");
    CHECK_EQ(open_("file/", 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(open_("new-file/", 0, __WASI_OFLAGS_CREAT, &fd), __WASI_ERRNO_ISDIR);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "file/"), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "file"), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "file/"), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_rename(dirfd_, "file/", dirfd_, "target"), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_rename(dirfd_, "file", dirfd_, "target/"), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_symlink("source", dirfd_, "link/"), __WASI_ERRNO_NOENT);
    CHECK_EQ(__wasi_path_link(dirfd_, 0, "file", dirfd_, "hard/"), __WASI_ERRNO_NOENT);
    CHECK_EQ(__wasi_path_link(dirfd_, 0, "file/", dirfd_, "hard"), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "file"), 0);

    CHECK_EQ(__wasi_path_create_directory(dirfd_, "dir"), 0);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "dir"), __WASI_ERRNO_ISDIR);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "dir/"), __WASI_ERRNO_ISDIR);
    CHECK_EQ(__wasi_path_rename(dirfd_, "dir/", dirfd_, "moved"), 0);
    CHECK_EQ(__wasi_path_rename(dirfd_, "moved", dirfd_, "dir/"), 0);
    CHECK_EQ(__wasi_path_rename(dirfd_, "dir/", dirfd_, "moved/"), 0);
    CHECK_EQ(__wasi_path_symlink("x", dirfd_, "moved/"), __WASI_ERRNO_EXIST);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "moved/"), 0);
    CHECK_EQ(__wasi_path_create_directory(dirfd_, "dir2/"), 0);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "dir2"), 0);
}

static void opens(void)
{
    __wasi_fd_t fd, fd2;
    mkfile("exists");
    CHECK_EQ(open_("exists", 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, &fd), __WASI_ERRNO_EXIST);
    CHECK_EQ(open_("exists", 0, __WASI_OFLAGS_DIRECTORY, &fd), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(open_("missing", 0, 0, &fd), __WASI_ERRNO_NOENT);
    CHECK_EQ(open_("missing/x", 0, __WASI_OFLAGS_CREAT, &fd), __WASI_ERRNO_NOENT);
    /* a regular file used as the directory of a path */
    CHECK_EQ(open_("exists", 0, 0, &fd), 0);
    STRICT CHECK_EQ(__wasi_path_open(fd, 0, "x", 0, RW, RW, 0, &fd2), __WASI_ERRNO_NOTDIR);
    STRICT CHECK_EQ(__wasi_path_create_directory(fd, "x"), __WASI_ERRNO_NOTDIR);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "exists"), 0);
}

static void symlinks(void)
{
    __wasi_fd_t fd;
    CHECK_EQ(__wasi_path_symlink("loop", dirfd_, "loop"), 0);
    CHECK_EQ(open_("loop", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd), __WASI_ERRNO_LOOP);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "loop"), 0);

    mkfile("target");
    CHECK_EQ(__wasi_path_symlink("target", dirfd_, "link"), 0);
    /* without SYMLINK_FOLLOW the final symlink is not followed: open fails with ELOOP */
    STRICT CHECK_EQ(open_("link", 0, 0, &fd), __WASI_ERRNO_LOOP);
    CHECK_EQ(open_("link", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    /* an existing name, symlink or not, is not overwritten by path_symlink */
    CHECK_EQ(__wasi_path_symlink("target", dirfd_, "link"), __WASI_ERRNO_EXIST);
    CHECK_EQ(__wasi_path_symlink("target", dirfd_, "target"), __WASI_ERRNO_EXIST);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "link"), 0);

    CHECK_EQ(__wasi_path_symlink("nowhere", dirfd_, "dangling"), 0);
    CHECK_EQ(open_("dangling", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd), __WASI_ERRNO_NOENT);
    CHECK_EQ(open_("dangling", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, __WASI_OFLAGS_DIRECTORY, &fd),
             __WASI_ERRNO_NOENT);
    __wasi_filestat_t st;
    CHECK_EQ(__wasi_path_filestat_get(dirfd_, 0, "dangling", &st), 0);
    CHECK_EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "dangling"), 0);
    CHECK_EQ(__wasi_path_unlink_file(dirfd_, "target"), 0);
}

static void directories(void)
{
    CHECK_EQ(__wasi_path_create_directory(dirfd_, "full"), 0);
    CHECK_EQ(__wasi_path_create_directory(dirfd_, "full"), __WASI_ERRNO_EXIST);
    CHECK_EQ(__wasi_path_create_directory(dirfd_, "full/inner"), 0);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "full"), __WASI_ERRNO_NOTEMPTY);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "full/inner"), 0);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "full"), 0);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "full"), __WASI_ERRNO_NOENT);
    /* renaming a directory over a non-empty one */
    CHECK_EQ(__wasi_path_create_directory(dirfd_, "a"), 0);
    CHECK_EQ(__wasi_path_create_directory(dirfd_, "b"), 0);
    CHECK_EQ(__wasi_path_create_directory(dirfd_, "b/c"), 0);
    CHECK_EQ(__wasi_path_rename(dirfd_, "a", dirfd_, "b"), __WASI_ERRNO_NOTEMPTY);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "b/c"), 0);
    CHECK_EQ(__wasi_path_rename(dirfd_, "a", dirfd_, "b"), 0);
    CHECK_EQ(__wasi_path_remove_directory(dirfd_, "b"), 0);
}

static void close_preopen(void)
{
    /* a preopen can be closed like any fd; it then no longer answers prestat */
    __wasi_fd_t fd;
    CHECK_EQ(open_(".", 0, __WASI_OFLAGS_DIRECTORY, &fd), 0);
    __wasi_prestat_t ps;
    CHECK_EQ(__wasi_fd_prestat_get(dirfd_, &ps), 0);
    CHECK_EQ(__wasi_fd_close(dirfd_), 0);
    CHECK_EQ(__wasi_fd_prestat_get(dirfd_, &ps), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_fd_close(dirfd_), __WASI_ERRNO_BADF);
    /* the directory opened from it still works */
    __wasi_fd_t f;
    CHECK_EQ(__wasi_path_open(fd, 0, "after-close", __WASI_OFLAGS_CREAT, RW, RW, 0, &f), 0);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_unlink_file(fd, "after-close"), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    dirfd_ = t_preopen(argv[1]);
    CHECK(dirfd_ >= 0);
    if (dirfd_ < 0) return t_done("edge_semantics");
    __wasi_fdstat_t fst;
    CHECK_EQ(__wasi_fd_fdstat_get(dirfd_, &fst), 0);
    RW = fst.fs_rights_inheriting;
    trailing_slashes();
    opens();
    symlinks();
    directories();
    STRICT close_preopen();
    return t_done("edge_semantics");
}
