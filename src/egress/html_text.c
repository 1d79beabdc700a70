/* html_text.c — turns an HTML document into readable plain text or Markdown for web_fetch:
 * headings, paragraphs, links, images, lists (nested, ordered), pre/code blocks, inline code,
 * emphasis, blockquotes, tables as rows, line breaks; script/style/noscript/template/head/svg
 * content dropped; character references decoded. A forgiving single pass: malformed markup
 * never fails, output is bounded by a small multiple of the input. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "egress/egress.h"
#include "util/buf.h"
#include "util/util.h"

#define MAX_DEPTH 16

typedef struct writer {
    buf out;
    bool md;
    int want_nl;         /* pending line breaks: 1 = new line, 2 = blank line */
    bool space;          /* pending space */
    bool line_start;     /* at the start of an output line */
    int pre;             /* inside <pre> */
    int bq;              /* blockquote depth */
    int list;            /* list depth */
    bool ordered[MAX_DEPTH];
    int counter[MAX_DEPTH];
    char *href;          /* inside <a href>: emitted after the text (markdown) */
    size_t link_start;   /* output offset where the link text began */
    int code;            /* inside inline <code> */
} writer;

/* ---------------------------------------------------------------- output */

static void put_prefix(writer *w)
{
    for (int i = 0; i < w->bq; i++)
        buf_puts(&w->out, w->md ? "> " : "  ");
    for (int i = 1; i < w->list && i < MAX_DEPTH; i++)
        buf_puts(&w->out, "  ");
}

static void flush_breaks(writer *w)
{
    if (w->want_nl && w->out.len > 0) {
        int n = w->want_nl > 2 ? 2 : w->want_nl;
        /* do not stack breaks already present */
        while (n > 0 && w->out.len > 0 && w->out.data[w->out.len - 1] == '\n' && !w->line_start)
            n--;
        for (int i = 0; i < n; i++) {
            buf_putc(&w->out, '\n');
            if (i + 1 < n && w->bq && w->md)
                for (int k = 0; k < w->bq; k++)
                    buf_puts(&w->out, k ? " >" : ">");
        }
        w->line_start = true;
    }
    w->want_nl = 0;
    if (w->line_start) {
        put_prefix(w);
        w->space = false;
    }
    w->line_start = false;
}

static void emit_raw(writer *w, const char *s, size_t n)
{
    flush_breaks(w);
    if (w->space && w->out.len > 0 && w->out.data[w->out.len - 1] != '\n')
        buf_putc(&w->out, ' ');
    w->space = false;
    buf_append(&w->out, s, n);
}

static void emit_str(writer *w, const char *s)
{
    emit_raw(w, s, strlen(s));
}

static void brk(writer *w, int n)
{
    if (w->want_nl < n)
        w->want_nl = n;
    w->space = false;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Text with whitespace collapsed (outside pre) or kept (inside pre); other control
 * characters are dropped. */
static void emit_text(writer *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !is_ws(c)) || c == 0x7f)
            continue;
        if (w->pre) {
            if (c == '\r')
                continue;
            if (c == '\n') {
                buf_putc(&w->out, '\n');
                if (w->bq || w->list > 1)
                    w->line_start = true, flush_breaks(w);
                continue;
            }
            if (w->want_nl || w->line_start)
                flush_breaks(w);
            buf_putc(&w->out, (char)c);
            continue;
        }
        if (is_ws(c)) {
            if (w->out.len > 0 && !w->want_nl)
                w->space = true;
            continue;
        }
        size_t j = i;
        while (j < n && !is_ws((unsigned char)s[j]) && (unsigned char)s[j] >= 0x20 &&
               s[j] != 0x7f)
            j++;
        emit_raw(w, s + i, j - i);
        i = j - 1;
    }
}

/* ---------------------------------------------------------------- entities */

