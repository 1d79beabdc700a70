/* jail_child.c — the two processes inside the jail. The cloned child becomes PID 1 of the new
 * namespaces ("init"): it waits for the parent to write its uid/gid maps and cgroups, builds
 * the filesystem view, drops every capability, then forks the program and reaps until the
 * program exits; its exit tears the PID namespace down, killing anything left behind
 * (daemons, double forks). The program process applies Landlock, the resource limits and
 * seccomp, then execs. Only system calls here: the parent may be multi-threaded, so nothing
 * that could take a lock another thread held at the fork. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail/jail_internal.h"

enum { FD_MSG = 3, FD_STATUS = 4 };

static int msg_fd = FD_MSG; /* where die() writes: the message pipe, wherever it is now */

static _Noreturn void die(const char *msg, int code)
{
    size_t n = strlen(msg);
    while (n > 0) {
        ssize_t w = write(msg_fd, msg, n);
        if (w <= 0) break;
        msg += w;
        n -= (size_t)w;
    }
    _exit(code);
}

static _Noreturn void die_errno(const char *what)
{
    char msg[512];
    snprintf(msg, sizeof msg, "jail: %s: %s", what, strerrordesc_np(errno));
    die(msg, 126);
}

/* Put the program's stdio on 0/1/2, the message and status pipes on 3/4, the parent's socket
 * on 5, and close everything else inherited from the (possibly multi-threaded) parent at once,
 * so other runs' pipes are not held open by this child. */
enum { FD_SYNC = 5 };

static int arrange_fds(const jail_child_fds *f)
{
    int want[6] = {f->in_r, f->out_w, f->err_w, f->msg_w, f->status_w, f->sync_fd};
    int high = 0;
    for (int i = 0; i < 6; i++)
        if (want[i] > high) high = want[i];
    int tmp[6];
    for (int i = 0; i < 6; i++) {
        tmp[i] = fcntl(want[i], F_DUPFD_CLOEXEC, high + 1);
        if (tmp[i] < 0) return -1;
        high = tmp[i];
    }
    for (int i = 0; i < 6; i++) {
        if (dup3(tmp[i], i, i < 3 ? 0 : O_CLOEXEC) < 0) return -1;
    }
    if (syscall(SYS_close_range, 6, ~0U, 0) != 0) {
        for (int fd = 6; fd <= high; fd++) close(fd);
    }
    msg_fd = FD_MSG;
    return 0;
}

static void loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
}

/* No capabilities, ever again: empty bounding, ambient, inheritable, permitted and effective
 * sets, and securebits so that uid 0 gains nothing at exec. */
static void drop_caps(void)
{
    for (int c = 0; c < 64; c++)
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno == EINVAL) break;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (prctl(PR_SET_SECUREBITS,
              SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                  SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                  SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
              0, 0, 0) != 0)
        die_errno("securebits");
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) != 0) die_errno("capset");
    if (prctl(PR_CAPBSET_READ, 0, 0, 0, 0) != 0) die("jail: capability bounding set not empty", 126);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die_errno("no_new_privs");
}

static void set_limit(int res, uint64_t soft, uint64_t hard, const char *what)
{
    struct rlimit rl = {.rlim_cur = (rlim_t)soft, .rlim_max = (rlim_t)hard};
    if (setrlimit(res, &rl) != 0) die_errno(what);
}

static _Noreturn void exec_program(const jail_plan *pl)
{
    const char *name = pl->argv[0];
    if (strchr(name, '/')) {
        execve(name, pl->argv, pl->envp);
    } else {
        int saved = ENOENT;
        char path[4096];
        for (size_t i = 0; pl->path_dirs[i]; i++) {
            int n = snprintf(path, sizeof path, "%s/%s", pl->path_dirs[i], name);
            if (n <= 0 || (size_t)n >= sizeof path) continue;
            execve(path, pl->argv, pl->envp);
            if (errno == EACCES) saved = EACCES;
            else if (errno != ENOENT && errno != ENOTDIR) {
                saved = errno;
                break;
            }
        }
        errno = saved;
        if (saved == ENOENT) {
            char msg[1200];
            snprintf(msg, sizeof msg, "jail: %s: command not found", name);
            die(msg, 127);
        }
    }
    char msg[1200];
    snprintf(msg, sizeof msg, "jail: cannot execute %s: %s", name, strerrordesc_np(errno));
    die(msg, errno == ENOENT ? 127 : 126);
}

