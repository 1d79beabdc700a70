/* test_llm.c — the OpenAI-compatible and Anthropic providers against a fake provider server on
 * loopback speaking the real wire formats, streamed and not: text, single and parallel tool
 * calls, arguments split across many chunks, UTF-8 split across chunks, usage, errors
 * mid-stream, 429 with retry-after, 5xx retries, a stalled stream, a truncated stream,
 * malformed JSON, auth errors that must not leak the key, cancellation from another thread. */
#include <criterion/criterion.h>
#include <stdatomic.h>

#include "fakellm.h"
#include "llm/llm.h"
#include "llm/llm_internal.h"

static fakellm F; /* global: requests stay reachable for the leak checker */

typedef struct events {
    char text[4096];
    int ntext, nstart, nargs, nend, nmsgend;
} events;

static void on_ev(void *u, const llm_event *ev)
{
    events *e = u;
    switch (ev->kind) {
    case LLM_EV_TEXT:
        strncat(e->text, ev->text, ev->len < sizeof e->text - strlen(e->text) - 1
                                       ? ev->len
                                       : sizeof e->text - strlen(e->text) - 1);
        e->ntext++;
        break;
    case LLM_EV_TOOL_START: e->nstart++; break;
    case LLM_EV_TOOL_ARGS: e->nargs++; break;
    case LLM_EV_TOOL_END: e->nend++; break;
    case LLM_EV_MESSAGE_END: e->nmsgend++; break;
    }
}

static llm_provider *mk(const char *type, const char *key, int retries)
{
    cr_assert(fakellm_start(&F));
    char url[64];
    fakellm_url(&F, url, sizeof url);
    llm_options o = {.type = type, .model = "test-model", .base_url = url, .api_key = key,
                     .max_retries = retries, .retry_base_ms = 1, .retry_cap_ms = 50,
                     .stall_timeout_ms = 400, .connect_timeout_ms = 2000};
    llm_error e;
    llm_provider *p = llm_provider_new(&o, &e);
    cr_assert_not_null(p, "%s", e.message);
    return p;
}

static bool run(llm_provider *p, llm_conv *c, events *ev, llm_response *r, llm_error *e)
{
    json_error_t je;
    json_t *tools = json_loads("[{\"name\":\"read_file\",\"description\":\"Read a file\","
                               "\"parameters\":{\"type\":\"object\"}}]", 0, &je);
    llm_request req = {.conv = c, .tools = tools, .on_event = on_ev, .user = ev};
    bool ok = llm_complete(p, &req, r, e);
    json_decref(tools);
    return ok;
}

static void conv_basic(llm_conv *c)
{
    llm_conv_init(c, "be brief");
    llm_conv_add_text(c, LLM_USER, "hi");
}

#define OA(json) "data: " json "\n\n"

