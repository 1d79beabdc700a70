/* gw_api_audit.c — GET /api/v1/audit (records with filters + the chain's verification status)
 * and GET /api/v1/audit/verify. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "gateway/gw_internal.h"
#include "util/util.h"

typedef struct collect {
    json_t *arr;
    const char *decision; /* filter, NULL = any */
} collect;

static int add_record(const audit_record *r, void *ctx)
{
    collect *c = ctx;
    const char *d = audit_decision_name(r->decision);
    if (c->decision && strcmp(c->decision, d)) return 0;
    json_array_append_new(
        c->arr, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:s,s:b,s:s}",
                          "id", (json_int_t)r->id, "time_ms", (json_int_t)r->time_ms, "session",
                          r->session ? r->session : "", "agent", r->agent ? r->agent : "", "tool",
                          r->tool ? r->tool : "", "args", r->args ? r->args : "", "args_digest",
                          r->args_digest ? r->args_digest : "", "decision", d, "rule",
                          r->rule ? r->rule : "", "fuel", (json_int_t)r->fuel, "peak_memory",
                          (json_int_t)r->peak_memory, "wall_ms", (json_int_t)r->wall_ms,
                          "output_bytes", (json_int_t)r->output_bytes, "result_digest",
                          r->result_digest ? r->result_digest : "", "is_external",
                          r->is_external, "hash", r->hash ? r->hash : ""));
    return 0;
}

static json_t *chain_status(audit_log *h)
{
    int64_t bad = 0;
    char msg[256] = "";
    bool ok = audit_verify(h, &bad, msg, sizeof msg);
    return ok ? json_pack("{s:b}", "ok", 1)
              : json_pack("{s:b,s:I,s:s}", "ok", 0, "first_bad", (json_int_t)bad, "message", msg);
}

gw_reply gw_api_audit(gw_request *r, const char *rest)
{
    if (strcmp(r->method, "GET")) return gw_error(405, "method_not_allowed", "use GET");
    char *err = NULL;
    audit_log *h = audit_open(r->gw->workspace, &err);
    if (!h) {
        gw_reply e = gw_error(500, "audit_unavailable", "cannot open the audit log: %s",
                              err ? err : "unknown error");
        free(err);
        return e;
    }
    gw_reply rep;
    if (!strcmp(rest, "/verify")) {
        rep = gw_json(200, chain_status(h));
    } else if (!*rest) {
        audit_filter f = {0};
        f.session = gw_query(r, "session");
        f.tool = gw_query(r, "tool");
        f.agent = gw_query(r, "agent");
        const char *dec = gw_query(r, "decision");
        const char *after = gw_query(r, "after");
        const char *limit = gw_query(r, "limit");
        uint64_t n = 0;
        if (dec && *dec && strcmp(dec, "allowed") && strcmp(dec, "denied") && strcmp(dec, "error")) {
            audit_close(h);
            return gw_error(400, "bad_request", "decision must be allowed, denied or error");
        }
        if ((after && *after && !util_parse_u64(after, &n)) ||
            (limit && *limit && !util_parse_u64(limit, &n))) {
            audit_close(h);
            return gw_error(400, "bad_request", "after and limit must be whole numbers");
        }
        if (after && *after) util_parse_u64(after, &n), f.after_id = (int64_t)n;
        size_t want = 200;
        if (limit && *limit) util_parse_u64(limit, &n), want = n > 1000 ? 1000 : (size_t)n;
        if (f.session && !*f.session) f.session = NULL;
        if (f.tool && !*f.tool) f.tool = NULL;
        if (f.agent && !*f.agent) f.agent = NULL;
        collect c = {json_array(), (dec && *dec) ? dec : NULL};
        if (!audit_list(h, &f, add_record, &c, &err)) {
            json_decref(c.arr);
            rep = gw_error(500, "audit_error", "reading the audit log failed: %s", err ? err : "?");
            free(err);
        } else {
            /* newest first, at most `want` */
            json_t *out = json_array();
            size_t total = json_array_size(c.arr);
            for (size_t i = total; i > 0 && json_array_size(out) < want; i--)
                json_array_append(out, json_array_get(c.arr, i - 1));
            json_decref(c.arr);
            rep = gw_json(200, json_pack("{s:o,s:o,s:I}", "records", out, "chain", chain_status(h),
                                         "total", (json_int_t)total));
        }
    } else {
        rep = gw_error(404, "not_found", "no audit endpoint %s", rest);
    }
    audit_close(h);
    return rep;
}
