/* renumber_stdio.c — escape attempt: renumbering preopens onto stdio and onto each other. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int w = preopen(WS), r = preopen(RO);
    if (w < 0 || r < 0) return 2;
    /* the workspace fd takes the read-only fd's number: that number now means the workspace */
    if (__wasi_fd_renumber(w, r) != 0) { printf("setup: renumber failed\n"); return 2; }
    int32_t o;
    int e = raw_path_open(r, 0, "ro.txt", 6, __WASI_OFLAGS_CREAT, R_ALL, R_ALL, 0, &o);
    /* allowed or not, it must land in the workspace, never in RO (the suite checksums RO) */
    if (e == 0) close(o);
    /* stdin onto the (now workspace) fd: path calls through it are refused */
    if (__wasi_fd_renumber(0, r) != 0) { printf("setup: renumber 0 failed\n"); return 2; }
    wdenied(raw_path_open(r, 0, "file.txt", 8, 0, R_READ, R_READ, 0, &o), "path_open through renumbered stdin");
    /* a directory renumbered onto stdout: writes go nowhere */
    int d = open(ws(""), O_RDONLY | O_DIRECTORY);
    if (d >= 0 && __wasi_fd_renumber(d, 1) == 0) {
        __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
        __wasi_size_t n;
        wdenied(raw_fd_write(1, &iov, 1, &n), "write to a directory renumbered onto stdout");
    }
    wdenied(__wasi_fd_renumber(2, 77), "renumber onto an fd never given");
    return esc_done("renumber_stdio");
}
