/* args.c — a minimal JSON reader for the tools' arguments: one flat object of strings,
 * integers, booleans and nulls (nested values are skipped). The host has already validated
 * the arguments against the tool's schema; this reader is still strict and bounded. */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct rd {
    const char *p;
    char *err;
    size_t errlen;
} rd;

static void ws(rd *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r') r->p++;
}

static bool bad(rd *r, const char *msg)
{
    snprintf(r->err, r->errlen, "arguments: %s", msg);
    return false;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(rd *r, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexv(r->p[i]);
        if (h < 0) return bad(r, "bad \\u escape");
        v = v * 16 + (unsigned)h;
    }
    r->p += 4;
    *out = v;
    return true;
}

static size_t put_utf8(char *o, unsigned c)
{
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) { o[0] = (char)(0xC0 | c >> 6); o[1] = (char)(0x80 | (c & 63)); return 2; }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12); o[1] = (char)(0x80 | ((c >> 6) & 63)); o[2] = (char)(0x80 | (c & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18); o[1] = (char)(0x80 | ((c >> 12) & 63));
    o[2] = (char)(0x80 | ((c >> 6) & 63)); o[3] = (char)(0x80 | (c & 63));
    return 4;
}

/* Decoded string (at r->p == '"'); malloc'd. */
static bool string(rd *r, char **out, size_t *outlen)
{
    r->p++;
    const char *s = r->p;
    size_t n = 0;
    while (s[n] && s[n] != '"') n += (s[n] == '\\' && s[n + 1]) ? 2 : 1;
    char *o = malloc(n + 1), *w = o;
    if (!o) return bad(r, "out of memory");
    while (*r->p != '"') {
        /* copy a run of plain characters at once */
        const char *q = r->p;
        while ((unsigned char)*q >= 0x20 && *q != '"' && *q != '\\') q++;
        if (q != r->p) {
            memcpy(w, r->p, (size_t)(q - r->p));
            w += q - r->p;
            r->p = q;
            continue;
        }
        unsigned char c = (unsigned char)*r->p;
        if (!c) { free(o); return bad(r, "unterminated string"); }
        if (c < 0x20) { free(o); return bad(r, "control character in string"); }
        if (c != '\\') { *w++ = (char)c; r->p++; continue; }
        r->p++;
        char e = *r->p++;
        switch (e) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!hex4(r, &cp)) { free(o); return false; }
            if (cp >= 0xD800 && cp < 0xDC00 && r->p[0] == '\\' && r->p[1] == 'u') {
                unsigned lo;
                r->p += 2;
                if (!hex4(r, &lo)) { free(o); return false; }
                if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else { free(o); return bad(r, "bad surrogate pair"); }
            } else if (cp >= 0xD800 && cp < 0xE000) {
                free(o);
                return bad(r, "lone surrogate");
            }
            if (cp == 0) { free(o); return bad(r, "NUL in string"); }
            /* 6 escape bytes always cover the at most 4 bytes written */
            w += put_utf8(w, cp);
            break;
        }
        default: free(o); return bad(r, "bad escape");
        }
    }
    r->p++;
    *w = 0;
    *out = o;
    *outlen = (size_t)(w - o);
    return true;
}

/* Skip any value (for nested objects/arrays the schema may allow). */
static bool skip(rd *r, int depth)
{
    ws(r);
    if (depth > 64) return bad(r, "nested too deeply");
    char c = *r->p;
    if (c == '"') {
        char *s; size_t n;
        if (!string(r, &s, &n)) return false;
        free(s);
        return true;
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        r->p++;
        ws(r);
        if (*r->p == close) { r->p++; return true; }
        for (;;) {
            if (c == '{') {
                ws(r);
                if (*r->p != '"') return bad(r, "expected key");
                if (!skip(r, depth + 1)) return false;
                ws(r);
                if (*r->p++ != ':') return bad(r, "expected ':'");
            }
            if (!skip(r, depth + 1)) return false;
            ws(r);
            if (*r->p == ',') { r->p++; continue; }
            if (*r->p == close) { r->p++; return true; }
            return bad(r, "expected ',' or end");
        }
    }
    const char *s = r->p;
    while (*r->p && strchr("+-0123456789.eEtruefalsn", *r->p)) r->p++;
    if (r->p == s) return bad(r, "unexpected character");
    return true;
}

bool targs_parse(const char *json, targs *out, char *err, size_t errlen)
{
    rd r = {json, err, errlen};
    out->v = NULL;
    out->n = 0;
    ws(&r);
    if (*r.p != '{') return bad(&r, "expected an object");
    r.p++;
    ws(&r);
    if (*r.p == '}') { r.p++; goto end; }
    for (;;) {
        ws(&r);
        if (*r.p != '"') return bad(&r, "expected a key");
        targ a = {0};
        if (!string(&r, &a.key, &a.len)) return false;
        ws(&r);
        if (*r.p++ != ':') { free(a.key); return bad(&r, "expected ':'"); }
        ws(&r);
        char c = *r.p;
        if (c == '"') {
            a.type = 's';
            if (!string(&r, &a.str, &a.len)) { free(a.key); return false; }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            char *end;
            a.type = 'i';
            a.num = strtoll(r.p, &end, 10);
            if (*end == '.' || *end == 'e' || *end == 'E') a.type = 'o';
            r.p = end;
            if (a.type == 'o' && !skip(&r, 0)) { free(a.key); return false; }
        } else if (!strncmp(r.p, "true", 4)) { a.type = 'b'; a.num = 1; r.p += 4; }
        else if (!strncmp(r.p, "false", 5)) { a.type = 'b'; a.num = 0; r.p += 5; }
        else if (!strncmp(r.p, "null", 4)) { a.type = 'n'; r.p += 4; }
        else {
            a.type = 'o';
            if (!skip(&r, 0)) { free(a.key); return false; }
        }
        targ *nv = realloc(out->v, (out->n + 1) * sizeof *nv);
        if (!nv) { free(a.key); free(a.str); return bad(&r, "out of memory"); }
        out->v = nv;
        out->v[out->n++] = a;
        ws(&r);
        if (*r.p == ',') { r.p++; continue; }
        if (*r.p == '}') { r.p++; break; }
        return bad(&r, "expected ',' or '}'");
    }
end:
    ws(&r);
    if (*r.p) return bad(&r, "trailing characters");
    return true;
}

targs targs_from_argv(int argc, char **argv)
{
    targs a;
    char err[200];
    tool_checkpoint();
    if (argc < 2) tool_fail("no arguments given (expected a JSON object as argv[1])");
    if (!targs_parse(argv[1], &a, err, sizeof err)) tool_fail("%s", err);
    return a;
}

static const targ *find(const targs *a, const char *key)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->v[i].key, key)) return &a->v[i];
    return NULL;
}

const char *targs_str(const targs *a, const char *key, const char *def, size_t *len)
{
    const targ *t = find(a, key);
    if (!t || t->type != 's') {
        if (len) *len = def ? strlen(def) : 0;
        return def;
    }
    if (len) *len = t->len;
    return t->str;
}

long long targs_int(const targs *a, const char *key, long long def)
{
    const targ *t = find(a, key);
    return t && t->type == 'i' ? t->num : def;
}

bool targs_bool(const targs *a, const char *key, bool def)
{
    const targ *t = find(a, key);
    return t && t->type == 'b' ? t->num != 0 : def;
}
