/* long_path.c — escape attempt: over-long paths and path lengths beyond guest memory. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    static char p[9000];
    memset(p, 'a', 5000);
    p[5000] = 0;
    int d = preopen(WS), fd;
    wdenied(raw_open(d, p, 5000, 0, R_READ, &fd), "5000-byte name");
    p[0] = 0;
    for (int i = 0; i < 2100; i++) strcat(p, "a/");
    wdenied(raw_open(d, p, strlen(p), 0, R_READ, &fd), "4200-byte path");
    p[0] = 0;
    for (int i = 0; i < 1500; i++) strcat(p, "../");
    strcat(p, "outside/secret.txt");
    wdenied(raw_open(d, p, strlen(p), 0, R_READ, &fd), "1500 x ../");
    wdenied(raw_open(d, "file.txt", 0x7fffffff, 0, R_READ, &fd), "length past memory");
    wdenied(raw_open(d, (const char *)0xfffffff0u, 64, 0, R_READ, &fd), "pointer past memory");
    return esc_done("long_path");
}
