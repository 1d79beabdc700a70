/* cmd_audit.c — `boxagent audit list|verify`: show the workspace's audit log (filtered by
 * session, agent or tool; text or JSON) and check its hash chain, exiting 1 and naming the
 * first bad record when it is broken. Text output escapes control bytes, since arguments come
 * from the model. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audit/audit.h"
#include "cli/commands.h"
#include "util/buf.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: boxagent audit list   [--workspace DIR] [--session ID] [--agent NAME]\n"
            "                             [--tool NAME] [--limit N] [--json]\n"
            "       boxagent audit verify [--workspace DIR] [--anchor HASH] [--json]\n"
            "The log is <workspace>/.boxagent/boxagent.db (default workspace: the current\n"
            "directory). verify recomputes every record's hash and the chain between them and\n"
            "exits 1 naming the first record that was changed, removed or reordered.\n"
            "--anchor HASH also requires a record with that hash (a head printed by an earlier\n"
            "verify and kept elsewhere), which catches a log rewritten or cut from the end.\n");
}

typedef struct opts {
    const char *ws, *session, *agent, *tool, *anchor;
    size_t limit;
    bool json;
} opts;

/* Printable form of untrusted text: control bytes as \xNN, long text cut. */
static void put_safe(buf *b, const char *s, size_t max)
{
    size_t n = 0;
    for (; *s; s++, n++) {
        if (max && n >= max) {
            buf_puts(b, "…");
            return;
        }
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) buf_printf(b, "\\x%02x", c);
        else if (c == 0xC2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9F) {
            buf_printf(b, "\\u%04x", (unsigned char)s[1]); /* C1 control (a one-byte CSI) */
            s++;
        } else buf_putc(b, (char)c);
    }
}

/* A copy that is valid UTF-8 (for JSON): invalid bytes become '?'. Caller frees. */
static char *utf8_clean(const char *s)
{
    size_t n = strlen(s), i = 0;
    char *o = xmalloc(n + 1);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            if (((unsigned char)s[i + k] & 0xC0) != 0x80) ok = false;
        if (ok && len == 2 && c < 0xC2) ok = false;                     /* overlong */
        if (ok && len == 3 && c == 0xE0 && (unsigned char)s[i + 1] < 0xA0) ok = false;
        if (ok && len == 3 && c == 0xED && (unsigned char)s[i + 1] >= 0xA0) ok = false; /* surrogate */
        if (ok && len == 4 && (c > 0xF4 || (c == 0xF0 && (unsigned char)s[i + 1] < 0x90) ||
                               (c == 0xF4 && (unsigned char)s[i + 1] >= 0x90)))
            ok = false;
        if (ok) {
            memcpy(o + i, s + i, len);
            i += len;
        } else {
            o[i++] = '?';
        }
    }
    o[n] = '\0';
    return o;
}

static void fmt_time(int64_t ms, char *out, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, len, "%lld", (long long)ms);
        return;
    }
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, len, "%s.%03dZ", d, (int)(ms % 1000));
}

typedef struct list_ctx {
    bool json;
    size_t n;
} list_ctx;

static int print_record(const audit_record *r, void *vctx)
{
    list_ctx *ctx = vctx;
    char when[48];
    fmt_time(r->time_ms, when, sizeof when);
    if (ctx->json) {
        char *se = utf8_clean(r->session), *ag = utf8_clean(r->agent), *to = utf8_clean(r->tool),
             *ar = utf8_clean(r->args), *ru = utf8_clean(r->rule), *ad = utf8_clean(r->args_digest),
             *rd = utf8_clean(r->result_digest), *ph = utf8_clean(r->prev_hash),
             *ha = utf8_clean(r->hash);
        json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
                              " s:{s:I, s:I, s:I, s:I}, s:s, s:b, s:s, s:s}",
                              "id", (json_int_t)r->id, "time", when, "time_ms",
                              (json_int_t)r->time_ms, "session", se, "agent", ag, "tool", to,
                              "args", ar, "args_digest", ad, "decision",
                              audit_decision_name(r->decision), "rule", ru, "resources", "fuel",
                              (json_int_t)r->fuel, "peak_memory", (json_int_t)r->peak_memory,
                              "wall_ms", (json_int_t)r->wall_ms, "output_bytes",
                              (json_int_t)r->output_bytes, "result_digest", rd, "is_external",
                              r->is_external, "prev_hash", ph, "hash", ha);
        free(se); free(ag); free(to); free(ar); free(ru); free(ad); free(rd); free(ph); free(ha);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        printf("%s%s", ctx->n ? ",\n" : "", s ? s : "null");
        free(s);
        json_decref(o);
    } else {
        buf b = BUF_INIT;
        buf_printf(&b, "#%lld %s ", (long long)r->id, when);
        buf_puts(&b, "session=");
        put_safe(&b, r->session, 64);
        buf_puts(&b, " agent=");
        put_safe(&b, r->agent, 64);
        buf_puts(&b, " tool=");
        put_safe(&b, r->tool, 64);
        buf_printf(&b, " %s%s\n    rule: ", audit_decision_name(r->decision),
                   r->is_external ? " external" : "");
        put_safe(&b, r->rule, 300);
        buf_puts(&b, "\n    args: ");
        put_safe(&b, r->args, 300);
        buf_printf(&b, "\n    fuel=%llu peak_memory=%llu wall_ms=%llu output_bytes=%llu "
                       "result=%.16s… hash=%.16s…\n",
                   (unsigned long long)r->fuel, (unsigned long long)r->peak_memory,
                   (unsigned long long)r->wall_ms, (unsigned long long)r->output_bytes,
                   r->result_digest, r->hash);
        fputs(b.data, stdout);
        buf_free(&b);
    }
    ctx->n++;
    return 0;
}

