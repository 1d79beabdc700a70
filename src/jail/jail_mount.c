/* jail_mount.c — the jail's filesystem view, built in the child (PID 1 of the new namespaces)
 * with system calls only: a tmpfs root holding bind mounts of the granted paths and of the
 * read-only system paths, masks over secrets, a minimal /dev, a fresh /proc and a private /tmp;
 * then pivot_root and detach the host's root so nothing else can be reached, listed or stat'ed.
 * Bind sources are resolved inside the old root (RESOLVE_IN_ROOT), so absolute symlinks on the
 * host resolve as they do on the host, and never through /proc magic links. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/jail_internal.h"

static int fail(char *msg, size_t msglen, const char *what, const char *path)
{
    int e = errno ? errno : EINVAL;
    snprintf(msg, msglen, "jail: %s %s: %s", what, path ? path : "", strerrordesc_np(e));
    return -e;
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        struct stat st;
        if (stat(buf, &st) != 0) {
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        } else if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
        buf[i] = c;
    }
    return 0;
}

static int parent_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf) return 0;
    *slash = '\0';
    return mkdir_p(buf);
}

/* A mount point of the right type at dst (existing, or created in our own tmpfs). */
static int ensure_mountpoint(const char *dst, bool dir)
{
    struct stat st;
    if (stat(dst, &st) == 0) {
        if (dir != !!S_ISDIR(st.st_mode)) {
            errno = dir ? ENOTDIR : EISDIR;
            return -1;
        }
        return 0;
    }
    if (dir) return mkdir_p(dst);
    if (parent_dirs(dst) != 0) return -1;
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return errno == EEXIST ? 0 : -1;
    close(fd);
    return 0;
}

/* Clone the tree at fd/path (recursively), set attributes on every mount of the clone, and
 * attach it at dst. */
static int attach_clone(int dfd, const char *path, unsigned flags, uint64_t attr_set,
                        const char *dst)
{
    int tree = (int)syscall(SYS_open_tree, dfd, path,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | flags);
    if (tree < 0) return -1;
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = attr_set;
    attr.propagation = MS_PRIVATE;
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                sizeof attr) != 0) {
        int e = errno;
        close(tree);
        errno = e;
        return -1;
    }
    int rc = (int)syscall(SYS_move_mount, tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH);
    int e = errno;
    close(tree);
    errno = e;
    return rc;
}

bool jail_kernel_fs(int fd)
{
    static const unsigned long magic[] = {
        0x9fa0,     /* proc */       0x62656572, /* sysfs */    0x1cd1,     /* devpts */
        0x27e0eb,   /* cgroup */     0x63677270, /* cgroup2 */  0x64626720, /* debugfs */
        0x74726163, /* tracefs */    0x73636673, /* securityfs */ 0xcafe4a11, /* bpf */
        0x19800202, /* mqueue */     0x6165676c, /* pstore */   0xde5e81e4, /* efivarfs */
        0x62656570, /* configfs */   0x65735543, /* fusectl */  0x42494e4d, /* binfmt_misc */
        0x6e736673, /* nsfs */       0xf97cff8c, /* selinuxfs */
    };
    struct statfs sf;
    if (fstatfs(fd, &sf) != 0) return false;
    for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
        if ((unsigned long)sf.f_type == magic[i]) return true;
    return false;
}

/* A grant opened on a host kernel filesystem (its path was swapped for a link after the plan
 * checked it) is refused: close it, EACCES. */
static int kernel_fs_check(int fd)
{
    if (fd < 0 || !jail_kernel_fs(fd)) return fd;
    close(fd);
    errno = EACCES;
    return -1;
}

int jail_open_grant(int root_fd, const jail_mount *m)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const char *base = m->ws ? m->ws : m->src;
    const char *rel = base[1] ? base + 1 : ".";
    int fd = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
    if (fd < 0 || !m->ws || !strcmp(m->ws_rel, ".")) return kernel_fs_check(fd);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    int sub = (int)syscall(SYS_openat2, fd, m->ws_rel, &how, sizeof how);
    int e = errno;
    close(fd);
    errno = e;
    return kernel_fs_check(sub);
}

