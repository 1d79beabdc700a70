/* symlink_chain.c — escape attempt: chains of in-tree symlinks used to climb with '..'. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    symlink(".", ws("selfln"));
    symlink("selfln", ws("c1"));
    no_read(ws("selfln/../outside/secret.txt"));
    no_read(ws("selfln/selfln/../../outside/secret.txt"));
    no_read(ws("c1/../outside/secret.txt"));
    mkdir(ws("deep"), 0755);
    mkdir(ws("deep/er"), 0755);
    symlink("deep/er", ws("de"));
    no_read(ws("de/../../../outside/secret.txt"));
    return esc_done("symlink_chain");
}
