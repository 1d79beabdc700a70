/* dotdot_relative.c — escape attempt: '..' from the workspace, relative and through its absolute guest path. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    no_read("../outside/secret.txt");
    no_read(ws("../outside/secret.txt"));
    no_read(ws("sub/../../outside/secret.txt"));
    int p = preopen(WS), fd;
    wdenied(raw_open(p, "../outside/secret.txt", 21, 0, R_READ, &fd), "raw ../outside/secret.txt");
    wdenied(raw_open(p, "..", 2, __WASI_OFLAGS_DIRECTORY, R_ALL, &fd), "raw open ..");
    return esc_done("dotdot_relative");
}
