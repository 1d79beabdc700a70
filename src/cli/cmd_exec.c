/* cmd_exec.c — `boxagent exec`: run a native program inside the jail from the terminal, under
 * capabilities given with --cap and/or a manifest file. Prints the program's output, exits
 * with its status (128+signal when killed), and says in one line on stderr when a limit
 * stopped it or the capability set refused it. Every run, allowed or refused, is appended to
 * the workspace's audit log (.boxagent/ is made when missing); if the log cannot be opened the
 * run is refused, except in a directory where .boxagent/ cannot be made at all (read-only,
 * not ours), where it runs with a warning that it is not audited. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "cli/commands.h"
#include "jail/jail.h"
#include "policy/policy.h"
#include "util/buf.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: boxagent exec [OPTIONS] -- PROGRAM [ARGS...]\n"
            "\n"
            "Run PROGRAM natively inside the jail: new namespaces, a filesystem view holding\n"
            "only the granted paths, Landlock, seccomp, no network, resource limits.\n"
            "PROGRAM must be allowed by an exec: capability (exec:NAME or exec:*).\n"
            "\n"
            "options:\n"
            "  --cap CAP            add a capability or limit line (repeatable), e.g.\n"
            "                       --cap read:. --cap write:./out --cap exec:make --cap env:CC\n"
            "  --manifest FILE      read capabilities and limits from FILE\n"
            "  --workspace DIR      the workspace (default: the current directory)\n"
            "  --cwd DIR            working directory inside the jail (default: the workspace)\n"
            "  --timeout DURATION   wall-clock limit (500, 500ms, 30s, 5m; default 30s)\n"
            "  --memory SIZE        memory limit (64M, 1G; default 1G)\n"
            "  --processes N        process limit (default 256)\n"
            "  --output SIZE        stdout+stderr kept (default 1M); the rest is cut\n"
            "  --cpu DURATION       CPU time limit\n"
            "  --stdin              feed boxagent's standard input to the program\n"
            "  --allow-unsandboxed  run even if Landlock or seccomp is unavailable (warned)\n"
            "  --probe              print what the kernel offers the jail and exit\n"
            "A manifest's limits apply too; the smaller of a manifest limit and an option wins.\n"
            "Every run is recorded in the workspace's audit log (.boxagent/, made if missing);\n"
            "if the log cannot be opened the run is refused.\n");
}

static bool read_stdin(buf *b)
{
    char tmp[65536];
    for (;;) {
        ssize_t n = read(0, tmp, sizeof tmp);
        if (n == 0) return true;
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (b->len + (size_t)n > (64u << 20)) return false;
        buf_append(b, tmp, (size_t)n);
    }
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* The audit log of this run: <workspace>/.boxagent/ is made (0700) when missing. Where it
 * cannot be made (a read-only or foreign directory: nothing in a sandbox of ours could make
 * it there either) the run goes ahead with a warning saying it is not audited; any other
 * failure to open the log refuses the run (*refuse). */
static audit_log *open_audit(const policy_set *p, bool *refuse)
{
    *refuse = false;
    char *state = xasprintf("%s/.boxagent", p->workspace);
    struct stat st;
    if (lstat(state, &st) != 0 && errno == ENOENT && mkdir(state, 0700) != 0 &&
        (errno == EACCES || errno == EROFS || errno == EPERM)) {
        fprintf(stderr, "boxagent exec: warning: this run is NOT audited: cannot create %s: "
                        "%s\n", state, strerror(errno));
        free(state);
        return NULL;
    }
    free(state);
    char *err = NULL;
    audit_log *log = audit_open(p->workspace, &err);
    if (!log) {
        fprintf(stderr, "boxagent exec: refusing to run unaudited: audit log: %s\n",
                err ? err : "cannot open");
        free(err);
        *refuse = true;
    }
    return log;
}

