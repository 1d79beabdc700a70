/* gateway.h — `boxagent serve`: the HTTP API (/api/v1) and the dashboard, on libmicrohttpd. */
#ifndef BOXAGENT_GATEWAY_H
#define BOXAGENT_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct gateway_options {
    const char *host;          /* default "127.0.0.1" */
    uint16_t port;             /* default 8420; 0 = any free port (printed) */
    const char *workspace;     /* absolute path */
    const char *web_dir;       /* serve dashboard files from here instead of the embedded copy */
    uint64_t shutdown_ms;      /* deadline for running turns on SIGTERM (default 10 s) */
    bool quiet;                /* do not print the token line */
} gateway_options;

/* Runs until SIGTERM/SIGINT. Returns a process exit status; on failure prints why. */
int gateway_serve(const gateway_options *o);

#endif
