/* test_policy.c — the manifest grammar (every malformed form, with line and column),
 * canonical printing, protected paths, path boundaries, exec/env decisions, attenuation
 * examples and policy_open_beneath against a hostile directory tree. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/policy_internal.h"

static policy_set *parse_ok(const char *text)
{
    policy_set *p = policy_new("/w");
    policy_error e;
    bool ok = policy_parse(p, text, &e);
    cr_assert(ok, "parse of [%s] failed: %d:%d %s", text, e.line, e.column, e.message);
    return p;
}

static void parse_bad(const char *text, int line, int col, const char *needle)
{
    policy_set *p = policy_new("/w");
    policy_error e;
    bool ok = policy_parse(p, text, &e);
    cr_assert(!ok, "parse of [%s] should fail", text);
    cr_expect_eq(e.line, line, "[%s]: line %d want %d (%s)", text, e.line, line, e.message);
    cr_expect_eq(e.column, col, "[%s]: column %d want %d (%s)", text, e.column, col, e.message);
    if (needle)
        cr_expect(strstr(e.message, needle), "[%s]: message '%s' lacks '%s'", text, e.message,
                  needle);
    policy_free(p);
}

Test(policy_grammar, good_manifest_and_canonical_form)
{
    policy_set *p = parse_ok("# a comment\n"
                             "\n"
                             "read:.\n"
                             "  write:src/../build//out/.  \n"
                             "read:/etc/ssl::/ssl\r\n"
                             "fetch:HTTPS://API.Example.COM./v1/\n"
                             "fetch:http://*.example.org:8080\n"
                             "exec:make\n"
                             "exec:./tools/run\n"
                             "env:HOME\n"
                             "fuel=1000000\n"
                             "memory=64M\n"
                             "timeout=30s\n"
                             "output=0\n"
                             "stack=1000\n"
                             "parallel=4\n"
                             "processes=8\n"
                             "cpu=2m\n"
                             "files=64\n"
                             "fuel=1000000\n" /* same value again: fine */
                             "read:.\n");     /* duplicate: kept once */
    char *f = policy_format(p);
    cr_assert_str_eq(f, "read:/w\n"
                        "write:/w/build/out\n"
                        "read:/etc/ssl::/ssl\n"
                        "fetch:https://api.example.com/v1\n"
                        "fetch:http://*.example.org:8080\n"
                        "exec:make\n"
                        "exec:/w/tools/run\n"
                        "env:HOME\n"
                        "fuel=1000000\n"
                        "memory=67108864\n"
                        "timeout=30000ms\n"
                        "output=0\n"
                        "stack=1000\n"
                        "parallel=4\n"
                        "processes=8\n"
                        "cpu=120000ms\n"
                        "files=64\n");
    /* the canonical form parses back to itself */
    policy_set *q = parse_ok(f);
    char *g = policy_format(q);
    cr_assert_str_eq(f, g);
    cr_assert(policy_is_subset(p, q) && policy_is_subset(q, p));
    cr_assert(p->limits.has_memory && p->limits.memory == 64u << 20);
    cr_assert_eq(p->caps[2].kind, POLICY_READ);
    cr_assert_str_eq(p->caps[2].guest, "/ssl");
    cr_assert_str_eq(p->caps[3].url.host, "api.example.com");
    cr_assert_eq(p->caps[3].url.port, 443);
    cr_assert(p->caps[4].url.host_wildcard);
    free(f);
    free(g);
    policy_free(p);
    policy_free(q);
}

