/* symlink_rel_existing.c — escape attempt: a symlink in the workspace pointing ../ outside. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    no_read(ws("rel_link"));
    struct stat st;
    denied(stat(ws("rel_link"), &st), "stat through rel_link");
    denied(open(ws("rel_link"), O_WRONLY | O_TRUNC), "truncate through rel_link");
    return esc_done("symlink_rel_existing");
}
