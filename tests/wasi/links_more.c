/* links_more.c — path_link and path_filestat as conformance suites check them: links to an
 * existing name, to itself or onto a directory are EEXIST, to a directory EPERM; a link of a
 * symlink (dangling or a loop) is made when its target stays inside where the new name lies,
 * refused when it would leave; SYMLINK_FOLLOW of a dangling link fails; a link in another
 * directory shares the file's inode; file fds never get path rights; set_times sets exactly and
 * refuses MTIM with MTIM_NOW leaving times untouched. argv[1]: a writable preopen. */
#include <stdlib.h>

#include "t.h"

#define TR (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET | \
            __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_UNLINK_FILE)

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int pre = t_preopen(argv[1]);
    CHECK(pre >= 0);
    if (pre < 0) return t_done("links_more");
    __wasi_fd_t d = (__wasi_fd_t)pre, f, l, sub;
    CHECK_EQ(__wasi_path_open(d, 0, "file", __WASI_OFLAGS_CREAT, TR, TR, 0, &f), 0);

    /* a link in another directory: the same file */
    CHECK_EQ(__wasi_path_create_directory(d, "subdir"), 0);
    CHECK_EQ(__wasi_path_open(d, 0, "subdir", __WASI_OFLAGS_DIRECTORY, TR, TR, 0, &sub), 0);
    CHECK_EQ(__wasi_path_link(d, 0, "file", sub, "link"), 0);
    CHECK_EQ(__wasi_path_open(sub, 0, "link", 0, TR, TR, 0, &l), 0);
    __wasi_filestat_t a, b;
    CHECK_EQ(__wasi_fd_filestat_get(f, &a), 0);
    CHECK_EQ(__wasi_fd_filestat_get(l, &b), 0);
    CHECK_EQ(a.ino, b.ino);
    CHECK_EQ(a.dev, b.dev);
    CHECK_EQ(a.nlink, 2);
    CHECK_EQ(b.nlink, 2);
    CHECK_EQ(__wasi_fd_close(l), 0);
    CHECK_EQ(__wasi_path_unlink_file(sub, "link"), 0);

    /* refusals */
    CHECK_EQ(__wasi_path_open(d, 0, "other", __WASI_OFLAGS_CREAT, 0, 0, 0, &l), 0);
    CHECK_EQ(__wasi_fd_close(l), 0);
    CHECK_EQ(__wasi_path_link(d, 0, "file", d, "other"), __WASI_ERRNO_EXIST);
    CHECK_EQ(__wasi_path_link(d, 0, "file", d, "file"), __WASI_ERRNO_EXIST);
    CHECK_EQ(__wasi_path_link(d, 0, "file", d, "subdir"), __WASI_ERRNO_EXIST);
    __wasi_errno_t e = __wasi_path_link(d, 0, "subdir", d, "dirlink");
    CHECK(e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_ACCES);
    CHECK_EQ(__wasi_path_unlink_file(d, "other"), 0);

    /* links of symlinks: within one directory they resolve the same; across, refused */
    CHECK_EQ(__wasi_path_symlink("target", d, "dangling"), 0);
    CHECK_EQ(__wasi_path_link(d, 0, "dangling", d, "hard"), 0);
    __wasi_filestat_t st;
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "hard", &st), 0);
    CHECK_EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_EQ(__wasi_path_unlink_file(d, "hard"), 0);
    /* across directories the target is checked where the new name lies: "../file" is inside
     * from subdir/, outside from the preopen's root */
    CHECK_EQ(__wasi_path_link(d, 0, "dangling", sub, "hard"), 0);
    CHECK_EQ(__wasi_path_unlink_file(sub, "hard"), 0);
    CHECK_EQ(__wasi_path_symlink("../file", d, "subdir/up"), 0);
    CHECK_EQ(__wasi_path_link(d, 0, "subdir/up", d, "subdir/up3"), 0);
    CHECK(__wasi_path_link(d, 0, "subdir/up", d, "up2") != 0);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "up2", &st), __WASI_ERRNO_NOENT);
    CHECK_EQ(__wasi_path_unlink_file(d, "subdir/up"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "subdir/up3"), 0);
    CHECK_EQ(__wasi_path_link(d, 0, "file", d, "dangling"), __WASI_ERRNO_EXIST);
    e = __wasi_path_link(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", d, "hard");
    CHECK(e == __WASI_ERRNO_INVAL || e == __WASI_ERRNO_NOENT);
    CHECK_EQ(__wasi_path_unlink_file(d, "dangling"), 0);
    CHECK_EQ(__wasi_path_symlink("loop", d, "loop"), 0);
    CHECK_EQ(__wasi_path_link(d, 0, "loop", d, "hardloop"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "loop"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "hardloop"), 0);

    /* file fds carry no path rights; set_times */
    __wasi_fdstat_t fs;
    CHECK_EQ(__wasi_fd_fdstat_get(f, &fs), 0);
    CHECK_EQ(fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN, 0);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "file", &st), 0);
    __wasi_timestamp_t m = st.mtim - 100;
    CHECK_EQ(__wasi_path_filestat_set_times(d, 0, "file", 0, m, __WASI_FSTFLAGS_MTIM), 0);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "file", &st), 0);
    CHECK_EQ(st.mtim, m);
    CHECK_EQ(__wasi_path_filestat_set_times(d, 0, "file", 0, m + 5,
                                            __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
             __WASI_ERRNO_INVAL);
    CHECK_EQ(__wasi_path_filestat_get(d, 0, "file", &st), 0);
    CHECK_EQ(st.mtim, m);

    CHECK_EQ(__wasi_fd_close(sub), 0);
    CHECK_EQ(__wasi_fd_close(f), 0);
    CHECK_EQ(__wasi_path_remove_directory(d, "subdir"), 0);
    CHECK_EQ(__wasi_path_unlink_file(d, "file"), 0);
    return t_done("links_more");
}