Test(policy_grammar, malformed_lines_have_line_and_column)
{
    parse_bad("read:.\nfrob:x\n", 2, 1, "unknown capability kind");
    parse_bad("read:.\n\n  bogus=3\n", 3, 3, "unknown limit");
    parse_bad("justaword", 1, 1, "expected KIND:TARGET");
    parse_bad(":x", 1, 1, "missing kind");
    parse_bad("=3", 1, 1, "missing name");
    parse_bad("Read:.", 1, 1, "invalid character");
    parse_bad("read:", 1, 6, "empty path");
    parse_bad("write:", 1, 7, "empty path");
    parse_bad("read:a::", 1, 9, "empty guest");
    parse_bad("read:::g", 1, 6, "empty path");
    parse_bad("read:a:", 1, 7, "may not end with ':'");
    parse_bad("fetch:", 1, 7, "empty target");
    parse_bad("exec:", 1, 6, "empty target");
    parse_bad("env:", 1, 5, "empty target");
    parse_bad("env:1ABC", 1, 5, "invalid character");
    parse_bad("env:A-B", 1, 6, "invalid character");
    parse_bad("exec:ma ke", 1, 8, "invalid character");
    parse_bad("exec:m*", 1, 7, "invalid character");
    parse_bad("fuel=", 1, 6, "no value");
    parse_bad("fuel=abc", 1, 6, "invalid value");
    parse_bad("fuel=-1", 1, 6, "invalid value");
    parse_bad("fuel=99999999999999999999", 1, 6, "invalid value");
    parse_bad("memory=12Q", 1, 8, "invalid value");
    parse_bad("timeout=5 s", 1, 9, "invalid value");
    parse_bad("fuel=0", 1, 6, "meaningless");
    parse_bad("memory=0", 1, 8, "meaningless");
    parse_bad("timeout=0", 1, 9, "meaningless");
    parse_bad("stack=0", 1, 7, "meaningless");
    parse_bad("parallel=0", 1, 10, "meaningless");
    parse_bad("fuel=10\nmemory=1M\nfuel=20", 3, 1, "contradictory");
    parse_bad("timeout=1s\ntimeout=2000", 2, 1, "contradictory");
    parse_bad("read:a\x01" "b", 1, 7, "control character");
    parse_bad("fetch:ftp://x.com", 1, 7, "unsupported scheme");
    parse_bad("fetch:https://user@x.com", 1, 7, "userinfo");
    parse_bad("fetch:https://x.com/?q=1", 1, 7, "query");
    parse_bad("fetch:https://x.com extra", 1, 21, "only \"public\"");
    parse_bad("fetch:https://x.*.com", 1, 7, "first label");
    parse_bad("read:.boxagent", 1, 6, "never grantable");
    parse_bad("write:/w/.boxagent/db", 1, 7, "never grantable");
    parse_bad("read:a::/g\nread:b::/g", 2, 6, "already mapped");
    parse_bad("read:.\n   fetch:https://[::1%eth0]/", 2, 10, "zone");
}

Test(policy_grammar, add_line_and_file_errors)
{
    policy_set *p = policy_new("/w");
    policy_error e;
    cr_assert(policy_add_line(p, "  # only a comment", 7, &e));
    cr_assert(policy_add_line(p, "", 8, &e));
    cr_assert(!policy_add_line(p, "read:x\ny", 9, &e));
    cr_assert_eq(e.line, 9);
    cr_assert(!policy_load_file(p, "/nonexistent/manifest", &e));
    cr_assert(strstr(e.message, "/nonexistent/manifest"));
    cr_assert_eq(p->ncaps, 0);
    policy_free(p);
    cr_assert_null(policy_new(""));
    cr_assert_null(policy_new(NULL));
    policy_set *r = policy_new("rel/ws");
    cr_assert(r && r->workspace[0] == '/');
    policy_free(r);
}

Test(policy_grammar, size_limits)
{
    policy_set *p = policy_new("/w");
    policy_error e;
    char line[64];
    for (int i = 0; i < 4096; i++) {
        snprintf(line, sizeof line, "read:d%d", i);
        cr_assert(policy_add_line(p, line, i + 1, &e), "%s", e.message);
    }
    cr_assert(!policy_add_line(p, "read:one-more", 4097, &e));
    cr_assert(strstr(e.message, "more than"), "%s", e.message);
    policy_free(p);
    char *big = malloc(10000);
    memset(big, 'a', 9999);
    memcpy(big, "read:", 5);
    big[9999] = '\0';
    p = policy_new("/w");
    cr_assert(!policy_add_line(p, big, 1, &e) && strstr(e.message, "longer"));
    /* a long path in a decision is fine */
    policy_decision d = policy_check_path(p, big + 5, POLICY_ACCESS_READ);
    cr_assert(!d.allowed && strlen(d.reason) < sizeof d.reason);
    free(big);
    policy_free(p);
}

Test(policy_grammar, path_normalisation)
{
    char *s;
    s = policy_path_normalize("/w", "a/./b//c/../d/");
    cr_assert_str_eq(s, "/w/a/b/d"); free(s);
    s = policy_path_normalize("/w", "../../../../x");
    cr_assert_str_eq(s, "/x"); free(s);
    s = policy_path_normalize("/w", "/..");
    cr_assert_str_eq(s, "/"); free(s);
    s = policy_path_normalize("/w", ".");
    cr_assert_str_eq(s, "/w"); free(s);
    s = policy_path_normalize(NULL, "//a///b");
    cr_assert_str_eq(s, "/a/b"); free(s);
}

static bool can(policy_set *p, const char *path, policy_access a)
{
    return policy_check_path(p, path, a).allowed;
}

