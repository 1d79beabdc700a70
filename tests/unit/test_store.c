/* test_store.c — sessions in SQLite: create/list/get/rename/delete, append in one transaction
 * per turn, usage totals, hostile ids, corrupt rows reported (not crashed on), concurrent
 * appends from threads and from a second handle on the same file. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/util.h"

static char dir[64];
static store *S;

static void setup(void)
{
    strcpy(dir, "/tmp/boxagent-store-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char *err = NULL;
    S = store_open(dir, &err);
    cr_assert_not_null(S, "%s", err ? err : "");
}

static void teardown(void)
{
    store_close(S);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd)) {}
    free(cmd);
}

TestSuite(store, .init = setup, .fini = teardown);

static int count_cb(const store_session *s, void *u)
{
    (void)s;
    (*(int *)u)++;
    return 0;
}

Test(store, lifecycle_and_usage)
{
    char id[STORE_ID_MAX], *err = NULL;
    cr_assert(store_session_create(S, "a", "script/x", "first", id, &err));
    cr_assert(store_valid_id(id));
    llm_message m[2] = {{.role = LLM_USER}, {.role = LLM_ASSISTANT}};
    llm_msg_add_text(&m[0], "hi");
    llm_msg_add_call(&m[1], "c1", "read_file", "{\"path\":\"x\"}");
    llm_usage u = {10, 5, 2};
    cr_assert(store_append(S, id, m, 2, &u, &err), "%s", err);
    cr_assert(store_append(S, id, m, 1, &u, &err));
    store_session ss;
    cr_assert(store_session_get(S, id, &ss, &err));
    cr_assert_eq(ss.nmessages, 3);
    cr_assert_eq(ss.input_tokens, 20);
    cr_assert_eq(ss.output_tokens, 10);
    cr_assert_eq(ss.cached_tokens, 4);
    cr_assert_eq(ss.turns, 2);
    cr_assert_str_eq(ss.title, "first");
    store_session_free(&ss);
    llm_conv c;
    llm_conv_init(&c, NULL);
    cr_assert(store_load(S, id, &c, &err));
    cr_assert_eq(c.n, 3);
    cr_assert_str_eq(c.msgs[1].blocks[0].args, "{\"path\":\"x\"}");
    llm_conv_free(&c);
    llm_usage tot;
    uint64_t ns = 0, nt = 0;
    cr_assert(store_usage_total(S, &tot, &ns, &nt, &err));
    cr_assert_eq(tot.input, 20);
    cr_assert_eq(ns, 1);
    cr_assert_eq(nt, 2);
    cr_assert(store_session_rename(S, id, "renamed", &err));
    cr_assert(store_session_set_status(S, id, "done", &err));
    int n = 0;
    cr_assert(store_session_list(S, count_cb, &n, &err));
    cr_assert_eq(n, 1);
    cr_assert(store_session_delete(S, id, &err));
    cr_assert(!store_session_get(S, id, &ss, &err));
    cr_assert(strstr(err, "no session"));
    free(err);
    err = NULL;
    cr_assert(!store_append(S, id, m, 1, NULL, &err), "append to a deleted session");
    free(err);
    llm_message_free(&m[0]);
    llm_message_free(&m[1]);
}

Test(store, hostile_ids_refused)
{
    const char *bad[] = {"", "../x", "a b", "x'; DROP TABLE store_sessions;--", "a/b",
                         "0123456789012345678901234567890123456789012", NULL};
    char *err = NULL;
    store_session ss;
    for (int i = 0; bad[i]; i++) {
        cr_assert(!store_valid_id(bad[i]));
        cr_assert(!store_session_get(S, bad[i], &ss, &err));
        free(err);
        err = NULL;
        cr_assert(!store_session_delete(S, bad[i], &err));
        free(err);
        err = NULL;
    }
    cr_assert(!store_valid_id(NULL));
    char id[STORE_ID_MAX];
    cr_assert(store_session_create(S, "x", "y", "'; DROP TABLE store_sessions;--", id, &err));
    int n = 0;
    cr_assert(store_session_list(S, count_cb, &n, &err));
    cr_assert_eq(n, 1);
}

Test(store, corrupt_row_is_an_error_not_a_crash)
{
    char id[STORE_ID_MAX], *err = NULL;
    cr_assert(store_session_create(S, "a", "m", "t", id, &err));
    char *path = xasprintf("%s/.boxagent/boxagent.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *sql = xasprintf("INSERT INTO store_messages VALUES('%s',1,'user','{not json',0);"
                          "INSERT INTO store_messages VALUES('%s',2,'user','{\"role\":\"god\"}',0);",
                          id, id);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(sql);
    free(path);
    llm_conv c;
    llm_conv_init(&c, NULL);
    cr_assert(!store_load(S, id, &c, &err));
    cr_assert(strstr(err, "corrupt"), "%s", err);
    free(err);
    llm_conv_free(&c);
}

typedef struct th_arg {
    store *s;
    const char *id;
} th_arg;

static void *appender(void *u)
{
    th_arg *a = u;
    for (int i = 0; i < 25; i++) {
        llm_message m = {.role = LLM_USER};
        llm_msg_add_text(&m, "x");
        char *err = NULL;
        bool ok = store_append(a->s, a->id, &m, 1, NULL, &err);
        free(err);
        llm_message_free(&m);
        if (!ok) return (void *)1;
    }
    return NULL;
}

Test(store, concurrent_appends_from_threads_and_handles)
{
    char id[STORE_ID_MAX], *err = NULL;
    cr_assert(store_session_create(S, "a", "m", "t", id, &err));
    store *s2 = store_open(dir, &err);
    cr_assert_not_null(s2);
    th_arg args[4] = {{S, id}, {S, id}, {s2, id}, {s2, id}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, appender, &args[i]);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        cr_assert_null(r, "an append failed");
    }
    store_session ss;
    cr_assert(store_session_get(S, id, &ss, &err));
    cr_assert_eq(ss.nmessages, 100);
    store_session_free(&ss);
    store_close(s2);
}
