/* wasm_http.c — the `boxagent_http` host import: lets a WebAssembly guest make HTTP(S)
 * requests through egress, under the same capabilities, address rules and limits as host
 * builtins. JSON request in, JSON response (status, headers, body cut to the guest's buffer)
 * out; errno values are WASI's. Every guest pointer and length is bounds-checked before use.
 * See egress.h for the exact contract. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress.h"
#include "util/buf.h"
#include "util/util.h"
#include "wasm/wasm.h"

/* WASI preview1 errno values (the guest's errno numbering). */
enum {
    WERR_OK = 0,
    WERR_2BIG = 1,
    WERR_ACCES = 2,
    WERR_CANCELED = 11,
    WERR_INVAL = 28,
    WERR_IO = 29,
    WERR_LOOP = 32,
    WERR_OVERFLOW = 61,
    WERR_TIMEDOUT = 73,
};

#define DEFAULT_MAX_REQ ((1u << 20) + (64u << 10))

static uint32_t errno_of(egress_result r)
{
    switch (r) {
    case EGRESS_OK: return WERR_OK;
    case EGRESS_DENIED: return WERR_ACCES;
    case EGRESS_BAD_REQUEST: return WERR_INVAL;
    case EGRESS_TIMEOUT: return WERR_TIMEDOUT;
    case EGRESS_NETWORK: return WERR_IO;
    case EGRESS_TOO_MANY_REDIRECTS: return WERR_LOOP;
    case EGRESS_CANCELLED: return WERR_CANCELED;
    }
    return WERR_IO;
}

/* Copy s[0..n) as valid UTF-8, invalid bytes replaced by U+FFFD (jansson needs UTF-8). */
static void utf8_clean(buf *o, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            buf_putc(o, (char)c);
            i++;
            continue;
        }
        size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (s[i + k] & 0xc0) == 0x80;
        if (ok && len == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0)))
            ok = false;
        if (ok && len == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
            ok = false;
        if (ok) {
            buf_append(o, s + i, len);
            i += len;
        } else {
            buf_puts(o, "\xef\xbf\xbd");
            i++;
        }
    }
}

