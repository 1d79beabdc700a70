/* wasi_ctx.c — WASI context lifetime: options and capabilities turned into argv/env/stdio and
 * preopens, the guest fd table, and the policy check that maps a kernel path back to a grant. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "wasi/wasi_int.h"

static void set_err(char *err, size_t errlen, const char *msg, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s%s%s", msg, arg ? ": " : "", arg ? arg : "");
}

/* Grant order: a later preopen wins ties in wasi-libc's longest-prefix lookup. */
/* "/a/b" -> "/a", "/a" -> "/"; NULL unless `path` is absolute with a last component. */
static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (path[0] != '/' || !slash || !slash[1])
        return NULL;
    return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

static int find_pre(wasi_ctx *c, const char *host, const char *guest)
{
    for (size_t i = 0; i < c->npre; i++)
        if (!strcmp(c->pre[i].host, host) && !strcmp(c->pre[i].guest, guest))
            return (int)i;
    return -1;
}

static void add_fd_entry(wasi_ctx *c, int pre, const char *name)
{
    wasi_fd *f = &c->fds[c->nfds++];
    memset(f, 0, sizeof *f);
    f->used = true;
    f->stdio = -1;
    f->host = -1;
    f->pre = pre;
    f->is_preopen = true;
    f->prename = name;
    f->filetype = FT_DIR;
    f->rb = R_DIR_READ | (c->pre[pre].writable ? R_DIR_WRITE : 0);
    /* Inheriting includes file write rights even in a read-only tree, so that wasi-libc asks
     * for them on O_WRONLY/O_RDWR and path_open can refuse at open time. */
    f->ri = R_DIR_READ | R_FILE_READ | R_FILE_WRITE | (c->pre[pre].writable ? R_DIR_WRITE : 0);
}

/* Workspace-relative alias of an in-workspace grant ("." for the workspace itself), or NULL. */
static char *alias_of(const char *ws, const char *host)
{
    if (!ws)
        return NULL;
    size_t n = strlen(ws);
    if (!strcmp(ws, host))
        return xstrdup(".");
    if (!strcmp(ws, "/"))
        return host[1] ? xstrdup(host + 1) : NULL;
    if (!strncmp(ws, host, n) && host[n] == '/' && host[n + 1])
        return xstrdup(host + n + 1);
    return NULL;
}

