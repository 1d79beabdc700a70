/* chaos.c — escape attempt by volume: 20,000 raw WASI calls with arguments drawn from nasty
 * sets (fds never given, pointers at and past the end of memory, huge lengths, hostile paths,
 * every flag bit) from a fixed seed. The host must answer each with an errno or a result —
 * never trap, never crash — and no read may ever return the outside secret. */
#include <dirent.h>
#include <stdlib.h>

#include "esc.h"

int32_t raw_fd_pread(int32_t fd, const void *iovs, int32_t n, int64_t off, void *nr) RAW(fd_pread);
int32_t raw_fd_readdir(int32_t fd, void *buf, int32_t len, int64_t cookie, void *used)
    RAW(fd_readdir);
int32_t raw_path_readlink(int32_t fd, const char *p, int32_t l, void *buf, int32_t bl, void *used)
    RAW(path_readlink);
int32_t raw_fd_seek(int32_t fd, int64_t off, int32_t whence, void *out) RAW(fd_seek);
int32_t raw_fd_fdstat_get(int32_t fd, void *out) RAW(fd_fdstat_get);
int32_t raw_fd_filestat_get(int32_t fd, void *out) RAW(fd_filestat_get);
int32_t raw_fd_renumber(int32_t a, int32_t b) RAW(fd_renumber);
int32_t raw_fd_close(int32_t a) RAW(fd_close);
int32_t raw_path_remove_directory(int32_t fd, const char *p, int32_t l) RAW(path_remove_directory);
int32_t raw_poll_oneoff(const void *in, void *out, int32_t n, void *nev) RAW(poll_oneoff);
int32_t raw_fd_prestat_dir_name(int32_t fd, void *p, int32_t l) RAW(fd_prestat_dir_name);
int32_t raw_environ_get(void *a, void *b) RAW(environ_get);
int32_t raw_fd_filestat_set_size(int32_t fd, int64_t sz) RAW(fd_filestat_set_size);
int32_t raw_fd_allocate(int32_t fd, int64_t off, int64_t len) RAW(fd_allocate);

static uint64_t st = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return (uint32_t)(st >> 16);
}

static unsigned char mem[4096];
static int secrets;

static uint32_t any_fd(void)
{
    static const uint32_t fds[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 63, 1023, 1024,
                                   0x7fffffff, 0xffffffffu};
    return fds[rnd() % (sizeof fds / sizeof fds[0])];
}

static void *any_ptr(void)
{
    switch (rnd() % 6) {
    case 0: return (void *)0;
    case 1: return (void *)0xfffffff0u;
    case 2: return (void *)(uintptr_t)(0xffffffffu - (rnd() % 64));
    case 3: return (void *)(uintptr_t)rnd();
    default: return mem + (rnd() % 2048);
    }
}

static int32_t any_len(void)
{
    switch (rnd() % 5) {
    case 0: return 0;
    case 1: return (int32_t)(rnd() % 64);
    case 2: return 0x7fffffff;
    case 3: return (int32_t)rnd();
    default: return (int32_t)(rnd() % 2048);
    }
}

static const char *paths[] = {
    "file.txt", "..", ".", "../outside/secret.txt", "abs_link", "rel_link", "dir_link/secret.txt",
    "proc_root/etc/passwd", "proc_fd/3", ".boxagent/config.json", "sneaky/token",
    ".git/hooks/pre-commit", ".bashrc", "sub", "sub/../..", "x/../../..", "chaos_a", "chaos_b",
    "chaos_dir", "chaos_dir/chaos_c", "", "/", "/etc/passwd", "a\0b", "\xc0\xae\xc0\xae",
    "host_dangling", "gitlink/config", "file.txt/", "sub//..//..", "./././..",
};

static const char *any_path(int32_t *len)
{
    if (rnd() % 8 == 0) {
        *len = any_len();
        return any_ptr();
    }
    const char *p = paths[rnd() % (sizeof paths / sizeof paths[0])];
    *len = p[0] == 'a' && p[1] == 0 && p[2] == 'b' ? 3 : (int32_t)strlen(p);
    if (!strcmp(p, "a"))
        *len = 3;
    return p;
}

static void look(const void *p, size_t n)
{
    if (n > sizeof mem)
        n = sizeof mem;
    if ((const unsigned char *)p >= mem && (const unsigned char *)p + n <= mem + sizeof mem)
        for (size_t i = 0; i + 6 <= n; i++)
            if (!memcmp((const char *)p + i, "SECRET", 6))
                secrets++;
}

