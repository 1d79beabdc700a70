/* glob.c — the glob tool: files under `path` whose relative path matches a pattern with `**`,
 * sorted, at most 1000. `.git` directories, and what .gitignore files exclude (unless
 * include_ignored), are not searched. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

#define MAX_RESULTS 1000
#define MAX_VISIT 500000

typedef struct st {
    const char *pattern;
    const char *root;
    size_t found;
    bool capped;
} st;

static bool visit(const tool_entry *e, void *user)
{
    st *s = user;
    if (!tool_glob_match(s->pattern, e->rel)) return true;
    if (s->found == MAX_RESULTS) {
        s->capped = true;
        return false;
    }
    if (!strcmp(s->root, ".")) printf("%s%s\n", e->rel, e->is_dir ? "/" : "");
    else printf("%s%s%s%s\n", s->root, s->root[strlen(s->root) - 1] == '/' ? "" : "/", e->rel, e->is_dir ? "/" : "");
    s->found++;
    return true;
}

int main(int argc, char **argv)
{
    targs a = targs_from_argv(argc, argv);
    const char *pattern = targs_str(&a, "pattern", NULL, NULL);
    const char *path = targs_str(&a, "path", ".", NULL);
    if (!pattern) tool_fail("pattern is required");
    if (pattern[0] == '/') tool_fail("glob: pattern must be relative; put the directory in path");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) tool_fail("glob %s: no such directory", path);
        tool_fail_errno("glob", path);
    }
    if (!S_ISDIR(sb.st_mode)) tool_fail("glob %s: not a directory", path);
    st s = {pattern, path, 0, false};
    size_t visited = 0;
    int wf = TOOL_WALK_SKIP_GIT | (targs_bool(&a, "include_ignored", false) ? 0 : TOOL_WALK_GITIGNORE);
    if (!tool_walk(path, 0, wf, MAX_VISIT, visit, &s, &visited)) tool_fail_errno("glob", path);
    if (!s.found) printf("no files match %s\n", pattern);
    if (tool_walk_ignored) printf("[%zu path%s excluded by .gitignore not searched; include_ignored: true searches them]\n", tool_walk_ignored, tool_walk_ignored == 1 ? "" : "s");
    if (tool_walk_too_deep) printf("[directories nested more than 128 levels deep were not searched]\n");
    if (s.capped) printf("[stopped at %d results; use a more specific pattern]\n", MAX_RESULTS);
    else if (visited >= MAX_VISIT) printf("[search stopped after %d entries; narrow path]\n", MAX_VISIT);
    return 0;
}