static void put_utf8(buf *b, unsigned long cp)
{
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        cp = 0xfffd;
    char t[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        t[0] = (char)(0xc0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3f));
        buf_append(b, t, 2);
    } else if (cp < 0x10000) {
        t[0] = (char)(0xe0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        t[2] = (char)(0x80 | (cp & 0x3f));
        buf_append(b, t, 3);
    } else {
        t[0] = (char)(0xf0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        t[3] = (char)(0x80 | (cp & 0x3f));
        buf_append(b, t, 4);
    }
}

static const struct {
    const char *name;
    unsigned cp;
} entities[] = {
    {"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
    {"apos", '\''},     {"nbsp", 0xa0},     {"copy", 0xa9},     {"reg", 0xae},
    {"trade", 0x2122},  {"mdash", 0x2014},  {"ndash", 0x2013},  {"hellip", 0x2026},
    {"lsquo", 0x2018},  {"rsquo", 0x2019},  {"ldquo", 0x201c},  {"rdquo", 0x201d},
    {"laquo", 0xab},    {"raquo", 0xbb},    {"bull", 0x2022},   {"middot", 0xb7},
    {"deg", 0xb0},      {"plusmn", 0xb1},   {"times", 0xd7},    {"divide", 0xf7},
    {"euro", 0x20ac},   {"pound", 0xa3},    {"yen", 0xa5},      {"cent", 0xa2},
    {"sect", 0xa7},     {"para", 0xb6},     {"shy", 0xad},      {"larr", 0x2190},
    {"rarr", 0x2192},   {"uarr", 0x2191},   {"darr", 0x2193},   {"hearts", 0x2665},
    {"eacute", 0xe9},   {"egrave", 0xe8},   {"aacute", 0xe1},   {"agrave", 0xe0},
    {"uuml", 0xfc},     {"ouml", 0xf6},     {"auml", 0xe4},     {"szlig", 0xdf},
    {"ccedil", 0xe7},   {"ntilde", 0xf1},   {"iexcl", 0xa1},    {"iquest", 0xbf},
    {"zwj", 0x200d},    {"zwnj", 0x200c},   {"ensp", 0x2002},   {"emsp", 0x2003},
    {"thinsp", 0x2009}, {"prime", 0x2032},  {"infin", 0x221e},  {"ne", 0x2260},
    {"le", 0x2264},     {"ge", 0x2265},     {"minus", 0x2212},  {"frac12", 0xbd},
};

/* Decode character references in s[0..n) into b. */
static void decode_into(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '&') {
            buf_putc(b, s[i]);
            continue;
        }
        size_t j = i + 1;
        if (j < n && s[j] == '#') {
            j++;
            int base = 10;
            if (j < n && (s[j] == 'x' || s[j] == 'X')) {
                base = 16;
                j++;
            }
            unsigned long v = 0;
            size_t k = j;
            while (k < n && (base == 16 ? isxdigit((unsigned char)s[k]) : isdigit((unsigned char)s[k]))) {
                int d = isdigit((unsigned char)s[k]) ? s[k] - '0' : tolower((unsigned char)s[k]) - 'a' + 10;
                if (v <= 0x10ffff)
                    v = v * (unsigned long)base + (unsigned long)d;
                k++;
            }
            if (k == j) {
                buf_putc(b, '&');
                continue;
            }
            if (v >= 0x80 && v <= 0x9f)
                v = 0xfffd; /* C1 controls: never emit them */
            if (v < 0x20 && v != '\t' && v != '\n')
                v = 0xfffd;
            put_utf8(b, v);
            i = (k < n && s[k] == ';') ? k : k - 1;
            continue;
        }
        size_t k = j;
        while (k < n && k - j < 10 && isalnum((unsigned char)s[k]))
            k++;
        bool found = false;
        for (size_t e = 0; e < sizeof entities / sizeof *entities && k > j; e++) {
            size_t el = strlen(entities[e].name);
            if (el == k - j && memcmp(s + j, entities[e].name, el) == 0) {
                put_utf8(b, entities[e].cp == 0xa0 ? ' ' : entities[e].cp);
                i = (k < n && s[k] == ';') ? k : k - 1;
                found = true;
                break;
            }
        }
        if (!found)
            buf_putc(b, '&');
    }
}

