/* boxagent_direct.c — escape attempt: the workspace state directory .boxagent/ named directly. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    no_read(ws(".boxagent/config.json"));
    no_read(".boxagent/config.json");
    struct stat st;
    denied(stat(ws(".boxagent"), &st), "stat .boxagent");
    denied(stat(ws(".boxagent/token"), &st), "stat .boxagent/token");
    denied(opendir(ws(".boxagent")) ? 0 : -1, "opendir .boxagent");
    denied(mkdir(ws(".boxagent/x"), 0755), "mkdir in .boxagent");
    denied(open(ws(".boxagent/new"), O_WRONLY | O_CREAT, 0644), "create in .boxagent");
    denied(rename(ws(".boxagent"), ws("bx")), "rename .boxagent");
    denied(unlink(ws(".boxagent/token")), "unlink .boxagent/token");
    denied(rmdir(ws(".boxagent")), "rmdir .boxagent");
    denied(symlink(".boxagent", ws("s_bx")), "symlink -> .boxagent");
    DIR *d = opendir(WS);
    struct dirent *de;
    int listed = 0;
    while (d && (de = readdir(d)) != NULL)
        if (!strcmp(de->d_name, ".boxagent")) listed = 1;
    if (d) closedir(d);
    if (listed) { esc_escapes++; printf("  ESCAPE: .boxagent is listed\n"); } else esc_denials++;
    return esc_done("boxagent_direct");
}
