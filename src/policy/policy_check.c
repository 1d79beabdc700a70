/* policy_check.c — decisions: may this path be read/written, this URL fetched, this program
 * run, this variable seen? Each answer names the capability that allowed it or the reason it
 * was denied, for the audit log. Path decisions are lexical (for audit and early refusal);
 * enforcement resolves beneath the root at use (policy_open.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_internal.h"
#include "util/util.h"

static policy_decision deny(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static policy_decision deny(const char *fmt, ...)
{
    policy_decision d = {0};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d.reason, sizeof(d.reason), fmt, ap);
    va_end(ap);
    return d;
}

static policy_decision allow(const policy_cap *c)
{
    policy_decision d = {0};
    d.allowed = true;
    d.cap = c;
    snprintf(d.reason, sizeof(d.reason), "allowed by %s", c->text);
    return d;
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

policy_decision policy_check_path(const policy_set *p, const char *path, policy_access access)
{
    if (!p) return deny("no capability set");
    if (!path || !*path) return deny("empty path");
    if (access != POLICY_ACCESS_READ && access != POLICY_ACCESS_WRITE)
        return deny("invalid access mode");
    char *abs = policy_path_normalize(p->workspace, path);
    policy_decision d;
    if (pol_is_state_dir(p, abs)) {
        d = deny("%.200s is in the workspace state directory .boxagent/, which is never accessible",
                 abs);
        goto out;
    }
    if (policy_path_has_state_name(abs)) {
        d = deny("%.200s is inside a .boxagent/ state directory, which is never accessible", abs);
        goto out;
    }
    if (policy_path_pseudo(abs)) {
        d = deny("%.200s is on a kernel pseudo file system (/proc, /sys, /dev), which is never "
                 "accessible", abs);
        goto out;
    }
    const policy_cap *best = NULL, *blocked = NULL;
    const char *blocked_name = NULL;
    size_t best_len = 0, blocked_len = 0;
    for (size_t i = 0; i < p->ncaps; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_READ && c->kind != POLICY_WRITE) continue;
        if (!pol_path_within(c->path, abs)) continue;
        size_t l = strlen(c->path);
        if (access == POLICY_ACCESS_WRITE) {
            if (c->kind != POLICY_WRITE) continue;
            const char *which = NULL;
            if (pol_rel_protected(pol_path_rel(c->path, abs), &which)) {
                if (!blocked || l > blocked_len) {
                    blocked = c;
                    blocked_len = l;
                    blocked_name = which;
                }
                continue;
            }
        }
        /* longest root wins; on a tie prefer write (it names more) */
        if (!best || l > best_len || (l == best_len && c->kind == POLICY_WRITE)) {
            best = c;
            best_len = l;
        }
    }
    if (best) {
        d = allow(best);
    } else if (blocked) {
        d = deny("%.120s is protected: %s is read-only under %.120s unless a capability names it",
                 abs, blocked_name, blocked->text);
    } else {
        bool readable = false;
        if (access == POLICY_ACCESS_WRITE) {
            for (size_t i = 0; i < p->ncaps; i++)
                if (p->caps[i].kind == POLICY_READ && pol_path_within(p->caps[i].path, abs))
                    readable = true;
        }
        if (readable)
            d = deny("no write: capability covers %.250s (it is read-only)", abs);
        else
            d = deny("no %s: capability covers %.250s",
                     access == POLICY_ACCESS_WRITE ? "write" : "read", abs);
    }
out:
    free(abs);
    return d;
}

static int fetch_rank(const policy_cap *c)
{
    if (c->url.host_any) return 0;
    if (c->url.host_wildcard) return 1;
    if (c->url.public_only) return 2;
    return 3;
}

policy_decision policy_check_fetch(const policy_set *p, const char *url)
{
    if (!p) return deny("no capability set");
    policy_url u;
    char msg[200];
    if (!policy_url_parse(url, false, &u, msg, sizeof(msg))) return deny("refused URL: %s", msg);
    const policy_cap *best = NULL;
    for (size_t i = 0; i < p->ncaps; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_FETCH || !policy_url_matches(&c->url, &u)) continue;
        if (!best || fetch_rank(c) > fetch_rank(best) ||
            (fetch_rank(c) == fetch_rank(best) &&
             strlen(c->url.path_prefix) > strlen(best->url.path_prefix)))
            best = c;
    }
    policy_decision d;
    if (best) {
        d = allow(best);
    } else {
        char *f = policy_url_format(&u);
        d = deny("no fetch: capability matches %.280s", f);
        free(f);
    }
    policy_url_free(&u);
    return d;
}

policy_decision policy_check_exec(const policy_set *p, const char *program)
{
    if (!p) return deny("no capability set");
    if (!program || !*program) return deny("empty program name");
    if (has_ctl(program)) return deny("control character in program name");
    char *name = strchr(program, '/') ? policy_path_normalize(p->workspace, program)
                                      : xstrdup(program);
    const policy_cap *any = NULL, *exact = NULL;
    for (size_t i = 0; i < p->ncaps; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_EXEC) continue;
        if (strcmp(c->name, "*") == 0) any = c;
        else if (strcmp(c->name, name) == 0) exact = c;
    }
    policy_decision d;
    if (exact) d = allow(exact);
    else if (any) d = allow(any);
    else d = deny("no exec: capability names %.280s", name);
    free(name);
    return d;
}

policy_decision policy_check_env(const policy_set *p, const char *name)
{
    if (!p) return deny("no capability set");
    if (!name || !*name) return deny("empty variable name");
    if (has_ctl(name) || strchr(name, '=')) return deny("invalid variable name");
    const policy_cap *any = NULL, *exact = NULL;
    for (size_t i = 0; i < p->ncaps; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_ENV) continue;
        if (strcmp(c->name, "*") == 0) any = c;
        else if (strcmp(c->name, name) == 0) exact = c;
    }
    if (exact) return allow(exact);
    if (any) return allow(any);
    return deny("no env: capability names %.280s", name);
}
