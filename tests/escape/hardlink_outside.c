/* hardlink_outside.c — escape attempt: hard links to files outside, directly and through symlinks. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(link(ws("../outside/secret.txt"), ws("hl1")), "link ../outside/secret.txt");
    denied(link(ws("rel_link"), ws("hl2")), "link of a symlink pointing outside");
    denied(link(ws("abs_link"), ws("hl3")), "link of an absolute symlink");
    int p = preopen(WS);
    wdenied(raw_path_link(p, 1, "abs_link", 8, p, "hl4", 3), "link following abs_link");
    wdenied(raw_path_link(p, 1, "dir_link/secret.txt", 19, p, "hl5", 3), "link through dir_link");
    no_read(ws("hl2"));
    no_read(ws("hl4"));
    return esc_done("hardlink_outside");
}