wasi_ctx *wasi_new(const policy_set *caps, const wasi_options *o, char *err, size_t errlen)
{
    wasi_options none;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (o->argc && !o->argv) {
        set_err(err, errlen, "wasi: argc without argv", NULL);
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        wasi_stdio_mode m = i == 0 ? o->stdin_mode : i == 1 ? o->stdout_mode : o->stderr_mode;
        if (m != WASI_STDIO_BUFFER && m != WASI_STDIO_FD && m != WASI_STDIO_NULL) {
            set_err(err, errlen, "wasi: bad stdio mode", NULL);
            return NULL;
        }
    }
    if (o->stdin_mode == WASI_STDIO_BUFFER && o->stdin_len && !o->stdin_data) {
        set_err(err, errlen, "wasi: stdin_len without stdin_data", NULL);
        return NULL;
    }
    wasi_ctx *c = xcalloc(1, sizeof *c);
    c->caps = caps ? policy_clone(caps) : NULL;
    if (caps && !c->caps) {
        free(c);
        set_err(err, errlen, "wasi: cannot copy the capability set", NULL);
        return NULL;
    }
    c->argc = o->argc;
    c->argv = xcalloc(o->argc + 1, sizeof *c->argv);
    for (size_t i = 0; i < o->argc; i++)
        c->argv[i] = xstrdup(o->argv[i] ? o->argv[i] : "");
    c->env = xcalloc(o->nenv + 1, sizeof *c->env);
    for (size_t i = 0; i < o->nenv && o->env; i++) {
        const char *e = o->env[i];
        const char *eq = e ? strchr(e, '=') : NULL;
        if (!eq || eq == e)
            continue;
        char *name = xstrndup(e, (size_t)(eq - e));
        bool ok = c->caps && policy_check_env(c->caps, name).allowed;
        free(name);
        if (ok)
            c->env[c->nenv++] = xstrdup(e);
    }
    c->mode[0] = o->stdin_mode;
    c->mode[1] = o->stdout_mode;
    c->mode[2] = o->stderr_mode;
    c->iofd[0] = o->stdin_fd;
    c->iofd[1] = o->stdout_fd;
    c->iofd[2] = o->stderr_fd;
    c->in_data = o->stdin_data;
    c->in_len = o->stdin_mode == WASI_STDIO_BUFFER ? o->stdin_len : 0;
    c->out_limit = o->output_limit;
    if (!c->out_limit && c->caps && c->caps->limits.has_output)
        c->out_limit = c->caps->limits.output;

    /* Preopens: one per distinct (host, guest) grant; write wins over read. */
    size_t ncaps = c->caps ? c->caps->ncaps : 0;
    c->pre = xcalloc(ncaps + 1, sizeof *c->pre);
    for (size_t i = 0; i < ncaps; i++) {
        const policy_cap *cap = &c->caps->caps[i];
        if (cap->kind != POLICY_READ && cap->kind != POLICY_WRITE)
            continue;
        if (!cap->path || cap->path[0] != '/') {
            set_err(err, errlen, "wasi: capability path is not absolute", cap->text);
            wasi_free(c);
            return NULL;
        }
        const char *guest = cap->guest && cap->guest[0] ? cap->guest : cap->path;
        /* A grant of one regular file (read:src/main.c) preopens the directory holding it, as
         * the jail shows that file at its own path: every object reached through a preopen is
         * decided by policy_check_path (wasi_check_host_fd), which allows only the file itself
         * there — its siblings, and the directory's listing, stay refused. */
        char *file_host = NULL, *file_guest = NULL;
        struct stat st;
        if (lstat(cap->path, &st) == 0 && S_ISREG(st.st_mode) && strcmp(cap->path, "/")) {
            file_host = parent_of(cap->path);
            file_guest = parent_of(guest);
            if (!file_guest) { /* a relative guest name: the file stays unmapped */
                free(file_host);
                file_host = NULL;
            }
        }
        const char *host = file_host ? file_host : cap->path;
        if (file_guest)
            guest = file_guest;
        int k = find_pre(c, host, guest);
        if (k < 0) {
            k = (int)c->npre++;
            c->pre[k].host = xstrdup(host);
            c->pre[k].guest = xstrdup(guest);
            c->pre[k].fd = -1;
        }
        free(file_host);
        free(file_guest);
        if (cap->kind == POLICY_WRITE)
            c->pre[k].writable = true;
    }
    /* The workspace is the current directory ("."): when no grant names it but one contains
     * it (read:/, write:$HOME), preopen the workspace itself with that grant's access. */
    const char *ws = c->caps ? c->caps->workspace : NULL;
    /* wasi-libc strips leading '/' from preopen names, so a preopen of "/" and one of "."
     * (or "src") would compete for absolute paths: with "/" granted, no relative aliases;
     * relative names then resolve from "/" as wasi-libc's initial cwd says. */
    for (size_t i = 0; ws && i < c->npre; i++)
        if (!strcmp(c->pre[i].guest, "/"))
            ws = NULL;
    bool have_ws = false;
    int anc = -1;
    for (size_t i = 0; ws && i < c->npre; i++) {
        const char *h = c->pre[i].host;
        if (strcmp(h, c->pre[i].guest))
            continue;
        size_t hl = strlen(h);
        if (!strcmp(h, ws))
            have_ws = true;
        else if ((!strcmp(h, "/") || (!strncmp(ws, h, hl) && ws[hl] == '/')) &&
                 (anc < 0 || hl > strlen(c->pre[anc].host) ||
                  (hl == strlen(c->pre[anc].host) && c->pre[i].writable)))
            anc = (int)i;
    }
    if (ws && !have_ws && anc >= 0) {
        wasi_preopen *w = &c->pre[c->npre++];
        w->host = xstrdup(ws);
        w->guest = xstrdup(ws);
        w->writable = c->pre[anc].writable;
        w->fd = -1;
    }
    /* fd table: stdio, then each preopen under its guest name, then workspace aliases. */
    c->fdcap = 3 + 2 * c->npre + 8;
    c->fds = xcalloc(c->fdcap, sizeof *c->fds);
    for (int i = 0; i < 3; i++) {
        wasi_fd *f = &c->fds[c->nfds++];
        f->used = true;
        f->stdio = i;
        f->host = -1;
        f->pre = -1;
        f->filetype = FT_CHAR;
        f->rb = f->ri = (i == 0 ? R_FD_READ : R_FD_WRITE) | R_FD_FDSTAT_SET_FLAGS |
                        R_POLL_FD_READWRITE | R_FD_FILESTAT_GET;
    }
    c->alias = xcalloc(c->npre + 1, sizeof *c->alias);
    for (size_t i = 0; i < c->npre; i++) {
        add_fd_entry(c, (int)i, c->pre[i].guest);
        if (ws && !strcmp(c->pre[i].host, c->pre[i].guest))
            c->alias[i] = alias_of(ws, c->pre[i].host);
    }
    for (size_t i = 0; i < c->npre; i++)
        if (c->alias[i])
            add_fd_entry(c, (int)i, c->alias[i]);
    return c;
}

