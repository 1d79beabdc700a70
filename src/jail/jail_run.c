/* jail_run.c — supervising one jailed run: checks the exec capability and the kernel's
 * sandboxing features (fail closed), resolves the limits, clones the child into new
 * namespaces, writes its uid/gid maps and joins it to its cgroups, then captures stdout and
 * stderr (cut at the output limit), enforces the wall-clock timeout and cancellation by
 * killing the namespace's init (which takes every process of the jail with it), and reports
 * status, the limit that stopped it and the resources used. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail/jail_internal.h"
#include "util/buf.h"
#include "util/util.h"

/* Output beyond the limit is discarded; this much more and the run is stopped. */
#define JAIL_FLOOD_BYTES (16u << 20)

const char *jail_limit_name(jail_limit l)
{
    switch (l) {
    case JAIL_LIMIT_NONE: return "none";
    case JAIL_LIMIT_TIMEOUT: return "timeout";
    case JAIL_LIMIT_OUTPUT: return "output";
    case JAIL_LIMIT_CPU: return "cpu";
    case JAIL_LIMIT_MEMORY: return "memory";
    case JAIL_LIMIT_FILE_SIZE: return "file size";
    case JAIL_LIMIT_PROCESSES: return "processes";
    case JAIL_LIMIT_CANCELLED: return "cancelled";
    }
    return "unknown";
}

void jail_options_init(jail_options *o)
{
    memset(o, 0, sizeof *o);
}

void jail_result_free(jail_result *r)
{
    if (!r) return;
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
    r->out_len = r->err_len = 0;
}

static uint64_t pick(uint64_t opt, bool has, uint64_t manifest, uint64_t def)
{
    if (has && manifest) return opt && opt < manifest ? opt : manifest;
    return opt ? opt : def;
}

bool jail_probe(char *why, size_t whylen)
{
    int abi = jail_ll_abi();
    bool sc = jail_seccomp_available();
    if (why) {
        char cg[128], ll[32];
        jail_cgroup_describe(cg, sizeof cg);
        if (abi) snprintf(ll, sizeof ll, "landlock ABI %d", abi);
        else snprintf(ll, sizeof ll, "no landlock");
        snprintf(why, whylen, "%s, %s, %s; %s", ll, sc ? "seccomp" : "no seccomp",
                 geteuid() == 0 ? "root caller: jail runs as an unprivileged uid with idmapped "
                                  "grants, process limit by RLIMIT_NPROC (fallback: pids cgroup)"
                                : "unprivileged caller: process limit by RLIMIT_NPROC",
                 cg);
    }
    return abi > 0 && sc;
}

/* With RLIMIT_AS the kernel only fails allocations; a failing program that says so was most
 * likely stopped by the memory limit (a label for the model, not a security decision). */