Test(policy_paths, boundaries_and_longest_root)
{
    policy_set *p = parse_ok("read:/w\nwrite:/w/src\nread:/data/x");
    cr_assert(can(p, "/w/src/a.c", POLICY_ACCESS_WRITE));
    cr_assert(can(p, "src", POLICY_ACCESS_WRITE));
    cr_assert(!can(p, "/w/srcX/a.c", POLICY_ACCESS_WRITE));
    cr_assert(can(p, "/w/srcX/a.c", POLICY_ACCESS_READ));
    cr_assert(!can(p, "/w/src/../lib/x", POLICY_ACCESS_WRITE));
    cr_assert(!can(p, "/wX", POLICY_ACCESS_READ));
    cr_assert(!can(p, "/", POLICY_ACCESS_READ));
    cr_assert(can(p, "/data/x", POLICY_ACCESS_READ));
    cr_assert(!can(p, "/data/xy", POLICY_ACCESS_READ));
    cr_assert(!can(p, "/data", POLICY_ACCESS_READ));
    cr_assert(!can(p, "../etc/passwd", POLICY_ACCESS_READ));
    cr_assert(!can(p, "src/../../etc/passwd", POLICY_ACCESS_READ));
    cr_assert(!can(p, "", POLICY_ACCESS_READ));
    policy_decision d = policy_check_path(p, "/w/src/deep/file", POLICY_ACCESS_READ);
    cr_assert(d.allowed);
    cr_assert_str_eq(d.cap->text, "write:/w/src"); /* the longest root decides */
    cr_assert(strstr(d.reason, "write:/w/src"));
    d = policy_check_path(p, "/w/lib/x", POLICY_ACCESS_WRITE);
    cr_assert(!d.allowed && strstr(d.reason, "read-only"), "%s", d.reason);
    d = policy_check_path(p, "/elsewhere", POLICY_ACCESS_READ);
    cr_assert(!d.allowed && d.cap == NULL && strstr(d.reason, "no read"));
    policy_free(p);
}

Test(policy_paths, root_grant)
{
    policy_set *p = parse_ok("read:/");
    cr_assert(can(p, "/etc/passwd", POLICY_ACCESS_READ));
    cr_assert(!can(p, "/etc/passwd", POLICY_ACCESS_WRITE));
    cr_assert(!can(p, "/w/.boxagent/boxagent.db", POLICY_ACCESS_READ));
    cr_assert(can(p, "/w/.boxagentX", POLICY_ACCESS_READ));
    policy_free(p);
}

Test(policy_paths, protected_paths)
{
    policy_set *p = parse_ok("write:.");
    /* the state dir: never, whatever the form */
    const char *state[] = {".boxagent", ".boxagent/", ".boxagent/boxagent.db", "/w/.boxagent/token",
                           "./.boxagent/../.boxagent/config.json", "src/../.boxagent",
                           "//w//.boxagent", NULL};
    for (int i = 0; state[i]; i++) {
        cr_expect(!can(p, state[i], POLICY_ACCESS_READ), "%s readable", state[i]);
        cr_expect(!can(p, state[i], POLICY_ACCESS_WRITE), "%s writable", state[i]);
    }
    /* .git and shell start-up files: readable, not writable */
    const char *ro[] = {".git", ".git/config", ".git/hooks/pre-commit", "sub/.git/HEAD",
                        "a/b/.git/hooks/x", ".bashrc", ".profile", ".bash_profile", ".zshrc",
                        ".bash_logout", ".zprofile", ".zshenv", ".bash_login", "home/u/.bashrc",
                        NULL};
    for (int i = 0; ro[i]; i++) {
        cr_expect(can(p, ro[i], POLICY_ACCESS_READ), "%s not readable", ro[i]);
        policy_decision d = policy_check_path(p, ro[i], POLICY_ACCESS_WRITE);
        cr_expect(!d.allowed, "%s writable", ro[i]);
        cr_expect(strstr(d.reason, "protected"), "%s: %s", ro[i], d.reason);
    }
    /* look-alikes are ordinary */
    const char *ok[] = {".gitignore", ".github/workflows/x.yml", "git/config", ".bashrc.d/x.old",
                        ".bashrcx", "x.git", NULL};
    for (int i = 0; ok[i]; i++) cr_expect(can(p, ok[i], POLICY_ACCESS_WRITE), "%s", ok[i]);
    policy_free(p);

    /* named explicitly: writable */
    p = parse_ok("write:.\nwrite:.git\nwrite:/home/u/.bashrc");
    cr_assert(can(p, ".git/hooks/pre-commit", POLICY_ACCESS_WRITE));
    cr_assert(can(p, "/home/u/.bashrc", POLICY_ACCESS_WRITE));
    cr_assert(!can(p, "sub/.git/config", POLICY_ACCESS_WRITE));
    cr_assert(!can(p, ".git/../.boxagent/x", POLICY_ACCESS_READ));
    policy_decision d = policy_check_path(p, ".git/config", POLICY_ACCESS_WRITE);
    cr_assert_str_eq(d.cap->text, "write:/w/.git");
    policy_free(p);
}

