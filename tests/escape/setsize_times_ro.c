/* setsize_times_ro.c — escape attempt: size, times, allocation and rights changes on read-only files. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int fd = open(ro("ro.txt"), O_RDONLY);
    if (fd < 0) return 2;
    wdenied(__wasi_fd_filestat_set_size(fd, 0), "fd_filestat_set_size");
    wdenied(__wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), "fd_filestat_set_times");
    wdenied(__wasi_fd_allocate(fd, 0, 1 << 20), "fd_allocate");
    wdenied(__wasi_fd_fdstat_set_rights(fd, R_ALL, R_ALL), "regain all rights");
    int r = preopen(RO);
    wdenied(__wasi_path_filestat_set_times(r, 0, "ro.txt", 1, 1, __WASI_FSTFLAGS_MTIM), "path_filestat_set_times");
    wdenied(__wasi_path_filestat_set_times(r, 0, ".", 1, 1, __WASI_FSTFLAGS_MTIM), "set times of the root");
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    wdenied(__wasi_fd_pwrite(fd, &iov, 1, 0, &n), "fd_pwrite");
    return esc_done("setsize_times_ro");
}
