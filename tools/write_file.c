/* write_file.c — the write_file tool: create or overwrite a file with the given content,
 * creating missing parent directories (inside what the capabilities let it write). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

/* Create the missing parents of path: find the deepest parent that exists (a grant may be a
 * subdirectory whose own parents the tool cannot even stat), then create the rest below it. */
static void make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p) tool_fail("out of memory");
    size_t n = strlen(p), start = 0;
    for (size_t i = n; i-- > 1;) { /* each '/' after the first byte ends a parent prefix */
        if (p[i] != '/') continue;
        p[i] = 0;
        struct stat st;
        bool exists = stat(p, &st) == 0, dir = exists && S_ISDIR(st.st_mode);
        if (exists && !dir) tool_fail("write_file: %s exists and is not a directory", p);
        p[i] = '/';
        if (exists) {
            start = i + 1;
            break;
        }
    }
    for (size_t j = start; j < n; j++) {
        if (p[j] != '/' || j == 0) continue;
        p[j] = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST) tool_fail_errno("write_file: cannot create directory", p);
        p[j] = '/';
    }
    free(p);
}

int main(int argc, char **argv)
{
    targs a = targs_from_argv(argc, argv);
    const char *path = targs_str(&a, "path", NULL, NULL);
    size_t len = 0;
    const char *content = targs_str(&a, "content", NULL, &len);
    if (!path || !content) tool_fail("path and content are required");
    size_t pl = strlen(path);
    if (pl && path[pl - 1] == '/') tool_fail("write_file %s: names a directory, not a file", path);

    struct stat st;
    bool existed = stat(path, &st) == 0;
    if (existed && S_ISDIR(st.st_mode)) tool_fail("write_file %s: is a directory", path);
    if (!existed) make_parents(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) tool_fail_errno("write_file: cannot open", path);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, content + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            tool_fail_errno("write_file: write failed on", path);
        }
        off += (size_t)w;
    }
    if (close(fd) != 0) tool_fail_errno("write_file: close failed on", path);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += content[i] == '\n';
    if (len && content[len - 1] != '\n') lines++;
    printf("%s %s (%zu bytes, %zu lines)\n", existed ? "overwrote" : "created", path, len, lines);
    return 0;
}
