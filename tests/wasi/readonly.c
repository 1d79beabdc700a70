/* readonly.c — a read: grant (argv[1], containing ro.txt = "read-only\n" and dir sub/):
 * reading, listing and stat work; every kind of modification is refused. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *base = argv[1];
    char f[512];
    snprintf(f, sizeof f, "%s/ro.txt", base);
    char buf[64];
    CHECK_EQ(t_slurp(f, buf, sizeof buf), 10);
    CHECK(!strcmp(buf, "read-only\n"));
    struct stat st;
    CHECK_EQ(stat(f, &st), 0);
    DIR *d = opendir(base);
    CHECK(d != NULL);
    int n = 0;
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    CHECK(n >= 4);
    CHECK(open(f, O_WRONLY) < 0);
    CHECK(open(f, O_RDWR) < 0);
    CHECK(open(f, O_WRONLY | O_APPEND) < 0);
    CHECK(open(f, O_RDONLY | O_TRUNC) < 0);
    CHECK(open(t_path(base, "new.txt"), O_WRONLY | O_CREAT, 0644) < 0);
    CHECK(mkdir(t_path(base, "newdir"), 0755) < 0);
    CHECK(rmdir(t_path(base, "sub")) < 0);
    CHECK(unlink(f) < 0);
    CHECK(rename(f, t_path(base, "moved.txt")) < 0);
    CHECK(symlink("ro.txt", t_path(base, "ln")) < 0);
    CHECK(link(f, t_path(base, "hard")) < 0);
    struct timespec ts[2] = {{1, 0}, {1, 0}};
    CHECK(utimensat(AT_FDCWD, f, ts, 0) < 0);
    int fd = open(f, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(write(fd, "x", 1) < 0);
    CHECK(ftruncate(fd, 0) < 0);
    CHECK(futimens(fd, ts) < 0);
    CHECK(posix_fallocate(fd, 0, 100) != 0);
    close(fd);
    CHECK_EQ(t_slurp(f, buf, sizeof buf), 10);
    CHECK_EQ(stat(f, &st), 0);
    CHECK(st.st_mtim.tv_sec != 1);
    return t_done("readonly");
}