Test(openai, streamed_text_usage_and_request_shape)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        OA("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}"),
        OA("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}"),
        ": keep-alive comment\n\n",
        OA("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"),
        OA("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,"
           "\"prompt_tokens_details\":{\"cached_tokens\":4}}}"),
        "data: [DONE]\n\n", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "sk-test-KEY", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_str_eq(ev.text, "Hello");
    cr_assert_eq(ev.nmsgend, 1);
    cr_assert_eq(r.stop, LLM_STOP_END);
    cr_assert_eq(r.usage.input, 12);
    cr_assert_eq(r.usage.output, 3);
    cr_assert_eq(r.usage.cached, 4);
    cr_assert_eq(r.msg.nblocks, 1);
    cr_assert_str_eq(r.msg.blocks[0].text, "Hello");
    cr_assert_str_eq(F.req[0].path, "/v1/chat/completions");
    cr_assert(strstr(F.req[0].headers, "Authorization: Bearer sk-test-KEY"));
    json_error_t je;
    json_t *b = json_loads(F.req[0].body, 0, &je);
    cr_assert_not_null(b);
    cr_assert(json_is_true(json_object_get(b, "stream")));
    cr_assert(json_is_true(json_object_get(json_object_get(b, "stream_options"), "include_usage")));
    json_t *m0 = json_array_get(json_object_get(b, "messages"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(m0, "role")), "system");
    json_t *t0 = json_array_get(json_object_get(b, "tools"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(t0, "type")), "function");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(t0, "function"), "name")),
                     "read_file");
    json_decref(b);
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, parallel_tool_calls_args_split_across_many_chunks)
{
    static char chunks[200][160];
    fakellm_resp *rp = &F.resp[0];
    *rp = (fakellm_resp){0};
    int n = 0;
    snprintf(chunks[n], 160, OA("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c0\","
                                "\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":\"\"}}]}}]}"));
    rp->chunks[n] = chunks[n], n++;
    snprintf(chunks[n], 160, OA("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"c1\","
                                "\"type\":\"function\",\"function\":{\"name\":\"list_dir\",\"arguments\":\"\"}}]}}]}"));
    rp->chunks[n] = chunks[n], n++;
    const char *a0 = "{\\\"path\\\":\\\"notes.txt\\\"}", *a1 = "{\\\"path\\\":\\\".\\\"}";
    /* one escaped character per chunk, alternating between the two calls */
    for (size_t i = 0, j = 0; a0[i] || a1[j];) {
        char piece[8] = "";
        const char **src[2] = {&a0, &a1};
        size_t *pos[2] = {&i, &j};
        for (int k = 0; k < 2; k++) {
            const char *s = *src[k];
            size_t *p = pos[k];
            if (!s[*p]) continue;
            size_t l = s[*p] == '\\' ? 2 : 1;
            memcpy(piece, s + *p, l);
            piece[l] = 0;
            *p += l;
            snprintf(chunks[n], 160,
                     OA("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":%d,\"function\":{"
                        "\"arguments\":\"%s\"}}]}}]}"),
                     k, piece);
            rp->chunks[n] = chunks[n], n++;
        }
    }
    rp->chunks[n++] = OA("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
    rp->chunks[n++] = "data: [DONE]\n\n";
    rp->chunks[n] = NULL;
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_eq(r.stop, LLM_STOP_TOOL_USE);
    cr_assert_eq(r.msg.nblocks, 2);
    cr_assert_str_eq(r.msg.blocks[0].id, "c0");
    cr_assert_str_eq(r.msg.blocks[0].name, "read_file");
    cr_assert_str_eq(r.msg.blocks[0].args, "{\"path\":\"notes.txt\"}");
    cr_assert_str_eq(r.msg.blocks[1].id, "c1");
    cr_assert_str_eq(r.msg.blocks[1].name, "list_dir");
    cr_assert_str_eq(r.msg.blocks[1].args, "{\"path\":\".\"}");
    cr_assert_eq(ev.nstart, 2);
    cr_assert_eq(ev.nend, 2);
    cr_assert_gt(ev.nargs, 20);
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, utf8_split_across_chunk_boundaries)
{
    F.resp[0] = (fakellm_resp){.bytewise = true, .chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"h\xc3\xa9llo \xf0\x9f\x98\x80 \"}}]}"),
        "data: {\"choices\":[{\"delta\":{\"content\":\"\xe6\x97\xa5\xe6\x9c\xac \\u00e9\"},"
        "\"finish_reason\":\"stop\"}]}\r\n\r\n",
        "data: [DONE]\r\n\r\n", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_str_eq(r.msg.blocks[0].text, "h\xc3\xa9llo \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac \xc3\xa9");
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, non_streamed_response_with_tool_call)
{
    F.resp[0] = (fakellm_resp){.content_type = "application/json", .chunks = {
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{"
        "\"role\":\"assistant\",\"content\":\"Reading.\",\"tool_calls\":[{\"id\":\"call_9\","
        "\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":"
        "\"{\\\"path\\\":\\\"a\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
        "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_eq(r.msg.nblocks, 2);
    cr_assert_str_eq(r.msg.blocks[0].text, "Reading.");
    cr_assert_str_eq(r.msg.blocks[1].id, "call_9");
    cr_assert_str_eq(r.msg.blocks[1].args, "{\"path\":\"a\"}");
    cr_assert_eq(r.usage.output, 7);
    cr_assert_eq(r.stop, LLM_STOP_TOOL_USE);
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, tool_history_is_sent_in_wire_format)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"),
        "data: [DONE]\n\n", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    llm_message m = {.role = LLM_ASSISTANT};
    llm_msg_add_call(&m, "c1", "read_file", "{\"path\":\"x\"}");
    llm_conv_push(&c, &m);
    llm_message t = {.role = LLM_TOOL};
    llm_msg_add_result(&t, "c1", "denied", true);
    llm_conv_push(&c, &t);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    json_error_t je;
    json_t *b = json_loads(F.req[0].body, 0, &je);
    json_t *msgs = json_object_get(b, "messages");
    cr_assert_eq(json_array_size(msgs), 4);
    json_t *as = json_array_get(msgs, 2), *tl = json_array_get(msgs, 3);
    cr_assert(json_is_null(json_object_get(as, "content")));
    json_t *tc = json_array_get(json_object_get(as, "tool_calls"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(tc, "id")), "c1");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(tc, "function"), "arguments")),
                     "{\"path\":\"x\"}");
    cr_assert_str_eq(json_string_value(json_object_get(tl, "role")), "tool");
    cr_assert_str_eq(json_string_value(json_object_get(tl, "tool_call_id")), "c1");
    json_decref(b);
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, rate_limited_429_then_success_honours_retry_after)
{
    F.resp[0] = (fakellm_resp){.status = 429, .content_type = "application/json",
                               .headers = "Retry-After: 0\r\n",
                               .chunks = {"{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}", NULL}};
    F.resp[1] = (fakellm_resp){.status = 429, .content_type = "application/json",
                               .headers = "retry-after: 3600\r\n", /* capped at retry_cap_ms */
                               .chunks = {"{\"error\":{\"message\":\"slow down\"}}", NULL}};
    F.resp[2] = (fakellm_resp){.chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"),
        "data: [DONE]\n\n", NULL}};
    F.nresp = 3;
    llm_provider *p = mk("openai", "k", 3);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_eq(F.served, 3);
    cr_assert_str_eq(ev.text, "ok");
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, server_errors_retried_then_reported)
{
    for (int i = 0; i < 3; i++)
        F.resp[i] = (fakellm_resp){.status = 503, .content_type = "application/json",
                                   .chunks = {"{\"error\":{\"message\":\"down\"}}", NULL}};
    F.nresp = 3;
    llm_provider *p = mk("openai", "k", 2);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_OVERLOADED);
    cr_assert_eq(e.attempts, 3);
    cr_assert_eq(e.http_status, 503);
    cr_assert(strstr(e.message, "down"));
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, bad_key_401_is_clear_and_never_shows_the_key)
{
    F.resp[0] = (fakellm_resp){.status = 401, .content_type = "application/json", .chunks = {
        "{\"error\":{\"message\":\"Incorrect API key provided: sk-live-SECRET0123456789. You can "
        "find your API key at https://example\",\"type\":\"invalid_request_error\","
        "\"code\":\"invalid_api_key\"}}", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "sk-live-SECRET0123456789", 3);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_AUTH);
    cr_assert_eq(e.attempts, 1, "4xx must not be retried");
    cr_assert(strstr(e.message, "OPENAI_API_KEY"), "%s", e.message);
    cr_assert_null(strstr(e.message, "SECRET"), "key leaked: %s", e.message);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, unknown_model_and_context_too_long)
{
    F.resp[0] = (fakellm_resp){.status = 404, .content_type = "application/json", .chunks = {
        "{\"error\":{\"message\":\"The model `nope` does not exist\",\"code\":\"model_not_found\"}}", NULL}};
    F.resp[1] = (fakellm_resp){.status = 400, .content_type = "application/json", .chunks = {
        "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\","
        "\"code\":\"context_length_exceeded\"}}", NULL}};
    F.nresp = 2;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_NOT_FOUND);
    cr_assert(strstr(e.message, "does not exist"));
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_CONTEXT, "%s", e.message);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, truncated_stream_is_an_error)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"partial\"}}]}"), NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 2);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_PROTOCOL);
    cr_assert_eq(e.attempts, 1, "text was delivered: no retry (no duplicate events)");
    cr_assert(strstr(e.message, "ended before"));
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, malformed_json_event_is_an_error)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"),
        "data: {\"choices\":[{\"delta\":{\"content\":\"b\"\n\n", "data: [DONE]\n\n", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_PROTOCOL);
    cr_assert(strstr(e.message, "malformed JSON"));
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, error_object_mid_stream)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"),
        OA("{\"error\":{\"message\":\"upstream exploded\",\"type\":\"server_error\"}}"), NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert(strstr(e.message, "upstream exploded"), "%s", e.message);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, stalled_stream_times_out)
{
    F.resp[0] = (fakellm_resp){.stall_after = 1, .stall_ms = 4000, .chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"),
        "data: [DONE]\n\n", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_STALLED, "%s", e.message);
    llm_conv_free(&c);
    llm_provider_free(p);
}

