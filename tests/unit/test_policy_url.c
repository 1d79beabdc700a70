/* test_policy_url.c — the URL table: many URL forms, allowed and hostile, against a fixed set
 * of fetch: capabilities, each with the expected decision (egress reuses this matching), plus
 * the parser's canonical forms. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static const char *const MANIFEST =
    "fetch:https://api.example.com/v1\n"
    "fetch:http://example.org\n"
    "fetch:https://*.cdn.net\n"
    "fetch:https://files.example.com:8443/pub\n"
    "fetch:http://127.0.0.1:8080/ok\n"
    "fetch:http://[::1]:9000\n"
    "fetch:https://*.wild.io/a/b\n";

typedef struct url_case {
    const char *url;
    bool allowed;
    const char *reason; /* substring of the reason (NULL = not checked) */
} url_case;

static const url_case cases[] = {
    /* allowed: the plain forms */
    {"https://api.example.com/v1", true, "fetch:https://api.example.com/v1"},
    {"https://api.example.com/v1/", true, NULL},
    {"https://api.example.com/v1/models", true, NULL},
    {"https://api.example.com/v1/a/b/c?x=1&y=2", true, NULL},
    {"https://api.example.com/v1#frag", true, NULL},
    {"https://api.example.com:443/v1/x", true, NULL},
    {"HTTPS://API.EXAMPLE.COM/v1/x", true, NULL},
    {"https://api.example.com./v1/x", true, NULL},
    {"https://api.example.com/v1/./x", true, NULL},
    {"https://api.example.com/v1/x/../y", true, NULL},
    {"https://api.example.com/v1//x", true, NULL},
    {"https://api.example.com//v1/x", true, NULL},
    {"https://api.example.com/%76%31/x", true, NULL}, /* %76%31 = "v1" (unreserved) */
    {"https://api.example.com/v1/%7Euser", true, NULL},
    {"https://api.example.com/v1/a%20b", true, NULL},
    {"http://example.org", true, NULL},
    {"http://example.org/", true, NULL},
    {"http://example.org/anything/at/all", true, NULL},
    {"http://example.org:80/x", true, NULL},
    {"https://a.cdn.net/x", true, "*.cdn.net"},
    {"https://a.b.c.cdn.net/", true, NULL},
    {"https://files.example.com:8443/pub/f.tar", true, NULL},
    {"https://files.example.com:8443/pub", true, NULL},
    {"http://127.0.0.1:8080/ok/x", true, NULL},
    {"http://[::1]:9000/", true, NULL},
    {"http://[0:0:0:0:0:0:0:1]:9000/", true, NULL},
    {"https://x.wild.io/a/b/c", true, NULL},
    /* denied: path boundaries and dot segments */
    {"https://api.example.com/v1X", false, "no fetch"},
    {"https://api.example.com/v10", false, NULL},
    {"https://api.example.com/v", false, NULL},
    {"https://api.example.com/", false, NULL},
    {"https://api.example.com", false, NULL},
    {"https://api.example.com/v1/../admin", false, NULL},
    {"https://api.example.com/v1/../../v1x", false, NULL},
    {"https://api.example.com/v1/..", false, NULL},
    {"https://api.example.com/V1/x", false, NULL},
    {"https://x.wild.io/a/bc", false, NULL},
    {"https://x.wild.io/a", false, NULL},
    /* denied: encoded tricks */
    {"https://api.example.com/v1/%2e%2e/admin", false, "encoded dot"},
    {"https://api.example.com/v1/%2E%2E/admin", false, "encoded dot"},
    {"https://api.example.com/v1/.%2e/admin", false, "encoded dot"},
    {"https://api.example.com/v1/%2e/x", false, "encoded dot"},
    {"https://api.example.com/v1%2fx", false, "encoded \"/\""},
    {"https://api.example.com/v1%2F..%2Fadmin", false, "encoded \"/\""},
    {"https://api.example.com/v1/%5c../admin", false, "encoded \"\\\""},
    {"https://api.example.com/v1/%00", false, "NUL"},
    {"https://api.example.com/v1/%zz", false, "percent-escape"},
    {"https://api.example.com/v1/%4", false, "percent-escape"},
    {"https://api.example.com/v1/x?a=%", false, "percent-escape"},
    /* denied: scheme and port */
    {"http://api.example.com/v1", false, "no fetch"},
    {"https://example.org/", false, NULL},
    {"ftp://example.org/", false, "unsupported scheme"},
    {"file:///etc/passwd", false, NULL},
    {"javascript:alert(1)", false, NULL},
    {"//example.org/", false, NULL},
    {"http:/example.org/", false, NULL},
    {"http:example.org", false, NULL},
    {"https://api.example.com:444/v1", false, "no fetch"},
    {"https://api.example.com:0/v1", false, "port"},
    {"https://api.example.com:65536/v1", false, "port"},
    {"https://api.example.com:99999999999/v1", false, "port"},
    {"https://api.example.com:+443/v1", false, "port"},
    {"https://api.example.com:0443/v1", false, "port"},
    {"https://api.example.com:443x/v1", false, "port"},
    {"https://api.example.com:/v1", false, "empty port"},
    {"https://files.example.com/pub/f", false, "no fetch"},
    /* denied: hosts */
    {"https://evil.com/v1", false, NULL},
    {"https://api.example.com.evil.com/v1", false, NULL},
    {"https://evilapi.example.com/v1", false, NULL},
    {"https://cdn.net/", false, "no fetch"}, /* *.d never matches the bare domain */
    {"https://xcdn.net/", false, NULL},
    {"https://a.cdn.net.evil/", false, NULL},
    {"https://allowed.com@evil.com/", false, "userinfo"},
    {"https://api.example.com@evil.com/v1", false, "userinfo"},
    {"https://user:pw@api.example.com/v1", false, "userinfo"},
    {"https://@api.example.com/v1", false, "userinfo"},
    {"https://api.example.com\\@evil.com/v1", false, "backslash"},
    {"https:\\\\api.example.com\\v1", false, NULL},
    {"https://api.example.com/v1\\..\\admin", false, "backslash"},
    {"https://api.exa mple.com/v1", false, "whitespace"},
    {" https://api.example.com/v1", false, "whitespace"},
    {"https://api.example.com/v1\t", false, "whitespace"},
    {"https://api.example.com/v1\r\nHost: evil", false, "whitespace"},
    {"https://api.example.com\x7f/v1", false, "control"},
    {"https://ex\xc3\xa4mple.org/", false, "non-ASCII"},
    {"https://api.example.com/v1/\xe2\x80\xae", false, "non-ASCII"},
    {"https://%61pi.example.com/v1", false, "percent-encoded host"},
    {"https://api.example.com../v1", false, "empty label"},
    {"https://.api.example.com/v1", false, "empty label"},
    {"https://api..example.com/v1", false, "empty label"},
    {"https:///v1", false, "empty host"},
    {"https://:443/v1", false, "empty host"},
    {"https://*.cdn.net/", false, "wildcard"},
    {"https://*/", false, "wildcard"},
    {"https://-bad.cdn.net/", false, "'-'"},
    {"https://a_b.cdn.net/", true, NULL},
    {"https://a!b.cdn.net/", false, "invalid character"},
    /* denied: numeric IPv4 forms other than a dotted quad */
    {"http://2130706433:8080/ok", false, "dotted-quad"},
    {"http://0x7f.1:8080/ok", false, NULL},
    {"http://0x7f000001:8080/ok", false, NULL},
    {"http://017700000001:8080/ok", false, NULL},
    {"http://127.1:8080/ok", false, "dotted-quad"},
    {"http://127.0.1:8080/ok", false, NULL},
    {"http://0177.0.0.1:8080/ok", false, "zero-padded"},
    {"http://127.0.0.01:8080/ok", false, "zero-padded"},
    {"http://127.0.0.1.:8080/ok", true, NULL}, /* trailing dot stripped: same host */
    {"http://127.0.0.256:8080/ok", false, "range"},
    {"http://1.2.3.4.5:8080/ok", false, "dotted-quad"},
    {"http://127.0.0.0x1:8080/ok", false, NULL},
    {"http://example.123/", false, "dotted-quad"},
    {"http://127.0.0.1:8080/okay", false, "no fetch"},
    {"http://127.0.0.2:8080/ok", false, "no fetch"},
    /* IPv6 */
    {"http://[::1%25eth0]:9000/", false, "zone"},
    {"http://[::1%eth0]:9000/", false, "zone"},
    {"http://[::1:9000/", false, "unterminated"},
    {"http://[::1]x:9000/", false, "junk"},
    {"http://[::ffff:127.0.0.1]:9000/", false, "no fetch"},
    {"http://[:::1]:9000/", false, "IPv6"},
    {"http://[::1]/", false, "no fetch"},
    /* size */
    {"", false, "empty"},
};