static bool memory_message(const buf *err)
{
    static const char *const says[] = {"Cannot allocate memory", "MemoryError",
                                       "out of memory", "Out of memory", "bad_alloc",
                                       "memory exhausted"};
    if (!err->data) return false;
    for (size_t i = 0; i < sizeof says / sizeof says[0]; i++)
        if (memmem(err->data, err->len, says[i], strlen(says[i]))) return true;
    return false;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void finish_text(jail_result *r, buf *out, buf *err)
{
    r->out_len = out->len;
    r->out = buf_steal(out);
    r->err_len = err->len;
    r->err = buf_steal(err);
}

static bool refuse(jail_result *r, bool denied, const char *fmt, const char *a, const char *b)
{
    snprintf(r->error, sizeof r->error, fmt, a ? a : "", b ? b : "");
    r->denied = denied;
    r->out = xstrdup("");
    r->err = xstrdup("");
    return false;
}

static bool write_proc(pid_t pid, const char *name, const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok;
}

/* Append what we keep of a chunk; returns true once the run produced a flood. */
static bool capture(jail_result *r, const jail_options *o, buf *dst, const char *data, size_t n,
                    uint64_t limit, uint64_t *kept, uint64_t *discarded, int *cut_stream,
                    int stream)
{
    r->output_bytes += n;
    size_t keep = *kept >= limit ? 0 : (size_t)(limit - *kept < n ? limit - *kept : n);
    if (keep) {
        buf_append(dst, data, keep);
        if (o->on_output) o->on_output(o->output_user, stream, data, keep);
    }
    *kept += keep;
    if (keep < n) {
        if (!r->truncated) *cut_stream = stream;
        r->truncated = true;
        *discarded += n - keep;
    }
    return *discarded > JAIL_FLOOD_BYTES;
}

/* Clone each grant (recursively) from the host, make it idmapped with the child's user
 * namespace (its single mapping: the caller's uid inside <-> JAIL_IDMAP_UID), set its mount
 * flags, and pass it to the child. Only a process privileged over the filesystem can make an
 * idmapped mount, hence here and not in the child. *retry is set when the filesystem does not
 * support idmapped mounts. */
static bool send_trees(const jail_plan *pl, pid_t pid, int sock, char *err, size_t errlen,
                       bool *retry)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
    int userns = open(path, O_RDONLY | O_CLOEXEC);
    if (userns < 0) {
        snprintf(err, errlen, "jail: cannot open the jail's user namespace: %s", strerror(errno));
        return false;
    }
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    bool ok = root >= 0;
    if (!ok) snprintf(err, errlen, "jail: cannot open /: %s", strerror(errno));
    for (size_t i = 0; i < pl->nmounts && ok; i++) {
        const jail_mount *m = &pl->mounts[i];
        if (!m->grant) continue;
        int src = jail_open_grant(root, m);
        if (src < 0) {
            if (errno == ENOENT && m->optional) continue;
            if (errno == ELOOP || errno == EXDEV)
                snprintf(err, errlen,
                         "jail: refusing grant %s: it passes through a symlink inside the "
                         "workspace", m->src);
            else
                snprintf(err, errlen, "jail: cannot open grant %s: %s", m->src, strerror(errno));
            ok = false;
            break;
        }
        int tree = (int)syscall(SYS_open_tree, src, "",
                                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        int oe = errno;
        close(src);
        if (tree < 0) {
            snprintf(err, errlen, "jail: cannot clone grant %s: %s", m->src, strerror(oe));
            ok = false;
            break;
        }
        struct mount_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                        (m->kind == JM_BIND_RO ? MOUNT_ATTR_RDONLY : 0);
        attr.userns_fd = (uint64_t)userns;
        attr.propagation = MS_PRIVATE;
        if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                    sizeof attr) != 0) {
            int e = errno;
            if (e == EINVAL || e == EPERM || e == ENOSYS || e == EOPNOTSUPP) *retry = true;
            snprintf(err, errlen, "jail: cannot make an idmapped mount of %s: %s", m->src,
                     strerror(e));
            close(tree);
            ok = false;
            break;
        }
        int idx = (int)i;
        char cbuf[CMSG_SPACE(sizeof(int))];
        memset(cbuf, 0, sizeof cbuf);
        struct iovec iov = {.iov_base = &idx, .iov_len = sizeof idx};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                            .msg_controllen = sizeof cbuf};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &tree, sizeof(int));
        if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof idx) {
            snprintf(err, errlen, "jail: cannot pass grant %s to the jail: %s", m->src,
                     strerror(errno));
            ok = false;
        }
        close(tree);
    }
    if (root >= 0) close(root);
    close(userns);
    return ok;
}

typedef struct jail_limits {
    uint64_t timeout, memory, procs, output, cpu, fsize, nofile;
} jail_limits;

