/* relative.c — relative paths against the workspace (the guest's current directory): the
 * workspace is preopened as "." as well as under its absolute path, so "x" and "/ws/x" name
 * the same file. argv[1] is the workspace's absolute path. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    CHECK_EQ(t_write_file("rel_file.txt", "relative"), 0);
    char buf[64];
    CHECK_EQ(t_slurp(t_path(argv[1], "rel_file.txt"), buf, sizeof buf), 8);
    CHECK(!strcmp(buf, "relative"));
    CHECK_EQ(mkdir("rel_dir", 0755), 0);
    CHECK_EQ(t_write_file("rel_dir/inner.txt", "in"), 0);
    CHECK_EQ(t_slurp("./rel_dir/inner.txt", buf, sizeof buf), 2);
    CHECK_EQ(t_slurp("rel_dir/../rel_dir/inner.txt", buf, sizeof buf), 2);
    CHECK_EQ(chdir("rel_dir"), 0);
    CHECK_EQ(t_slurp("inner.txt", buf, sizeof buf), 2);
    CHECK_EQ(chdir(argv[1]), 0); /* wasi-libc keeps ".." in its cwd string: go back by name */
    CHECK_EQ(unlink("rel_dir/inner.txt"), 0);
    CHECK_EQ(rmdir("rel_dir"), 0);
    CHECK_EQ(unlink("rel_file.txt"), 0);
    return t_done("relative");
}
