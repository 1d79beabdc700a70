/* read_file.c — the read_file tool: numbered lines (cat -n style) of a text file, from a
 * 1-based offset, at most `limit` lines (default 2000), long lines cut, binary files refused,
 * the file's total line count reported. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

#define DEFAULT_LIMIT 2000
#define MAX_LINE 2000                   /* characters shown per line */
#define COUNT_SCAN_MAX (256ull << 20)   /* bytes scanned to count the lines */
#define BINARY_SNIFF 8192

int main(int argc, char **argv)
{
    targs a = targs_from_argv(argc, argv);
    const char *path = targs_str(&a, "path", NULL, NULL);
    if (!path) tool_fail("path is required");
    long long offset = targs_int(&a, "offset", 1);
    long long limit = targs_int(&a, "limit", DEFAULT_LIMIT);
    if (offset < 1) offset = 1;
    if (limit < 1) limit = DEFAULT_LIMIT;

    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        if (errno == ENOENT) tool_fail("read_file %s: no such file (use glob or list_dir to find it)", path);
        tool_fail_errno("read_file", path);
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        tool_fail("read_file %s: is a directory (use list_dir)", path);

    static char buf[65536];
    char line[MAX_LINE * 4 + 8]; /* UTF-8: up to 4 bytes per character */
    size_t ll = 0, lchars = 0, lbytes_total = 0;
    long long lineno = 1, shown = 0, last_shown = 0;
    unsigned long long scanned = 0;
    bool sniffed = false, counting_capped = false, any = false, partial = false;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        if (!sniffed) {
            sniffed = true;
            size_t n = (size_t)r < BINARY_SNIFF ? (size_t)r : BINARY_SNIFF;
            if (tool_is_binary(buf, n))
                tool_fail("read_file %s: binary file (contains NUL bytes); read_file only shows text", path);
        }
        any = true;
        scanned += (unsigned long long)r;
        for (ssize_t i = 0; i < r; i++) {
            char c = buf[i];
            bool in_range = lineno >= offset && shown < limit;
            if (c == '\n') {
                if (in_range) {
                    line[ll] = 0;
                    printf("%6lld\t%s%s\n", lineno, line,
                           lbytes_total > ll ? " [... line truncated]" : "");
                    shown++;
                    last_shown = lineno;
                }
                lineno++;
                ll = lchars = lbytes_total = 0;
                partial = false;
                continue;
            }
            partial = true;
            if (in_range) {
                if (c == 0)
                    tool_fail("read_file %s: binary content (NUL byte) at line %lld; read_file only shows text",
                              path, lineno);
                lbytes_total++;
                bool cont = ((unsigned char)c & 0xC0) == 0x80;
                if (lchars < MAX_LINE || (cont && ll > 0 && lchars == MAX_LINE && ll < sizeof line - 1)) {
                    if (!cont) lchars++;
                    if (ll < sizeof line - 1) line[ll++] = c;
                } else if (!cont) {
                    lchars++;
                }
            }
        }
        if (scanned >= COUNT_SCAN_MAX && shown >= limit) {
            counting_capped = true;
            break;
        }
    }
    if (r < 0) tool_fail_errno("read_file", path);
    close(fd);
    /* last line without a trailing newline */
    long long total = lineno - 1;
    if (partial) {
        if (lineno >= offset && shown < limit) {
            line[ll] = 0;
            printf("%6lld\t%s%s\n", lineno, line, lbytes_total > ll ? " [... line truncated]" : "");
            shown++;
            last_shown = lineno;
        }
        total = lineno;
    }
    if (!any) {
        printf("(empty file)\n");
        return 0;
    }
    const char *more = counting_capped ? "at least " : "";
    if (shown == 0) {
        printf("(offset %lld is past the end: the file has %s%lld lines)\n", offset, more, total);
        return 0;
    }
    if (last_shown < total || counting_capped)
        printf("\n(lines %lld-%lld of %s%lld; use offset=%lld to read more)\n", offset, last_shown, more,
               total, last_shown + 1);
    else
        printf("\n(lines %lld-%lld of %lld)\n", offset, last_shown, total);
    return 0;
}
