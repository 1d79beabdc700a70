/* git_hooks.c — escape attempt: .git/ is read-only inside a write grant. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(open(ws(".git/hooks/pre-commit"), O_WRONLY | O_CREAT, 0755), "create .git/hooks/pre-commit");
    denied(open(ws(".git/config"), O_WRONLY | O_TRUNC), "truncate .git/config");
    denied(open(ws(".git/config"), O_WRONLY | O_APPEND), "append .git/config");
    denied(unlink(ws(".git/config")), "unlink .git/config");
    denied(rename(ws("file.txt"), ws(".git/config")), "rename over .git/config");
    denied(mkdir(ws(".git/hooks/x"), 0755), "mkdir in .git/hooks");
    denied(symlink("../../file.txt", ws(".git/hooks/post-checkout")), "symlink in .git/hooks");
    denied(rmdir(ws(".git/hooks")), "rmdir .git/hooks");
    denied(rename(ws(".git"), ws("g2")), "rename .git");
    struct timespec ts[2] = {{1, 0}, {1, 0}};
    denied(utimensat(AT_FDCWD, ws(".git/config"), ts, 0), "utimensat .git/config");
    char buf[64];
    int fd = open(ws(".git/config"), O_RDONLY);
    printf("  (reading .git/config is allowed: %s)\n", fd >= 0 && read(fd, buf, sizeof buf) > 0 ? "yes" : "no");
    return esc_done("git_hooks");
}
