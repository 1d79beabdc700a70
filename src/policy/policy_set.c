/* policy_set.c — capability sets: create/free/clone, the line grammar (capabilities and
 * limits, errors with line and column), loading files and the canonical text form. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "util/buf.h"
#include "util/util.h"

#define MANIFEST_MAX (1u << 20)
#define LINE_MAX_LEN 8192
#define CAPS_MAX 4096

/* ------------------------------------------------------------------ sets and caps */

/* DIR/.boxagent ("/.boxagent" for "/"). Plain copies: every command starts here, and keeping
 * printf's code out of start-up is measurable. */
static char *state_dir_of(const char *dir)
{
    static const char tail[] = "/.boxagent";
    size_t n = strcmp(dir, "/") ? strlen(dir) : 0;
    char *s = xmalloc(n + sizeof tail);
    memcpy(s, dir, n);
    memcpy(s + n, tail, sizeof tail);
    return s;
}

policy_set *policy_new(const char *workspace)
{
    if (!workspace || !*workspace) return NULL;
    for (const char *s = workspace; *s; s++)
        if ((unsigned char)*s < 0x20) return NULL;
    char *ws;
    if (workspace[0] == '/') {
        ws = policy_path_normalize(NULL, workspace);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd) return NULL;
        ws = policy_path_normalize(cwd, workspace);
        free(cwd);
    }
    policy_set *p = xcalloc(1, sizeof(*p));
    p->workspace = ws;
    char *lex = state_dir_of(ws);
    p->state_real = realpath(lex, NULL);
    if (!p->state_real) {
        char *w = realpath(ws, NULL);
        if (w) p->state_real = state_dir_of(w);
        free(w);
    }
    free(lex);
    return p;
}

void pol_cap_free(policy_cap *c)
{
    free(c->text);
    free(c->path);
    free(c->guest);
    free(c->name);
    policy_url_free(&c->url);
    memset(c, 0, sizeof(*c));
}

void policy_free(policy_set *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->ncaps; i++) pol_cap_free(&p->caps[i]);
    free(p->caps);
    free(p->workspace);
    free(p->state_real);
    free(p);
}

void pol_cap_copy(policy_cap *dst, const policy_cap *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->kind = src->kind;
    dst->text = src->text ? xstrdup(src->text) : NULL;
    dst->path = src->path ? xstrdup(src->path) : NULL;
    dst->guest = src->guest ? xstrdup(src->guest) : NULL;
    dst->name = src->name ? xstrdup(src->name) : NULL;
    if (src->kind == POLICY_FETCH) pol_url_copy(&dst->url, &src->url);
}

policy_set *policy_clone(const policy_set *p)
{
    if (!p) return NULL;
    policy_set *c = xcalloc(1, sizeof(*c));
    c->workspace = xstrdup(p->workspace);
    c->state_real = p->state_real ? xstrdup(p->state_real) : NULL;
    c->limits = p->limits;
    c->ncaps = p->ncaps;
    c->caps = xcalloc(p->ncaps ? p->ncaps : 1, sizeof(policy_cap));
    for (size_t i = 0; i < p->ncaps; i++) pol_cap_copy(&c->caps[i], &p->caps[i]);
    return c;
}

static const char *kind_name(policy_kind k)
{
    switch (k) {
    case POLICY_READ: return "read";
    case POLICY_WRITE: return "write";
    case POLICY_FETCH: return "fetch";
    case POLICY_EXEC: return "exec";
    case POLICY_ENV: return "env";
    }
    return "?";
}

void pol_cap_make_text(policy_cap *c)
{
    free(c->text);
    if (c->kind == POLICY_READ || c->kind == POLICY_WRITE) {
        if (c->guest && strcmp(c->guest, c->path) != 0)
            c->text = xasprintf("%s:%s::%s", kind_name(c->kind), c->path, c->guest);
        else
            c->text = xasprintf("%s:%s", kind_name(c->kind), c->path);
    } else if (c->kind == POLICY_FETCH) {
        char *u = pol_url_pattern_text(&c->url);
        c->text = xasprintf("fetch:%s", u);
        free(u);
    } else {
        c->text = xasprintf("%s:%s", kind_name(c->kind), c->name);
    }
}

