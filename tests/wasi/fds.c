/* fds.c — the fd table: prestat queries, fdstat and rights (dropping rights, never gaining),
 * fd_renumber, closing and reusing numbers, fdstat_set_flags, proc_raise and the socket calls
 * (not offered), all on the writable directory given as argv[1]. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *base = argv[1];
    int pre = t_preopen(base);
    CHECK(pre >= 3);
    __wasi_prestat_t ps;
    CHECK_EQ(__wasi_fd_prestat_get(pre, &ps), 0);
    CHECK_EQ(ps.tag, __WASI_PREOPENTYPE_DIR);
    CHECK_EQ(ps.u.dir.pr_name_len, strlen(base));
    char name[8];
    if (strlen(base) > 2)
        STRICT CHECK_EQ(__wasi_fd_prestat_dir_name(pre, (uint8_t *)name, 2), __WASI_ERRNO_NAMETOOLONG);
    STRICT CHECK_EQ(__wasi_fd_prestat_get(0, &ps), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_fd_prestat_get(1000, &ps), __WASI_ERRNO_BADF);
    STRICT CHECK_EQ(raw_fd_prestat_get(pre, (void *)0xfffffffcu), __WASI_ERRNO_FAULT);

    __wasi_fdstat_t st;
    CHECK_EQ(__wasi_fd_fdstat_get(pre, &st), 0);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE);

    char p[512];
    snprintf(p, sizeof p, "%s/fds_a.txt", base);
    CHECK_EQ(t_write_file(p, "0123456789"), 0);
    int fd = open(p, O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ(__wasi_fd_fdstat_get(fd, &st), 0);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READ);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
    /* Drop FD_WRITE: writes now fail; it cannot be regained. */
    CHECK_EQ(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE,
                                         st.fs_rights_inheriting), 0);
    CHECK(write(fd, "x", 1) < 0);
    CHECK_EQ(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, st.fs_rights_inheriting),
             __WASI_ERRNO_NOTCAPABLE);
    char b[4];
    CHECK_EQ(read(fd, b, 4), 4);
    /* fdstat_set_flags. */
    CHECK_EQ(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK), 0);
    CHECK_EQ(__wasi_fd_fdstat_get(fd, &st), 0);
    STRICT CHECK(st.fs_flags & __WASI_FDFLAGS_NONBLOCK);
    STRICT CHECK_EQ(__wasi_fd_fdstat_set_flags(fd, 0x1000), __WASI_ERRNO_INVAL);

    /* Renumber: fd2 takes fd's place, fd is gone. */
    int fd2 = open(p, O_RDONLY);
    CHECK(fd2 >= 0);
    CHECK_EQ(__wasi_fd_renumber(fd, fd2), 0);
    CHECK_EQ(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_BADF);
    CHECK_EQ(read(fd2, b, 2), 2);
    CHECK(!memcmp(b, "45", 2)); /* the moved fd kept its offset */
    CHECK_EQ(__wasi_fd_renumber(fd2, 999), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_fd_renumber(999, fd2), __WASI_ERRNO_BADF);
    CHECK_EQ(__wasi_fd_renumber(fd2, fd2), 0);
    /* Closed numbers are reused, lowest first. */
    CHECK_EQ(close(fd2), 0);
    int fd3 = open(p, O_RDONLY);
    CHECK(fd3 >= 0);
    CHECK(fd3 <= fd2);
    close(fd3);

    STRICT CHECK_EQ(raw_proc_raise(15), __WASI_ERRNO_NOSYS);
    __wasi_size_t n;
    __wasi_fd_t nfd;
    STRICT CHECK_EQ(__wasi_sock_accept(pre, 0, &nfd), __WASI_ERRNO_NOTSUP);
    STRICT CHECK_EQ(__wasi_sock_shutdown(pre, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSUP);
    STRICT CHECK_EQ(__wasi_sock_shutdown(500, __WASI_SDFLAGS_RD), __WASI_ERRNO_BADF);
    __wasi_ciovec_t ci = {(const uint8_t *)"x", 1};
    STRICT CHECK_EQ(__wasi_sock_send(pre, &ci, 1, 0, &n), __WASI_ERRNO_NOTSUP);
    CHECK_EQ(unlink(p), 0);
    return t_done("fds");
}
