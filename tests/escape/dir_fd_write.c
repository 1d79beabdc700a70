/* dir_fd_write.c — escape attempt: writing to directory fds and opening directories for writing. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int p = preopen(WS);
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    wdenied(raw_fd_write(p, &iov, 1, &n), "write to the preopen fd");
    wdenied(__wasi_fd_pwrite(p, &iov, 1, 0, &n), "pwrite to the preopen fd");
    denied(open(ws("sub"), O_RDWR), "open a directory O_RDWR");
    wdenied(__wasi_fd_filestat_set_size(p, 0), "truncate the preopen fd");
    int fd;
    wdenied(raw_open(p, "sub", 3, __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_TRUNC, R_ALL, &fd), "O_DIRECTORY|O_TRUNC");
    return esc_done("dir_fd_write");
}
