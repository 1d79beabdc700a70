/* cmd_sessions.c — `boxagent sessions list|show ID|delete ID [--workspace DIR] [--json]`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/config.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: boxagent sessions list [--workspace DIR] [--json]\n"
               "       boxagent sessions show ID [--workspace DIR] [--json]\n"
               "       boxagent sessions delete ID [--workspace DIR]\n");
}

static json_t *session_json(const store_session *s)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "id", s->id, "title",
                     s->title, "agent", s->agent, "model", s->model, "status", s->status,
                     "created_ms", (json_int_t)s->created_ms, "updated_ms",
                     (json_int_t)s->updated_ms, "input_tokens", (json_int_t)s->input_tokens,
                     "output_tokens", (json_int_t)s->output_tokens, "cached_tokens",
                     (json_int_t)s->cached_tokens, "turns", (json_int_t)s->turns, "messages",
                     (json_int_t)s->nmessages);
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (s) puts(s);
    free(s);
    json_decref(j);
}

typedef struct list_ctx {
    bool json;
    size_t n;
} list_ctx;

static int list_cb(const store_session *s, void *ctx)
{
    ((list_ctx *)ctx)->n++;
    if (((list_ctx *)ctx)->json) {
        print_json(session_json(s));
        return 0;
    }
    char when[32] = "";
    time_t t = (time_t)(s->updated_ms / 1000);
    struct tm tm;
    if (localtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    printf("%-20s %-16s %-10s %4llu turns %8llu tok  %.50s\n", s->id, when, s->status,
           (unsigned long long)s->turns,
           (unsigned long long)(s->input_tokens + s->output_tokens), s->title);
    return 0;
}

static void show_text(const llm_conv *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const llm_message *m = &c->msgs[i];
        for (size_t k = 0; k < m->nblocks; k++) {
            const llm_block *b = &m->blocks[k];
            if (b->kind == LLM_TEXT) printf("[%s] %s\n", llm_role_name(m->role), b->text);
            else if (b->kind == LLM_TOOL_CALL) printf("[call %s] %s %s\n", b->id, b->name, b->args);
            else
                printf("[result %s%s] %.300s%s\n", b->id, b->is_error ? ", error" : "", b->text,
                       strlen(b->text) > 300 ? "…" : "");
        }
    }
}

int cmd_sessions(int argc, char **argv)
{
    static const struct option opts[] = {{"workspace", required_argument, 0, 'w'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *ws = ".";
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:jh", opts, NULL)) != -1) {
        if (c == 'w') ws = optarg;
        else if (c == 'j') json = true;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[optind];
    bool list = !strcmp(sub, "list"), show = !strcmp(sub, "show"), del = !strcmp(sub, "delete");
    if (!(list || show || del) || (list && optind + 1 != argc) ||
        (!list && optind + 2 != argc)) {
        usage(stderr);
        return 2;
    }
    const char *id = list ? NULL : argv[optind + 1];
    if (id && !store_valid_id(id)) {
        fprintf(stderr, "boxagent sessions: invalid session id\n");
        return 2;
    }
    char *abs = realpath(ws, NULL);
    if (!abs) {
        fprintf(stderr, "boxagent sessions: workspace %s does not exist\n", ws);
        return 1;
    }
    char *err = NULL;
    store *s = store_open(abs, &err);
    free(abs);
    if (!s) {
        fprintf(stderr, "boxagent sessions: %s\n", err);
        free(err);
        return 1;
    }
    int rc = 0;
    if (list) {
        list_ctx lc = {json, 0};
        if (!store_session_list(s, list_cb, &lc, &err)) rc = 1;
        else if (!lc.n && !json) printf("no sessions\n");
    } else if (del) {
        if (store_session_delete(s, id, &err)) printf("deleted %s\n", id);
        else rc = 1;
    } else {
        store_session ss;
        llm_conv conv;
        llm_conv_init(&conv, NULL);
        if (!store_session_get(s, id, &ss, &err) || !store_load(s, id, &conv, &err)) rc = 1;
        else if (json) {
            json_t *j = session_json(&ss), *msgs = json_array();
            for (size_t i = 0; i < conv.n; i++)
                json_array_append_new(msgs, llm_message_to_json(&conv.msgs[i]));
            json_object_set_new(j, "messages_list", msgs);
            print_json(j);
        } else {
            printf("session %s — %s · agent %s · model %s · %s · %llu turns · %llu in / %llu out "
                   "tokens\n",
                   ss.id, ss.title, ss.agent, ss.model, ss.status, (unsigned long long)ss.turns,
                   (unsigned long long)ss.input_tokens, (unsigned long long)ss.output_tokens);
            show_text(&conv);
        }
        store_session_free(&ss);
        llm_conv_free(&conv);
    }
    if (rc) {
        fprintf(stderr, "boxagent sessions: %s\n", err ? err : "failed");
        free(err);
    }
    store_close(s);
    return rc;
}
