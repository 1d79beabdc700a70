/* test_egress_netns.c — DNS names that resolve to blocked addresses, tested inside a network
 * and mount namespace that the test creates: its own loopback (plus test addresses
 * 11.22.33.44 "public" and 10.20.30.40 "private" on lo) and its own /etc/hosts bind-mounted
 * over the namespace's view. The machine's /etc/hosts and network are never touched.
 * Needs root (CLONE_NEWNET/CLONE_NEWNS); skipped otherwise. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "egress/egress.h"
#include "support/testsrv.h"

static int failures, checks;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
    checks++;
    if (ok)
        return;
    failures++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static bool lo_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    bool ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static int PP; /* port every server listens on (same number on each address) */

static const char *flip_path;
static off_t flip_off;
static atomic_bool flip_stop;

static void *flipper(void *arg)
{
    (void)arg;
    static const char a[] = "11.22.33.44 flip.test\n", b[] = "127.0.0.1   flip.test\n";
    int fd = open(flip_path, O_WRONLY | O_CLOEXEC);
    for (unsigned i = 0; fd >= 0 && !atomic_load(&flip_stop); i++) {
        if (pwrite(fd, i & 1 ? b : a, 22, flip_off) != 22)
            break;
        usleep(300);
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static egress_result get(const char *cap1, const char *cap2, const char *url, char *err,
                         size_t errlen, char *ip, size_t iplen)
{
    policy_set *p = policy_new("/tmp");
    const char *caps[2] = {cap1, cap2};
    for (int i = 0; i < 2; i++) {
        if (!caps[i])
            continue;
        char line[256];
        snprintf(line, sizeof line, caps[i], PP);
        policy_error e;
        if (!policy_add_line(p, line, 1, &e))
            check(false, "cap %s: %s", line, e.message);
    }
    char u[512];
    snprintf(u, sizeof u, url, PP);
    egress_request_opts o = {0};
    o.url = u;
    o.timeout_ms = 5000;
    o.max_redirects = -1;
    egress_response r;
    egress_result res = egress_request(p, &o, &r);
    snprintf(err, errlen, "%s", r.error);
    if (ip)
        snprintf(ip, iplen, "%s", r.primary_ip);
    egress_response_free(&r);
    policy_free(p);
    return res;
}

static void expect(egress_result want, const char *sub, const char *cap1, const char *cap2,
                   const char *url)
{
    char e[512], ip[64];
    egress_result r = get(cap1, cap2, url, e, sizeof e, ip, sizeof ip);
    check(r == want, "%s with %s: got %s (%s), want %s", url, cap1, egress_result_name(r), e,
          egress_result_name(want));
    if (sub && r != EGRESS_OK)
        check(strstr(e, sub) != NULL, "%s: reason \"%s\" lacks \"%s\"", url, e, sub);
}
#define EXPECT(unused, want, sub, cap1, cap2, url) expect(want, sub, cap1, cap2, url)

static int child(void)
{
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        fprintf(stderr, "unshare: %s\n", strerror(errno));
        return 100;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "make-private: %s\n", strerror(errno));
        return 101;
    }
    char hosts[] = "/tmp/egress-hosts-XXXXXX";
    int fd = mkstemp(hosts);
    static const char text[] = "127.0.0.1 localhost-real\n"
                               "127.0.0.1 evil.test rebind.test\n"
                               "11.22.33.44 public.test www.public.test\n"
                               "11.22.33.44 mixed.test\n"
                               "127.0.0.1 mixed.test\n"
                               "10.20.30.40 intranet.test\n"
                               "169.254.169.254 meta.test\n"
                               "10.20.30.40 localhost\n"
                               "11.22.33.44 flip.test\n"; /* last line: rewritten in place */
    if (fd < 0 || write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1)) {
        fprintf(stderr, "hosts file: %s\n", strerror(errno));
        return 102;
    }
    close(fd);
    int mrc = mount(hosts, "/etc/hosts", NULL, MS_BIND, NULL);
    if (mrc != 0) {
        fprintf(stderr, "bind /etc/hosts: %s\n", strerror(errno));
        return 103;
    }
    if (!lo_up() || system("ip addr add 11.22.33.44/32 dev lo && "
                           "ip addr add 10.20.30.40/32 dev lo") != 0) {
        fprintf(stderr, "cannot configure lo in the namespace\n");
        return 104;
    }
    testsrv *lo = testsrv_start("127.0.0.1", 0);
    if (!lo)
        return 105;
    PP = testsrv_port(lo);
    testsrv *pub = testsrv_start("11.22.33.44", PP);
    testsrv *priv = testsrv_start("10.20.30.40", PP);
    if (!pub || !priv)
        return 106;

    /* A name resolving to 127.0.0.1: refused under * and *.test ... */
    EXPECT(0, EGRESS_DENIED, "loopback", "fetch:http://*:%d", NULL, "http://evil.test:%d/hello");
    EXPECT(0, EGRESS_DENIED, "loopback", "fetch:http://*.test:%d", NULL,
           "http://evil.test:%d/hello");
    /* ... allowed when a capability names that host (loopback granted explicitly) */
    EXPECT(0, EGRESS_OK, NULL, "fetch:http://evil.test:%d", NULL, "http://evil.test:%d/hello");
    /* a named grant does not spill over to other names on the same address */
    EXPECT(0, EGRESS_DENIED, "loopback", "fetch:http://evil.test:%d", "fetch:http://*:%d",
           "http://rebind.test:%d/hello");
    /* Public addresses through wildcards work; the bare domain is not a subdomain. */
    {
        char e[512], ip[64];
        egress_result r = get("fetch:http://*:%d", NULL, "http://public.test:%d/hello", e,
                              sizeof e, ip, sizeof ip);
        check(r == EGRESS_OK, "public.test via *: %s (%s)", egress_result_name(r), e);
        check(strcmp(ip, "11.22.33.44") == 0, "public.test connected to %s", ip);
    }
    EXPECT(0, EGRESS_OK, NULL, "fetch:http://*.public.test:%d", NULL,
           "http://www.public.test:%d/hello");
    EXPECT(0, EGRESS_DENIED, "no fetch: capability", "fetch:http://*.public.test:%d", NULL,
           "http://public.test:%d/hello");
    /* Any blocked candidate refuses the name (no "try the public one first" games). */
    EXPECT(0, EGRESS_DENIED, "loopback", "fetch:http://*:%d", NULL, "http://mixed.test:%d/hello");
    /* Private: refused under *, allowed when named. */
    EXPECT(0, EGRESS_DENIED, "RFC 1918", "fetch:http://*:%d", NULL,
           "http://intranet.test:%d/hello");
    EXPECT(0, EGRESS_OK, NULL, "fetch:http://intranet.test:%d", NULL,
           "http://intranet.test:%d/hello");
    EXPECT(0, EGRESS_OK, NULL, "fetch:http://10.20.30.40:%d", NULL,
           "http://10.20.30.40:%d/hello");
    /* A name that does not resolve: a network error, not a crash or a hang. */
    EXPECT(0, EGRESS_NETWORK, "DNS lookup", "fetch:http://*:%d", NULL,
           "http://does-not-exist.invalid:%d/");
    /* Metadata is never reached through a name, even a named one. */
    EXPECT(0, EGRESS_DENIED, "metadata", "fetch:http://meta.test", NULL, "http://meta.test/");
    /* localhost grants loopback only: here localhost resolves to a private address. */
    EXPECT(0, EGRESS_DENIED, "RFC 1918", "fetch:http://localhost:%d", NULL,
           "http://localhost:%d/hello");
    /* A redirect from a public host to a name on loopback is refused at that hop. */
    EXPECT(0, EGRESS_DENIED, "redirect hop 1", "fetch:http://*:%d", NULL,
           "http://public.test:%d/redirect?to=http%%3A%%2F%%2Fevil.test%%2Fhello");
    EXPECT(0, EGRESS_DENIED, "redirect hop 1", "fetch:http://*:%d", NULL,
           "http://public.test:%d/redirect?to=http%%3A%%2F%%2Fintranet.test%%2F");
    /* DNS rebinding: flip.test alternates between a public address and loopback while
     * requests run; egress pins the checked address, so loopback is never reached. The
     * temporary file (never /etc/hosts itself) is rewritten in place. */
    {
        unsigned before = testsrv_hits(lo);
        flip_path = hosts;
        flip_off = (off_t)(sizeof text - 1) - 22;
        atomic_store(&flip_stop, false);
        pthread_t t;
        pthread_create(&t, NULL, flipper, NULL);
        int okc = 0, denied = 0, other = 0;
        for (int i = 0; i < 60; i++) {
            char e[512], ip[64];
            egress_result r = get("fetch:http://*:%d", NULL, "http://flip.test:%d/hello", e,
                                  sizeof e, ip, sizeof ip);
            if (r == EGRESS_OK) {
                okc++;
                check(strcmp(ip, "11.22.33.44") == 0, "rebinding: connected to %s", ip);
            } else if (r == EGRESS_DENIED) {
                denied++;
            } else {
                other++;
            }
        }
        atomic_store(&flip_stop, true);
        pthread_join(t, NULL);
        check(testsrv_hits(lo) == before, "rebinding reached loopback %u times",
              testsrv_hits(lo) - before);
        fprintf(stderr, "rebinding race: %d fetched from the public address, %d refused, "
                        "%d failed lookups\n", okc, denied, other);
    }
    unlink(hosts);
    /* No server on loopback was reached by a refused request. */
    unsigned hits = testsrv_hits(lo);
    check(hits == 1, "loopback server hit %u times (want 1: the named evil.test grant)", hits);
    testsrv_stop(lo);
    testsrv_stop(pub);
    testsrv_stop(priv);
    fprintf(stderr, "namespace child: %d checks, %d failures\n", checks, failures);
    return failures;
}

Test(egress_netns, dns_names_resolving_to_blocked_addresses, .timeout = 60)
{
    if (geteuid() != 0)
        cr_skip_test("needs root for network/mount namespaces");
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0)
        _exit(child());
    int st = 0;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "namespace child died (signal %d)", WTERMSIG(st));
    cr_assert_eq(WEXITSTATUS(st), 0, "namespace child: %d failures (or setup code >= 100)",
                 WEXITSTATUS(st));
}