void pol_add_cap(policy_set *p, const policy_cap *c)
{
    for (size_t i = 0; i < p->ncaps; i++)
        if (strcmp(p->caps[i].text, c->text) == 0) return;
    p->caps = xrealloc(p->caps, (p->ncaps + 1) * sizeof(policy_cap));
    pol_cap_copy(&p->caps[p->ncaps++], c);
}

/* ------------------------------------------------------------------ errors */

static bool perr(policy_error *err, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool perr(policy_error *err, int line, int col, const char *fmt, ...)
{
    if (err) {
        err->line = line;
        err->column = col;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return false;
}

/* ------------------------------------------------------------------ limits */

typedef enum { LIM_COUNT, LIM_SIZE, LIM_DURATION } lim_type;

typedef struct lim_desc {
    const char *name;
    lim_type type;
    size_t val_off, has_off;
    bool zero_ok;
    uint64_t max; /* larger values are refused: sane bounds, and no overflow downstream */
    const char *max_text;
} lim_desc;

#define DAY_MS (24ULL * 3600 * 1000)
#define LIM(n, t, f, h, z, m, mt)                                                              \
    {n, t, offsetof(policy_limits, f), offsetof(policy_limits, h), z, m, mt}
static const lim_desc limit_table[] = {
    LIM("fuel", LIM_COUNT, fuel, has_fuel, false, 1ULL << 62, "2^62"),
    LIM("memory", LIM_SIZE, memory, has_memory, false, 1ULL << 40, "1T"),
    LIM("timeout", LIM_DURATION, timeout_ms, has_timeout, false, 7 * DAY_MS, "7 days"),
    LIM("output", LIM_SIZE, output, has_output, true, 1ULL << 30, "1G"),
    LIM("stack", LIM_COUNT, stack, has_stack, false, 1ULL << 20, "1048576"),
    LIM("parallel", LIM_COUNT, parallel, has_parallel, false, 1024, "1024"),
    LIM("processes", LIM_COUNT, processes, has_processes, false, 1ULL << 20, "1048576"),
    LIM("cpu", LIM_DURATION, cpu_ms, has_cpu, false, 7 * DAY_MS, "7 days"),
    LIM("files", LIM_COUNT, files, has_files, false, 1ULL << 20, "1048576"),
};
#define NLIMITS (sizeof(limit_table) / sizeof(limit_table[0]))

static uint64_t *lim_val(policy_limits *l, const lim_desc *d)
{
    return (uint64_t *)((char *)l + d->val_off);
}
static bool *lim_has(policy_limits *l, const lim_desc *d)
{
    return (bool *)((char *)l + d->has_off);
}

size_t pol_nlimits(void) { return NLIMITS; }

bool pol_limit_get(const policy_limits *l, size_t i, const char **name, uint64_t *v)
{
    const lim_desc *d = &limit_table[i];
    if (name) *name = d->name;
    policy_limits *m = (policy_limits *)l;
    if (v) *v = *lim_val(m, d);
    return *lim_has(m, d);
}

void pol_limit_set(policy_limits *l, size_t i, uint64_t v)
{
    *lim_val(l, &limit_table[i]) = v;
    *lim_has(l, &limit_table[i]) = true;
}

uint64_t policy_limit_max(const char *name)
{
    for (size_t i = 0; name && i < NLIMITS; i++)
        if (!strcmp(limit_table[i].name, name)) return limit_table[i].max;
    return 0;
}

static bool parse_limit(policy_set *p, const char *s, size_t len, int line, int col,
                        policy_error *err)
{
    const char *eq = memchr(s, '=', len);
    size_t nlen = (size_t)(eq - s);
    const lim_desc *d = NULL;
    for (size_t i = 0; i < NLIMITS; i++)
        if (strlen(limit_table[i].name) == nlen && memcmp(limit_table[i].name, s, nlen) == 0)
            d = &limit_table[i];
    if (!d)
        return perr(err, line, col, "unknown limit \"%.*s\" (known: fuel, memory, timeout, "
                    "output, stack, parallel, processes, cpu, files)", (int)(nlen > 40 ? 40 : nlen), s);
    const char *v = eq + 1;
    size_t vlen = len - nlen - 1;
    int vcol = col + (int)nlen + 1;
    if (vlen == 0) return perr(err, line, vcol, "limit %s has no value", d->name);
    char *vs = xstrndup(v, vlen);
    uint64_t val = 0;
    bool ok;
    const char *what;
    switch (d->type) {
    case LIM_COUNT: ok = util_parse_u64(vs, &val); what = "a whole number"; break;
    case LIM_SIZE: ok = util_parse_size(vs, &val); what = "a size like 4096, 64K, 256M or 2G"; break;
    default: ok = util_parse_duration_ms(vs, &val); what = "a duration like 500ms, 30s or 5m"; break;
    }
    if (!ok) {
        bool r = perr(err, line, vcol, "invalid value \"%.60s\" for %s: expected %s", vs, d->name,
                      what);
        free(vs);
        return r;
    }
    free(vs);
    if (val > d->max)
        return perr(err, line, vcol, "%s=%llu is too large (at most %s)", d->name,
                    (unsigned long long)val, d->max_text);
    if (val == 0 && !d->zero_ok)
        return perr(err, line, vcol, "%s=0 is meaningless (must be at least 1)", d->name);
    uint64_t *cur = lim_val(&p->limits, d);
    bool *has = lim_has(&p->limits, d);
    if (*has && *cur != val)
        return perr(err, line, col, "contradictory limit: %s=%llu but it was already %llu",
                    d->name, (unsigned long long)val, (unsigned long long)*cur);
    *cur = val;
    *has = true;
    return true;
}

/* ------------------------------------------------------------------ capabilities */

static bool parse_path_cap(policy_set *p, policy_kind kind, const char *t, size_t tlen, int line,
                           int col, policy_error *err)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 1 < tlen; i++)
        if (t[i] == ':' && t[i + 1] == ':') { sep = t + i; break; }
    size_t hlen = sep ? (size_t)(sep - t) : tlen;
    if (hlen == 0) return perr(err, line, col, "empty path");
    if (t[hlen - 1] == ':')
        return perr(err, line, col + (int)hlen - 1,
                    "a path may not end with ':' (ambiguous with \"::GUEST\")");
    if (sep && tlen - hlen - 2 == 0)
        return perr(err, line, col + (int)hlen + 2, "empty guest path after \"::\"");
    policy_cap c = {0};
    c.kind = kind;
    char *h = xstrndup(t, hlen);
    c.path = policy_path_normalize(p->workspace, h);
    free(h);
    if (sep) {
        char *g = xstrndup(sep + 2, tlen - hlen - 2);
        c.guest = policy_path_normalize(p->workspace, g);
        free(g);
    } else {
        c.guest = xstrdup(c.path);
    }
    char lastp = c.path[strlen(c.path) - 1], lastg = c.guest[strlen(c.guest) - 1];
    if (lastp == ' ' || lastp == '\t' || lastg == ' ' || lastg == '\t' || t[0] == ' ' ||
        t[0] == '\t') {
        pol_cap_free(&c);
        return perr(err, line, col, "a path may not begin or end with whitespace");
    }
    if (lastp == ':') {
        pol_cap_free(&c);
        return perr(err, line, col + (int)hlen - 1,
                    "a path may not end with ':' (ambiguous with \"::GUEST\")");
    }
    if (pol_is_state_dir(p, c.path)) {
        pol_cap_free(&c);
        return perr(err, line, col, "the workspace state directory .boxagent/ is never grantable");
    }
    for (size_t i = 0; i < p->ncaps; i++) {
        policy_cap *o = &p->caps[i];
        if ((o->kind == POLICY_READ || o->kind == POLICY_WRITE) &&
            strcmp(o->guest, c.guest) == 0 && strcmp(o->path, c.path) != 0) {
            bool r = perr(err, line, col, "guest path %.100s is already mapped to %.100s",
                          c.guest, o->path);
            pol_cap_free(&c);
            return r;
        }
    }
    pol_cap_make_text(&c);
    pol_add_cap(p, &c);
    pol_cap_free(&c);
    return true;
}

