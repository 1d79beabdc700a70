/* policy_attenuate.c — narrowing authority: policy_attenuate (the intersection of a parent
 * set and a requested set) and policy_is_subset. Sound by construction: every capability of
 * the result is covered by one capability of the parent and one of the request, so whatever
 * the result allows, both allow. Where the request asks for more than the parent holds, the
 * request is narrowed to what the parent holds beneath it (e.g. request write:. under parent
 * read:src gives read:src — write is dropped because the parent cannot write there, and the
 * read of src is kept because write implies read). Every drop and narrowing is reported. */
#include <stdlib.h>
#include <string.h>

#include "policy/policy_internal.h"
#include "util/buf.h"
#include "util/util.h"

/* ------------------------------------------------------------------ paths */

/* The access (0 none, 1 read, 2 write) that the path caps of `p` give to all of the tree at X. */
static int level_at(const policy_set *p, const char *x)
{
    int level = 0;
    if (pol_is_state_dir(p, x)) return 0;
    for (size_t i = 0; i < p->ncaps; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_READ && c->kind != POLICY_WRITE) continue;
        if (!pol_path_within(c->path, x)) continue;
        if (c->kind == POLICY_WRITE && !pol_rel_protected(pol_path_rel(c->path, x), NULL))
            return 2;
        level = 1;
    }
    return level;
}

static void add_path(policy_set *out, int level, const char *path, const char *guest)
{
    policy_cap c = {0};
    c.kind = level == 2 ? POLICY_WRITE : POLICY_READ;
    c.path = xstrdup(path);
    c.guest = xstrdup(guest);
    pol_cap_make_text(&c);
    pol_add_cap(out, &c);
    pol_cap_free(&c);
}

static void attenuate_path(const policy_set *parent, const policy_cap *rc, policy_set *out,
                           buf *notes)
{
    int want = rc->kind == POLICY_WRITE ? 2 : 1;
    int have = level_at(parent, rc->path);
    int got = have < want ? have : want;
    bool narrowed = false;
    if (got > 0) {
        add_path(out, got, rc->path, rc->guest);
        if (got < want) {
            buf_printf(notes, "%s narrowed to read:%s (the parent may only read there)\n",
                       rc->text, rc->path);
        }
    }
    /* parent grants strictly beneath the requested root */
    for (size_t i = 0; i < parent->ncaps; i++) {
        const policy_cap *pc = &parent->caps[i];
        if (pc->kind != POLICY_READ && pc->kind != POLICY_WRITE) continue;
        if (strcmp(pc->path, rc->path) == 0 || !pol_path_within(rc->path, pc->path)) continue;
        if (pol_is_state_dir(parent, pc->path)) continue;
        const char *rel = pol_path_rel(rc->path, pc->path);
        int k = pc->kind == POLICY_WRITE ? 2 : 1;
        if (k > want) k = want;
        if (k == 2 && pol_rel_protected(rel, NULL)) k = 1;
        if (k <= got) continue;
        char *guest = policy_path_normalize(rc->guest, rel);
        add_path(out, k, pc->path, guest);
        buf_printf(notes, "%s narrowed to %s:%s (what the parent holds beneath it)\n", rc->text,
                   k == 2 ? "write" : "read", pc->path);
        free(guest);
        narrowed = true;
    }
    if (got == 0 && !narrowed)
        buf_printf(notes, "%s dropped: the parent grants nothing there\n", rc->text);
}

/* ------------------------------------------------------------------ fetch */

/* Is host h a strict subdomain of s? */
static bool strict_sub(const char *h, const char *s)
{
    size_t hl = strlen(h), sl = strlen(s);
    return h[0] != '[' && hl > sl + 1 && h[hl - sl - 1] == '.' && strcmp(h + hl - sl, s) == 0;
}

static bool path_within(const char *pre, const char *p)
{
    size_t l = strlen(pre);
    if (l == 1 && pre[0] == '/') return true;
    return strncmp(pre, p, l) == 0 && (p[l] == '\0' || p[l] == '/');
}