static _Noreturn void program(const jail_plan *pl)
{
    char msg[512];
    close(FD_STATUS);
    if (setsid() < 0) die_errno("setsid");
    if (pl->ll_abi > 0 && jail_landlock_apply(pl, msg, sizeof msg) != 0) die(msg, 126);
    set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
    if (pl->cpu_ms) {
        uint64_t s = (pl->cpu_ms + 999) / 1000;
        set_limit(RLIMIT_CPU, s, s + 1, "RLIMIT_CPU");
    }
    if (pl->file_size) set_limit(RLIMIT_FSIZE, pl->file_size, pl->file_size, "RLIMIT_FSIZE");
    if (pl->open_files) set_limit(RLIMIT_NOFILE, pl->open_files, pl->open_files, "RLIMIT_NOFILE");
    if (pl->rlimit_nproc && pl->processes)
        set_limit(RLIMIT_NPROC, pl->processes, pl->processes, "RLIMIT_NPROC");
    if (pl->seccomp) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die_errno("no_new_privs");
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, pl->seccomp, 0, 0) != 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, jail_seccomp_personality(), 0, 0) != 0)
            die_errno("seccomp");
    }
    /* Last, so the (possibly sanitizer-built) supervisor is never limited by it. */
    if (pl->rlimit_as && pl->memory) set_limit(RLIMIT_AS, pl->memory, pl->memory, "RLIMIT_AS");
    exec_program(pl);
}

/* Messages from the parent: {index, one fd} for each idmapped grant tree, then {-1} = go.
 * Returns false if the parent gave up (closed the socket). */
static bool receive_trees(int sock, int *trees, size_t n)
{
    for (;;) {
        int idx = -2;
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = &idx, .iov_len = sizeof idx};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                            .msg_controllen = sizeof cbuf};
        ssize_t got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (got < 0 && errno == EINTR) continue;
        if (got != (ssize_t)sizeof idx) return false;
        if (idx == -1) return true;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS || idx < 0 || (size_t)idx >= n) return false;
        memcpy(&trees[idx], CMSG_DATA(cm), sizeof(int));
    }
}

_Noreturn void jail_child_main(const jail_plan *pl, const jail_child_fds *fds)
{
    msg_fd = fds->msg_w;
    int trees[JAIL_MAX_MOUNTS];
    for (size_t i = 0; i < JAIL_MAX_MOUNTS; i++) trees[i] = -1;
    if (arrange_fds(fds) != 0) _exit(125);
    if (!receive_trees(FD_SYNC, trees, pl->nmounts)) _exit(125); /* the parent gave up */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* cgroup v1: join the run's cgroups by moving this (only) thread — cheap, unlike a
     * process move by the parent. Still uid 0 on the host's cgroupfs here when the caller is
     * root (the only case with cgroups); refuse to go on if it fails: the limits must hold. */
    for (int i = 0; i < 2; i++) {
        if (!pl->join_tasks[i]) continue;
        int fd = open(pl->join_tasks[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) die_errno("cannot join the run's cgroup");
        close(fd);
    }
    /* No supplementary groups (a root caller's group 0 must not come along). Fails harmlessly
     * when the parent had to deny setgroups (unprivileged caller). */
    /* Raw system calls: glibc's wrappers would try to broadcast the change to the parent's
     * other threads, which do not exist here, and hang. */
    syscall(SYS_setgroups, 0, NULL);
    /* Become the mapped identity (credentials do not change when the maps are written). */
    if (syscall(SYS_setresgid, pl->gid_in, pl->gid_in, pl->gid_in) != 0 ||
        syscall(SYS_setresuid, pl->uid_in, pl->uid_in, pl->uid_in) != 0)
        die_errno("cannot take the jail's identity");

    char msg[512];
    sethostname("boxagent", 8);
    loopback_up();
    if (jail_mount_setup(pl, trees, msg, sizeof msg) != 0) die(msg, 126);
    for (size_t i = 0; i < pl->nmounts; i++)
        if (trees[i] >= 0) close(trees[i]);
    if (chdir(pl->cwd) != 0) {
        if (!pl->cwd_fallback || chdir(pl->cwd_fallback) != 0) {
            snprintf(msg, sizeof msg, "jail: working directory %s is not visible in the jail",
                     pl->cwd);
            die(msg, 126);
        }
    }
    drop_caps();
    /* init is a copy of the (possibly secret-holding) parent's memory: not dumpable, so nothing
     * in the jail can open its /proc/1/mem, environ, fd/ ... (Landlock refuses it too). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die_errno("cannot make init non-dumpable");

    /* The parent moves us into the run's cgroups while we built the view; the program must be
     * born inside them. */
    for (;;) {
        int joined = 0;
        ssize_t got = recv(FD_SYNC, &joined, sizeof joined, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got != (ssize_t)sizeof joined || joined != -3) _exit(125);
        break;
    }
    close(FD_SYNC);

    pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0) die_errno("fork");
    if (pid == 0) program(pl);
    close(0);
    close(1);
    close(2);
    int status = 0;
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, __WALL);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (w == pid) {
            status = st;
            break;
        }
    }
    if (write(FD_STATUS, &status, sizeof status) != (ssize_t)sizeof status) _exit(124);
    _exit(0);
}
