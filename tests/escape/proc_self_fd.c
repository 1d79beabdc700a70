/* proc_self_fd.c — escape attempt: /proc/self/fd and /proc/self/cwd magic links. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    char p[64];
    for (int i = 0; i < 24; i++) {
        snprintf(p, sizeof p, "proc_fd/%d", i);
        no_read(ws(p));
    }
    char q[4096];
    snprintf(q, sizeof q, "%s/proc_cwd/../outside/secret.txt", WS);
    no_read(q);
    no_read(ws("proc_cwd/.boxagent/config.json"));
    return esc_done("proc_self_fd");
}
