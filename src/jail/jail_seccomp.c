/* jail_seccomp.c — the jail's seccomp filter, built once per process with libseccomp and kept
 * as BPF so the child only has to load it. Everything a jailed program never needs and that
 * widens the kernel's attack surface fails with EPERM (not a kill, so programs can report it):
 * ptrace, cross-process memory access, mount and namespace calls, bpf, perf, kexec, modules,
 * keyrings, io_uring, userfaultfd, handle-based opens, personality changes, sockets other than
 * AF_UNIX, clone with namespace flags, TIOCSTI. clone3 returns ENOSYS so libc falls back to
 * clone, whose flags can be inspected. Foreign-architecture system calls kill the process.
 * Setuid/setgid bits: chmod, fchmod, fchmodat(2), open/openat/creat and mknod(at) with
 * S_ISUID or S_ISGID in the mode fail with EPERM (a root caller's jail would otherwise leave
 * root-owned setuid files on the host); openat2 (mode inside a struct) returns ENOSYS.
 * UNIX sockets: connect() fails with EPERM (host daemons' socket files may be visible inside
 * a grant; seccomp cannot see the address), and only stream/seqpacket UNIX sockets can be made
 * (a datagram socket could sendto() a host socket by name); socketpair keeps working. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jail/jail_internal.h"

static const char *const denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd",
    "mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "fsopen", "fsmount",
    "fsconfig", "fspick", "open_tree", "mount_setattr", "unshare", "setns", "bpf",
    "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "create_module", "keyctl", "add_key", "request_key", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "userfaultfd", "open_by_handle_at",
    "name_to_handle_at", "swapon", "swapoff", "reboot", "syslog", "acct", "quotactl",
    "quotactl_fd", "lookup_dcookie", "vhangup", "iopl", "ioperm", "kcmp", "fanotify_init",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "nfsservctl", "uselib",
    "ustat", "sysfs", "_sysctl", "get_kernel_syms", "query_module", "vm86", "vm86old",
};

/* x86_64 numbers of calls newer than Debian's libseccomp knows. */
#ifdef __x86_64__
static const int denied_nr[] = {
    467, /* open_tree_attr */
};
#endif

#if defined(__x86_64__)
#define JAIL_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define JAIL_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "jail: add this architecture's AUDIT_ARCH"
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct sock_fprog prog;
static char build_err[256];

static int deny(scmp_filter_ctx ctx, int err, int nr, unsigned cnt, const struct scmp_arg_cmp *a)
{
    return seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, cnt, a);
}

static void build(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(build_err, sizeof build_err, "jail: seccomp_init failed");
        return;
    }
    int rc = 0;
    /* We set no_new_privs ourselves before loading. */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    for (size_t i = 0; i < sizeof denied / sizeof denied[0] && rc == 0; i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr == __NR_SCMP_ERROR || nr < 0) continue; /* unknown on this architecture */
        rc = deny(ctx, EPERM, nr, 0, NULL);
    }
#ifdef __x86_64__
    for (size_t i = 0; i < sizeof denied_nr / sizeof denied_nr[0] && rc == 0; i++)
        rc = deny(ctx, EPERM, denied_nr[i], 0, NULL);
