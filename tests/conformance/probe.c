/* probe.c — a hostile little program for sandbox tests, built natively (for the jail) and for
 * wasm32-wasi (for the WebAssembly backend) from this one source. Usage:
 *   probe OP ARG [OP ARG ...]
 * prints one line per operation: "allow" or "deny ERRNO-NAME". Operations on paths (both
 * builds): read (open + read a byte), write (open an existing file for appending), create
 * (make a new file, then remove it), list (read a directory), stat. Native only: ptrace,
 * mount, unshare, socket FAMILY (inet, inet6, raw, packet, netlink, unix), clone-ns, clone3,
 * personality, bpf, perf, keyctl, io_uring, userfaultfd, chmod PATH, setuid, kill PID,
 * x32-ptrace (x86_64: ptrace through the x32 system-call numbers). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef __wasi__
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#endif

static const char *ename(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EROFS: return "EROFS";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EEXIST: return "EEXIST";
    case ELOOP: return "ELOOP";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    case EXDEV: return "EXDEV";
    case EBADF: return "EBADF";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ESRCH: return "ESRCH";
    default: return "EOTHER";
    }
}

static int report(int ok)
{
    if (ok) printf("allow\n");
    else printf("deny %s\n", ename(errno));
    return 0;
}

static int op_read(const char *p)
{
    int fd = open(p, O_RDONLY);
    if (fd < 0) return report(0);
    char c;
    ssize_t n = read(fd, &c, 1);
    int e = errno;
    close(fd);
    errno = e;
    return report(n >= 0);
}

static int op_write(const char *p)
{
    int fd = open(p, O_WRONLY | O_APPEND);
    if (fd < 0) return report(0);
    close(fd);
    return report(1);
}

static int op_create(const char *p)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return report(0);
    close(fd);
    unlink(p);
    return report(1);
}

static int op_list(const char *p)
{
    DIR *d = opendir(p);
    if (!d) return report(0);
    errno = 0;
    while (readdir(d)) {
    }
    int e = errno;
    closedir(d);
    errno = e;
    return report(e == 0);
}

static int op_stat(const char *p)
{
    struct stat st;
    return report(stat(p, &st) == 0);
}

#ifndef __wasi__
static int op_socket(const char *fam)
{
    int d = AF_INET, t = SOCK_STREAM, proto = 0;
    if (!strcmp(fam, "inet6")) d = AF_INET6;
    else if (!strcmp(fam, "raw")) { t = SOCK_RAW; proto = IPPROTO_ICMP; }
    else if (!strcmp(fam, "packet")) { d = AF_PACKET; t = SOCK_RAW; }
    else if (!strcmp(fam, "netlink")) { d = AF_NETLINK; t = SOCK_RAW; }
    else if (!strcmp(fam, "unix")) d = AF_UNIX;
    else if (strcmp(fam, "inet")) { errno = EINVAL; return report(0); }
    int s = socket(d, t, proto);
    if (s >= 0) close(s);
    return report(s >= 0);
}

static int native(const char *op, const char *arg)
{
    if (!strcmp(op, "ptrace")) return report(ptrace(PTRACE_TRACEME, 0, 0, 0) == 0);
    if (!strcmp(op, "mount")) return report(mount("none", arg, "tmpfs", 0, NULL) == 0);
    if (!strcmp(op, "unshare")) return report(unshare(CLONE_NEWUSER) == 0);
    if (!strcmp(op, "socket")) return op_socket(arg);
    if (!strcmp(op, "clone-ns")) {
        long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid == 0) _exit(0);
        return report(pid > 0);
    }
    if (!strcmp(op, "clone3")) {
        long r = syscall(SYS_clone3, NULL, 0);
        return report(r >= 0);
    }
    if (!strcmp(op, "personality")) return report(personality(PER_LINUX32) != -1);
    if (!strcmp(op, "bpf")) return report(syscall(SYS_bpf, 0, NULL, 0) >= 0);
    if (!strcmp(op, "perf")) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        return report(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0) >= 0);
    }
    if (!strcmp(op, "keyctl")) return report(syscall(SYS_keyctl, 0, 0, 0, 0, 0) >= 0);
    if (!strcmp(op, "io_uring")) return report(syscall(SYS_io_uring_setup, 1, NULL) >= 0);
    if (!strcmp(op, "userfaultfd")) return report(syscall(SYS_userfaultfd, 0) >= 0);
    if (!strcmp(op, "chmod")) return report(chmod(arg, 0777) == 0);
    if (!strcmp(op, "setuid")) return report(setuid(12345) == 0);
#ifdef __x86_64__
    if (!strcmp(op, "x32-ptrace")) return report(syscall(0x40000000 | 521, PTRACE_TRACEME, 0, 0, 0) == 0);
#endif
    if (!strcmp(op, "kill")) return report(kill(atoi(arg), 0) == 0);
    errno = EINVAL;
    return -1;
}
#endif

int main(int argc, char **argv)
{
    if (argc < 3 || argc % 2 == 0) {
        fprintf(stderr, "usage: probe OP ARG [OP ARG ...]\n");
        return 3;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *op = argv[i], *arg = argv[i + 1];
        errno = 0;
        if (!strcmp(op, "read")) op_read(arg);
        else if (!strcmp(op, "write")) op_write(arg);
        else if (!strcmp(op, "create")) op_create(arg);
        else if (!strcmp(op, "list")) op_list(arg);
        else if (!strcmp(op, "stat")) op_stat(arg);
#ifndef __wasi__
        else if (native(op, arg) == 0) {
        }
#endif
        else {
            fprintf(stderr, "probe: unknown operation %s\n", op);
            return 3;
        }
        fflush(stdout);
    }
    return 0;
}
