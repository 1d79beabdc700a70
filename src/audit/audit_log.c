/* audit_log.c — the audit log's storage: opening the workspace database (WAL, busy timeout),
 * appending hash-chained records in one BEGIN IMMEDIATE transaction each (safe with several
 * threads, handles and processes), listing with filters, and verifying the whole chain. */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "util/buf.h"
#include "util/util.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define BUSY_TIMEOUT_MS 15000
/* A closing handle truncates the write-ahead log once it holds more than this. The process
 * that next opens the database alone must rebuild the log's index by reading every frame
 * (recovery), so an unbounded log made every short command slower than the last. */
#define WAL_SHRINK_BYTES (256 * 1024)

struct audit_log {
    sqlite3 *db;
    pthread_mutex_t mu;
    sqlite3_stmt *st_head, *st_insert, *st_set_head; /* prepared once, reset after use */
};

static const char *const SCHEMA =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE IF NOT EXISTS audit ("
    " id INTEGER PRIMARY KEY,"
    " time_ms INTEGER NOT NULL, session TEXT NOT NULL, agent TEXT NOT NULL, tool TEXT NOT NULL,"
    " args_digest TEXT NOT NULL, args TEXT NOT NULL, decision TEXT NOT NULL, rule TEXT NOT NULL,"
    " fuel INTEGER NOT NULL, peak_memory INTEGER NOT NULL, wall_ms INTEGER NOT NULL,"
    " output_bytes INTEGER NOT NULL, result_digest TEXT NOT NULL, is_external INTEGER NOT NULL,"
    " prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS audit_by_session ON audit(session);"
    "CREATE TABLE IF NOT EXISTS audit_head ("
    " one INTEGER PRIMARY KEY CHECK (one = 1), last_id INTEGER NOT NULL, last_hash TEXT NOT NULL);"
    "COMMIT;";

#define COLS "id, time_ms, session, agent, tool, args_digest, args, decision, rule, fuel, " \
             "peak_memory, wall_ms, output_bytes, result_digest, is_external, prev_hash, hash"

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(char **err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0) m = NULL;
    va_end(ap);
    free(*err);
    *err = m ? m : xstrdup("audit: error");
}

const char *audit_decision_name(audit_decision d)
{
    switch (d) {
    case AUDIT_ALLOWED: return "allowed";
    case AUDIT_DENIED: return "denied";
    case AUDIT_ERROR: return "error";
    }
    return "?";
}

static bool decision_from_name(const char *s, audit_decision *d)
{
    if (!s) return false;
    if (!strcmp(s, "allowed")) *d = AUDIT_ALLOWED;
    else if (!strcmp(s, "denied")) *d = AUDIT_DENIED;
    else if (!strcmp(s, "error")) *d = AUDIT_ERROR;
    else return false;
    return true;
}

/* ------------------------------------------------------------------ hashing */

static void put_field(buf *b, const char *name, const char *v)
{
    if (!v) v = "";
    buf_printf(b, "%s=%zu:", name, strlen(v));
    buf_puts(b, v);
    buf_putc(b, '\n');
}

static void put_num(buf *b, const char *name, uint64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    put_field(b, name, t);
}

/* hash = SHA-256 over a length-prefixed serialisation of every field and prev_hash. */
static void record_hash(const audit_record *r, char out[65])
{
    buf b = BUF_INIT;
    buf_puts(&b, "boxagent-audit-v1\n");
    put_num(&b, "id", (uint64_t)r->id);
    put_num(&b, "time_ms", (uint64_t)r->time_ms);
    put_field(&b, "session", r->session);
    put_field(&b, "agent", r->agent);
    put_field(&b, "tool", r->tool);
    put_field(&b, "args_digest", r->args_digest);
    put_field(&b, "args", r->args);
    put_field(&b, "decision", audit_decision_name(r->decision));
    put_field(&b, "rule", r->rule);
    put_num(&b, "fuel", r->fuel);
    put_num(&b, "peak_memory", r->peak_memory);
    put_num(&b, "wall_ms", r->wall_ms);
    put_num(&b, "output_bytes", r->output_bytes);
    put_field(&b, "result_digest", r->result_digest);
    put_num(&b, "is_external", r->is_external ? 1 : 0);
    put_field(&b, "prev_hash", r->prev_hash);
    util_sha256_hex(b.data, b.len, out);
    buf_free(&b);
}

/* ------------------------------------------------------------------ open / close */

static bool exec_sql(sqlite3 *db, const char *sql, char **err)
{
    char *m = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &m) != SQLITE_OK) {
        set_err(err, "audit: %s", m ? m : sqlite3_errmsg(db));
        sqlite3_free(m);
        return false;
    }
    return true;
}

