/* hardlink_git.c — escape attempt: hard links into and out of protected places. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(link(ws(".git/config"), ws("cfg")), "link .git/config out");
    denied(link(ws("file.txt"), ws(".git/hooks/pre-commit")), "link into .git/hooks");
    denied(link(ws(".bashrc"), ws("brc")), "link .bashrc out");
    denied(link(ws(".boxagent/token"), ws("tok")), "link .boxagent/token out");
    return esc_done("hardlink_git");
}
