/* test_egress_urls.c — table-driven: URL forms an attacker would try (userinfo, numeric IPv4
 * forms, zone ids, mapped addresses, trailing dots, backslashes, NUL, whitespace, encoded and
 * Unicode hosts, dot segments, other schemes...) pushed through egress_request against real
 * loopback servers, each with its expected decision. A denied form must never reach a
 * server; an allowed one must. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress.h"
#include "support/testsrv.h"

typedef struct row {
    const char *url;  /* %P = port of the 127.0.0.1 server, %Q = a port nothing listens on,
                         %S = port of the ::1 server */
    int set;          /* 0: literal caps; 1: fetch:*-style caps */
    bool allow;
    const char *why;  /* substring of the refusal (NULL = any) */
} row;

/* Capability sets. */
static const char *caps0[] = {
    "fetch:http://127.0.0.1:%P/api",  "fetch:http://localhost:%P/pub",
    "fetch:http://[::1]:%S/v6",       "fetch:https://*.example.com",
    "fetch:http://allowed.test",
};
static const char *caps1[] = {"fetch:http://*:%P", "fetch:http://*", "fetch:https://*",
                              "fetch:http://*:%S"};

static const row rows[] = {
    /* ---- allowed: canonical and harmless variants */
    {"http://127.0.0.1:%P/api", 0, true, NULL},
    {"http://127.0.0.1:%P/api/", 0, true, NULL},
    {"http://127.0.0.1:%P/api/x", 0, true, NULL},
    {"http://127.0.0.1:%P/api/x?y=1&z=%2F", 0, true, NULL},
    {"http://127.0.0.1:%P/api/x#frag", 0, true, NULL},
    {"HTTP://127.0.0.1:%P/api/x", 0, true, NULL},
    {"http://127.0.0.1:%P/api/./x", 0, true, NULL},
    {"http://127.0.0.1:%P/api/x/../y", 0, true, NULL},
    {"http://127.0.0.1:%P/api//x", 0, true, NULL},
    {"http://127.0.0.1:%P/api/%7Euser", 0, true, NULL},
    {"http://127.0.0.1:%P/api/a%20b", 0, true, NULL},
    {"http://127.0.0.1:%P/api?", 0, true, NULL},
    {"http://localhost:%P/pub", 0, true, NULL},
    {"http://LOCALHOST:%P/pub/a", 0, true, NULL},
    {"http://localhost:%P/pub/../pub/b", 0, true, NULL},
    {"http://[::1]:%S/v6/x", 0, true, NULL},
    /* ---- path prefix */
    {"http://127.0.0.1:%P/apix", 0, false, "no fetch: capability"},
    {"http://127.0.0.1:%P/", 0, false, "no fetch: capability"},
    {"http://127.0.0.1:%P", 0, false, "no fetch: capability"},
    {"http://127.0.0.1:%P/api/../admin", 0, false, "no fetch: capability"},
    {"http://127.0.0.1:%P/api/../../admin", 0, false, "no fetch: capability"},
    {"http://127.0.0.1:%P/api/%2e%2e/admin", 0, false, "percent-encoded"},
    {"http://127.0.0.1:%P/api/%2E%2E/admin", 0, false, "percent-encoded"},
    {"http://127.0.0.1:%P/api/.%2e/admin", 0, false, "percent-encoded"},
    {"http://127.0.0.1:%P/api%2fx", 0, false, "percent-encoded"},
    {"http://127.0.0.1:%P/api/..%2fadmin", 0, false, "percent-encoded"},
    {"http://127.0.0.1:%P/api%5c..%5cadmin", 0, false, "percent-encoded"},
    {"http://127.0.0.1:%P/api/%00", 0, false, "percent-encoded"},
    {"http://127.0.0.1:%P/api/%zz", 0, false, "percent-encoding"},
    {"http://127.0.0.1:%P/api/%2", 0, false, "percent-encoding"},
    /* ---- scheme and port */
    {"https://127.0.0.1:%P/api", 0, false, "no fetch: capability"},
    {"http://127.0.0.1:%Q/api", 0, false, "no fetch: capability"},
    {"http://127.0.0.1:0%P/api", 0, false, "port"},
    {"http://127.0.0.1:/api", 0, false, "port"},
    {"http://127.0.0.1:0/api", 0, false, "port"},
    {"http://127.0.0.1:99999/api", 0, false, "port"},
    {"http://127.0.0.1:%P:%P/api", 0, false, "port"},
    {"http://127.0.0.1:+%P/api", 0, false, "port"},
    {"ftp://127.0.0.1:%P/api", 0, false, "http"},
    {"file:///etc/passwd", 0, false, "http"},
    {"gopher://127.0.0.1:%P/api", 0, false, "http"},
    {"javascript:alert(1)", 0, false, "http"},
    {"data:text/plain,hi", 0, false, "http"},
    {"//127.0.0.1:%P/api", 0, false, "http"},
    {"127.0.0.1:%P/api", 0, false, "http"},
    {"http:/127.0.0.1:%P/api", 0, false, "http"},
    {"http:127.0.0.1:%P/api", 0, false, "http"},
    {"", 0, false, "empty"},
    /* ---- userinfo */
    {"http://user@127.0.0.1:%P/api", 0, false, "userinfo"},
    {"http://user:pass@127.0.0.1:%P/api", 0, false, "userinfo"},
    {"http://allowed.test@127.0.0.1:%P/api", 0, false, "userinfo"},
    {"http://127.0.0.1:%P@allowed.test/api", 0, false, "userinfo"},
    {"http://allowed.test:80@127.0.0.1:%P/api", 0, false, "userinfo"},
    {"http://@127.0.0.1:%P/api", 0, false, "userinfo"},
    /* ---- numeric IPv4 forms */
    {"http://2130706433:%P/api", 0, false, "IPv4"},
    {"http://0x7f000001:%P/api", 0, false, "IPv4"},
    {"http://0177.0.0.1:%P/api", 0, false, "IPv4"},
    {"http://0x7f.0.0.1:%P/api", 0, false, "IPv4"},
    {"http://127.1:%P/api", 0, false, "IPv4"},
    {"http://127.0.1:%P/api", 0, false, "IPv4"},
    {"http://127.0.0.01:%P/api", 0, false, "IPv4"},
    {"http://127.0.0.1.5:%P/api", 0, false, "IPv4"},
    {"http://127.000.000.001:%P/api", 0, false, "IPv4"},
    {"http://0x7F.1:%P/api", 0, false, "IPv4"},
    {"http://127.0.0.256:%P/api", 0, false, "IPv4"},
    /* ---- trailing dots, empty labels */
    {"http://127.0.0.1.:%P/api", 0, false, "trailing dot"},
    {"http://localhost.:%P/pub", 0, false, "trailing dot"},
    {"http://localhost..:%P/pub", 0, false, NULL},
    {"http://.localhost:%P/pub", 0, false, "label"},
    {"http://:%P/api", 0, false, "host"},
    {"http:///api", 0, false, "host"},
    /* ---- IPv6 forms */
    {"http://[::1%25lo]:%S/v6", 0, false, "zone"},
    {"http://[::1%lo]:%S/v6", 0, false, NULL},
    {"http://[fe80::1%25eth0]/", 0, false, "zone"},
    {"http://[::1]:%P/api", 0, false, "no fetch: capability"},
    {"http://[::ffff:127.0.0.1]:%P/api", 0, false, "no fetch: capability"},
    {"http://[::ffff:7f00:1]:%P/api", 0, false, "no fetch: capability"},
    {"http://[0:0:0:0:0:0:0:1]:%S/v6", 0, true, NULL},
    {"http://[::1:%S/v6", 0, false, "IPv6"},
    {"http://[::1]x:%S/v6", 0, false, "IPv6"},
    {"http://[127.0.0.1]:%P/api", 0, false, "IPv6"},
    /* ---- backslashes, NUL-ish, whitespace, control characters */
    {"http://127.0.0.1:%P\\@allowed.test/api", 0, false, "backslash"},
    {"http://127.0.0.1:%P/api\\..\\admin", 0, false, "backslash"},
    {"http:\\\\127.0.0.1:%P/api", 0, false, "backslash"},
    {"http://127.0.0.1:%P/api x", 0, false, "whitespace"},
    {" http://127.0.0.1:%P/api", 0, false, "whitespace"},
    {"http://127.0.0.1:%P/api\t", 0, false, "whitespace"},
    {"http://127.0.0.1:%P/api\r\nX-Injected: 1", 0, false, "whitespace"},
    {"http://127.0.0.1:%P/api\n", 0, false, "whitespace"},
    {"http://127.0.0.1:%P/api\x7f", 0, false, "control"},
    {"http://127.0.0.1 :%P/api", 0, false, "whitespace"},
    /* ---- percent-encoded and Unicode hosts */
    {"http://%31%32%37.0.0.1:%P/api", 0, false, "percent"},
    {"http://loc%61lhost:%P/pub", 0, false, "percent"},
    {"http://localhost%00.allowed.test/pub", 0, false, "percent"},
    {"http://\xef\xbd\x8c\xef\xbd\x8f\xef\xbd\x83\xef\xbd\x81\xef\xbd\x8c\xef\xbd\x88\xef"
     "\xbd\x8f\xef\xbd\x93\xef\xbd\x94:%P/pub", 0, false, "non-ASCII"},
    {"http://localhost\xc2\xa0:%P/pub", 0, false, "non-ASCII"},
    {"http://127.0.0.1:%P/api/\xc3\xa9", 0, false, "non-ASCII"},
    {"http://xn--lcalhost-9za:%P/pub", 0, false, "no fetch: capability"},
    {"http://local_host:%P/pub", 0, false, "no fetch: capability"},
    {"http://exa mple.com/", 0, false, "whitespace"},
    /* ---- wildcards: subdomains only, never the bare domain, never look-alikes */
    {"https://example.com/", 0, false, "no fetch: capability"},
    {"https://evilexample.com/", 0, false, "no fetch: capability"},
    {"https://example.com.evil.org/", 0, false, "no fetch: capability"},
    {"http://a.example.com/", 0, false, "no fetch: capability"},
    /* ---- fetch:* never reaches blocked addresses (no connection is made) */
    {"http://127.0.0.1:%P/api", 1, false, "loopback"},
    {"http://localhost:%P/api", 1, false, "loopback"},
    {"http://127.8.9.10/", 1, false, "loopback"},
    {"http://[::1]:%S/", 1, false, "loopback"},
    {"http://[::ffff:127.0.0.1]:%P/", 1, false, "IPv4-mapped"},
    {"http://[::ffff:0:7f00:1]:%P/", 1, false, "IPv4-translated"},
    {"http://[::127.0.0.1]:%P/", 1, false, "IPv4-compatible"},
    {"http://[64:ff9b::7f00:1]/", 1, false, "NAT64"},
    {"http://[64:ff9b::a9fe:a9fe]/", 1, false, "metadata"},
    {"http://[2002:7f00:1::1]/", 1, false, "6to4"},
    {"http://[2002:a9fe:a9fe::]/", 1, false, "metadata"},
    {"http://169.254.169.254/latest/meta-data/", 1, false, "metadata"},
    {"http://[fd00:ec2::254]/", 1, false, "metadata"},
    {"http://169.254.1.1/", 1, false, "link-local"},
    {"http://[fe80::1]/", 1, false, "link-local"},
    {"http://10.0.0.1/", 1, false, "RFC 1918"},
    {"http://172.16.5.4/", 1, false, "RFC 1918"},
    {"http://172.31.255.255/", 1, false, "RFC 1918"},
    {"http://192.168.0.1/", 1, false, "RFC 1918"},
    {"http://[fc00::1]/", 1, false, "RFC 4193"},
    {"http://[fd12:3456::1]/", 1, false, "RFC 4193"},
    {"http://100.64.0.1/", 1, false, "CGNAT"},
    {"http://100.127.255.254/", 1, false, "CGNAT"},
    {"http://224.0.0.1/", 1, false, "multicast"},
    {"http://[ff02::1]/", 1, false, "multicast"},
    {"http://0.0.0.0:%P/", 1, false, "unspecified"},
    {"http://[::]:%P/", 1, false, "unspecified"},
    {"http://0.1.2.3/", 1, false, "this network"},
    {"http://255.255.255.255/", 1, false, "broadcast"},
    {"http://[::ffff:10.1.2.3]/", 1, false, "RFC 1918"},
    {"http://[::ffff:169.254.169.254]/", 1, false, "metadata"},
    {"http://[::ffff:a9fe:a9fe]/", 1, false, "metadata"},
};

