/* store.c — SQLite persistence of sessions, messages (JSON per message) and usage. */
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

struct store {
    sqlite3 *db;
    pthread_mutex_t mu;
};

static const char *const SCHEMA =
    "CREATE TABLE IF NOT EXISTS store_sessions ("
    " id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', agent TEXT NOT NULL DEFAULT '',"
    " model TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'idle',"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,"
    " cached_tokens INTEGER NOT NULL DEFAULT 0, turns INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS store_messages ("
    " session TEXT NOT NULL REFERENCES store_sessions(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, role TEXT NOT NULL, json TEXT NOT NULL, time_ms INTEGER NOT NULL,"
    " PRIMARY KEY (session, seq));"
    "CREATE TABLE IF NOT EXISTS store_usage ("
    " session TEXT NOT NULL REFERENCES store_sessions(id) ON DELETE CASCADE,"
    " time_ms INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL,"
    " cached INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS store_usage_session ON store_usage(session);";

static bool fail(char **err, sqlite3 *db, const char *what)
{
    if (err) *err = xasprintf("database: %s: %s", what, db ? sqlite3_errmsg(db) : "cannot open");
    return false;
}

store *store_open_db(const char *path, char **err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        fail(err, db, path);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    char *msg = NULL;
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                         "PRAGMA synchronous=NORMAL;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
        if (err) *err = xasprintf("database %s: %s", path, msg ? msg : "schema failed");
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    store *s = xcalloc(1, sizeof *s);
    s->db = db;
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

store *store_open(const char *workspace, char **err)
{
    char *dir = xasprintf("%s/.boxagent", workspace);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        if (err) *err = xasprintf("cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    char *path = xasprintf("%s/boxagent.db", dir);
    store *s = store_open_db(path, err);
    free(path);
    free(dir);
    return s;
}

void store_close(store *s)
{
    if (!s) return;
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void store_session_free(store_session *s)
{
    if (!s) return;
    free(s->title);
    free(s->agent);
    free(s->model);
    free(s->status);
    memset(s, 0, sizeof *s);
}

bool store_valid_id(const char *id)
{
    if (!id) return false;
    size_t n = strlen(id);
    if (n < 1 || n >= STORE_ID_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_') return false;
    return true;
}

static bool check_id(const char *id, char **err)
{
    if (store_valid_id(id)) return true;
    if (err) *err = xasprintf("invalid session id (letters, digits, - and _; at most %d)",
                              STORE_ID_MAX - 1);
    return false;
}

static void new_id(char out[STORE_ID_MAX])
{
    unsigned char r[8] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, r, sizeof r) != (ssize_t)sizeof r) {
        uint64_t t = util_now_ns() ^ ((uint64_t)getpid() << 32);
        memcpy(r, &t, sizeof r);
    }
    if (fd >= 0) close(fd);
    snprintf(out, STORE_ID_MAX, "s-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
             r[4], r[5], r[6], r[7]);
}

bool store_session_create(store *s, const char *agent, const char *model, const char *title,
                          char id_out[STORE_ID_MAX], char **err)
{
    new_id(id_out);
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(s->db,
                                 "INSERT INTO store_sessions(id,title,agent,model,created_ms,"
                                 "updated_ms) VALUES(?,?,?,?,?,?)",
                                 -1, &st, NULL) == SQLITE_OK;
    if (ok) {
        int64_t now = (int64_t)util_wall_ms();
        sqlite3_bind_text(st, 1, id_out, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, title ? title : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, agent ? agent : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, model ? model : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, now);
        sqlite3_bind_int64(st, 6, now);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    if (!ok) fail(err, s->db, "create session");
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

static char *col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return xstrdup(t ? (const char *)t : "");
}

static void row_to_session(sqlite3_stmt *st, store_session *o)
{
    memset(o, 0, sizeof *o);
    const unsigned char *id = sqlite3_column_text(st, 0);
    snprintf(o->id, sizeof o->id, "%s", id ? (const char *)id : "");
    o->title = col_str(st, 1);
    o->agent = col_str(st, 2);
    o->model = col_str(st, 3);
    o->status = col_str(st, 4);
    o->created_ms = sqlite3_column_int64(st, 5);
    o->updated_ms = sqlite3_column_int64(st, 6);
    o->input_tokens = (uint64_t)sqlite3_column_int64(st, 7);
    o->output_tokens = (uint64_t)sqlite3_column_int64(st, 8);
    o->cached_tokens = (uint64_t)sqlite3_column_int64(st, 9);
    o->turns = (uint64_t)sqlite3_column_int64(st, 10);
    o->nmessages = sqlite3_column_int64(st, 11);
}

#define SESSION_COLS                                                                          \
    "id,title,agent,model,status,created_ms,updated_ms,input_tokens,output_tokens,"            \
    "cached_tokens,turns,(SELECT count(*) FROM store_messages m WHERE m.session=s.id)"

bool store_session_get(store *s, const char *id, store_session *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (!check_id(id, err)) return false;
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(s->db, "SELECT " SESSION_COLS " FROM store_sessions s WHERE id=?", -1,
                           &st, NULL) != SQLITE_OK) {
        fail(err, s->db, "get session");
    } else {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            row_to_session(st, out);
            ok = true;
        } else if (rc == SQLITE_DONE) {
            if (err) *err = xasprintf("no session %s", id);
        } else
            fail(err, s->db, "get session");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool store_session_list(store *s, int (*cb)(const store_session *ss, void *ctx), void *ctx,
                        char **err)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    bool ok = true;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " SESSION_COLS
                           " FROM store_sessions s ORDER BY updated_ms DESC, id",
                           -1, &st, NULL) != SQLITE_OK) {
        ok = fail(err, s->db, "list sessions");
    } else {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            store_session ss;
            row_to_session(st, &ss);
            int stop = cb(&ss, ctx);
            store_session_free(&ss);
            if (stop) break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) ok = fail(err, s->db, "list sessions");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

/* Run one statement with a text id and optional text arg; requires a changed row. */
static bool exec_id(store *s, const char *sql, const char *id, const char *arg, char **err,
                    const char *what)
{
    if (!check_id(id, err)) return false;
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK;
    if (ok) {
        int i = 1;
        if (arg) sqlite3_bind_text(st, i++, arg, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, i++, (int64_t)util_wall_ms());
        sqlite3_bind_text(st, i, id, -1, SQLITE_TRANSIENT);
        ok = sqlite3_step(st) == SQLITE_DONE;
        if (!ok) fail(err, s->db, what);
        else if (sqlite3_changes(s->db) == 0) {
            ok = false;
            if (err) *err = xasprintf("no session %s", id);
        }
    } else
        fail(err, s->db, what);
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool store_session_delete(store *s, const char *id, char **err)
{
    return exec_id(s, "DELETE FROM store_sessions WHERE ?1 IS NOT NULL AND id=?2", id, NULL, err,
                   "delete session");
}

bool store_session_rename(store *s, const char *id, const char *title, char **err)
{
    if (!title || strlen(title) > 500) {
        if (err) *err = xstrdup("title: at most 500 bytes");
        return false;
    }
    return exec_id(s, "UPDATE store_sessions SET title=?1, updated_ms=?2 WHERE id=?3", id, title,
                   err, "rename session");
}

bool store_session_set_status(store *s, const char *id, const char *status, char **err)
{
    return exec_id(s, "UPDATE store_sessions SET status=?1, updated_ms=?2 WHERE id=?3", id,
                   status ? status : "idle", err, "set status");
}

bool store_append(store *s, const char *id, const llm_message *msgs, size_t n,
                  const llm_usage *usage, char **err)
{
    if (!check_id(id, err)) return false;
    pthread_mutex_lock(&s->mu);
    bool ok = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        fail(err, s->db, "begin");
        pthread_mutex_unlock(&s->mu);
        return false;
    }
    sqlite3_stmt *st = NULL;
    bool reported = false;
    int64_t seq = 0, now = (int64_t)util_wall_ms();
    ok = sqlite3_prepare_v2(s->db, "SELECT coalesce(max(seq),0), (SELECT count(*) FROM "
                                   "store_sessions WHERE id=?1) FROM store_messages WHERE session=?1",
                            -1, &st, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        ok = sqlite3_step(st) == SQLITE_ROW;
        if (ok) {
            seq = sqlite3_column_int64(st, 0);
            if (sqlite3_column_int64(st, 1) == 0) {
                ok = false;
                if (err) *err = xasprintf("no session %s", id);
                reported = true;
                sqlite3_finalize(st);
                st = NULL;
                goto done;
            }
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (ok)
        ok = sqlite3_prepare_v2(s->db,
                                "INSERT INTO store_messages(session,seq,role,json,time_ms) "
                                "VALUES(?,?,?,?,?)",
                                -1, &st, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *j = llm_message_to_json(&msgs[i]);
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!text) {
            ok = false;
            break;
        }
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, ++seq);
        sqlite3_bind_text(st, 3, llm_role_name(msgs[i].role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, now);
        ok = sqlite3_step(st) == SQLITE_DONE;
        free(text);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (ok && usage) {
        ok = sqlite3_prepare_v2(s->db,
                                "INSERT INTO store_usage(session,time_ms,input,output,cached) "
                                "VALUES(?,?,?,?,?)",
                                -1, &st, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, now);
            sqlite3_bind_int64(st, 3, (int64_t)usage->input);
            sqlite3_bind_int64(st, 4, (int64_t)usage->output);
            sqlite3_bind_int64(st, 5, (int64_t)usage->cached);
            ok = sqlite3_step(st) == SQLITE_DONE;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (ok) {
        ok = sqlite3_prepare_v2(s->db,
                                "UPDATE store_sessions SET updated_ms=?1, input_tokens=input_tokens+?2,"
                                " output_tokens=output_tokens+?3, cached_tokens=cached_tokens+?4,"
                                " turns=turns+?5 WHERE id=?6",
                                -1, &st, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_int64(st, 1, now);
            sqlite3_bind_int64(st, 2, usage ? (int64_t)usage->input : 0);
            sqlite3_bind_int64(st, 3, usage ? (int64_t)usage->output : 0);
            sqlite3_bind_int64(st, 4, usage ? (int64_t)usage->cached : 0);
            sqlite3_bind_int64(st, 5, usage ? 1 : 0);
            sqlite3_bind_text(st, 6, id, -1, SQLITE_TRANSIENT);
            ok = sqlite3_step(st) == SQLITE_DONE;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (!ok && !reported) fail(err, s->db, "append messages");
done:
    if (ok) ok = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool store_load(store *s, const char *id, llm_conv *conv, char **err)
{
    store_session ss;
    if (!store_session_get(s, id, &ss, err)) return false;
    store_session_free(&ss);
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(s->db,
                                 "SELECT seq, json FROM store_messages WHERE session=? ORDER BY seq",
                                 -1, &st, NULL) == SQLITE_OK;
    if (!ok) fail(err, s->db, "load messages");
    else {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        int rc;
        while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *text = (const char *)sqlite3_column_text(st, 1);
            json_error_t je;
            json_t *j = json_loads(text ? text : "", 0, &je);
            llm_message m;
            char e2[200];
            if (!j || !llm_message_from_json(j, &m, e2, sizeof e2)) {
                if (err) *err = xasprintf("session %s message %lld is corrupt: %s", id,
                                          (long long)sqlite3_column_int64(st, 0),
                                          j ? e2 : je.text);
                ok = false;
            } else
                llm_conv_push(conv, &m);
            json_decref(j);
        }
        if (ok && rc != SQLITE_DONE) ok = fail(err, s->db, "load messages");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool store_usage_total(store *s, llm_usage *out, uint64_t *sessions, uint64_t *turns, char **err)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(s->db,
                                 "SELECT coalesce(sum(input_tokens),0), coalesce(sum(output_tokens),0),"
                                 " coalesce(sum(cached_tokens),0), count(*), coalesce(sum(turns),0)"
                                 " FROM store_sessions",
                                 -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW;
    if (ok) {
        out->input = (uint64_t)sqlite3_column_int64(st, 0);
        out->output = (uint64_t)sqlite3_column_int64(st, 1);
        out->cached = (uint64_t)sqlite3_column_int64(st, 2);
        if (sessions) *sessions = (uint64_t)sqlite3_column_int64(st, 3);
        if (turns) *turns = (uint64_t)sqlite3_column_int64(st, 4);
    } else
        fail(err, s->db, "usage totals");
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return ok;
}