static char *error_doc(const char *msg, const char *kind)
{
    json_t *j = json_pack("{s:s, s:s}", "error", msg, "kind", kind);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

/* The response document with the body cut to `body_len` bytes (on a code-point boundary). */
static char *response_doc(const egress_response *r, json_t *headers, const char *body,
                          size_t body_len, bool truncated)
{
    json_t *j = json_object();
    json_object_set_new(j, "status", json_integer(r->status));
    json_object_set_new(j, "url", json_string(r->final_url ? r->final_url : ""));
    json_object_set(j, "headers", headers);
    json_object_set_new(j, "body", json_stringn(body, body_len));
    json_object_set_new(j, "truncated", json_boolean(truncated));
    json_object_set_new(j, "redirects", json_integer(r->redirects));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static size_t utf8_floor(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

/* Write doc into guest memory if it fits; returns the errno to give the guest. */
static uint32_t put_doc(wasm_memory *mem, uint32_t ptr, uint32_t cap, uint32_t len_ptr,
                        const char *doc, uint32_t err)
{
    size_t n = doc ? strlen(doc) : 0;
    if (!doc || n > cap) {
        uint32_t zero = 0;
        wasm_memory_write(mem, len_ptr, &zero, 4);
        return err == WERR_OK ? WERR_OVERFLOW : err;
    }
    wasm_memory_write(mem, ptr, doc, n);
    uint8_t le[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    wasm_memory_write(mem, len_ptr, le, 4);
    return err;
}

static wasm_trap http_request(wasm_instance *caller, void *user, wasm_slot *slots)
{
    egress_guest_ctx *ctx = user;
    uint32_t req_ptr = (uint32_t)slots[0], req_len = (uint32_t)slots[1];
    uint32_t resp_ptr = (uint32_t)slots[2], resp_cap = (uint32_t)slots[3];
    uint32_t len_ptr = (uint32_t)slots[4];
    wasm_memory *mem = wasm_instance_memory(caller);
    if (!mem) {
        wasm_instance_set_trap_message(caller, "boxagent_http.request: the module has no memory");
        return WASM_TRAP_HOST;
    }
    if (!wasm_memory_ptr(mem, req_ptr, req_len) || !wasm_memory_ptr(mem, resp_ptr, resp_cap) ||
        !wasm_memory_ptr(mem, len_ptr, 4)) {
        wasm_instance_set_trap_message(caller,
                                       "boxagent_http.request: pointer/length outside memory "
                                       "(req %u+%u, resp %u+%u, len %u)",
                                       req_ptr, req_len, resp_ptr, resp_cap, len_ptr);
        return WASM_TRAP_HOST;
    }
    atomic_fetch_add(&ctx->requests, 1);
    size_t max_req = ctx->max_request_bytes ? ctx->max_request_bytes : DEFAULT_MAX_REQ;
    uint32_t err;
    char *doc = NULL;
    if (req_len > max_req) {
        doc = error_doc("request document too large", "bad_request");
        err = put_doc(mem, resp_ptr, resp_cap, len_ptr, doc, WERR_2BIG);
        free(doc);
        slots[0] = err;
        return WASM_OK;
    }
    char *req = xmalloc((size_t)req_len + 1);
    wasm_memory_read(mem, req_ptr, req, req_len);
    req[req_len] = 0;
    json_error_t je;
    json_t *j = json_loadb(req, req_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    free(req);
    const char *bad = NULL;
    json_t *ju = j ? json_object_get(j, "url") : NULL;
    json_t *jm = j ? json_object_get(j, "method") : NULL;
    json_t *jh = j ? json_object_get(j, "headers") : NULL;
    json_t *jb = j ? json_object_get(j, "body") : NULL;
    if (!j || !json_is_object(j))
        bad = "request is not a JSON object";
    else if (!json_is_string(ju) || strlen(json_string_value(ju)) != json_string_length(ju))
        bad = "\"url\" must be a string without NUL";
    else if (jm && (!json_is_string(jm) || strlen(json_string_value(jm)) != json_string_length(jm)))
        bad = "\"method\" must be a string";
    else if (jh && (!json_is_object(jh) || json_object_size(jh) > EGRESS_MAX_HEADERS))
        bad = "\"headers\" must be an object of at most 64 strings";
    else if (jb && !json_is_string(jb))
        bad = "\"body\" must be a string";
    const char **hdrs = NULL;
    size_t nh = 0;
    if (!bad && jh) {
        hdrs = xcalloc(json_object_size(jh) + 1, sizeof *hdrs);
        const char *k;
        json_t *v;
        json_object_foreach(jh, k, v)
        {
            if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
                strchr(k, ':')) {
                bad = "header values must be strings without NUL; names without ':'";
                break;
            }
            hdrs[nh++] = xasprintf("%s: %s", k, json_string_value(v));
        }
    }
    if (bad) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s%s%s", bad, j ? "" : ": ", j ? "" : je.text);
        doc = error_doc(msg, "bad_request");
        err = put_doc(mem, resp_ptr, resp_cap, len_ptr, doc, WERR_INVAL);
        goto out;
    }
    egress_request_opts o = {0};
    o.url = json_string_value(ju);
    o.method = jm ? json_string_value(jm) : NULL;
    o.headers = hdrs;
    o.nheaders = nh;
    o.body = jb ? json_string_value(jb) : NULL;
    o.body_len = jb ? json_string_length(jb) : 0;
    o.timeout_ms = ctx->timeout_ms;
    size_t maxb = ctx->max_response_bytes ? ctx->max_response_bytes : EGRESS_DEFAULT_MAX_RESPONSE;
    o.max_response_bytes = maxb < resp_cap ? maxb : (resp_cap ? resp_cap : 1);
    o.max_redirects = -1;
    o.cancel = ctx->cancel;
    o.on_decision = ctx->on_decision;
    o.decision_ud = ctx->decision_ud;
    egress_response r;
    egress_result res = egress_request(ctx->caps, &o, &r);
    if (res != EGRESS_OK) {
        if (res == EGRESS_DENIED)
            atomic_fetch_add(&ctx->denied, 1);
        doc = error_doc(r.error, egress_result_name(res));
        err = put_doc(mem, resp_ptr, resp_cap, len_ptr, doc, errno_of(res));
        egress_response_free(&r);
        goto out;
    }
    json_t *hobj = json_object();
    for (size_t i = 0; i < r.nheaders; i++) {
        const char *c = strchr(r.headers[i], ':');
        if (!c)
            continue;
        char *name = xstrndup(r.headers[i], (size_t)(c - r.headers[i]));
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        const char *v = c + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        buf vb = BUF_INIT;
        utf8_clean(&vb, (const unsigned char *)v, strlen(v));
        json_t *prev = json_object_get(hobj, name);
        if (json_is_string(prev)) {
            char *joined = xasprintf("%s, %s", json_string_value(prev), vb.data ? vb.data : "");
            json_object_set_new(hobj, name, json_string(joined));
            free(joined);
        } else {
            json_object_set_new(hobj, name, json_string(vb.data ? vb.data : ""));
        }
        buf_free(&vb);
        free(name);
    }
    buf body = BUF_INIT;
    utf8_clean(&body, (const unsigned char *)r.body, r.body_len);
    if (!body.data)
        buf_puts(&body, "");
    size_t blen = body.len;
    doc = response_doc(&r, hobj, body.data, blen, r.truncated);
    if (doc && strlen(doc) > resp_cap) {
        /* Cut the body so the document fits: the room left after the fixed part, counted in
         * escaped bytes (as jansson escapes: \" \\ and \n-style 2 bytes, other controls 6). */
        free(doc);
        doc = NULL;
        char *empty = response_doc(&r, hobj, "", 0, true);
        size_t fixed = empty ? strlen(empty) : SIZE_MAX;
        free(empty);
        if (fixed <= resp_cap) {
            size_t room = resp_cap - fixed, used = 0, cut = 0;
            while (cut < blen) {
                unsigned char c = (unsigned char)body.data[cut];
                size_t w = c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' ||
                                   c == '\b' || c == '\f' ? 2 : c < 0x20 ? 6 : 1;
                size_t cl = 1;
                if (c >= 0x80)
                    while (cut + cl < blen && ((unsigned char)body.data[cut + cl] & 0xc0) == 0x80)
                        cl++;
                if (c >= 0x80)
                    w = cl;
                if (used + w > room)
                    break;
                used += w;
                cut += cl;
            }
            while (!doc) {
                char *d = response_doc(&r, hobj, body.data, cut, true);
                if (d && strlen(d) <= resp_cap)
                    doc = d;
                else {
                    free(d);
                    if (cut == 0)
                        break;
                    cut = utf8_floor(body.data, cut / 2);
                }
            }
        }
        if (!doc) {
            char msg[128];
            snprintf(msg, sizeof msg, "response headers do not fit the %u-byte buffer", resp_cap);
            doc = error_doc(msg, "overflow");
            err = put_doc(mem, resp_ptr, resp_cap, len_ptr, doc, WERR_OVERFLOW);
            buf_free(&body);
            json_decref(hobj);
            egress_response_free(&r);
            goto out;
        }
    }
    err = put_doc(mem, resp_ptr, resp_cap, len_ptr, doc, WERR_OK);
    buf_free(&body);
    json_decref(hobj);
    egress_response_free(&r);
out:
    free(doc);
    for (size_t i = 0; i < nh; i++)
        free((char *)hdrs[i]);
    free(hdrs);
    json_decref(j);
    slots[0] = err;
    return WASM_OK;
}

bool egress_link_wasm(struct wasm_linker *l, egress_guest_ctx *ctx, char *err, size_t errlen)
{
    if (!l || !ctx) {
        snprintf(err, errlen, "egress_link_wasm: no linker or context");
        return false;
    }
    wasm_error we;
    if (!wasm_linker_define_func(l, "boxagent_http", "request", "iiiii:i", http_request, ctx,
                                 &we)) {
        snprintf(err, errlen, "boxagent_http.request: %s", we.message);
        return false;
    }
    return true;
}