static atomic_bool cancel_flag;
static void *canceller(void *u)
{
    (void)u;
    fakellm_sleep_ms(150);
    atomic_store(&cancel_flag, true);
    return NULL;
}

Test(openai, cancelled_from_another_thread)
{
    F.resp[0] = (fakellm_resp){.stall_after = 1, .stall_ms = 4000, .chunks = {
        OA("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"), "data: [DONE]\n\n", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    /* a long stall timeout so that only the cancellation can end it */
    llm_provider_free(p);
    char url[64];
    fakellm_url(&F, url, sizeof url);
    llm_options o = {.type = "openai", .model = "m", .base_url = url, .stall_timeout_ms = 60000};
    llm_error e;
    p = llm_provider_new(&o, &e);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    pthread_t th;
    pthread_create(&th, NULL, canceller, NULL);
    llm_request req = {.conv = &c, .on_event = on_ev, .user = &ev, .cancel = &cancel_flag};
    cr_assert(!llm_complete(p, &req, &r, &e));
    pthread_join(th, NULL);
    cr_assert_eq(e.kind, LLM_ERR_CANCELLED, "%s", e.message);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(openai, connection_refused_is_a_network_error)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd); /* the port is now (almost certainly) closed */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    llm_options o = {.type = "openai", .model = "m", .base_url = url, .max_retries = 2,
                     .retry_base_ms = 1};
    llm_error e;
    llm_provider *p = llm_provider_new(&o, &e);
    llm_conv c;
    conv_basic(&c);
    llm_response r;
    llm_request req = {.conv = &c};
    cr_assert(!llm_complete(p, &req, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_NETWORK);
    cr_assert_eq(e.attempts, 3);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(provider, missing_key_names_the_variable_not_a_value)
{
    unsetenv("OPENAI_API_KEY");
    unsetenv("OPENAI_BASE_URL");
    llm_options o = {.type = "openai", .model = "gpt-4.1"};
    llm_error e;
    cr_assert_null(llm_provider_new(&o, &e));
    cr_assert(strstr(e.message, "OPENAI_API_KEY"));
    o.type = "nonsense";
    cr_assert_null(llm_provider_new(&o, &e));
    char *pv, *m;
    cr_assert(llm_split_model("script/dir/file.txt", &pv, &m));
    cr_assert_str_eq(pv, "script");
    cr_assert_str_eq(m, "dir/file.txt");
    free(pv);
    free(m);
    cr_assert(!llm_split_model("noslash", &pv, &m));
    cr_assert(!llm_split_model("/x", &pv, &m));
    char *u = llm_join_url("http://h/v1/", "/v1/chat/completions");
    cr_assert_str_eq(u, "http://h/v1/chat/completions");
    free(u);
}

#define AN(type, json) "event: " type "\ndata: " json "\n\n"

Test(anthropic, streamed_text_and_tool_use_with_input_json_delta)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        AN("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"role\":\"assistant\","
           "\"content\":[],\"usage\":{\"input_tokens\":25,\"output_tokens\":1,\"cache_read_input_tokens\":10}}}"),
        AN("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
        AN("ping", "{\"type\":\"ping\"}"),
        AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me \"}}"),
        AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"look.\"}}"),
        AN("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
        AN("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"read_file\",\"input\":{}}}"),
        AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}"),
        AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"pa\"}}"),
        AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"th\\\": \\\"a.txt\\\"}\"}}"),
        AN("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"),
        AN("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":42}}"),
        AN("message_stop", "{\"type\":\"message_stop\"}"), NULL}};
    F.nresp = 1;
    llm_provider *p = mk("anthropic", "sk-ant-KEY", 0);
    llm_conv c;
    conv_basic(&c);
    llm_message m = {.role = LLM_ASSISTANT};
    llm_msg_add_call(&m, "toolu_0", "list_dir", "{}");
    llm_conv_push(&c, &m);
    llm_message t = {.role = LLM_TOOL};
    llm_msg_add_result(&t, "toolu_0", "a.txt", false);
    llm_conv_push(&c, &t);
    llm_conv_add_text(&c, LLM_USER, "and now?");
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_str_eq(ev.text, "Let me look.");
    cr_assert_eq(r.msg.nblocks, 2);
    cr_assert_str_eq(r.msg.blocks[1].id, "toolu_1");
    cr_assert_str_eq(r.msg.blocks[1].args, "{\"path\": \"a.txt\"}");
    cr_assert_eq(r.stop, LLM_STOP_TOOL_USE);
    cr_assert_eq(r.usage.input, 35, "input includes the cache read");
    cr_assert_eq(r.usage.output, 42);
    cr_assert_eq(r.usage.cached, 10);
    cr_assert_str_eq(F.req[0].path, "/v1/messages");
    cr_assert(strstr(F.req[0].headers, "x-api-key: sk-ant-KEY"));
    cr_assert(strstr(F.req[0].headers, "anthropic-version: 2023-06-01"));
    json_error_t je;
    json_t *b = json_loads(F.req[0].body, 0, &je);
    json_t *sys = json_array_get(json_object_get(b, "system"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(sys, "text")), "be brief");
    cr_assert_not_null(json_object_get(sys, "cache_control"));
    cr_assert(json_is_integer(json_object_get(b, "max_tokens")));
    json_t *msgs = json_object_get(b, "messages");
    /* user, assistant(tool_use), user(tool_result + text merged) */
    cr_assert_eq(json_array_size(msgs), 3);
    json_t *last = json_object_get(json_array_get(msgs, 2), "content");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(last, 0), "type")), "tool_result");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(last, 0), "tool_use_id")), "toolu_0");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(last, 1), "type")), "text");
    json_t *tu = json_array_get(json_object_get(json_array_get(msgs, 1), "content"), 0);
    cr_assert(json_is_object(json_object_get(tu, "input")));
    json_t *tool = json_array_get(json_object_get(b, "tools"), 0);
    cr_assert(json_is_object(json_object_get(tool, "input_schema")));
    json_decref(b);
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(anthropic, overloaded_before_content_is_retried_after_content_is_reported)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        AN("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"), NULL}};
    F.resp[1] = (fakellm_resp){.chunks = {
        AN("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1}}}"),
        AN("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
        AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"half\"}}"),
        AN("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"), NULL}};
    F.nresp = 2;
    llm_provider *p = mk("anthropic", "k", 3);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_OVERLOADED, "%s", e.message);
    cr_assert_eq(e.attempts, 2, "retried once before content, not after");
    cr_assert_str_eq(ev.text, "half");
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(anthropic, non_streamed_message_and_529)
{
    F.resp[0] = (fakellm_resp){.status = 529, .content_type = "application/json", .chunks = {
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}", NULL}};
    F.resp[1] = (fakellm_resp){.content_type = "application/json", .chunks = {
        "{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
        "\"text\":\"Hi\"},{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"glob\",\"input\":{\"pattern\":\"*\"}}],"
        "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}", NULL}};
    F.nresp = 2;
    llm_provider *p = mk("anthropic", "k", 2);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_eq(r.msg.nblocks, 2);
    cr_assert_str_eq(r.msg.blocks[1].args, "{\"pattern\":\"*\"}");
    cr_assert_eq(r.stop, LLM_STOP_TOOL_USE);
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}

Test(anthropic, truncated_without_message_stop)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        AN("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1}}}"),
        AN("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"x\"}}"),
        AN("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\"}}"),
        NULL}};
    F.nresp = 1;
    llm_provider *p = mk("anthropic", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(!run(p, &c, &ev, &r, &e));
    cr_assert_eq(e.kind, LLM_ERR_PROTOCOL);
    llm_conv_free(&c);
    llm_provider_free(p);
}

