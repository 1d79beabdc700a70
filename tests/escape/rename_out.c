/* rename_out.c — escape attempt: renames out of the workspace, out of and into a read-only grant. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int p = preopen(WS), r = preopen(RO);
    wdenied(raw_path_rename(p, "file.txt", 8, p, "../outside/moved", 16), "rename to ../outside");
    wdenied(raw_path_rename(p, "../outside/secret.txt", 21, p, "got", 3), "rename from ../outside");
    denied(rename(ro("ro.txt"), ws("stolen")), "rename ro -> ws");
    denied(rename(ws("file.txt"), ro("planted")), "rename ws -> ro");
    wdenied(raw_path_rename(r, "ro.txt", 6, p, "stolen2", 7), "raw rename ro -> ws");
    wdenied(raw_path_rename(p, "file.txt", 8, r, "planted2", 8), "raw rename ws -> ro");
    return esc_done("rename_out");
}
