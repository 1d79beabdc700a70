/* preopen_close_reuse.c — escape attempt: closing preopen fds and reusing their numbers. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int r = preopen(RO), w = preopen(WS);
    if (r < 0 || w < 0) return 2;
    close(r);
    __wasi_prestat_t ps;
    wdenied(__wasi_fd_prestat_get(r, &ps), "prestat of a closed preopen");
    int32_t o;
    wdenied(raw_path_open(r, 0, "ro.txt", 6, 0, R_READ, R_READ, 0, &o), "path_open on a closed preopen");
    int f = open(ws("file.txt"), O_RDONLY);
    printf("  reopened number %d (closed preopen was %d)\n", f, r);
    wdenied(raw_path_open(f, 0, "ro.txt", 6, 0, R_READ, R_READ, 0, &o), "path_open through a file on the reused number");
    wdenied(__wasi_fd_prestat_get(f, &ps), "prestat of the reused number");
    no_read(ro("ro.txt") );
    close(w);
    wdenied(raw_path_open(w, 0, "file.txt", 8, 0, R_READ, R_READ, 0, &o), "path_open on the closed workspace preopen");
    return esc_done("preopen_close_reuse");
}
