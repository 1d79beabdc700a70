/* files.c — regular files in a writable directory (argv[1]): create/exclusive/truncate/append
 * opens, read, write, pread, pwrite, seek, tell, fstat, ftruncate, fsync, fdatasync, fadvise,
 * fallocate, fcntl flags, futimens, close; errors for misuse. */
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
    char p[512];
    snprintf(p, sizeof p, "%s/files_a.txt", base);
    unlink(p);
    int fd = open(p, O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    CHECK_ERR(open(p, O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_EQ(write(fd, "hello world", 11), 11);
    off_t pos = lseek(fd, 0, SEEK_CUR);
    CHECK_EQ(pos, 11);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    char buf[64] = {0};
    CHECK_EQ(read(fd, buf, sizeof buf), 11);
    CHECK(!memcmp(buf, "hello world", 11));
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    CHECK_EQ(pwrite(fd, "WORLD", 5, 6), 5);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(pread(fd, buf, 5, 6), 5);
    CHECK(!memcmp(buf, "WORLD", 5));
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11); /* pread/pwrite leave the offset alone */
    CHECK_EQ(lseek(fd, -5, SEEK_END), 6);
    CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
    __wasi_filesize_t np;
    CHECK_EQ(__wasi_fd_seek(fd, 0, 7, &np), __WASI_ERRNO_INVAL);
    CHECK_EQ(__wasi_fd_tell(fd, &np), 0);
    CHECK_EQ(np, 6);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 11);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(ftruncate(fd, 5), 0);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 5);
    CHECK_EQ(ftruncate(fd, 100), 0);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 100);
    CHECK_EQ(fsync(fd), 0);
    CHECK_EQ(fdatasync(fd), 0);
    CHECK_EQ(posix_fadvise(fd, 0, 10, POSIX_FADV_SEQUENTIAL), 0);
    CHECK_EQ(posix_fadvise(fd, 0, 10, 99), EINVAL);
    CHECK_EQ(posix_fallocate(fd, 0, 4096), 0);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 4096);
    struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
    CHECK_EQ(futimens(fd, ts), 0);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_mtim.tv_sec, 1200000000);
    CHECK_EQ(st.st_atim.tv_sec, 1000000000);
    CHECK_EQ(__wasi_fd_filestat_set_times(fd, 1, 2, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
             __WASI_ERRNO_INVAL);
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(close(fd), EBADF);
    CHECK_ERR(write(fd, "x", 1), EBADF);

    /* O_TRUNC and O_APPEND. */
    fd = open(p, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(write(fd, "abc", 3), 3);
    CHECK_ERR(read(fd, buf, 1), EBADF); /* write-only */
    close(fd);
    fd = open(p, O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "def", 3), 3);
    int fl = fcntl(fd, F_GETFL);
    STRICT CHECK(fl & O_APPEND);
    CHECK_EQ(fcntl(fd, F_SETFL, fl & ~O_APPEND), 0);
    STRICT CHECK(!(fcntl(fd, F_GETFL) & O_APPEND));
    close(fd);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(t_slurp(p, buf, sizeof buf), 6);
    CHECK(!strcmp(buf, "abcdef"));
    /* Read-only fd refuses writes; stdio-style FILE works. */
    fd = open(p, O_RDONLY);
    CHECK(fd >= 0);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK(ftruncate(fd, 0) != 0);
    close(fd);
    FILE *f = fopen(t_path(base, "files_b.txt"), "w");
    CHECK(f != NULL);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d\n", i);
    CHECK_EQ(fclose(f), 0);
    f = fopen(t_path(base, "files_b.txt"), "r");
    CHECK(f != NULL);
    int lines = 0;
    char line[64];
    while (f && fgets(line, sizeof line, f))
        lines++;
    CHECK_EQ(lines, 1000);
    if (f)
        fclose(f);
    /* Missing files and directories as files. */
    CHECK_ERR(open(t_path(base, "nope/x"), O_RDONLY), ENOENT);
    CHECK_ERR(open(t_path(base, "files_a.txt/x"), O_RDONLY), ENOTDIR);
    CHECK_ERR(open(base, O_WRONLY), EISDIR);
    CHECK_EQ(unlink(p), 0);
    CHECK_EQ(unlink(t_path(base, "files_b.txt")), 0);
    return t_done("files");
}
