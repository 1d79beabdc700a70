/* gw_auth.c — the gateway's authentication: a bearer token created at first start (mode 0600
 * in the workspace state directory), browser login that exchanges it for an HttpOnly,
 * SameSite=Strict session cookie, and the Host/Origin checks that keep other sites and DNS
 * rebinding from driving the agent. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway/gw_internal.h"
#include "util/util.h"

#define COOKIE_NAME "boxagent_session"
#define MAX_COOKIES 256

static bool random_hex(char *out, size_t nbytes)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw) return false;
    size_t got = 0;
    while (got < nbytes) {
        ssize_t n = getrandom(raw + got, nbytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return true;
}

/* Constant-time comparison of two NUL-terminated strings of possibly different lengths. */
static bool secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++) diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0 && lb != 0;
}

bool gw_auth_init(gw_server *gw)
{
    char *path = xasprintf("%s/token", gw->state_dir);
    bool ok = false;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        char tok[GW_TOKEN_HEX + 2] = {0};
        ssize_t n = (fstat(fd, &st) == 0) ? read(fd, tok, sizeof tok - 1) : -1;
        close(fd);
        while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r')) tok[--n] = '\0';
        if (n != GW_TOKEN_HEX) {
            fprintf(stderr, "boxagent serve: %s is not a valid token file (delete it to make a new one)\n",
                    path);
        } else if ((st.st_mode & 077) != 0) {
            fprintf(stderr, "boxagent serve: %s is readable by others (mode %o); chmod 600 it\n", path,
                    st.st_mode & 0777);
        } else {
            memcpy(gw->token, tok, GW_TOKEN_HEX + 1);
            ok = true;
        }
    } else if (errno == ENOENT) {
        if (!random_hex(gw->token, GW_TOKEN_HEX / 2)) {
            fprintf(stderr, "boxagent serve: no randomness for the token\n");
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd < 0 || write(fd, gw->token, GW_TOKEN_HEX) != GW_TOKEN_HEX || write(fd, "\n", 1) != 1) {
                fprintf(stderr, "boxagent serve: cannot write %s: %s\n", path, strerror(errno));
            } else {
                ok = true;
            }
            if (fd >= 0) close(fd);
        }
    } else {
        fprintf(stderr, "boxagent serve: cannot open %s: %s\n", path, strerror(errno));
    }
    free(path);
    return ok;
}

void gw_auth_free(gw_server *gw)
{
    for (size_t i = 0; i < gw->ncookies; i++) free(gw->cookies[i]);
    free(gw->cookies);
    gw->cookies = NULL;
    gw->ncookies = 0;
}

static bool cookie_valid(gw_server *gw, const char *value)
{
    bool ok = false;
    pthread_mutex_lock(&gw->lock);
    for (size_t i = 0; i < gw->ncookies && !ok; i++) ok = secret_equal(value, gw->cookies[i]);
    pthread_mutex_unlock(&gw->lock);
    return ok;
}

bool gw_auth_check(gw_request *r)
{
    const char *auth = gw_header(r, "Authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7)) {
        r->via_cookie = false;
        return secret_equal(auth + 7, r->gw->token);
    }
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);
    if (c && cookie_valid(r->gw, c)) {
        r->via_cookie = true;
        return true;
    }
    return false;
}

/* Host header: one of the names this server answers to, with its port. Stops DNS rebinding. */
bool gw_host_ok(const gw_request *r)
{
    const char *h = gw_header(r, "Host");
    if (!h) return false;
    char want[96];
    const char *names[] = {"127.0.0.1", "localhost", "[::1]", r->gw->host};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *n = names[i];
        if (strchr(n, ':') && n[0] != '[') {
            snprintf(want, sizeof want, "[%s]:%u", n, r->gw->port);
        } else {
            snprintf(want, sizeof want, "%s:%u", n, r->gw->port);
        }
        if (!strcasecmp(h, want)) return true;
    }
    return false;
}

/* Origin: a browser request must come from http://<the Host it was sent to>. A cookie-
 * authenticated request without Origin is refused (browsers send it on every POST and on
 * cross-origin GETs); bearer clients (scripts) may omit it, but a wrong one is refused. */
bool gw_origin_ok(const gw_request *r)
{
    const char *origin = gw_header(r, "Origin");
    const char *host = gw_header(r, "Host");
    if (!origin) {
        const char *auth = gw_header(r, "Authorization");
        if (auth && !strncasecmp(auth, "Bearer ", 7)) return true;
        const char *site = gw_header(r, "Sec-Fetch-Site");
        if (site) return !strcmp(site, "same-origin");
        /* No Origin and no fetch metadata: only a non-browser client without a cookie. */
        return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME) == NULL;
    }
    if (!host) return false;
    char want[160];
    snprintf(want, sizeof want, "http://%s", host);
    return !strcasecmp(origin, want);
}

gw_reply gw_login(gw_request *r)
{
    gw_reply err;
    json_t *j = gw_body_object(r, &err);
    if (!j) return err;
    const char *tok = json_string_value(json_object_get(j, "token"));
    bool ok = tok && secret_equal(tok, r->gw->token);
    json_decref(j);
    if (!ok) {
        usleep(200 * 1000); /* slow down guessing */
        return gw_error(401, "bad_token", "the token is not valid");
    }
    char sid[65];
    if (!random_hex(sid, 32)) return gw_error(500, "internal", "no randomness");
    pthread_mutex_lock(&r->gw->lock);
    if (r->gw->ncookies == MAX_COOKIES) { /* forget the oldest */
        free(r->gw->cookies[0]);
        memmove(r->gw->cookies, r->gw->cookies + 1, (MAX_COOKIES - 1) * sizeof(char *));
        r->gw->ncookies--;
    }
    r->gw->cookies = xrealloc(r->gw->cookies, (r->gw->ncookies + 1) * sizeof(char *));
    r->gw->cookies[r->gw->ncookies++] = xstrdup(sid);
    pthread_mutex_unlock(&r->gw->lock);
    gw_reply rep = gw_json(200, json_pack("{s:b}", "authenticated", 1));
    rep.owned_cookie = xasprintf(COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=604800", sid);
    return rep;
}

gw_reply gw_logout(gw_request *r)
{
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);
    if (c) {
        pthread_mutex_lock(&r->gw->lock);
        for (size_t i = 0; i < r->gw->ncookies; i++) {
            if (secret_equal(c, r->gw->cookies[i])) {
                free(r->gw->cookies[i]);
                r->gw->cookies[i] = r->gw->cookies[--r->gw->ncookies];
                break;
            }
        }
        pthread_mutex_unlock(&r->gw->lock);
    }
    gw_reply rep = gw_json(200, json_pack("{s:b}", "authenticated", 0));
    rep.set_cookie = COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    return rep;
}
