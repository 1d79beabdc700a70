/* shell_startup.c — escape attempt: shell start-up files are read-only inside a write grant. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(open(ws(".bashrc"), O_WRONLY | O_APPEND), "append .bashrc");
    denied(open(ws(".bashrc"), O_WRONLY | O_TRUNC), "truncate .bashrc");
    denied(open(ws(".profile"), O_WRONLY | O_CREAT, 0644), "create .profile");
    denied(open(ws(".zshrc"), O_WRONLY | O_CREAT, 0644), "create .zshrc");
    denied(rename(ws("file.txt"), ws(".bash_profile")), "rename to .bash_profile");
    denied(symlink("file.txt", ws(".zprofile")), "symlink .zprofile");
    denied(unlink(ws(".bashrc")), "unlink .bashrc");
    return esc_done("shell_startup");
}
