/* hardlink_readonly.c — escape attempt: hard links that would make a read-only file writable. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(link(ro("ro.txt"), ws("hl_ro")), "link ro.txt into the workspace");
    int p = preopen(WS), r = preopen(RO);
    wdenied(raw_path_link(r, 0, "ro.txt", 6, p, "hl_ro2", 6), "raw link ro -> ws");
    wdenied(raw_path_link(r, 1, "ro.txt", 6, p, "hl_ro3", 6), "raw link ro -> ws (follow)");
    denied(open(ws("hl_ro"), O_WRONLY | O_APPEND), "write through the link");
    return esc_done("hardlink_readonly");
}
