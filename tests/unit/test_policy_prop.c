/* test_policy_prop.c — property test of attenuation: for thousands of random parent/request
 * manifests (seeded PRNG; POLICY_PROP_SEED overrides the seed), the result of
 * policy_attenuate(parent, request) never allows anything either of them does not: checked
 * semantically with random probe paths (read and write), URLs (allowed, and reachable at
 * private addresses), programs, variables and limits — and policy_is_subset agrees. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "util/buf.h"

static uint64_t rng;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static size_t pick(size_t n) { return (size_t)(next() % n); }
#define PICK(arr) (arr[pick(sizeof(arr) / sizeof(arr[0]))])

static const char *const comps[] = {"a", "b", "src", ".git", ".bashrc", "x", ".profile"};
static const char *const roots[] = {"", "", "", "/etc", "/", "/w", "/w/a", ".."};

static void rand_path(buf *b, int maxdepth)
{
    const char *r = PICK(roots);
    buf_puts(b, *r ? r : ".");
    int d = (int)pick((size_t)maxdepth + 1);
    for (int i = 0; i < d; i++) buf_printf(b, "/%s", PICK(comps));
}

static const char *const schemes[] = {"http", "https"};
static const char *const pat_hosts[] = {"*", "*.ex.com", "*.a.ex.com", "a.ex.com", "b.a.ex.com",
                                        "ex.com", "127.0.0.1", "other.org", "*.other.org"};
static const char *const ports[] = {"", "", ":8080"};
static const char *const pat_paths[] = {"", "", "/api", "/api/v1", "/x"};
static const char *const programs[] = {"make", "cc", "*", "/usr/bin/make"};
static const char *const envs[] = {"HOME", "PATH", "*"};
static const char *const limit_names[] = {"fuel", "memory", "timeout", "output", "stack",
                                          "parallel", "processes", "cpu", "files"};

static policy_set *rand_set(void)
{
    policy_set *p = policy_new("/w");
    buf b = BUF_INIT;
    int n = (int)pick(7);
    for (int i = 0; i < n; i++) {
        buf_clear(&b);
        switch (pick(6)) {
        case 0: buf_puts(&b, "read:"); rand_path(&b, 3); break;
        case 1: buf_puts(&b, "write:"); rand_path(&b, 3); break;
        case 2:
        case 3: {
            const char *h = PICK(pat_hosts);
            buf_printf(&b, "fetch:%s://%s%s%s", PICK(schemes), h, PICK(ports), PICK(pat_paths));
            if (h[0] != '*' && pick(3) == 0) buf_puts(&b, " public");
            break;
        }
        case 4: buf_printf(&b, "exec:%s", PICK(programs)); break;
        default: buf_printf(&b, "env:%s", PICK(envs)); break;
        }
        policy_error e;
        if (!policy_add_line(p, b.data, i + 1, &e))
            cr_assert(strstr(e.message, "never grantable"), "generated [%s]: %s", b.data,
                      e.message);
    }
    for (size_t i = 0; i < sizeof(limit_names) / sizeof(limit_names[0]); i++) {
        if (pick(3) != 0) continue;
        buf_clear(&b);
        buf_printf(&b, "%s=%llu", limit_names[i], (unsigned long long)(1 + pick(1000)));
        policy_error e;
        cr_assert(policy_add_line(p, b.data, 99, &e), "%s", e.message);
    }
    buf_free(&b);
    return p;
}

static const char *const probe_hosts[] = {"a.ex.com", "b.a.ex.com", "c.b.a.ex.com", "ex.com",
                                          "127.0.0.1", "x.other.org", "other.org", "zzz.net"};
static const char *const probe_paths[] = {"/", "/api", "/api/v1/z", "/apix", "/x/y", "/api/v1"};

/* allowed, and allowed by a capability that names the host explicitly (may reach private
 * addresses) */
static void fetch_probe(const policy_set *p, const char *url, bool *allowed, bool *explicit_)
{
    policy_decision d = policy_check_fetch(p, url);
    *allowed = d.allowed;
    *explicit_ = d.allowed && policy_url_names_host(&d.cap->url);
}

