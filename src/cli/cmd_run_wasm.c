/* cmd_run_wasm.c — `boxagent run-wasm`: run a WASI command module like `wasmtime run`, with
 * the authority given by --cap/--dir/--env/--manifest (the workspace is the current
 * directory), stdio passed through (bounded by an output= limit), the guest's exit status as
 * ours, and one-line errors for denials, traps and limits. A trap exits 134. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/forward.h"
#include "egress/egress.h"
#include "policy/policy.h"
#include "util/util.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

extern char **environ;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: boxagent run-wasm [--cap CAP]... [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]...\n"
            "                         [--manifest FILE] [--fuel N] [--memory BYTES] [--timeout MS]\n"
            "                         [--no-metering] [--stats] MODULE.wasm [ARGS...]\n"
            "  --cap CAP        a capability or limit line (read:PATH[::GUEST], write:..., env:NAME,\n"
            "                   fuel=N, memory=SIZE, timeout=DURATION, output=SIZE, stack=N)\n"
            "  --dir HOST[::GUEST]  read-write directory (same as --cap write:HOST[::GUEST])\n"
            "  --env NAME[=VALUE]  guest environment variable (grants env:NAME; no value: the host's)\n"
            "  --manifest FILE  capability manifest\n"
            "  --fuel N, --memory BYTES, --timeout MS  limits (override the manifest)\n"
            "  --no-metering    compile without fuel accounting\n"
            "  --stats          print fuel used, peak memory and wall time to stderr\n"
            "Options that take a value also accept --name=value (--dir=., --env=K=V).\n");
}

static bool add_line(policy_set *p, const char *line, const char *opt)
{
    policy_error e;
    memset(&e, 0, sizeof e);
    if (policy_add_line(p, line, 0, &e))
        return true;
    fprintf(stderr, "boxagent run-wasm: %s %s: %s\n", opt, line, e.message);
    return false;
}

/* The module is mapped, not copied (see util_file_view). If another process truncates the
 * file while it is being compiled, reading the lost pages raises SIGBUS: say so and exit,
 * instead of dying of the signal. */
static void on_sigbus(int sig)
{
    (void)sig;
    static const char msg[] =
        "boxagent run-wasm: the module file was truncated while it was being read\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(1);
}

static void catch_truncation(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, old);
}

static int run(policy_set *p, bool metering, bool stats, const wasi_run_limits *lim,
               char **envs, size_t nenv, const char *path, int gargc, char **gargv)
{
    util_file_view file;
    if (!util_file_view_open(&file, path, 256u << 20)) {
        fprintf(stderr, "boxagent run-wasm: %s: cannot read: %s\n", path, strerror(errno));
        return 1;
    }
    wasm_compile_options co = {.metering = metering};
    wasm_error werr;
    memset(&werr, 0, sizeof werr);
    struct sigaction old_bus;
    catch_truncation(&old_bus);
    wasm_module *m = wasm_module_compile(file.data, file.len, &co, &werr);
    util_file_view_close(&file);
    sigaction(SIGBUS, &old_bus, NULL);
    if (!m) {
        fprintf(stderr, "boxagent run-wasm: %s: %s\n", path, werr.message);
        return 1;
    }
    /* A guest that imports boxagent_http reaches the network only through egress/, under the
     * same fetch: capabilities (and address rules) as the host's own requests. egress needs
     * libcurl: the static build hands the command, nothing run yet, to boxagent-full. */
    bool wants_http = false;
    for (size_t i = 0; i < wasm_module_import_count(m); i++) {
        wasm_import_info ii;
        if (wasm_module_import_at(m, i, &ii) && !strcmp(ii.module, "boxagent_http"))
            wants_http = true;
    }
    if (wants_http && cli_forward_is_static()) {
        wasm_module_free(m);
        return cli_forward("a guest importing boxagent_http");
    }
    wasi_options o;
    memset(&o, 0, sizeof o);
    o.argv = (const char *const *)gargv;
    o.argc = (size_t)gargc;
    o.env = (const char *const *)envs;
    o.nenv = nenv;
    o.stdin_mode = o.stdout_mode = o.stderr_mode = WASI_STDIO_FD;
    o.stdin_fd = 0;
    o.stdout_fd = 1;
    o.stderr_fd = 2;
    char err[256];
    wasi_ctx *c = wasi_new(p, &o, err, sizeof err);
    if (!c) {
        fprintf(stderr, "boxagent run-wasm: %s\n", err);
        wasm_module_free(m);
        return 1;
    }
    wasm_linker *l = NULL;
    egress_guest_ctx ectx = {.caps = p, .timeout_ms = lim->timeout_ms};
    if (wants_http) {
        l = wasm_linker_new();
        if (!wasi_link(l, &werr) || !egress_link_wasm(l, &ectx, err, sizeof err)) {
            fprintf(stderr, "boxagent run-wasm: cannot link the host imports: %s\n",
                    *werr.message ? werr.message : err);
            wasm_linker_free(l);
            wasi_free(c);
            wasm_module_free(m);
            return 1;
        }
    }
    wasi_result r;
    int rc = wasi_run(c, m, l, lim, &r);
    int status;
    if (rc < 0) {
        fprintf(stderr, "boxagent run-wasm: %s: %s\n", path, r.message);
        status = 1;
    } else {
        if (r.trap != WASM_OK || r.limit != WASI_LIMIT_NONE)
            fprintf(stderr, "boxagent run-wasm: %s\n", r.message);
        if (r.denials && (r.trap != WASM_OK || r.exit_code != 0))
            fprintf(stderr, "boxagent run-wasm: %u request%s denied; last: %s\n", r.denials,
                    r.denials == 1 ? "" : "s", r.denial);
        status = r.exit_code;
    }
    if (stats)
        fprintf(stderr, "stats: fuel_used=%llu peak_memory=%llu wall_ms=%.3f output=%llu%s\n",
                (unsigned long long)r.fuel_used, (unsigned long long)r.peak_memory,
                (double)r.wall_ns / 1e6,
                (unsigned long long)(r.stdout_bytes + r.stderr_bytes),
                metering ? "" : " (no metering)");
    wasi_free(c);
    if (l) wasm_linker_free(l);
    wasm_module_free(m);
    return status;
}

