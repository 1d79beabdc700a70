/* addr.c — classification of IP addresses into public and blocked ranges (loopback, private,
 * link-local, metadata, multicast, unspecified, documentation, benchmarking, reserved, the 6to4
 * relay anycast), unwrapping every IPv6 form that embeds an
 * IPv4 address. Used by egress on every resolved candidate and on every socket opened. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "egress/egress.h"

static egress_addr_class set(char *what, size_t n, egress_addr_class c, const char *desc)
{
    if (what && n)
        snprintf(what, n, "%s", desc);
    return c;
}

static egress_addr_class classify_v4(uint32_t a, char *what, size_t n)
{
#define IN(net, bits) ((bits) == 0 || (a >> (32 - (bits))) == ((uint32_t)(net) >> (32 - (bits))))
#define V4(x, y, z, w) (((uint32_t)(x) << 24) | ((uint32_t)(y) << 16) | ((uint32_t)(z) << 8) | (uint32_t)(w))
    if (a == V4(255, 255, 255, 255))
        return set(what, n, EGRESS_ADDR_UNSPECIFIED, "broadcast (255.255.255.255)");
    if (IN(V4(0, 0, 0, 0), 8))
        return set(what, n, EGRESS_ADDR_UNSPECIFIED, "unspecified / this network (0.0.0.0/8)");
    if (IN(V4(127, 0, 0, 0), 8))
        return set(what, n, EGRESS_ADDR_LOOPBACK, "loopback (127.0.0.0/8)");
    if (IN(V4(10, 0, 0, 0), 8))
        return set(what, n, EGRESS_ADDR_PRIVATE, "private (10.0.0.0/8, RFC 1918)");
    if (IN(V4(172, 16, 0, 0), 12))
        return set(what, n, EGRESS_ADDR_PRIVATE, "private (172.16.0.0/12, RFC 1918)");
    if (IN(V4(192, 168, 0, 0), 16))
        return set(what, n, EGRESS_ADDR_PRIVATE, "private (192.168.0.0/16, RFC 1918)");
    if (IN(V4(100, 64, 0, 0), 10))
        return set(what, n, EGRESS_ADDR_PRIVATE, "shared address space (100.64.0.0/10, CGNAT)");
    if (a == V4(169, 254, 169, 254))
        return set(what, n, EGRESS_ADDR_METADATA, "cloud metadata (169.254.169.254)");
    if (IN(V4(169, 254, 0, 0), 16))
        return set(what, n, EGRESS_ADDR_LINK_LOCAL, "link-local (169.254.0.0/16)");
    if (IN(V4(192, 0, 0, 0), 24))
        return set(what, n, EGRESS_ADDR_PRIVATE, "IETF protocol assignments (192.0.0.0/24)");
    if (IN(V4(198, 18, 0, 0), 15))
        return set(what, n, EGRESS_ADDR_PRIVATE, "benchmarking (198.18.0.0/15)");
    if (IN(V4(192, 0, 2, 0), 24))
        return set(what, n, EGRESS_ADDR_PRIVATE, "documentation (192.0.2.0/24, TEST-NET-1)");
    if (IN(V4(198, 51, 100, 0), 24))
        return set(what, n, EGRESS_ADDR_PRIVATE, "documentation (198.51.100.0/24, TEST-NET-2)");
    if (IN(V4(203, 0, 113, 0), 24))
        return set(what, n, EGRESS_ADDR_PRIVATE, "documentation (203.0.113.0/24, TEST-NET-3)");
    if (IN(V4(192, 88, 99, 0), 24))
        return set(what, n, EGRESS_ADDR_PRIVATE, "6to4 relay anycast (192.88.99.0/24)");
    if (IN(V4(224, 0, 0, 0), 4))
        return set(what, n, EGRESS_ADDR_MULTICAST, "multicast (224.0.0.0/4)");
    if (IN(V4(240, 0, 0, 0), 4))
        return set(what, n, EGRESS_ADDR_PRIVATE, "reserved (240.0.0.0/4)");
    return set(what, n, EGRESS_ADDR_PUBLIC, "public");
#undef IN
#undef V4
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* The embedded IPv4 address's class, with the wrapper named in the description. */
static egress_addr_class embedded(uint32_t v4, const char *form, char *what, size_t n)
{
    char inner[96];
    egress_addr_class c = classify_v4(v4, inner, sizeof inner);
    if (c == EGRESS_ADDR_PUBLIC)
        return set(what, n, c, "public");
    if (what && n)
        snprintf(what, n, "%s of %u.%u.%u.%u: %s", form, v4 >> 24, (v4 >> 16) & 255,
                 (v4 >> 8) & 255, v4 & 255, inner);
    return c;
}

