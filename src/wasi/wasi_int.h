/* wasi_int.h — internal state of the WASI host shared by its source files: the context, the
 * guest fd table, preopens, preview1 constants and the helpers every host function uses. */
#ifndef BOXAGENT_WASI_INT_H
#define BOXAGENT_WASI_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "wasi/wasi.h"

/* ---------------------------------------------------------------- preview1 constants */
enum {
    FT_UNKNOWN = 0, FT_BLOCK = 1, FT_CHAR = 2, FT_DIR = 3, FT_REG = 4,
    FT_SOCK_DGRAM = 5, FT_SOCK_STREAM = 6, FT_SYMLINK = 7,
};
enum { FDF_APPEND = 1, FDF_DSYNC = 2, FDF_NONBLOCK = 4, FDF_RSYNC = 8, FDF_SYNC = 16 };
enum { OF_CREAT = 1, OF_DIRECTORY = 2, OF_EXCL = 4, OF_TRUNC = 8 };
enum { LOOKUP_SYMLINK_FOLLOW = 1 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

#define R_FD_DATASYNC (1ull << 0)
#define R_FD_READ (1ull << 1)
#define R_FD_SEEK (1ull << 2)
#define R_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define R_FD_SYNC (1ull << 4)
#define R_FD_TELL (1ull << 5)
#define R_FD_WRITE (1ull << 6)
#define R_FD_ADVISE (1ull << 7)
#define R_FD_ALLOCATE (1ull << 8)
#define R_PATH_CREATE_DIRECTORY (1ull << 9)
#define R_PATH_CREATE_FILE (1ull << 10)
#define R_PATH_LINK_SOURCE (1ull << 11)
#define R_PATH_LINK_TARGET (1ull << 12)
#define R_PATH_OPEN (1ull << 13)
#define R_FD_READDIR (1ull << 14)
#define R_PATH_READLINK (1ull << 15)
#define R_PATH_RENAME_SOURCE (1ull << 16)
#define R_PATH_RENAME_TARGET (1ull << 17)
#define R_PATH_FILESTAT_GET (1ull << 18)
#define R_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define R_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define R_FD_FILESTAT_GET (1ull << 21)
#define R_FD_FILESTAT_SET_SIZE (1ull << 22)
#define R_FD_FILESTAT_SET_TIMES (1ull << 23)
#define R_PATH_SYMLINK (1ull << 24)
#define R_PATH_REMOVE_DIRECTORY (1ull << 25)
#define R_PATH_UNLINK_FILE (1ull << 26)
#define R_POLL_FD_READWRITE (1ull << 27)
#define R_SOCK_SHUTDOWN (1ull << 28)
#define R_SOCK_ACCEPT (1ull << 29)
#define R_ALL ((1ull << 30) - 1)

/* Rights of a regular file fd opened read-only / read-write. */
#define R_FILE_READ (R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL | \
                     R_FD_ADVISE | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE)
#define R_FILE_WRITE (R_FD_DATASYNC | R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE | \
                      R_FD_FILESTAT_SET_TIMES)
/* Rights of a directory fd in a read-only / read-write tree. */
#define R_DIR_READ (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_PATH_OPEN | R_FD_READDIR | \
                    R_PATH_READLINK | R_PATH_FILESTAT_GET | R_FD_FILESTAT_GET | R_FD_ADVISE)
#define R_DIR_WRITE (R_FD_DATASYNC | R_PATH_CREATE_DIRECTORY | R_PATH_CREATE_FILE | \
                     R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_RENAME_SOURCE | \
                     R_PATH_RENAME_TARGET | R_PATH_FILESTAT_SET_SIZE | \
                     R_PATH_FILESTAT_SET_TIMES | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | \
                     R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE)
/* Rights that mean "modify the file's contents": refused outright in a read-only tree. */
#define R_CONTENT_WRITE (R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE)

/* Further errno values (wasi.h lists the common ones). */
enum {
    WASI_EAGAIN = 6, WASI_EBUSY = 10, WASI_EINTR = 27, WASI_ELOOP = 32, WASI_EMFILE = 33,
    WASI_ENOMEM = 48, WASI_ENOSPC = 51, WASI_EOVERFLOW = 61,
};