void wasi_fd_release(wasi_fd *f)
{
    if (f->host >= 0)
        close(f->host);
    for (size_t i = 0; i < f->ndents; i++)
        free(f->dents[i].name);
    free(f->dents);
    memset(f, 0, sizeof *f);
    f->host = -1;
}

void wasi_free(wasi_ctx *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->fds && i < c->nfds; i++)
        if (c->fds[i].used)
            wasi_fd_release(&c->fds[i]);
    free(c->fds);
    for (size_t i = 0; c->alias && i < c->npre; i++)
        free(c->alias[i]);
    free(c->alias);
    for (size_t i = 0; c->pre && i < c->npre; i++) {
        free(c->pre[i].guest);
        free(c->pre[i].host);
        free(c->pre[i].real);
        if (c->pre[i].fd >= 0)
            close(c->pre[i].fd);
    }
    free(c->pre);
    for (size_t i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    for (size_t i = 0; i < c->nenv; i++)
        free(c->env[i]);
    free(c->env);
    buf_free(&c->out[0]);
    buf_free(&c->out[1]);
    free(c->state_real);
    policy_free(c->caps);
    free(c);
}

const char *wasi_stdout(const wasi_ctx *c, size_t *len)
{
    if (len)
        *len = c->out[0].len;
    return c->out[0].data ? c->out[0].data : "";
}

const char *wasi_stderr(const wasi_ctx *c, size_t *len)
{
    if (len)
        *len = c->out[1].len;
    return c->out[1].data ? c->out[1].data : "";
}

const char *wasi_limit_name(wasi_limit l)
{
    switch (l) {
    case WASI_LIMIT_FUEL: return "fuel";
    case WASI_LIMIT_MEMORY: return "memory";
    case WASI_LIMIT_TIMEOUT: return "timeout";
    case WASI_LIMIT_STACK: return "stack";
    case WASI_LIMIT_OUTPUT: return "output";
    default: return "";
    }
}

/* ---------------------------------------------------------------- fd table */

wasi_fd *wasi_fd_get(wasi_ctx *c, uint32_t fd)
{
    if (fd >= c->nfds || !c->fds[fd].used)
        return NULL;
    return &c->fds[fd];
}

int wasi_fd_alloc(wasi_ctx *c)
{
    size_t i = 0;
    while (i < c->nfds && c->fds[i].used)
        i++;
    if (i >= WASI_MAX_FDS)
        return -1;
    if (i >= c->fdcap) {
        size_t n = c->fdcap * 2 > WASI_MAX_FDS ? WASI_MAX_FDS : c->fdcap * 2;
        c->fds = xrealloc(c->fds, n * sizeof *c->fds);
        memset(c->fds + c->fdcap, 0, (n - c->fdcap) * sizeof *c->fds);
        c->fdcap = n;
    }
    if (i >= c->nfds)
        c->nfds = i + 1;
    memset(&c->fds[i], 0, sizeof c->fds[i]);
    c->fds[i].host = -1;
    c->fds[i].stdio = -1;
    return (int)i;
}

/* The kernel's name for host fd `fd`, or false. */
static bool fd_path(int fd, char *out, size_t outlen)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, outlen - 1);
    if (n <= 0 || (size_t)n >= outlen - 1)
        return false;
    out[n] = 0;
    return out[0] == '/';
}

