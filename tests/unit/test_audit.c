/* test_audit.c — the audit log: append/list/verify, many writers (threads and processes), and
 * tampering as an attacker with the database file would do it: one byte of any field of any
 * record changed, a record deleted (first, middle, last), records reordered, the head row
 * edited; plus secret redaction and canonical argument digests. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/audit.h"

static char ws[64];
static char dbpath[128];

static void ws_setup(void)
{
    strcpy(ws, "/tmp/audittestXXXXXX");
    cr_assert(mkdtemp(ws));
    snprintf(dbpath, sizeof dbpath, "%s/.boxagent/boxagent.db", ws);
}

static void ws_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", ws);
    if (system(cmd) != 0) cr_log_warn("cleanup failed");
}

static audit_log *open_ws(void)
{
    char *err = NULL;
    audit_log *h = audit_open(ws, &err);
    cr_assert(h, "audit_open: %s", err);
    return h;
}

static void append_one(audit_log *h, int i, const char *session)
{
    char args[128], res[64], agent[32];
    snprintf(args, sizeof args, "{\"path\":\"src/f%d.c\",\"limit\":%d}", i, i);
    snprintf(res, sizeof res, "result %d", i);
    snprintf(agent, sizeof agent, "agent%d", i % 3);
    audit_record r = {
        .session = session, .agent = agent, .tool = i % 2 ? "read_file" : "web_fetch",
        .args = args, .decision = (audit_decision)(i % 3), .rule = "allowed by read:/w",
        .fuel = 1000 + (uint64_t)i, .peak_memory = 65536, .wall_ms = 3 + (uint64_t)i,
        .output_bytes = 40, .result = res, .result_len = strlen(res), .is_external = i % 2 == 0,
    };
    char *err = NULL;
    int64_t id = 0;
    char hash[65];
    cr_assert(audit_append(h, &r, &id, hash, &err), "append: %s", err);
    cr_assert(id > 0 && strlen(hash) == 64);
}

static void expect_intact(audit_log *h, int64_t n)
{
    int64_t bad = -1;
    char msg[256];
    cr_assert(audit_verify(h, &bad, msg, sizeof msg), "verify failed at %lld: %s",
              (long long)bad, msg);
    char want[64];
    snprintf(want, sizeof want, "%lld records", (long long)n);
    cr_assert(strstr(msg, want), "%s (want %s)", msg, want);
}

static void expect_broken(audit_log *h, int64_t want_bad, const char *what)
{
    int64_t bad = -1;
    char msg[256];
    cr_assert(!audit_verify(h, &bad, msg, sizeof msg), "%s: verify did not notice", what);
    cr_assert_eq(bad, want_bad, "%s: first bad %lld, want %lld (%s)", what, (long long)bad,
                 (long long)want_bad, msg);
}

static void sql(const char *stmt)
{
    sqlite3 *db;
    cr_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
    char *m = NULL;
    cr_assert(sqlite3_exec(db, stmt, NULL, NULL, &m) == SQLITE_OK, "%s: %s", stmt, m);
    cr_assert(sqlite3_changes(db) > 0 || strncmp(stmt, "UPDATE", 6) != 0, "no row changed: %s",
              stmt);
    sqlite3_close(db);
}

static int count_cb(const audit_record *r, void *ctx)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

Test(audit, append_list_verify, .init = ws_setup, .fini = ws_teardown)
{
    audit_log *h = open_ws();
    expect_intact(h, 0);
    for (int i = 1; i <= 10; i++) append_one(h, i, i <= 4 ? "s1" : "s2");
    expect_intact(h, 10);
    int n = 0;
    audit_filter f = {.session = "s1"};
    char *err = NULL;
    cr_assert(audit_list(h, &f, count_cb, &n, &err));
    cr_assert_eq(n, 4);
    n = 0;
    audit_filter f2 = {.tool = "read_file", .limit = 3};
    cr_assert(audit_list(h, &f2, count_cb, &n, &err));
    cr_assert_eq(n, 3);
    n = 0;
    cr_assert(audit_list(h, NULL, count_cb, &n, &err));
    cr_assert_eq(n, 10);
    audit_close(h);
    /* reopening keeps the chain */
    h = open_ws();
    append_one(h, 11, "s3");
    expect_intact(h, 11);
    audit_close(h);
    struct stat st;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/.boxagent", ws);
    cr_assert(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
    cr_assert(stat(dbpath, &st) == 0 && (st.st_mode & 0777) == 0600, "db mode %o", st.st_mode);
    /* WAL mode */
    sqlite3 *db;
    sqlite3_open(dbpath, &db);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
    cr_assert(sqlite3_step(s) == SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static int check_fields_cb(const audit_record *r, void *ctx)
{
    (void)ctx;
    cr_assert_str_eq(r->session, "sx");
    cr_assert_str_eq(r->tool, "web_fetch");
    cr_assert(r->is_external);
    cr_assert_eq(r->decision, AUDIT_DENIED);
    cr_assert_eq(r->fuel, 7);
    cr_assert_eq(r->time_ms, 1234567);
    cr_assert(strstr(r->args, "[REDACTED]"));
    cr_assert(!strstr(r->args, "hunter2"));
    cr_assert_eq(strlen(r->hash), 64);
    cr_assert_eq(strlen(r->prev_hash), 64);
    char d[65];
    audit_args_digest("{\"b\": 1, \"a\": \"x\", \"password\": \"hunter2\"}", d);
    cr_assert_str_eq(r->args_digest, d);
    return 0;
}

Test(audit, refuses_planted_symlinks, .init = ws_setup, .fini = ws_teardown)
{
    char p[160], t[160];
    snprintf(p, sizeof p, "%s/.boxagent", ws);
    snprintf(t, sizeof t, "%s/elsewhere", ws);
    mkdir(t, 0700);
    cr_assert(symlink(t, p) == 0);
    char *err = NULL;
    cr_assert_null(audit_open(ws, &err));
    cr_assert(err && strstr(err, "not a directory"), "%s", err);
    free(err);
    unlink(p);
    mkdir(p, 0700);
    cr_assert(symlink("/tmp/audit-victim-file", dbpath) == 0);
    err = NULL;
    cr_assert_null(audit_open(ws, &err));
    free(err);
    cr_assert(access("/tmp/audit-victim-file", F_OK) != 0);
    cr_assert_null(audit_open("/nonexistent/ws", &err));
    free(err);
}

Test(audit, fields_round_trip, .init = ws_setup, .fini = ws_teardown)
{
    audit_log *h = open_ws();
    audit_record r = {.time_ms = 1234567, .session = "sx", .agent = "a", .tool = "web_fetch",
                      .args = "{\"a\":\"x\",\"password\":\"hunter2\",\"b\":1}",
                      .decision = AUDIT_DENIED, .rule = "no fetch: capability matches", .fuel = 7,
                      .is_external = true};
    char *err = NULL;
    cr_assert(audit_append(h, &r, NULL, NULL, &err), "%s", err);
    int n = 0;
    cr_assert(audit_list(h, NULL, check_fields_cb, &n, &err));
    audit_record bad = {.decision = (audit_decision)7};
    cr_assert(!audit_append(h, &bad, NULL, NULL, &err));
    cr_assert(err && strstr(err, "decision"));
    free(err);
    audit_close(h);
}

static int big_cb(const audit_record *r, void *ctx)
{
    (void)ctx;
    cr_assert(strlen(r->args) < 70 * 1024, "args stored: %zu bytes", strlen(r->args));
    cr_assert(strstr(r->args, "bytes in all"));
    cr_assert(strlen(r->rule) < 5000);
    cr_assert(strlen(r->tool) < 600);
    return 0;
}

Test(audit, huge_fields_are_bounded, .init = ws_setup, .fini = ws_teardown)
{
    audit_log *h = open_ws();
    /* many small strings: each under the per-string cap, the whole far over the record cap */
    size_t n = 20000;
    char *args = malloc(n * 12 + 16);
    char *w = args;
    w += sprintf(w, "[");
    for (size_t i = 0; i < n; i++) w += sprintf(w, "%s\"x%05zu\"", i ? "," : "", i);
    sprintf(w, "]");
    char *rule = malloc(100001), *tool = malloc(10001);
    memset(rule, 'r', 100000);
    rule[100000] = '\0';
    memset(tool, 't', 10000);
    tool[10000] = '\0';
    audit_record r = {.tool = tool, .args = args, .rule = rule, .decision = AUDIT_ERROR};
    char *err = NULL;
    cr_assert(audit_append(h, &r, NULL, NULL, &err), "%s", err);
    cr_assert(audit_list(h, NULL, big_cb, NULL, &err));
    expect_intact(h, 1);
    char d[65];
    audit_args_digest(args, d); /* the digest still covers all of it */
    free(args);
    free(rule);
    free(tool);
    audit_close(h);
}

typedef struct thr_arg { int base; } thr_arg;

static void *writer(void *p)
{
    thr_arg *a = p;
    char *err = NULL;
    /* reopen every 10 records: opening and closing while other connections of this process
     * hold locks must not drop them (a raw open()/close() of the file would) */
    for (int k = 0; k < 4; k++) {
        audit_log *h = audit_open(ws, &err);
        if (!h) return (void *)1;
        for (int i = 0; i < 10; i++) append_one(h, a->base + k * 10 + i, "threads");
        audit_close(h);
    }
    return NULL;
}

static audit_log *shared_h;
static void *shared_writer(void *p)
{
    thr_arg *a = p;
    for (int i = 0; i < 40; i++) append_one(shared_h, a->base + i, "shared");
    return NULL;
}

Test(audit, many_writers_threads_and_processes, .init = ws_setup, .fini = ws_teardown,
     .timeout = 120)
{
    /* processes first (forking while threads run could inherit held locks); they and the
     * threads all race to create the database */
    pid_t kids[3];
    for (int k = 0; k < 3; k++) {
        kids[k] = fork();
        cr_assert(kids[k] >= 0);
        if (kids[k] == 0) {
            char *err = NULL;
            audit_log *c = audit_open(ws, &err);
            if (!c) { fprintf(stderr, "child open: %s\n", err); _exit(3); }
            int fails = 0;
            for (int i = 0; i < 40; i++) {
                audit_record r = {.session = "proc", .agent = "p", .tool = "grep",
                                  .args = "{}", .decision = AUDIT_ALLOWED, .rule = "r"};
                char *e2 = NULL;
                if (!audit_append(c, &r, NULL, NULL, &e2)) { fails++; free(e2); }
            }
            audit_close(c);
            _exit(fails ? 4 : 0);
        }
    }
    audit_log *h = open_ws();
    shared_h = h;
    pthread_t t[6];
    thr_arg args[6];
    for (int i = 0; i < 6; i++) {
        args[i].base = i * 1000;
        cr_assert(pthread_create(&t[i], NULL, i < 3 ? writer : shared_writer, &args[i]) == 0);
    }
    for (int i = 0; i < 6; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        cr_assert_null(rv);
    }
    for (int k = 0; k < 3; k++) {
        int status;
        cr_assert(waitpid(kids[k], &status, 0) == kids[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d status %d", k, status);
    }
    expect_intact(h, 6 * 40 + 3 * 40);
    audit_close(h);
    sqlite3 *db;
    cr_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    cr_assert(sqlite3_step(st) == SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ------------------------------------------------------------------ tampering */

static const char *const text_cols[] = {"session", "agent", "tool", "args_digest", "args",
                                        "decision", "rule", "result_digest", "prev_hash", "hash"};
static const char *const int_cols[] = {"time_ms", "fuel", "peak_memory", "wall_ms",
                                       "output_bytes", "is_external", "id"};

static void fresh_log(int n)
{
    ws_teardown();
    ws_setup();
    audit_log *h = open_ws();
    for (int i = 1; i <= n; i++) append_one(h, i, "sess");
    audit_close(h);
}

Test(audit, one_byte_of_any_field_of_any_record, .init = ws_setup, .fini = ws_teardown,
     .timeout = 120)
{
    const int N = 6;
    char stmt[512];
    for (int rec = 1; rec <= N; rec++) {
        for (size_t c = 0; c < sizeof(text_cols) / sizeof(text_cols[0]); c++) {
            fresh_log(N);
            /* flip the lowest bit of one byte in the middle of the field */
            snprintf(stmt, sizeof stmt,
                     "UPDATE audit SET %1$s = substr(%1$s, 1, length(%1$s)/2) || "
                     "char((unicode(substr(%1$s, length(%1$s)/2 + 1, 1)) | 1) - "
                     "(unicode(substr(%1$s, length(%1$s)/2 + 1, 1)) & 1)) || "
                     "substr(%1$s, length(%1$s)/2 + 2) WHERE id = %2$d",
                     text_cols[c], rec);
            sql(stmt);
            audit_log *h = open_ws();
            expect_broken(h, rec, text_cols[c]);
            audit_close(h);
        }
        for (size_t c = 0; c < sizeof(int_cols) / sizeof(int_cols[0]); c++) {
            fresh_log(N);
            if (!strcmp(int_cols[c], "id"))
                snprintf(stmt, sizeof stmt, "UPDATE audit SET id = id + 100 WHERE id = %d", rec);
            else
                snprintf(stmt, sizeof stmt,
                         "UPDATE audit SET %1$s = (%1$s | 1) - (%1$s & 1) WHERE id = %2$d",
                         int_cols[c], rec);
            sql(stmt);
            audit_log *h = open_ws();
            expect_broken(h, rec, int_cols[c]);
            audit_close(h);
        }
        /* a type change that keeps the value: caught too */
        fresh_log(N);
        snprintf(stmt, sizeof stmt, "UPDATE audit SET fuel = CAST(fuel AS BLOB) WHERE id = %d",
                 rec);
        sql(stmt);
        audit_log *h = open_ws();
        expect_broken(h, rec, "fuel as text");
        audit_close(h);
    }
}

Test(audit, deletion_reordering_and_head, .init = ws_setup, .fini = ws_teardown)
{
    fresh_log(8);
    sql("DELETE FROM audit WHERE id = 4");
    audit_log *h = open_ws();
    expect_broken(h, 4, "delete middle");
    audit_close(h);

    fresh_log(8);
    sql("DELETE FROM audit WHERE id = 1");
    h = open_ws();
    expect_broken(h, 1, "delete first");
    audit_close(h);

    fresh_log(8);
    sql("DELETE FROM audit WHERE id = 8");
    h = open_ws();
    expect_broken(h, 8, "delete last");
    audit_close(h);

    fresh_log(8);
    sql("DELETE FROM audit WHERE id >= 6");
    h = open_ws();
    expect_broken(h, 6, "truncate tail");
    audit_close(h);

    /* delete a record and renumber the rest to hide the gap */
    fresh_log(8);
    sql("DELETE FROM audit WHERE id = 3; UPDATE audit SET id = id - 1 WHERE id > 3;"
        "UPDATE audit_head SET last_id = 7");
    h = open_ws();
    expect_broken(h, 3, "delete and renumber");
    audit_close(h);

    /* reorder: swap the contents of records 3 and 5 (ids stay) */
    fresh_log(8);
    sql("CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (3, 5);"
        "UPDATE t SET id = 8 - id;"
        "DELETE FROM audit WHERE id IN (3, 5);"
        "INSERT INTO audit SELECT * FROM t;");
    h = open_ws();
    expect_broken(h, 3, "swap contents");
    audit_close(h);

    /* one field moved from a neighbouring record */
    fresh_log(8);
    sql("UPDATE audit SET tool = (SELECT tool FROM audit WHERE id = 2) WHERE id = 1");
    h = open_ws();
    expect_broken(h, 1, "field copied from another record");
    audit_close(h);

    /* head row edited or removed */
    fresh_log(5);
    sql("DELETE FROM audit_head");
    h = open_ws();
    expect_broken(h, 5, "head removed");
    audit_close(h);

    fresh_log(5);
    sql("UPDATE audit_head SET last_hash = substr(last_hash, 2) || '0'");
    h = open_ws();
    expect_broken(h, 5, "head hash");
    audit_close(h);

    /* appending refuses to extend a damaged head */
    char *err = NULL;
    h = open_ws();
    audit_record r = {.tool = "x", .decision = AUDIT_ALLOWED};
    sql("UPDATE audit_head SET last_hash = 'junk'");
    cr_assert(!audit_append(h, &r, NULL, NULL, &err));
    cr_assert(err && strstr(err, "head"), "%s", err);
    free(err);
    audit_close(h);
}

/* ------------------------------------------------------------------ redaction */

static void red(const char *in, const char *must_not, const char *must)
{
    char *r = audit_redact(in);
    if (must_not) cr_expect(!strstr(r, must_not), "[%s] -> [%s] still has [%s]", in, r, must_not);
    if (must) cr_expect(strstr(r, must), "[%s] -> [%s] lacks [%s]", in, r, must);
    free(r);
}

Test(audit_redact, secrets_are_removed)
{
    red("{\"api_key\":\"abc123\"}", "abc123", "[REDACTED]");
    red("{\"apiKey\":\"abc123\"}", "abc123", "\"apiKey\"");
    red("{\"headers\":{\"Authorization\":\"Basic dXNlcjpwYXNz\"}}", "dXNlcjpwYXNz", NULL);
    red("{\"token\":12345}", "12345", NULL);
    red("{\"x\":{\"password\":[\"a\",\"b\"]}}", "\"a\"", NULL);
    red("{\"client_secret\":\"s3cr3t\"}", "s3cr3t", NULL);
    red("{\"cookie\":\"sid=42\"}", "sid=42", NULL);
    red("{\"ssh_private_key\":\"xyz\"}", "xyz", NULL);
    red("{\"content\":\"use sk-proj-ABCDEFGHIJKLMNOPQRSTUV please\"}", "ABCDEFGHIJKLMNOP",
        "sk-[REDACTED] please");
    red("{\"h\":\"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc\"}", "eyJhbGci",
        "Bearer [REDACTED]");
    red("{\"url\":\"https://x.com/api?api_key=SECRETVALUE&q=1\"}", "SECRETVALUE", "&q=1");
    red("{\"url\":\"https://x.com/?token=T0KEN\"}", "T0KEN", NULL);
    red("{\"t\":\"ghp_abcdefghijklmnopqrstuvwxyz0123\"}", "abcdefghijklmnop", NULL);
    red("{\"t\":\"AKIAABCDEFGHIJKLMNOP\"}", "ABCDEFGHIJKLMNOP", NULL);
    red("{\"t\":\"xoxb-1234567890-abcdef\"}", "1234567890", NULL);
    red("{\"f\":\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKC\\n-----END RSA PRIVATE KEY-----\\nrest\"}",
        "MIIEowIBAAKC", "rest");
    red("not json sk-ABCDEFGHIJKLMNOPQRSTUVWX token=zzz", "ABCDEFGHIJKLMNOPQRST", "not json");
    red("not json token=zzz", "zzz", NULL);
    red("{\"pwd\":\"hunter2\",\"Pass\":\"x1\"}", "hunter2", NULL);
    red("{\"pwd\":\"hunter2\",\"Pass\":\"x1y2\"}", "x1y2", NULL);
    red("{\"h\":\"cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_part-1\"}", "eyJzdWIi", "cookie eyJ");
    /* ordinary data survives */
    red("{\"path\":\"src/task-list.c\",\"keyword\":\"monkey\",\"desk\":\"sk-1\"}", "[REDACTED]",
        "task-list.c");
    red("{\"pattern\":\"keyboard\",\"limit\":5}", "[REDACTED]", "keyboard");
    /* huge strings are shortened for storage */
    size_t n = 100000;
    char *big = malloc(n + 32);
    strcpy(big, "{\"content\":\"");
    memset(big + 12, 'a', n);
    strcpy(big + 12 + n, "\"}");
    char *r = audit_redact(big);
    cr_assert(strlen(r) < 5000 && strstr(r, "100000 bytes in all"));
    free(r);
    free(big);
    r = audit_redact(NULL);
    cr_assert_str_eq(r, "");
    free(r);
}

Test(audit_redact, digest_is_canonical)
{
    char a[65], b[65], c[65];
    audit_args_digest("{\"b\":1,\"a\":[1,2]}", a);
    audit_args_digest("{ \"a\" : [1, 2], \"b\" : 1 }", b);
    audit_args_digest("{\"a\":[2,1],\"b\":1}", c);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    audit_args_digest("not json", a);
    audit_args_digest("not  json", b);
    cr_assert_str_neq(a, b);
}

/* Red team: the decision reason quoted the refused URL, key and all, while the arguments were
 * redacted. The stored rule must go through the same redaction. */
static int rule_cb(const audit_record *r, void *ctx)
{
    int *n = ctx;
    (*n)++;
    cr_expect(!strstr(r->rule, "REPRO5REPRO5"), "secret in stored rule: %s", r->rule);
    cr_expect(!strstr(r->rule, "hunter2"), "secret in stored rule: %s", r->rule);
    cr_expect(!strstr(r->rule, "T0KENVALUE"), "secret in stored rule: %s", r->rule);
    cr_expect(!strstr(r->rule, "abcdefghijklmnopqrstu"), "bearer in stored rule: %s", r->rule);
    if (r->decision == AUDIT_DENIED)
        cr_expect(strstr(r->rule, "no fetch: capability matches https://evil.example.net/x?"),
                  "%s", r->rule);
    else
        cr_expect_str_eq(r->rule, "");
    cr_expect(!strstr(r->args, "REPRO5REPRO5"), "%s", r->args);
    return 0;
}

Test(audit, rule_field_is_redacted, .init = ws_setup, .fini = ws_teardown)
{
    audit_log *h = open_ws();
    audit_record r = {
        .session = "s", .agent = "a", .tool = "web_fetch",
        .args = "{\"url\":\"https://evil.example.net/x?api_key=sk-proj-REPRO5REPRO5REPRO5REPRO5\"}",
        .decision = AUDIT_DENIED,
        .rule = "no fetch: capability matches https://evil.example.net/x?api_key=sk-proj-"
                "REPRO5REPRO5REPRO5REPRO5&q=1&x_session_token=T0KENVALUE&pass=hunter2 "
                "(Authorization: Bearer abcdefghijklmnopqrstu)",
    };
    char *err = NULL;
    cr_assert(audit_append(h, &r, NULL, NULL, &err), "%s", err);
    r.rule = NULL; /* a missing rule is stored as "" */
    r.decision = AUDIT_ERROR;
    cr_assert(audit_append(h, &r, NULL, NULL, &err), "%s", err);
    int n = 0;
    cr_assert(audit_list(h, NULL, rule_cb, &n, &err), "%s", err);
    cr_expect_eq(n, 2);
    char msg[200];
    int64_t bad = 0;
    cr_assert(audit_verify(h, &bad, msg, sizeof msg), "%s", msg);
    audit_close(h);
}

Test(audit_redact, free_text_and_query_names)
{
    char *t = audit_redact_text("see https://h/p?q=1&X-Amz-Signature=abc123&sessionToken=zz9&ok=2");
    cr_expect(!strstr(t, "abc123") && !strstr(t, "zz9"), "%s", t);
    cr_expect(strstr(t, "q=1&") && strstr(t, "&ok=2"), "%s", t);
    free(t);
    t = audit_redact_text("allowed by fetch:https://api.example.com/v1");
    cr_expect_str_eq(t, "allowed by fetch:https://api.example.com/v1");
    free(t);
    t = audit_redact_text(NULL);
    cr_expect_str_eq(t, "");
    free(t);
}

/* Short commands (boxagent exec, tool call) each open the log, append one record and close.
 * The write-ahead log must stay bounded across them: the opener that finds no other connection
 * rebuilds the WAL index by reading every frame, so a WAL that only grew made every command
 * slower than the last (it reached megabytes and milliseconds per command). */
Test(audit, wal_stays_bounded_across_short_commands, .init = ws_setup, .fini = ws_teardown)
{
    char walpath[160];
    snprintf(walpath, sizeof walpath, "%s-wal", dbpath);
    off_t most = 0;
    for (int i = 0; i < 400; i++) {
        audit_log *h = open_ws();
        append_one(h, i, "short");
        audit_close(h);
        struct stat st;
        if (stat(walpath, &st) == 0 && st.st_size > most) most = st.st_size;
    }
    /* 400 records of ~3 pages each would be ~5 MB of WAL; the bound is 256 KiB plus the
     * last commit's frames. */
    cr_assert_lt(most, 320 * 1024, "the WAL grew to %lld bytes", (long long)most);
    audit_log *h = open_ws();
    expect_intact(h, 400);
    audit_close(h);
}
