/* dotdot_deep.c — escape attempt: many '..' components, through files and dots. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    static char path[8192];
    path[0] = 0;
    for (int i = 0; i < 200; i++)
        strcat(path, "../");
    strcat(path, "etc/passwd");
    no_read(path);
    no_read(ws("file.txt/../../outside/secret.txt"));
    no_read(ws("./sub/./../.././outside/secret.txt"));
    int p = preopen(WS), fd;
    wdenied(raw_open(p, path, strlen(path), 0, R_READ, &fd), "raw 200 x ../");
    wdenied(raw_open(p, "sub/../..", 9, __WASI_OFLAGS_DIRECTORY, R_ALL, &fd), "raw sub/../..");
    return esc_done("dotdot_deep");
}
