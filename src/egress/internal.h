/* internal.h — shared between the egress source files only (not a public API). */
#ifndef BOXAGENT_EGRESS_INTERNAL_H
#define BOXAGENT_EGRESS_INTERNAL_H

#include <curl/curl.h>
#include <netinet/in.h>

#include "egress/egress.h"

#define EGRESS_MAX_ADDRS 16

/* Which blocked classes the capability set lets this URL reach. */
typedef enum egress_exempt {
    EGRESS_EXEMPT_NONE = 0,  /* public addresses only (fetch:*, *.domain) */
    EGRESS_EXEMPT_LITERAL,   /* a capability names this IP literal: any class */
    EGRESS_EXEMPT_LOOPBACK,  /* a capability names localhost: loopback too */
    EGRESS_EXEMPT_NAMED,     /* a capability names the host: loopback and private too */
} egress_exempt;

/* One URL after the screen, the capability check and the CURLU guard. */
typedef struct egress_checked {
    CURLU *cu;              /* what the transfer uses (CURLOPT_CURLU) */
    char *url;              /* canonical text of cu, without fragment */
    char *host;             /* as curl sees it, IPv6 without brackets */
    bool host_is_ip;
    int port;
    char *scheme;           /* "http" / "https" */
    egress_exempt exempt;
    policy_decision decision;
} egress_checked;

/* Screen + policy_check_fetch + CURLU guard + exemption. On refusal returns false with
 * d->allowed = false and d->reason filled. */
bool egress_check_url(const policy_set *caps, const char *url, egress_checked *out);
void egress_checked_free(egress_checked *c);

typedef struct egress_addrs {
    struct sockaddr_storage a[EGRESS_MAX_ADDRS];
    size_t n;
    int port;
} egress_addrs;

/* Resolve host (bounded by timeout_ms) and check every candidate against the blocked ranges
 * with the exemption. Fills out (deduplicated, at most EGRESS_MAX_ADDRS). On refusal returns
 * false with why filled ("127.0.0.1 is loopback (127.0.0.0/8) ..."); *timed_out is set when
 * resolution ran out of time. */
bool egress_resolve_checked(const char *host, int port, egress_exempt ex, uint64_t timeout_ms,
                            egress_addrs *out, bool *timed_out, char *why, size_t whylen);

/* Is this class reachable under the exemption? */
bool egress_class_allowed(egress_addr_class c, egress_exempt ex);

/* Is sa (family, address and port) one of the checked addresses? */
bool egress_addrs_contains(const egress_addrs *s, const struct sockaddr *sa);

/* Numeric text of an address (no port). */
void egress_addr_text(const struct sockaddr *sa, char *out, size_t n);

/* curl_global_init exactly once, thread-safely. */
void egress_curl_init(void);

#endif