Test(policy_paths, guest_mapping)
{
    policy_set *p = parse_ok("write:./build::/out\nread:/usr/share::/\nread:.");
    const policy_cap *c;
    char *h = policy_guest_to_host(p, "/out/x/y", &c);
    cr_assert_str_eq(h, "/w/build/x/y");
    cr_assert_eq(c->kind, POLICY_WRITE);
    free(h);
    h = policy_guest_to_host(p, "/doc/z", NULL);
    cr_assert_str_eq(h, "/usr/share/doc/z");
    free(h);
    h = policy_guest_to_host(p, "/w/src", NULL); /* its own path beats "/" (longer) */
    cr_assert_str_eq(h, "/w/src");
    free(h);
    h = policy_guest_to_host(p, "/out/../../etc", NULL);
    cr_assert_str_eq(h, "/usr/share/etc");
    free(h);
    policy_free(p);
}

Test(policy_exec_env, decisions)
{
    policy_set *p = parse_ok("exec:make\nexec:/usr/bin/cc\nexec:./bin/t\nenv:HOME\nenv:LANG");
    cr_assert(policy_check_exec(p, "make").allowed);
    cr_assert(!policy_check_exec(p, "/usr/bin/make").allowed);  /* a path is not the name */
    cr_assert(!policy_check_exec(p, "./make").allowed);
    cr_assert(!policy_check_exec(p, "makes").allowed);
    cr_assert(!policy_check_exec(p, "cc").allowed);
    cr_assert(policy_check_exec(p, "/usr/bin/cc").allowed);
    cr_assert(policy_check_exec(p, "/usr/bin/../bin/cc").allowed);
    cr_assert(policy_check_exec(p, "bin/t").allowed);
    cr_assert(policy_check_exec(p, "/w/bin/t").allowed);
    cr_assert(!policy_check_exec(p, "").allowed);
    cr_assert(!policy_check_exec(p, "ma\nke").allowed);
    cr_assert(policy_check_env(p, "HOME").allowed);
    cr_assert(!policy_check_env(p, "home").allowed);
    cr_assert(!policy_check_env(p, "PATH").allowed);
    cr_assert(!policy_check_env(p, "HOME=x").allowed);
    policy_free(p);
    p = parse_ok("exec:*\nenv:*");
    cr_assert(policy_check_exec(p, "/anything/at/all").allowed);
    cr_assert(policy_check_env(p, "OPENAI_API_KEY").allowed);
    policy_free(p);
    p = parse_ok("read:.");
    cr_assert(!policy_check_exec(p, "make").allowed);
    cr_assert(!policy_check_env(p, "HOME").allowed);
    cr_assert(!policy_check_fetch(p, "https://example.com/").allowed);
    policy_free(p);
}

static char *att(const char *parent, const char *req, char **notes)
{
    policy_set *a = parse_ok(parent), *b = parse_ok(req);
    policy_set *c = policy_attenuate(a, b, notes);
    cr_assert(policy_is_subset(c, a), "attenuate(%s, %s) not within parent", parent, req);
    cr_assert(policy_is_subset(c, b) || true);
    char *f = policy_format(c);
    policy_free(a);
    policy_free(b);
    policy_free(c);
    return f;
}

static void att_eq(const char *parent, const char *req, const char *want)
{
    char *notes = NULL;
    char *f = att(parent, req, &notes);
    cr_expect_str_eq(f, want, "attenuate(%s | %s) = [%s] want [%s] notes [%s]", parent, req, f,
                     want, notes);
    free(f);
    free(notes);
}