/* Open preopen `i`'s directory if it is not yet open; its fd or -errno. */
static int pre_open(wasi_ctx *c, size_t i)
{
    wasi_preopen *p = &c->pre[i];
    if (p->fd >= 0)
        return p->fd;
    /* never through a symlink in any component, never a pseudo file system (policy_open_root) */
    char why[300];
    int fd = policy_open_root(c->caps, p->host, O_RDONLY | O_DIRECTORY, why, sizeof why);
    if (fd < 0) {
        if (fd == -EACCES)
            wasi_deny(c, "%s", why);
        return fd;
    }
    char real[WASI_PATH_MAX + 1];
    if (!fd_path(fd, real, sizeof real)) {
        close(fd);
        return -EACCES;
    }
    p->fd = fd;
    p->real = xstrdup(real);
    return fd;
}

int wasi_fd_host(wasi_ctx *c, wasi_fd *f)
{
    if (f->host >= 0)
        return f->host;
    if (f->pre < 0 || !f->is_preopen)
        return -EBADF;
    return pre_open(c, (size_t)f->pre);
}

/* The part of `path` below `root` ("" for root itself), or NULL if it is not below it. */
static const char *below(const char *root, const char *path)
{
    size_t L = strlen(root);
    if (!strcmp(root, "/"))
        return path[0] == '/' ? path + 1 : NULL;
    if (strncmp(path, root, L) || (path[L] != 0 && path[L] != '/'))
        return NULL;
    return path[L] ? path + L + 1 : path + L;
}

/* The kernel path `real` seen through a grant rooted at host path `host` (kernel path root). */
static char *through(const char *host, const char *rel)
{
    return xasprintf("%s%s%s", host, (*rel && strcmp(host, "/")) ? "/" : "", rel);
}

int wasi_check_host_fd(wasi_ctx *c, int pre, int hfd, const char *name, policy_access access)
{
    if (pre < 0 || (size_t)pre >= c->npre || !c->caps)
        return WASI_ENOTCAPABLE;
    wasi_preopen *p = &c->pre[pre];
    if (!p->real)
        return WASI_ENOTCAPABLE;
    char real[2 * WASI_PATH_MAX + 2];
    if (!fd_path(hfd, real, WASI_PATH_MAX + 1))
        return WASI_ENOTCAPABLE;
    size_t rl = strlen(real);
    if (rl > 10 && !strcmp(real + rl - 10, " (deleted)"))
        return WASI_ENOENT;
    if (name && *name)
        snprintf(real + rl, sizeof real - rl, "%s%s", strcmp(real, "/") ? "/" : "", name);
    /* /proc, /sys, /dev and other pseudo file systems, device nodes, any .boxagent/: never,
     * however reached (a symlink inside a grant, a bind mount) */
    char why[200];
    if (policy_fd_refused(hfd, why, sizeof why)) {
        wasi_deny(c, "%.300s: %s", real, why);
        return WASI_EACCES;
    }
    if (policy_path_has_state_name(real) || policy_path_pseudo(real)) {
        wasi_deny(c, "%.300s is in a .boxagent/ state directory or on /proc, /sys or /dev", real);
        return WASI_EACCES;
    }
    if (!below(p->real, real)) { /* moved out from under its root */
        wasi_deny(c, "%.300s is no longer beneath its grant %.60s", real, p->host);
        return WASI_ENOTCAPABLE;
    }
    if (access == POLICY_ACCESS_WRITE && !p->writable) {
        wasi_deny(c, "no write: %.300s is under a read-only grant", real);
        return WASI_ENOTCAPABLE;
    }
    /* The workspace's state directory, by its kernel path: no symlink, bind or grant that
     * happens to resolve into it gets through. */
    if (!c->state_real && c->caps->workspace) {
        char *ws = realpath(c->caps->workspace, NULL);
        c->state_real = ws ? xasprintf("%s%s.boxagent", ws, strcmp(ws, "/") ? "/" : "") : NULL;
        free(ws);
    }
    if (c->state_real && below(c->state_real, real)) {
        wasi_deny(c, "%.300s is in the workspace state directory .boxagent/", real);
        return WASI_EACCES;
    }
    /* Decide through every grant whose root contains the object, not only the one used to
     * reach it: a grant root that resolves (through a symlink) into another grant's
     * protected place (.git/ under a write: grant) must not lift that protection. */
    for (size_t i = 0; i < c->npre; i++)
        pre_open(c, i);
    for (size_t i = 0; i < c->npre; i++) {
        const char *rel = c->pre[i].real ? below(c->pre[i].real, real) : NULL;
        if (!rel)
            continue;
        char *host = through(c->pre[i].host, rel);
        policy_decision d = policy_check_path(c->caps, host, access);
        free(host);
        if (!d.allowed) {
            wasi_deny(c, "%s", d.reason);
            return WASI_EACCES;
        }
    }
    return 0;
}

