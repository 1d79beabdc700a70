/* jail_landlock.c — Landlock on top of the mount view: the running kernel's ABI is detected and
 * the handled-access mask is every right that ABI knows, so a right is denied unless a rule
 * grants it (a lower ABI handles fewer rights; those it cannot name are still confined by the
 * read-only mount view). TCP bind/connect are handled with no rule (ABI 4+), and signals and
 * abstract UNIX sockets are scoped to the jail (ABI 6+). Called in the child before exec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/jail_internal.h"

/* The ruleset attribute as of ABI 6 (the kernel reads only the size we pass). */
struct jail_ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct jail_ll_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int jail_ll_abi(void)
{
    if (getenv("BOXAGENT_JAIL_PRETEND_NO_LANDLOCK")) return 0; /* tests of the refusal path */
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, JAIL_LL_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : (int)v;
}

uint64_t jail_ll_fs_mask(int abi)
{
    if (abi < 1) return 0;
    uint64_t m = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
    if (abi >= 2) m |= JAIL_LL_REFER;
    if (abi >= 3) m |= JAIL_LL_TRUNCATE;
    if (abi >= 5) m |= JAIL_LL_IOCTL_DEV;
    return m;
}

int jail_landlock_apply(const jail_plan *pl, char *msg, size_t msglen)
{
    int abi = pl->ll_abi;
    if (abi < 1) return 0;
    struct jail_ll_ruleset_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.handled_access_fs = jail_ll_fs_mask(abi);
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 4) {
        attr.handled_access_net = JAIL_LL_NET_BIND_TCP | JAIL_LL_NET_CONNECT_TCP;
        size = 2 * sizeof(uint64_t);
    }
    if (abi >= 6) {
        attr.scoped = JAIL_LL_SCOPE_ABSTRACT_UNIX | JAIL_LL_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (rs < 0) {
        snprintf(msg, msglen, "jail: landlock_create_ruleset (ABI %d): %s", abi,
                 strerrordesc_np(errno));
        return -errno;
    }
    for (size_t i = 0; i < pl->nrules; i++) {
        int fd = open(pl->rules[i].path, O_PATH | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT || errno == EACCES) continue; /* not in this view */
            int e = errno;
            snprintf(msg, msglen, "jail: landlock: cannot open %s: %s", pl->rules[i].path,
                     strerrordesc_np(e));
            close(rs);
            return -e;
        }
        struct stat st;
        uint64_t access = pl->rules[i].access & attr.handled_access_fs;
        if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) access &= JAIL_LL_FILE_RIGHTS;
        struct jail_ll_path_beneath pb = {.allowed_access = access, .parent_fd = fd};
        if (access && syscall(SYS_landlock_add_rule, rs, JAIL_LL_RULE_PATH_BENEATH, &pb, 0) != 0) {
            int e = errno;
            snprintf(msg, msglen, "jail: landlock: rule for %s: %s", pl->rules[i].path,
                     strerrordesc_np(e));
            close(fd);
            close(rs);
            return -e;
        }
        close(fd);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
        int e = errno;
        snprintf(msg, msglen, "jail: landlock_restrict_self: %s", strerrordesc_np(e));
        close(rs);
        return -e;
    }
    close(rs);
    return 0;
}