Test(policy_url, table)
{
    policy_set *p = policy_new("/w");
    policy_error e;
    cr_assert(policy_parse(p, MANIFEST, &e), "%s", e.message);
    size_t n = sizeof(cases) / sizeof(cases[0]);
    cr_assert(n >= 60);
    size_t nallow = 0, ndeny = 0;
    for (size_t i = 0; i < n; i++) {
        policy_decision d = policy_check_fetch(p, cases[i].url);
        cr_expect_eq(d.allowed, cases[i].allowed, "[%s]: %s (%s)", cases[i].url,
                     d.allowed ? "allowed" : "denied", d.reason);
        if (cases[i].reason)
            cr_expect(strstr(d.reason, cases[i].reason), "[%s]: reason '%s' lacks '%s'",
                      cases[i].url, d.reason, cases[i].reason);
        cr_expect_eq(d.allowed, d.cap != NULL);
        if (cases[i].allowed) nallow++; else ndeny++;
    }
    cr_log_info("%zu URL forms: %zu allowed, %zu denied", n, nallow, ndeny);
    /* a very long URL */
    size_t big = 9000;
    char *u = malloc(big + 1);
    strcpy(u, "https://api.example.com/v1/");
    memset(u + strlen(u), 'a', big - strlen(u));
    u[big] = '\0';
    policy_decision d = policy_check_fetch(p, u);
    cr_assert(!d.allowed && strstr(d.reason, "longer"), "%s", d.reason);
    free(u);
    cr_assert(!policy_check_fetch(p, NULL).allowed);
    policy_free(p);
}

