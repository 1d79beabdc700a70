/* dotdot_final.c — escape attempt: '..' and '.' as the final component of mutating calls. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int p = preopen(WS);
    wdenied(__wasi_path_unlink_file(p, ".."), "unlink ..");
    wdenied(__wasi_path_create_directory(p, ".."), "mkdir ..");
    wdenied(__wasi_path_remove_directory(p, ".."), "rmdir ..");
    wdenied(__wasi_path_remove_directory(p, "."), "rmdir .");
    wdenied(__wasi_path_rename(p, "..", p, "x"), "rename ..");
    wdenied(__wasi_path_rename(p, "file.txt", p, ".."), "rename onto ..");
    __wasi_filestat_t st;
    wdenied(__wasi_path_filestat_get(p, 0, "..", &st), "stat ..");
    wdenied(__wasi_path_filestat_get(p, 0, "sub/../..", &st), "stat sub/../..");
    wdenied(__wasi_path_symlink("x", p, ".."), "symlink at ..");
    wdenied(__wasi_path_link(p, 0, "file.txt", p, ".."), "link at ..");
    return esc_done("dotdot_final");
}