/* ---------------------------------------------------------------- state */

#define WASI_MAX_FDS 1024
#define WASI_PATH_MAX 4096

typedef struct wasi_preopen {
    char *guest;     /* name the guest sees (fd_prestat_dir_name) */
    char *host;      /* capability's host path (absolute, normalised) */
    bool writable;
    int fd;          /* host directory fd, -1 until first use */
    char *real;      /* kernel's path of fd (from /proc/self/fd), set with fd */
} wasi_preopen;

typedef struct wasi_dirent {
    uint64_t ino;
    uint8_t type;
    char *name;
} wasi_dirent;

typedef struct wasi_fd {
    bool used;
    uint8_t filetype;
    uint16_t fdflags;
    int stdio;      /* 0,1,2 for a standard stream, -1 otherwise */
    int host;       /* own host fd; -1 for stdio and for preopen entries (use pre->fd) */
    int pre;        /* index into ctx->pre of the tree it lies in, -1 for stdio */
    bool is_preopen;/* answers fd_prestat_get */
    const char *prename; /* guest name of the preopen (is_preopen) */
    uint64_t rb, ri;/* rights base / inheriting */
    wasi_dirent *dents; /* readdir snapshot */
    size_t ndents;
    bool dents_ok;
} wasi_fd;

struct wasi_ctx {
    policy_set *caps; /* owned copy, or NULL */
    char **argv;
    size_t argc;
    char **env;       /* "NAME=VALUE", only granted names */
    size_t nenv;
    wasi_stdio_mode mode[3];
    int iofd[3];
    const unsigned char *in_data;
    size_t in_len, in_pos;
    buf out[2];       /* stdout, stderr captures */
    uint64_t out_limit, out_used, out_bytes[2];
    bool out_cut;
    wasi_preopen *pre;
    size_t npre;
    char **alias;     /* per preopen: workspace-relative alias name or NULL */
    wasi_fd *fds;
    size_t nfds;      /* slots in use range [0, nfds) */
    size_t fdcap;     /* slots allocated (grows up to WASI_MAX_FDS) */
    /* run state */
    int exit_code;
    bool exited;
    uint64_t deadline_ns; /* monotonic; 0 = none */
    bool timed_out;
    char *state_real; /* kernel path of <workspace>/.boxagent (lazily) */
    uint32_t denials;
    char denial[384];
    bool ws_stat_ok;
    uint64_t ws_dev, ws_ino;
};

/* ---------------------------------------------------------------- helpers (wasi_ctx.c) */

int wasi_errno_from_host(int e);                 /* host errno -> WASI errno */
wasi_fd *wasi_fd_get(wasi_ctx *c, uint32_t fd);  /* NULL if not open */
/* Lowest free slot, -1 if the table is full. May move the table: wasi_fd pointers taken
 * before it must be fetched again. */
int wasi_fd_alloc(wasi_ctx *c);
void wasi_fd_release(wasi_fd *f);                /* close host fd, free readdir cache */
int wasi_fd_host(wasi_ctx *c, wasi_fd *f);       /* host fd (opens a preopen lazily) or -errno */
/* The policy decision for the object behind host fd `hfd` in tree `pre`, optionally followed
 * by a "/name" component: maps the kernel's path back to the capability's host path and asks
 * policy_check_path. Returns 0 or a WASI errno (ENOTCAPABLE when outside / denied). */
