/* test_egress_wasm.c — the boxagent_http host import, driven by a real WebAssembly module (a
 * hand-assembled one that forwards its export "call" to the import) against a loopback
 * server: allowed and denied requests, response cut to the guest buffer, malformed requests,
 * and guest pointers outside memory (trap, never a host read/write). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress.h"
#include "support/testsrv.h"
#include "wasm/wasm.h"

/* (module
 *   (import "boxagent_http" "request" (func (param i32 i32 i32 i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (func (export "call") (param i32 i32 i32 i32 i32) (result i32)
 *     local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 call 0)) */
static const uint8_t mod_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x0a, 0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
    0x02, 0x19, 0x01, 0x0d, 'b', 'o', 'x', 'a', 'g', 'e', 'n', 't', '_', 'h', 't', 't', 'p',
    0x07, 'r', 'e', 'q', 'u', 'e', 's', 't', 0x00, 0x00,
    0x03, 0x02, 0x01, 0x00,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x11, 0x02, 0x04, 'c', 'a', 'l', 'l', 0x00, 0x01,
    0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
    0x0a, 0x10, 0x01, 0x0e, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x20, 0x04,
    0x10, 0x00, 0x0b,
};

static testsrv *srv;
static int P;
static policy_set *caps;
static egress_guest_ctx gctx;
static wasm_module *mod;
static wasm_linker *lk;
static wasm_instance *inst;
static int ndec;

static void on_dec(void *ud, const char *url, const policy_decision *d)
{
    (void)ud, (void)url, (void)d;
    ndec++;
}

static void setup(void)
{
    srv = testsrv_start("127.0.0.1", 0);
    cr_assert(srv);
    P = testsrv_port(srv);
    caps = policy_new("/tmp");
    char line[128];
    snprintf(line, sizeof line, "fetch:http://127.0.0.1:%d", P);
    policy_error e;
    cr_assert(policy_add_line(caps, line, 1, &e), "%s", e.message);
    memset(&gctx, 0, sizeof gctx);
    gctx.caps = caps;
    gctx.timeout_ms = 5000;
    gctx.on_decision = on_dec;
    wasm_error we;
    mod = wasm_module_compile(mod_bytes, sizeof mod_bytes, NULL, &we);
    cr_assert(mod, "compile: %s", we.message);
    lk = wasm_linker_new();
    char err[256];
    cr_assert(egress_link_wasm(lk, &gctx, err, sizeof err), "%s", err);
    inst = wasm_instantiate(mod, lk, NULL, &we);
    cr_assert(inst, "instantiate: %s", we.message);
}

static void teardown(void)
{
    wasm_instance_free(inst);
    wasm_linker_free(lk);
    wasm_module_free(mod);
    policy_free(caps);
    testsrv_stop(srv);
}

TestSuite(egress_wasm, .init = setup, .fini = teardown, .timeout = 60);

#define REQ_AT 1024u
#define RESP_AT 16384u
#define LEN_AT 512u

