/* cmd_tool.c — `boxagent tool list` (the tools an agent is offered, with their permission
 * levels) and `boxagent tool call` (one call through tools_call exactly as the agent loop makes
 * it, audit record included; exits non-zero on error or denial). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"
#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/forward.h"
#include "policy/policy.h"
#include "tools/tools.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: boxagent tool list [--workspace DIR] [--agent NAME] [--access LEVEL] [--json]\n"
            "       boxagent tool call NAME [--args JSON|@FILE|-] [--cap CAP]... [--manifest FILE]\n"
            "                          [--access LEVEL] [--agent NAME] [--workspace DIR]\n"
            "                          [--session ID] [--no-audit] [--json]\n"
            "\n"
            "list  shows the tools the agent is offered at its access level.\n"
            "call  runs one tool call as the agent loop does: access level, argument validation,\n"
            "      capability decision, sandboxed run, audit record, output limit. Exit status\n"
            "      0 on success, 1 on error or denial, 2 on a usage error. --args @FILE reads the\n"
            "      arguments from FILE, --args - from standard input.\n"
            "\n"
            "Without --agent, --cap/--manifest give the exact capability set and --access the\n"
            "level (defaults: the workspace's default agent). With --agent, --cap/--manifest/\n"
            "--access can only narrow that agent's configuration. Access levels: search-only, read-only (default),\n"
            "workspace-write, full.\n");
}

typedef struct opts {
    const char *workspace, *agent, *access, *args, *manifest, *session;
    char **caps;
    size_t ncaps;
    bool json, no_audit;
    const char *name;
} opts;

/* Parse options shared by list and call. Returns 0, or the exit status to stop with. */
static int parse(int argc, char **argv, opts *o, bool is_call)
{
    static const struct option longopts[] = {
        {"workspace", required_argument, 0, 'w'}, {"agent", required_argument, 0, 'a'},
        {"access", required_argument, 0, 'l'},    {"args", required_argument, 0, 'j'},
        {"cap", required_argument, 0, 'c'},       {"manifest", required_argument, 0, 'm'},
        {"session", required_argument, 0, 's'},   {"json", no_argument, 0, 'J'},
        {"no-audit", no_argument, 0, 'N'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': o->workspace = optarg; break;
        case 'a': o->agent = optarg; break;
        case 'l': o->access = optarg; break;
        case 'j': o->args = optarg; break;
        case 'c':
            o->caps = xrealloc(o->caps, (o->ncaps + 1) * sizeof *o->caps);
            o->caps[o->ncaps++] = optarg;
            break;
        case 'm': o->manifest = optarg; break;
        case 's': o->session = optarg; break;
        case 'J': o->json = true; break;
        case 'N': o->no_audit = true; break;
        case 'h': usage(stdout); return -1;
        default:
            fprintf(stderr, "boxagent tool: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return 2;
        }
    }
    if (is_call) {
        if (optind >= argc) {
            fprintf(stderr, "boxagent tool call: which tool? (see 'boxagent tool list')\n");
            return 2;
        }
        o->name = argv[optind++];
        /* options may also follow the tool name */
        if (optind < argc) {
            int r = parse(argc - optind + 1, argv + optind - 1, o, false);
            if (r) return r;
        }
    } else if (optind < argc) {
        fprintf(stderr, "boxagent tool: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* Resolve the capability set and access level. Returns 0 or an exit status. */
static int resolve(const opts *o, const char *ws, policy_set **caps_out, tools_access *access_out)
{
    tools_access access = TOOLS_ACCESS_DEFAULT;
    if (o->access && !tools_access_parse(o->access, &access)) {
        fprintf(stderr,
                "boxagent tool: unknown access level '%s' (search-only, read-only, workspace-write, "
                "full)\n",
                o->access);
        return 2;
    }
    char err[512];
    policy_set *given = NULL;
    if (o->ncaps || o->manifest) {
        given = policy_new(ws);
        if (!given) {
            fprintf(stderr, "boxagent tool: bad workspace '%s'\n", ws);
            return 1;
        }
        policy_error pe;
        if (o->manifest && !policy_load_file(given, o->manifest, &pe)) {
            fprintf(stderr, "boxagent tool: %s:%d:%d: %s\n", o->manifest, pe.line, pe.column, pe.message);
            policy_free(given);
            return 1;
        }
        for (size_t i = 0; i < o->ncaps; i++)
            if (!policy_add_line(given, o->caps[i], 0, &pe)) {
                fprintf(stderr, "boxagent tool: --cap '%s': %s\n", o->caps[i], pe.message);
                policy_free(given);
                return 1;
            }
    }
    if (given && !o->agent) {
        *caps_out = given;
        *access_out = access;
        return 0;
    }
    /* The agent's configuration (missing config.json = built-in default agent). */
    agent_config_errors errs = {0};
    agent_config *cfg = agent_config_load(ws, &errs);
    if (!cfg) {
        for (size_t i = 0; i < errs.n; i++) fprintf(stderr, "boxagent tool: config: %s\n", errs.msgs[i]);
        agent_config_errors_free(&errs);
        policy_free(given);
        return 1;
    }
    agent_profile prof;
    if (!agent_config_profile(cfg, o->agent, &prof, err, sizeof err)) {
        fprintf(stderr, "boxagent tool: %s\n", err);
        agent_config_free(cfg);
        policy_free(given);
        return 1;
    }
    agent_config_free(cfg);
    tools_access level;
    if (!tools_access_parse(agent_access_name(prof.access), &level)) {
        fprintf(stderr, "boxagent tool: agent access level '%s' is unknown to the tool layer\n",
                agent_access_name(prof.access));
        agent_profile_free(&prof);
        policy_free(given);
        return 1;
    }
    /* An explicit --agent can only be narrowed; without one, the operator picks the level. */
    if (o->access && (!o->agent || access < level)) level = access;
    policy_set *caps = prof.policy;
    prof.policy = NULL;
    agent_profile_free(&prof);
    if (given) {
        char *dropped = NULL;
        policy_set *n = policy_attenuate(caps, given, &dropped);
        if (dropped && *dropped) fprintf(stderr, "boxagent tool: not granted by the agent: %s\n", dropped);
        free(dropped);
        policy_free(caps);
        policy_free(given);
        caps = n;
        if (!caps) {
            fprintf(stderr, "boxagent tool: cannot narrow the capability set\n");
            return 1;
        }
    }
    *caps_out = caps;
    *access_out = level;
    return 0;
}

static char *workspace_dir(const opts *o)
{
    char buf[PATH_MAX];
    const char *w = o->workspace ? o->workspace : ".";
    if (!realpath(w, buf)) {
        fprintf(stderr, "boxagent tool: workspace '%s' not found\n", w);
        return NULL;
    }
    return xstrdup(buf);
}

/* All of a stream (at most 32 MiB), NUL-terminated; NULL on error or if larger. */
static char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *d = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= (32u << 20)) {
                free(d);
                return NULL;
            }
            cap *= 2;
            d = xrealloc(d, cap + 1);
        }
        size_t r = fread(d + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    if (ferror(f)) {
        free(d);
        return NULL;
    }
    d[n] = 0;
    *len = n;
    return d;
}

static int cmd_list(int argc, char **argv)
{
    opts o = {0};
    int r = parse(argc, argv, &o, false);
    if (r) {
        free(o.caps);
        return r < 0 ? 0 : r;
    }
    char *ws = workspace_dir(&o);
    policy_set *caps = NULL;
    tools_access access;
    if (!ws || (r = resolve(&o, ws, &caps, &access))) {
        free(ws);
        free(o.caps);
        return ws ? r : 1;
    }
    const tools_registry *reg = tools_registry_builtin();
    if (o.json) {
        json_t *arr = tools_list_json(reg, access);
        json_t *top = json_pack("{s:s, s:o}", "access", tools_access_name(access), "tools", arr);
        char *s = json_dumps(top, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
        json_decref(top);
    } else {
        printf("access level %s:\n", tools_access_name(access));
        size_t n = tools_registry_count(reg);
        for (size_t i = 0; i < n; i++) {
            const tools_def *d = tools_registry_at(reg, i);
            if (!tools_offered(d, access)) continue;
            const char *dot = strstr(d->description, ". ");
            int len = dot ? (int)(dot - d->description + 1) : (int)strlen(d->description);
            printf("  %-12s %-8s %.*s\n", d->name, tools_perm_name(d->perm), len, d->description);
        }
    }
    policy_free(caps);
    free(ws);
    free(o.caps);
    return 0;
}

static int cmd_call(int argc, char **argv)
{
    opts o = {0};
    int r = parse(argc, argv, &o, true);
    if (r) {
        free(o.caps);
        return r < 0 ? 0 : r;
    }
    /* Tools whose results come from the network (web_fetch) need libcurl: the static build
     * hands the whole command, untouched, to boxagent-full. */
    const tools_def *def = o.name ? tools_find(tools_registry_builtin(), o.name) : NULL;
    if (def && def->external && cli_forward_is_static()) {
        free(o.caps);
        return cli_forward(o.name);
    }
    char *ws = workspace_dir(&o);
    policy_set *caps = NULL;
    tools_access access;
    if (!ws || (r = resolve(&o, ws, &caps, &access))) {
        free(ws);
        free(o.caps);
        return ws ? r : 1;
    }
    audit_log *audit = NULL;
    if (!o.no_audit) {
        char *err = NULL;
        audit = audit_open(ws, &err);
        if (!audit) {
            fprintf(stderr, "boxagent tool: cannot open the audit log: %s\n", err ? err : "?");
            free(err);
            policy_free(caps);
            free(ws);
            free(o.caps);
            return 1;
        }
    }
    char session[64];
    if (!o.session) snprintf(session, sizeof session, "cli-%ld", (long)getpid());
    tools_ctx ctx = {
        .workspace = ws,
        .agent = o.agent ? o.agent : "cli",
        .session_id = o.session ? o.session : session,
        .access = access,
        .caps = caps,
        .audit = audit,
    };
    char *args_text = NULL;
    if (o.args && (o.args[0] == '@' || !strcmp(o.args, "-"))) {
        size_t n = 0;
        args_text = !strcmp(o.args, "-") ? read_stream(stdin, &n) : util_read_file(o.args + 1, 32u << 20, &n);
        if (!args_text) {
            fprintf(stderr, "boxagent tool: cannot read arguments from %s\n", o.args);
            audit_close(audit);
            policy_free(caps);
            free(ws);
            free(o.caps);
            return 1;
        }
    }
    tools_result res;
    bool ok = tools_call(&ctx, o.name, args_text ? args_text : o.args ? o.args : "{}", &res);
    free(args_text);
    if (o.json) {
        static const char *const dn[] = {"allowed", "denied", "error"};
        json_t *j = json_pack("{s:s, s:b, s:s, s:s, s:b, s:b, s:i, s:{s:I, s:I, s:I, s:I}}", "output",
                              res.output, "is_error", res.is_error, "decision", dn[res.decision],
                              "reason", res.reason, "truncated", res.output_truncated, "external",
                              res.is_external, "exit_code", res.exit_code, "usage", "fuel",
                              (json_int_t)res.usage.fuel, "peak_memory",
                              (json_int_t)res.usage.peak_memory, "wall_ms",
                              (json_int_t)res.usage.wall_ms, "output_bytes",
                              (json_int_t)res.usage.output_bytes);
        char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(j);
    } else if (ok) {
        fwrite(res.output, 1, res.output_len, stdout);
        if (res.output_len && res.output[res.output_len - 1] != '\n') putchar('\n');
    } else {
        fprintf(stderr, "%s\n", res.output);
    }
    tools_result_free(&res);
    audit_close(audit);
    policy_free(caps);
    free(ws);
    free(o.caps);
    return ok ? 0 : 1;
}

int cmd_tool(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "list")) return cmd_list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "call")) return cmd_call(argc - 1, argv + 1);
    fprintf(stderr, "boxagent tool: unknown sub-command '%s' (list, call)\n", argv[1]);
    return 2;
}
