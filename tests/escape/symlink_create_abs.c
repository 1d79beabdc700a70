/* symlink_create_abs.c — escape attempt: the guest creates symlinks with absolute targets. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(symlink(out("secret.txt"), ws("g_abs")), "symlink -> absolute outside");
    denied(symlink("/etc", ws("g_etc")), "symlink -> /etc");
    denied(symlink("/", ws("g_root")), "symlink -> /");
    no_read(ws("g_abs"));
    return esc_done("symlink_create_abs");
}
