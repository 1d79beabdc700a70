/* boxagent_symlink.c — escape attempt: .boxagent/ reached through in-tree symlinks. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    no_read(ws("sneaky/config.json"));
    denied(opendir(ws("sneaky")) ? 0 : -1, "opendir sneaky -> .boxagent");
    denied(open(ws("sneaky/planted"), O_WRONLY | O_CREAT, 0644), "create via sneaky");
    denied(link(ws("sneaky/token"), ws("tok")), "link via sneaky");
    denied(rename(ws("sneaky/token"), ws("tok2")), "rename via sneaky");
    symlink(".", ws("dot"));
    no_read(ws("dot/.boxagent/config.json"));
    no_read(ws("dot/sneaky/config.json"));
    struct stat st;
    denied(stat(ws("dot/.boxagent"), &st), "stat dot/.boxagent");
    return esc_done("boxagent_symlink");
}
