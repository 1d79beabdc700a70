/* policy_path.c — lexical path handling for capabilities: normalisation, "beneath" tests on
 * component boundaries, protected names, and guest-to-host mapping. Nothing here touches the
 * file system: enforcement resolves beneath the root at use (policy_open.c). */
#include <stdlib.h>
#include <string.h>

#include "policy/policy_internal.h"
#include "util/buf.h"
#include "util/util.h"

char *policy_path_normalize(const char *base, const char *path)
{
    if (!path) return NULL;
    char *joined = (path[0] == '/' || !base) ? xstrdup(path) : xasprintf("%s/%s", base, path);
    size_t n = strlen(joined);
    /* stack of component start offsets in out */
    char *out = xmalloc(n + 2);
    size_t olen = 0;
    size_t *starts = xmalloc((n / 2 + 2) * sizeof(size_t));
    size_t depth = 0;
    const char *s = joined;
    while (*s) {
        while (*s == '/') s++;
        if (!*s) break;
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 1 && s[0] == '.') {
            /* skip */
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (depth > 0) olen = starts[--depth];
        } else {
            starts[depth++] = olen;
            out[olen++] = '/';
            memcpy(out + olen, s, len);
            olen += len;
        }
        s += len;
    }
    if (olen == 0) out[olen++] = '/';
    out[olen] = '\0';
    free(starts);
    free(joined);
    return out;
}

bool pol_path_within(const char *root, const char *path)
{
    size_t rl = strlen(root);
    if (rl == 1 && root[0] == '/') return path[0] == '/';
    if (strncmp(root, path, rl) != 0) return false;
    return path[rl] == '\0' || path[rl] == '/';
}

const char *pol_path_rel(const char *root, const char *path)
{
    size_t rl = strlen(root);
    if (rl == 1 && root[0] == '/') rl = 0;
    const char *r = path + rl;
    while (*r == '/') r++;
    return r;
}

static const char *const protected_names[] = {
    ".git", ".bashrc", ".profile", ".bash_profile", ".zshrc", ".bash_logout", ".zprofile",
    ".zshenv", ".bash_login", ".zlogin", ".zlogout", NULL,
};

bool pol_rel_protected(const char *rel, const char **which)
{
    const char *s = rel;
    while (*s) {
        while (*s == '/') s++;
        if (!*s) break;
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        for (int i = 0; protected_names[i]; i++) {
            if (strlen(protected_names[i]) == len && memcmp(protected_names[i], s, len) == 0) {
                if (which) *which = protected_names[i];
                return true;
            }
        }
        s += len;
    }
    return false;
}

bool pol_is_state_dir(const policy_set *p, const char *path)
{
    if (!p->workspace) return false;
    char *state = xasprintf("%s%s.boxagent", p->workspace,
                            strcmp(p->workspace, "/") == 0 ? "" : "/");
    bool r = pol_path_within(state, path) || (p->state_real && pol_path_within(p->state_real, path));
    free(state);
    return r;
}

char *policy_guest_to_host(const policy_set *p, const char *guest, const policy_cap **cap_out)
{
    if (cap_out) *cap_out = NULL;
    if (!p || !guest) return NULL;
    char *g = policy_path_normalize(p->workspace, guest);
    const policy_cap *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < p->ncaps; i++) {
        const policy_cap *c = &p->caps[i];
        if (c->kind != POLICY_READ && c->kind != POLICY_WRITE) continue;
        if (!pol_path_within(c->guest, g)) continue;
        size_t l = strlen(c->guest);
        /* longest guest prefix; on a tie prefer write (it includes read) */
        if (!best || l > best_len || (l == best_len && c->kind == POLICY_WRITE &&
                                      best->kind != POLICY_WRITE)) {
            best = c;
            best_len = l;
        }
    }
    char *host = NULL;
    if (best) {
        const char *rel = pol_path_rel(best->guest, g);
        host = *rel ? policy_path_normalize(best->path, rel) : xstrdup(best->path);
        if (cap_out) *cap_out = best;
    }
    free(g);
    return host;
}