/* ---------------------------------------------------------------- SSE parser */

typedef struct sse_seen {
    char log[1024];
} sse_seen;

static bool sse_cb(void *u, const char *event, const char *data, size_t len)
{
    sse_seen *s = u;
    char line[300];
    snprintf(line, sizeof line, "[%s|%.*s]", event, (int)len, data);
    strncat(s->log, line, sizeof s->log - strlen(s->log) - 1);
    return true;
}

Test(sse, split_anywhere_crlf_comments_multiline)
{
    const char *in = ": hello\r\nevent: a\r\ndata: one\r\ndata:two\r\n\r\ndata: x\rdata: y\r\r"
                     "id: 7\nretry: 5\ndata\n\nevent: e\n\n";
    for (size_t step = 1; step <= 7; step++) {
        llm_sse p;
        sse_seen s = {""};
        llm_sse_init(&p, sse_cb, &s);
        for (size_t i = 0; i < strlen(in); i += step) {
            size_t n = strlen(in) - i < step ? strlen(in) - i : step;
            llm_sse_feed(&p, in + i, n);
        }
        llm_sse_end(&p);
        llm_sse_free(&p);
        cr_assert_str_eq(s.log, "[a|one\ntwo][message|x\ny][message|][e|]", "step %zu: %s", step,
                         s.log);
    }
}

