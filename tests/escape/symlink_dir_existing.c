/* symlink_dir_existing.c — escape attempt: a directory symlink to outside: read, list, create through it. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    no_read(ws("dir_link/secret.txt"));
    denied(opendir(ws("dir_link")) ? 0 : -1, "opendir dir_link");
    denied(mkdir(ws("dir_link/newdir"), 0755), "mkdir through dir_link");
    denied(open(ws("dir_link/new.txt"), O_WRONLY | O_CREAT, 0644), "create through dir_link");
    denied(unlink(ws("dir_link/secret.txt")), "unlink through dir_link");
    denied(rename(ws("file.txt"), ws("dir_link/stolen.txt")), "rename into dir_link");
    return esc_done("symlink_dir_existing");
}
