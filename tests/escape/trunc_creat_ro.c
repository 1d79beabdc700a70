/* trunc_creat_ro.c — escape attempt: O_TRUNC and O_CREAT through a read-only grant. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int r = preopen(RO), fd;
    wdenied(raw_open(r, "ro.txt", 6, __WASI_OFLAGS_TRUNC, R_READ, &fd), "O_TRUNC with read rights");
    wdenied(raw_open(r, "new.txt", 7, __WASI_OFLAGS_CREAT, R_READ, &fd), "O_CREAT with read rights");
    wdenied(raw_open(r, "new.txt", 7, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd), "O_CREAT|O_EXCL, no rights");
    denied(open(ro("ro.txt"), O_RDONLY | O_TRUNC), "open(O_RDONLY|O_TRUNC)");
    denied(open(ro("new2.txt"), O_RDONLY | O_CREAT, 0644), "open(O_RDONLY|O_CREAT)");
    return esc_done("trunc_creat_ro");
}