static void emit_decoded(writer *w, const char *s, size_t n)
{
    buf t = BUF_INIT;
    decode_into(&t, s, n);
    if (t.len)
        emit_text(w, t.data, t.len);
    buf_free(&t);
}

/* ---------------------------------------------------------------- tags */

/* Value of attribute `name` in the attribute text [a, e), decoded; NULL if absent. */
static char *attr(const char *a, const char *e, const char *name)
{
    size_t nl = strlen(name);
    const char *p = a;
    while (p < e) {
        while (p < e && (isspace((unsigned char)*p) || *p == '/'))
            p++;
        const char *ns = p;
        while (p < e && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
            p++;
        size_t len = (size_t)(p - ns);
        while (p < e && isspace((unsigned char)*p))
            p++;
        const char *vs = NULL, *ve = NULL;
        if (p < e && *p == '=') {
            p++;
            while (p < e && isspace((unsigned char)*p))
                p++;
            if (p < e && (*p == '"' || *p == '\'')) {
                char q = *p++;
                vs = p;
                while (p < e && *p != q)
                    p++;
                ve = p;
                if (p < e)
                    p++;
            } else {
                vs = p;
                while (p < e && !isspace((unsigned char)*p) && *p != '>')
                    p++;
                ve = p;
            }
        }
        if (len == 0 && p == ns) {
            p++;
            continue;
        }
        if (len == nl && strncasecmp(ns, name, nl) == 0) {
            buf b = BUF_INIT;
            if (vs)
                decode_into(&b, vs, (size_t)(ve - vs));
            return buf_steal(&b);
        }
    }
    return NULL;
}

static bool is(const char *t, const char *names)
{
    size_t tl = strlen(t);
    for (const char *p = names; *p;) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == tl && memcmp(p, t, l) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

/* Skip to the end of element `tag` (case-insensitive </tag), honouring nesting of the same
 * name for non-raw elements. Returns the offset after the closing tag (or len). */
static size_t skip_element(const char *s, size_t len, size_t i, const char *tag, bool raw)
{
    size_t tl = strlen(tag);
    int depth = 1;
    while (i < len) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt)
            return len;
        i = (size_t)(lt - s);
        bool close = i + 1 < len && s[i + 1] == '/';
        size_t ns = i + (close ? 2 : 1);
        if (ns + tl <= len && strncasecmp(s + ns, tag, tl) == 0 &&
            (ns + tl == len || !isalnum((unsigned char)s[ns + tl]))) {
            if (close) {
                if (--depth == 0) {
                    const char *gt = memchr(s + ns, '>', len - ns);
                    return gt ? (size_t)(gt - s) + 1 : len;
                }
            } else if (!raw) {
                depth++;
            }
        }
        i++;
    }
    return len;
}

