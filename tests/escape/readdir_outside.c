/* readdir_outside.c — escape attempt: listing directories outside through '..' and symlinks. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    DIR *d = opendir(ws(".."));
    int saw = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (!strcmp(de->d_name, "outside")) saw = 1;
    if (d) closedir(d);
    if (saw) { esc_escapes++; printf("  ESCAPE: listed the workspace's parent\n"); } else esc_denials++;
    denied(opendir(ws("dir_link")) ? 0 : -1, "opendir dir_link");
    int p = preopen(WS), fd;
    wdenied(raw_open(p, "..", 2, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, &fd), "raw open .. for readdir");
    int f = open(ws("file.txt"), O_RDONLY);
    char buf[256];
    __wasi_size_t used;
    wdenied(__wasi_fd_readdir(f, (uint8_t *)buf, sizeof buf, 0, &used), "readdir on a file");
    return esc_done("readdir_outside");
}
