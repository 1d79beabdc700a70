/* gw_live.h — live sessions in the gateway: turns running on worker threads, each session's
 * event log (sequence-numbered, bounded) and the server-sent-event streams that follow it. A
 * turn never waits for a browser: workers append to the log; streams read from it and can
 * resume after any sequence number they saw. */
#ifndef BOXAGENT_GW_LIVE_H
#define BOXAGENT_GW_LIVE_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct gw_server;
typedef struct gw_live gw_live;

gw_live *gw_live_new(struct gw_server *gw);
/* Cancel running turns that do not finish within deadline_ms; wake every stream. */
void gw_live_shutdown(gw_live *l, uint64_t deadline_ms);
void gw_live_free(gw_live *l);

store *gw_live_store(gw_live *l);

/* Start a turn with the user's text. false + HTTP status and message: 409 when a turn is
 * already running, 404 for an unknown session, 503 when shutting down, 500 otherwise. */
bool gw_live_start_turn(gw_live *l, const char *session_id, const char *text, unsigned *status,
                        char *err, size_t errlen);
bool gw_live_cancel(gw_live *l, const char *session_id); /* false if nothing was running */
bool gw_live_running(gw_live *l, const char *session_id);
uint64_t gw_live_last_seq(gw_live *l, const char *session_id);
/* An SSE response with the events after `after`, following the running turn until it ends. */
struct MHD_Response *gw_live_stream(gw_live *l, const char *session_id, uint64_t after);

#endif
