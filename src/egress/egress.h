/* egress.h — boxagent's only outbound network path for tools: HTTP(S) under `fetch:`
 * capabilities, the `boxagent_http` host import for WebAssembly guests, and the `web_fetch`
 * tool runner.
 *
 * Every request, and every redirect hop, goes through these steps, in order:
 *   1. URL screen (egress_url_screen): refuse surprising forms before anything else —
 *      userinfo, percent-encoded or non-ASCII (IDNA) hosts, trailing dots, decimal/octal/hex
 *      or shortened IPv4 literals, IPv6 zone ids, backslashes, control characters,
 *      whitespace, encoded dots/slashes/NUL in the path, non-http(s) schemes.
 *   2. Capability check: the URL is canonicalised (policy_url_parse + policy_url_format) and
 *      that canonical URL is decided by policy_check_fetch. Denied -> no DNS lookup, no
 *      connection.
 *   3. Host-side guard: the canonical URL is parsed again by libcurl's URL API (CURLU); its
 *      scheme, host, port, path and query must equal the check's parse, else the request is
 *      refused. That CURLU handle is what the transfer uses (CURLOPT_CURLU).
 *   4. Resolution by egress (getaddrinfo); EVERY candidate address is checked against the
 *      blocked ranges (egress_addr_classify). Any blocked candidate refuses the request unless
 *      a capability names the host literally (see "Blocked ranges" below).
 *   5. The transfer is pinned to the checked addresses (CURLOPT_RESOLVE), and the address
 *      libcurl actually opens a socket to is checked again in CURLOPT_OPENSOCKETFUNCTION
 *      (must be one of the pinned, checked addresses), so DNS cannot rebind in between.
 *   6. libcurl never follows redirects (CURLOPT_FOLLOWLOCATION off); egress resolves each
 *      Location against the current URL and starts again at step 1 for the new URL, naming
 *      the hop in any refusal. On a cross-origin hop Authorization/Cookie headers are dropped.
 * libcurl is restricted to http and https, never reads proxy environment variables (a proxy
 * is used only when opts->proxy is set), keeps no cookies, reads no .netrc, reuses no
 * connection across hops. Methods CONNECT/TRACE/TRACK are refused.
 *
 * Blocked ranges (egress_addr_classify): loopback 127/8 ::1; RFC 1918; RFC 4193 fc00::/7;
 * link-local 169.254/16 fe80::/10 (cloud metadata 169.254.169.254, fd00:ec2::254); CGNAT
 * 100.64/10; multicast 224/4 ff00::/8; unspecified 0.0.0.0 ::; "this network" 0/8; reserved
 * 240/4 and broadcast; 192.0.0/24, 198.18/15; site-local fec0::/10; discard 100::/64; and the
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d), NAT64
 * (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16) and Teredo (2001::/32) forms of blocked
 * IPv4 addresses.
 *
 * Who may reach a blocked address (decided per request, from the capability set):
 *   - `fetch:*` and `fetch:...*.domain` capabilities NEVER reach a blocked address.
 *   - A capability whose host is an IP literal (fetch:http://127.0.0.1:8080,
 *     fetch:http://[::1]:9000) reaches exactly that address.
 *   - A capability naming `localhost` reaches loopback addresses only (whatever localhost
 *     resolves to must be loopback).
 *   - A capability naming any other host exactly (fetch:http://intranet.corp) reaches the
 *     loopback and private addresses that host resolves to, but not link-local, cloud
 *     metadata, multicast or unspecified ones, which need an IP-literal capability.
 *   An exact host that attenuation narrowed from a wildcard ("... public", see
 *   policy_url_names_host) counts as a wildcard. The deciding capability is the most
 *   specific one policy_check_fetch finds, and it must itself allow the URL.
 *
 * Audit: opts->on_decision is called once per checked URL (the first request and every
 * redirect hop), allowed or denied, with the decision that settled it — including denials
 * made after DNS (blocked address); a refusal at socket time adds a second, denied call
 * for that URL. Requests refused as malformed before any URL check (EGRESS_BAD_REQUEST) are
 * not reported. The tool layer wires it to the audit log (src/tools/egress_runner.c).
 *
 * Thread safety: egress_request may run on several threads at once.
 */
#ifndef BOXAGENT_EGRESS_H
#define BOXAGENT_EGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "policy/policy.h"

