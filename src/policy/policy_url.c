/* policy_url.c — strict URL parsing and matching for fetch: capabilities and for the requests
 * egress checks against them. Surprising forms are refused rather than guessed at: userinfo,
 * backslashes, whitespace/control/non-ASCII bytes, IPv6 zone ids, percent-encoded or Unicode
 * hosts, numeric IPv4 forms other than a plain dotted quad, empty hosts, bad ports, encoded
 * "/" and "\" and NUL in paths, and dot segments made of encoded dots. What is accepted is
 * canonicalised (lower-case scheme and host, trailing host dot removed, default port filled,
 * unreserved percent-escapes decoded, duplicate "/" collapsed, dot segments removed) so the
 * check and the connection (policy_url_format) see the same URL. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_internal.h"
#include "util/buf.h"
#include "util/util.h"

#define URL_MAX 8192

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

void policy_url_free(policy_url *u)
{
    if (!u) return;
    free(u->scheme);
    free(u->host);
    free(u->path_prefix);
    free(u->query);
    memset(u, 0, sizeof(*u));
}

bool pol_url_copy(policy_url *dst, const policy_url *src)
{
    *dst = *src;
    dst->scheme = src->scheme ? xstrdup(src->scheme) : NULL;
    dst->host = src->host ? xstrdup(src->host) : NULL;
    dst->path_prefix = src->path_prefix ? xstrdup(src->path_prefix) : NULL;
    dst->query = src->query ? xstrdup(src->query) : NULL;
    return true;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool is_unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Is s[0..n) all decimal digits? */
static bool all_digits(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

/* Looks like a number in some base (digits, or 0x followed by hex digits or nothing). */
static bool numeric_label(const char *s, size_t n)
{
    if (all_digits(s, n)) return true;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!isxdigit((unsigned char)s[i])) return false;
        return true;
    }
    return false;
}

/* Host: reg-name or dotted-quad (IPv6 handled by the caller). `h` is lower-cased in place,
 * trailing dot removed. */
static bool check_host(char *h, bool allow_wildcards, policy_url *out, char *err, size_t errlen)
{
    size_t n = strlen(h);
    for (size_t i = 0; i < n; i++) h[i] = (char)tolower((unsigned char)h[i]);
    bool had_dot = n > 0 && h[n - 1] == '.';
    if (had_dot) h[--n] = '\0';
    if (n == 0) return fail(err, errlen, "empty host");
    if (had_dot && strcmp(h, "*") == 0) return fail(err, errlen, "host \"*.\" has an empty label");
    if (n > 253) return fail(err, errlen, "host name too long");
    if (strcmp(h, "*") == 0) {
        if (!allow_wildcards) return fail(err, errlen, "wildcard host in a request URL");
        out->host_any = true;
        out->host = xstrdup("*");
        return true;
    }
    const char *name = h;
    if (h[0] == '*') {
        if (!allow_wildcards) return fail(err, errlen, "wildcard host in a request URL");
        if (h[1] != '.' || h[2] == '\0')
            return fail(err, errlen, "a host wildcard must be \"*\" or \"*.domain\"");
        out->host_wildcard = true;
        name = h + 2;
    }
    /* labels */
    size_t nlabels = 0;
    const char *s = name;
    const char *last = name;
    size_t lastlen = 0;
    for (;;) {
        const char *e = strchr(s, '.');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0) return fail(err, errlen, "empty label in host \"%s\"", h);
        if (len > 63) return fail(err, errlen, "host label longer than 63 characters");
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '*') return fail(err, errlen, "\"*\" is allowed only as the first label");
            if (c == '%') return fail(err, errlen, "percent-encoded host refused");
            if (!(isalnum(c) || c == '-' || c == '_'))
                return fail(err, errlen, "invalid character '%c' in host", c);
        }
        if (s[0] == '-' || s[len - 1] == '-')
            return fail(err, errlen, "host label starts or ends with '-'");
        nlabels++;
        last = s;
        lastlen = len;
        if (!e) break;
        s = e + 1;
    }
    if (numeric_label(last, lastlen)) {
        /* An IPv4 address: only a plain dotted quad of decimal 0-255 without leading zeros. */
        if (out->host_wildcard) return fail(err, errlen, "wildcard over an IP address");
        if (nlabels != 4)
            return fail(err, errlen, "numeric host \"%s\" is not a dotted-quad IPv4 address", h);
        s = name;
        for (int i = 0; i < 4; i++) {
            const char *e = strchr(s, '.');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            if (!all_digits(s, len) || len > 3 || (len > 1 && s[0] == '0'))
                return fail(err, errlen, "IPv4 address \"%s\" has a non-decimal or zero-padded part",
                            h);
            int v = atoi(s);
            if (v > 255) return fail(err, errlen, "IPv4 address part out of range in \"%s\"", h);
            s = e ? e + 1 : s + len;
        }
    }
    /* "xn--" labels are punycode already; any byte >= 0x80 was refused earlier. */
    out->host = xstrdup(name);
    return true;
}

