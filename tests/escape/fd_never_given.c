/* fd_never_given.c — escape attempt: fd numbers the guest was never given. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int given[64] = {0};
    for (int f = 0; f < 64; f++) {
        __wasi_fdstat_t st;
        given[f] = __wasi_fd_fdstat_get(f, &st) == 0;
    }
    int tried = 0, leaks = 0;
    uint32_t extra[] = {64, 100, 255, 1023, 1024, 4096, 65535, 0x7fffffffu, 0x80000000u, 0xffffffffu};
    for (int k = 0; k < 64 + 10; k++) {
        uint32_t f = k < 64 ? (uint32_t)k : extra[k - 64];
        if (k < 64 && given[k]) continue;
        tried++;
        char buf[16];
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
        __wasi_size_t n;
        int32_t o;
        if (__wasi_fd_read(f, &iov, 1, &n) == 0) leaks++;
        if (raw_fd_write(f, &iov, 1, &n) == 0) leaks++;
        if (raw_path_open(f, 0, "secret.txt", 10, 0, R_READ, R_READ, 0, &o) == 0) leaks++;
        if (__wasi_fd_close(f) == 0) leaks++;
        __wasi_filestat_t fs;
        if (__wasi_fd_filestat_get(f, &fs) == 0) leaks++;
    }
    printf("  tried %d fds\n", tried);
    if (leaks) { esc_escapes += leaks; printf("  ESCAPE: %d calls worked on fds never given\n", leaks); }
    else esc_denials += tried;
    return esc_done("fd_never_given");
}
