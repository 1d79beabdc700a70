/* test_jail.c — the jail's library API (jail_run, the bash/run runners, results, tool data),
 * driven as the tool layer drives it, including hostile inputs. The namespace-level attacks
 * live in tests/suites/jail.sh; these check the contract: denials, limits, truncation,
 * status, cancellation, refusals of bad plans, the environment, and the tool schemas. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail/jail.h"
#include "policy/policy.h"

static char ws[64];

static void setup(void)
{
    snprintf(ws, sizeof ws, "/tmp/test_jail.XXXXXX");
    cr_assert_not_null(mkdtemp(ws));
    char path[128];
    snprintf(path, sizeof path, "%s/hello.txt", ws);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("hello from the workspace\n", f);
    fclose(f);
}

static void teardown(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ws);
    if (system(cmd) != 0) cr_log_warn("cleanup of %s failed", ws);
}

static policy_set *caps(const char *const *lines)
{
    policy_set *p = policy_new(ws);
    cr_assert_not_null(p);
    for (size_t i = 0; lines[i]; i++) {
        policy_error e;
        memset(&e, 0, sizeof e);
        cr_assert(policy_add_line(p, lines[i], 0, &e), "capability %s: %s", lines[i], e.message);
    }
    return p;
}

TestSuite(jail, .init = setup, .fini = teardown, .timeout = 60);

Test(jail, runs_a_program_and_captures_stdout)
{
    policy_set *p = caps((const char *[]){"read:.", "exec:cat", NULL});
    jail_result r;
    const char *argv[] = {"cat", "hello.txt", NULL};
    cr_assert(jail_run(p, argv, NULL, &r), "%s", r.error);
    cr_expect(r.ran);
    cr_expect_eq(r.exit_code, 0);
    cr_expect_str_eq(r.out, "hello from the workspace\n");
    cr_expect_eq(r.out_len, strlen("hello from the workspace\n"));
    cr_expect_str_eq(r.err, "");
    cr_expect_eq(r.limit, JAIL_LIMIT_NONE);
    cr_expect_not(r.truncated);
    cr_expect_not(r.unsandboxed);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, no_exec_capability_is_a_denial)
{
    policy_set *p = caps((const char *[]){"read:.", "exec:ls", NULL});
    jail_result r;
    const char *argv[] = {"cat", "hello.txt", NULL};
    cr_assert_not(jail_run(p, argv, NULL, &r));
    cr_expect(r.denied);
    cr_expect_not(r.ran);
    cr_expect(strstr(r.error, "denied: exec cat") != NULL, "error: %s", r.error);
    cr_expect_str_eq(r.out, "");
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, hostile_arguments_are_refused_not_crashed)
{
    policy_set *p = caps((const char *[]){"exec:*", NULL});
    jail_result r;
    cr_expect_not(jail_run(p, NULL, NULL, &r));
    cr_expect(r.error[0]);
    jail_result_free(&r);
    const char *empty[] = {"", NULL};
    cr_expect_not(jail_run(p, empty, NULL, &r));
    jail_result_free(&r);
    const char *none[] = {NULL};
    cr_expect_not(jail_run(p, none, NULL, &r));
    jail_result_free(&r);
    cr_expect_not(jail_run(NULL, empty, NULL, &r));
    jail_result_free(&r);
    char *longname = malloc(5000);
    memset(longname, 'a', 4999);
    longname[4999] = '\0';
    const char *argv[] = {longname, NULL};
    cr_expect_not(jail_run(p, argv, NULL, &r));
    jail_result_free(&r);
    free(longname);
    policy_free(p);
}

Test(jail, missing_program_is_127_with_a_message)
{
    policy_set *p = caps((const char *[]){"exec:*", NULL});
    jail_result r;
    const char *argv[] = {"definitely-not-a-program-xyz", NULL};
    cr_expect_not(jail_run(p, argv, NULL, &r));
    cr_expect_eq(r.exit_code, 127);
    cr_expect(strstr(r.error, "command not found") != NULL, "error: %s", r.error);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, exit_status_and_signals)
{
    policy_set *p = caps((const char *[]){"exec:bash", NULL});
    jail_result r;
    cr_assert(jail_run_bash(p, "exit 42", 0, &r), "%s", r.error);
    cr_expect_eq(r.exit_code, 42);
    cr_expect_eq(r.signal, 0);
    jail_result_free(&r);
    cr_assert(jail_run_bash(p, "kill -TERM $$", 0, &r), "%s", r.error);
    cr_expect_eq(r.signal, 15);
    cr_expect_eq(r.exit_code, 128 + 15);
    char *text = jail_result_text(&r);
    cr_expect(strstr(text, "signal 15") != NULL, "text: %s", text);
    free(text);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, bash_needs_exec_bash)
{
    policy_set *p = caps((const char *[]){"read:.", "exec:cat", NULL});
    jail_result r;
    cr_expect_not(jail_run_bash(p, "echo hi", 0, &r));
    cr_expect(r.denied);
    jail_result_free(&r);
    policy_free(p);
    p = caps((const char *[]){"read:.", "exec:bash", NULL});
    cr_assert(jail_run_bash(p, "cat hello.txt; pwd", 0, &r), "%s", r.error);
    char want[160];
    snprintf(want, sizeof want, "hello from the workspace\n%s\n", ws);
    cr_expect_str_eq(r.out, want);
    jail_result_free(&r);
    cr_expect_not(jail_run_bash(p, NULL, 0, &r));
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, run_argv_with_stdin_and_cwd)
{
    char sub[128];
    snprintf(sub, sizeof sub, "%s/sub", ws);
    cr_assert_eq(mkdir(sub, 0755), 0);
    policy_set *p = caps((const char *[]){"read:.", "exec:*", NULL});
    jail_result r;
    const char *argv[] = {"/bin/sh", "-c", "pwd; tr a-z A-Z", NULL};
    cr_assert(jail_run_argv(p, argv, "sub", "shout\n", 0, &r), "%s", r.error);
    char want[160];
    snprintf(want, sizeof want, "%s\nSHOUT\n", sub);
    cr_expect_str_eq(r.out, want);
    jail_result_free(&r);
    /* A working directory outside the view is an error, not a silent fallback. */
    const char *argv2[] = {"/bin/true", NULL};
    cr_expect_not(jail_run_argv(p, argv2, "/root", NULL, 0, &r));
    cr_expect(strstr(r.error, "not visible") != NULL, "error: %s", r.error);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, output_is_cut_with_a_marker)
{
    policy_set *p = caps((const char *[]){"exec:bash", NULL});
    jail_options o;
    jail_options_init(&o);
    o.output = 100;
    jail_result r;
    const char *argv[] = {"bash", "-c", "head -c 1000 /dev/zero | tr '\\0' x; echo tail >&2", NULL};
    jail_run(p, argv, &o, &r);
    cr_expect(r.ran, "%s", r.error);
    cr_expect(r.truncated);
    cr_expect_eq(r.output_bytes, 1005);
    cr_expect(strstr(r.out, "[output cut at 100 bytes]") != NULL, "out: %s", r.out);
    cr_expect(r.out_len < 100 + 64);
    cr_expect_eq(r.limit, JAIL_LIMIT_NONE); /* cut, not stopped: it finished */
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, timeout_kills_the_tree)
{
    policy_set *p = caps((const char *[]){"exec:bash", NULL});
    jail_result r;
    cr_assert(jail_run_bash(p, "sleep 600 & disown; sleep 600", 300, &r), "%s", r.error);
    cr_expect_eq(r.limit, JAIL_LIMIT_TIMEOUT);
    cr_expect_eq(r.signal, 9);
    cr_expect_eq(r.exit_code, 137);
    char *text = jail_result_text(&r);
    cr_expect(strstr(text, "timeout") != NULL, "text: %s", text);
    free(text);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, manifest_timeout_caps_the_request)
{
    policy_set *p = caps((const char *[]){"exec:bash", "timeout=300ms", NULL});
    jail_result r;
    /* asks for an hour; the manifest allows 300 ms */
    cr_assert(jail_run_bash(p, "sleep 600", 3600000, &r), "%s", r.error);
    cr_expect_eq(r.limit, JAIL_LIMIT_TIMEOUT);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, cancellation_stops_the_run)
{
    policy_set *p = caps((const char *[]){"exec:*", NULL});
    atomic_bool cancel = true;
    jail_options o;
    jail_options_init(&o);
    o.cancel = &cancel;
    jail_result r;
    const char *argv[] = {"sleep", "600", NULL};
    cr_assert(jail_run(p, argv, &o, &r), "%s", r.error);
    cr_expect_eq(r.limit, JAIL_LIMIT_CANCELLED);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, environment_is_minimal_plus_env_caps)
{
    setenv("TEST_JAIL_VISIBLE", "yes", 1);
    setenv("TEST_JAIL_HIDDEN", "no", 1);
    policy_set *p = caps((const char *[]){"exec:env", "env:TEST_JAIL_VISIBLE", NULL});
    jail_result r;
    const char *argv[] = {"env", NULL};
    cr_assert(jail_run(p, argv, NULL, &r), "%s", r.error);
    cr_expect(strstr(r.out, "TEST_JAIL_VISIBLE=yes\n") != NULL, "env: %s", r.out);
    cr_expect(strstr(r.out, "TEST_JAIL_HIDDEN") == NULL, "env: %s", r.out);
    cr_expect(strstr(r.out, "PATH=") != NULL);
    cr_expect(strstr(r.out, "HOME=/tmp\n") != NULL);
    cr_expect(strstr(r.out, "LANG=C.UTF-8\n") != NULL);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, kernel_interfaces_cannot_be_granted)
{
    policy_set *p = caps((const char *[]){"read:/proc", "exec:*", NULL});
    jail_result r;
    const char *argv[] = {"/bin/true", NULL};
    cr_expect_not(jail_run(p, argv, NULL, &r));
    cr_expect(strstr(r.error, "kernel interface") != NULL, "error: %s", r.error);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, resources_are_reported)
{
    policy_set *p = caps((const char *[]){"exec:bash", NULL});
    jail_result r;
    cr_assert(jail_run_bash(p, "x=0; for i in $(seq 1 20000); do x=$((x+i)); done; echo $x", 0, &r),
              "%s", r.error);
    cr_expect_str_eq(r.out, "200010000\n");
    cr_expect_gt(r.peak_rss, 0);
    cr_expect_geq(r.wall_ms, r.cpu_ms / 2); /* sanity: both measured */
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, tool_data_is_valid)
{
    const jail_tool_info *tools[] = {&jail_tool_bash, &jail_tool_run};
    for (int i = 0; i < 2; i++) {
        json_error_t e;
        json_t *s = json_loads(tools[i]->schema, 0, &e);
        cr_assert_not_null(s, "%s schema: %s", tools[i]->name, e.text);
        cr_expect_str_eq(json_string_value(json_object_get(s, "type")), "object");
        cr_expect(json_is_array(json_object_get(s, "required")));
        cr_expect(json_is_false(json_object_get(s, "additionalProperties")));
        json_decref(s);
        cr_expect_str_eq(tools[i]->permission, "execute");
        cr_expect(strlen(tools[i]->description) > 40);
    }
    cr_expect_str_eq(jail_tool_bash.name, "bash");
    cr_expect_str_eq(jail_tool_run.name, "run");
}