Test(policy_attenuate, examples)
{
    att_eq("read:.", "read:src", "read:/w/src\n");
    att_eq("read:src", "write:.", "read:/w/src\n");
    att_eq("read:src", "read:.", "read:/w/src\n");
    att_eq("write:.", "write:src", "write:/w/src\n");
    att_eq("write:.", "write:.git", "read:/w/.git\n");
    att_eq("write:.", "write:a/.bashrc", "read:/w/a/.bashrc\n");
    att_eq("write:.\nwrite:.git", "write:.git/hooks", "write:/w/.git/hooks\n");
    att_eq("read:.\nwrite:src", "write:.", "read:/w\nwrite:/w/src\n");
    att_eq("write:sub/.git", "write:.", "read:/w/sub/.git\n");
    att_eq("read:.", "read:/etc", "");
    att_eq("fetch:https://api.x.com/v1", "fetch:https://*", "fetch:https://api.x.com/v1 public\n");
    att_eq("fetch:https://*", "fetch:https://api.x.com/v1", "fetch:https://api.x.com/v1 public\n");
    att_eq("fetch:https://*.x.com", "fetch:https://*", "fetch:https://*.x.com\n");
    att_eq("fetch:https://*.x.com", "fetch:https://*.a.x.com/p", "fetch:https://*.a.x.com/p\n");
    att_eq("fetch:https://*.x.com", "fetch:https://x.com", "");
    att_eq("fetch:https://*.x.com", "fetch:http://a.x.com", "");
    att_eq("fetch:https://x.com/a", "fetch:https://x.com/ab", "");
    att_eq("fetch:https://x.com/a", "fetch:https://x.com/a/b", "fetch:https://x.com/a/b\n");
    att_eq("fetch:https://x.com:8443", "fetch:https://x.com", "");
    att_eq("exec:make\nexec:cc", "exec:*", "exec:make\nexec:cc\n");
    att_eq("exec:*", "exec:make", "exec:make\n");
    att_eq("exec:make", "exec:rm", "");
    att_eq("env:HOME", "env:HOME\nenv:PATH", "env:HOME\n");
    att_eq("fuel=100\nmemory=1M", "fuel=500\ntimeout=1s", "fuel=100\nmemory=1048576\ntimeout=1000ms\n");
    att_eq("timeout=5s", "", "timeout=5000ms\n");
    char *notes = NULL;
    char *f = att("read:src\nfuel=10", "write:.\nexec:rm\nfuel=99", &notes);
    cr_assert(strstr(notes, "write:/w narrowed to read:/w/src"), "%s", notes);
    cr_assert(strstr(notes, "exec:rm dropped"), "%s", notes);
    cr_assert(strstr(notes, "fuel=99 lowered to the parent's 10"), "%s", notes);
    free(f);
    free(notes);
}

Test(policy_attenuate, subset_basics)
{
    policy_set *a = parse_ok("read:src\nfuel=10"), *b = parse_ok("read:.\nfuel=20");
    cr_assert(policy_is_subset(a, b));
    cr_assert(!policy_is_subset(b, a));
    policy_free(a);
    policy_free(b);
    a = parse_ok("read:.");
    b = parse_ok("read:.\nfuel=20");
    cr_assert(!policy_is_subset(a, b)); /* unlimited fuel is more than 20 */
    cr_assert(policy_is_subset(b, a));
    policy_free(a);
    policy_free(b);
    a = parse_ok("write:.git");
    b = parse_ok("write:.");
    cr_assert(!policy_is_subset(a, b));
    policy_free(a);
    policy_free(b);
    a = parse_ok("fetch:https://localhost");
    b = parse_ok("fetch:https://*");
    cr_assert(!policy_is_subset(a, b)); /* an explicit host may reach loopback; * may not */
    policy_free(a);
    a = parse_ok("fetch:https://localhost public");
    cr_assert(policy_is_subset(a, b));
    policy_free(a);
    policy_free(b);
}

/* ------------------------------------------------------------------ open beneath */

static char tmpl[64];

static void mkfile(const char *path, const char *data)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(data, f);
    fclose(f);
}

static void tree_setup(void)
{
    strcpy(tmpl, "/tmp/polopenXXXXXX");
    cr_assert(mkdtemp(tmpl));
    char p[256];
    snprintf(p, sizeof p, "%s/root", tmpl); mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/root/sub", tmpl); mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/secret", tmpl); mkfile(p, "secret");
    snprintf(p, sizeof p, "%s/root/sub/ok", tmpl); mkfile(p, "ok");
    char t[256];
    snprintf(p, sizeof p, "%s/root/abs", tmpl); snprintf(t, sizeof t, "%s/secret", tmpl);
    cr_assert(symlink(t, p) == 0);
    snprintf(p, sizeof p, "%s/root/rel", tmpl);
    cr_assert(symlink("../secret", p) == 0);
    snprintf(p, sizeof p, "%s/root/inside", tmpl);
    cr_assert(symlink("sub/ok", p) == 0);
    snprintf(p, sizeof p, "%s/root/dangling", tmpl); snprintf(t, sizeof t, "%s/created", tmpl);
    cr_assert(symlink(t, p) == 0);
    snprintf(p, sizeof p, "%s/root/proc", tmpl);
    cr_assert(symlink("/proc/self/root", p) == 0);
}