Test(message, json_roundtrip_and_hostile_forms)
{
    llm_message m = {.role = LLM_ASSISTANT};
    llm_msg_add_text(&m, "hé");
    llm_msg_add_call(&m, "c", "n", "{\"a\":1}");
    json_t *j = llm_message_to_json(&m);
    llm_message back;
    char err[128];
    cr_assert(llm_message_from_json(j, &back, err, sizeof err), "%s", err);
    cr_assert_eq(back.nblocks, 2);
    cr_assert_str_eq(back.blocks[1].args, "{\"a\":1}");
    json_decref(j);
    llm_message_free(&m);
    llm_message_free(&back);
    const char *bad[] = {"[]", "{}", "{\"role\":\"root\",\"content\":[]}",
                         "{\"role\":\"user\",\"content\":{}}",
                         "{\"role\":\"user\",\"content\":[{\"type\":\"tool_call\"}]}",
                         "{\"role\":\"user\",\"content\":[7]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_error_t je;
        json_t *b = json_loads(bad[i], 0, &je);
        cr_assert(!llm_message_from_json(b, &back, err, sizeof err), "accepted %s", bad[i]);
        json_decref(b);
    }
}

/* A hostile or broken server: random event payloads, mutated valid events, odd framing.
 * Every completion must end in a result or a clean error (ASan watches the memory). */
