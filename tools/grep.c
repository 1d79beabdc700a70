/* grep.c — the grep tool: POSIX extended regular expressions (wasi-libc regcomp/regexec) over
 * a file or a directory tree, with a file-name glob filter, case-insensitivity, three output
 * modes (content, files_with_matches, count), context lines and a result cap. Binary files
 * `.git` and what .gitignore files exclude (unless include_ignored) are skipped. Expensive patterns are stopped by the host's fuel limit. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

#define MAX_FILE (32u << 20)
#define MAX_LINE_SHOWN 2000
#define MAX_VISIT 500000

enum mode { CONTENT, FILES, COUNT };

typedef struct g {
    regex_t re;
    const char *glob;
    const char *root;
    enum mode mode;
    long long before, after, max;
    long long results; /* matching lines (content) or files */
    long long files_searched, skipped_binary, skipped_large;
    bool capped;
    bool literal, icase;
    char *lit; /* the literal pattern (lower-cased when icase) */
    size_t litlen;
} g;

static void print_line(const char *file, long long n, char sep, const char *s, size_t len)
{
    size_t shown = len;
    if (shown > MAX_LINE_SHOWN) {
        shown = MAX_LINE_SHOWN;
        while (shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80) shown--;
    }
    printf("%s%c%lld%c%.*s%s\n", file, sep, n, sep, (int)shown, s, shown < len ? " [... line truncated]" : "");
}

static bool is_literal(const char *p)
{
    return !strpbrk(p, ".[]()*+?{}|^$\\");
}

/* Offset of the first match at or after `from` (a line start), or -1. Literal patterns use
 * memmem (on a lower-cased copy when case-insensitive); others run the regex over the rest of
 * the buffer at once (REG_NEWLINE keeps matches within a line). */
static long long find_next(g *st, const char *data, const char *folded, size_t len, size_t from)
{
    if (from >= len) return -1;
    if (st->literal) {
        const char *hay = folded ? folded : data;
        const char *m = memmem(hay + from, len - from, st->lit, st->litlen);
        return m ? (long long)(m - hay) : -1;
    }
    regmatch_t rm;
    if (regexec(&st->re, data + from, 1, &rm, 0) != 0) return -1;
    return (long long)from + (long long)rm.rm_so;
}

/* Search one file; returns false to stop everything (cap reached). */
static bool search_file(g *st, const char *path, const char *shown_name)
{
    size_t len = 0;
    tool_checkpoint();
    char *data = tool_read_file(path, MAX_FILE, &len);
    if (!data) {
        if (errno == EFBIG) st->skipped_large++;
        return true;
    }
    st->files_searched++;
    if (tool_is_binary(data, len)) {
        st->skipped_binary++;
        free(data);
        return true;
    }
    /* line starts */
    size_t nlines = 0, cap = 256;
    size_t *starts = malloc(cap * sizeof *starts);
    if (!starts) tool_fail("out of memory");
    for (size_t i = 0; i < len;) {
        if (nlines == cap) {
            cap *= 2;
            starts = realloc(starts, cap * sizeof *starts);
            if (!starts) tool_fail("out of memory");
        }
        starts[nlines++] = i;
        const char *nl = memchr(data + i, '\n', len - i);
        i = nl ? (size_t)(nl - data) + 1 : len;
    }
    char *folded = NULL;
    if (st->literal && st->icase) {
        folded = malloc(len + 1);
        if (!folded) tool_fail("out of memory");
        for (size_t i = 0; i < len; i++) folded[i] = (char)tolower((unsigned char)data[i]);
        folded[len] = 0;
    }
#define LINE_LEN(k) (((k) + 1 < nlines ? starts[(k) + 1] - 1 : (len && data[len - 1] == '\n' ? len - 1 : len)) - starts[k])

    long long matches = 0, last_printed = -1, after_left = 0;
    bool printed_any = false, stop = false;
    size_t pos = 0, line = 0;
    while (!stop) {
        long long m = find_next(st, data, folded, len, pos);
        size_t mline = nlines;
        if (m >= 0) {
            /* the line holding offset m (at or after `line`) */
            size_t lo = line, hi = nlines;
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (starts[mid] <= (size_t)m) lo = mid;
                else hi = mid;
            }
            mline = lo;
        }
        if (st->mode == CONTENT) {
            /* after-context of the previous match up to this one */
            while (after_left > 0 && last_printed + 1 < (long long)mline && last_printed + 1 < (long long)nlines) {
                size_t k = (size_t)(last_printed + 1);
                print_line(shown_name, (long long)k + 1, '-', data + starts[k], LINE_LEN(k));
                last_printed = (long long)k;
                after_left--;
            }
        }
        if (m < 0) break;
        matches++;
        if (st->mode == CONTENT) {
            if (st->results == st->max) {
                st->capped = true;
                stop = true;
                break;
            }
            long long from = (long long)mline - st->before;
            if (from <= last_printed) from = last_printed + 1;
            if (from < 0) from = 0;
            if ((st->before || st->after) && printed_any && from > last_printed + 1) printf("--\n");
            for (long long k = from; k < (long long)mline; k++)
                print_line(shown_name, k + 1, '-', data + starts[k], LINE_LEN((size_t)k));
            print_line(shown_name, (long long)mline + 1, ':', data + starts[mline], LINE_LEN(mline));
            printed_any = true;
            last_printed = (long long)mline;
            after_left = st->after;
            st->results++;
        } else if (st->mode == FILES) {
            break;
        }
        line = mline + 1;
        if (line >= nlines) {
            if (st->mode == CONTENT) after_left = 0;
            break;
        }
        pos = starts[line];
    }