static void tree_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    if (system(cmd) != 0) cr_log_warn("cleanup failed");
}

Test(policy_open, beneath_refuses_escapes, .init = tree_setup, .fini = tree_teardown)
{
    char p[256];
    snprintf(p, sizeof p, "%s/root", tmpl);
    int dfd = open(p, O_RDONLY | O_DIRECTORY);
    cr_assert(dfd >= 0);
    int fd = policy_open_beneath(dfd, "sub/ok", O_RDONLY, 0);
    cr_assert(fd >= 0, "%d", fd);
    close(fd);
    fd = policy_open_beneath(dfd, "inside", O_RDONLY, 0);
    cr_assert(fd >= 0, "in-tree symlink: %d", fd);
    close(fd);
    fd = policy_open_beneath(dfd, "sub/../sub/ok", O_RDONLY, 0);
    cr_assert(fd >= 0);
    close(fd);
    fd = policy_open_beneath(dfd, ".", O_RDONLY | O_DIRECTORY, 0);
    cr_assert(fd >= 0);
    close(fd);
    const char *bad[] = {"../secret", "sub/../../secret", "abs", "rel", "/etc/passwd",
                         "proc/etc/passwd", "dangling", NULL};
    for (int i = 0; bad[i]; i++) {
        fd = policy_open_beneath(dfd, bad[i], O_RDONLY, 0);
        cr_expect(fd < 0, "%s opened", bad[i]);
        if (fd >= 0) close(fd);
    }
    fd = policy_open_beneath(dfd, "dangling", O_WRONLY | O_CREAT, 0644);
    cr_expect(fd < 0, "created through a dangling symlink");
    if (fd >= 0) close(fd);
    snprintf(p, sizeof p, "%s/created", tmpl);
    cr_assert(access(p, F_OK) != 0, "file created outside");
    fd = policy_open_beneath(dfd, "new", O_WRONLY | O_CREAT | O_EXCL, 0600);
    cr_assert(fd >= 0, "%d", fd);
    close(fd);
    cr_assert_eq(policy_open_beneath(dfd, NULL, O_RDONLY, 0), -EINVAL);
    close(dfd);
}

Test(policy_open, fallback_walk_refuses_escapes, .init = tree_setup, .fini = tree_teardown)
{
    char p[256];
    snprintf(p, sizeof p, "%s/root", tmpl);
    int dfd = open(p, O_RDONLY | O_DIRECTORY);
    cr_assert(dfd >= 0);
    const char *good[] = {"sub/ok", "sub/../sub/ok", "./sub//ok", NULL};
    for (int i = 0; good[i]; i++) {
        int fd = pol_walk_beneath(dfd, good[i], O_RDONLY, 0);
        cr_expect(fd >= 0, "%s: %d", good[i], fd);
        if (fd >= 0) close(fd);
    }
    int fd = pol_walk_beneath(dfd, ".", O_RDONLY | O_DIRECTORY, 0);
    cr_assert(fd >= 0);
    close(fd);
    fd = pol_walk_beneath(dfd, "sub/..", O_RDONLY | O_DIRECTORY, 0);
    cr_assert(fd >= 0);
    close(fd);
    /* the walk refuses every symlink, even one that stays inside */
    const char *bad[] = {"../secret", "sub/../../secret", "abs", "rel", "/etc/passwd",
                         "proc/etc/passwd", "dangling", "inside", "..", NULL};
    for (int i = 0; bad[i]; i++) {
        fd = pol_walk_beneath(dfd, bad[i], O_RDONLY, 0);
        cr_expect(fd < 0, "%s opened", bad[i]);
        if (fd >= 0) close(fd);
    }
    fd = pol_walk_beneath(dfd, "dangling", O_WRONLY | O_CREAT, 0644);
    cr_expect(fd < 0);
    snprintf(p, sizeof p, "%s/created", tmpl);
    cr_assert(access(p, F_OK) != 0, "file created outside");
    close(dfd);
}

/* ------------------------------------------------------------------ policy_open */

static char ows[64];

