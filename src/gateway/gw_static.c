/* gw_static.c — serves the dashboard's files: embedded in the binary at build time
 * (scripts/embed-files.sh over web/), or from --web-dir while developing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_internal.h"
#include "util/util.h"

typedef struct asset {
    const char *name;
    const unsigned char *data;
    size_t size;
} asset;
extern const asset gw_assets[];

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".html")) return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js")) return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".css")) return "text/css; charset=utf-8";
    if (!strcmp(dot, ".svg")) return "image/svg+xml";
    if (!strcmp(dot, ".ico")) return "image/x-icon";
    return "application/octet-stream";
}

/* Asset names: [A-Za-z0-9._-]+ with no leading dot; no directories. */
static bool valid_name(const char *n)
{
    if (!*n || *n == '.' || strlen(n) > 64) return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            return false;
    return true;
}

gw_reply gw_static(const gw_request *r)
{
    const char *name = r->path[0] == '/' ? r->path + 1 : r->path;
    if (!*name) name = "index.html";
    if (!valid_name(name)) return gw_error(404, "not_found", "no such file");
    struct MHD_Response *resp = NULL;
    if (r->gw->web_dir) {
        char *path = xasprintf("%s/%s", r->gw->web_dir, name);
        size_t len;
        char *data = util_read_file(path, 16 << 20, &len);
        free(path);
        if (data) resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    } else {
        for (const asset *a = gw_assets; a->name; a++) {
            if (!strcmp(a->name, name)) {
                resp = MHD_create_response_from_buffer(a->size, (void *)a->data,
                                                       MHD_RESPMEM_PERSISTENT);
                break;
            }
        }
    }
    if (!resp) return gw_error(404, "not_found", "no such file: %s", name);
    MHD_add_response_header(resp, "Content-Type", content_type(name));
    gw_reply rep = {.status = 200, .resp = resp};
    return rep;
}