Test(jail, limit_names)
{
    cr_expect_str_eq(jail_limit_name(JAIL_LIMIT_NONE), "none");
    cr_expect_str_eq(jail_limit_name(JAIL_LIMIT_TIMEOUT), "timeout");
    cr_expect_str_eq(jail_limit_name(JAIL_LIMIT_OUTPUT), "output");
    cr_expect_str_eq(jail_limit_name(JAIL_LIMIT_MEMORY), "memory");
    cr_expect_str_eq(jail_limit_name((jail_limit)99), "unknown");
}

Test(jail, probe_reports_features)
{
    char why[256];
    bool ok = jail_probe(why, sizeof why);
    cr_expect(strstr(why, "landlock") != NULL, "%s", why);
    cr_expect(ok, "this machine should host the jail: %s", why);
}

/* The tool layer runs calls from several threads at once. */
#include <pthread.h>

static policy_set *shared_caps;

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 3; i++) {
        char cmd[64], want[64];
        snprintf(cmd, sizeof cmd, "echo worker-%ld-%d", id, i);
        snprintf(want, sizeof want, "worker-%ld-%d\n", id, i);
        jail_result r;
        bool ok = jail_run_bash(shared_caps, cmd, 0, &r);
        bool good = ok && r.exit_code == 0 && !strcmp(r.out, want);
        if (!good) fprintf(stderr, "worker %ld run %d: ok=%d exit=%d error=%s out=%s err=%s\n", id, i, ok, r.exit_code, r.error, r.out, r.err);
        jail_result_free(&r);
        if (!good) return (void *)1;
    }
    return NULL;
}