/* One audit record for this run (failures to append are warned). */
static void audit_run(audit_log *log, const policy_set *p, char **prog_argv,
                      const jail_options *o, const jail_result *r, bool ran)
{
    if (!log) return;
    char *err = NULL;
    json_t *args = json_object(), *av = json_array(), *caps = json_array();
    for (size_t i = 0; prog_argv[i]; i++) json_array_append_new(av, json_string(prog_argv[i]));
    for (size_t i = 0; i < p->ncaps; i++)
        if (p->caps[i].text) json_array_append_new(caps, json_string(p->caps[i].text));
    json_object_set_new(args, "argv", av);
    json_object_set_new(args, "capabilities", caps);
    if (o->allow_unsandboxed) json_object_set_new(args, "allow_unsandboxed", json_true());
    char *args_text = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(args);
    char rule[640];
    if (!ran)
        snprintf(rule, sizeof rule, "%s", r->error);
    else
        snprintf(rule, sizeof rule, "exit %d%s%s%s%s", r->exit_code,
                 r->limit != JAIL_LIMIT_NONE ? ", stopped by the " : "",
                 r->limit != JAIL_LIMIT_NONE ? jail_limit_name(r->limit) : "",
                 r->limit != JAIL_LIMIT_NONE ? " limit" : "",
                 r->unsandboxed ? ", UNSANDBOXED (no Landlock/seccomp)" : "");
    buf result = BUF_INIT;
    buf_append(&result, r->out, r->out_len);
    buf_append(&result, r->err, r->err_len);
    audit_record rec;
    memset(&rec, 0, sizeof rec);
    rec.tool = "exec";
    rec.agent = "cli";
    rec.args = args_text;
    rec.decision = r->denied ? AUDIT_DENIED : ran ? AUDIT_ALLOWED : AUDIT_ERROR;
    rec.rule = rule;
    rec.peak_memory = r->peak_rss;
    rec.wall_ms = r->wall_ms;
    rec.output_bytes = r->output_bytes;
    rec.result = result.data;
    rec.result_len = result.len;
    if (!audit_append(log, &rec, NULL, NULL, &err)) {
        fprintf(stderr, "boxagent exec: warning: audit log: %s\n", err ? err : "append failed");
        free(err);
    }
    buf_free(&result);
    free(args_text);
}

static void live_output(void *user, int stream, const char *data, size_t len)
{
    (void)user;
    write_all(stream == 2 ? 2 : 1, data, len);
}

