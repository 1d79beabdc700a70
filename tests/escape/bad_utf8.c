/* bad_utf8.c — escape attempt: encoding tricks: overlong '.', invalid bytes, surrogates, look-alikes. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int d = preopen(WS), fd;
    static const char a[] = "\xc0\xae\xc0\xae/outside/secret.txt";
    wdenied(raw_open(d, a, sizeof a - 1, 0, R_READ, &fd), "overlong ..");
    static const char b[] = "\xe0\x80\xae\xe0\x80\xae/outside/secret.txt";
    wdenied(raw_open(d, b, sizeof b - 1, 0, R_READ, &fd), "3-byte overlong ..");
    static const char c[] = "\xff\xfe";
    wdenied(raw_open(d, c, sizeof c - 1, 0, R_READ, &fd), "invalid bytes");
    static const char s[] = "\xed\xa0\x80";
    wdenied(raw_open(d, s, sizeof s - 1, 0, R_READ, &fd), "surrogate");
    no_read(ws("%2e%2e/outside/secret.txt"));
    no_read(ws("..\\outside\\secret.txt"));
    no_read(ws("\xe2\x80\xa4\xe2\x80\xa4/outside/secret.txt")); /* one-dot leaders */
    return esc_done("bad_utf8");
}
