/* test_policy_harden.c — red-team regressions for the capability layer: the single protected
 * name list, pseudo file systems (/proc, /sys, /dev) never granted, any .boxagent component
 * refused, limit values capped, grant roots never opened through symlinks. Written as the
 * attacker would try them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"

static policy_set *parse_ok(const char *text)
{
    policy_set *p = policy_new("/w");
    policy_error e;
    bool ok = policy_parse(p, text, &e);
    cr_assert(ok, "parse of [%s] failed: %d:%d %s", text, e.line, e.column, e.message);
    return p;
}

static bool can(const policy_set *p, const char *path, policy_access a)
{
    return policy_check_path(p, path, a).allowed;
}

Test(policy_protected, one_list_names)
{
    const char *yes[] = {".git", ".bashrc", ".bash_profile", ".bash_login", ".bash_logout",
                         ".profile", ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout",
                         ".inputrc", ".gitconfig", ".envrc", ".ssh", ".bash_aliases", NULL};
    for (int i = 0; yes[i]; i++) cr_expect(policy_protected_name(yes[i]), "%s", yes[i]);
    const char *no[] = {"", ".gitignore", ".github", "git", ".bashrcx", ".boxagentx", "x/.git",
                        ".git/hooks", ".config", "fish", ".config/fish", "..", ".", NULL};
    for (int i = 0; no[i]; i++) cr_expect(!policy_protected_name(no[i]), "[%s]", no[i]);
    cr_expect(!policy_protected_name(NULL));
    /* the list holds every single name, and .config/fish as a path */
    bool fish = false, git = false;
    for (const char *const *l = policy_protected_list(); *l; l++) {
        if (!strcmp(*l, ".config/fish")) fish = true;
        if (!strcmp(*l, ".git")) git = true;
        if (!strchr(*l, '/')) cr_expect(policy_protected_name(*l), "%s", *l);
    }
    cr_expect(fish && git);
    const char *w = NULL;
    cr_expect(policy_rel_protected("home/u/.config/fish/config.fish", &w));
    cr_expect_str_eq(w, ".config/fish");
    cr_expect(!policy_rel_protected("home/u/.config/fishy/x", NULL));
    cr_expect(!policy_rel_protected(".config", NULL));
    cr_expect(policy_rel_protected("a//.ssh/authorized_keys", NULL));
}

Test(policy_protected, write_grant_cannot_plant_startup_files)
{
    policy_set *p = parse_ok("write:.");
    const char *ro[] = {".ssh/authorized_keys", ".gitconfig", ".envrc", "sub/.envrc",
                        ".inputrc", ".zlogout", ".config/fish/config.fish",
                        "u/.config/fish/conf.d/x.fish", ".hg/hgrc", NULL};
    for (int i = 0; ro[i]; i++) {
        cr_expect(can(p, ro[i], POLICY_ACCESS_READ), "%s not readable", ro[i]);
        policy_decision d = policy_check_path(p, ro[i], POLICY_ACCESS_WRITE);
        cr_expect(!d.allowed, "%s writable", ro[i]);
        cr_expect(strstr(d.reason, "protected"), "%s: %s", ro[i], d.reason);
    }
    cr_expect(can(p, ".config/nvim/init.lua", POLICY_ACCESS_WRITE));
    policy_free(p);
    /* named explicitly: writable */
    p = parse_ok("write:.\nwrite:.ssh\nwrite:.config/fish");
    cr_expect(can(p, ".ssh/authorized_keys", POLICY_ACCESS_WRITE));
    cr_expect(can(p, ".config/fish/config.fish", POLICY_ACCESS_WRITE));
    cr_expect(!can(p, ".envrc", POLICY_ACCESS_WRITE));
    policy_free(p);
}

/* ------------------------------------------------------------ pseudo file systems */

