/* test_llm_script.c — the script provider: the file format (errors with line numbers),
 * conditional turns reacting to tool results, streaming in deltas, usage, replay of a resumed
 * conversation, scripted failures, cancellation of a sleep, and summary requests. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "llm/llm.h"
#include "util/util.h"

static char path[64];

static llm_provider *load(const char *text, llm_error *e)
{
    strcpy(path, "/tmp/boxagent-script-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    llm_options o = {.type = "script", .model = path};
    llm_provider *p = llm_provider_new(&o, e);
    unlink(path);
    return p;
}

static int ntext;
static void on_ev(void *u, const llm_event *ev)
{
    (void)u;
    if (ev->kind == LLM_EV_TEXT) ntext++;
}

static void add_results(llm_conv *c, const char *text)
{
    llm_message m = {.role = LLM_ASSISTANT};
    llm_msg_add_call(&m, "x", "t", "{}");
    llm_conv_push(c, &m);
    llm_message r = {.role = LLM_TOOL};
    llm_msg_add_result(&r, "x", text, false);
    llm_conv_push(c, &r);
}

Test(script, format_errors_name_the_line)
{
    const char *bad[][2] = {{"say before turn\n", ":1:"},
                            {"turn\ncall read_file {not json\n", ":2:"},
                            {"turn\n\n# c\nfrobnicate\n", ":4:"},
                            {"turn when unquoted\n", ":1:"},
                            {"turn\nusage a b\n", ":2:"},
                            {"turn\nsleep -5\n", ":2:"},
                            {"# only a comment\n", "no turns"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        llm_error e;
        llm_provider *p = load(bad[i][0], &e);
        cr_assert_null(p, "accepted: %s", bad[i][0]);
        cr_assert(strstr(e.message, bad[i][1]), "%s -> %s", bad[i][0], e.message);
    }
    llm_options o = {.type = "script", .model = "/nonexistent/script"};
    llm_error e;
    cr_assert_null(llm_provider_new(&o, &e));
    cr_assert_eq(e.kind, LLM_ERR_CONFIG);
}

Test(script, conditional_turns_follow_tool_results)
{
    llm_error e;
    llm_provider *p = load("turn\nsay start here now\ncall read_file {\"path\":\"a\"}\n"
                           "turn when \"SECRET\"\nsay saw secret\n"
                           "turn unless \"SECRET\"\nsay no secret\nusage 7 3\n"
                           "turn\nfail scripted outage\n", &e);
    cr_assert_not_null(p, "%s", e.message);
    llm_conv c;
    llm_conv_init(&c, "sys");
    llm_conv_add_text(&c, LLM_USER, "go");
    llm_response r;
    llm_request req = {.conv = &c, .on_event = on_ev};
    ntext = 0;
    cr_assert(llm_complete(p, &req, &r, &e));
    cr_assert_gt(ntext, 1, "text should stream in deltas");
    cr_assert_eq(r.msg.nblocks, 2);
    cr_assert_str_eq(r.msg.blocks[0].text, "start here now");
    cr_assert_str_eq(r.msg.blocks[1].args, "{\"path\":\"a\"}");
    cr_assert_eq(r.stop, LLM_STOP_TOOL_USE);
    llm_response_free(&r);
    add_results(&c, "nothing to see");
    cr_assert(llm_complete(p, &req, &r, &e));
    cr_assert_str_eq(r.msg.blocks[0].text, "no secret");
    cr_assert_eq(r.usage.input, 7);
    cr_assert_eq(r.usage.output, 3);
    llm_response_free(&r);
    cr_assert(!llm_complete(p, &req, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_SCRIPT);
    cr_assert(strstr(e.message, "scripted outage"));
    cr_assert(!llm_complete(p, &req, &r, &e));
    cr_assert(strstr(e.message, "no turn left"));
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(script, resumed_conversation_is_replayed)
{
    const char *s = "turn\ncall a {}\nturn when \"X\"\nsay x-branch\ncall b {}\n"
                    "turn\nsay third\n";
    llm_error e;
    llm_provider *p = load(s, &e);
    llm_conv c;
    llm_conv_init(&c, NULL);
    llm_conv_add_text(&c, LLM_USER, "go");
    add_results(&c, "has X"); /* turn 1 answered, result contains X */
    add_results(&c, "y");     /* turn 2 (x-branch) answered */
    llm_response r;
    llm_request req = {.conv = &c};
    cr_assert(llm_complete(p, &req, &r, &e), "%s", e.message);
    cr_assert_str_eq(r.msg.blocks[0].text, "third");
    llm_response_free(&r);
    /* a summary request does not use a turn */
    llm_request sum = {.conv = &c, .purpose = LLM_PURPOSE_SUMMARY};
    cr_assert(llm_complete(p, &sum, &r, &e));
    cr_assert(strstr(r.msg.blocks[0].text, "Summary"));
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(script, cancelled_sleep)
{
    llm_error e;
    llm_provider *p = load("turn\nsleep 60000\nsay late\n", &e);
    llm_conv c;
    llm_conv_init(&c, NULL);
    llm_conv_add_text(&c, LLM_USER, "go");
    atomic_bool cancel = true;
    llm_request req = {.conv = &c, .cancel = &cancel};
    llm_response r;
    cr_assert(!llm_complete(p, &req, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_CANCELLED);
    llm_conv_free(&c);
    llm_provider_free(p);
}
