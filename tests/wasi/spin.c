/* spin.c — for limit tests: "loop" spins forever, "deep" recurses without end, "grow"
 * allocates until memory runs out, "spew N" writes N bytes to stdout, "sleep MS" sleeps. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "t.h"

static volatile unsigned sink;
static char *volatile held;

static unsigned deep(unsigned n)
{
    volatile char pad[64];
    pad[n % 64] = (char)n;
    if (n == 0xffffffffu)
        return 0;
    return deep(n + 1) + pad[0];
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "loop"))
        for (;;)
            sink++;
    if (!strcmp(what, "deep"))
        return (int)deep(0);
    if (!strcmp(what, "grow")) {
        for (;;) {
            char *p = malloc(1 << 20);
            if (!p) {
                printf("malloc failed\n");
                return 3;
            }
            memset(p, 1, 1 << 20);
            sink += (unsigned char)p[sink % (1 << 20)];
            held = p;
        }
    }
    if (!strcmp(what, "spew")) {
        long n = argc > 2 ? atol(argv[2]) : 0;
        static char line[1000];
        memset(line, 'x', sizeof line);
        while (n > 0) {
            long k = n < (long)sizeof line ? n : (long)sizeof line;
            if (fwrite(line, 1, (size_t)k, stdout) != (size_t)k)
                return 4;
            n -= k;
        }
        return fflush(stdout) ? 4 : 0;
    }
    if (!strcmp(what, "sleep")) {
        long ms = argc > 2 ? atol(argv[2]) : 0;
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
        return 0;
    }
    if (!strcmp(what, "hello")) {
        printf("hello, world\n");
        return 0;
    }
    return 2;
}
