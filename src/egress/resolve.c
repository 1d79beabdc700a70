/* resolve.c — name resolution for egress, bounded in time (getaddrinfo on a detached thread
 * that cleans up after itself if the caller stops waiting), with every candidate address
 * checked against the blocked ranges before anything connects. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egress/internal.h"
#include "util/util.h"

typedef struct lookup {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *host;
    struct addrinfo *res;
    int rc;
    bool done, abandoned;
} lookup;

static void lookup_free(lookup *l)
{
    if (l->res)
        freeaddrinfo(l->res);
    free(l->host);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l);
}

static void *lookup_thread(void *arg)
{
    lookup *l = arg;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(l->host, NULL, &hints, &res);
    if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY || rc == EAI_NODATA) {
        /* AI_ADDRCONFIG hides everything in a namespace with only loopback; retry without. */
        hints.ai_flags = 0;
        rc = getaddrinfo(l->host, NULL, &hints, &res);
    }
    pthread_mutex_lock(&l->mu);
    l->res = res;
    l->rc = rc;
    l->done = true;
    bool abandoned = l->abandoned;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    if (abandoned)
        lookup_free(l);
    return NULL;
}

void egress_addr_text(const struct sockaddr *sa, char *out, size_t n)
{
    if (!out || !n)
        return;
    out[0] = 0;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
    else
        snprintf(out, n, "(family %d)", sa->sa_family);
}

bool egress_class_allowed(egress_addr_class c, egress_exempt ex)
{
    if (c == EGRESS_ADDR_PUBLIC)
        return true;
    switch (ex) {
    case EGRESS_EXEMPT_LITERAL:
        return true;
    case EGRESS_EXEMPT_LOOPBACK:
        return c == EGRESS_ADDR_LOOPBACK;
    case EGRESS_EXEMPT_NAMED:
        return c == EGRESS_ADDR_LOOPBACK || c == EGRESS_ADDR_PRIVATE;
    case EGRESS_EXEMPT_NONE:
        break;
    }
    return false;
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr *b, bool port)
{
    if (a->sa_family != b->sa_family)
        return false;
    if (a->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_addr.s_addr == y->sin_addr.s_addr && (!port || x->sin_port == y->sin_port);
    }
    if (a->sa_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0 &&
               (!port || x->sin6_port == y->sin6_port);
    }
    return false;
}

bool egress_addrs_contains(const egress_addrs *s, const struct sockaddr *sa)
{
    for (size_t i = 0; i < s->n; i++)
        if (same_addr((const struct sockaddr *)&s->a[i], sa, true))
            return true;
    return false;
}

static const char *exempt_hint(egress_exempt ex)
{
    switch (ex) {
    case EGRESS_EXEMPT_NONE:
        return "only a fetch: capability naming this host or address (not * or *.domain) "
               "may reach it";
    case EGRESS_EXEMPT_LOOPBACK:
        return "a localhost capability reaches loopback addresses only";
    case EGRESS_EXEMPT_NAMED:
        return "link-local, metadata, multicast and unspecified addresses need a capability "
               "naming the IP literally";
    case EGRESS_EXEMPT_LITERAL:
        break;
    }
    return "";
}

bool egress_resolve_checked(const char *host, int port, egress_exempt ex, uint64_t timeout_ms,
                            egress_addrs *out, bool *timed_out, char *why, size_t whylen)
{
    out->n = 0;
    out->port = port;
    *timed_out = false;
    lookup *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    l->host = xstrdup(host);
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &at, lookup_thread, l) != 0) {
        pthread_attr_destroy(&at);
        lookup_free(l);
        snprintf(why, whylen, "cannot start resolver thread");
        return false;
    }
    pthread_attr_destroy(&at);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += (time_t)(timeout_ms / 1000);
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&l->mu);
    while (!l->done) {
        if (pthread_cond_timedwait(&l->cv, &l->mu, &dl) == ETIMEDOUT && !l->done)
            break;
    }
    if (!l->done) {
        l->abandoned = true; /* the thread frees it */
        pthread_mutex_unlock(&l->mu);
        *timed_out = true;
        snprintf(why, whylen, "DNS lookup of %s timed out", host);
        return false;
    }
    pthread_mutex_unlock(&l->mu);
    bool ok = true;
    if (l->rc != 0) {
        snprintf(why, whylen, "DNS lookup of %s failed: %s", host, gai_strerror(l->rc));
        ok = false;
    }
    for (struct addrinfo *ai = l->res; ok && ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        char what[160], txt[INET6_ADDRSTRLEN];
        egress_addr_class c = egress_addr_classify(ai->ai_addr, what, sizeof what);
        egress_addr_text(ai->ai_addr, txt, sizeof txt);
        if (!egress_class_allowed(c, ex)) {
            if (strcmp(host, txt) == 0)
                snprintf(why, whylen, "%s is %s; %s", txt, what, exempt_hint(ex));
            else
                snprintf(why, whylen, "%s resolves to %s, which is %s; %s", host, txt, what,
                         exempt_hint(ex));
            ok = false;
            break;
        }
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        memcpy(&ss, ai->ai_addr, ai->ai_addrlen <= sizeof ss ? ai->ai_addrlen : sizeof ss);
        if (ss.ss_family == AF_INET)
            ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
        else {
            ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
            ((struct sockaddr_in6 *)&ss)->sin6_scope_id = 0;
            ((struct sockaddr_in6 *)&ss)->sin6_flowinfo = 0;
        }
        if (egress_addrs_contains(out, (struct sockaddr *)&ss) || out->n >= EGRESS_MAX_ADDRS)
            continue;
        out->a[out->n++] = ss;
    }
    if (ok && out->n == 0) {
        snprintf(why, whylen, "DNS lookup of %s returned no IP address", host);
        ok = false;
    }
    lookup_free(l);
    if (!ok)
        out->n = 0;
    return ok;
}