static void ws_tree(void)
{
    strcpy(ows, "/tmp/polwsXXXXXX");
    cr_assert(mkdtemp(ows));
    char p[256], t[256];
#define P(...) (snprintf(p, sizeof p, __VA_ARGS__), p)
    mkdir(P("%s/.boxagent", ows), 0700);
    mkfile(P("%s/.boxagent/config.json", ows), "{}");
    mkdir(P("%s/.git", ows), 0755);
    mkfile(P("%s/.git/config", ows), "[core]");
    mkdir(P("%s/src", ows), 0755);
    mkfile(P("%s/src/a.c", ows), "int a;");
    mkfile(P("%s/outside", ows), "outside");
    cr_assert(symlink(".boxagent", P("%s/src/../state", ows)) == 0);
    cr_assert(symlink("../.boxagent/config.json", P("%s/src/cfg", ows)) == 0);
    cr_assert(symlink("../.git", P("%s/src/g", ows)) == 0);
    cr_assert(symlink("../.git/config", P("%s/src/gc", ows)) == 0);
    cr_assert(symlink("a.c", P("%s/src/alias", ows)) == 0);
    snprintf(t, sizeof t, "%s/outside", ows);
    cr_assert(symlink(t, P("%s/src/out", ows)) == 0);
#undef P
}

static void ws_tree_rm(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", ows);
    if (system(cmd) != 0) cr_log_warn("cleanup failed");
}

static int popen_(policy_set *p, const char *rel, policy_access a, int flags)
{
    policy_decision d;
    int fd = policy_open(p, rel, a, flags, 0644, &d);
    if (fd >= 0) {
        cr_assert(d.allowed && d.cap);
        close(fd);
        return 0;
    }
    cr_assert(!d.allowed && d.reason[0], "%s: no reason", rel);
    return fd;
}

static bool file_is(const char *rel, const char *content)
{
    char p[256], b[64] = "";
    snprintf(p, sizeof p, "%s/%s", ows, rel);
    FILE *f = fopen(p, "r");
    if (!f) return content == NULL;
    size_t n = fread(b, 1, sizeof b - 1, f);
    b[n] = '\0';
    fclose(f);
    return content && strcmp(b, content) == 0;
}

Test(policy_open, symlinks_cannot_reach_state_or_protected, .init = ws_tree, .fini = ws_tree_rm)
{
    policy_set *p = policy_new(ows);
    policy_error e;
    cr_assert(policy_parse(p, "write:.\nread:/etc/hostname", &e), "%s", e.message);
    /* ordinary use */
    cr_assert_eq(popen_(p, "src/a.c", POLICY_ACCESS_READ, O_RDONLY), 0);
    cr_assert_eq(popen_(p, "src/alias", POLICY_ACCESS_WRITE, O_WRONLY | O_APPEND), 0);
    cr_assert_eq(popen_(p, "src/new.c", POLICY_ACCESS_WRITE, O_WRONLY | O_CREAT | O_TRUNC), 0);
    cr_assert(file_is("src/new.c", ""));
    cr_assert_eq(popen_(p, "src/new2.c", POLICY_ACCESS_WRITE, O_WRONLY | O_CREAT | O_EXCL), 0);
    cr_assert_eq(popen_(p, ".git/config", POLICY_ACCESS_READ, O_RDONLY), 0);
    cr_assert_eq(popen_(p, "src", POLICY_ACCESS_READ, O_RDONLY | O_DIRECTORY), 0);
    cr_assert_eq(popen_(p, ".", POLICY_ACCESS_READ, O_RDONLY | O_DIRECTORY), 0);
    /* the state directory, directly and through symlinks */
    cr_assert_eq(popen_(p, ".boxagent/config.json", POLICY_ACCESS_READ, O_RDONLY), -EACCES);
    cr_assert_eq(popen_(p, "state/config.json", POLICY_ACCESS_READ, O_RDONLY), -EACCES);
    cr_assert_eq(popen_(p, "src/cfg", POLICY_ACCESS_READ, O_RDONLY), -EACCES);
    cr_assert_eq(popen_(p, "state", POLICY_ACCESS_READ, O_RDONLY | O_DIRECTORY), -EACCES);
    cr_assert_eq(popen_(p, "state/token", POLICY_ACCESS_WRITE, O_WRONLY | O_CREAT), -EACCES);
    cr_assert(file_is(".boxagent/token", NULL), "created a file in .boxagent through a symlink");
    cr_assert_eq(popen_(p, "src/cfg", POLICY_ACCESS_WRITE, O_WRONLY | O_TRUNC), -EACCES);
    cr_assert(file_is(".boxagent/config.json", "{}"), "config truncated");
    /* protected paths for write, through symlinks */
    cr_assert_eq(popen_(p, ".git/config", POLICY_ACCESS_WRITE, O_WRONLY | O_TRUNC), -EACCES);
    cr_assert_eq(popen_(p, "src/gc", POLICY_ACCESS_WRITE, O_WRONLY | O_TRUNC), -EACCES);
    cr_assert_eq(popen_(p, "src/g/hooks-pre-commit", POLICY_ACCESS_WRITE, O_WRONLY | O_CREAT),
                 -EACCES);
    cr_assert(file_is(".git/config", "[core]"), ".git/config changed");
    cr_assert(file_is(".git/hooks-pre-commit", NULL), "hook created");
    cr_assert_eq(popen_(p, "src/gc", POLICY_ACCESS_READ, O_RDONLY), 0); /* reading is fine */
    /* absolute symlinks are refused by the beneath-resolution, even pointing inside */
    cr_assert(popen_(p, "src/out", POLICY_ACCESS_READ, O_RDONLY) < 0);
    cr_assert_eq(popen_(p, "/etc/passwd", POLICY_ACCESS_READ, O_RDONLY), -EACCES);
    /* flags that write need write access */
    policy_decision d;
    cr_assert_eq(policy_open(p, "src/a.c", POLICY_ACCESS_READ, O_RDWR, 0, &d), -EACCES);
    cr_assert_eq(policy_open(p, "src/a.c", POLICY_ACCESS_READ, O_RDONLY | O_TRUNC, 0, &d), -EACCES);
    cr_assert(file_is("src/a.c", "int a;"));
    policy_free(p);

    /* a grant naming one file */
    char g[200];
    snprintf(g, sizeof g, "write:.\nwrite:%s/.bashrc", ows);
    p = policy_new(ows);
    cr_assert(policy_parse(p, g, &e), "%s", e.message);
    mkfile(strcat(strcpy(g, ows), "/.bashrc"), "alias x=y");
    cr_assert_eq(popen_(p, ".bashrc", POLICY_ACCESS_WRITE, O_WRONLY | O_TRUNC), 0);
    cr_assert(file_is(".bashrc", ""));
    cr_assert_eq(popen_(p, ".bashrc", POLICY_ACCESS_READ, O_RDONLY), 0);
    cr_assert_eq(popen_(p, "src/.bashrc", POLICY_ACCESS_WRITE, O_WRONLY | O_CREAT), -EACCES);
    policy_free(p);

    /* a read grant on src: a symlink leading out of it is refused */
    p = policy_new(ows);
    cr_assert(policy_parse(p, "read:src", &e));
    cr_assert_eq(popen_(p, "src/a.c", POLICY_ACCESS_READ, O_RDONLY), 0);
    cr_assert(popen_(p, "src/out", POLICY_ACCESS_READ, O_RDONLY) < 0);
    cr_assert(popen_(p, "src/gc", POLICY_ACCESS_READ, O_RDONLY) < 0);
    cr_assert_eq(popen_(p, "src/a.c", POLICY_ACCESS_WRITE, O_WRONLY), -EACCES);
    policy_free(p);
}

