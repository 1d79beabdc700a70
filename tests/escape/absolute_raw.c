/* absolute_raw.c — escape attempt: absolute paths handed straight to path_open. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int p = preopen(WS), fd;
    const char *s = out("secret.txt");
    wdenied(raw_open(p, s, strlen(s), 0, R_READ, &fd), "raw absolute outside path");
    wdenied(raw_open(p, "/etc/passwd", 11, 0, R_READ, &fd), "raw /etc/passwd");
    wdenied(raw_open(p, "/", 1, __WASI_OFLAGS_DIRECTORY, R_ALL, &fd), "raw /");
    no_read(s);
    no_read("/proc/self/environ");
    return esc_done("absolute_raw");
}
