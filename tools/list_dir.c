/* list_dir.c — the list_dir tool: a directory's entries, sorted, directories marked with a
 * trailing '/', symlinks with '@', descending `depth` levels (indented), at most 1000 entries. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

#define MAX_ENTRIES 1000

typedef struct st {
    size_t shown;
    bool capped;
} st;

static bool show(const tool_entry *e, void *user)
{
    st *s = user;
    if (s->shown == MAX_ENTRIES) {
        s->capped = true;
        return false;
    }
    const char *name = strrchr(e->rel, '/');
    name = name ? name + 1 : e->rel;
    printf("%*s%s%s\n", (e->depth - 1) * 2, "", name, e->is_link ? "@" : e->is_dir ? "/" : "");
    s->shown++;
    return true;
}

int main(int argc, char **argv)
{
    targs a = targs_from_argv(argc, argv);
    const char *path = targs_str(&a, "path", ".", NULL);
    long long depth = targs_int(&a, "depth", 1);
    if (depth < 1) depth = 1;
    if (depth > 10) depth = 10;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) tool_fail("list_dir %s: no such directory", path);
        tool_fail_errno("list_dir", path);
    }
    if (!S_ISDIR(sb.st_mode)) tool_fail("list_dir %s: not a directory (use read_file)", path);
    st s = {0, false};
    size_t visited = 0;
    if (!tool_walk(path, (int)depth, 0, 200000, show, &s, &visited)) tool_fail_errno("list_dir", path);
    if (s.shown == 0) printf("(empty directory)\n");
    if (s.capped) printf("[listing stopped at %d entries; list a subdirectory or use glob]\n", MAX_ENTRIES);
    return 0;
}