static int do_bind(int oldfd, const jail_mount *m, char *msg, size_t msglen)
{
    int fd = jail_open_grant(oldfd, m);
    if (fd < 0) {
        if (errno == ENOENT && m->optional) return 0;
        if (errno == ELOOP || errno == EXDEV)
            return fail(msg, msglen, "refusing a grant through a symlink inside the workspace:",
                        m->src);
        return fail(msg, msglen, "cannot open", m->src);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = fail(msg, msglen, "cannot stat", m->src);
        close(fd);
        return rc;
    }
    if (ensure_mountpoint(m->dst, S_ISDIR(st.st_mode)) != 0) {
        int rc = fail(msg, msglen, "cannot make mount point", m->dst + 8);
        close(fd);
        return rc;
    }
    uint64_t attr = MOUNT_ATTR_NOSUID;
    if (m->kind == JM_BIND_DEV)
        attr |= MOUNT_ATTR_NOEXEC;
    else
        attr |= MOUNT_ATTR_NODEV;
    if (m->kind == JM_BIND_RO) attr |= MOUNT_ATTR_RDONLY;
    int rc = attach_clone(fd, "", AT_EMPTY_PATH, attr, m->dst);
    if (rc != 0) rc = fail(msg, msglen, "cannot bind", m->src);
    close(fd);
    return rc;
}

static int rebind_ro(const char *dst, uint64_t extra)
{
    return attach_clone(AT_FDCWD, dst, AT_SYMLINK_NOFOLLOW,
                        MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | extra, dst);
}