static const char *const seeds[] = {
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"x\",\"arguments\":\"{\"}}]}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}",
    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\"}}",
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\"}}",
    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":-5}}",
    "{\"type\":\"message_stop\"}", "[DONE]", "{\"error\":{\"message\":7}}", "{}", "[]", "null",
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":99999}]}}]}",
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-1}]}}]}",
    "{\"choices\":\"x\"}", "{\"type\":\"content_block_delta\",\"index\":7,\"delta\":{}}",
};

Test(hostile, random_and_mutated_streams_never_crash)
{
    static char bodies[6][FAKELLM_MAX_RESP][32][200];
    static fakellm FS[6]; /* one server per round, kept reachable */
    unsigned seed = 12345;
    for (int round = 0; round < 6; round++) {
        fakellm *fs = &FS[round];
        fs->nresp = FAKELLM_MAX_RESP;
        for (int r = 0; r < FAKELLM_MAX_RESP; r++) {
            int n = 1 + rand_r(&seed) % 30;
            for (int i = 0; i < n; i++) {
                char *b = bodies[round][r][i];
                const char *s = seeds[rand_r(&seed) % (sizeof seeds / sizeof seeds[0])];
                char ev[160];
                snprintf(ev, sizeof ev, "%s", s);
                int mut = rand_r(&seed) % 4;
                for (int m = 0; m < mut; m++) /* flip a few bytes */
                    ev[rand_r(&seed) % strlen(ev)] = (char)(rand_r(&seed) % 256 ?: 'x');
                const char *frame[] = {"data: %s\n\n", "event: x\ndata: %s\r\n\r\n", "data:%s\n",
                                       "%s\n\n", "data: %s\ndata: %s\n\n"};
                snprintf(b, 200, frame[rand_r(&seed) % 5], ev, ev);
                fs->resp[r].chunks[i] = b;
            }
            fs->resp[r].chunks[n] = NULL;
            fs->resp[r].bytewise = rand_r(&seed) % 4 == 0;
            fs->resp[r].content_type = rand_r(&seed) % 6 == 0 ? "application/json" : NULL;
        }
        cr_assert(fakellm_start(fs));
        char url[64];
        fakellm_url(fs, url, sizeof url);
        for (int t = 0; t < 2; t++) {
            llm_options o = {.type = t ? "anthropic" : "openai", .model = "m", .base_url = url,
                             .api_key = "k", .max_retries = -1};
            llm_error e;
            llm_provider *p = llm_provider_new(&o, &e);
            cr_assert_not_null(p);
            for (int k = 0; k < FAKELLM_MAX_RESP / 2; k++) {
                llm_conv c;
                conv_basic(&c);
                events ev = {0};
                llm_response r;
                if (run(p, &c, &ev, &r, &e)) llm_response_free(&r);
                else cr_assert_neq(e.kind, LLM_OK);
                llm_conv_free(&c);
            }
            llm_provider_free(p);
        }
    }
}

