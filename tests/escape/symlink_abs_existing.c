/* symlink_abs_existing.c — escape attempt: a symlink in the workspace with an absolute target outside. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    no_read(ws("abs_link"));
    struct stat st;
    denied(stat(ws("abs_link"), &st), "stat through abs_link");
    int p = preopen(WS), fd;
    int32_t o;
    wdenied(raw_path_open(p, 1, "abs_link", 8, 0, R_READ, R_READ, 0, &o), "raw open following abs_link");
    (void)fd;
    return esc_done("symlink_abs_existing");
}
