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

/* Names that make the host run code later (VCS metadata and hooks, shell and tool start-up
 * files, ssh keys): read-only inside a write: grant unless a capability names them. Entries
 * with a "/" are protected as that sequence of components (".config/fish" protects fish's
 * start-up directory, not every ".config"). This is the one list: the WASI host, the tools and
 * the jail all use it (policy_protected_name / policy_protected_list). */
static const char *const protected_list[] = {
    /* version control: hooks, config (core.fsmonitor, filters, aliases) */
    ".git", ".gitconfig", ".gitmodules", ".hg", ".hgrc",
    /* shell start-up / shutdown files */
    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".bash_aliases", ".profile",
    ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout", ".inputrc", ".kshrc", ".cshrc",
    ".tcshrc", ".login", ".logout",
    /* run on cd by direnv; ssh authorized_keys / config */
    ".envrc", ".ssh",
    /* multi-component */
    ".config/fish",
    NULL,
};

const char *const *policy_protected_list(void)
{
    return protected_list;
}

static bool name_eq(const char *name, const char *s, size_t len)
{
    return strlen(name) == len && memcmp(name, s, len) == 0;
}

bool policy_protected_name(const char *component)
{
    if (!component || !*component) return false;
    size_t len = strcspn(component, "/");
    if (component[len] != '\0') return false; /* one component only */
    for (int i = 0; protected_list[i]; i++)
        if (!strchr(protected_list[i], '/') && name_eq(protected_list[i], component, len))
            return true;
    return false;
}

/* Does the component sequence starting at `s` begin with all components of `entry`? */
static bool seq_matches(const char *s, const char *entry)
{
    while (*entry) {
        while (*s == '/') s++;
        size_t el = strcspn(entry, "/");
        size_t sl = strcspn(s, "/");
        if (el != sl || memcmp(entry, s, el) != 0) return false;
        s += sl;
        entry += el;
        if (*entry == '/') entry++;
    }
    return true;
}

bool policy_rel_protected(const char *rel, const char **which)
{
    if (!rel) return false;
    const char *s = rel;
    while (*s) {
        while (*s == '/') s++;
        if (!*s) break;
        size_t len = strcspn(s, "/");
        for (int i = 0; protected_list[i]; i++) {
            bool hit = strchr(protected_list[i], '/') ? seq_matches(s, protected_list[i])
                                                       : name_eq(protected_list[i], s, len);
            if (hit) {
                if (which) *which = protected_list[i];
                return true;
            }
        }
        s += len;
    }
    return false;
}

bool pol_rel_protected(const char *rel, const char **which)
{
    return policy_rel_protected(rel, which);
}

bool policy_path_pseudo(const char *path)
{
    if (!path) return false;
    static const char *const roots[] = {"/proc", "/sys", "/dev", NULL};
    for (int i = 0; roots[i]; i++)
        if (pol_path_within(roots[i], path)) return true;
    return false;
}

bool policy_path_has_state_name(const char *path)
{
    if (!path) return false;
    const char *s = path;
    while (*s) {
        while (*s == '/') s++;
        if (!*s) break;
        size_t len = strcspn(s, "/");
        if (name_eq(".boxagent", s, len)) return true;
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