static void open_tag(writer *w, const char *t, const char *a, const char *ae, bool selfclose)
{
    if (t[0] == 'h' && t[1] >= '1' && t[1] <= '6' && !t[2]) {
        brk(w, 2);
        if (w->md) {
            char h[8];
            int n = t[1] - '0';
            memset(h, '#', (size_t)n);
            h[n] = ' ';
            h[n + 1] = 0;
            emit_str(w, h);
        }
    } else if (is(t, "p div section article header footer main nav aside form figure "
                     "figcaption address details summary dl fieldset center")) {
        brk(w, is(t, "p") ? 2 : 1);
    } else if (is(t, "br")) {
        if (w->pre) {
            emit_text(w, "\n", 1);
        } else {
            flush_breaks(w);
            brk(w, 1);
            w->line_start = false;
            buf_putc(&w->out, '\n');
            w->line_start = true;
            w->want_nl = 0;
        }
    } else if (is(t, "hr")) {
        brk(w, 2);
        emit_str(w, w->md ? "---" : "----------");
        brk(w, 2);
    } else if (is(t, "ul ol")) {
        if (w->list < MAX_DEPTH) {
            w->ordered[w->list] = t[0] == 'o';
            w->counter[w->list] = 0;
        }
        w->list++;
        brk(w, w->list == 1 ? 2 : 1);
    } else if (is(t, "li")) {
        brk(w, 1);
        int d = w->list > 0 ? w->list - 1 : 0;
        if (d < MAX_DEPTH && w->list > 0 && w->ordered[d]) {
            char m[24];
            snprintf(m, sizeof m, "%d. ", ++w->counter[d]);
            emit_str(w, m);
        } else {
            emit_str(w, w->md ? "- " : "* ");
        }
        w->space = false;
    } else if (is(t, "dt")) {
        brk(w, 1);
    } else if (is(t, "dd")) {
        brk(w, 1);
        emit_str(w, "  ");
    } else if (is(t, "pre")) {
        brk(w, 2);
        if (w->md) {
            emit_str(w, "```");
            buf_putc(&w->out, '\n');
        }
        w->pre++;
    } else if (is(t, "code tt kbd samp")) {
        if (!w->pre && w->md && !w->code) {
            emit_str(w, "`");
            w->space = false;
        }
        w->code++;
    } else if (is(t, "b strong")) {
        if (w->md && !w->pre && !w->code) {
            emit_str(w, "**");
            w->space = false;
        }
    } else if (is(t, "i em")) {
        if (w->md && !w->pre && !w->code) {
            emit_str(w, "_");
            w->space = false;
        }
    } else if (is(t, "blockquote")) {
        brk(w, 2);
        w->bq++;
    } else if (is(t, "tr")) {
        brk(w, 1);
    } else if (is(t, "td th")) {
        if (w->out.len && w->out.data[w->out.len - 1] != '\n' && !w->want_nl)
            emit_str(w, " |");
        w->space = true;
    } else if (is(t, "table")) {
        brk(w, 2);
    } else if (is(t, "a")) {
        free(w->href);
        w->href = NULL;
        char *h = attr(a, ae, "href");
        if (h && *h && w->md && !w->pre && !selfclose && strncasecmp(h, "javascript:", 11) != 0) {
            emit_raw(w, "", 0); /* settle pending breaks and space: "[" goes here later */
            w->href = h;
            w->link_start = w->out.len;
        } else {
            free(h);
        }
    } else if (is(t, "img")) {
        char *alt = attr(a, ae, "alt");
        char *src = attr(a, ae, "src");
        if (w->md && src && *src && strncasecmp(src, "data:", 5) != 0) {
            emit_str(w, "![");
            if (alt)
                emit_raw(w, alt, strlen(alt));
            emit_str(w, "](");
            emit_raw(w, src, strlen(src));
            emit_str(w, ")");
        } else if (alt && *alt) {
            emit_str(w, alt);
        }
        free(alt);
        free(src);
    }
}

static void close_tag(writer *w, const char *t)
{
    if ((t[0] == 'h' && t[1] >= '1' && t[1] <= '6' && !t[2]) || is(t, "p table blockquote")) {
        if (is(t, "blockquote") && w->bq > 0)
            w->bq--;
        brk(w, 2);
    } else if (is(t, "div section article header footer main nav aside form figure "
                     "figcaption address details summary dl fieldset center li tr dt dd")) {
        brk(w, 1);
    } else if (is(t, "ul ol")) {
        if (w->list > 0)
            w->list--;
        brk(w, w->list == 0 ? 2 : 1);
    } else if (is(t, "pre")) {
        if (w->pre > 0) {
            w->pre--;
            if (w->md) {
                if (w->out.len && w->out.data[w->out.len - 1] != '\n')
                    buf_putc(&w->out, '\n');
                buf_puts(&w->out, "```");
            }
            brk(w, 2);
        }
    } else if (is(t, "code tt kbd samp")) {
        if (w->code > 0) {
            w->code--;
            if (!w->pre && w->md && !w->code) {
                w->space = false;
                buf_putc(&w->out, '`');
            }
        }
    } else if (is(t, "b strong")) {
        if (w->md && !w->pre && !w->code) {
            w->space = false;
            buf_puts(&w->out, "**");
        }
    } else if (is(t, "i em")) {
        if (w->md && !w->pre && !w->code) {
            w->space = false;
            buf_putc(&w->out, '_');
        }
    } else if (is(t, "a")) {
        if (w->href) {
            if (w->out.len > w->link_start && w->link_start <= w->out.len) {
                /* insert "[" where the link text began */
                buf_putc(&w->out, ' ');
                memmove(w->out.data + w->link_start + 1, w->out.data + w->link_start,
                        w->out.len - 1 - w->link_start);
                w->out.data[w->link_start] = '[';
                w->space = false;
                buf_puts(&w->out, "](");
                buf_puts(&w->out, w->href);
                buf_putc(&w->out, ')');
            }
            free(w->href);
            w->href = NULL;
        }
    }
}