static bool parse_fetch_cap(policy_set *p, const char *t, size_t tlen, int line, int col,
                            policy_error *err)
{
    size_t ulen = tlen;
    bool public_only = false;
    const char *sp = memchr(t, ' ', tlen);
    if (sp) {
        ulen = (size_t)(sp - t);
        const char *f = sp;
        while (f < t + tlen && *f == ' ') f++;
        if ((size_t)(t + tlen - f) != 6 || memcmp(f, "public", 6) != 0)
            return perr(err, line, col + (int)(f - t),
                        "unexpected text after the URL (only \"public\" may follow)");
        public_only = true;
    }
    char *u = xstrndup(t, ulen);
    policy_cap c = {0};
    c.kind = POLICY_FETCH;
    char msg[200];
    if (!policy_url_parse(u, true, &c.url, msg, sizeof(msg))) {
        free(u);
        return perr(err, line, col, "invalid fetch URL: %s", msg);
    }
    free(u);
    c.url.public_only = public_only || c.url.host_any || c.url.host_wildcard;
    pol_cap_make_text(&c);
    pol_add_cap(p, &c);
    pol_cap_free(&c);
    return true;
}

static bool parse_named_cap(policy_set *p, policy_kind kind, const char *t, size_t tlen,
                            int line, int col, policy_error *err)
{
    if (tlen == 0) return perr(err, line, col, "empty %s name", kind == POLICY_EXEC ? "program" : "variable");
    policy_cap c = {0};
    c.kind = kind;
    if (tlen == 1 && t[0] == '*') {
        c.name = xstrdup("*");
    } else if (kind == POLICY_ENV) {
        for (size_t i = 0; i < tlen; i++) {
            unsigned char ch = (unsigned char)t[i];
            if (!(ch == '_' || isalnum(ch)) || (i == 0 && isdigit(ch)))
                return perr(err, line, col + (int)i,
                            "invalid character in environment variable name");
        }
        c.name = xstrndup(t, tlen);
    } else {
        for (size_t i = 0; i < tlen; i++) {
            unsigned char ch = (unsigned char)t[i];
            if (ch <= ' ' || ch == 0x7f || ch == '*')
                return perr(err, line, col + (int)i, "invalid character in program name");
        }
        char *s = xstrndup(t, tlen);
        if (strchr(s, '/')) {
            c.name = policy_path_normalize(p->workspace, s);
            free(s);
        } else {
            c.name = s;
        }
    }
    pol_cap_make_text(&c);
    pol_add_cap(p, &c);
    pol_cap_free(&c);
    return true;
}

