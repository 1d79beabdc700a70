/* read_file.c — the read_file tool: numbered lines (cat -n style) of a text file, from a
 * 1-based offset, at most `limit` lines (default 2000), long lines cut, binary files refused,
 * the file's total line count reported. Streams the file: lines outside the requested range
 * are only counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

#define DEFAULT_LIMIT 2000
#define MAX_LINE 2000                   /* characters shown per line */
#define LINE_CAP (MAX_LINE * 4)         /* bytes kept per line (UTF-8: up to 4 per character) */
#define COUNT_SCAN_MAX (256ull << 20)   /* bytes scanned to count the lines */
#define BINARY_SNIFF 8192

static char out[65536];
static size_t outlen;

static void flush_out(void)
{
    size_t off = 0;
    while (off < outlen) {
        ssize_t w = write(1, out + off, outlen - off);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            exit(0); /* the host's output limit was reached: it reports the cut */
        }
        off += (size_t)w;
    }
    outlen = 0;
}

static void put(const char *s, size_t n)
{
    while (n) {
        if (outlen == sizeof out) flush_out();
        size_t k = sizeof out - outlen < n ? sizeof out - outlen : n;
        memcpy(out + outlen, s, k);
        outlen += k;
        s += k;
        n -= k;
    }
}

static const char *path;

/* "%6lld\t" + line (cut at MAX_LINE characters) + "\n" */
static void emit(long long lineno, const char *line, size_t kept, size_t total)
{
    if (memchr(line, 0, kept))
        tool_fail("read_file %s: binary content (NUL byte) at line %lld; read_file only shows text", path, lineno);
    char num[32];
    int k = 0;
    char digits[24];
    long long v = lineno;
    do digits[k++] = (char)('0' + v % 10); while ((v /= 10) && k < 20);
    int n = 0;
    for (int pad = 6 - k; pad > 0; pad--) num[n++] = ' ';
    while (k) num[n++] = digits[--k];
    num[n++] = '\t';
    put(num, (size_t)n);
    size_t show = kept;
    bool cut = total > kept;
    if (kept > MAX_LINE) { /* count characters only when the bytes could exceed the cap */
        size_t chars = 0, i = 0;
        for (; i < kept; i++) {
            if (((unsigned char)line[i] & 0xC0) != 0x80) {
                if (chars == MAX_LINE) break;
                chars++;
            }
        }
        if (i < kept) {
            show = i;
            cut = true;
        }
    }
    if (show && line[show - 1] == '\r' && !cut) show--; /* CRLF files: drop the CR */
    put(line, show);
    if (cut) put(" [... line truncated]", 21);
    put("\n", 1);
}

int main(int argc, char **argv)
{
    targs a = targs_from_argv(argc, argv);
    path = targs_str(&a, "path", NULL, NULL);
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
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
        tool_fail("read_file %s: not a regular file (device, pipe or socket)", path);

    static char buf[65536];
    static char line[LINE_CAP];
    size_t kept = 0, total = 0;
    long long lineno = 1, shown = 0, last_shown = 0;
    unsigned long long scanned = 0;
    bool sniffed = false, counting_capped = false, any = false, partial = false;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        if (!sniffed) {
            sniffed = true;
            if (tool_is_binary(buf, (size_t)r < BINARY_SNIFF ? (size_t)r : BINARY_SNIFF))
                tool_fail("read_file %s: binary file (contains NUL bytes); read_file only shows text", path);
        }
        any = true;
        scanned += (unsigned long long)r;
        tool_checkpoint();
        const char *p = buf, *end = buf + r;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *seg_end = nl ? nl : end;
            size_t seg = (size_t)(seg_end - p);
            bool in_range = lineno >= offset && shown < limit;
            if (in_range && nl && kept == 0 && total == 0) { /* whole line in this chunk */
                emit(lineno, p, seg < LINE_CAP ? seg : LINE_CAP, seg);
                shown++;
                last_shown = lineno;
                lineno++;
                partial = false;
                p = nl + 1;
                continue;
            }
            if (in_range && seg) {
                size_t room = LINE_CAP - kept;
                size_t take = seg < room ? seg : room;
                memcpy(line + kept, p, take);
                kept += take;
                total += seg;
            }
            if (seg) partial = true;
            if (!nl) break;
            if (in_range) {
                emit(lineno, line, kept, total);
                shown++;
                last_shown = lineno;
            }
            lineno++;
            kept = total = 0;
            partial = false;
            p = nl + 1;
        }
        if (scanned >= COUNT_SCAN_MAX && shown >= limit) {
            counting_capped = true;
            break;
        }
    }
    if (r < 0) tool_fail_errno("read_file", path);
    close(fd);
    long long total_lines = lineno - 1;
    if (partial) { /* last line without a trailing newline */
        if (lineno >= offset && shown < limit) {
            emit(lineno, line, kept, total);
            shown++;
            last_shown = lineno;
        }
        total_lines = lineno;
    }
    char tail[200];
    int tl;
    const char *more = counting_capped ? "at least " : "";
    if (!any)
        tl = snprintf(tail, sizeof tail, "(empty file)\n");
    else if (shown == 0)
        tl = snprintf(tail, sizeof tail, "(offset %lld is past the end: the file has %s%lld lines)\n", offset, more,
                      total_lines);
    else if (last_shown < total_lines || counting_capped)
        tl = snprintf(tail, sizeof tail, "\n(lines %lld-%lld of %s%lld; use offset=%lld to read more)\n", offset,
                      last_shown, more, total_lines, last_shown + 1);
    else
        tl = snprintf(tail, sizeof tail, "\n(lines %lld-%lld of %lld)\n", offset, last_shown, total_lines);
    put(tail, (size_t)tl);
    flush_out();
    return 0;
}