Test(hostile, sse_parser_random_bytes)
{
    unsigned seed = 7;
    char in[4096];
    for (int round = 0; round < 300; round++) {
        size_t n = (size_t)(rand_r(&seed) % sizeof in);
        for (size_t i = 0; i < n; i++) {
            int r = rand_r(&seed) % 10;
            in[i] = r == 0 ? '\n' : r == 1 ? '\r' : r == 2 ? ':' : (char)(rand_r(&seed) % 256);
        }
        llm_sse p;
        sse_seen s = {""};
        llm_sse_init(&p, sse_cb, &s);
        for (size_t i = 0; i < n;) {
            size_t k = 1 + (size_t)(rand_r(&seed) % 64);
            if (k > n - i) k = n - i;
            llm_sse_feed(&p, in + i, k);
            i += k;
        }
        llm_sse_end(&p);
        llm_sse_free(&p);
    }
}

Test(openai, arguments_sent_as_an_object_are_accepted)
{
    F.resp[0] = (fakellm_resp){.chunks = {
        OA("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"o1\",\"function\":{\"name\":\"glob\","
           "\"arguments\":{\"pattern\":\"*.c\"}}}]},\"finish_reason\":\"tool_calls\"}]}"),
        "data: [DONE]\n\n", NULL}};
    F.nresp = 1;
    llm_provider *p = mk("openai", "k", 0);
    llm_conv c;
    conv_basic(&c);
    events ev = {0};
    llm_response r;
    llm_error e;
    cr_assert(run(p, &c, &ev, &r, &e), "%s", e.message);
    cr_assert_str_eq(r.msg.blocks[0].args, "{\"pattern\":\"*.c\"}");
    llm_response_free(&r);
    llm_conv_free(&c);
    llm_provider_free(p);
}