Test(policy_pseudo, proc_sys_dev_never_granted)
{
    policy_set *p = parse_ok("write:/\nread:/proc\nwrite:/dev/shm\nread:/sys/kernel");
    const char *bad[] = {"/proc", "/proc/self/environ", "/proc/self/mem", "/proc/1/root/etc",
                         "/sys", "/sys/kernel/debug", "/dev", "/dev/mem", "/dev/shm/x",
                         "/dev/../proc/self/mem", "//proc//self/./environ", "/tmp/../proc/kcore",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        for (int a = POLICY_ACCESS_READ; a <= POLICY_ACCESS_WRITE; a++) {
            policy_decision d = policy_check_path(p, bad[i], (policy_access)a);
            cr_expect(!d.allowed, "%s allowed (%d)", bad[i], a);
            cr_expect(strstr(d.reason, "pseudo file system"), "%s: %s", bad[i], d.reason);
        }
    }
    /* the rest of read:/ / write:/ still works; look-alikes are ordinary */
    const char *ok[] = {"/etc/passwd", "/tmp/x", "/procx", "/sysroot/a", "/devel/b", "/w/proc",
                        NULL};
    for (int i = 0; ok[i]; i++) cr_expect(can(p, ok[i], POLICY_ACCESS_WRITE), "%s", ok[i]);
    cr_expect(policy_path_pseudo("/proc") && policy_path_pseudo("/dev/null"));
    cr_expect(!policy_path_pseudo("/process") && !policy_path_pseudo("/"));
    policy_free(p);
}

Test(policy_pseudo, fd_on_pseudo_fs_refused)
{
    char why[200];
    const char *bad[] = {"/proc/self/environ", "/proc/self", "/sys/kernel", "/dev/null", NULL};
    for (int i = 0; bad[i]; i++) {
        int fd = open(bad[i], O_PATH | O_CLOEXEC);
        if (fd < 0) continue;
        why[0] = 0;
        cr_expect(policy_fd_refused(fd, why, sizeof why), "%s accepted", bad[i]);
        cr_expect(why[0], "%s: no reason", bad[i]);
        close(fd);
    }
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    cr_assert(fd >= 0);
    cr_expect(!policy_fd_refused(fd, why, sizeof why), "/etc/passwd refused: %s", why);
    close(fd);
    fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cr_expect(!policy_fd_refused(fd, why, sizeof why), "/tmp refused: %s", why);
    close(fd);
}

/* ------------------------------------------------------------ any .boxagent */

Test(policy_state, every_boxagent_component_refused)
{
    policy_set *p = parse_ok("write:/\nwrite:.\nwrite:/other/.boxagent");
    const char *bad[] = {"sub/.boxagent", "sub/.boxagent/config.json", "a/b/.boxagent/token",
                         "/other/.boxagent/config.json", "/other/.boxagent", "/home/u/.boxagent/x",
                         "/tmp/p/.boxagent/../.boxagent/boxagent.db", NULL};
    for (int i = 0; bad[i]; i++) {
        for (int a = POLICY_ACCESS_READ; a <= POLICY_ACCESS_WRITE; a++) {
            policy_decision d = policy_check_path(p, bad[i], (policy_access)a);
            cr_expect(!d.allowed, "%s allowed (%d)", bad[i], a);
            cr_expect(strstr(d.reason, ".boxagent"), "%s: %s", bad[i], d.reason);
        }
    }
    const char *ok[] = {"sub/.boxagentx", "/other/boxagent", "/x/.boxagent.bak/y",
                        "sub/.boxagent/../ok", NULL};
    for (int i = 0; ok[i]; i++) cr_expect(can(p, ok[i], POLICY_ACCESS_WRITE), "%s", ok[i]);
    cr_expect(policy_path_has_state_name("/a/.boxagent"));
    cr_expect(!policy_path_has_state_name("/a/x.boxagent"));
    policy_free(p);
}

/* ------------------------------------------------------------ grant roots and symlinks */

static char hws[64];

static void mk(const char *rel, bool dir)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", hws, rel);
    if (dir) {
        cr_assert(mkdir(p, 0755) == 0, "mkdir %s", p);
    } else {
        FILE *f = fopen(p, "w");
        cr_assert(f, "create %s", p);
        fputs("orig", f);
        fclose(f);
    }
}

static void ln(const char *target, const char *rel)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", hws, rel);
    cr_assert(symlink(target, p) == 0, "symlink %s", p);
}

static void harden_tree(void)
{
    strcpy(hws, "/tmp/polhXXXXXX");
    cr_assert(mkdtemp(hws));
    mk(".git", true);
    mk(".git/hooks", true);
    mk("docs", true);
    mk("docs/readme", false);
    mk("victim", true);
    ln(".git/hooks", "hk");         /* write:./hk would be write:.git/hooks */
    ln("/proc", "procl");            /* read:./procl would be /proc */
    ln("/tmp", "tmpl");
    ln("docs", "d2");
    ln("../readme", "docs/up");
}