/* exec_sql, retried while the database is busy (up to the busy timeout): the only way to
 * wait out a lock SQLite reports at once instead of calling the busy handler. A failed
 * statement list is rolled back before the retry. */
static bool exec_busy_retry(sqlite3 *db, const char *sql, char **err)
{
    for (int waited_ms = 0;; ) {
        char *m = NULL;
        int rc = sqlite3_exec(db, sql, NULL, NULL, &m);
        if (rc == SQLITE_OK) return true;
        if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= BUSY_TIMEOUT_MS) {
            set_err(err, "audit: %s", m ? m : sqlite3_errmsg(db));
            sqlite3_free(m);
            return false;
        }
        sqlite3_free(m);
        int step = waited_ms < 50 ? 1 : 10;
        struct timespec ts = {0, step * 1000000L};
        nanosleep(&ts, NULL);
        waited_ms += step;
    }
}

audit_log *audit_open_db(const char *db_path, char **err)
{
    if (err) *err = NULL;
    if (!db_path || !*db_path) {
        set_err(err, "audit: no database path");
        return NULL;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(db_path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX |
                                 SQLITE_OPEN_NOFOLLOW,
                             NULL);
    if (rc != SQLITE_OK) {
        set_err(err, "audit: cannot open %s: %s", db_path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    /* Owner-only. Never open()/close() the file ourselves: closing any descriptor of it drops
     * every POSIX lock this process holds on it (other connections' too) — corruption. */
    chmod(db_path, 0600);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    /* Short-lived commands (exec, tool call) open, append one record and close: a checkpoint
     * (with its fsyncs) at every close cost more than the record. The WAL stays durable;
     * audit_close truncates it once it passes WAL_SHRINK_BYTES. */
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    /* While another process creates the file, journal_mode=WAL (and the schema transaction)
     * can fail with SQLITE_BUSY at once, without the busy handler: retry for the busy timeout. */
    if (!exec_busy_retry(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err) ||
        !exec_busy_retry(db, SCHEMA, err)) {
        sqlite3_close(db);
        return NULL;
    }
    audit_log *h = xcalloc(1, sizeof(*h));
    h->db = db;
    pthread_mutex_init(&h->mu, NULL);
    return h;
}

audit_log *audit_open(const char *workspace_dir, char **err)
{
    if (err) *err = NULL;
    if (!workspace_dir || !*workspace_dir) {
        set_err(err, "audit: no workspace directory");
        return NULL;
    }
    struct stat st;
    if (stat(workspace_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        set_err(err, "audit: workspace %s is not a directory", workspace_dir);
        return NULL;
    }
    char *dir = xasprintf("%s/.boxagent", workspace_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        set_err(err, "audit: cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        set_err(err, "audit: %s is not a directory", dir);
        free(dir);
        return NULL;
    }
    char *path = xasprintf("%s/boxagent.db", dir);
    free(dir);
    audit_log *h = audit_open_db(path, err);
    free(path);
    return h;
}

/* Truncate the WAL when it has grown past WAL_SHRINK_BYTES and nobody else is using the
 * database right now. A recovering opener forgets how much of the WAL was already copied back,
 * so without this the WAL was never restarted and grew with every record. The checkpoint does
 * not wait: if another connection is busy, it keeps the WAL in check itself. */
static void shrink_wal(sqlite3 *db)
{
    const char *wal = sqlite3_filename_wal(sqlite3_db_filename(db, "main"));
    struct stat st;
    if (!wal || stat(wal, &st) != 0 || st.st_size <= WAL_SHRINK_BYTES) return;
    sqlite3_busy_timeout(db, 0);
    sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

void audit_close(audit_log *h)
{
    if (!h) return;
    sqlite3_finalize(h->st_head);
    sqlite3_finalize(h->st_insert);
    sqlite3_finalize(h->st_set_head);
    shrink_wal(h->db);
    sqlite3_close(h->db);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* ------------------------------------------------------------------ append */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_TRANSIENT);
}

/* A cached statement, prepared on first use. */
static sqlite3_stmt *cached(audit_log *h, sqlite3_stmt **slot, const char *sql)
{
    if (!*slot &&
        sqlite3_prepare_v3(h->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    return *slot;
}

static bool append_locked(audit_log *h, audit_record *r, char hash[65], char **err)
{
    sqlite3 *db = h->db;
    if (!exec_sql(db, "BEGIN IMMEDIATE;", err)) return false;
    sqlite3_stmt *st;
    char prev[65] = GENESIS;
    int64_t last = 0;
    st = cached(h, &h->st_head, "SELECT last_id, last_hash FROM audit_head WHERE one = 1");
    if (!st) goto dberr;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        const char *lh = (const char *)sqlite3_column_text(st, 1);
        if (!lh || strlen(lh) != 64) {
            set_err(err, "audit: the head row is damaged (run 'boxagent audit verify')");
            goto fail;
        }
        memcpy(prev, lh, 65);
    } else if (rc != SQLITE_DONE) {
        goto dberr;
    }
    sqlite3_reset(st);
    r->id = last + 1;
    r->prev_hash = prev;
    record_hash(r, hash);
    r->hash = hash;
    st = cached(h, &h->st_insert, "INSERT INTO audit (" COLS ") VALUES "
                                  "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) goto dberr;
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_int64(st, 2, r->time_ms);
    bind_text(st, 3, r->session);
    bind_text(st, 4, r->agent);
    bind_text(st, 5, r->tool);
    bind_text(st, 6, r->args_digest);
    bind_text(st, 7, r->args);
    bind_text(st, 8, audit_decision_name(r->decision));
    bind_text(st, 9, r->rule);
    sqlite3_bind_int64(st, 10, (int64_t)r->fuel);
    sqlite3_bind_int64(st, 11, (int64_t)r->peak_memory);
    sqlite3_bind_int64(st, 12, (int64_t)r->wall_ms);
    sqlite3_bind_int64(st, 13, (int64_t)r->output_bytes);
    bind_text(st, 14, r->result_digest);
    sqlite3_bind_int(st, 15, r->is_external ? 1 : 0);
    bind_text(st, 16, r->prev_hash);
    bind_text(st, 17, hash);
    if (sqlite3_step(st) != SQLITE_DONE) goto dberr;
    sqlite3_reset(st);
    st = cached(h, &h->st_set_head,
                "INSERT INTO audit_head (one, last_id, last_hash) VALUES (1, ?, ?) "
                "ON CONFLICT(one) DO UPDATE SET last_id = excluded.last_id, "
                "last_hash = excluded.last_hash");
    if (!st) goto dberr;
    sqlite3_bind_int64(st, 1, r->id);
    bind_text(st, 2, hash);
    if (sqlite3_step(st) != SQLITE_DONE) goto dberr;
    sqlite3_reset(st);
    if (!exec_sql(db, "COMMIT;", err)) goto fail;
    return true;
dberr:
    set_err(err, "audit: %s", sqlite3_errmsg(db));
fail:
    if (h->st_head) sqlite3_reset(h->st_head);
    if (h->st_insert) sqlite3_reset(h->st_insert);
    if (h->st_set_head) sqlite3_reset(h->st_set_head);
    sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    return false;
}

/* Storage caps: the digest covers everything; what is stored for reading is bounded. */
#define ARGS_STORE_MAX (64 * 1024)
#define TEXT_STORE_MAX 4096
#define NAME_STORE_MAX 512

/* s, or a shortened copy in *owned (cut on a UTF-8 boundary, with the full length noted). */
static const char *clip(const char *s, size_t max, char **owned)
{
    *owned = NULL;
    if (!s) return "";
    size_t n = strlen(s);
    if (n <= max) return s;
    size_t cut = max;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
    *owned = xasprintf("%.*s…[%zu bytes in all]", (int)cut, s, n);
    return *owned;
}

bool audit_append(audit_log *h, const audit_record *in, int64_t *id_out, char hash_out[65],
                  char **err)
{
    if (err) *err = NULL;
    if (!h || !in) {
        set_err(err, "audit: no log or record");
        return false;
    }
    if (in->decision != AUDIT_ALLOWED && in->decision != AUDIT_DENIED &&
        in->decision != AUDIT_ERROR) {
        set_err(err, "audit: invalid decision %d", (int)in->decision);
        return false;
    }
    audit_record r = *in;
    if (r.time_ms <= 0) r.time_ms = (int64_t)util_wall_ms();
    char adig[65], rdig[65], hash[65];
    if (!r.args_digest) {
        audit_args_digest(in->args, adig);
        r.args_digest = adig;
    }
    char *red = audit_redact(in->args);
    char *cut_args = NULL, *cut_rule = NULL, *cut_s = NULL, *cut_a = NULL, *cut_t = NULL;
    r.args = clip(red, ARGS_STORE_MAX, &cut_args);
    char *red_rule = audit_redact_text(in->rule); /* reasons may quote URLs with keys */
    r.rule = clip(red_rule, TEXT_STORE_MAX, &cut_rule);
    r.session = clip(in->session, NAME_STORE_MAX, &cut_s);
    r.agent = clip(in->agent, NAME_STORE_MAX, &cut_a);
    r.tool = clip(in->tool, NAME_STORE_MAX, &cut_t);
    if (!r.result_digest) {
        util_sha256_hex(in->result ? in->result : "", in->result ? in->result_len : 0, rdig);
        r.result_digest = rdig;
    }
    pthread_mutex_lock(&h->mu);
    bool ok = append_locked(h, &r, hash, err);
    pthread_mutex_unlock(&h->mu);
    free(red);
    free(cut_args);
    free(cut_rule);
    free(red_rule);
    free(cut_s);
    free(cut_a);
    free(cut_t);
    if (ok) {
        if (id_out) *id_out = r.id;
        if (hash_out) memcpy(hash_out, hash, 65);
    }
    return ok;
}

/* ------------------------------------------------------------------ list / verify */

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

/* Fill r from a row of COLS; false if a column has the wrong type or an unknown decision. */
static bool row_to_record(sqlite3_stmt *st, audit_record *r, const char **why)
{
    static const int int_cols[] = {0, 1, 9, 10, 11, 12, 14};
    static const int text_cols[] = {2, 3, 4, 5, 6, 7, 8, 13, 15, 16};
    /* fill everything first (never NULL strings), then judge */
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    r->time_ms = sqlite3_column_int64(st, 1);
    r->session = col_text(st, 2);
    r->agent = col_text(st, 3);
    r->tool = col_text(st, 4);
    r->args_digest = col_text(st, 5);
    r->args = col_text(st, 6);
    r->rule = col_text(st, 8);
    r->fuel = (uint64_t)sqlite3_column_int64(st, 9);
    r->peak_memory = (uint64_t)sqlite3_column_int64(st, 10);
    r->wall_ms = (uint64_t)sqlite3_column_int64(st, 11);
    r->output_bytes = (uint64_t)sqlite3_column_int64(st, 12);
    r->result_digest = col_text(st, 13);
    int64_t ext = sqlite3_column_int64(st, 14);
    r->is_external = ext != 0;
    r->prev_hash = col_text(st, 15);
    r->hash = col_text(st, 16);
    r->decision = AUDIT_ERROR;
    bool known = decision_from_name(col_text(st, 7), &r->decision);
    for (size_t i = 0; i < sizeof(int_cols) / sizeof(int_cols[0]); i++)
        if (sqlite3_column_type(st, int_cols[i]) != SQLITE_INTEGER) {
            *why = "a number column holds something else";
            return false;
        }
    for (size_t i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++)
        if (sqlite3_column_type(st, text_cols[i]) != SQLITE_TEXT) {
            *why = "a text column holds something else";
            return false;
        }
    if (ext != 0 && ext != 1) {
        *why = "is_external is neither 0 nor 1";
        return false;
    }
    if (!known) {
        *why = "unknown decision";
        return false;
    }
    return true;
}

bool audit_list(audit_log *h, const audit_filter *f, int (*cb)(const audit_record *, void *),
                void *ctx, char **err)
{
    if (err) *err = NULL;
    if (!h || !cb) {
        set_err(err, "audit: no log or callback");
        return false;
    }
    buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT " COLS " FROM audit WHERE id > ?1");
    if (f && f->session) buf_puts(&sql, " AND session = ?2");
    if (f && f->agent) buf_puts(&sql, " AND agent = ?3");
    if (f && f->tool) buf_puts(&sql, " AND tool = ?4");
    buf_puts(&sql, " ORDER BY id");
    if (f && f->limit) buf_puts(&sql, " LIMIT ?5");
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&h->mu);
    bool ok = false;
    if (sqlite3_prepare_v2(h->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "audit: %s", sqlite3_errmsg(h->db));
        goto out;
    }
    sqlite3_bind_int64(st, 1, f ? f->after_id : 0);
    if (f && f->session) bind_text(st, 2, f->session);
    if (f && f->agent) bind_text(st, 3, f->agent);
    if (f && f->tool) bind_text(st, 4, f->tool);
    if (f && f->limit) sqlite3_bind_int64(st, 5, (int64_t)f->limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        audit_record r;
        const char *why = NULL;
        row_to_record(st, &r, &why); /* a damaged row is shown anyway; verify names it */
        if (cb(&r, ctx)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        set_err(err, "audit: %s", sqlite3_errmsg(h->db));
        goto out;
    }
    ok = true;
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&h->mu);
    buf_free(&sql);
    return ok;
}

static bool vfail(int64_t *bad, int64_t id, char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool vfail(int64_t *bad, int64_t id, char *msg, size_t msglen, const char *fmt, ...)
{
    if (bad) *bad = id;
    if (msg && msglen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    return false;
}

bool audit_verify(audit_log *h, int64_t *first_bad_id, char *msg, size_t msglen)
{
    if (first_bad_id) *first_bad_id = 0;
    if (msg && msglen) msg[0] = '\0';
    if (!h) return vfail(first_bad_id, 0, msg, msglen, "no audit log");
    pthread_mutex_lock(&h->mu);
    bool ok = false;
    sqlite3_stmt *st = NULL;
    /* one read transaction so concurrent appends do not shift the picture */
    if (sqlite3_exec(h->db, "BEGIN;", NULL, NULL, NULL) != SQLITE_OK) {
        vfail(first_bad_id, 0, msg, msglen, "database error: %s", sqlite3_errmsg(h->db));
        goto out_nolock;
    }
    if (sqlite3_prepare_v2(h->db, "SELECT " COLS " FROM audit ORDER BY id", -1, &st, NULL) !=
        SQLITE_OK) {
        vfail(first_bad_id, 0, msg, msglen, "database error: %s", sqlite3_errmsg(h->db));
        goto out;
    }
    char prev[65] = GENESIS;
    int64_t expect = 1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        audit_record r;
        const char *why = NULL;
        int64_t id = sqlite3_column_int64(st, 0);
        if (!row_to_record(st, &r, &why)) {
            vfail(first_bad_id, id, msg, msglen, "record %lld: %s", (long long)id, why);
            goto out;
        }
        if (r.id != expect) {
            vfail(first_bad_id, expect, msg, msglen,
                  r.id > expect ? "record %lld is missing (the next record is %lld)"
                                : "record %lld is out of sequence (found %lld)",
                  (long long)expect, (long long)r.id);
            goto out;
        }
        if (strcmp(r.prev_hash, prev) != 0) {
            vfail(first_bad_id, r.id, msg, msglen,
                  "record %lld: its previous-record hash does not match record %lld (a record "
                  "was changed, removed or reordered)", (long long)r.id, (long long)r.id - 1);
            goto out;
        }
        char calc[65];
        record_hash(&r, calc);
        if (strcmp(calc, r.hash) != 0) {
            vfail(first_bad_id, r.id, msg, msglen,
                  "record %lld: its contents do not match its hash (the record was changed)",
                  (long long)r.id);
            goto out;
        }
        memcpy(prev, r.hash, 65);
        expect++;
    }
    if (rc != SQLITE_DONE) {
        vfail(first_bad_id, expect, msg, msglen, "database error: %s", sqlite3_errmsg(h->db));
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    int64_t n = expect - 1;
    if (sqlite3_prepare_v2(h->db, "SELECT last_id, last_hash FROM audit_head", -1, &st, NULL) !=
        SQLITE_OK) {
        vfail(first_bad_id, 0, msg, msglen, "database error: %s", sqlite3_errmsg(h->db));
        goto out;
    }
    int heads = 0;
    int64_t hid = 0;
    char hhash[65] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        heads++;
        hid = sqlite3_column_int64(st, 0);
        snprintf(hhash, sizeof hhash, "%s", col_text(st, 1));
    }
    if (heads == 0 && n > 0) {
        vfail(first_bad_id, n, msg, msglen, "the head row is missing (it should name record %lld)",
              (long long)n);
        goto out;
    }
    if (heads > 1) {
        vfail(first_bad_id, n, msg, msglen, "more than one head row");
        goto out;
    }
    if (heads == 1 && hid != n) {
        vfail(first_bad_id, hid > n ? n + 1 : hid, msg, msglen,
              hid > n ? "record %lld is missing: the log ends at record %lld but its head "
                        "names record %lld (records were removed from the end)"
                      : "record %lld: the head names it as the last record, but the log goes "
                        "on to %lld (head %lld)",
              (long long)(hid > n ? n + 1 : hid), (long long)n, (long long)hid);
        goto out;
    }
    if (heads == 1 && strcmp(hhash, prev) != 0) {
        vfail(first_bad_id, n, msg, msglen,
              "record %lld: its hash does not match the head (the last record was replaced)",
              (long long)n);
        goto out;
    }
    ok = true;
    if (msg && msglen)
        snprintf(msg, msglen, "%lld records, chain intact, head %s", (long long)n, prev);
out:
    sqlite3_finalize(st);
    sqlite3_exec(h->db, "COMMIT;", NULL, NULL, NULL);
out_nolock:
    pthread_mutex_unlock(&h->mu);
    return ok;
}