static void canon(const char *in, const char *out)
{
    policy_url u;
    char err[200];
    cr_assert(policy_url_parse(in, false, &u, err, sizeof err), "[%s]: %s", in, err);
    char *f = policy_url_format(&u);
    cr_expect_str_eq(f, out, "[%s] -> [%s] want [%s]", in, f, out);
    free(f);
    policy_url_free(&u);
}

Test(policy_url, canonical_forms)
{
    canon("HTTP://Example.COM.:80/a/./b/../c?q=1#f", "http://example.com/a/c?q=1");
    canon("https://example.com:8443", "https://example.com:8443/");
    canon("https://example.com/%7e%41%2d/%3F%3f", "https://example.com/~A-/%3F%3F");
    canon("https://example.com/a//b///c/", "https://example.com/a/b/c/");
    canon("https://example.com/../../x", "https://example.com/x");
    canon("http://[0:0::1]:8080/", "http://[::1]:8080/");
    canon("http://[2001:DB8::1]/", "http://[2001:db8::1]/");
    canon("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/");
    canon("https://10.0.0.1/x", "https://10.0.0.1/x");
    canon("https://a.b/?", "https://a.b/?");
}

Test(policy_url, wildcard_patterns_and_explicit_hosts)
{
    policy_url u;
    char err[200];
    cr_assert(policy_url_parse("https://*.example.com/api/", true, &u, err, sizeof err));
    cr_assert(u.host_wildcard && !u.host_any);
    cr_assert_str_eq(u.host, "example.com");
    cr_assert_str_eq(u.path_prefix, "/api");
    cr_assert(!policy_url_names_host(&u));
    policy_url_free(&u);
    cr_assert(policy_url_parse("https://*", true, &u, err, sizeof err));
    cr_assert(u.host_any && strcmp(u.path_prefix, "/") == 0);
    policy_url_free(&u);
    cr_assert(!policy_url_parse("https://*.1.2.3", true, &u, err, sizeof err));
    cr_assert(!policy_url_parse("https://*x.com", true, &u, err, sizeof err));
    cr_assert(!policy_url_parse("https://*.", true, &u, err, sizeof err));

    policy_set *p = policy_new("/w");
    policy_error e;
    cr_assert(policy_parse(p, "fetch:https://*\nfetch:http://localhost:8080\n"
                              "fetch:https://api.x.com public", &e), "%s", e.message);
    policy_decision d = policy_check_fetch(p, "http://localhost:8080/x");
    cr_assert(d.allowed && policy_url_names_host(&d.cap->url));
    d = policy_check_fetch(p, "https://anything.example/");
    cr_assert(d.allowed && !policy_url_names_host(&d.cap->url));
    d = policy_check_fetch(p, "https://api.x.com/");
    cr_assert(d.allowed && !policy_url_names_host(&d.cap->url), "%s", d.reason);
    d = policy_check_fetch(p, "https://127.0.0.1/");
    cr_assert(d.allowed && d.cap->url.host_any); /* egress then refuses the loopback address */
    policy_free(p);
}
