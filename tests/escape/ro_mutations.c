/* ro_mutations.c — escape attempt: creating, removing and renaming inside a read-only grant. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(mkdir(ro("x"), 0755), "mkdir");
    denied(rmdir(ro("sub")), "rmdir");
    denied(unlink(ro("ro.txt")), "unlink");
    denied(rename(ro("ro.txt"), ro("r2")), "rename");
    denied(symlink("ro.txt", ro("l")), "symlink");
    denied(link(ro("ro.txt"), ro("l2")), "link");
    struct timespec ts[2] = {{1, 0}, {1, 0}};
    denied(utimensat(AT_FDCWD, ro("ro.txt"), ts, 0), "utimensat");
    return esc_done("ro_mutations");
}
