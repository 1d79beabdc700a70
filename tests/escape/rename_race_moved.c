/* rename_race_moved.c — escape attempt: a directory fd whose directory is moved outside by the host. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int fd = open(ws("race/a"), O_RDONLY | O_DIRECTORY);
    if (fd < 0) { printf("setup: cannot open race/a\n"); return 2; }
    int r = open(ws("race/ready"), O_WRONLY | O_CREAT, 0644);
    close(r);
    struct stat st;
    for (int i = 0; i < 1000 && stat(ws("race/moved"), &st) != 0; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    if (stat(ws("race/moved"), &st) != 0) { printf("setup: host did not move race/a\n"); return 2; }
    int o;
    int e = raw_open(fd, "inner.txt", 9, 0, R_READ, &o);
    if (e == 0) {
        char buf[64] = {0};
        if (read(o, buf, sizeof buf - 1) > 0 && strstr(buf, "SECRET")) {
            esc_escapes++;
            printf("  ESCAPE: read a file of the moved directory\n");
        } else {
            esc_escapes++;
            printf("  ESCAPE: opened a file of the moved directory\n");
        }
    } else {
        wdenied(e, "open inner.txt in the moved directory");
    }
    wdenied(raw_open(fd, "../secret.txt", 13, 0, R_READ, &o), "../secret.txt from the moved directory");
    wdenied(raw_open(fd, "planted", 7, __WASI_OFLAGS_CREAT, R_ALL, &o), "create in the moved directory");
    wdenied(raw_path_create_directory(fd, "newdir", 6), "mkdir in the moved directory");
    wdenied(raw_path_unlink_file(fd, "inner.txt", 9), "unlink in the moved directory");
    return esc_done("rename_race_moved");
}