static bool run_once(const policy_set *p, const char *const *argv, const jail_options *opts,
                     jail_result *r, const jail_limits *lim, int abi,
                     const struct sock_fprog *filter, bool idmap, bool *retry)
{
    uint64_t timeout = lim->timeout, memory = lim->memory, procs = lim->procs,
             output = lim->output, cpu = lim->cpu;
    jail_plan pl;
    char err[512];
    if (!jail_plan_build(&pl, p, argv, opts->cwd, err, sizeof err))
        return refuse(r, false, "%s%s", err, NULL);
    pl.ll_abi = abi;
    pl.seccomp = filter;
    pl.cpu_ms = cpu;
    pl.file_size = lim->fsize;
    pl.open_files = lim->nofile;
    pl.processes = procs + 1; /* the jail's init counts too */
    pl.memory = memory;
    pl.rlimit_nproc = true;

    /* As root, the jail runs as JAIL_IDMAP_UID with idmapped grants, so RLIMIT_NPROC binds
     * and no cgroup is needed. Otherwise (root on a filesystem without idmapped mounts) the
     * process limit needs a pids cgroup. */
    pl.idmap = idmap;
    if (idmap) {
        pl.uid_out = JAIL_IDMAP_UID;
        pl.gid_out = JAIL_IDMAP_UID;
    }
    /* Memory of the whole tree: a memory cgroup where one can be made (else RLIMIT_AS per
     * process). Processes: RLIMIT_NPROC binds the idmapped identity; uid 0 needs pids.max. */
    jail_cgroup cg;
    if (getenv("BOXAGENT_JAIL_NO_CGROUP"))
        memset(&cg, 0, sizeof cg);
    else
        jail_cgroup_create(&cg, idmap ? 0 : procs + 1, memory);
    if (!idmap && !cg.pids_dir && geteuid() == 0 && !opts->allow_unsandboxed) {
        jail_cgroup_destroy(&cg);
        jail_plan_free(&pl);
        return refuse(r, false,
                      "jail: refusing to run: no idmapped mounts and no writable pids cgroup; "
                      "RLIMIT_NPROC does not bind a process running as root, so the process "
                      "limit cannot be enforced%s%s",
                      NULL, NULL);
    }
    pl.rlimit_as = cg.mem_dir == NULL;
    jail_cgroup_tasks_paths(&cg, pl.join_tasks);

    /* stdin is a memfd holding the bytes (no writer to block, no SIGPIPE). */
    int in_fd = memfd_create("jail-stdin", MFD_CLOEXEC);
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, msgp[2] = {-1, -1}, stp[2] = {-1, -1},
        syncp[2] = {-1, -1};
    bool fds_ok = in_fd >= 0 && pipe2(outp, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0 &&
                  pipe2(msgp, O_CLOEXEC) == 0 && pipe2(stp, O_CLOEXEC) == 0 &&
                  socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, syncp) == 0;
    if (fds_ok && opts->stdin_data && opts->stdin_len) {
        size_t off = 0;
        while (off < opts->stdin_len) {
            ssize_t w = write(in_fd, opts->stdin_data + off, opts->stdin_len - off);
            if (w <= 0) {
                fds_ok = false;
                break;
            }
            off += (size_t)w;
        }
        if (lseek(in_fd, 0, SEEK_SET) != 0) fds_ok = false;
    }
    int all[] = {in_fd, outp[0], outp[1], errp[0], errp[1], msgp[0], msgp[1],
                 stp[0], stp[1], syncp[0], syncp[1]};
    const int nall = (int)(sizeof all / sizeof all[0]);
    if (!fds_ok) {
        snprintf(err, sizeof err, "jail: cannot create pipes: %s", strerror(errno));
        for (int i = 0; i < nall; i++)
            if (all[i] >= 0) close(all[i]);
        jail_cgroup_destroy(&cg);
        jail_plan_free(&pl);
        return refuse(r, false, "%s%s", err, NULL);
    }

    uint64_t t0 = util_now_ns();
    jail_child_fds cf = {.in_r = in_fd, .out_w = outp[1], .err_w = errp[1], .msg_w = msgp[1],
                         .status_w = stp[1], .sync_fd = syncp[0]};
    unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                          CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD;
    pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
    if (pid == 0) jail_child_main(&pl, &cf);
    int clone_errno = errno;
    close(in_fd);
    close(outp[1]);
    close(errp[1]);
    close(msgp[1]);
    close(stp[1]);
    close(syncp[0]);
    if (pid < 0) {
        snprintf(err, sizeof err, "jail: cannot create namespaces (clone): %s",
                 strerror(clone_errno));
        close(outp[0]);
        close(errp[0]);
        close(msgp[0]);
        close(stp[0]);
        close(syncp[1]);
        jail_cgroup_destroy(&cg);
        jail_plan_free(&pl);
        return refuse(r, false, "%s%s", err, NULL);
    }

    /* Identity: the caller's uid/gid inside; outside, the caller's own (unprivileged caller)
     * or JAIL_IDMAP_UID (root caller, with idmapped grants). An unprivileged caller must deny
     * setgroups; a privileged one leaves it so the child can drop its supplementary groups. */
    char map[64];
    bool setup_ok = geteuid() == 0 || write_proc(pid, "setgroups", "deny");
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)pl.uid_in, (unsigned)pl.uid_out);
    setup_ok = setup_ok && write_proc(pid, "uid_map", map);
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)pl.gid_in, (unsigned)pl.gid_out);
    setup_ok = setup_ok && write_proc(pid, "gid_map", map);
    if (!setup_ok) snprintf(err, sizeof err, "jail: cannot write the uid/gid maps: %s", strerror(errno));
    if (setup_ok && idmap && !send_trees(&pl, pid, syncp[1], err, sizeof err, retry))
        setup_ok = false;
    int go = -1;
    if (setup_ok && send(syncp[1], &go, sizeof go, MSG_NOSIGNAL) != (ssize_t)sizeof go) {
        snprintf(err, sizeof err, "jail: cannot start the child: %s", strerror(errno));
        setup_ok = false;
    }
    /* Joining cgroups can wait for an RCU grace period; the child builds its view meanwhile
     * and forks the program only after "joined". */
    if (setup_ok && !jail_cgroup_add(&cg, pid, true, err, sizeof err)) setup_ok = false;
    int joined = -3;
    if (setup_ok && send(syncp[1], &joined, sizeof joined, MSG_NOSIGNAL) != (ssize_t)sizeof joined) {
        snprintf(err, sizeof err, "jail: cannot start the child: %s", strerror(errno));
        setup_ok = false;
    }
    close(syncp[1]);
    if (!setup_ok) kill(pid, SIGKILL);

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    buf out = BUF_INIT, errb = BUF_INIT;
    uint64_t kept = 0, discarded = 0;
    int cut_stream = 1;
    bool out_open = true, err_open = true, init_done = false, killed = !setup_ok;
    int wstatus = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    uint64_t deadline = t0 + timeout * 1000000ull, done_at = 0;
    fcntl(outp[0], F_SETFL, O_NONBLOCK);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);
    char *chunk = xmalloc(65536);

    while (out_open || err_open || !init_done) {
        struct pollfd pf[3];
        int n = 0, iout = -1, ierr = -1, ipid = -1;
        if (out_open) { iout = n; pf[n++] = (struct pollfd){.fd = outp[0], .events = POLLIN}; }
        if (err_open) { ierr = n; pf[n++] = (struct pollfd){.fd = errp[0], .events = POLLIN}; }
        if (!init_done && pidfd >= 0) { ipid = n; pf[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN}; }
        uint64_t now = util_now_ns();
        int wait_ms = 50;
        if (!killed && pidfd >= 0 && !opts->cancel) {
            uint64_t left = deadline > now ? (deadline - now) / 1000000ull + 1 : 0;
            wait_ms = left > 1000 ? 1000 : (int)left;
        }
        if (init_done) wait_ms = 50;
        int pr = poll(pf, (nfds_t)n, wait_ms);
        if (pr < 0 && errno != EINTR) break;
        for (int k = 0; k < 2 && pr > 0; k++) {
            int idx = k == 0 ? iout : ierr;
            if (idx < 0 || !(pf[idx].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t got = read(pf[idx].fd, chunk, 65536);
            if (got > 0) {
                if (capture(r, opts, k == 0 ? &out : &errb, chunk, (size_t)got, output, &kept,
                            &discarded, &cut_stream, k + 1) &&
                    !killed) {
                    kill(pid, SIGKILL);
                    killed = true;
                    r->limit = JAIL_LIMIT_OUTPUT;
                }
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                if (k == 0) out_open = false;
                else err_open = false;
            }
        }
        if (!init_done && (pidfd < 0 || (ipid >= 0 && (pf[ipid].revents & POLLIN)))) {
            pid_t w = wait4(pid, &wstatus, WNOHANG | __WALL, &ru);
            if (w == pid) {
                init_done = true;
                done_at = util_now_ns();
            }
        }
        now = util_now_ns();
        if (!killed && !init_done) {
            if (now >= deadline) {
                kill(pid, SIGKILL);
                killed = true;
                r->limit = JAIL_LIMIT_TIMEOUT;
            } else if (opts->cancel && atomic_load(opts->cancel)) {
                kill(pid, SIGKILL);
                killed = true;
                r->limit = JAIL_LIMIT_CANCELLED;
            }
        }
        /* Every process of the jail is gone once its init is reaped; pipes close with them. */
        if (init_done && now - done_at > 2000000000ull) break;
    }
    free(chunk);
    if (!init_done) wait4(pid, &wstatus, __WALL, &ru);
    r->wall_ms = (util_now_ns() - t0) / 1000000ull;
    if (pidfd >= 0) close(pidfd);
    close(outp[0]);
    close(errp[0]);

    /* Setup or exec failure text, then the program's status from init. */
    char msg[1300];
    size_t mlen = 0;
    for (;;) {
        ssize_t got = read(msgp[0], msg + mlen, sizeof msg - 1 - mlen);
        if (got <= 0) break;
        mlen += (size_t)got;
        if (mlen >= sizeof msg - 1) break;
    }
    msg[mlen] = '\0';
    close(msgp[0]);
    int pstatus = 0;
    bool have_status = read(stp[0], &pstatus, sizeof pstatus) == (ssize_t)sizeof pstatus;
    close(stp[0]);

    bool pids_hit = false, oom = false;
    uint64_t mem_peak = 0;
    jail_cgroup_stats(&cg, &pids_hit, &oom, &mem_peak);
    jail_cgroup_destroy(&cg);

    r->cpu_ms = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000ull +
                (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000ull;
    r->peak_rss = (uint64_t)ru.ru_maxrss * 1024ull;

    if (!have_status) { /* init was killed (timeout, output, cancel) or failed in setup */
        r->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
        r->exit_code = r->signal ? 128 + r->signal : (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 1);
    } else if (WIFSIGNALED(pstatus)) {
        r->signal = WTERMSIG(pstatus);
        r->exit_code = 128 + r->signal;
    } else {
        r->exit_code = WEXITSTATUS(pstatus);
    }
    if (r->limit == JAIL_LIMIT_NONE) {
        if (r->signal == SIGXCPU || (cpu && r->signal == SIGKILL && r->cpu_ms + 50 >= cpu))
            r->limit = JAIL_LIMIT_CPU;
        else if (r->signal == SIGXFSZ)
            r->limit = JAIL_LIMIT_FILE_SIZE;
        else if (oom || (pl.rlimit_as && r->exit_code != 0 && memory_message(&errb)))
            r->limit = JAIL_LIMIT_MEMORY;
        else if (pids_hit)
            r->limit = JAIL_LIMIT_PROCESSES;
    }
    if (r->truncated) {
        char marker[96];
        snprintf(marker, sizeof marker, "\n[output cut at %llu bytes]\n",
                 (unsigned long long)output);
        buf_puts(cut_stream == 1 ? &out : &errb, marker);
    }
    /* Every jailed process is gone: remove protected names it created (no mount point could
     * cover a name that did not exist). */
    buf guard = BUF_INIT;
    if (setup_ok && !mlen) jail_guard_after(&pl, &guard); /* else the program never started */
    if (guard.len) {
        buf_append(&errb, guard.data, guard.len);
        if (opts->on_output) opts->on_output(opts->output_user, 2, guard.data, guard.len);
    }
    buf_free(&guard);
    finish_text(r, &out, &errb);
    jail_plan_free(&pl);

    if (!setup_ok) {
        copy_str(r->error, sizeof r->error, err);
        return false;
    }
    if (mlen) {
        while (mlen && msg[mlen - 1] == '\n') msg[--mlen] = '\0';
        copy_str(r->error, sizeof r->error, msg);
        return false;
    }
    r->ran = true;
    return true;
}

bool jail_run(const policy_set *p, const char *const *argv, const jail_options *opts,
              jail_result *r)
{
    return jail_run_as(p, argv && argv[0] ? argv[0] : NULL, argv, opts, r);
}

bool jail_run_as(const policy_set *p, const char *exec_name, const char *const *argv,
                 const jail_options *opts, jail_result *r)
{
    memset(r, 0, sizeof *r);
    jail_options defaults;
    if (!opts) {
        jail_options_init(&defaults);
        opts = &defaults;
    }
    if (!p) return refuse(r, false, "jail: no capability set%s%s", NULL, NULL);
    if (!argv || !argv[0] || !argv[0][0]) return refuse(r, false, "jail: no program%s%s", NULL, NULL);
    if (!exec_name) exec_name = argv[0];
    policy_decision d = policy_check_exec(p, exec_name);
    if (!d.allowed) {
        char why[400];
        snprintf(why, sizeof why, "%s", d.reason[0] ? d.reason : "no exec: capability");
        return refuse(r, true, "denied: exec %s: %s", exec_name, why);
    }
    const policy_limits *L = &p->limits;
    uint64_t timeout = pick(opts->timeout_ms, L->has_timeout, L->timeout_ms, JAIL_DEFAULT_TIMEOUT_MS);
    uint64_t memory = pick(opts->memory, L->has_memory, L->memory, JAIL_DEFAULT_MEMORY);
    uint64_t procs = pick(opts->processes, L->has_processes, L->processes, JAIL_DEFAULT_PROCESSES);
    uint64_t output = pick(opts->output, L->has_output, L->output, JAIL_DEFAULT_OUTPUT);
    uint64_t cpu = pick(opts->cpu_ms, L->has_cpu, L->cpu_ms, 0);
    uint64_t fsize = pick(opts->file_size, false, 0, JAIL_DEFAULT_FILE_SIZE);
    uint64_t nofile = pick(opts->open_files, L->has_files, L->files, JAIL_DEFAULT_OPEN_FILES);

    /* Fail closed on missing kernel features. */
    int abi = jail_ll_abi();
    char serr[256] = "";
    const struct sock_fprog *filter = NULL;
    if (jail_seccomp_available()) filter = jail_seccomp_filter();
    else snprintf(serr, sizeof serr, "the kernel has no seccomp filter support");
    if ((!abi || !filter) && !opts->allow_unsandboxed) {
        return refuse(r, false,
                      "jail: refusing to run: %s%s (set allow_unsandboxed to run without it; "
                      "that choice is audited)",
                      !abi ? "the kernel has no Landlock (landlock_create_ruleset failed)" : "",
                      !filter ? (abi ? serr : "; and no seccomp") : "");
    }
    r->unsandboxed = !abi || !filter;

    jail_limits lim = {timeout, memory, procs, output, cpu, fsize, nofile};
    bool idmap = geteuid() == 0 && !getenv("BOXAGENT_JAIL_NO_IDMAP");
    bool retry = false;
    bool ok = run_once(p, argv, opts, r, &lim, abi, filter, idmap, &retry);
    if (retry) { /* a grant's filesystem cannot be idmapped: use the cgroup mode */
        jail_result_free(r);
        memset(r, 0, sizeof *r);
        r->unsandboxed = !abi || !filter;
        ok = run_once(p, argv, opts, r, &lim, abi, filter, false, &retry);
    }
    return ok;
}

char *jail_result_text(const jail_result *r)
{
    buf b = BUF_INIT;
    if (r->out && r->out_len) buf_append(&b, r->out, r->out_len);
    if (r->err && r->err_len) {
        if (b.len && b.data[b.len - 1] != '\n') buf_putc(&b, '\n');
        buf_append(&b, r->err, r->err_len);
    }
    if (b.len && b.data[b.len - 1] != '\n') buf_putc(&b, '\n');
    if (!r->ran) {
        buf_printf(&b, "[%s]", r->error[0] ? r->error : "did not run");
    } else if (r->limit != JAIL_LIMIT_NONE && r->limit != JAIL_LIMIT_PROCESSES) {
        buf_printf(&b, "[stopped: %s limit after %llu ms, exit %d]", jail_limit_name(r->limit),
                   (unsigned long long)r->wall_ms, r->exit_code);
    } else if (r->signal) {
        buf_printf(&b, "[killed by signal %d (%s)]", r->signal, strsignal(r->signal));
    } else {
        buf_printf(&b, "[exit %d]", r->exit_code);
    }
    if (r->ran && r->limit == JAIL_LIMIT_PROCESSES) buf_puts(&b, " [process limit reached]");
    return buf_steal(&b);
}