static int do_proc(const jail_mount *m, char *msg, size_t msglen)
{
    if (mkdir_p(m->dst) != 0) return fail(msg, msglen, "cannot make", "/proc");
    if (mount("proc", m->dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        return fail(msg, msglen, "cannot mount", "/proc");
    static const char *const ro[] = {"sys", "sysrq-trigger", "irq", "bus", "fs", "acpi"};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", m->dst, ro[i]);
        struct stat st;
        if (lstat(p, &st) != 0) continue;
        if (rebind_ro(p, MOUNT_ATTR_NOEXEC) != 0) return fail(msg, msglen, "cannot protect", p);
    }
    return 0;
}

/* A grant the parent cloned and idmapped: attach it as it is. */
static int attach_tree(int tree, const jail_mount *m, char *msg, size_t msglen)
{
    if (tree < 0) {
        if (m->optional) return 0;
        errno = ENOENT;
        return fail(msg, msglen, "missing grant", m->src);
    }
    struct stat st;
    if (fstat(tree, &st) != 0) return fail(msg, msglen, "cannot stat", m->src);
    if (ensure_mountpoint(m->dst, S_ISDIR(st.st_mode)) != 0)
        return fail(msg, msglen, "cannot make mount point", m->dst + 8);
    if (syscall(SYS_move_mount, tree, "", AT_FDCWD, m->dst, MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return fail(msg, msglen, "cannot attach", m->src);
    return 0;
}

static int do_op(const jail_plan *pl, int oldfd, const jail_mount *m, int tree, char *msg,
                 size_t msglen)
{
    if (m->grant && pl->idmap) return attach_tree(tree, m, msg, msglen);
    struct stat st;
    switch (m->kind) {
    case JM_TMPFS:
        if (mkdir_p(m->dst) != 0) return fail(msg, msglen, "cannot make", m->dst + 8);
        if (mount("tmpfs", m->dst, "tmpfs", MS_NOSUID | MS_NODEV, m->data) != 0)
            return fail(msg, msglen, "cannot mount tmpfs on", m->dst + 8);
        return 0;
    case JM_BIND_RO:
    case JM_BIND_RW:
    case JM_BIND_DEV:
        return do_bind(oldfd, m, msg, msglen);
    case JM_SYMLINK:
        if (lstat(m->dst, &st) == 0) return 0;
        if (parent_dirs(m->dst) != 0 || symlink(m->src, m->dst) != 0)
            return fail(msg, msglen, "cannot make symlink", m->dst + 8);
        return 0;
    case JM_MASK_FILE:
    case JM_MASK_DIR:
        if (lstat(m->dst, &st) != 0) return 0;
        if (S_ISLNK(st.st_mode)) return 0; /* a link leads into the view, masked there */
        if (attach_clone(AT_FDCWD, S_ISDIR(st.st_mode) ? "/mask_dir" : "/mask_file", 0,
                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                             MOUNT_ATTR_NOEXEC,
                         m->dst) != 0)
            return fail(msg, msglen, "cannot mask", m->dst + 8);
        return 0;
    case JM_REBIND_RO:
        if (lstat(m->dst, &st) != 0) return 0;
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return 0;
        if (rebind_ro(m->dst, 0) != 0) return fail(msg, msglen, "cannot protect", m->dst + 8);
        return 0;
    case JM_PROC:
        return do_proc(m, msg, msglen);
    case JM_SEAL_RO: {
        if (lstat(m->dst, &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
        int tree = (int)syscall(SYS_open_tree, AT_FDCWD, m->dst,
                                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
                                    AT_SYMLINK_NOFOLLOW);
        if (tree < 0) return fail(msg, msglen, "cannot seal", m->dst + 8);
        struct mount_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        /* Not AT_RECURSIVE: only the skeleton's own mount; the grants beneath keep theirs. */
        if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0 ||
            syscall(SYS_move_mount, tree, "", AT_FDCWD, m->dst, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            int rc = fail(msg, msglen, "cannot seal", m->dst + 8);
            close(tree);
            return rc;
        }
        close(tree);
        return 0;
    }
    }
    errno = EINVAL;
    return fail(msg, msglen, "unknown mount kind for", m->dst + 8);
}

int jail_mount_setup(const jail_plan *pl, const int *trees, char *msg, size_t msglen)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return fail(msg, msglen, "cannot make mounts private", "/");
    /* A scratch tmpfs (on /tmp of our private mount namespace) holds the old and new roots. */
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") != 0)
        return fail(msg, msglen, "cannot mount scratch tmpfs on", "/tmp");
    if (chdir("/tmp") != 0) return fail(msg, msglen, "cannot enter", "/tmp");
    if (mkdir("newroot", 0755) != 0 || mkdir("oldroot", 0755) != 0 ||
        mkdir("mask_dir", 0) != 0 || chmod("mask_dir", 0) != 0)
        return fail(msg, msglen, "cannot prepare", "scratch root");
    int mfd = open("mask_file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (mfd < 0 || fchmod(mfd, 0) != 0) return fail(msg, msglen, "cannot prepare", "mask file");
    close(mfd);
    if (mount("tmpfs", "newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0)
        return fail(msg, msglen, "cannot mount", "new root");
    if (syscall(SYS_pivot_root, ".", "oldroot") != 0)
        return fail(msg, msglen, "pivot_root to", "scratch root");
    if (chdir("/") != 0) return fail(msg, msglen, "cannot enter", "/");
    int oldfd = open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (oldfd < 0) return fail(msg, msglen, "cannot open", "old root");

    for (size_t i = 0; i < pl->nmounts; i++) {
        int rc = do_op(pl, oldfd, &pl->mounts[i], trees[i], msg, msglen);
        if (rc != 0) {
            close(oldfd);
            return rc;
        }
    }
    close(oldfd);

    if (umount2("/oldroot", MNT_DETACH) != 0) return fail(msg, msglen, "cannot detach", "old root");
    int scratch = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (scratch < 0) return fail(msg, msglen, "cannot open", "scratch root");
    if (chdir("/newroot") != 0 || syscall(SYS_pivot_root, ".", ".") != 0 ||
        fchdir(scratch) != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
        int rc = fail(msg, msglen, "cannot switch to", "new root");
        close(scratch);
        return rc;
    }
    close(scratch);
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) !=
        0)
        return fail(msg, msglen, "cannot make read-only", "/");
    return 0;
}
