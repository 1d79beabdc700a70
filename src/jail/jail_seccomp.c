/* jail_seccomp.c — the jail's seccomp filters, ready to load in the child: the main one
 * (system calls a jailed program never needs fail with EPERM, foreign architectures are
 * killed; rules in src/jail/gen/seccomp_gen.c, compiled to BPF with libseccomp at build time)
 * and a hand-written one for personality(2) and x32 system calls. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/jail_internal.h"

#if defined(__x86_64__)
#define JAIL_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define JAIL_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "jail: add this architecture's AUDIT_ARCH"
#endif

/* The main filter, generated at build time (see src/jail/gen/seccomp_gen.c for its rules). */
#include "jail_seccomp_filter.h"

static const struct sock_fprog main_prog = {
    .len = sizeof jail_seccomp_insns / sizeof jail_seccomp_insns[0],
    .filter = (struct sock_filter *)jail_seccomp_insns,
};

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

const struct sock_fprog *jail_seccomp_filter(void)
{
    return &main_prog;
}

bool jail_seccomp_available(void)
{
    if (getenv("BOXAGENT_JAIL_PRETEND_NO_SECCOMP")) return false;
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) return false;
    return access("/proc/sys/kernel/seccomp/actions_avail", R_OK) == 0;
}
