/* policy_open.c — opening a path beneath a directory fd without escaping it: openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, or, where the kernel lacks openat2, a walk one
 * component at a time with O_NOFOLLOW (which refuses every symlink, stricter than openat2). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "util/util.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int pol_walk_beneath(int dirfd, const char *rel, int flags, int mode)
{
    if (rel[0] == '/') return -EXDEV;
    char *copy = xstrdup(rel);
    size_t cap = 16, depth = 0;
    int *stack = xmalloc(cap * sizeof(int));
    int cur = dirfd;
    int result = -ENOENT;
    char *save = NULL;
    /* collect components */
    char *comps[4096];
    size_t n = 0;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0) continue;
        if (n == sizeof(comps) / sizeof(comps[0])) { result = -ENAMETOOLONG; goto out; }
        comps[n++] = t;
    }
    if (n == 0) {
        int fd = openat(dirfd, ".", flags | O_CLOEXEC | O_NOFOLLOW, mode);
        result = fd < 0 ? -errno : fd;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        if (strcmp(comps[i], "..") == 0) {
            if (depth == 0) { result = -EXDEV; goto out; }
            close(cur);
            cur = --depth == 0 ? dirfd : stack[depth - 1];
            if (last) {
                int fd = openat(cur, ".", flags | O_CLOEXEC, mode);
                result = fd < 0 ? -errno : fd;
                goto out;
            }
            continue;
        }
        if (last) {
            int fd = openat(cur, comps[i], flags | O_CLOEXEC | O_NOFOLLOW, mode);
            result = fd < 0 ? -errno : fd;
            goto out;
        }
        int fd = openat(cur, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            result = errno == ENOTDIR ? -ENOTDIR : -errno;
            goto out;
        }
        if (depth == cap) {
            cap *= 2;
            stack = xrealloc(stack, cap * sizeof(int));
        }
        stack[depth++] = fd;
        cur = fd;
    }
out:
    while (depth > 0) close(stack[--depth]);
    free(stack);
    free(copy);
    return result;
}

int policy_open_beneath(int dirfd, const char *rel, int flags, int mode)
{
    if (!rel) return -EINVAL;
    if (strlen(rel) >= 4096) return -ENAMETOOLONG;
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) how.mode = (uint64_t)(mode & 07777);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int tries = 0; tries < 32; tries++) {
        long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
        if (fd >= 0) return (int)fd;
        if (errno == EAGAIN || errno == EINTR) continue;
        if (errno == ENOSYS) return pol_walk_beneath(dirfd, rel, flags, mode);
        return -errno;
    }
    return -EAGAIN;
}