static int find_hash(const audit_record *r, void *ctx)
{
    const char **want = ctx;
    if (*want && strcmp(r->hash, *want) == 0) {
        *want = NULL; /* found */
        return 1;
    }
    return 0;
}

static bool db_exists(const char *ws)
{
    char *p = xasprintf("%s/.boxagent/boxagent.db", ws);
    struct stat st;
    bool r = stat(p, &st) == 0;
    free(p);
    return r;
}

static int do_list(const opts *o)
{
    list_ctx ctx = {.json = o->json};
    if (!db_exists(o->ws)) {
        if (o->json) printf("[]\n");
        else fprintf(stderr, "boxagent audit: no audit log in %s yet\n", o->ws);
        return 0;
    }
    char *err = NULL;
    audit_log *h = audit_open(o->ws, &err);
    if (!h) {
        fprintf(stderr, "boxagent audit: %s\n", err);
        free(err);
        return 1;
    }
    audit_filter f = {.session = o->session, .agent = o->agent, .tool = o->tool,
                      .limit = o->limit};
    if (o->json) printf("[");
    bool ok = audit_list(h, &f, print_record, &ctx, &err);
    if (o->json) printf("]\n");
    audit_close(h);
    if (!ok) {
        fprintf(stderr, "boxagent audit: %s\n", err);
        free(err);
        return 1;
    }
    return 0;
}

static int do_verify(const opts *o)
{
    if (!db_exists(o->ws) && o->anchor) {
        fprintf(stderr, "audit log BROKEN: there is no log, so no record has the anchor hash\n");
        return 1;
    }
    if (!db_exists(o->ws)) {
        if (o->json) printf("{\"ok\":true,\"records\":0}\n");
        else printf("audit log: no records yet in %s\n", o->ws);
        return 0;
    }
    char *err = NULL;
    audit_log *h = audit_open(o->ws, &err);
    if (!h) {
        fprintf(stderr, "boxagent audit: %s\n", err);
        free(err);
        return 1;
    }
    int64_t bad = 0;
    char msg[512];
    bool ok = audit_verify(h, &bad, msg, sizeof msg);
    if (ok && o->anchor) {
        const char *want = o->anchor;
        if (!audit_list(h, NULL, find_hash, &want, &err)) {
            fprintf(stderr, "boxagent audit: %s\n", err);
            free(err);
            audit_close(h);
            return 1;
        }
        if (want) {
            ok = false;
            snprintf(msg, sizeof msg, "no record has the anchor hash %.64s: the log was rewritten "
                     "or cut back past it", o->anchor);
        }
    }
    audit_close(h);
    if (o->json) {
        json_t *j = ok ? json_pack("{s:b, s:s}", "ok", 1, "message", msg)
                       : json_pack("{s:b, s:I, s:s}", "ok", 0, "first_bad_record",
                                   (json_int_t)bad, "message", msg);
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
        printf("%s\n", s ? s : "null");
        free(s);
        json_decref(j);
    } else if (ok) {
        printf("audit log OK: %s\n", msg);
    } else {
        if (bad > 0) fprintf(stderr, "audit log BROKEN at record %lld: %s\n", (long long)bad, msg);
        else fprintf(stderr, "audit log BROKEN: %s\n", msg);
    }
    return ok ? 0 : 1;
}

int cmd_audit(int argc, char **argv)
{
    opts o = {.ws = "."};
    static const struct option lopts[] = {
        {"workspace", required_argument, 0, 'w'}, {"session", required_argument, 0, 's'},
        {"agent", required_argument, 0, 'a'},     {"tool", required_argument, 0, 't'},
        {"limit", required_argument, 0, 'n'},     {"json", no_argument, 0, 'j'},
        {"anchor", required_argument, 0, 'A'},
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "w:s:a:t:n:jhA:", lopts, NULL)) != -1) {
        switch (c) {
        case 'w': o.ws = optarg; break;
        case 's': o.session = optarg; break;
        case 'a': o.agent = optarg; break;
        case 't': o.tool = optarg; break;
        case 'n': {
            uint64_t v;
            if (!util_parse_u64(optarg, &v) || v == 0 || v > (1u << 30)) {
                fprintf(stderr, "boxagent audit: --limit wants a positive number, not '%s'\n",
                        optarg);
                return 2;
            }
            o.limit = (size_t)v;
            break;
        }
        case 'j': o.json = true; break;
        case 'A':
            if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdef") != 64) {
                fprintf(stderr, "boxagent audit: --anchor wants a 64-digit lower-case hex hash\n");
                return 2;
            }
            o.anchor = optarg;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    struct stat st;
    if (stat(o.ws, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "boxagent audit: workspace '%s' is not a directory\n", o.ws);
        return 1;
    }
    const char *sub = argv[optind];
    if (!strcmp(sub, "list")) {
        if (o.anchor) {
            fprintf(stderr, "boxagent audit list: --anchor applies to verify\n");
            return 2;
        }
        return do_list(&o);
    }
    if (!strcmp(sub, "verify")) {
        if (o.session || o.agent || o.tool || o.limit) {
            fprintf(stderr, "boxagent audit verify: filters apply to list only; verify checks the "
                            "whole chain\n");
            return 2;
        }
        return do_verify(&o);
    }
    fprintf(stderr, "boxagent audit: unknown sub-command '%s'\n", sub);
    usage(stderr);
    return 2;
}