static int run_wasm_main(int argc, char **argv);

/* Options that take a value; each may also be written --name=value (as wasmtime accepts). */
static const char *const value_opts[] = {"--cap", "--dir", "--env", "--manifest",
                                         "--fuel", "--memory", "--timeout"};

static bool takes_value(const char *a, size_t len)
{
    for (size_t k = 0; k < sizeof value_opts / sizeof value_opts[0]; k++)
        if (strlen(value_opts[k]) == len && !strncmp(a, value_opts[k], len))
            return true;
    return false;
}

/* argv with every leading "--name=value" split in two; the module and its arguments (after
 * the first non-option or "--") are copied as they are. The strings are argv's or *owned's
 * (freed by the caller), the array is caller-freed. */
static char **split_inline_values(int argc, char **argv, int *out_argc, char ***owned)
{
    char **v = xcalloc((size_t)argc * 2 + 1, sizeof *v);
    *owned = xcalloc((size_t)argc + 1, sizeof **owned);
    int n = 0, no = 0, i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        if (i > 0 && a[0] == '-' && a[1] == '-' && eq && takes_value(a, (size_t)(eq - a))) {
            char *name = xstrndup(a, (size_t)(eq - a));
            (*owned)[no++] = name;
            v[n++] = name;
            v[n++] = (char *)eq + 1;
            continue;
        }
        v[n++] = argv[i];
        if (i == 0)
            continue;
        if (!strcmp(a, "--") || a[0] != '-' || !a[1]) {
            i++;
            break;
        }
        if (takes_value(a, strlen(a)) && i + 1 < argc)
            v[n++] = argv[++i];
    }
    for (; i < argc; i++)
        v[n++] = argv[i];
    *out_argc = n;
    return v;
}

int cmd_run_wasm(int argc, char **argv)
{
    char **owned = NULL;
    int xargc = 0;
    char **xargv = split_inline_values(argc, argv, &xargc, &owned);
    int status = run_wasm_main(xargc, xargv);
    for (size_t k = 0; owned[k]; k++)
        free(owned[k]);
    free(owned);
    free(xargv);
    return status;
}