/* Intersection of two URL patterns; false if empty. */
static bool url_intersect(const policy_url *a, const policy_url *b, policy_url *out)
{
    memset(out, 0, sizeof(*out));
    if (strcmp(a->scheme, b->scheme) != 0 || a->port != b->port) return false;
    const char *path;
    if (path_within(b->path_prefix, a->path_prefix)) path = a->path_prefix;
    else if (path_within(a->path_prefix, b->path_prefix)) path = b->path_prefix;
    else return false;
    const char *host = NULL;
    bool any = false, wild = false;
    if (a->host_any && b->host_any) {
        any = true;
        host = "*";
    } else if (a->host_any || b->host_any) {
        const policy_url *o = a->host_any ? b : a;
        host = o->host;
        wild = o->host_wildcard;
    } else if (a->host_wildcard && b->host_wildcard) {
        if (strcmp(a->host, b->host) == 0 || strict_sub(a->host, b->host)) host = a->host;
        else if (strict_sub(b->host, a->host)) host = b->host;
        else return false;
        wild = true;
    } else if (a->host_wildcard || b->host_wildcard) {
        const policy_url *w = a->host_wildcard ? a : b, *e = a->host_wildcard ? b : a;
        if (!strict_sub(e->host, w->host)) return false;
        host = e->host;
    } else {
        if (strcmp(a->host, b->host) != 0) return false;
        host = a->host;
    }
    out->scheme = xstrdup(a->scheme);
    out->host = xstrdup(host);
    out->host_any = any;
    out->host_wildcard = wild;
    out->port = a->port;
    out->path_prefix = xstrdup(path);
    out->public_only = a->public_only || b->public_only || any || wild;
    return true;
}

static bool url_subset(const policy_url *a, const policy_url *b)
{
    if (strcmp(a->scheme, b->scheme) != 0 || a->port != b->port) return false;
    if (!path_within(b->path_prefix, a->path_prefix)) return false;
    bool a_public = a->public_only || a->host_any || a->host_wildcard;
    bool b_public = b->public_only || b->host_any || b->host_wildcard;
    if (b_public && !a_public) return false;
    if (b->host_any) return true;
    if (a->host_any) return false;
    if (b->host_wildcard) {
        if (a->host_wildcard) return strcmp(a->host, b->host) == 0 || strict_sub(a->host, b->host);
        return strict_sub(a->host, b->host);
    }
    if (a->host_wildcard) return false;
    return strcmp(a->host, b->host) == 0;
}

static void attenuate_fetch(const policy_set *parent, const policy_cap *rc, policy_set *out,
                            buf *notes)
{
    bool any = false;
    for (size_t i = 0; i < parent->ncaps; i++) {
        const policy_cap *pc = &parent->caps[i];
        if (pc->kind != POLICY_FETCH) continue;
        policy_cap c = {0};
        c.kind = POLICY_FETCH;
        if (!url_intersect(&rc->url, &pc->url, &c.url)) continue;
        pol_cap_make_text(&c);
        if (strcmp(c.text, rc->text) != 0)
            buf_printf(notes, "%s narrowed to %s (by the parent's %s)\n", rc->text, c.text,
                       pc->text);
        pol_add_cap(out, &c);
        pol_cap_free(&c);
        any = true;
    }
    if (!any) buf_printf(notes, "%s dropped: no fetch: capability of the parent covers it\n",
                         rc->text);
}

/* ------------------------------------------------------------------ exec / env */

static void attenuate_named(const policy_set *parent, const policy_cap *rc, policy_set *out,
                            buf *notes)
{
    bool any = false;
    for (size_t i = 0; i < parent->ncaps; i++) {
        const policy_cap *pc = &parent->caps[i];
        if (pc->kind != rc->kind) continue;
        const policy_cap *take = NULL;
        if (strcmp(pc->name, "*") == 0 || strcmp(pc->name, rc->name) == 0) take = rc;
        else if (strcmp(rc->name, "*") == 0) take = pc;
        if (!take) continue;
        if (take != rc)
            buf_printf(notes, "%s narrowed to %s\n", rc->text, take->text);
        pol_add_cap(out, take);
        any = true;
        if (take == rc) break;
    }
    if (!any) buf_printf(notes, "%s dropped: the parent does not grant it\n", rc->text);
}

