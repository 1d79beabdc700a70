/* test_egress_webfetch.c — the web_fetch tool against a real loopback server: text, HTML as
 * Markdown/text/raw, JSON pretty-printed, binary refused, truncation, refusals and bad
 * arguments, and its registration data. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress.h"
#include "support/testsrv.h"

static testsrv *srv;
static policy_set *caps;
static int P;

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
}

static void teardown(void)
{
    policy_free(caps);
    testsrv_stop(srv);
}

TestSuite(web_fetch, .init = setup, .fini = teardown, .timeout = 60);

static int ndec;
static void on_dec(void *ud, const char *url, const policy_decision *d)
{
    (void)ud, (void)url, (void)d;
    ndec++;
}

static egress_tool_result run(const char *fmt_args)
{
    char args[1024];
    snprintf(args, sizeof args, fmt_args, P);
    egress_tool_result r;
    ndec = 0;
    egress_web_fetch_run(caps, args, 5000, 0, NULL, on_dec, NULL, &r);
    return r;
}

Test(web_fetch, plain_text)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/hello\"}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(r.is_external);
    cr_expect(strstr(r.output, "hello world\n"), "%s", r.output);
    cr_expect(strstr(r.output, "external content"), "%s", r.output);
    cr_expect(strstr(r.reason, "allowed by fetch:http://127.0.0.1"), "%s", r.reason);
    cr_expect_eq(ndec, 1);
    free(r.output);
}

Test(web_fetch, html_as_markdown_text_and_raw)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/html\"}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(strstr(r.output, "# Title & more"), "%s", r.output);
    cr_expect(strstr(r.output, "\nTitle: T\n"), "%s", r.output);
    cr_expect(strstr(r.output, "- [two](/two)"), "%s", r.output);
    cr_expect(strstr(r.output, "```\nx = 1;"), "%s", r.output);
    cr_expect_null(strstr(r.output, "secret"), "%s", r.output);
    cr_expect_null(strstr(r.output, "NOSCRIPT"), "%s", r.output);
    cr_expect_null(strstr(r.output, "color:red"), "%s", r.output);
    free(r.output);
    r = run("{\"url\":\"http://127.0.0.1:%d/html\",\"extract\":\"text\"}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(strstr(r.output, "Title & more\n"), "%s", r.output);
    cr_expect_null(strstr(r.output, "# Title"), "%s", r.output);
    cr_expect_null(strstr(r.output, "secret"), "%s", r.output);
    free(r.output);
    r = run("{\"url\":\"http://127.0.0.1:%d/html\",\"extract\":\"raw\"}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(strstr(r.output, "<script>var secret = 1;</script>"), "%s", r.output);
    free(r.output);
}

Test(web_fetch, json_pretty_printed)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/json\"}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(strstr(r.output, "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null,\n    \"x\"\n  ]\n}"),
              "%s", r.output);
    free(r.output);
}

Test(web_fetch, meta_charset_latin1)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/latin1\"}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(strstr(r.output, "caf\xc3\xa9"), "%s", r.output);
    free(r.output);
}

Test(web_fetch, binary_refused)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/bin\"}");
    cr_expect(r.is_error);
    cr_expect(strstr(r.output, "binary content"), "%s", r.output);
    cr_expect(strstr(r.output, "application/octet-stream"), "%s", r.output);
    free(r.output);
}

Test(web_fetch, max_chars_truncates)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/text?n=5000\",\"max_chars\":100}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(r.truncated);
    cr_expect(strstr(r.output, "[truncated: 100 of 5000 characters shown"), "%s", r.output);
    cr_expect(strstr(r.output, "xxxxxxxxxx"));
    cr_expect_null(strstr(r.output, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    free(r.output);
}

Test(web_fetch, endless_stream_cut)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/stream\",\"max_chars\":10}");
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(r.truncated);
    cr_expect(strstr(r.output, "[response body cut at"), "%s", r.output);
    free(r.output);
}

Test(web_fetch, refused_and_failed)
{
    egress_tool_result r = run("{\"url\":\"http://127.0.0.1:%d/redirect?to=http%%3A%%2F%%2F169.254.169.254%%2F\"}");
    cr_expect(r.is_error);
    cr_expect(r.denied);
    cr_expect(strstr(r.output, "redirect hop 1"), "%s", r.output);
    cr_expect(strstr(r.reason, "169.254.169.254") || strstr(r.reason, "no fetch"), "%s", r.reason);
    cr_expect_eq(ndec, 2);
    free(r.output);
    r = run("{\"url\":\"http://user@127.0.0.1:%d/hello\"}");
    cr_expect(r.denied);
    cr_expect(strstr(r.output, "userinfo"), "%s", r.output);
    free(r.output);
    r = run("{\"url\":\"http://127.0.0.1:%d/status/404\"}");
    cr_expect(r.is_error);
    cr_expect_not(r.denied);
    cr_expect(strstr(r.output, "Status: 404"), "%s", r.output);
    free(r.output);
}

Test(web_fetch, bad_arguments)
{
    const char *bad[] = {
        "", "[]", "{\"url\":1}", "{}", "{\"url\":\"\"}", "{\"url\":\"http://x/\",\"extra\":1}",
        "{\"url\":\"http://x/\",\"max_chars\":0}", "{\"url\":\"http://x/\",\"max_chars\":\"5\"}",
        "{\"url\":\"http://x/\",\"extract\":\"pdf\"}", "{\"url\":\"http://x/\",\"url\":\"http://y/\"}",
        "{\"url\":\"http://127.0.0.1/\\u0000x\"}", "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        egress_tool_result r;
        egress_web_fetch_run(caps, bad[i], 1000, 0, NULL, NULL, NULL, &r);
        cr_expect(r.is_error, "%s", bad[i]);
        cr_expect_not(r.is_external, "%s", bad[i]);
        free(r.output);
    }
    egress_tool_result r;
    egress_web_fetch_run(caps, NULL, 1000, 0, NULL, NULL, NULL, &r);
    cr_expect(r.is_error);
    free(r.output);
    cr_expect_eq(testsrv_hits(srv), 0);
}

Test(web_fetch, output_limit)
{
    char args[128];
    snprintf(args, sizeof args, "{\"url\":\"http://127.0.0.1:%d/text?n=5000\",\"max_chars\":5000}", P);
    egress_tool_result r;
    egress_web_fetch_run(caps, args, 5000, 300, NULL, NULL, NULL, &r);
    cr_assert_not(r.is_error, "%s", r.output);
    cr_expect(strlen(r.output) < 400, "%zu", strlen(r.output));
    cr_expect(strstr(r.output, "[output limit reached]"));
    free(r.output);
}

Test(web_fetch, registration_data)
{
    cr_expect_str_eq(egress_web_fetch_name, "web_fetch");
    json_error_t e;
    json_t *s = json_loads(egress_web_fetch_schema, 0, &e);
    cr_assert(s, "schema is not JSON: %s", e.text);
    cr_expect(json_is_object(json_object_get(s, "properties")));
    cr_expect(json_is_false(json_object_get(s, "additionalProperties")));
    json_decref(s);
    cr_expect(strlen(egress_web_fetch_description) > 50);
}