static int run_wasm_main(int argc, char **argv)
{
    /* A closed stdout must become EPIPE for the guest, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "boxagent run-wasm: cannot get the current directory\n");
        return 1;
    }
    policy_set *p = policy_new(cwd);
    if (!p) {
        fprintf(stderr, "boxagent run-wasm: bad workspace %s\n", cwd);
        return 1;
    }
    bool metering = true, stats = false;
    wasi_run_limits lim = {0};
    char **envs = xcalloc((size_t)argc + 1, sizeof *envs);
    size_t nenv = 0;
    int status = 2, i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !a[1])
            break;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            status = 0;
            goto out;
        } else if (!strcmp(a, "--no-metering")) {
            metering = false;
        } else if (!strcmp(a, "--stats")) {
            stats = true;
        } else if (!v) {
            fprintf(stderr, "boxagent run-wasm: %s needs a value\n", a);
            goto out;
        } else if (!strcmp(a, "--cap")) {
            if (!add_line(p, v, a))
                goto out;
            i++;
        } else if (!strcmp(a, "--dir")) {
            char *line = xasprintf("write:%s", v);
            bool ok = add_line(p, line, a);
            free(line);
            if (!ok)
                goto out;
            i++;
        } else if (!strcmp(a, "--env")) {
            /* NAME=VALUE sets it; NAME alone passes the host's value (as wasmtime does). */
            const char *eq = strchr(v, '=');
            if (eq == v || !*v) {
                fprintf(stderr, "boxagent run-wasm: --env wants NAME[=VALUE], got %s\n", v);
                goto out;
            }
            size_t nl = eq ? (size_t)(eq - v) : strlen(v);
            char *line = xasprintf("env:%.*s", (int)nl, v);
            bool ok = add_line(p, line, a);
            free(line);
            if (!ok)
                goto out;
            if (eq)
                envs[nenv++] = xstrdup(v);
            i++;
        } else if (!strcmp(a, "--manifest")) {
            policy_error e;
            memset(&e, 0, sizeof e);
            if (!policy_load_file(p, v, &e)) {
                fprintf(stderr, "boxagent run-wasm: %s:%d:%d: %s\n", v, e.line, e.column,
                        e.message);
                goto out;
            }
            i++;
        } else if (!strcmp(a, "--fuel") || !strcmp(a, "--memory") || !strcmp(a, "--timeout")) {
            uint64_t n;
            bool ok = a[2] == 'f' ? util_parse_u64(v, &n)
                      : a[2] == 'm' ? util_parse_size(v, &n)
                                    : util_parse_duration_ms(v, &n);
            if (!ok || n == 0) {
                fprintf(stderr, "boxagent run-wasm: %s: bad value %s\n", a, v);
                goto out;
            }
            /* the same ceilings as manifest limits (a wrapped deadline would stop at once) */
            uint64_t max = policy_limit_max(a + 2);
            if (max && n > max) {
                fprintf(stderr, "boxagent run-wasm: %s %s is too large (at most %llu)\n", a, v,
                        (unsigned long long)max);
                goto out;
            }
            if (a[2] == 'f')
                lim.fuel = n;
            else if (a[2] == 'm')
                lim.memory_bytes = n;
            else
                lim.timeout_ms = n;
            i++;
        } else {
            fprintf(stderr, "boxagent run-wasm: unknown option %s\n", a);
            usage(stderr);
            goto out;
        }
    }
    if (i >= argc) {
        usage(stderr);
        goto out;
    }
    if (!metering && (lim.fuel || p->limits.has_fuel)) {
        fprintf(stderr, "boxagent run-wasm: a fuel limit needs metering (drop --no-metering)\n");
        goto out;
    }
    /* env: grants from --cap/--manifest pass the host's value unless --env set one. */
    for (size_t k = 0; k < p->ncaps; k++) {
        const policy_cap *cap = &p->caps[k];
        if (cap->kind != POLICY_ENV || !cap->name)
            continue;
        size_t nl = strlen(cap->name);
        bool given = false;
        for (size_t j = 0; j < nenv; j++)
            if (!strncmp(envs[j], cap->name, nl) && envs[j][nl] == '=')
                given = true;
        const char *hv = getenv(cap->name);
        if (!given && hv) {
            envs = xrealloc(envs, (nenv + 2) * sizeof *envs);
            envs[nenv++] = xasprintf("%s=%s", cap->name, hv);
        }
    }
    status = run(p, metering, stats, &lim, envs, nenv, argv[i], argc - i, argv + i);
out:
    for (size_t k = 0; k < nenv; k++)
        free(envs[k]);
    free(envs);
    policy_free(p);
    return status;
}
