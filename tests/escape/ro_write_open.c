/* ro_write_open.c — escape attempt: opening a read-only grant's files for writing. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(open(ro("ro.txt"), O_WRONLY), "O_WRONLY");
    denied(open(ro("ro.txt"), O_RDWR), "O_RDWR");
    denied(open(ro("ro.txt"), O_WRONLY | O_APPEND), "O_APPEND");
    denied(fopen(ro("ro.txt"), "a") ? 0 : -1, "fopen a");
    int r = preopen(RO), fd;
    wdenied(raw_open(r, "ro.txt", 6, 0, __WASI_RIGHTS_FD_WRITE, &fd), "raw FD_WRITE");
    wdenied(raw_open(r, "ro.txt", 6, 0, __WASI_RIGHTS_FD_ALLOCATE, &fd), "raw FD_ALLOCATE");
    wdenied(raw_open(r, "ro.txt", 6, 0, __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, &fd), "raw SET_SIZE");
    return esc_done("ro_write_open");
}