void wasi_deny(wasi_ctx *c, const char *fmt, ...)
{
    c->denials++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->denial, sizeof c->denial, fmt, ap);
    va_end(ap);
}

int wasi_ms_left(wasi_ctx *c)
{
    if (!c->deadline_ns)
        return -1;
    uint64_t now = util_now_ns();
    if (now >= c->deadline_ns)
        return 0;
    uint64_t ms = (c->deadline_ns - now + 999999) / 1000000;
    return ms > 1000000000 ? 1000000000 : (int)ms;
}

int wasi_errno_from_host(int e)
{
    switch (e) {
    case 0: return WASI_ESUCCESS;
    case E2BIG: return WASI_E2BIG;
    case EACCES: return WASI_EACCES;
    case EADDRINUSE: return 3;
    case EADDRNOTAVAIL: return 4;
    case EAFNOSUPPORT: return 5;
    case EAGAIN: return 6;
    case EALREADY: return 7;
    case EBADF: return WASI_EBADF;
    case EBADMSG: return 9;
    case EBUSY: return 10;
    case ECANCELED: return 11;
    case ECHILD: return 12;
    case ECONNABORTED: return 13;
    case ECONNREFUSED: return 14;
    case ECONNRESET: return 15;
    case EDEADLK: return 16;
    case EDESTADDRREQ: return 17;
    case EDOM: return 18;
    case EDQUOT: return 19;
    case EEXIST: return WASI_EEXIST;
    case EFAULT: return WASI_EFAULT;
    case EFBIG: return WASI_EFBIG;
    case EHOSTUNREACH: return 23;
    case EIDRM: return 24;
    case EILSEQ: return WASI_EILSEQ;
    case EINPROGRESS: return 26;
    case EINTR: return 27;
    case EINVAL: return WASI_EINVAL;
    case EIO: return WASI_EIO;
    case EISCONN: return 30;
    case EISDIR: return WASI_EISDIR;
    case ELOOP: return 32;
    case EMFILE: return 33;
    case EMLINK: return 34;
    case EMSGSIZE: return 35;
    case EMULTIHOP: return 36;
    case ENAMETOOLONG: return WASI_ENAMETOOLONG;
    case ENETDOWN: return 38;
    case ENETRESET: return 39;
    case ENETUNREACH: return 40;
    case ENFILE: return 41;
    case ENOBUFS: return 42;
    case ENODEV: return 43;
    case ENOENT: return WASI_ENOENT;
    case ENOEXEC: return 45;
    case ENOLCK: return 46;
    case ENOLINK: return 47;
    case ENOMEM: return 48;
    case ENOMSG: return 49;
    case ENOPROTOOPT: return 50;
    case ENOSPC: return 51;
    case ENOSYS: return WASI_ENOSYS;
    case ENOTCONN: return 53;
    case ENOTDIR: return WASI_ENOTDIR;
    case ENOTEMPTY: return WASI_ENOTEMPTY;
    case ENOTRECOVERABLE: return 56;
    case ENOTSOCK: return 57;
    case EOPNOTSUPP: return WASI_ENOTSUP;
    case ENOTTY: return 59;
    case ENXIO: return 60;
    case EOVERFLOW: return 61;
    case EOWNERDEAD: return 62;
    case EPERM: return WASI_EPERM;
    case EPIPE: return 64;
    case EPROTO: return 65;
    case EPROTONOSUPPORT: return 66;
    case EPROTOTYPE: return 67;
    case ERANGE: return 68;
    case EROFS: return 69;
    case ESPIPE: return WASI_ESPIPE;
    case ESRCH: return 71;
    case ESTALE: return 72;
    case ETIMEDOUT: return 73;
    case ETXTBSY: return 74;
    case EXDEV: return WASI_EXDEV;
    default: return WASI_EIO;
    }
}