static void harden_rm(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", hws);
    if (system(cmd) != 0) cr_log_warn("cleanup failed");
}

static policy_set *ws_caps(const char *text)
{
    policy_set *p = policy_new(hws);
    policy_error e;
    cr_assert(policy_parse(p, text, &e), "%s", e.message);
    return p;
}

Test(policy_root, symlinked_grant_roots_refused, .init = harden_tree, .fini = harden_rm)
{
    policy_set *p = ws_caps("write:./hk\nread:./procl\nread:./tmpl\nread:./docs\nwrite:./d2\n"
                            "read:.");
    char why[300];
    const char *bad[] = {"hk", "procl", "tmpl", "d2", NULL};
    for (int i = 0; bad[i]; i++) {
        char root[256];
        snprintf(root, sizeof root, "%s/%s", hws, bad[i]);
        int fd = policy_open_root(p, root, O_PATH | O_DIRECTORY, why, sizeof why);
        cr_expect_eq(fd, -EACCES, "%s opened (%d)", bad[i], fd);
        if (fd >= 0) close(fd);
        cr_expect(strstr(why, "symbolic link"), "%s: %s", bad[i], why);
    }
    /* the attack of the red team: write hk/pre-commit lands in .git/hooks */
    policy_decision d;
    int fd = policy_open(p, "hk/pre-commit", POLICY_ACCESS_WRITE, O_WRONLY | O_CREAT | O_TRUNC,
                         0755, &d);
    cr_expect(fd < 0 && !d.allowed, "hook planted through a symlinked grant root");
    if (fd >= 0) close(fd);
    char hook[256];
    snprintf(hook, sizeof hook, "%s/.git/hooks/pre-commit", hws);
    cr_expect(access(hook, F_OK) != 0, "hook exists");
    fd = policy_open(p, "procl/self/environ", POLICY_ACCESS_READ, O_RDONLY, 0, &d);
    cr_expect(fd < 0, "host environ through a symlinked grant");
    if (fd >= 0) close(fd);
    fd = policy_open(p, "d2/readme", POLICY_ACCESS_WRITE, O_WRONLY | O_TRUNC, 0, &d);
    cr_expect(fd < 0, "write through symlinked root d2");
    if (fd >= 0) close(fd);
    /* ordinary roots still open; symlinks beneath a root are the beneath-walk's business */
    char root[256];
    snprintf(root, sizeof root, "%s/docs", hws);
    fd = policy_open_root(p, root, O_PATH | O_DIRECTORY, why, sizeof why);
    cr_expect(fd >= 0, "docs: %s", why);
    if (fd >= 0) close(fd);
    fd = policy_open(p, "docs/readme", POLICY_ACCESS_READ, O_RDONLY, 0, &d);
    cr_expect(fd >= 0, "docs/readme: %s", d.reason);
    if (fd >= 0) close(fd);
    fd = policy_open_root(p, hws, O_RDONLY | O_DIRECTORY, why, sizeof why);
    cr_expect(fd >= 0, "workspace: %s", why);
    if (fd >= 0) close(fd);
    fd = policy_open_root(p, "/etc", O_PATH | O_DIRECTORY, why, sizeof why);
    cr_expect(fd >= 0, "/etc: %s", why);
    if (fd >= 0) close(fd);
    /* pseudo roots, and never created */
    cr_expect_eq(policy_open_root(p, "/proc", O_PATH | O_DIRECTORY, why, sizeof why), -EACCES);
    cr_expect_eq(policy_open_root(p, "/sys/kernel", O_PATH | O_DIRECTORY, why, sizeof why),
                 -EACCES);
    cr_expect_eq(policy_open_root(p, "/etc/x", O_CREAT | O_WRONLY, why, sizeof why), -EINVAL);
    cr_expect_eq(policy_open_root(p, "rel", O_PATH, why, sizeof why), -EINVAL);
    policy_free(p);
}