char *egress_html_to_text(const char *s, size_t len, egress_html_mode mode)
{
    writer w;
    memset(&w, 0, sizeof w);
    w.md = mode == EGRESS_HTML_MARKDOWN;
    w.line_start = true;
    if (!s)
        len = 0;
    size_t i = 0;
    while (i < len) {
        const char *lt = memchr(s + i, '<', len - i);
        size_t stop = lt ? (size_t)(lt - s) : len;
        if (stop > i)
            emit_decoded(&w, s + i, stop - i);
        i = stop;
        if (i >= len)
            break;
        /* comment, doctype, processing instruction, CDATA */
        if (i + 4 <= len && memcmp(s + i, "<!--", 4) == 0) {
            const char *e = memmem(s + i + 4, len - i - 4, "-->", 3);
            i = e ? (size_t)(e - s) + 3 : len;
            continue;
        }
        if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
            const char *e = memchr(s + i, '>', len - i);
            i = e ? (size_t)(e - s) + 1 : len;
            continue;
        }
        bool close = i + 1 < len && s[i + 1] == '/';
        size_t ns = i + (close ? 2 : 1);
        size_t ne = ns;
        while (ne < len && (isalnum((unsigned char)s[ne]) || s[ne] == '-' || s[ne] == ':'))
            ne++;
        if (ne == ns || !isalpha((unsigned char)s[ns])) {
            emit_decoded(&w, "<", 1); /* a lone "<" is text */
            i++;
            continue;
        }
        char tag[24];
        size_t tl = ne - ns < sizeof tag - 1 ? ne - ns : sizeof tag - 1;
        for (size_t k = 0; k < tl; k++)
            tag[k] = (char)tolower((unsigned char)s[ns + k]);
        tag[tl] = 0;
        /* end of the tag, honouring quoted attribute values */
        size_t e = ne;
        char q = 0;
        while (e < len) {
            if (q) {
                if (s[e] == q)
                    q = 0;
            } else if (s[e] == '"' || s[e] == '\'') {
                q = s[e];
            } else if (s[e] == '>') {
                break;
            }
            e++;
        }
        bool selfclose = e > ne && s[e - 1] == '/';
        size_t after = e < len ? e + 1 : len;
        if (close) {
            close_tag(&w, tag);
            i = after;
            continue;
        }
        if (is(tag, "script style")) {
            i = skip_element(s, len, after, tag, true);
            continue;
        }
        if (is(tag, "noscript template head svg math iframe object select textarea title") &&
            !selfclose) {
            i = skip_element(s, len, after, tag, !is(tag, "svg math"));
            continue;
        }
        open_tag(&w, tag, s + ne, s + e, selfclose);
        i = after;
    }
    free(w.href);
    /* trim trailing whitespace */
    while (w.out.len > 0 && isspace((unsigned char)w.out.data[w.out.len - 1]))
        w.out.data[--w.out.len] = 0;
    if (w.out.len)
        buf_putc(&w.out, '\n');
    return buf_steal(&w.out);
}
