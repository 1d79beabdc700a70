/* fifo_fds.c — resource edges in a writable directory (argv[1]): the fd table is bounded
 * (opening past it fails with EMFILE/ENFILE, closing frees numbers again), and a FIFO the
 * host left there (argv[1]/fifo, no writer) never blocks the guest. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char p[512];
    snprintf(p, sizeof p, "%s/fifo_fds.txt", argv[1]);
    CHECK_EQ(t_write_file(p, "x"), 0);
    static int fds[2000];
    int n = 0, err = 0;
    for (; n < 2000; n++) {
        fds[n] = open(p, O_RDONLY);
        if (fds[n] < 0) {
            err = errno;
            break;
        }
    }
    STRICT CHECK(n > 900 && n < 1100);
    STRICT CHECK(err == EMFILE || err == ENFILE);
    for (int i = 0; i < n; i++)
        CHECK_EQ(close(fds[i]), 0);
    int fd = open(p, O_RDONLY);
    CHECK(fd >= 0);
    close(fd);
    CHECK_EQ(unlink(p), 0);

    snprintf(p, sizeof p, "%s/fifo", argv[1]);
    fd = t_strict() ? open(p, O_RDONLY) : -1; /* Node blocks in open() on a FIFO */
    if (fd >= 0) {
        char b[8];
        ssize_t k = read(fd, b, sizeof b); /* no writer: EOF or EAGAIN, never a hang */
        CHECK(k == 0 || (k < 0 && errno == EAGAIN));
        close(fd);
    }
    return t_done("fifo_fds");
}