/* Call the guest with a request document; returns the errno, response in *doc (malloc'd). */
static uint32_t call(const char *req, uint32_t req_ptr, uint32_t req_len, uint32_t resp_cap,
                     uint32_t len_ptr, wasm_trap *trap, char **doc)
{
    wasm_memory *m = wasm_instance_memory(inst);
    if (req)
        cr_assert(wasm_memory_write(m, REQ_AT, req, strlen(req)));
    wasm_value args[5] = {
        {.type = WASM_I32, .of.i32 = req_ptr}, {.type = WASM_I32, .of.i32 = req_len},
        {.type = WASM_I32, .of.i32 = RESP_AT}, {.type = WASM_I32, .of.i32 = resp_cap},
        {.type = WASM_I32, .of.i32 = len_ptr},
    };
    wasm_value res = {.type = WASM_I32};
    uint32_t zero = 0xffffffffu;
    wasm_memory_write(m, LEN_AT, &zero, 4);
    *trap = wasm_call(inst, wasm_instance_export_func(inst, "call"), args, 5, &res, 1);
    *doc = NULL;
    if (*trap != WASM_OK)
        return 0xffffffffu;
    uint8_t le[4];
    cr_assert(wasm_memory_read(m, LEN_AT, le, 4));
    uint32_t n = (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
    if (n <= resp_cap && n > 0) {
        *doc = calloc(1, n + 1);
        cr_assert(wasm_memory_read(m, RESP_AT, *doc, n));
    }
    return res.of.i32;
}

static uint32_t simple(const char *fmt, uint32_t cap, char **doc)
{
    char req[2048];
    snprintf(req, sizeof req, fmt, P);
    wasm_trap t;
    uint32_t e = call(req, REQ_AT, (uint32_t)strlen(req), cap, LEN_AT, &t, doc);
    cr_assert_eq(t, WASM_OK, "trap: %s", wasm_instance_trap_message(inst));
    return e;
}

Test(egress_wasm, allowed_get)
{
    char *doc;
    uint32_t e = simple("{\"url\":\"http://127.0.0.1:%d/hello\"}", 4096, &doc);
    cr_assert_eq(e, 0, "errno %u: %s", e, doc ? doc : "");
    json_error_t je;
    json_t *j = json_loads(doc, 0, &je);
    cr_assert(j, "%s", doc);
    cr_expect_eq(json_integer_value(json_object_get(j, "status")), 200);
    cr_expect_str_eq(json_string_value(json_object_get(j, "body")), "hello world\n");
    cr_expect(json_is_false(json_object_get(j, "truncated")));
    cr_expect(strstr(json_string_value(json_object_get(json_object_get(j, "headers"),
                                                       "content-type")), "text/plain"));
    cr_expect_eq(ndec, 1);
    cr_expect_eq(atomic_load(&gctx.requests), 1);
    json_decref(j);
    free(doc);
}

Test(egress_wasm, post_with_headers_and_body)
{
    char *doc;
    uint32_t e = simple("{\"url\":\"http://127.0.0.1:%d/echo\",\"method\":\"POST\","
                        "\"headers\":{\"X-Guest\":\"1\"},\"body\":\"from guest\"}", 8192, &doc);
    cr_assert_eq(e, 0, "errno %u: %s", e, doc ? doc : "");
    json_t *j = json_loads(doc, 0, NULL);
    const char *body = json_string_value(json_object_get(j, "body"));
    cr_expect(strstr(body, "POST /echo"), "%s", body);
    cr_expect(strstr(body, "X-Guest: 1"), "%s", body);
    cr_expect(strstr(body, "from guest"), "%s", body);
    json_decref(j);
    free(doc);
}

Test(egress_wasm, denied_by_capabilities)
{
    char *doc;
    uint32_t e = simple("{\"url\":\"http://127.0.0.1:%d/redirect?to=http%%3A%%2F%%2F10.0.0.1%%2F\"}",
                        4096, &doc);
    cr_expect_eq(e, 2 /* WASI EACCES */);
    cr_assert(doc);
    cr_expect(strstr(doc, "\"kind\":\"denied\""), "%s", doc);
    cr_expect(strstr(doc, "redirect hop 1"), "%s", doc);
    cr_expect_eq(atomic_load(&gctx.denied), 1);
    free(doc);
    e = simple("{\"url\":\"http://169.254.169.254/latest/meta-data/\"}", 4096, &doc);
    cr_expect_eq(e, 2);
    free(doc);
    e = simple("{\"url\":\"file:///etc/passwd\"}", 4096, &doc);
    cr_expect_eq(e, 2);
    free(doc);
    cr_expect_eq(testsrv_hits(srv), 1);
}

Test(egress_wasm, body_cut_to_guest_buffer)
{
    char *doc;
    uint32_t e = simple("{\"url\":\"http://127.0.0.1:%d/text?n=50000\"}", 1000, &doc);
    cr_assert_eq(e, 0, "errno %u", e);
    cr_assert(doc);
    cr_expect_leq(strlen(doc), 1000);
    cr_expect_geq(strlen(doc), 900, "buffer poorly used: %zu", strlen(doc));
    json_t *j = json_loads(doc, 0, NULL);
    cr_assert(j, "%s", doc);
    cr_expect(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);
    free(doc);
    /* endless stream: cut, not hung */
    e = simple("{\"url\":\"http://127.0.0.1:%d/stream\"}", 3000, &doc);
    cr_assert_eq(e, 0, "errno %u", e);
    cr_expect_leq(strlen(doc), 3000);
    free(doc);
    /* binary bytes are carried as valid JSON */
    e = simple("{\"url\":\"http://127.0.0.1:%d/bin\"}", 3000, &doc);
    cr_assert_eq(e, 0, "errno %u", e);
    json_t *b = json_loads(doc, JSON_ALLOW_NUL, NULL);
    cr_expect(b, "%s", doc);
    json_decref(b);
    free(doc);
    /* a buffer too small for anything */
    e = simple("{\"url\":\"http://127.0.0.1:%d/hello\"}", 10, &doc);
    cr_expect_eq(e, 61 /* WASI EOVERFLOW */);
    free(doc);
}

Test(egress_wasm, malformed_requests)
{
    const char *bad[] = {
        "not json", "[1]", "{}", "{\"url\":5}", "{\"url\":\"http://x/\",\"headers\":[]}",
        "{\"url\":\"http://x/\",\"headers\":{\"a\":1}}", "{\"url\":\"http://x/\",\"body\":3}",
        "{\"url\":\"http://x/\",\"method\":7}", "{\"url\":\"http://x/\\u0000y\"}",
        "{\"url\":\"http://x/\",\"url\":\"http://y/\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *doc;
        wasm_trap t;
        uint32_t e = call(bad[i], REQ_AT, (uint32_t)strlen(bad[i]), 4096, LEN_AT, &t, &doc);
        cr_expect_eq(t, WASM_OK);
        cr_expect_eq(e, 28 /* WASI EINVAL */, "%s -> %u", bad[i], e);
        cr_expect(doc && strstr(doc, "bad_request"), "%s", bad[i]);
        free(doc);
    }
    char *doc;
    uint32_t e = simple("{\"url\":\"http://127.0.0.1:%d/hello\",\"headers\":{\"Host\":\"evil\"}}",
                        4096, &doc);
    cr_expect_eq(e, 28);
    free(doc);
    cr_expect_eq(testsrv_hits(srv), 0);
}

Test(egress_wasm, guest_pointers_outside_memory_trap)
{
    const char *req = "{\"url\":\"http://127.0.0.1:1/\"}";
    uint32_t n = (uint32_t)strlen(req);
    struct {
        uint32_t rp, rl, cap, lp;
    } cases[] = {
        {65536 - 4, n, 100, LEN_AT},      /* request runs off the end */
        {0xffffffffu, 2, 100, LEN_AT},    /* wrap-around */
        {REQ_AT, 0xfffffff0u, 100, LEN_AT},
        {REQ_AT, n, 65536, LEN_AT},       /* response buffer past the end */
        {REQ_AT, n, 0xffffffffu, LEN_AT},
        {REQ_AT, n, 100, 65534},          /* length word straddles the end */
        {REQ_AT, n, 100, 0xfffffffeu},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *doc;
        wasm_trap t;
        call(req, cases[i].rp, cases[i].rl, cases[i].cap, cases[i].lp, &t, &doc);
        cr_expect_eq(t, WASM_TRAP_HOST, "case %zu: trap %d", i, t);
        cr_expect(strstr(wasm_instance_trap_message(inst), "outside memory"), "case %zu: %s", i,
                  wasm_instance_trap_message(inst));
        free(doc);
    }
    cr_expect_eq(atomic_load(&gctx.requests), 0);
}
