/* symlink_create_rel.c — escape attempt: the guest creates relative symlinks that climb out. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(symlink("../outside/secret.txt", ws("g_rel")), "symlink -> ../outside");
    denied(symlink("sub/../../outside", ws("g2")), "symlink -> sub/../../outside");
    denied(symlink("../../../../../../..", ws("g3")), "symlink -> many ..");
    mkdir(ws("d1"), 0755);
    denied(symlink("../../outside", ws("d1/up")), "symlink d1/up -> ../../outside");
    if (symlink("..", ws("d1/ok")) == 0) /* inside: allowed, but cannot be used to climb */
        no_read(ws("d1/ok/../outside/secret.txt"));
    no_read(ws("g_rel"));
    return esc_done("symlink_create_rel");
}