bool policy_add_line(policy_set *p, const char *text, int line, policy_error *err)
{
    if (err) memset(err, 0, sizeof(*err));
    if (!p) return perr(err, line, 0, "no policy set");
    if (!text) return perr(err, line, 0, "no text");
    size_t n = strlen(text);
    if (n > LINE_MAX_LEN) return perr(err, line, 1, "line longer than %d bytes", LINE_MAX_LEN);
    size_t b = 0;
    while (b < n && (text[b] == ' ' || text[b] == '\t')) b++;
    size_t e = n;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) e--;
    if (b == e || text[b] == '#') return true;
    for (size_t i = b; i < e; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f)
            return perr(err, line, (int)i + 1, "control character 0x%02x", c);
    }
    const char *s = text + b;
    size_t len = e - b;
    int col = (int)b + 1;
    size_t klen = 0;
    while (klen < len && s[klen] != ':' && s[klen] != '=') klen++;
    if (klen == len)
        return perr(err, line, col, "expected KIND:TARGET or NAME=VALUE");
    if (klen == 0)
        return perr(err, line, col, "missing %s before '%c'", s[0] == ':' ? "kind" : "name", s[0]);
    for (size_t i = 0; i < klen; i++)
        if (!islower((unsigned char)s[i]))
            return perr(err, line, col + (int)i, "invalid character in %s name",
                        s[klen] == ':' ? "capability kind" : "limit");
    if (s[klen] == '=') return parse_limit(p, s, len, line, col, err);
    if (p->ncaps >= CAPS_MAX)
        return perr(err, line, col, "more than %d capabilities", CAPS_MAX);
    const char *t = s + klen + 1;
    size_t tlen = len - klen - 1;
    int tcol = col + (int)klen + 1;