static char *expand(const char *t, int p, int q, int s)
{
    char *o = malloc(strlen(t) * 4 + 64), *w = o;
    for (; *t; t++) {
        if (t[0] == '%' && (t[1] == 'P' || t[1] == 'Q' || t[1] == 'S')) {
            w += sprintf(w, "%d", t[1] == 'P' ? p : t[1] == 'Q' ? q : s);
            t++;
        } else {
            *w++ = *t;
        }
    }
    *w = 0;
    return o;
}

static policy_set *make_caps(const char **lines, size_t n, int p, int s)
{
    policy_set *set = policy_new("/tmp");
    for (size_t i = 0; i < n; i++) {
        char *l = expand(lines[i], p, 0, s);
        policy_error err;
        cr_assert(policy_add_line(set, l, (int)i + 1, &err), "%s: %s", l, err.message);
        free(l);
    }
    return set;
}

static int count_decisions;
static void on_dec(void *ud, const char *url, const policy_decision *d)
{
    (void)ud, (void)url, (void)d;
    count_decisions++;
}

Test(egress_urls, table, .timeout = 120)
{
    cr_assert_geq(sizeof rows / sizeof *rows, 60);
    testsrv *v4 = testsrv_start("127.0.0.1", 0);
    testsrv *v6 = testsrv_start("::1", 0);
    cr_assert(v4, "no IPv4 loopback server");
    int P = testsrv_port(v4), S = v6 ? testsrv_port(v6) : 1;
    int Q = P == 65535 ? P - 1 : P + 1;
    policy_set *sets[2] = {make_caps(caps0, sizeof caps0 / sizeof *caps0, P, S),
                           make_caps(caps1, sizeof caps1 / sizeof *caps1, P, S)};
    int checked = 0;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const row *rw = &rows[i];
        if (!v6 && strstr(rw->url, "%S") && rw->allow)
            continue; /* no IPv6 loopback here */
        char *url = expand(rw->url, P, Q, S);
        unsigned before = testsrv_hits(v4) + (v6 ? testsrv_hits(v6) : 0);
        egress_request_opts o = {0};
        o.url = url;
        o.timeout_ms = 5000;
        o.on_decision = on_dec;
        count_decisions = 0;
        egress_response r;
        egress_result res = egress_request(sets[rw->set], &o, &r);
        unsigned after = testsrv_hits(v4) + (v6 ? testsrv_hits(v6) : 0);
        if (rw->allow) {
            cr_expect_eq(res, EGRESS_OK, "row %zu %s: expected allowed, got %s: %s", i, url,
                         egress_result_name(res), r.error);
            cr_expect_eq(after, before + 1, "row %zu %s: server not reached", i, url);
        } else {
            cr_expect_eq(res, EGRESS_DENIED, "row %zu %s: expected denied, got %s (%s)", i,
                         url, egress_result_name(res), r.error);
            cr_expect_eq(after, before, "row %zu %s: a denied request reached a server", i,
                         url);
            if (rw->why)
                cr_expect(strstr(r.error, rw->why), "row %zu %s: reason \"%s\" lacks \"%s\"", i,
                          url, r.error, rw->why);
        }
        cr_expect_eq(count_decisions, 1, "row %zu %s: %d audit decisions", i, url,
                     count_decisions);
        checked++;
        egress_response_free(&r);
        free(url);
    }
    cr_log_info("%d URL forms checked", checked);
    cr_expect_geq(checked, 60);
    policy_free(sets[0]);
    policy_free(sets[1]);
    testsrv_stop(v4);
    testsrv_stop(v6);
}

