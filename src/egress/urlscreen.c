/* urlscreen.c — the first gate of every egress URL: refuse the forms that different URL
 * parsers read differently (userinfo, encoded/Unicode hosts, trailing dots, non-canonical
 * IPv4 literals, zone ids, backslashes, control characters, whitespace, encoded dots and
 * slashes in the path), so that the capability check and the connection see one URL. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "egress/egress.h"

static bool fail(char *why, size_t n, const char *msg)
{
    if (why && n)
        snprintf(why, n, "%s", msg);
    return false;
}

static bool is_hex(int c)
{
    return isxdigit((unsigned char)c) != 0;
}

/* The last label is numeric (all digits, or 0x + hex): WHATWG parsers read the host as an
 * IPv4 address then, in any of its decimal/octal/hex/short forms. Only the canonical
 * dotted-quad is accepted. */
static bool last_label_numeric(const char *h, size_t len)
{
    size_t s = len;
    while (s > 0 && h[s - 1] != '.')
        s--;
    const char *l = h + s;
    size_t ll = len - s;
    if (ll == 0)
        return false;
    if (ll >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
        for (size_t i = 2; i < ll; i++)
            if (!is_hex(l[i]))
                return false;
        return true;
    }
    for (size_t i = 0; i < ll; i++)
        if (!isdigit((unsigned char)l[i]))
            return false;
    return true;
}

static bool canonical_dotted_quad(const char *h, size_t len)
{
    int parts = 0;
    size_t i = 0;
    while (i <= len) {
        size_t s = i;
        unsigned v = 0;
        while (i < len && isdigit((unsigned char)h[i])) {
            v = v * 10 + (unsigned)(h[i] - '0');
            if (v > 255)
                return false;
            i++;
        }
        size_t dl = i - s;
        if (dl == 0 || (dl > 1 && h[s] == '0'))
            return false;
        parts++;
        if (i == len)
            break;
        if (h[i] != '.')
            return false;
        i++;
    }
    return parts == 4;
}

bool egress_url_screen(const char *url, char *why, size_t n)
{
    if (!url || !*url)
        return fail(why, n, "empty URL");
    size_t len = strlen(url);
    if (len > EGRESS_MAX_URL)
        return fail(why, n, "URL longer than 8192 bytes");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c == 0x7f)
            return fail(why, n, "whitespace or control character in URL");
        if (c >= 0x80)
            return fail(why, n, "non-ASCII character in URL (Unicode hosts are refused; use "
                                "the xn-- form, and percent-encode paths)");
        if (c == '\\')
            return fail(why, n, "backslash in URL");
        if (c == '%' && (i + 2 >= len || !is_hex(url[i + 1]) || !is_hex(url[i + 2])))
            return fail(why, n, "malformed percent-encoding in URL");
    }
    const char *p;
    if (strncasecmp(url, "http://", 7) == 0)
        p = url + 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        p = url + 8;
    else
        return fail(why, n, "only http:// and https:// URLs are allowed");
    size_t alen = strcspn(p, "/?#");
    const char *auth = p;
    if (alen == 0)
        return fail(why, n, "URL has no host");
    if (memchr(auth, '@', alen))
        return fail(why, n, "userinfo (user@host) in URL is refused");
    if (memchr(auth, '%', alen))
        return fail(why, n, "percent-encoding in the host (or an IPv6 zone id) is refused");
    const char *host = auth, *port = NULL;
    size_t hlen;
    if (auth[0] == '[') {
        const char *close = memchr(auth, ']', alen);
        if (!close)
            return fail(why, n, "unterminated IPv6 literal");
        hlen = (size_t)(close - auth) + 1;
        char tmp[64];
        size_t il = hlen - 2;
        if (il == 0 || il >= sizeof tmp)
            return fail(why, n, "malformed IPv6 literal");
        memcpy(tmp, auth + 1, il);
        tmp[il] = 0;
        struct in6_addr a6;
        if (inet_pton(AF_INET6, tmp, &a6) != 1)
            return fail(why, n, "malformed IPv6 literal");
        if (hlen < alen) {
            if (auth[hlen] != ':')
                return fail(why, n, "garbage after IPv6 literal");
            port = auth + hlen + 1;
        }
    } else {
        const char *colon = memchr(auth, ':', alen);
        hlen = colon ? (size_t)(colon - auth) : alen;
        if (colon)
            port = colon + 1;
        if (hlen == 0)
            return fail(why, n, "URL has no host");
        if (host[hlen - 1] == '.')
            return fail(why, n, "trailing dot in host is refused");
        if (host[0] == '.' || memmem(host, hlen, "..", 2))
            return fail(why, n, "empty label in host");
        for (size_t i = 0; i < hlen; i++) {
            char c = host[i];
            if (!isalnum((unsigned char)c) && c != '-' && c != '.' && c != '_')
                return fail(why, n, "invalid character in host");
        }
        if (last_label_numeric(host, hlen) && !canonical_dotted_quad(host, hlen))
            return fail(why, n, "non-canonical IPv4 literal (decimal, octal, hex or short "
                                "forms are refused; write a.b.c.d)");
    }
    if (port) {
        size_t pl = (size_t)(auth + alen - port);
        if (pl == 0)
            return fail(why, n, "empty port");
        if (pl > 5)
            return fail(why, n, "invalid port");
        unsigned v = 0;
        for (size_t i = 0; i < pl; i++) {
            if (!isdigit((unsigned char)port[i]))
                return fail(why, n, "invalid port");
            v = v * 10 + (unsigned)(port[i] - '0');
        }
        if (v == 0 || v > 65535)
            return fail(why, n, "port out of range");
    }
    /* Path: encoded dot, slash, backslash or NUL would let the server see another path than
     * the one the capability was checked against. */
    const char *path = auth + alen;
    size_t plen = strcspn(path, "?#");
    for (size_t i = 0; i < plen; i++) {
        if (path[i] != '%')
            continue;
        char h1 = (char)tolower((unsigned char)path[i + 1]), h2 = (char)tolower((unsigned char)path[i + 2]);
        if ((h1 == '2' && (h2 == 'e' || h2 == 'f')) || (h1 == '5' && h2 == 'c') ||
            (h1 == '0' && h2 == '0'))
            return fail(why, n, "percent-encoded '.', '/', '\\' or NUL in the path is refused");
    }
    return true;
}