/* ------------------------------------------------------------------ public */

policy_set *policy_attenuate(const policy_set *parent, const policy_set *request, char **dropped)
{
    if (dropped) *dropped = NULL;
    if (!parent) return NULL;
    policy_set *out = xcalloc(1, sizeof(*out));
    out->workspace = xstrdup(parent->workspace);
    out->state_real = parent->state_real ? xstrdup(parent->state_real) : NULL;
    buf notes = BUF_INIT;
    if (request) {
        for (size_t i = 0; i < request->ncaps; i++) {
            const policy_cap *rc = &request->caps[i];
            switch (rc->kind) {
            case POLICY_READ:
            case POLICY_WRITE: attenuate_path(parent, rc, out, &notes); break;
            case POLICY_FETCH: attenuate_fetch(parent, rc, out, &notes); break;
            case POLICY_EXEC:
            case POLICY_ENV: attenuate_named(parent, rc, out, &notes); break;
            }
        }
    }
    for (size_t i = 0; i < pol_nlimits(); i++) {
        const char *name;
        uint64_t pv = 0, rv = 0;
        bool ph = pol_limit_get(&parent->limits, i, &name, &pv);
        bool rh = request && pol_limit_get(&request->limits, i, NULL, &rv);
        if (ph && rh) {
            pol_limit_set(&out->limits, i, pv < rv ? pv : rv);
            if (rv > pv)
                buf_printf(&notes, "%s=%llu lowered to the parent's %llu\n", name,
                           (unsigned long long)rv, (unsigned long long)pv);
        } else if (ph) {
            pol_limit_set(&out->limits, i, pv);
        } else if (rh) {
            pol_limit_set(&out->limits, i, rv);
        }
    }
    if (dropped) *dropped = buf_steal(&notes);
    buf_free(&notes);
    return out;
}

static bool cap_covered(const policy_set *a, const policy_cap *c, const policy_set *b)
{
    if (c->kind == POLICY_READ || c->kind == POLICY_WRITE) {
        if (strcmp(a->workspace, b->workspace) != 0) {
            char *st = xasprintf("%s/.boxagent", strcmp(b->workspace, "/") ? b->workspace : "");
            bool touches = pol_path_within(c->path, st) || pol_path_within(st, c->path);
            free(st);
            if (touches) return false;
        }
        if (pol_is_state_dir(b, c->path)) return false;
        for (size_t i = 0; i < b->ncaps; i++) {
            const policy_cap *o = &b->caps[i];
            if (o->kind != POLICY_READ && o->kind != POLICY_WRITE) continue;
            if (!pol_path_within(o->path, c->path)) continue;
            if (c->kind == POLICY_READ) return true;
            if (o->kind == POLICY_WRITE && !pol_rel_protected(pol_path_rel(o->path, c->path), NULL))
                return true;
        }
        return false;
    }
    for (size_t i = 0; i < b->ncaps; i++) {
        const policy_cap *o = &b->caps[i];
        if (o->kind != c->kind) continue;
        if (c->kind == POLICY_FETCH) {
            if (url_subset(&c->url, &o->url)) return true;
        } else if (strcmp(o->name, "*") == 0 || strcmp(o->name, c->name) == 0) {
            return true;
        }
    }
    return false;
}

bool policy_is_subset(const policy_set *a, const policy_set *b)
{
    if (!a || !b) return false;
    for (size_t i = 0; i < a->ncaps; i++)
        if (!cap_covered(a, &a->caps[i], b)) return false;
    for (size_t i = 0; i < pol_nlimits(); i++) {
        uint64_t av = 0, bv = 0;
        bool bh = pol_limit_get(&b->limits, i, NULL, &bv);
        bool ah = pol_limit_get(&a->limits, i, NULL, &av);
        if (bh && (!ah || av > bv)) return false;
    }
    return true;
}
