/* seccomp_gen.c — build-time generator of the jail's main seccomp filter. The rules are
 * written with libseccomp here, once, at build time; the program prints the resulting BPF as a
 * C array (build/gen/jail_seccomp_filter.h) that src/jail/jail_seccomp.c loads as it is.
 * Building the filter at every `boxagent exec` cost about 0.3 ms of its start-up.
 * Everything a jailed program never needs and that widens the kernel's attack surface fails
 * with EPERM (not a kill, so programs can report it): ptrace, cross-process memory access,
 * mount and namespace calls, bpf, perf, kexec, modules, keyrings, io_uring, userfaultfd,
 * handle-based opens, personality changes, sockets other than AF_UNIX, clone with namespace
 * flags, TIOCSTI. clone3 returns ENOSYS so libc falls back to clone, whose flags can be
 * inspected. Foreign-architecture system calls kill the process.
 * Setuid/setgid bits: chmod, fchmod, fchmodat(2), open/openat/creat and mknod(at) with
 * S_ISUID or S_ISGID in the mode fail with EPERM (a root caller's jail would otherwise leave
 * root-owned setuid files on the host); openat2 (mode inside a struct) returns ENOSYS.
 * UNIX sockets: connect() fails with EPERM (host daemons' socket files may be visible inside
 * a grant; seccomp cannot see the address), and only stream/seqpacket UNIX sockets can be made
 * (a datagram socket could sendto() a host socket by name); socketpair keeps working. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

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


static int deny(scmp_filter_ctx ctx, int err, int nr, unsigned cnt, const struct scmp_arg_cmp *a)
{
    return seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, cnt, a);
}

static int build(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        fprintf(stderr, "seccomp-gen: seccomp_init failed\n");
        return 1;
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
        fprintf(stderr, "seccomp-gen: seccomp rule: %s\n", strerror(-rc));
        seccomp_release(ctx);
        return 1;
    }
    int fd = memfd_create("seccomp-gen", MFD_CLOEXEC);
    if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0) {
        fprintf(stderr, "seccomp-gen: cannot export the filter\n");
        seccomp_release(ctx);
        return 1;
    }
    seccomp_release(ctx);
    off_t len = lseek(fd, 0, SEEK_END);
    if (len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0 || len > 65536) {
        fprintf(stderr, "seccomp-gen: bad filter size %lld\n", (long long)len);
        return 1;
    }
    struct sock_filter *f = malloc((size_t)len);
    if (!f || pread(fd, f, (size_t)len, 0) != len) {
        fprintf(stderr, "seccomp-gen: cannot read the filter back\n");
        return 1;
    }
    close(fd);
    size_t n = (size_t)len / sizeof(struct sock_filter);
    printf("/* Generated by src/jail/gen/seccomp_gen.c with libseccomp: do not edit. */\n"
           "static const struct sock_filter jail_seccomp_insns[%zu] = {\n", n);
    for (size_t i = 0; i < n; i++)
        printf("    {0x%04x, %u, %u, 0x%08x},\n", f[i].code, f[i].jt, f[i].jf, f[i].k);
    printf("};\n");
    free(f);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

int main(void)
{
    return build();
}