/* Defaults when an option is 0 (or < 0 for max_redirects). */
#define EGRESS_DEFAULT_TIMEOUT_MS 30000u
#define EGRESS_DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define EGRESS_DEFAULT_MAX_RESPONSE (10u << 20)  /* body bytes kept */
#define EGRESS_DEFAULT_MAX_REQUEST_BODY (1u << 20)
#define EGRESS_DEFAULT_MAX_REDIRECTS 10
#define EGRESS_MAX_URL 8192
#define EGRESS_MAX_HEADERS 64            /* request headers */
#define EGRESS_MAX_RESPONSE_HEADERS 256  /* response header lines kept */
#define EGRESS_MAX_HEADER_BYTES (64u << 10)

typedef void (*egress_decision_fn)(void *ud, const char *url, const policy_decision *d);

typedef struct egress_request_opts {
    const char *method;             /* NULL = "GET"; an HTTP token, upper-case letters only */
    const char *url;                /* absolute http:// or https:// URL */
    const char *const *headers;     /* "Name: value" lines; Host, Content-Length,
                                       Transfer-Encoding, Connection are refused */
    size_t nheaders;
    const void *body;               /* may be NULL */
    size_t body_len;
    size_t max_request_body;        /* 0 = EGRESS_DEFAULT_MAX_REQUEST_BODY */
    uint64_t timeout_ms;            /* total, all hops included; 0 = default */
    uint64_t connect_timeout_ms;    /* per connection; 0 = default */
    size_t max_response_bytes;      /* body bytes kept; the rest is cut (truncated=true) */
    int max_redirects;              /* < 0 = default (10); 0 = return the 3xx as is */
    const char *proxy;              /* NULL/"" = no proxy; the environment (http_proxy,
                                       no_proxy, ...) is never read. A configured proxy
                                       (http|https|socks5h://host:port) is trusted: it is the
                                       only address connected to, and is not range-checked;
                                       targets are still checked (capabilities, and address
                                       rules on egress's own resolution of the target host) */
    const atomic_bool *cancel;      /* may be NULL; stops the transfer when set */
    egress_decision_fn on_decision; /* may be NULL; see "Audit" above */
    void *decision_ud;
} egress_request_opts;

typedef enum egress_result {
    EGRESS_OK = 0,
    EGRESS_DENIED,         /* capability, URL screen or address rule refused it */
    EGRESS_BAD_REQUEST,    /* malformed options (method, headers, body too large, ...) */
    EGRESS_TIMEOUT,        /* total or connect time limit */
    EGRESS_NETWORK,        /* DNS failure, connection refused, protocol error */
    EGRESS_TOO_MANY_REDIRECTS,
    EGRESS_CANCELLED,
} egress_result;

typedef struct egress_response {
    egress_result result;
    long status;              /* HTTP status of the last response (0 if none) */
    char *final_url;          /* URL of the last response (or of the refused hop) */
    char *content_type;       /* Content-Type header of the last response, or NULL */
    char **headers;           /* "Name: value" lines of the last response */
    size_t nheaders;
    char *body;               /* NUL-terminated (extra byte); may hold NULs */
    size_t body_len;
    bool truncated;           /* body cut at max_response_bytes */
    int redirects;            /* hops followed */
    char primary_ip[64];      /* address actually connected to for the last response */
    char error[512];          /* why, when result != EGRESS_OK ("hop 2 (http://x/): ...") */
} egress_response;

/* Perform one request (following redirects). Always fills *resp (free with
 * egress_response_free) and returns resp->result. */
egress_result egress_request(const policy_set *caps, const egress_request_opts *opts,
                             egress_response *resp);
void egress_response_free(egress_response *resp);
const char *egress_result_name(egress_result r);

/* Step 1 alone: false + reason if `url` has a form egress refuses. */
bool egress_url_screen(const char *url, char *why, size_t whylen);

/* Address classes. */
typedef enum egress_addr_class {
    EGRESS_ADDR_PUBLIC = 0,
    EGRESS_ADDR_LOOPBACK,
    EGRESS_ADDR_PRIVATE,      /* RFC 1918, RFC 4193, CGNAT, reserved, site-local */
    EGRESS_ADDR_LINK_LOCAL,
    EGRESS_ADDR_METADATA,     /* 169.254.169.254, fd00:ec2::254 */
    EGRESS_ADDR_MULTICAST,
    EGRESS_ADDR_UNSPECIFIED,  /* 0.0.0.0/8, ::, broadcast */
} egress_addr_class;

/* Classify an AF_INET/AF_INET6 socket address (embedded IPv4 forms are unwrapped). `what`
 * (may be NULL) receives a short description like "loopback (127.0.0.0/8)". Unknown
 * families classify as EGRESS_ADDR_UNSPECIFIED (blocked). */
