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