Test(jail, parallel_runs_from_threads)
{
    shared_caps = caps((const char *[]){"exec:bash", NULL});
    pthread_t t[4];
    for (long i = 0; i < 4; i++) cr_assert_eq(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        cr_expect_null(rv, "worker %d failed", i);
    }
    policy_free(shared_caps);
}

Test(jail, bash_with_options_honours_cancel_and_output)
{
    policy_set *p = caps((const char *[]){"exec:bash", NULL});
    atomic_bool cancel = true;
    jail_options o;
    jail_options_init(&o);
    o.cancel = &cancel;
    jail_result r;
    cr_assert(jail_run_bash_with(p, "sleep 600", &o, &r), "%s", r.error);
    cr_expect_eq(r.limit, JAIL_LIMIT_CANCELLED);
    jail_result_free(&r);
    jail_options_init(&o);
    o.output = 10;
    cr_assert(jail_run_bash_with(p, "echo 0123456789abcdef", &o, &r), "%s", r.error);
    cr_expect(r.truncated);
    cr_expect(!strncmp(r.out, "0123456789\n[output cut", 22), "out: %s", r.out);
    jail_result_free(&r);
    cr_assert(jail_run_bash_with(p, "echo plain", NULL, &r), "%s", r.error);
    cr_expect_str_eq(r.out, "plain\n");
    jail_result_free(&r);
    policy_free(p);
}