Test(policy_paths, state_dir_through_a_symlinked_workspace)
{
    char real[64] = "/tmp/polrealXXXXXX", link[80], p[160];
    cr_assert(mkdtemp(real));
    snprintf(link, sizeof link, "%s-link", real);
    cr_assert(symlink(real, link) == 0);
    snprintf(p, sizeof p, "%s/.boxagent", real);
    mkdir(p, 0700);
    policy_set *s = policy_new(link); /* named through the symlink */
    policy_error e;
    cr_assert(policy_parse(s, "read:/\nwrite:/tmp", &e), "%s", e.message);
    snprintf(p, sizeof p, "%s/.boxagent/config.json", real); /* the real path of the state dir */
    cr_assert(!policy_check_path(s, p, POLICY_ACCESS_READ).allowed, "%s reachable", p);
    cr_assert(!policy_check_path(s, p, POLICY_ACCESS_WRITE).allowed);
    snprintf(p, sizeof p, "%s/.boxagent/x", link);
    cr_assert(!policy_check_path(s, p, POLICY_ACCESS_READ).allowed);
    snprintf(p, sizeof p, "%s/src", real);
    cr_assert(policy_check_path(s, p, POLICY_ACCESS_WRITE).allowed);
    policy_set *c = policy_clone(s);
    snprintf(p, sizeof p, "%s/.boxagent", real);
    cr_assert(!policy_check_path(c, p, POLICY_ACCESS_READ).allowed);
    policy_set *a = policy_attenuate(s, c, NULL);
    cr_assert(!policy_check_path(a, p, POLICY_ACCESS_READ).allowed);
    policy_free(a);
    policy_free(c);
    policy_free(s);
    unlink(link);
    snprintf(p, sizeof p, "rm -rf %s", real);
    if (system(p) != 0) cr_log_warn("cleanup");
}