/* Normalise a path: validate escapes, decode unreserved ones, upper-case the rest, collapse
 * "//", remove dot segments. Returns malloc'd path starting with "/". */
static char *norm_url_path(const char *p, size_t n, char *err, size_t errlen)
{
    buf seg = BUF_INIT;     /* current segment, decoded form */
    buf out = BUF_INIT;
    size_t *starts = xmalloc((n + 2) * sizeof(size_t));
    size_t depth = 0;
    bool seg_encoded_dot = false;
    bool trailing_slash = false;
    char *res = NULL;
    size_t i = 0;
    if (n == 0 || p[0] != '/') {
        fail(err, errlen, "path must start with \"/\"");
        goto done;
    }
    while (i <= n) {
        if (i == n || p[i] == '/') {
            /* end of a segment */
            if (i > 0 && (seg.len > 0 || seg_encoded_dot)) {
                bool dot = seg.len == 1 && seg.data[0] == '.';
                bool dotdot = seg.len == 2 && seg.data[0] == '.' && seg.data[1] == '.';
                if ((dot || dotdot) && seg_encoded_dot) {
                    fail(err, errlen, "encoded dot segment in path");
                    goto done;
                }
                if (dot) {
                    trailing_slash = true;
                } else if (dotdot) {
                    if (depth > 0) out.len = starts[--depth];
                    if (out.data) out.data[out.len] = '\0';
                    trailing_slash = true;
                } else {
                    starts[depth++] = out.len;
                    buf_putc(&out, '/');
                    buf_append(&out, seg.data, seg.len);
                    trailing_slash = false;
                }
            } else if (i > 0) {
                /* empty segment ("//" or the final "/") */
                trailing_slash = true;
            }
            buf_clear(&seg);
            seg_encoded_dot = false;
            if (i == n) break;
            i++;
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (c == '%') {
            if (i + 2 >= n) { /* needs two more characters */
                fail(err, errlen, "truncated percent-escape in path");
                goto done;
            }
            int h1 = hexval(p[i + 1]), h2 = hexval(p[i + 2]);
            if (h1 < 0 || h2 < 0) {
                fail(err, errlen, "invalid percent-escape in path");
                goto done;
            }
            int v = h1 * 16 + h2;
            if (v == 0) {
                fail(err, errlen, "encoded NUL in path");
                goto done;
            }
            if (v == '/' || v == '\\') {
                fail(err, errlen, "encoded \"%c\" in path", v);
                goto done;
            }
            if (v == '.') seg_encoded_dot = true;
            if (is_unreserved(v)) {
                buf_putc(&seg, (char)v);
            } else {
                buf_printf(&seg, "%%%02X", v);
            }
            i += 3;
            continue;
        }
        buf_putc(&seg, (char)c);
        i++;
    }
    if (out.len == 0) {
        res = xstrdup("/");
    } else {
        if (trailing_slash) buf_putc(&out, '/');
        res = buf_steal(&out);
    }
done:
    buf_free(&seg);
    buf_free(&out);
    free(starts);
    return res;
}

bool policy_url_parse(const char *text, bool allow_wildcards, policy_url *out, char *err,
                      size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!text) return fail(err, errlen, "no URL");
    size_t n = strlen(text);
    if (n == 0) return fail(err, errlen, "empty URL");
    if (n > URL_MAX) return fail(err, errlen, "URL longer than %d bytes", URL_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c <= 0x20 || c == 0x7f)
            return fail(err, errlen, "whitespace or control character at offset %zu", i);
        if (c >= 0x80)
            return fail(err, errlen, "non-ASCII byte at offset %zu (use punycode/percent-encoding)",
                        i);
        if (c == '\\') return fail(err, errlen, "backslash at offset %zu", i);
    }
    /* scheme */
    const char *colon = strstr(text, "://");
    if (!colon) return fail(err, errlen, "expected scheme://host");
    size_t slen = (size_t)(colon - text);
    if (slen == 0 || !isalpha((unsigned char)text[0]))
        return fail(err, errlen, "missing or invalid scheme");
    char scheme[16];
    if (slen >= sizeof(scheme)) return fail(err, errlen, "unsupported scheme");
    for (size_t i = 0; i < slen; i++) scheme[i] = (char)tolower((unsigned char)text[i]);
    scheme[slen] = '\0';
    int defport;
    if (strcmp(scheme, "http") == 0) defport = 80;
    else if (strcmp(scheme, "https") == 0) defport = 443;
    else return fail(err, errlen, "unsupported scheme \"%s\" (http or https only)", scheme);

    const char *auth = colon + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *rest = auth + alen;
    if (memchr(auth, '@', alen))
        return fail(err, errlen, "userinfo (\"user@\") in URL refused");
    if (alen == 0) return fail(err, errlen, "empty host");

    /* split host and port */
    const char *hstart = auth, *hend, *port_s = NULL;
    size_t port_len = 0;
    bool ipv6 = false;
    if (auth[0] == '[') {
        const char *rb = memchr(auth, ']', alen);
        if (!rb) return fail(err, errlen, "unterminated IPv6 literal");
        if (memchr(auth, '%', (size_t)(rb - auth)))
            return fail(err, errlen, "IPv6 zone identifier refused");
        hstart = auth + 1;
        hend = rb;
        ipv6 = true;
        const char *after = rb + 1;
        if (after < auth + alen) {
            if (*after != ':') return fail(err, errlen, "junk after IPv6 literal");
            port_s = after + 1;
            port_len = (size_t)(auth + alen - port_s);
            if (port_len == 0) return fail(err, errlen, "empty port");
        }
    } else {
        const char *pc = memchr(auth, ':', alen);
        hend = pc ? pc : auth + alen;
        if (pc) {
            port_s = pc + 1;
            port_len = (size_t)(auth + alen - port_s);
            if (port_len == 0) return fail(err, errlen, "empty port");
        }
    }
    int port = defport;
    if (port_s) {
        if (port_len > 5 || !all_digits(port_s, port_len) || (port_s[0] == '0'))
            return fail(err, errlen, "invalid port \"%.*s\"", (int)(port_len > 20 ? 20 : port_len),
                        port_s);
        long v = strtol(port_s, NULL, 10);
        if (v < 1 || v > 65535) return fail(err, errlen, "port %ld out of range", v);
        port = (int)v;
    }
    char *host = xstrndup(hstart, (size_t)(hend - hstart));
    if (ipv6) {
        struct in6_addr a;
        if (!inet_pton(AF_INET6, host, &a)) {
            free(host);
            return fail(err, errlen, "invalid IPv6 address");
        }
        char buf6[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &a, buf6, sizeof(buf6));
        out->host = xasprintf("[%s]", buf6);
    } else {
        bool ok = check_host(host, allow_wildcards, out, err, errlen);
        if (!ok) {
            free(host);
            policy_url_free(out);
            return false;
        }
    }
    free(host);
    out->scheme = xstrdup(scheme);
    out->port = port;

    /* path, query, fragment */
    size_t plen = strcspn(rest, "?#");
    const char *q = rest[plen] == '?' ? rest + plen + 1 : NULL;
    size_t qlen = q ? strcspn(q, "#") : 0;
    bool has_frag = strchr(rest, '#') != NULL;
    if (allow_wildcards && (q || has_frag)) {
        policy_url_free(out);
        return fail(err, errlen, "a fetch: capability has no query or fragment");
    }
    if (plen == 0) {
        out->path_prefix = xstrdup("/");
    } else {
        out->path_prefix = norm_url_path(rest, plen, err, errlen);
        if (!out->path_prefix) {
            policy_url_free(out);
            return false;
        }
    }
    if (q) {
        for (size_t i = 0; i < qlen; i++) {
            if (q[i] == '%') {
                if (i + 2 >= qlen) {
                    policy_url_free(out);
                    return fail(err, errlen, "truncated percent-escape in query");
                }
                if (hexval(q[i + 1]) < 0 || hexval(q[i + 2]) < 0) {
                    policy_url_free(out);
                    return fail(err, errlen, "invalid percent-escape in query");
                }
            }
        }
        out->query = xstrndup(q, qlen);
    }
    if (allow_wildcards) {
        /* prefixes carry no trailing "/" (except "/" itself) */
        size_t l = strlen(out->path_prefix);
        while (l > 1 && out->path_prefix[l - 1] == '/') out->path_prefix[--l] = '\0';
    }
    return true;
}

