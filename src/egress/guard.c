/* guard.c — decides one URL: screen, capability check (policy_check_fetch), then the
 * host-side guard that re-parses the URL with libcurl's URL API and refuses it unless curl
 * sees the same scheme, host, port and path as the check did. Also works out which blocked
 * address classes the capabilities let this URL reach. */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "egress/internal.h"
#include "util/util.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void egress_curl_init(void)
{
    pthread_once(&curl_once, curl_init_once);
}

static void deny(policy_decision *d, const char *fmt, const char *a, const char *b)
{
    d->allowed = false;
    d->cap = NULL;
    snprintf(d->reason, sizeof d->reason, fmt, a, b ? b : "");
}

/* Host text without IPv6 brackets, lower-case. */
static char *host_norm(const char *h)
{
    size_t n = strlen(h);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    char *s = xstrndup(h, n);
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static bool hosts_equal(const char *a, const char *b)
{
    struct in6_addr x, y;
    if (inet_pton(AF_INET6, a, &x) == 1 && inet_pton(AF_INET6, b, &y) == 1)
        return memcmp(&x, &y, 16) == 0;
    return strcmp(a, b) == 0;
}

/* Which blocked classes the deciding capability lets this URL reach. policy_check_fetch picks
 * the most specific matching capability, so an exact-host grant wins over fetch:*. */
static egress_exempt exemption(const policy_decision *d, const char *host, bool host_is_ip)
{
    if (!d->allowed || !d->cap || d->cap->kind != POLICY_FETCH ||
        !policy_url_names_host(&d->cap->url))
        return EGRESS_EXEMPT_NONE;
    if (host_is_ip)
        return EGRESS_EXEMPT_LITERAL;
    if (strcmp(host, "localhost") == 0)
        return EGRESS_EXEMPT_LOOPBACK;
    return EGRESS_EXEMPT_NAMED;
}

void egress_checked_free(egress_checked *c)
{
    if (!c)
        return;
    if (c->cu)
        curl_url_cleanup(c->cu);
    free(c->url);
    free(c->host);
    free(c->scheme);
    memset(c, 0, sizeof *c);
}

bool egress_check_url(const policy_set *caps, const char *url, egress_checked *out)
{
    memset(out, 0, sizeof *out);
    policy_decision *d = &out->decision;
    char why[256];
    if (!egress_url_screen(url, why, sizeof why)) {
        deny(d, "refused URL form: %s%s", why, NULL);
        return false;
    }
    if (!caps) {
        deny(d, "no capabilities%s%s", "", NULL);
        return false;
    }
    policy_url pu;
    memset(&pu, 0, sizeof pu);
    char perr[200] = "";
    char *canon = NULL;
    if (!policy_url_parse(url, false, &pu, perr, sizeof perr)) {
        deny(d, "refused URL: %s%s", perr, NULL);
        return false;
    }
    /* The canonical form is what is checked and what is connected to. */
    canon = policy_url_format(&pu);
    if (!canon) {
        policy_url_free(&pu);
        deny(d, "refused URL: cannot format it canonically%s%s", "", NULL);
        return false;
    }
    *d = policy_check_fetch(caps, canon);
    if (!d->allowed) {
        free(canon);
        policy_url_free(&pu);
        return false;
    }
    policy_decision allowed = *d;

    /* Host-side guard: curl's parse of the canonical URL against the check's. */
    egress_curl_init();
    CURLU *cu = curl_url();
    char *c_scheme = NULL, *c_host = NULL, *c_port = NULL, *c_path = NULL, *c_url = NULL,
         *c_query = NULL;
    char *hn = NULL, *ph = NULL;
    bool ok = false;
    CURLUcode rc = cu ? curl_url_set(cu, CURLUPART_URL, canon, 0) : CURLUE_OUT_OF_MEMORY;
    if (rc != CURLUE_OK) {
        deny(d, "URL rejected by libcurl: %s%s", curl_url_strerror(rc), NULL);
        goto out;
    }
    if (curl_url_get(cu, CURLUPART_SCHEME, &c_scheme, 0) != CURLUE_OK ||
        curl_url_get(cu, CURLUPART_HOST, &c_host, 0) != CURLUE_OK ||
        curl_url_get(cu, CURLUPART_PORT, &c_port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(cu, CURLUPART_PATH, &c_path, 0) != CURLUE_OK ||
        curl_url_get(cu, CURLUPART_URL, &c_url, 0) != CURLUE_OK) {
        deny(d, "libcurl could not take the URL apart%s%s", "", NULL);
        goto out;
    }
    rc = curl_url_get(cu, CURLUPART_QUERY, &c_query, 0);
    if (rc != CURLUE_OK && rc != CURLUE_NO_QUERY) {
        deny(d, "libcurl could not read the query%s%s", "", NULL);
        goto out;
    }
    hn = host_norm(c_host);
    ph = host_norm(pu.host ? pu.host : "");
    if (!pu.scheme || strcasecmp(c_scheme, pu.scheme) != 0) {
        deny(d, "URL guard: libcurl reads scheme \"%s\" where the check read \"%s\"", c_scheme,
             pu.scheme ? pu.scheme : "(none)");
        goto out;
    }
    if (!hosts_equal(hn, ph)) {
        deny(d, "URL guard: libcurl reads host \"%s\" where the check read \"%s\"", hn, ph);
        goto out;
    }
    if (atoi(c_port) != pu.port) {
        char pb[16];
        snprintf(pb, sizeof pb, "%d", pu.port);
        deny(d, "URL guard: libcurl reads port %s where the check read %s", c_port, pb);
        goto out;
    }
    if (!pu.path_prefix || strcmp(c_path, pu.path_prefix) != 0) {
        deny(d, "URL guard: libcurl reads path \"%s\" where the check read \"%s\"", c_path,
             pu.path_prefix ? pu.path_prefix : "(none)");
        goto out;
    }
    if ((c_query == NULL) != (pu.query == NULL) || (c_query && strcmp(c_query, pu.query) != 0)) {
        deny(d, "URL guard: libcurl reads query \"%s\" where the check read \"%s\"",
             c_query ? c_query : "(none)", pu.query ? pu.query : "(none)");
        goto out;
    }
    out->cu = cu;
    cu = NULL;
    out->url = xstrdup(c_url);
    out->host = hn;
    hn = NULL;
    struct in6_addr a6;
    struct in_addr a4;
    out->host_is_ip = inet_pton(AF_INET, out->host, &a4) == 1 ||
                      inet_pton(AF_INET6, out->host, &a6) == 1;
    out->port = pu.port;
    out->scheme = xstrdup(pu.scheme);
    for (char *s = out->scheme; *s; s++)
        *s = (char)tolower((unsigned char)*s);
    out->exempt = exemption(&allowed, out->host, out->host_is_ip);
    *d = allowed;
    ok = true;
out:
    curl_free(c_scheme);
    curl_free(c_host);
    curl_free(c_port);
    curl_free(c_path);
    curl_free(c_url);
    curl_free(c_query);
    free(hn);
    free(ph);
    free(canon);
    if (cu)
        curl_url_cleanup(cu);
    policy_url_free(&pu);
    return ok;
}