/* Address classification, including every embedded-IPv4 wrapper. */
typedef struct arow {
    const char *ip;
    egress_addr_class cls;
} arow;

static const arow arows[] = {
    {"8.8.8.8", EGRESS_ADDR_PUBLIC},
    {"1.1.1.1", EGRESS_ADDR_PUBLIC},
    {"203.0.112.255", EGRESS_ADDR_PUBLIC},
    {"203.0.114.0", EGRESS_ADDR_PUBLIC},
    {"2606:4700::1111", EGRESS_ADDR_PUBLIC},
    {"127.0.0.1", EGRESS_ADDR_LOOPBACK},
    {"127.255.255.254", EGRESS_ADDR_LOOPBACK},
    {"::1", EGRESS_ADDR_LOOPBACK},
    {"::ffff:127.0.0.1", EGRESS_ADDR_LOOPBACK},
    {"::127.0.0.1", EGRESS_ADDR_LOOPBACK},
    {"::ffff:0:127.0.0.1", EGRESS_ADDR_LOOPBACK},
    {"64:ff9b::127.0.0.1", EGRESS_ADDR_LOOPBACK},
    {"2002:7f00:1::", EGRESS_ADDR_LOOPBACK},
    {"2001:0:4136:e378:8000:63bf:80ff:fffe", EGRESS_ADDR_LOOPBACK}, /* Teredo, client 127.0.0.1 */
    {"10.0.0.1", EGRESS_ADDR_PRIVATE},
    {"172.16.0.1", EGRESS_ADDR_PRIVATE},
    {"172.32.0.1", EGRESS_ADDR_PUBLIC},
    {"192.168.255.255", EGRESS_ADDR_PRIVATE},
    {"100.64.0.0", EGRESS_ADDR_PRIVATE},
    {"100.128.0.0", EGRESS_ADDR_PUBLIC},
    {"fc00::", EGRESS_ADDR_PRIVATE},
    {"fdff::1", EGRESS_ADDR_PRIVATE},
    {"fec0::1", EGRESS_ADDR_PRIVATE},
    {"64:ff9b:1::1", EGRESS_ADDR_PRIVATE},
    {"::ffff:192.168.1.1", EGRESS_ADDR_PRIVATE},
    {"169.254.169.254", EGRESS_ADDR_METADATA},
    {"fd00:ec2::254", EGRESS_ADDR_METADATA},
    {"::ffff:169.254.169.254", EGRESS_ADDR_METADATA},
    {"169.254.0.1", EGRESS_ADDR_LINK_LOCAL},
    {"fe80::1", EGRESS_ADDR_LINK_LOCAL},
    {"febf::1", EGRESS_ADDR_LINK_LOCAL},
    {"224.0.0.1", EGRESS_ADDR_MULTICAST},
    {"239.255.255.250", EGRESS_ADDR_MULTICAST},
    {"ff02::1", EGRESS_ADDR_MULTICAST},
    {"::ffff:224.0.0.1", EGRESS_ADDR_MULTICAST},
    {"0.0.0.0", EGRESS_ADDR_UNSPECIFIED},
    {"0.255.0.1", EGRESS_ADDR_UNSPECIFIED},
    {"255.255.255.255", EGRESS_ADDR_UNSPECIFIED},
    {"::", EGRESS_ADDR_UNSPECIFIED},
    {"::ffff:0.0.0.0", EGRESS_ADDR_UNSPECIFIED},
    {"240.0.0.1", EGRESS_ADDR_PRIVATE},
    {"192.0.0.170", EGRESS_ADDR_PRIVATE},
    {"198.18.0.1", EGRESS_ADDR_PRIVATE},
    {"2002:808:808::", EGRESS_ADDR_PUBLIC},
    /* documentation, benchmarking, reserved, 6to4 relay anycast: never a real server */
    {"192.0.2.1", EGRESS_ADDR_PRIVATE},
    {"192.0.2.255", EGRESS_ADDR_PRIVATE},
    {"192.0.3.0", EGRESS_ADDR_PUBLIC},
    {"198.51.100.7", EGRESS_ADDR_PRIVATE},
    {"198.51.101.0", EGRESS_ADDR_PUBLIC},
    {"203.0.113.5", EGRESS_ADDR_PRIVATE},
    {"203.0.113.255", EGRESS_ADDR_PRIVATE},
    {"198.19.255.255", EGRESS_ADDR_PRIVATE},
    {"198.20.0.0", EGRESS_ADDR_PUBLIC},
    {"192.88.99.1", EGRESS_ADDR_PRIVATE},
    {"192.88.98.255", EGRESS_ADDR_PUBLIC},
    {"240.0.0.0", EGRESS_ADDR_PRIVATE},
    {"255.255.255.254", EGRESS_ADDR_PRIVATE},
    {"239.255.255.255", EGRESS_ADDR_MULTICAST},
    {"::ffff:203.0.113.9", EGRESS_ADDR_PRIVATE},
    {"64:ff9b::198.51.100.1", EGRESS_ADDR_PRIVATE},
    {"2002:c000:0201::", EGRESS_ADDR_PRIVATE}, /* 6to4 of 192.0.2.1 */
    {"2002:c058:6301::", EGRESS_ADDR_PRIVATE}, /* 6to4 of 192.88.99.1 */
    {"2001:db8::1", EGRESS_ADDR_PRIVATE},
    {"2001:db8:ffff::1", EGRESS_ADDR_PRIVATE},
    {"2001:db9::1", EGRESS_ADDR_PUBLIC},
    {"3fff::1", EGRESS_ADDR_PRIVATE},
    {"3fff:fff::1", EGRESS_ADDR_PRIVATE},
    {"3fff:1000::1", EGRESS_ADDR_PUBLIC},
    {"2001:2::1", EGRESS_ADDR_PRIVATE},
    {"2001:2:1::1", EGRESS_ADDR_PUBLIC},
};

Test(egress_urls, address_classes)
{
    for (size_t i = 0; i < sizeof arows / sizeof *arows; i++) {
        egress_addr_class c;
        char what[160];
        cr_assert(egress_addr_classify_str(arows[i].ip, &c, what, sizeof what), "%s",
                  arows[i].ip);
        cr_expect_eq(c, arows[i].cls, "%s classified %d (%s), expected %d", arows[i].ip, c, what,
                     arows[i].cls);
    }
    egress_addr_class c;
    cr_expect_not(egress_addr_classify_str("localhost", &c, NULL, 0));
    cr_expect_not(egress_addr_classify_str("127.1", &c, NULL, 0));
    cr_expect_not(egress_addr_classify_str(NULL, &c, NULL, 0));
}
