/* bad_pointers.c — escape attempt: guest pointers outside memory: errors, never a trap or a host crash. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int p = preopen(WS), fd;
    wdenied(raw_open(p, (const char *)0xfffffff0u, 100, 0, R_READ, &fd), "path past memory");
    int32_t *badout = (int32_t *)0xfffffffeu;
    wdenied(raw_path_open(p, 0, "file.txt", 8, 0, R_READ, R_READ, 0, badout), "result pointer past memory");
    int f = open(ws("file.txt"), O_RDONLY);
    uint32_t iov[2] = {0xffffff00u, 0x1000};
    __wasi_size_t n;
    wdenied(raw_fd_read(f, iov, 1, &n), "read into memory's end");
    wdenied(raw_fd_read(f, (void *)0xfffffff8u, 100000, &n), "huge iovec count");
    wdenied(raw_fd_write(1, iov, 1, &n), "write from past memory");
    wdenied(raw_path_symlink((const char *)0xfffffff0u, 64, p, "x", 1), "symlink target past memory");
    wdenied(raw_path_filestat_get(p, 0, "file.txt", 8, (void *)0xffffffc0u), "filestat past memory");
    printf("  still running: no trap\n");
    return esc_done("bad_pointers");
}
