/* stdio.c — standard streams: read stdin to EOF (the suite pipes "hello\nworld\n"), write to
 * stdout and stderr, fdstat of stdio, seeking a stream is ESPIPE, reads/writes the wrong way
 * are EBADF. */
#include <fcntl.h>
#include <unistd.h>

#include "t.h"

int main(void)
{
    char buf[256];
    size_t n = 0;
    for (;;) {
        ssize_t k = read(0, buf + n, sizeof buf - 1 - n);
        CHECK(k >= 0);
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    buf[n] = 0;
    CHECK(!strcmp(buf, "hello\nworld\n"));
    CHECK_EQ(read(0, buf, 10), 0); /* EOF stays EOF */
    CHECK_EQ(write(1, "out-line\n", 9), 9);
    CHECK_EQ(write(2, "err-line\n", 9), 9);
    __wasi_fdstat_t st;
    CHECK_EQ(__wasi_fd_fdstat_get(1, &st), 0);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
    STRICT CHECK_ERR(lseek(1, 0, SEEK_SET), ESPIPE);
    __wasi_filesize_t pos;
    STRICT CHECK_EQ(__wasi_fd_tell(0, &pos), __WASI_ERRNO_SPIPE);
    CHECK_ERR(write(0, "x", 1), EBADF);
    CHECK_ERR(read(1, buf, 1), EBADF);
    /* Gathered writes. */
    __wasi_ciovec_t iov[3] = {{(const uint8_t *)"a", 1}, {(const uint8_t *)"bc", 2},
                              {(const uint8_t *)"d\n", 2}};
    __wasi_size_t w;
    CHECK_EQ(__wasi_fd_write(1, iov, 3, &w), 0);
    CHECK_EQ(w, 5);
    /* Bad iovec pointers are EFAULT. */
    uint32_t bad[2] = {0xfffffff0u, 100};
    STRICT CHECK_EQ(raw_fd_write(1, bad, 1, &w), __WASI_ERRNO_FAULT);
    STRICT CHECK_EQ(raw_fd_write(1, (void *)0xfffffff8u, 2, &w), __WASI_ERRNO_FAULT);
    STRICT CHECK_EQ(__wasi_fd_write(1, iov, 1, (__wasi_size_t *)0xfffffffeu), __WASI_ERRNO_FAULT);
    fflush(stdout);
    return t_done("stdio");
}