static void collect(void *user, int stream, const char *data, size_t len)
{
    char *dst = user;
    size_t n = strlen(dst);
    if (n + len + 3 < 256) {
        dst[n++] = stream == 1 ? 'O' : 'E';
        memcpy(dst + n, data, len);
        dst[n + len] = '\0';
    }
}

Test(jail, live_output_callback_sees_kept_bytes_only)
{
    policy_set *p = caps((const char *[]){"exec:bash", NULL});
    char seen[256] = "";
    jail_options o;
    jail_options_init(&o);
    o.on_output = collect;
    o.output_user = seen;
    o.output = 6;
    jail_result r;
    cr_assert(jail_run_bash_with(p, "printf abc; sleep 0.2; printf def >&2; sleep 0.2; printf ghi", &o, &r),
              "%s", r.error);
    cr_expect_str_eq(seen, "OabcEdef");
    cr_expect(r.truncated);
    cr_expect_eq(r.output_bytes, 9);
    jail_result_free(&r);
    policy_free(p);
}

/* ---- red-team holes, through the library API the tool layer uses */

static bool exists(const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", ws, rel);
    return lstat(path, &st) == 0;
}

Test(jail, state_dir_is_made_before_a_write_run_and_cannot_be_planted)
{
    policy_set *p = caps((const char *[]){"write:.", "exec:bash", NULL});
    jail_result r;
    cr_assert(jail_run_bash(p, "mkdir .boxagent; echo '{}' > .boxagent/config.json; true", 0,
                            &r),
              "%s", r.error);
    char path[128];
    snprintf(path, sizeof path, "%s/.boxagent", ws);
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0);
    cr_expect(S_ISDIR(st.st_mode));
    cr_expect_eq(st.st_mode & 07777, 0700);
    cr_expect_not(exists(".boxagent/config.json"));
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, symlinked_state_dir_refuses_the_run)
{
    char path[128];
    snprintf(path, sizeof path, "%s/.boxagent", ws);
    /* Planted after the capability set was made (e.g. by an earlier run). */
    policy_set *p = caps((const char *[]){"read:.", "exec:bash", NULL});
    cr_assert_eq(symlink("/tmp", path), 0);
    jail_result r;
    cr_expect_not(jail_run_bash(p, "touch /tmp/never", 0, &r));
    cr_expect_not(r.ran);
    cr_expect(strstr(r.error, "symlink") != NULL, "%s", r.error);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, alias_of_proc_is_refused)
{
    char link[96];
    snprintf(link, sizeof link, "%s-procl", ws);
    unlink(link);
    cr_assert_eq(symlink("/proc", link), 0);
    char cap[128];
    snprintf(cap, sizeof cap, "read:%s", link);
    policy_set *p = caps((const char *[]){cap, "exec:bash", NULL});
    jail_result r;
    bool ran = jail_run_bash(p, "ls", 0, &r);
    unlink(link);
    cr_expect_not(ran);
    cr_expect(strstr(r.error, "kernel") != NULL, "%s", r.error);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, setuid_bits_are_refused)
{
    policy_set *p = caps((const char *[]){"write:.", "exec:bash", NULL});
    jail_result r;
    cr_assert(jail_run_bash(p, "cp /bin/true t; chmod 4755 t; echo $?; chmod g+s t; echo $?",
                            0, &r),
              "%s", r.error);
    cr_expect_str_eq(r.out, "1\n1\n");
    char path[128];
    snprintf(path, sizeof path, "%s/t", ws);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 06000, 0);
    jail_result_free(&r);
    policy_free(p);
}

Test(jail, created_protected_names_are_removed_after_the_run)
{
    policy_set *p = caps((const char *[]){"write:.", "exec:bash", NULL});
    jail_result r;
    cr_assert(jail_run_bash(p, "echo x > .bashrc; mkdir -p a/.git/hooks; echo ok > a/kept", 0,
                            &r),
              "%s", r.error);
    cr_expect_not(exists(".bashrc"));
    cr_expect_not(exists("a/.git"));
    cr_expect(exists("a/kept"));
    cr_expect(strstr(r.err, "removed") != NULL, "%s", r.err);
    jail_result_free(&r);
    policy_free(p);
}
