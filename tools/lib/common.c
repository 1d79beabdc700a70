/* common.c — error exits, the binary test, path joining, `**` glob matching, a sorted
 * directory walk and whole-file reading for the built-in tools. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

/* Host import (src/tools/wasm_run.c): traps the guest when the call was cancelled. */
__attribute__((import_module("boxagent_tools"), import_name("checkpoint"))) void bx_checkpoint(void);

void tool_checkpoint(void)
{
    bx_checkpoint();
}

void tool_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stdout);
    exit(1);
}

void tool_fail_errno(const char *what, const char *path)
{
    int e = errno;
    const char *hint = "";
#ifdef ENOTCAPABLE
    if (e == ENOTCAPABLE) hint = " (outside the directories this agent may use)";
#endif
    if (e == EACCES || e == EPERM) hint = " (not permitted by this agent's capabilities)";
    if (e == EROFS) hint = " (read-only for this agent)";
    tool_fail("%s %s: %s%s", what, path, strerror(e), hint);
}

bool tool_is_binary(const char *data, size_t len)
{
    return memchr(data, 0, len) != NULL;
}

char *tool_join(const char *dir, const char *name)
{
    if (!strcmp(dir, ".")) return strdup(name);
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    if (!s) tool_fail("out of memory");
    memcpy(s, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/') s[k++] = '/';
    memcpy(s + k, name, b + 1);
    return s;
}

/* Match path segments against pattern segments; `fnflags` for fnmatch on each segment. */
static bool match_segs(const char *pat, const char *path, int fnflags)
{
    if (!*pat) return !*path;
    const char *pend = strchr(pat, '/');
    size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
    const char *pnext = pend ? pend + 1 : pat + plen;
    if (plen == 2 && pat[0] == '*' && pat[1] == '*') {
        /* zero directories */
        if (match_segs(pnext, path, fnflags)) return true;
        if (!*pnext && *path) return true; /* trailing ** matches everything below */
        /* one or more: drop one path segment and try again */
        const char *slash = strchr(path, '/');
        if (!slash) return !*pnext ? true : false;
        return match_segs(pat, slash + 1, fnflags);
    }
    if (!*path) return false;
    const char *send = strchr(path, '/');
    size_t slen = send ? (size_t)(send - path) : strlen(path);
    char pseg[1024], sseg[1024];
    if (plen >= sizeof pseg || slen >= sizeof sseg) return false;
    memcpy(pseg, pat, plen);
    pseg[plen] = 0;
    memcpy(sseg, path, slen);
    sseg[slen] = 0;
    if (fnmatch(pseg, sseg, fnflags) != 0) return false;
    if (!pend) return !send;
    if (!send) return !*pnext || (!strcmp(pnext, "**"));
    return match_segs(pnext, send + 1, fnflags);
}

bool tool_glob_match(const char *pattern, const char *path)
{
    while (pattern[0] == '.' && pattern[1] == '/') pattern += 2;
    while (path[0] == '.' && path[1] == '/') path += 2;
    return match_segs(pattern, path, FNM_PERIOD);
}

bool tool_gitignore_glob(const char *pattern, const char *path)
{
    return match_segs(pattern, path, 0); /* gitignore: `*` matches a leading dot too */
}

#define MAX_WALK_DEPTH 128 /* directories nested deeper are not entered */
bool tool_walk_too_deep;

typedef struct walk {
    bool (*fn)(const tool_entry *e, void *user);
    void *user;
    int max_depth;
    int flags; /* TOOL_WALK_* */
    size_t max_visit, *visited;
    bool stop;
    tool_ignore ign; /* .gitignore files of the directories being walked (TOOL_WALK_GITIGNORE) */
} walk;

size_t tool_walk_ignored;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(walk *w, const char *path, const char *rel, int depth)
{
    DIR *d = opendir(path);
    if (!d) return;
    size_t ign_level = w->ign.n;
    if (w->flags & TOOL_WALK_GITIGNORE) tool_ignore_push(&w->ign, path, rel);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) tool_fail("out of memory");
            names = nn;
        }
        names[n++] = strdup(de->d_name);
        if (n > w->max_visit) break;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (w->stop || *w->visited >= w->max_visit) { w->stop = true; break; }
        char *p = tool_join(path, names[i]);
        char *r = *rel ? tool_join(rel, names[i]) : strdup(names[i]);
        struct stat st;
        bool is_link = lstat(p, &st) == 0 && S_ISLNK(st.st_mode);
        bool is_dir = !is_link && S_ISDIR(st.st_mode);
        if (is_link) {
            struct stat t;
            if (stat(p, &t) == 0 && S_ISDIR(t.st_mode)) is_dir = true;
        }
        (*w->visited)++;
        tool_checkpoint();
        bool skip = (w->flags & TOOL_WALK_SKIP_GIT) && is_dir && !strcmp(names[i], ".git");
        if (!skip && (w->flags & TOOL_WALK_GITIGNORE) && tool_ignore_match(&w->ign, r, is_dir)) {
            skip = true;
            tool_walk_ignored++;
        }
        if (!skip) {
            tool_entry e = {r, p, is_dir, is_link, depth};
            if (!w->fn(&e, w->user)) w->stop = true;
            if (!w->stop && is_dir && !is_link && depth >= MAX_WALK_DEPTH) tool_walk_too_deep = true;
            if (!w->stop && is_dir && !is_link && depth < MAX_WALK_DEPTH &&
                (!w->max_depth || depth < w->max_depth))
                walk_dir(w, p, r, depth + 1);
        }
        free(p);
        free(r);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    tool_ignore_pop(&w->ign, ign_level);
}

bool tool_walk(const char *root, int max_depth, int flags, size_t max_visit,
               bool (*fn)(const tool_entry *e, void *user), void *user, size_t *visited)
{
    size_t v = 0;
    if (!visited) visited = &v;
    DIR *d = opendir(root);
    if (!d) return false;
    closedir(d);
    walk w = {fn, user, max_depth, flags, max_visit, visited, false, {0}};
    if (flags & TOOL_WALK_GITIGNORE) tool_ignore_push_parents(&w.ign, root);
    walk_dir(&w, root, "", 1);
    tool_ignore_pop(&w.ign, 0);
    free(w.ign.files);
    return true;
}

char *tool_read_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *data = malloc(cap + 1);
    if (!data) tool_fail("out of memory");
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                close(fd);
                free(data);
                errno = EFBIG;
                return NULL;
            }
            cap = cap * 2 > max ? max : cap * 2;
            char *nd = realloc(data, cap + 1);
            if (!nd) tool_fail("out of memory");
            data = nd;
        }
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0) {
            int e = errno;
            close(fd);
            free(data);
            errno = e;
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    data[n] = 0;
    *len = n;
    return data;
}
