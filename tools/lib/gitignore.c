/* gitignore.c — .gitignore rules for the tools' directory walks (grep, glob), following git's
 * documented format: blank lines and `#` comments are skipped (`\#` and `\!` escape them),
 * trailing spaces are dropped, `!` re-includes, a trailing `/` matches only directories, a `/`
 * at the start or in the middle anchors the pattern to the .gitignore's own directory
 * (otherwise it matches a name at any depth below it), `*` `?` `[...]` stay within one path
 * component and `**` spans any number of them. A later line wins over an earlier one and a
 * deeper .gitignore over a shallower one. As in git, nothing below an ignored directory is
 * looked at, so a `!` rule cannot re-include a file inside it. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

#define MAX_IGNORE_FILE (1u << 20)

static void add_rule(tool_ignore_file *f, char *line)
{
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n')) line[--len] = 0;
    /* trailing spaces, unless the last is escaped with a backslash */
    while (len && line[len - 1] == ' ' && !(len >= 2 && line[len - 2] == '\\')) line[--len] = 0;
    if (!len || line[0] == '#') return;
    tool_ignore_rule r = {0};
    char *p = line;
    if (p[0] == '!') {
        r.negate = true;
        p++;
    } else if (p[0] == '\\' && (p[1] == '#' || p[1] == '!')) {
        p++;
    }
    len = strlen(p);
    if (len && p[len - 1] == '/') {
        r.dir_only = true;
        p[--len] = 0;
    }
    if (!len) return;
    if (strchr(p, '/')) r.anchored = true;
    if (p[0] == '/') p++;
    if (!*p) return;
    r.pat = strdup(p);
    if (!r.pat) tool_fail("out of memory");
    tool_ignore_rule *nr = realloc(f->rules, (f->n + 1) * sizeof *nr);
    if (!nr) tool_fail("out of memory");
    f->rules = nr;
    f->rules[f->n++] = r;
}

static char *xdup(const char *s)
{
    char *d = strdup(s);
    if (!d) tool_fail("out of memory");
    return d;
}

static void push(tool_ignore *ig, const char *dir_path, const char *rel, const char *prefix)
{
    char *path = tool_join(dir_path, ".gitignore");
    size_t len = 0;
    char *text = tool_read_file(path, MAX_IGNORE_FILE, &len);
    free(path);
    if (!text) return; /* none, unreadable or too large: no rules from it */
    tool_ignore_file f = {xdup(rel), prefix ? xdup(prefix) : NULL, NULL, 0};
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        add_rule(&f, line);
    }
    free(text);
    if (!f.n) {
        free(f.base);
        free(f.prefix);
        return;
    }
    if (ig->n == ig->cap) {
        ig->cap = ig->cap ? ig->cap * 2 : 8;
        tool_ignore_file *nf = realloc(ig->files, ig->cap * sizeof *nf);
        if (!nf) tool_fail("out of memory");
        ig->files = nf;
    }
    ig->files[ig->n++] = f;
}

void tool_ignore_push(tool_ignore *ig, const char *dir_path, const char *rel)
{
    push(ig, dir_path, rel, NULL);
}

#define MAX_PARENTS 32

void tool_ignore_push_parents(tool_ignore *ig, const char *root)
{
    char *dirs[MAX_PARENTS], *prefixes[MAX_PARENTS];
    size_t n = 0;
    char *dir = xdup(root);
    char *prefix = xdup("");
    while (n < MAX_PARENTS) {
        size_t len = strlen(dir);
        while (len > 1 && dir[len - 1] == '/') dir[--len] = 0;
        char *git = tool_join(dir, ".git");
        struct stat st;
        bool top = stat(git, &st) == 0;
        free(git);
        if (top || !strcmp(dir, ".") || !strcmp(dir, "/") || !strcmp(dir, "")) break;
        /* one level up: "a/b" -> "a" (+ "b" on the prefix), "a" -> ".", "/a" -> "/" */
        char *slash = strrchr(dir, '/');
        const char *name = slash ? slash + 1 : dir;
        if (!strcmp(name, "..") || !strcmp(name, ".")) break; /* no lexical way up */
        char *np = *prefix ? tool_join(name, prefix) : xdup(name);
        free(prefix);
        prefix = np;
        char *up = slash ? (slash == dir ? xdup("/") : strndup(dir, (size_t)(slash - dir))) : xdup(".");
        if (!up) tool_fail("out of memory");
        free(dir);
        dir = up;
        dirs[n] = xdup(dir);
        prefixes[n] = xdup(prefix);
        n++;
    }
    free(dir);
    free(prefix);
    while (n--) { /* outermost first: deeper files take precedence */
        push(ig, dirs[n], "", prefixes[n]);
        free(dirs[n]);
        free(prefixes[n]);
    }
}

void tool_ignore_pop(tool_ignore *ig, size_t level)
{
    while (ig->n > level) {
        tool_ignore_file *f = &ig->files[--ig->n];
        for (size_t i = 0; i < f->n; i++) free(f->rules[i].pat);
        free(f->rules);
        free(f->base);
        free(f->prefix);
    }
}

bool tool_ignore_match(const tool_ignore *ig, const char *rel, bool is_dir)
{
    bool ignored = false;
    const char *slash = strrchr(rel, '/');
    const char *name = slash ? slash + 1 : rel;
    for (size_t i = 0; i < ig->n; i++) {
        const tool_ignore_file *f = &ig->files[i];
        size_t bl = strlen(f->base);
        const char *sub = rel;
        if (bl) {
            if (strncmp(rel, f->base, bl) || rel[bl] != '/') continue; /* not below it */
            sub = rel + bl + 1;
        }
        char *full = f->prefix ? tool_join(f->prefix, sub) : NULL; /* from a parent's .gitignore */
        for (size_t k = 0; k < f->n; k++) {
            const tool_ignore_rule *r = &f->rules[k];
            if (r->dir_only && !is_dir) continue;
            if (tool_gitignore_glob(r->pat, r->anchored ? (full ? full : sub) : name))
                ignored = !r->negate;
        }
        free(full);
    }
    return ignored;
}
