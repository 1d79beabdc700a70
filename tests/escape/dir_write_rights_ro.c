/* dir_write_rights_ro.c — escape attempt: directory fds with write rights through a read-only grant. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include "esc.h"

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int r = preopen(RO), fd;
    wdenied(raw_open(r, ".", 1, __WASI_OFLAGS_DIRECTORY, R_ALL, &fd), "open . with all rights");
    wdenied(raw_open(r, "sub", 3, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_PATH_OPEN, &fd), "open sub with FD_WRITE");
    int e = raw_open(r, "sub", 3, __WASI_OFLAGS_DIRECTORY,
                     __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_CREATE_DIRECTORY, &fd);
    if (e == 0) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) != 0) return 2;
        if (st.fs_rights_base & (__WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_CREATE_DIRECTORY)) {
            esc_escapes++;
            printf("  ESCAPE: directory fd in a read grant holds create rights\n");
        }
        int o;
        wdenied(raw_open(fd, "new.txt", 7, __WASI_OFLAGS_CREAT, R_ALL, &o), "create through it");
        wdenied(raw_path_create_directory(fd, "nd", 2), "mkdir through it");
    }
    return esc_done("dir_write_rights_ro");
}