int cmd_exec(int argc, char **argv)
{
    const char *manifest = NULL, *workspace = NULL, *cwd = NULL;
    const char **caps = xcalloc((size_t)argc + 1, sizeof *caps);
    size_t ncaps = 0;
    jail_options o;
    jail_options_init(&o);
    bool want_stdin = false, probe = false;
    int i = 1, rc = 1;
    policy_set *p = NULL;
    buf in = BUF_INIT;

    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        if (!strcmp(a, "--stdin")) { want_stdin = true; continue; }
        if (!strcmp(a, "--allow-unsandboxed")) { o.allow_unsandboxed = true; continue; }
        if (!strcmp(a, "--probe")) { probe = true; continue; }
        if (a[0] != '-') break;
        bool known = !strcmp(a, "--cap") || !strcmp(a, "--manifest") || !strcmp(a, "--workspace") ||
                     !strcmp(a, "--cwd") || !strcmp(a, "--timeout") || !strcmp(a, "--memory") ||
                     !strcmp(a, "--processes") || !strcmp(a, "--output") || !strcmp(a, "--cpu");
        if (!known) {
            fprintf(stderr, "boxagent exec: unknown option '%s' (see 'boxagent exec --help')\n", a);
            rc = 2;
            goto out;
        }
        if (!v) {
            fprintf(stderr, "boxagent exec: %s needs a value\n", a);
            rc = 2;
            goto out;
        }
        i++;
        bool ok = true;
        if (!strcmp(a, "--cap")) caps[ncaps++] = v;
        else if (!strcmp(a, "--manifest")) manifest = v;
        else if (!strcmp(a, "--workspace")) workspace = v;
        else if (!strcmp(a, "--cwd")) cwd = v;
        else if (!strcmp(a, "--timeout")) ok = util_parse_duration_ms(v, &o.timeout_ms) && o.timeout_ms;
        else if (!strcmp(a, "--cpu")) ok = util_parse_duration_ms(v, &o.cpu_ms) && o.cpu_ms;
        else if (!strcmp(a, "--memory")) ok = util_parse_size(v, &o.memory) && o.memory >= 4096;
        else if (!strcmp(a, "--output")) ok = util_parse_size(v, &o.output) && o.output;
        else if (!strcmp(a, "--processes")) ok = util_parse_u64(v, &o.processes) && o.processes;
        if (!ok) {
            fprintf(stderr, "boxagent exec: invalid value for %s: '%s'\n", a, v);
            rc = 2;
            goto out;
        }
    }
    if (probe) {
        char why[256];
        bool ok = jail_probe(why, sizeof why);
        printf("%s\n", why);
        rc = ok ? 0 : 1;
        goto out;
    }
    if (i >= argc) {
        fprintf(stderr, "boxagent exec: no program given (usage: boxagent exec [OPTIONS] -- "
                        "PROGRAM [ARGS...])\n");
        rc = 2;
        goto out;
    }

    char *ws = NULL;
    if (workspace) {
        ws = realpath(workspace, NULL);
        if (!ws) {
            fprintf(stderr, "boxagent exec: workspace %s: %s\n", workspace, strerror(errno));
            goto out;
        }
    } else {
        ws = getcwd(NULL, 0);
        if (!ws) {
            fprintf(stderr, "boxagent exec: cannot get the current directory: %s\n",
                    strerror(errno));
            goto out;
        }
    }
    p = policy_new(ws);
    free(ws);
    if (!p) {
        fprintf(stderr, "boxagent exec: invalid workspace\n");
        goto out;
    }
    policy_error perr;
    memset(&perr, 0, sizeof perr);
    if (manifest && !policy_load_file(p, manifest, &perr)) {
        fprintf(stderr, "boxagent exec: %s:%d:%d: %s\n", manifest, perr.line, perr.column,
                perr.message);
        goto out;
    }
    for (size_t k = 0; k < ncaps; k++) {
        memset(&perr, 0, sizeof perr);
        if (!policy_add_line(p, caps[k], 0, &perr)) {
            fprintf(stderr, "boxagent exec: --cap '%s': %s\n", caps[k], perr.message);
            goto out;
        }
    }
    if (want_stdin) {
        if (!read_stdin(&in)) {
            fprintf(stderr, "boxagent exec: cannot read standard input (or more than 64 MiB)\n");
            goto out;
        }
        o.stdin_data = in.data;
        o.stdin_len = in.len;
    }
    o.cwd = cwd;
    o.on_output = live_output;
    if (o.allow_unsandboxed && !jail_probe(NULL, 0))
        fprintf(stderr, "boxagent exec: warning: running WITHOUT Landlock and/or seccomp "
                        "(--allow-unsandboxed)\n");

    bool refuse_run = false;
    audit_log *log = open_audit(p, &refuse_run);
    if (refuse_run) goto out;
    fflush(stdout);
    jail_result r;
    bool ran = jail_run(p, (const char *const *)(argv + i), &o, &r);
    audit_run(log, p, argv + i, &o, &r, ran);
    if (log) audit_close(log);
    if (r.truncated)
        fprintf(stderr, "boxagent exec: output cut at the output limit (%llu bytes written in "
                        "all)\n", (unsigned long long)r.output_bytes);
    if (!ran) {
        fprintf(stderr, "boxagent exec: %s\n", r.error);
        rc = r.exit_code == 127 ? 127 : 1;
    } else {
        if (r.limit != JAIL_LIMIT_NONE)
            fprintf(stderr, "boxagent exec: stopped by the %s limit (%llu ms, exit %d)\n",
                    jail_limit_name(r.limit), (unsigned long long)r.wall_ms, r.exit_code);
        rc = r.exit_code;
    }
    jail_result_free(&r);
out:
    buf_free(&in);
    free(caps);
    if (p) policy_free(p);
    return rc;
}
