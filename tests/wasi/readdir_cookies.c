/* readdir_cookies.c — fd_readdir as programs page through it: "." and ".." first-class entries
 * ("." with the directory's own inode), d_next cookies that resume right after an entry, a
 * small buffer filled to the end (a cut entry at the end is the caller's to re-read), and 1,000
 * files counted exactly once over many calls. argv[1]: a writable preopen's guest name.
 * Not run under Node's node:wasi, which lists neither "." nor ".." and gives no inodes. */
#include <stdlib.h>

#include "t.h"

#define BUF 256

typedef struct ent {
    __wasi_dirent_t d;
    char name[256];
} ent;

/* One call from `cookie`: the whole entries in the buffer; *eof when the buffer was not filled. */
static size_t read_some(__wasi_fd_t fd, __wasi_dircookie_t cookie, ent *out, size_t max, int *eof)
{
    static uint8_t buf[BUF];
    __wasi_size_t used = 0;
    CHECK_EQ(__wasi_fd_readdir(fd, buf, BUF, cookie, &used), 0);
    CHECK(used <= BUF);
    *eof = used < BUF;
    size_t n = 0, off = 0;
    while (n < max && off + sizeof(__wasi_dirent_t) <= used) {
        __wasi_dirent_t d;
        memcpy(&d, buf + off, sizeof d);
        if (off + sizeof d + d.d_namlen > used) break; /* cut at the end of the buffer */
        out[n].d = d;
        size_t l = d.d_namlen < 255 ? d.d_namlen : 255;
        memcpy(out[n].name, buf + off + sizeof d, l);
        out[n].name[l] = 0;
        n++;
        off += sizeof d + d.d_namlen;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    int pre = t_preopen(argv[1]);
    CHECK(pre >= 0);
    if (pre < 0) return t_done("readdir_cookies");
    CHECK_EQ(__wasi_path_create_directory(pre, "rd"), 0);
    __wasi_fd_t dir;
    CHECK_EQ(__wasi_path_open(pre, 0, "rd", __WASI_OFLAGS_DIRECTORY,
                              __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR |
                                  __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_OPEN |
                                  __WASI_RIGHTS_PATH_UNLINK_FILE,
                              __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                  __WASI_RIGHTS_FD_FILESTAT_GET,
                              0, &dir), 0);
    __wasi_filestat_t dst;
    CHECK_EQ(__wasi_fd_filestat_get(dir, &dst), 0);

    static ent e[64];
    int eof = 0;
    size_t n = read_some(dir, 0, e, 64, &eof);
    CHECK(eof);
    CHECK_EQ(n, 2);
    int dot = -1, dotdot = -1;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(e[i].name, ".")) dot = (int)i;
        if (!strcmp(e[i].name, "..")) dotdot = (int)i;
    }
    CHECK(dot >= 0 && dotdot >= 0);
    if (dot >= 0) {
        CHECK_EQ(e[dot].d.d_type, __WASI_FILETYPE_DIRECTORY);
        CHECK_EQ(e[dot].d.d_ino, dst.ino);
        CHECK_EQ(e[dot].d.d_namlen, 1);
    }
    if (dotdot >= 0) CHECK_EQ(e[dotdot].d.d_type, __WASI_FILETYPE_DIRECTORY);

    /* one file: its type and inode; resuming from the second entry's cookie gives the third */
    __wasi_fd_t f;
    CHECK_EQ(__wasi_path_open(dir, 0, "file", __WASI_OFLAGS_CREAT,
                              __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &f), 0);
    __wasi_filestat_t fst;
    CHECK_EQ(__wasi_fd_filestat_get(f, &fst), 0);
    CHECK_EQ(__wasi_fd_close(f), 0);
    n = read_some(dir, 0, e, 64, &eof);
    CHECK(eof);
    CHECK_EQ(n, 3);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(e[i].name, "file")) {
            CHECK_EQ(e[i].d.d_type, __WASI_FILETYPE_REGULAR_FILE);
            CHECK_EQ(e[i].d.d_ino, fst.ino);
        }
    if (n == 3) {
        char last[256];
        strcpy(last, e[2].name);
        size_t m = read_some(dir, e[1].d.d_next, e, 64, &eof);
        CHECK(eof);
        CHECK_EQ(m, 1);
        CHECK(m == 1 && !strcmp(e[0].name, last));
    }
    CHECK_EQ(__wasi_path_unlink_file(dir, "file"), 0);

    /* 1,000 files through a 256-byte buffer: every entry exactly once */
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "file.%d", i);
        CHECK_EQ(__wasi_path_open(dir, 0, name, __WASI_OFLAGS_CREAT, 0, 0, 0, &f), 0);
        CHECK_EQ(__wasi_fd_close(f), 0);
    }
    static unsigned char seen[1000];
    size_t total = 0, dup = 0, calls = 0;
    __wasi_dircookie_t cookie = 0;
    for (;;) {
        n = read_some(dir, cookie, e, 64, &eof);
        calls++;
        total += n;
        for (size_t i = 0; i < n; i++) {
            int k;
            if (sscanf(e[i].name, "file.%d", &k) == 1 && k >= 0 && k < 1000 && seen[k]++) dup++;
        }
        if (eof || !n || calls > 5000) break;
        cookie = e[n - 1].d.d_next;
    }
    CHECK_EQ(total, 1002);
    CHECK_EQ(dup, 0);
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "file.%d", i);
        CHECK_EQ(__wasi_path_unlink_file(dir, name), 0);
    }
    CHECK_EQ(__wasi_fd_close(dir), 0);
    CHECK_EQ(__wasi_path_remove_directory(pre, "rd"), 0);
    return t_done("readdir_cookies");
}
