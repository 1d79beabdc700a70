/* gw_internal.h — types shared by the gateway's files: the server, one request, replies. */
#ifndef BOXAGENT_GW_INTERNAL_H
#define BOXAGENT_GW_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define GW_MAX_BODY (1024 * 1024)    /* request bodies above this are refused with 413 */
#define GW_TOKEN_HEX 64

typedef struct gw_live gw_live; /* live sessions and their turns (gw_live.c) */

typedef struct gw_server {
    char *workspace;
    char *state_dir;            /* <workspace>/.boxagent */
    char *host;
    unsigned port;
    char *web_dir;              /* NULL = embedded assets */
    char token[GW_TOKEN_HEX + 1];
    pthread_mutex_t lock;       /* guards cookies */
    char **cookies;             /* valid browser session ids */
    size_t ncookies;
    gw_live *live;
    volatile int shutting_down;
} gw_server;

typedef struct gw_request {
    gw_server *gw;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;           /* without the query string */
    buf body;
    bool body_too_big;
    bool via_cookie;            /* authenticated by the browser cookie (not a bearer token) */
} gw_request;

/* A reply: either JSON, a prepared response, or (status, error). */
typedef struct gw_reply {
    unsigned status;
    json_t *json;               /* owned; serialised as the body */
    struct MHD_Response *resp;  /* used as is when non-NULL */
    const char *set_cookie;     /* extra Set-Cookie header (static or owned by caller until sent) */
    char *owned_cookie;
} gw_reply;

/* Replies. */
gw_reply gw_json(unsigned status, json_t *j);
gw_reply gw_error(unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Request helpers. */
const char *gw_header(const gw_request *r, const char *name);
const char *gw_query(const gw_request *r, const char *name);
/* Parse the body as a JSON object; on failure returns NULL and fills *err with a 400 reply. */
json_t *gw_body_object(const gw_request *r, gw_reply *err);
/* Ids in paths: [A-Za-z0-9_-]{1,64}. */
bool gw_valid_id(const char *s);

/* Auth (gw_auth.c). */
bool gw_auth_init(gw_server *gw); /* read or create the token (0600) */
bool gw_auth_check(gw_request *r);                 /* bearer token or session cookie */
bool gw_origin_ok(const gw_request *r);            /* Origin (if sent or required) matches Host */
bool gw_host_ok(const gw_request *r);              /* Host header names this server */
gw_reply gw_login(gw_request *r);
gw_reply gw_logout(gw_request *r);
void gw_auth_free(gw_server *gw);

/* Static files (gw_static.c). */
gw_reply gw_static(const gw_request *r);

/* API (gw_api_*.c). Each returns a reply for paths under /api/v1 it owns, or status 0. */
gw_reply gw_api_sessions(gw_request *r, const char *rest);
gw_reply gw_api_agents(gw_request *r, const char *rest);
gw_reply gw_api_audit(gw_request *r, const char *rest);
gw_reply gw_api_usage(gw_request *r);

#endif
