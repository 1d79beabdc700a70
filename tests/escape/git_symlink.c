/* git_symlink.c — escape attempt: .git/ reached through planted, guest-made and dangling symlinks. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(open(ws("gitlink/hooks/pre-commit"), O_WRONLY | O_CREAT, 0755), "create via gitlink");
    symlink(".git/hooks", ws("hk"));
    denied(open(ws("hk/pre-commit"), O_WRONLY | O_CREAT, 0755), "create via guest symlink hk");
    denied(link(ws("file.txt"), ws("hk/pre-push")), "hard link into hooks");
    denied(rename(ws("file.txt"), ws("gitlink/hooks/pre-push")), "rename into hooks via gitlink");
    symlink(".git/hooks/pre-rebase", ws("dang"));
    denied(open(ws("dang"), O_WRONLY | O_CREAT, 0755), "create through a dangling symlink into hooks");
    struct stat st;
    if (stat(ws(".git/hooks/pre-rebase"), &st) == 0) { esc_escapes++; printf("  ESCAPE: hook created\n"); }
    return esc_done("git_symlink");
}
