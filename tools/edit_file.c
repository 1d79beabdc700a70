/* edit_file.c — the edit_file tool: replace an exact string in a file; it must occur exactly
 * once unless replace_all is set. Clear errors with the occurrence count otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define MAX_FILE (64u << 20)

static size_t count(const char *hay, size_t hlen, const char *needle, size_t nlen, size_t *first)
{
    size_t n = 0;
    const char *p = hay, *end = hay + hlen;
    while ((size_t)(end - p) >= nlen) {
        const char *m = memmem(p, (size_t)(end - p), needle, nlen);
        if (!m) break;
        if (!n) *first = (size_t)(m - hay);
        n++;
        p = m + nlen;
    }
    return n;
}

int main(int argc, char **argv)
{
    targs a = targs_from_argv(argc, argv);
    const char *path = targs_str(&a, "path", NULL, NULL);
    size_t olen = 0, nlen = 0;
    const char *old = targs_str(&a, "old_string", NULL, &olen);
    const char *new = targs_str(&a, "new_string", NULL, &nlen);
    bool all = targs_bool(&a, "replace_all", false);
    if (!path || !old || !new) tool_fail("path, old_string and new_string are required");
    if (!olen) tool_fail("edit_file: old_string is empty (use write_file to create a file)");
    if (olen == nlen && !memcmp(old, new, olen)) tool_fail("edit_file: old_string and new_string are identical; nothing to do");

    size_t len = 0;
    char *data = tool_read_file(path, MAX_FILE, &len);
    if (!data) {
        if (errno == EFBIG) tool_fail("edit_file %s: file larger than %u MiB", path, MAX_FILE >> 20);
        if (errno == ENOENT) tool_fail("edit_file %s: no such file (use write_file to create it)", path);
        if (errno == EISDIR) tool_fail("edit_file %s: is a directory", path);
        if (errno == EINVAL) tool_fail("edit_file %s: not a regular file", path);
        tool_fail_errno("edit_file: cannot read", path);
    }
    if (tool_is_binary(data, len)) tool_fail("edit_file %s: binary file (contains NUL bytes); only text files can be edited", path);
    size_t first = 0;
    size_t n = count(data, len, old, olen, &first);
    if (n == 0) tool_fail("edit_file %s: old_string not found (it must match exactly, including whitespace and indentation)", path);
    if (n > 1 && !all)
        tool_fail("edit_file %s: old_string occurs %zu times; include more surrounding text to make it unique, or set replace_all to true", path, n);

    if (nlen > olen && n > (MAX_FILE - len) / (nlen - olen))
        tool_fail("edit_file %s: the edited file would be larger than %u MiB", path, MAX_FILE >> 20);
    size_t outlen = len - n * olen + n * nlen;
    char *outb = malloc(outlen + 1);
    if (!outb) tool_fail("out of memory");
    char *w = outb;
    const char *p = data, *end = data + len;
    size_t done = 0;
    while (done < n) {
        const char *m = memmem(p, (size_t)(end - p), old, olen);
        memcpy(w, p, (size_t)(m - p));
        w += m - p;
        memcpy(w, new, nlen);
        w += nlen;
        p = m + olen;
        done++;
    }
    memcpy(w, p, (size_t)(end - p));
    w += end - p;

    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) tool_fail_errno("edit_file: cannot write", path);
    size_t off = 0;
    while (off < outlen) {
        ssize_t r = write(fd, outb + off, outlen - off);
        if (r < 0) {
            if (errno == EINTR) continue;
            tool_fail_errno("edit_file: write failed on", path);
        }
        off += (size_t)r;
    }
    if (close(fd) != 0) tool_fail_errno("edit_file: close failed on", path);
    size_t line = 1;
    for (size_t i = 0; i < first; i++) line += data[i] == '\n';
    if (n == 1) printf("edited %s: replaced 1 occurrence at line %zu\n", path, line);
    else printf("edited %s: replaced %zu occurrences (first at line %zu)\n", path, n, line);
    free(data);
    free(outb);
    return 0;
}
