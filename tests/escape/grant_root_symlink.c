/* grant_root_symlink.c — escape attempt: grants whose roots are symlinks into protected places
 * (left behind by an earlier run): write:WS/build with build -> .git, read:WS/state with
 * state -> .boxagent. The protection follows the object, not the name used to reach it. */
#include <dirent.h>
#include <stdlib.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    denied(open(ws("build/hooks/pre-commit"), O_WRONLY | O_CREAT, 0755), "create hook via build grant");
    denied(open(ws("build/config"), O_WRONLY | O_TRUNC), "truncate config via build grant");
    denied(mkdir(ws("build/hooks/x"), 0755), "mkdir via build grant");
    denied(unlink(ws("build/config")), "unlink via build grant");
    no_read(ws("state/config.json"));
    no_read(ws("state/token"));
    denied(opendir(ws("state")) ? 0 : -1, "list the state grant");
    int p = preopen(ws("build"));
    if (p >= 0) {
        int fd;
        wdenied(raw_open(p, "hooks/post-merge", 16, __WASI_OFLAGS_CREAT, R_ALL, &fd), "raw create via build preopen");
    }
    return esc_done("grant_root_symlink");
}