Test(policy_root, workspace_named_through_a_link_still_works, .init = harden_tree,
     .fini = harden_rm)
{
    /* the operator may name the workspace through a link: only links beneath it are refused */
    char alias[128];
    snprintf(alias, sizeof alias, "%s-alias", hws);
    unlink(alias);
    cr_assert(symlink(hws, alias) == 0);
    policy_set *p = policy_new(alias);
    policy_error e;
    cr_assert(policy_parse(p, "read:./docs\nwrite:./hk", &e));
    policy_decision d;
    int fd = policy_open(p, "docs/readme", POLICY_ACCESS_READ, O_RDONLY, 0, &d);
    cr_expect(fd >= 0, "%s", d.reason);
    if (fd >= 0) close(fd);
    fd = policy_open(p, "hk/pre-commit", POLICY_ACCESS_WRITE, O_WRONLY | O_CREAT, 0644, &d);
    cr_expect(fd < 0);
    if (fd >= 0) close(fd);
    policy_free(p);
    unlink(alias);
}

/* ------------------------------------------------------------ limit bounds */

static void limit_bad(const char *text, const char *needle)
{
    policy_set *p = policy_new("/w");
    policy_error e;
    cr_expect(!policy_parse(p, text, &e), "[%s] accepted", text);
    cr_expect(strstr(e.message, needle), "[%s]: %s", text, e.message);
    cr_expect(e.line == 1 && e.column > 1, "[%s]: %d:%d", text, e.line, e.column);
    policy_free(p);
}

Test(policy_limits, huge_values_refused_not_wrapped)
{
    /* the red team's values: guests stopped early through an overflow downstream */
    limit_bad("timeout=18446744073709551615", "too large");
    limit_bad("fuel=18446744073709551615", "too large");
    limit_bad("fuel=4611686018427387905", "at most 2^62");
    limit_bad("timeout=169h", "7 days");
    limit_bad("cpu=10081m", "7 days");
    limit_bad("memory=2048G", "too large");
    limit_bad("output=2G", "too large");
    limit_bad("parallel=1025", "too large");
    limit_bad("stack=99999999", "too large");
    limit_bad("files=9999999", "too large");
    limit_bad("processes=18446744073709551615", "too large");
    limit_bad("timeout=99999999999999999999", "invalid value");
    /* the bounds themselves and ordinary values parse */
    policy_set *p = parse_ok("fuel=4611686018427387904\ntimeout=168h\nmemory=4G\noutput=1G\n"
                             "parallel=1024\ncpu=10080m\nfiles=64\nstack=1000");
    cr_expect_eq(p->limits.fuel, 1ULL << 62);
    cr_expect_eq(p->limits.timeout_ms, 7ULL * 24 * 3600 * 1000);
    cr_expect_eq(p->limits.output, 1ULL << 30);
    policy_free(p);
    cr_expect_eq(policy_limit_max("fuel"), 1ULL << 62);
    cr_expect_eq(policy_limit_max("timeout"), 7ULL * 24 * 3600 * 1000);
    cr_expect_eq(policy_limit_max("nope"), 0);
    cr_expect_eq(policy_limit_max(NULL), 0);
}

Test(policy_root, early_decision_sees_symlinked_roots, .init = harden_tree, .fini = harden_rm)
{
    policy_set *p = ws_caps("write:./hk\nread:./docs\nread:./procl\nread:/nonexistent-root");
    policy_decision d = policy_check_path_fs(p, "hk/pre-commit", POLICY_ACCESS_WRITE);
    cr_expect(!d.allowed && !d.cap && strstr(d.reason, "symbolic link"), "%s", d.reason);
    cr_expect(policy_check_path(p, "hk/pre-commit", POLICY_ACCESS_WRITE).allowed,
              "lexical answer unchanged");
    d = policy_check_path_fs(p, "procl/self/environ", POLICY_ACCESS_READ);
    cr_expect(!d.allowed, "%s", d.reason);
    d = policy_check_path_fs(p, "docs/readme", POLICY_ACCESS_READ);
    cr_expect(d.allowed, "%s", d.reason);
    d = policy_check_path_fs(p, "/nonexistent-root/x", POLICY_ACCESS_READ);
    cr_expect(d.allowed, "missing root keeps the lexical answer: %s", d.reason);
    d = policy_check_path_fs(p, "elsewhere", POLICY_ACCESS_READ);
    cr_expect(!d.allowed && strstr(d.reason, "no read"), "%s", d.reason);
    policy_free(p);
}
