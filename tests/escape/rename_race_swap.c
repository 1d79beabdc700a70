/* rename_race_swap.c — escape attempt: the host swaps a directory and a symlink to outside while the guest opens. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int r = open(ws("race/swap_ready"), O_WRONLY | O_CREAT, 0644);
    close(r);
    struct stat st0;
    for (int i = 0; i < 1000 && stat(ws("race/swapping"), &st0) != 0; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    int secrets = 0, opened = 0, refused = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 200000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec >= 2)
            break;
        int fd = open(ws("race/s/secret.txt"), O_RDONLY);
        if (fd < 0) { refused++; continue; }
        opened++;
        char buf[64] = {0};
        if (read(fd, buf, sizeof buf - 1) > 0 && strstr(buf, "SECRET"))
            secrets++;
        close(fd);
        int w = open(ws("race/s/planted.txt"), O_WRONLY | O_CREAT, 0644);
        if (w >= 0) close(w);
    }
    r = open(ws("race/swap_done"), O_WRONLY | O_CREAT, 0644);
    close(r);
    printf("  %d opened (inside copy), %d refused, %d secrets\n", opened, refused, secrets);
    if (secrets) { esc_escapes++; printf("  ESCAPE: read the secret during the swap\n"); }
    else esc_denials++;
    return esc_done("rename_race_swap");
}