static egress_addr_class classify_v6(const uint8_t *b, char *what, size_t n)
{
    static const uint8_t zero[16];
    static const uint8_t metadata[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                         0,    0,    0,    0,    0, 0, 0x02, 0x54};
    if (memcmp(b, zero, 16) == 0)
        return set(what, n, EGRESS_ADDR_UNSPECIFIED, "unspecified (::)");
    if (memcmp(b, zero, 15) == 0 && b[15] == 1)
        return set(what, n, EGRESS_ADDR_LOOPBACK, "loopback (::1)");
    if (memcmp(b, metadata, 16) == 0)
        return set(what, n, EGRESS_ADDR_METADATA, "cloud metadata (fd00:ec2::254)");
    /* ::ffff:a.b.c.d (mapped) */
    if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff)
        return embedded(be32(b + 12), "IPv4-mapped form", what, n);
    /* ::ffff:0:a.b.c.d (SIIT translated) */
    if (memcmp(b, zero, 8) == 0 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        return embedded(be32(b + 12), "IPv4-translated form", what, n);
    /* ::a.b.c.d (compatible, deprecated) */
    if (memcmp(b, zero, 12) == 0)
        return embedded(be32(b + 12), "IPv4-compatible form", what, n);
    /* 64:ff9b::/96 NAT64 well-known prefix */
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && memcmp(b + 4, zero, 8) == 0)
        return embedded(be32(b + 12), "NAT64 form", what, n);
    /* 64:ff9b:1::/48 local-use NAT64 */
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
        return set(what, n, EGRESS_ADDR_PRIVATE, "local-use NAT64 (64:ff9b:1::/48)");
    /* 2002::/16 6to4: the IPv4 address is bits 16..47 */
    if (b[0] == 0x20 && b[1] == 0x02)
        return embedded(be32(b + 2), "6to4 form", what, n);
    /* 2001:0::/32 Teredo: client address is bits 96..127 inverted; server is 32..63 */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
        egress_addr_class c = embedded(~be32(b + 12), "Teredo client form", what, n);
        if (c != EGRESS_ADDR_PUBLIC)
            return c;
        return embedded(be32(b + 4), "Teredo server form", what, n);
    }
    if ((b[0] & 0xfe) == 0xfc)
        return set(what, n, EGRESS_ADDR_PRIVATE, "unique local (fc00::/7, RFC 4193)");
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return set(what, n, EGRESS_ADDR_LINK_LOCAL, "link-local (fe80::/10)");
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        return set(what, n, EGRESS_ADDR_PRIVATE, "site-local (fec0::/10)");
    if (b[0] == 0xff)
        return set(what, n, EGRESS_ADDR_MULTICAST, "multicast (ff00::/8)");
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return set(what, n, EGRESS_ADDR_PRIVATE, "documentation (2001:db8::/32)");
    if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0)
        return set(what, n, EGRESS_ADDR_PRIVATE, "documentation (3fff::/20)");
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0x02 && b[4] == 0 && b[5] == 0)
        return set(what, n, EGRESS_ADDR_PRIVATE, "benchmarking (2001:2::/48)");
    if (b[0] == 0x01 && b[1] == 0x00 && memcmp(b + 2, zero, 6) == 0)
        return set(what, n, EGRESS_ADDR_PRIVATE, "discard-only (100::/64)");
    return set(what, n, EGRESS_ADDR_PUBLIC, "public");
}

egress_addr_class egress_addr_classify(const struct sockaddr *sa, char *what, size_t whatlen)
{
    if (!sa)
        return set(what, whatlen, EGRESS_ADDR_UNSPECIFIED, "no address");
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return classify_v4(ntohl(in->sin_addr.s_addr), what, whatlen);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return classify_v6(in6->sin6_addr.s6_addr, what, whatlen);
    }
    return set(what, whatlen, EGRESS_ADDR_UNSPECIFIED, "not an IP address");
}

bool egress_addr_classify_str(const char *ip, egress_addr_class *cls, char *what,
                              size_t whatlen)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!ip)
        return false;
    if (inet_pton(AF_INET, ip, &a4) == 1) {
        *cls = classify_v4(ntohl(a4.s_addr), what, whatlen);
        return true;
    }
    if (inet_pton(AF_INET6, ip, &a6) == 1) {
        *cls = classify_v6(a6.s6_addr, what, whatlen);
        return true;
    }
    return false;
}