#define KIS(w) (klen == strlen(w) && memcmp(s, w, klen) == 0)
    if (KIS("read")) return parse_path_cap(p, POLICY_READ, t, tlen, line, tcol, err);
    if (KIS("write")) return parse_path_cap(p, POLICY_WRITE, t, tlen, line, tcol, err);
    if (tlen == 0) return perr(err, line, tcol, "empty target");
    if (KIS("fetch")) return parse_fetch_cap(p, t, tlen, line, tcol, err);
    if (KIS("exec")) return parse_named_cap(p, POLICY_EXEC, t, tlen, line, tcol, err);
    if (KIS("env")) return parse_named_cap(p, POLICY_ENV, t, tlen, line, tcol, err);
#undef KIS
    return perr(err, line, col, "unknown capability kind \"%.*s\" (known: read, write, fetch, "
                "exec, env)", (int)(klen > 40 ? 40 : klen), s);
}

bool policy_parse(policy_set *p, const char *text, policy_error *err)
{
    if (err) memset(err, 0, sizeof(*err));
    if (!p || !text) return perr(err, 0, 0, "no manifest");
    int line = 1;
    const char *s = text;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (len > 0 && s[len - 1] == '\r') len--;
        if (len > LINE_MAX_LEN) return perr(err, line, 1, "line longer than %d bytes", LINE_MAX_LEN);
        char *l = xstrndup(s, len);
        bool ok = policy_add_line(p, l, line, err);
        free(l);
        if (!ok) return false;
        if (!nl) break;
        s = nl + 1;
        line++;
    }
    return true;
}

bool policy_load_file(policy_set *p, const char *path, policy_error *err)
{
    if (err) memset(err, 0, sizeof(*err));
    size_t len = 0;
    char *data = util_read_file(path, MANIFEST_MAX, &len);
    if (!data)
        return perr(err, 0, 0, "%.100s: %s", path, errno == EFBIG ? "manifest too large" : strerror(errno));
    if (memchr(data, '\0', len)) {
        free(data);
        return perr(err, 0, 0, "%.100s: NUL byte in manifest", path);
    }
    bool ok = policy_parse(p, data, err);
    free(data);
    return ok;
}

char *policy_format(const policy_set *p)
{
    if (!p) return NULL;
    buf b = BUF_INIT;
    for (size_t i = 0; i < p->ncaps; i++) buf_printf(&b, "%s\n", p->caps[i].text);
    for (size_t i = 0; i < NLIMITS; i++) {
        const char *name;
        uint64_t v;
        if (!pol_limit_get(&p->limits, i, &name, &v)) continue;
        buf_printf(&b, "%s=%llu%s\n", name, (unsigned long long)v,
                   limit_table[i].type == LIM_DURATION ? "ms" : "");
    }
    return buf_steal(&b);
}