static void check_pair(policy_set *par, policy_set *req, unsigned iter)
{
    char *notes = NULL;
    policy_set *res = policy_attenuate(par, req, &notes);
    char *fp = policy_format(par), *fq = policy_format(req), *fr = policy_format(res);
#define CTX "iter %u\nparent:\n%s\nrequest:\n%s\nresult:\n%s\nnotes:\n%s", iter, fp, fq, fr, notes
    cr_assert(policy_is_subset(res, par), "result not a subset of the parent: " CTX);
    cr_assert(policy_is_subset(res, req), "result not a subset of the request: " CTX);
    /* the canonical text of the result parses back to an equivalent set */
    policy_set *back = policy_new("/w");
    policy_error e;
    cr_assert(policy_parse(back, fr, &e), "result text does not parse (%s): " CTX, e.message);
    cr_assert(policy_is_subset(back, res) && policy_is_subset(res, back), "round trip: " CTX);
    policy_free(back);
    buf b = BUF_INIT;
    for (int k = 0; k < 30; k++) {
        buf_clear(&b);
        if (pick(8) == 0) buf_puts(&b, "/w/.boxagent");
        else rand_path(&b, 4);
        for (int acc = POLICY_ACCESS_READ; acc <= POLICY_ACCESS_WRITE; acc++) {
            bool r = policy_check_path(res, b.data, (policy_access)acc).allowed;
            if (!r) continue;
            cr_assert(policy_check_path(par, b.data, (policy_access)acc).allowed,
                      "%s %s allowed by result, not by parent: " CTX,
                      acc == POLICY_ACCESS_WRITE ? "write" : "read", b.data);
            cr_assert(policy_check_path(req, b.data, (policy_access)acc).allowed,
                      "%s %s allowed by result, not by request: " CTX,
                      acc == POLICY_ACCESS_WRITE ? "write" : "read", b.data);
        }
    }
    for (int k = 0; k < 30; k++) {
        buf_clear(&b);
        buf_printf(&b, "%s://%s%s%s", PICK(schemes), PICK(probe_hosts), PICK(ports),
                   PICK(probe_paths));
        bool ra, rx, pa, px, qa, qx;
        fetch_probe(res, b.data, &ra, &rx);
        fetch_probe(par, b.data, &pa, &px);
        fetch_probe(req, b.data, &qa, &qx);
        cr_assert(!ra || (pa && qa), "fetch %s widened: " CTX, b.data);
        cr_assert(!rx || (px && qx), "fetch %s explicit (private addresses) widened: " CTX, b.data);
    }
    for (size_t k = 0; k < sizeof(programs) / sizeof(programs[0]); k++) {
        const char *prog = strcmp(programs[k], "*") == 0 ? "rm" : programs[k];
        if (policy_check_exec(res, prog).allowed)
            cr_assert(policy_check_exec(par, prog).allowed && policy_check_exec(req, prog).allowed,
                      "exec %s widened: " CTX, prog);
    }
    for (size_t k = 0; k < sizeof(envs) / sizeof(envs[0]); k++) {
        const char *name = strcmp(envs[k], "*") == 0 ? "SECRET" : envs[k];
        if (policy_check_env(res, name).allowed)
            cr_assert(policy_check_env(par, name).allowed && policy_check_env(req, name).allowed,
                      "env %s widened: " CTX, name);
    }
    const policy_limits *L = &res->limits, *P = &par->limits, *Q = &req->limits;
#define LIMCHK(h, f)                                                                            \
    cr_assert(!P->h || (L->h && L->f <= P->f), #f " above the parent: " CTX);                   \
    cr_assert(!Q->h || (L->h && L->f <= Q->f), #f " above the request: " CTX);
    LIMCHK(has_fuel, fuel) LIMCHK(has_memory, memory) LIMCHK(has_timeout, timeout_ms)
    LIMCHK(has_output, output) LIMCHK(has_stack, stack) LIMCHK(has_parallel, parallel)
    LIMCHK(has_processes, processes) LIMCHK(has_cpu, cpu_ms) LIMCHK(has_files, files)
#undef LIMCHK
#undef CTX
    buf_free(&b);
    free(fp);
    free(fq);
    free(fr);
    free(notes);
    policy_free(res);
}

Test(policy_prop, attenuate_never_widens, .timeout = 0)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    const char *s = getenv("POLICY_PROP_SEED");
    if (s) seed = strtoull(s, NULL, 0) | 1;
    rng = seed;
    cr_log_info("seed 0x%llx", (unsigned long long)seed);
    unsigned iters = 3000, nonempty = 0;
    for (unsigned i = 0; i < iters; i++) {
        policy_set *par = rand_set(), *req = rand_set();
        check_pair(par, req, i);
        /* attenuating by itself keeps everything */
        policy_set *same = policy_attenuate(par, par, NULL);
        cr_assert(policy_is_subset(par, same) && policy_is_subset(same, par));
        if (same->ncaps) nonempty++;
        policy_free(same);
        policy_free(par);
        policy_free(req);
    }
    cr_assert(nonempty > iters / 2);
}

/* A set made from b's lines: some dropped, some paths made deeper, sometimes an extra line.
 * Often a subset of b, sometimes not. */
static policy_set *derive(const policy_set *b)
{
    policy_set *a = policy_new("/w");
    char *text = policy_format(b);
    int line = 0;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        if (pick(4) == 0) continue;
        char *s = NULL;
        if ((strncmp(l, "read:", 5) == 0 || strncmp(l, "write:", 6) == 0) && pick(2) == 0)
            s = strdup(l), s = realloc(s, strlen(s) + 8), strcat(s, pick(2) ? "/src" : "/.git");
        policy_error e;
        cr_assert(policy_add_line(a, s ? s : l, ++line, &e), "%s", e.message);
        free(s);
    }
    free(text);
    if (pick(4) == 0) {
        policy_set *x = rand_set();
        if (x->ncaps) {
            policy_error e;
            policy_add_line(a, x->caps[0].text, ++line, &e);
        }
        policy_free(x);
    }
    return a;
}

