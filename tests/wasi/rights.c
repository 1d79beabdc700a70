/* rights.c — preview1 rights as today's runtimes and conformance suites expect them: a
 * writable preopen carries the directory rights programs rely on; an fd opened without a right
 * refuses that operation like POSIX refuses a file not open for it (EBADF); directories cannot
 * seek; opening a directory for writing is EISDIR; O_TRUNC needs PATH_FILESTAT_SET_SIZE (EPERM
 * once it is dropped); rights can be dropped, never raised; and the prestat name's length rules.
 * Node's node:wasi (older rules: ENOTCAPABLE for a missing right, no length check of the prestat
 * buffer, rights never dropped) runs the rest; those checks are STRICT.
 * argv[1]: a writable directory that is a preopen of its own (its guest name). */
#include <stdlib.h>

#include "t.h"

#define R(x) __WASI_RIGHTS_##x

static const __wasi_rights_t dir_base =
    R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) |
    R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) | R(PATH_RENAME_SOURCE) |
    R(PATH_RENAME_TARGET) | R(PATH_SYMLINK) | R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE) |
    R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_TIMES) | R(FD_FILESTAT_GET) |
    R(FD_FILESTAT_SET_TIMES);
static const __wasi_rights_t file_extra =
    R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(FD_TELL) |
    R(FD_WRITE) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_SET_SIZE) | R(POLL_FD_READWRITE);

static __wasi_fd_t open_dir(__wasi_fd_t pre, __wasi_fdstat_t *st)
{
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    CHECK_EQ(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, st->fs_rights_base,
                              st->fs_rights_inheriting, 0, &fd), 0);
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int pre = t_preopen(argv[1]);
    CHECK(pre >= 0);
    if (pre < 0) return t_done("rights");
    __wasi_fdstat_t st;
    CHECK_EQ(__wasi_fd_fdstat_get(pre, &st), 0);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(st.fs_rights_base & dir_base, dir_base);
    CHECK_EQ(st.fs_rights_inheriting & (dir_base | file_extra), dir_base | file_extra);

    /* prestat name: a buffer too short is refused, a longer one is fine */
    __wasi_prestat_t ps;
    CHECK_EQ(__wasi_fd_prestat_get(pre, &ps), 0);
    char name[4096];
    __wasi_errno_t e = __wasi_fd_prestat_dir_name(pre, (uint8_t *)name, 0);
    STRICT CHECK(e == __WASI_ERRNO_NAMETOOLONG || e == __WASI_ERRNO_INVAL);
    CHECK_EQ(__wasi_fd_prestat_dir_name(pre, (uint8_t *)name, ps.u.dir.pr_name_len + 1), 0);

    /* "." with any rights, O_DIRECTORY for reading; for writing: EISDIR */
    __wasi_fd_t fd;
    CHECK_EQ(__wasi_path_open(pre, 0, ".", 0, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, R(FD_READ), 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, R(FD_READ) | R(FD_WRITE), 0, 0,
                              &fd), __WASI_ERRNO_ISDIR);

    __wasi_fd_t dir = open_dir(pre, &st);

    /* a directory, even asked for the seek right, does not get it and cannot seek */
    CHECK_EQ(__wasi_path_create_directory(dir, "sub"), 0);
    CHECK_EQ(__wasi_path_open(dir, 0, "sub", __WASI_OFLAGS_DIRECTORY, R(FD_SEEK), 0, 0, &fd), 0);
    __wasi_filesize_t pos;
    STRICT CHECK_EQ(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_BADF);
    STRICT CHECK_EQ(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_BADF);
    __wasi_fdstat_t sst;
    CHECK_EQ(__wasi_fd_fdstat_get(fd, &sst), 0);
    CHECK_EQ(sst.fs_rights_base & R(FD_SEEK), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_remove_directory(dir, "sub"), 0);

    /* create with no rights at all; a file opened without FD_READ cannot be read */
    CHECK_EQ(__wasi_path_open(dir, 0, "file", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_path_open(dir, 0, "file", 0, R(FD_WRITE), 0, 0, &fd), 0);
    char b[4];
    __wasi_iovec_t iov = {(uint8_t *)b, sizeof b};
    __wasi_size_t n;
    STRICT CHECK_EQ(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_fd_close(fd), 0);

    /* rights can be dropped, not raised back (Node's node:wasi does not drop them: STRICT) */
    if (!t_strict()) {
        CHECK_EQ(__wasi_path_unlink_file(dir, "file"), 0);
        CHECK_EQ(__wasi_fd_close(dir), 0);
        return t_done("rights");
    }
    __wasi_fd_t d2 = open_dir(pre, &st);
    CHECK_EQ(__wasi_fd_fdstat_set_rights(d2, st.fs_rights_base,
                                         st.fs_rights_inheriting & ~R(FD_READ)), 0);
    CHECK_EQ(__wasi_fd_fdstat_set_rights(d2, st.fs_rights_base, st.fs_rights_inheriting),
             __WASI_ERRNO_NOTCAPABLE);
    CHECK_EQ(__wasi_path_open(d2, 0, "file", 0, R(FD_READ), R(FD_READ), 0, &fd), 0);
    __wasi_fdstat_t fst;
    CHECK_EQ(__wasi_fd_fdstat_get(fd, &fst), 0);
    CHECK_EQ(fst.fs_rights_base & R(FD_READ), 0);
    CHECK_EQ(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_fd_close(fd), 0);

    /* O_TRUNC is PATH_FILESTAT_SET_SIZE of the directory */
    CHECK(st.fs_rights_base & R(PATH_FILESTAT_SET_SIZE));
    CHECK_EQ(__wasi_path_open(d2, 0, "file", __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd), 0);
    CHECK_EQ(__wasi_fd_close(fd), 0);
    CHECK_EQ(__wasi_fd_fdstat_set_rights(d2, st.fs_rights_base & ~R(PATH_FILESTAT_SET_SIZE),
                                         st.fs_rights_inheriting & ~R(FD_READ)), 0);
    CHECK_EQ(__wasi_path_open(d2, 0, "file", __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd), __WASI_ERRNO_PERM);
    CHECK_EQ(__wasi_fd_close(d2), 0);

    CHECK_EQ(__wasi_path_unlink_file(dir, "file"), 0);
    CHECK_EQ(__wasi_fd_close(dir), 0);
    return t_done("rights");
}
