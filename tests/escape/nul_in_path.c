/* nul_in_path.c — escape attempt: NUL bytes inside path strings given by length. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int d = preopen(WS), fd;
    static const char a[] = "file.txt\0../../outside/secret.txt";
    wdenied(raw_open(d, a, sizeof a - 1, 0, R_READ, &fd), "file.txt\\0../outside");
    static const char b[] = "../outside/secret.txt\0";
    wdenied(raw_open(d, b, sizeof b - 1, 0, R_READ, &fd), "../outside/secret.txt\\0");
    static const char c[] = "ok\0/../../outside";
    wdenied(raw_path_symlink(c, sizeof c - 1, d, "nl", 2), "symlink target with NUL");
    static const char m[] = "dir\0x";
    wdenied(raw_path_create_directory(d, m, sizeof m - 1), "mkdir with NUL");
    static const char e[] = "\0";
    wdenied(raw_open(d, e, 1, 0, R_READ, &fd), "lone NUL");
    return esc_done("nul_in_path");
}
