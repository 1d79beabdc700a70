/* dirs.c — directories in a writable directory (argv[1]): mkdir, rmdir, readdir over many
 * entries (several fd_readdir calls, cookies, rewind), rename of files and directories, stat,
 * unlink, utimensat, and the errors for misuse. */
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
    char d[512];
    snprintf(d, sizeof d, "%s/dirs_t", base);
    CHECK_EQ(mkdir(d, 0755), 0);
    CHECK_ERR(mkdir(d, 0755), EEXIST);
    struct stat st;
    CHECK_EQ(stat(d, &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    /* 300 entries with long names: more than one fd_readdir buffer. */
    char name[600];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "%s/entry_%03d_padding_padding_padding_padding_padding", d, i);
        CHECK_EQ(t_write_file(name, "x"), 0);
    }
    CHECK_EQ(mkdir(t_path(d, "subdir"), 0755), 0);
    for (int pass = 0; pass < 2; pass++) {
        DIR *dir = opendir(d);
        CHECK(dir != NULL);
        if (!dir)
            break;
        int files = 0, dots = 0, subdirs = 0;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                dots++;
            else if (!strncmp(de->d_name, "entry_", 6)) {
                files++;
                CHECK_EQ(de->d_type, DT_REG);
            } else if (!strcmp(de->d_name, "subdir")) {
                subdirs++;
                CHECK_EQ(de->d_type, DT_DIR);
            }
        }
        CHECK_EQ(files, 300);
        STRICT CHECK_EQ(dots, 2);
        CHECK_EQ(subdirs, 1);
        /* rewinddir gives the same listing again. */
        rewinddir(dir);
        int again = 0;
        while ((de = readdir(dir)) != NULL)
            again++;
        STRICT CHECK_EQ(again, 303);
        closedir(dir);
    }
    /* Raw readdir with a tiny buffer still makes progress (truncated entries). */
    int dfd = open(d, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    unsigned char small[30];
    __wasi_size_t used;
    CHECK_EQ(__wasi_fd_readdir(dfd, small, sizeof small, 0, &used), 0);
    CHECK_EQ(used, sizeof small);
    __wasi_dirent_t de0;
    memcpy(&de0, small, sizeof de0);
    CHECK_EQ(de0.d_next, 1);
    CHECK_EQ(__wasi_fd_readdir(dfd, small, sizeof small, 100000, &used), 0);
    CHECK_EQ(used, 0);
    int ffd = open(t_path(base, "dirs_t/subdir/../entry_000_padding_padding_padding_padding_padding"),
                   O_RDONLY);
    CHECK(ffd >= 0);
    STRICT CHECK_EQ(__wasi_fd_readdir(ffd, small, sizeof small, 0, &used), __WASI_ERRNO_NOTDIR);
    close(ffd);
    close(dfd);
    /* Renames. */
    CHECK_EQ(rename(t_path(d, "entry_000_padding_padding_padding_padding_padding"),
                    t_path(d, "renamed")), 0);
    CHECK_EQ(stat(t_path(d, "renamed"), &st), 0);
    CHECK_ERR(stat(t_path(d, "entry_000_padding_padding_padding_padding_padding"), &st), ENOENT);
    CHECK_EQ(rename(t_path(d, "subdir"), t_path(d, "subdir2")), 0);
    CHECK_EQ(stat(t_path(d, "subdir2"), &st), 0);
    CHECK_ERR(rename(t_path(d, "nonexistent"), t_path(d, "x")), ENOENT);
    /* rmdir of a non-empty directory fails; unlink of a directory fails. */
    CHECK_ERR(rmdir(d), ENOTEMPTY);
    CHECK(unlink(t_path(d, "subdir2")) != 0);
    CHECK_ERR(rmdir(t_path(d, "renamed")), ENOTDIR);
    /* utimensat on a path. */
    struct timespec ts[2] = {{1000000000, 0}, {1100000000, 0}};
    CHECK_EQ(utimensat(AT_FDCWD, t_path(d, "renamed"), ts, 0), 0);
    CHECK_EQ(stat(t_path(d, "renamed"), &st), 0);
    CHECK_EQ(st.st_mtim.tv_sec, 1100000000);
    /* Clean up. */
    CHECK_EQ(unlink(t_path(d, "renamed")), 0);
    for (int i = 1; i < 300; i++) {
        snprintf(name, sizeof name, "%s/entry_%03d_padding_padding_padding_padding_padding", d, i);
        CHECK_EQ(unlink(name), 0);
    }
    CHECK_EQ(rmdir(t_path(d, "subdir2")), 0);
    CHECK_EQ(rmdir(d), 0);
    CHECK_ERR(rmdir(d), ENOENT);
    CHECK_ERR(opendir(d) ? 0 : -1, ENOENT);
    return t_done("dirs");
}