Test(policy_prop, subset_is_sound)
{
    /* policy_is_subset(a, b) must imply: whatever a allows, b allows. */
    rng = 0x1234567887654321ULL;
    unsigned yes = 0;
    for (unsigned i = 0; i < 4000; i++) {
        policy_set *b = rand_set(), *a = derive(b);
        if (policy_is_subset(a, b)) {
            yes++;
            buf pb = BUF_INIT;
            for (int k = 0; k < 30; k++) {
                buf_clear(&pb);
                rand_path(&pb, 4);
                for (int acc = 1; acc <= 2; acc++)
                    if (policy_check_path(a, pb.data, (policy_access)acc).allowed)
                        cr_assert(policy_check_path(b, pb.data, (policy_access)acc).allowed,
                                  "is_subset but %s allowed only by a", pb.data);
                buf_clear(&pb);
                buf_printf(&pb, "%s://%s%s%s", PICK(schemes), PICK(probe_hosts), PICK(ports),
                           PICK(probe_paths));
                bool aa, ax, ba, bx;
                fetch_probe(a, pb.data, &aa, &ax);
                fetch_probe(b, pb.data, &ba, &bx);
                cr_assert(!aa || ba, "is_subset but fetch %s only by a", pb.data);
                cr_assert(!ax || bx, "is_subset but explicit fetch %s only by a", pb.data);
            }
            buf_free(&pb);
        }
        policy_free(a);
        policy_free(b);
    }
    cr_log_info("%u of 4000 random pairs were subsets", yes);
    cr_assert(yes > 500);
}

/* Mutated manifests and URLs (a deterministic mini-fuzzer over seed texts): whatever parses
 * must print canonically, re-parse to an equivalent set, and attenuate soundly; whatever URL
 * parses must format to a canonical URL that re-parses to itself. Nothing may crash. */
static const char *const seeds[] = {
    "read:.\nwrite:src\nread:/etc/ssl::/ssl\nfetch:https://*.x.com/api\nexec:*\nenv:HOME\nfuel=10\n",
    "fetch:https://a.b.c:8443/d/e public\nwrite:.git\nmemory=64M\ntimeout=5s\n",
    "https://api.example.com/v1/a/../b?x=%41#f",
    "http://[::1]:8080/%7e/./x//y",
    "write:./build::/out\nexec:./bin/tool\ncpu=2m\noutput=0\n",
};
static const char alphabet[] = "/.:*@%?#[]\\ \t\nabcXYZ019-_=~:,;!\x01\x7f\xc3\xa4";

Test(policy_prop, mutated_inputs_round_trip, .timeout = 0)
{
    rng = 0xdeadbeefcafef00dULL;
    unsigned parsed = 0, urls = 0;
    for (unsigned i = 0; i < 20000; i++) {
        const char *seed = PICK(seeds);
        size_t n = strlen(seed);
        char s[512];
        memcpy(s, seed, n + 1);
        int muts = 1 + (int)pick(4);
        for (int m = 0; m < muts && n > 1; m++) {
            size_t at = pick(n);
            switch (pick(3)) {
            case 0: s[at] = alphabet[pick(sizeof(alphabet) - 1)]; break; /* replace */
            case 1: memmove(s + at, s + at + 1, n - at); n--; break;      /* delete */
            default:                                                      /* insert */
                if (n + 2 < sizeof s) {
                    memmove(s + at + 1, s + at, n - at + 1);
                    s[at] = alphabet[pick(sizeof(alphabet) - 1)];
                    n++;
                }
            }
        }
        policy_set *p = policy_new("/w");
        policy_error e;
        if (policy_parse(p, s, &e)) {
            parsed++;
            char *f = policy_format(p);
            policy_set *q = policy_new("/w");
            cr_assert(policy_parse(q, f, &e), "[%s] printed as [%s] which fails: %s", s, f,
                      e.message);
            cr_assert(policy_is_subset(p, q) && policy_is_subset(q, p), "[%s] vs [%s]", s, f);
            policy_set *r = policy_attenuate(q, p, NULL);
            cr_assert(policy_is_subset(r, q) && policy_is_subset(r, p));
            policy_free(r);
            policy_free(q);
            free(f);
        } else {
            cr_assert(e.line >= 1 && e.message[0], "[%s]: error without position", s);
        }
        policy_free(p);
        policy_url u, v;
        char err[200];
        if (policy_url_parse(s, false, &u, err, sizeof err)) {
            urls++;
            char *f = policy_url_format(&u);
            cr_assert(policy_url_parse(f, false, &v, err, sizeof err), "[%s] -> [%s]: %s", s, f,
                      err);
            char *g = policy_url_format(&v);
            cr_assert_str_eq(f, g, "[%s] not canonical", s);
            free(f);
            free(g);
            policy_url_free(&u);
            policy_url_free(&v);
        } else {
            cr_assert(err[0]);
        }
    }
    cr_log_info("%u manifests and %u URLs parsed of 20000 mutations", parsed, urls);
    cr_assert(parsed > 1000 && urls > 100);
}
