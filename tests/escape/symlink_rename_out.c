/* symlink_rename_out.c — escape attempt: a relative symlink that is inside the tree where it
 * was made (a/b/l -> ../../file.txt) is moved to a shallower place, where the same target
 * would climb out of the workspace. */
#include <dirent.h>
#include <stdlib.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    mkdir(ws("a"), 0755);
    mkdir(ws("a/b"), 0755);
    if (symlink("../../outside/secret.txt", ws("a/b/l")) == 0) /* resolves to ws/outside/... */
        printf("  made a/b/l (inside)\n");
    denied(rename(ws("a/b/l"), ws("l")), "move the symlink to the top");
    denied(rename(ws("a/b/l"), ws("a/l")), "move it one level up");
    no_read(ws("l"));
    return esc_done("symlink_rename_out");
}