#endif
    /* Sockets: AF_UNIX only. */
    if (rc == 0) {
        struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
        rc = deny(ctx, EPERM, SCMP_SYS(socket), 1, &a);
    }
    if (rc == 0) {
        struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
        rc = deny(ctx, EPERM, SCMP_SYS(socketpair), 1, &a);
    }
    /* Only UNIX stream/seqpacket sockets (type & 0xf): datagram ones can sendto() a path. */
    static const unsigned long bad_types[] = {SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_PACKET};
    for (size_t i = 0; i < sizeof bad_types / sizeof bad_types[0] && rc == 0; i++) {
        struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfUL, bad_types[i]);
        rc = deny(ctx, EPERM, SCMP_SYS(socket), 1, &a);
        if (rc == 0) rc = deny(ctx, EPERM, SCMP_SYS(socketpair), 1, &a);
    }
    /* connect(): the only way left to reach a socket file of a host daemon in a grant. */
    if (rc == 0) rc = deny(ctx, EPERM, SCMP_SYS(connect), 0, NULL);
    /* Setuid/setgid bits in any mode argument (argument index per call). */
    static const struct { int nr; unsigned arg; } modes[] = {
        {SCMP_SYS(chmod), 1},  {SCMP_SYS(fchmod), 1}, {SCMP_SYS(fchmodat), 2},
        {SCMP_SYS(creat), 1},  {SCMP_SYS(mknod), 1},  {SCMP_SYS(mknodat), 2},
#ifdef __x86_64__
        {452, 2}, /* fchmodat2 */
#endif
    };
    static const unsigned long setid_bits[] = {04000UL, 02000UL};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0] && rc == 0; i++) {
        if (modes[i].nr < 0) continue; /* not on this architecture */
        for (size_t b = 0; b < 2 && rc == 0; b++) {
            struct scmp_arg_cmp a = {modes[i].arg, SCMP_CMP_MASKED_EQ, setid_bits[b],
                                     setid_bits[b]};
            rc = deny(ctx, EPERM, modes[i].nr, 1, &a);
        }
    }
    /* open/openat: the mode only counts when the call creates (O_CREAT, or O_TMPFILE's own
     * bit); without them a caller may leave garbage in the mode register. */
    static const struct { int nr; unsigned flags, mode; } opens[] = {
        {SCMP_SYS(open), 1, 2}, {SCMP_SYS(openat), 2, 3},
    };
    static const unsigned long create_bits[] = {O_CREAT, 020000000UL /* __O_TMPFILE */};
    for (size_t i = 0; i < sizeof opens / sizeof opens[0] && rc == 0; i++) {
        if (opens[i].nr < 0) continue;
        for (size_t c = 0; c < 2 && rc == 0; c++)
            for (size_t b = 0; b < 2 && rc == 0; b++) {
                struct scmp_arg_cmp a[2] = {
                    {opens[i].flags, SCMP_CMP_MASKED_EQ, create_bits[c], create_bits[c]},
                    {opens[i].mode, SCMP_CMP_MASKED_EQ, setid_bits[b], setid_bits[b]},
                };
                rc = deny(ctx, EPERM, opens[i].nr, 2, a);
            }
    }
    if (rc == 0) {
        int nr = seccomp_syscall_resolve_name("openat2");
        rc = deny(ctx, ENOSYS, nr >= 0 ? nr : 437, 0, NULL);
    }
    /* clone with any namespace flag; clone3 -> ENOSYS (its flags live in memory). */
    static const unsigned long ns_flags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,
                                             CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
                                             CLONE_NEWCGROUP};
    for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0] && rc == 0; i++) {
        struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
        rc = deny(ctx, EPERM, SCMP_SYS(clone), 1, &a);
    }
    if (rc == 0) rc = deny(ctx, ENOSYS, SCMP_SYS(clone3), 0, NULL);
    /* personality: see personality_filter below (libseccomp cannot compare one argument
     * twice in a rule). Anything above 32 bits is refused here. */
    if (rc == 0) {
        struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_GT, 0xffffffffUL);
        rc = deny(ctx, EPERM, SCMP_SYS(personality), 1, &a);
    }
    /* Terminal input injection. */
    static const unsigned long ioctls[] = {TIOCSTI, TIOCLINUX};
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, ioctls[i]);
        rc = deny(ctx, EPERM, SCMP_SYS(ioctl), 1, &a);
    }
    if (rc != 0) {
        snprintf(build_err, sizeof build_err, "jail: seccomp rule: %s", strerror(-rc));
        seccomp_release(ctx);
        return;
    }
    int fd = memfd_create("jail-seccomp", MFD_CLOEXEC);
    if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0) {
        snprintf(build_err, sizeof build_err, "jail: cannot export the seccomp filter");
        if (fd >= 0) close(fd);
        seccomp_release(ctx);
        return;
    }
    seccomp_release(ctx);
    off_t len = lseek(fd, 0, SEEK_END);
    if (len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0 || len > 65536) {
        snprintf(build_err, sizeof build_err, "jail: bad seccomp filter size");
        close(fd);
        return;
    }
    struct sock_filter *f = malloc((size_t)len);
    if (!f || pread(fd, f, (size_t)len, 0) != len) {
        snprintf(build_err, sizeof build_err, "jail: cannot read the seccomp filter");
        free(f);
        close(fd);
        return;
    }
    close(fd);
    prog.len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
    prog.filter = f; /* kept for the life of the process */
}

/* A second, hand-written filter: personality(2) only with 0 (PER_LINUX) or 0xffffffff (the
 * query); on x86_64, x32 system calls (number with bit 30 set, same audit arch) fail with
 * ENOSYS whatever the kernel's x32 support, so the deny list cannot be bypassed through them
 * (libseccomp's filter already kills them; this holds even if it stops doing so). Other
 * architectures are killed by the main filter. */
#ifdef __x86_64__
#define JAIL_X32_BIT 0x40000000U
#else
#define JAIL_X32_BIT 0xffffffffU /* never matches a real number */
#endif
static struct sock_filter personality_insns[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, JAIL_AUDIT_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, JAIL_X32_BIT, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, 0, 4),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffU, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static const struct sock_fprog personality_prog = {
    .len = sizeof personality_insns / sizeof personality_insns[0],
    .filter = personality_insns,
};

const struct sock_fprog *jail_seccomp_personality(void)
{
    return &personality_prog;
}

const struct sock_fprog *jail_seccomp_filter(char *err, size_t errlen)
{
    pthread_once(&once, build);
    if (!prog.filter) {
        snprintf(err, errlen, "%s", build_err[0] ? build_err : "jail: seccomp unavailable");
        return NULL;
    }
    return &prog;
}

bool jail_seccomp_available(void)
{
    if (getenv("BOXAGENT_JAIL_PRETEND_NO_SECCOMP")) return false;
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) return false;
    return access("/proc/sys/kernel/seccomp/actions_avail", R_OK) == 0;
}
