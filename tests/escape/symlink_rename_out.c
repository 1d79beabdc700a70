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
    /* the same with the directory that holds the link */
    mkdir(ws("a/b/c"), 0755);
    if (symlink("../../../outside/secret.txt", ws("a/b/c/l2")) == 0)
        printf("  made a/b/c/l2 (inside)\n");
    denied(rename(ws("a/b"), ws("moved_b")), "move the directory holding it to the top");
    denied(rename(ws("a/b/c"), ws("a/moved_c")), "move its directory one level up");
    no_read(ws("moved_b/c/l2"));
    /* moving deeper is fine: the link stays inside */
    mkdir(ws("deeper"), 0755);
    if (rename(ws("a/b"), ws("deeper/b")) != 0) {
        esc_escapes++; /* not an escape, but a wrong refusal: count it as a failure */
        printf("  FAILURE: moving a directory deeper was refused\n");
    }
    return esc_done("symlink_rename_out");
}
