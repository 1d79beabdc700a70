/* proc_self_root.c — escape attempt: /proc/self/root through a planted symlink and a guest-made one. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    char p[4096];
    snprintf(p, sizeof p, "%s/proc_root%s/secret.txt", WS, OUT);
    no_read(p);
    no_read(ws("proc_root/etc/passwd"));
    denied(symlink("/proc/self/root", ws("p2")), "symlink -> /proc/self/root");
    denied(symlink("../../../../../../proc/self/root", ws("p3")), "symlink -> ../../proc/self/root");
    return esc_done("proc_self_root");
}