int main(int argc, char **argv)
{
    esc_init(argc, argv);
    int32_t errors = 0, oks = 0;
    for (int i = 0; i < 20000; i++) {
        int32_t l1, l2, e = 0;
        const char *p1 = any_path(&l1), *p2 = any_path(&l2);
        uint32_t iov[4] = {(uint32_t)(uintptr_t)(mem + 1024), 512, (uint32_t)(uintptr_t)any_ptr(),
                           (uint32_t)any_len()};
        void *ivp = rnd() % 4 ? (void *)iov : any_ptr();
        int32_t niov = rnd() % 4 ? (int32_t)(1 + rnd() % 2) : any_len();
        memset(mem + 1024, 0, 512);
        switch (rnd() % 20) {
        case 0: e = raw_path_open(any_fd(), (int32_t)(rnd() % 4), p1, l1, (int32_t)(rnd() % 16),
                                  (int64_t)((uint64_t)rnd() << 32 | rnd()), -1, (int32_t)(rnd() % 32),
                                  rnd() % 4 ? (int32_t *)(mem + 8) : any_ptr());
                break;
        case 1: e = raw_fd_read(any_fd(), ivp, niov, any_ptr()); look(mem + 1024, 512); break;
        case 2: e = raw_fd_pread(any_fd(), ivp, niov, (int64_t)rnd(), mem + 16); look(mem + 1024, 512); break;
        case 3: e = raw_fd_write(any_fd() % 2 ? 1 : any_fd(), ivp, niov, any_ptr()); break;
        case 4: e = raw_path_symlink(p1, l1, any_fd(), p2, l2); break;
        case 5: e = raw_path_link(any_fd(), (int32_t)(rnd() % 3), p1, l1, any_fd(), p2, l2); break;
        case 6: e = raw_path_rename(any_fd(), p1, l1, any_fd(), p2, l2); break;
        case 7: e = raw_path_filestat_get(any_fd(), (int32_t)(rnd() % 3), p1, l1, any_ptr()); break;
        case 8: e = raw_path_create_directory(any_fd(), p1, l1); break;
        case 9: e = raw_path_unlink_file(any_fd(), p1, l1); break;
        case 10: e = raw_path_remove_directory(any_fd(), p1, l1); break;
        case 11: e = raw_fd_readdir(any_fd(), any_ptr(), any_len(), (int64_t)(rnd() % 8), any_ptr()); break;
        case 12: e = raw_path_readlink(any_fd(), p1, l1, mem + 1024, any_len(), mem + 32); look(mem + 1024, 512); break;
        case 13: e = raw_fd_seek(any_fd(), (int64_t)(int32_t)rnd(), (int32_t)(rnd() % 4), any_ptr()); break;
        case 14: e = rnd() % 2 ? raw_fd_fdstat_get(any_fd(), any_ptr()) : raw_fd_filestat_get(any_fd(), any_ptr()); break;
        case 15: {
            /* keep stdio and the preopens most of the time: chaos among fds we opened */
            uint32_t a = any_fd(), b = any_fd();
            if (a > 5 && b > 5) e = rnd() % 2 ? raw_fd_renumber((int32_t)a, (int32_t)b) : raw_fd_close((int32_t)a);
            break;
        }
        case 16: {
            unsigned char sub[96]; /* two subscriptions, short clocks only */
            memset(sub, 0, sizeof sub);
            for (int k = 0; k < 2; k++) {
                sub[48 * k + 8] = (unsigned char)(rnd() % 4);
                uint32_t fd = any_fd();
                memcpy(sub + 48 * k + 16, &fd, 4);
                uint64_t t = rnd() % 1000;
                memcpy(sub + 48 * k + 24, &t, 8);
            }
            e = raw_poll_oneoff(rnd() % 8 ? (void *)sub : (void *)0xfffffff0u, rnd() % 4 ? (void *)(mem + 64) : any_ptr(),
                                (int32_t)(rnd() % 3), any_ptr());
            break;
        }
        case 17: e = raw_fd_prestat_dir_name(any_fd(), any_ptr(), any_len()); break;
        case 18: e = raw_environ_get(any_ptr(), any_ptr()); break;
        default: e = rnd() % 2 ? raw_fd_filestat_set_size(any_fd(), (int64_t)(rnd() % 100))
                               : raw_fd_allocate(any_fd(), 0, (int64_t)(rnd() % 100)); break;
        }
        if (e)
            errors++;
        else
            oks++;
    }
    printf("  %d calls answered with an errno, %d succeeded, no trap\n", errors, oks);
    if (secrets) {
        esc_escapes++;
        printf("  ESCAPE: the secret appeared in guest memory %d times\n", secrets);
    } else {
        esc_denials++;
    }
    return esc_done("chaos");
}
