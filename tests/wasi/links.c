/* links.c — symlinks and hard links inside a writable directory (argv[1]): symlink, readlink
 * (with a short buffer), lstat vs stat, opening through a symlink, O_NOFOLLOW, hard links and
 * their link counts, unlinking links, dangling links. */
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
    char d[512];
    snprintf(d, sizeof d, "%s/links_t", base);
    CHECK_EQ(mkdir(d, 0755), 0);
    CHECK_EQ(mkdir(t_path(d, "sub"), 0755), 0);
    CHECK_EQ(t_write_file(t_path(d, "target.txt"), "payload"), 0);
    CHECK_EQ(symlink("target.txt", t_path(d, "ln")), 0);
    CHECK_ERR(symlink("target.txt", t_path(d, "ln")), EEXIST);
    STRICT CHECK_EQ(symlink("../target.txt", t_path(d, "sub/up")), 0);
    CHECK_EQ(symlink("sub", t_path(d, "dirln")), 0);
    char buf[128] = {0};
    CHECK_EQ(readlink(t_path(d, "ln"), buf, sizeof buf), 10);
    CHECK(!memcmp(buf, "target.txt", 10));
    memset(buf, 0, sizeof buf);
    STRICT CHECK_EQ(readlink(t_path(d, "ln"), buf, 4), 4); /* truncated */
    STRICT CHECK(!memcmp(buf, "targ", 4));
    CHECK_ERR(readlink(t_path(d, "target.txt"), buf, sizeof buf), EINVAL);
    struct stat st, lst;
    CHECK_EQ(stat(t_path(d, "ln"), &st), 0);
    CHECK_EQ(lstat(t_path(d, "ln"), &lst), 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK(S_ISLNK(lst.st_mode));
    CHECK_EQ(st.st_size, 7);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(t_slurp(t_path(d, "ln"), buf, sizeof buf), 7);
    CHECK(!strcmp(buf, "payload"));
    memset(buf, 0, sizeof buf);
    STRICT CHECK_EQ(t_slurp(t_path(d, "sub/up"), buf, sizeof buf), 7);
    STRICT CHECK_EQ(t_slurp(t_path(d, "dirln/up"), buf, sizeof buf), 7);
    STRICT CHECK_ERR(open(t_path(d, "ln"), O_RDONLY | O_NOFOLLOW), ELOOP);
    /* Hard links. */
    CHECK_EQ(link(t_path(d, "target.txt"), t_path(d, "hard")), 0);
    CHECK_EQ(stat(t_path(d, "target.txt"), &st), 0);
    CHECK_EQ(st.st_nlink, 2);
    CHECK_ERR(link(t_path(d, "target.txt"), t_path(d, "hard")), EEXIST);
    CHECK_ERR(link(t_path(d, "missing"), t_path(d, "hard2")), ENOENT);
    CHECK(link(t_path(d, "sub"), t_path(d, "subhard")) != 0); /* no directory hard links */
    /* Dangling symlink: lstat works, stat fails, unlink removes it. */
    CHECK_EQ(symlink("nowhere", t_path(d, "dangling")), 0);
    CHECK_EQ(lstat(t_path(d, "dangling"), &lst), 0);
    CHECK_ERR(stat(t_path(d, "dangling"), &st), ENOENT);
    /* Symlink loop. */
    CHECK_EQ(symlink("loop2", t_path(d, "loop1")), 0);
    CHECK_EQ(symlink("loop1", t_path(d, "loop2")), 0);
    CHECK_ERR(open(t_path(d, "loop1"), O_RDONLY), ELOOP);
    const char *names[] = {"ln", "hard", "dangling", "loop1", "loop2", "dirln", "sub/up",
                           "target.txt"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (t_strict() || strcmp(names[i], "sub/up"))
            CHECK_EQ(unlink(t_path(d, names[i])), 0);
    CHECK_EQ(rmdir(t_path(d, "sub")), 0);
    CHECK_EQ(rmdir(d), 0);
    return t_done("links");
}