#undef LINE_LEN
    if (matches && st->mode != CONTENT) {
        if (st->results == st->max) {
            st->capped = true;
            stop = true;
        } else {
            if (st->mode == FILES) printf("%s\n", shown_name);
            else printf("%s:%lld\n", shown_name, matches);
            st->results++;
        }
    }
    if (st->mode == CONTENT && printed_any && (st->before || st->after)) printf("--\n");
    free(starts);
    free(folded);
    free(data);
    return !stop;
}

static bool name_ok(const g *st, const char *rel)
{
    if (!st->glob) return true;
    if (strchr(st->glob, '/')) return tool_glob_match(st->glob, rel);
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    return fnmatch(st->glob, base, 0) == 0;
}

static bool visit(const tool_entry *e, void *user)
{
    g *st = user;
    if (e->is_dir || !name_ok(st, e->rel)) return true;
    char *shown = !strcmp(st->root, ".") ? strdup(e->rel) : tool_join(st->root, e->rel);
    bool go = search_file(st, e->path, shown);
    free(shown);
    return go;
}

int main(int argc, char **argv)
{
    targs a = targs_from_argv(argc, argv);
    g st;
    memset(&st, 0, sizeof st);
    const char *pattern = targs_str(&a, "pattern", NULL, NULL);
    if (!pattern) tool_fail("pattern is required");
    st.root = targs_str(&a, "path", ".", NULL);
    st.glob = targs_str(&a, "glob", NULL, NULL);
    const char *mode = targs_str(&a, "output_mode", "content", NULL);
    st.mode = !strcmp(mode, "files_with_matches") ? FILES : !strcmp(mode, "count") ? COUNT : CONTENT;
    long long c = targs_int(&a, "context", 0);
    st.before = targs_int(&a, "before_context", c);
    st.after = targs_int(&a, "after_context", c);
    st.max = targs_int(&a, "max_results", 200);
    if (st.max < 1) st.max = 1;
    st.icase = targs_bool(&a, "case_insensitive", false);
    int flags = REG_EXTENDED | REG_NEWLINE | (st.icase ? REG_ICASE : 0);
    st.literal = is_literal(pattern);
    if (st.literal) {
        st.lit = strdup(pattern);
        if (!st.lit) tool_fail("out of memory");
        st.litlen = strlen(st.lit);
        if (st.icase)
            for (size_t i = 0; i < st.litlen; i++) st.lit[i] = (char)tolower((unsigned char)st.lit[i]);
    }
    int rc = regcomp(&st.re, pattern, flags);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &st.re, msg, sizeof msg);
        tool_fail("grep: invalid regular expression: %s", msg);
    }
    struct stat sb;
    if (stat(st.root, &sb) != 0) {
        if (errno == ENOENT) tool_fail("grep %s: no such file or directory", st.root);
        tool_fail_errno("grep", st.root);
    }
    size_t visited = 0;
    if (S_ISDIR(sb.st_mode)) {
        int wf = TOOL_WALK_SKIP_GIT | (targs_bool(&a, "include_ignored", false) ? 0 : TOOL_WALK_GITIGNORE);
        if (!tool_walk(st.root, 0, wf, MAX_VISIT, visit, &st, &visited)) tool_fail_errno("grep", st.root);
    } else {
        search_file(&st, st.root, st.root);
    }
    if (!st.results) printf("no matches for /%s/ in %lld file%s\n", pattern, st.files_searched, st.files_searched == 1 ? "" : "s");
    if (st.capped)
        printf("[results capped at %lld %s; narrow the pattern, path or glob, or raise max_results]\n", st.max,
               st.mode == CONTENT ? "matching lines" : "files");
    if (st.skipped_binary) printf("[%lld binary file%s skipped]\n", st.skipped_binary, st.skipped_binary == 1 ? "" : "s");
    if (st.skipped_large) printf("[%lld file%s larger than %u MiB skipped]\n", st.skipped_large, st.skipped_large == 1 ? "" : "s", MAX_FILE >> 20);
    if (tool_walk_ignored) printf("[%zu path%s excluded by .gitignore not searched; include_ignored: true searches them]\n", tool_walk_ignored, tool_walk_ignored == 1 ? "" : "s");
    if (tool_walk_too_deep) printf("[directories nested more than 128 levels deep were not searched]\n");
    if (visited >= MAX_VISIT) printf("[search stopped after %d entries; narrow path]\n", MAX_VISIT);
    regfree(&st.re);
    free(st.lit);
    return 0;
}
