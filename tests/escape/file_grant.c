/* file_grant.c — escape attempt from single-file grants: run with write:WS/file.txt and
 * read:RO/ro.txt only (the WASI host preopens the directories holding them). Everything else in
 * those directories must stay out of reach: reading, listing or stat'ing siblings, creating
 * files beside the grant, hard-linking or renaming a sibling onto the granted name, symlinks
 * out of it, writing through the read-only file grant. The granted files themselves work. */
#include <dirent.h>
#include <stdlib.h>

#include "esc.h"

static int works(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0) {
        printf("  the granted file %s cannot be opened: %s\n", path, strerror(errno));
        esc_escapes++; /* counted as a failure of the test: grants must work */
        return -1;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    works(ws("file.txt"), O_RDWR);
    works(ro("ro.txt"), O_RDONLY);
    no_read(ws("file2"));
    no_read(ws("sub/../file2"));
    no_read(ro("sub/f"));
    no_read(ws(".boxagent/token"));
    denied((long)(opendir(WS) ? 0 : -1), "list the directory holding the file grant");
    denied((long)(opendir(RO) ? 0 : -1), "list the directory holding the read file grant");
    struct stat st;
    denied(stat(ws("file2"), &st), "stat a sibling");
    denied(open(ws("new.txt"), O_CREAT | O_WRONLY, 0644), "create beside a write file grant");
    denied(mkdir(ws("newdir"), 0755), "mkdir beside the grant");
    denied(open(ro("ro.txt"), O_WRONLY), "write through the read-only file grant");
    denied(open(ro("new.txt"), O_CREAT | O_WRONLY, 0644), "create beside the read file grant");
    /* replace the granted name with a sibling's inode, or point it elsewhere */
    denied(rename(ws("file2"), ws("file.txt")), "rename a sibling over the granted file");
    denied(link(ws("file2"), ws("file.txt")), "hard link a sibling onto the granted name");
    denied(link(ws("file.txt"), ws("alias.txt")), "hard link the grant to a new name");
    denied(rename(ws("file.txt"), ws("moved.txt")), "rename the granted file away");
    denied(symlink("../outside/secret.txt", ws("out_link")), "symlink out beside the grant");
    no_read(ws("out_link"));
    return esc_done("file_grant");
}