static bool host_matches(const policy_url *cap, const char *host)
{
    if (cap->host_any) return true;
    if (cap->host_wildcard) {
        size_t hl = strlen(host), sl = strlen(cap->host);
        if (host[0] == '[') return false;
        return hl > sl + 1 && host[hl - sl - 1] == '.' && strcmp(host + hl - sl, cap->host) == 0;
    }
    return strcmp(cap->host, host) == 0;
}

/* Is path `p` equal to or beneath prefix `pre` on a segment boundary? */
static bool path_prefix_matches(const char *pre, const char *p)
{
    size_t l = strlen(pre);
    if (l == 1 && pre[0] == '/') return true;
    if (strncmp(pre, p, l) != 0) return false;
    return p[l] == '\0' || p[l] == '/';
}

bool policy_url_matches(const policy_url *cap, const policy_url *req)
{
    if (!cap || !req || !cap->scheme || !req->scheme || !req->host) return false;
    if (strcmp(cap->scheme, req->scheme) != 0) return false;
    if (cap->port != req->port) return false;
    if (!host_matches(cap, req->host)) return false;
    return path_prefix_matches(cap->path_prefix, req->path_prefix);
}

bool policy_url_names_host(const policy_url *cap)
{
    return cap && !cap->host_any && !cap->host_wildcard && !cap->public_only;
}

static int default_port(const char *scheme)
{
    return strcmp(scheme, "https") == 0 ? 443 : 80;
}

char *policy_url_format(const policy_url *u)
{
    if (!u || !u->scheme || !u->host) return NULL;
    buf b = BUF_INIT;
    buf_printf(&b, "%s://%s%s", u->scheme, u->host_wildcard ? "*." : "", u->host);
    if (u->port != default_port(u->scheme)) buf_printf(&b, ":%d", u->port);
    buf_puts(&b, u->path_prefix ? u->path_prefix : "/");
    if (u->query) buf_printf(&b, "?%s", u->query);
    return buf_steal(&b);
}

char *pol_url_pattern_text(const policy_url *u)
{
    buf b = BUF_INIT;
    buf_printf(&b, "%s://%s%s", u->scheme, u->host_wildcard ? "*." : "", u->host);
    if (u->port != default_port(u->scheme)) buf_printf(&b, ":%d", u->port);
    if (strcmp(u->path_prefix, "/") != 0) buf_puts(&b, u->path_prefix);
    if (u->public_only && !u->host_any && !u->host_wildcard) buf_puts(&b, " public");
    return buf_steal(&b);
}
