/* gw_mhd_shim.c — libmicrohttpd, loaded on first use (only `boxagent serve` needs it): these
 * definitions carry libmicrohttpd's names and signatures, load libmicrohttpd.so.12 the first
 * time one is called and forward to it, so other commands do not load it and its TLS stack at
 * start-up. If it cannot be loaded, MHD_start_daemon returns NULL (the server says so). */
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>

#include "util/dynlib.h"

static const char *const names[] = {
    "MHD_start_daemon_va",   "MHD_stop_daemon",       "MHD_quiesce_daemon",
    "MHD_get_daemon_info",   "MHD_create_response_from_buffer",
    "MHD_create_response_from_callback", "MHD_add_response_header", "MHD_queue_response",
    "MHD_destroy_response",  "MHD_lookup_connection_value",
};
#define NFUNCS (sizeof names / sizeof names[0])

static union {
    void *slot[NFUNCS];
    struct {
        struct MHD_Daemon *(*start_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
                                       MHD_AccessHandlerCallback, void *, va_list);
        void (*stop)(struct MHD_Daemon *);
        MHD_socket (*quiesce)(struct MHD_Daemon *);
        const union MHD_DaemonInfo *(*info)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
        struct MHD_Response *(*from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
        struct MHD_Response *(*from_callback)(uint64_t, size_t, MHD_ContentReaderCallback, void *,
                                              MHD_ContentReaderFreeCallback);
        enum MHD_Result (*add_header)(struct MHD_Response *, const char *, const char *);
        enum MHD_Result (*queue)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
        void (*destroy)(struct MHD_Response *);
        const char *(*lookup)(struct MHD_Connection *, enum MHD_ValueKind, const char *);
    } f;
} lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool ok;

static void load(void) { ok = util_dynlib_load("libmicrohttpd.so.12", names, lib.slot, NFUNCS); }

static bool loaded(void)
{
    pthread_once(&once, load);
    return ok;
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    if (!loaded()) return NULL;
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d = lib.f.start_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

void MHD_stop_daemon(struct MHD_Daemon *d)
{
    if (loaded()) lib.f.stop(d);
}

MHD_socket MHD_quiesce_daemon(struct MHD_Daemon *d)
{
    return loaded() ? lib.f.quiesce(d) : MHD_INVALID_SOCKET;
}

/* The gateway asks only for information types that take no extra argument. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType t, ...)
{
    return loaded() ? lib.f.info(d, t) : NULL;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
                                                     enum MHD_ResponseMemoryMode mode)
{
    return loaded() ? lib.f.from_buffer(size, buffer, mode) : NULL;
}

struct MHD_Response *MHD_create_response_from_callback(uint64_t size, size_t block,
                                                       MHD_ContentReaderCallback crc, void *cls,
                                                       MHD_ContentReaderFreeCallback crfc)
{
    return loaded() ? lib.f.from_callback(size, block, crc, cls, crfc) : NULL;
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *r, const char *h, const char *v)
{
    return loaded() ? lib.f.add_header(r, h, v) : MHD_NO;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int status,
                                   struct MHD_Response *r)
{
    return loaded() ? lib.f.queue(c, status, r) : MHD_NO;
}

void MHD_destroy_response(struct MHD_Response *r)
{
    if (loaded()) lib.f.destroy(r);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind k,
                                        const char *key)
{
    return loaded() ? lib.f.lookup(c, k, key) : NULL;
}
