/* dangling_out.c — escape attempt: O_CREAT through a planted dangling symlink that points outside. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(open(ws("host_dangling"), O_WRONLY | O_CREAT, 0644), "create through host_dangling");
    denied(open(ws("host_dangling"), O_WRONLY | O_CREAT | O_EXCL, 0644), "create excl through host_dangling");
    FILE *f = fopen(ws("host_dangling"), "w");
    denied(f ? 0 : -1, "fopen w through host_dangling");
    if (f) fclose(f);
    return esc_done("dangling_out");
}