int wasi_check_host_fd(wasi_ctx *c, int pre, int hfd, const char *name, policy_access access);
/* Record a refusal for lack of authority (counted, last one kept for the result). */
void wasi_deny(wasi_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Timeout bookkeeping for blocking host calls: ms left (-1 = no deadline, 0 = expired). */
int wasi_ms_left(wasi_ctx *c);

/* Guest memory access. */
static inline bool wasi_mem_ok(wasm_memory *m, uint32_t off, uint64_t len)
{
    return m && wasm_memory_ptr(m, off, (size_t)len) != NULL;
}
static inline bool wasi_put32(wasm_memory *m, uint32_t off, uint32_t v)
{
    return m && wasm_memory_write(m, off, &v, 4);
}
static inline bool wasi_put64(wasm_memory *m, uint32_t off, uint64_t v)
{
    return m && wasm_memory_write(m, off, &v, 8);
}

/* Host functions of each group; defined with these names in wasi_link.c's table. */
#define WASI_FN(name) wasm_trap wasi_fn_##name(wasm_instance *in, void *user, wasm_slot *s)
#define WASI_FN_LIST(X)                                                                        \
    X(args_get, "ii:i") X(args_sizes_get, "ii:i") X(environ_get, "ii:i")                      \
    X(environ_sizes_get, "ii:i") X(clock_res_get, "ii:i") X(clock_time_get, "iIi:i")          \
    X(fd_advise, "iIIi:i") X(fd_allocate, "iII:i") X(fd_close, "i:i") X(fd_datasync, "i:i")   \
    X(fd_fdstat_get, "ii:i") X(fd_fdstat_set_flags, "ii:i") X(fd_fdstat_set_rights, "iII:i")  \
    X(fd_filestat_get, "ii:i") X(fd_filestat_set_size, "iI:i")                                \
    X(fd_filestat_set_times, "iIIi:i") X(fd_pread, "iiiIi:i") X(fd_prestat_get, "ii:i")       \
    X(fd_prestat_dir_name, "iii:i") X(fd_pwrite, "iiiIi:i") X(fd_read, "iiii:i")              \
    X(fd_readdir, "iiiIi:i") X(fd_renumber, "ii:i") X(fd_seek, "iIii:i") X(fd_sync, "i:i")    \
    X(fd_tell, "ii:i") X(fd_write, "iiii:i") X(path_create_directory, "iii:i")                \
    X(path_filestat_get, "iiiii:i") X(path_filestat_set_times, "iiiiIIi:i")                   \
    X(path_link, "iiiiiii:i") X(path_open, "iiiiiIIii:i") X(path_readlink, "iiiiii:i")        \
    X(path_remove_directory, "iii:i") X(path_rename, "iiiiii:i") X(path_symlink, "iiiii:i")   \
    X(path_unlink_file, "iii:i") X(poll_oneoff, "iiii:i") X(proc_exit, "i:")                  \
    X(proc_raise, "i:i") X(sched_yield, ":i") X(random_get, "ii:i") X(sock_accept, "iii:i")   \
    X(sock_recv, "iiiiii:i") X(sock_send, "iiiii:i") X(sock_shutdown, "ii:i")

#define WASI_DECL(name, sig) WASI_FN(name);
WASI_FN_LIST(WASI_DECL)
#undef WASI_DECL

/* Prologue of a host function: the context and memory, or a host trap if the instance has
 * no WASI context (called outside wasi_run). */
#define WASI_PROLOGUE()                                                                        \
    (void)user;                                                                                \
    wasi_ctx *c = wasm_instance_user(in);                                                      \
    if (!c) {                                                                                  \
        wasm_instance_set_trap_message(in, "WASI import called without a WASI context");      \
        return WASM_TRAP_HOST;                                                                 \
    }                                                                                          \
    wasm_memory *mem = wasm_instance_memory(in);                                               \
    (void)mem;                                                                                 \
    (void)c

#define A32(i) ((uint32_t)s[i])
#define A64(i) ((uint64_t)s[i])
#define RET(e)                                                                                 \
    do {                                                                                       \
        s[0] = (uint32_t)(e);                                                                  \
        return WASM_OK;                                                                        \
    } while (0)

/* Stdio write/read shared by fd_write/fd_read and poll (wasi_stdio.c). */
int wasi_stdio_write(wasi_ctx *c, int stream, const void *p, size_t n, size_t *done);
int wasi_stdio_read(wasi_ctx *c, void *p, size_t n, size_t *done, bool *timed_out);
/* readable bytes on stdin buffer or 1 if the host fd is readable; -1 = would block. */
int wasi_stdio_ready(wasi_ctx *c, int stream, int wait_ms, uint64_t *nbytes);

#endif