egress_addr_class egress_addr_classify(const struct sockaddr *sa, char *what, size_t whatlen);
/* Same for a numeric address string ("127.0.0.1", "::ffff:10.0.0.1"); false if not numeric. */
bool egress_addr_classify_str(const char *ip, egress_addr_class *cls, char *what,
                              size_t whatlen);

/* ---------------------------------------------------------------- WebAssembly host import */

struct wasm_linker;

/* Context of one guest: the capabilities and limits its requests run under. Borrowed; must
 * outlive the instances linked with it. */
typedef struct egress_guest_ctx {
    const policy_set *caps;
    uint64_t timeout_ms;            /* per request; 0 = default */
    size_t max_response_bytes;      /* 0 = default; the guest's buffer caps it further */
    size_t max_request_bytes;       /* serialised request JSON cap; 0 = 1 MiB + 64 KiB */
    const atomic_bool *cancel;
    egress_decision_fn on_decision;
    void *decision_ud;
    _Atomic unsigned requests;      /* counters, for resource reports */
    _Atomic unsigned denied;
} egress_guest_ctx;

/* Define module "boxagent_http" in `l`:
 *
 *   request(req_ptr: i32, req_len: i32, resp_ptr: i32, resp_cap: i32, resp_len_ptr: i32)
 *       -> i32 errno
 *
 * req is UTF-8 JSON: {"method":"GET","url":"https://...","headers":{"Name":"value",...},
 *                     "body":"text"}  (method, headers, body optional).
 * On return 0, resp_ptr holds JSON (exactly *resp_len_ptr bytes, u32 little-endian):
 *   {"status":200,"url":"final url","headers":{"name":"value",...},"body":"...",
 *    "truncated":false,"redirects":0}
 *   with the body cut (on a UTF-8 boundary, invalid bytes replaced by U+FFFD) so that the
 *   whole document fits resp_cap; "truncated" is then true.
 * On a refusal or failure the function returns a WASI errno (the guest's own numbering) and,
 * when the buffer allows, writes {"error":"...","kind":"denied"|"timeout"|"network"|
 * "bad_request"|"too_many_redirects"|"cancelled"|"overflow"}:
 *   0 success; 2 EACCES denied by capabilities/address rules; 28 EINVAL malformed request
 *   (JSON, method, headers, body); 1 E2BIG request document over max_request_bytes;
 *   73 ETIMEDOUT; 29 EIO network failure; 32 ELOOP too many redirects; 11 ECANCELED;
 *   61 EOVERFLOW resp_cap too small even for status and headers (*resp_len_ptr = 0 when not
 *   even the error document fits).
 * Guest pointers and lengths are bounds-checked; a range outside memory traps the guest
 * (WASM_TRAP_HOST) rather than reading or writing host memory. */
bool egress_link_wasm(struct wasm_linker *l, egress_guest_ctx *ctx, char *err, size_t errlen);

/* ---------------------------------------------------------------- web_fetch tool */

extern const char egress_web_fetch_name[];        /* "web_fetch" */
extern const char egress_web_fetch_description[];
extern const char egress_web_fetch_schema[];       /* JSON Schema of the arguments */
/* Permission level: read. Results are external content. */

typedef struct egress_tool_result {
    char *output;            /* malloc'd text for the model (or the error message) */
    bool is_error;
    bool denied;             /* refused by capabilities / address rules */
    bool truncated;          /* cut at max_chars or the byte limit */
    bool is_external;        /* always true when content was fetched */
    char reason[320];        /* the capability that allowed it, or why it was refused */
} egress_tool_result;

/* Run web_fetch with `args_json` ({"url":..., "max_chars":N, "extract":"text"|"markdown"|
 * "raw"}). `timeout_ms`/`max_output` come from the agent's limits (0 = defaults). Fills
 * *out (free output with free()). */
void egress_web_fetch_run(const policy_set *caps, const char *args_json, uint64_t timeout_ms,
                          size_t max_output, const atomic_bool *cancel,
                          egress_decision_fn on_decision, void *decision_ud,
                          egress_tool_result *out);

/* ---------------------------------------------------------------- HTML conversion */

typedef enum egress_html_mode {
    EGRESS_HTML_TEXT = 0,
    EGRESS_HTML_MARKDOWN,
} egress_html_mode;

/* Convert an HTML document to readable text or Markdown: headings, links, lists, pre/code
 * blocks, paragraphs, blockquotes, tables (rows as lines); script/style/noscript/template/
 * head content dropped; character references decoded. Never fails on malformed input.
 * Returns malloc'd NUL-terminated text. `base_url` (may be NULL) is not used to rewrite
 * links. */
char *egress_html_to_text(const char *html, size_t len, egress_html_mode mode);

#endif
