/* cmd_serve.c — `boxagent serve`: the HTTP API and dashboard (src/gateway/). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "gateway/gateway.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: boxagent serve [--host 127.0.0.1] [--port 8420] [--workspace DIR]\n"
               "                      [--web-dir DIR] [--shutdown-timeout MS] [--quiet]\n"
               "\n"
               "Serves the HTTP API under /api/v1 and the dashboard. Binds to loopback by\n"
               "default; a bearer token is created in <workspace>/.boxagent/token (mode 0600) at\n"
               "first start and printed once with the dashboard URL (--quiet prints only the URL).\n"
               "--port 0 picks a free port. SIGTERM stops accepting, lets running turns finish\n"
               "or cancels them after --shutdown-timeout, and flushes the database.\n");
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"host", required_argument, 0, 'H'},      {"port", required_argument, 0, 'p'},
        {"workspace", required_argument, 0, 'w'}, {"web-dir", required_argument, 0, 'd'},
        {"shutdown-timeout", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    gateway_options o = {.host = "127.0.0.1", .port = 8420};
    const char *ws = ".";
    uint64_t v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'H': o.host = optarg; break;
        case 'p':
            if (!util_parse_u64(optarg, &v) || v > 65535) {
                fprintf(stderr, "boxagent serve: --port must be 0..65535, got '%s'\n", optarg);
                return 2;
            }
            o.port = (uint16_t)v;
            break;
        case 'w': ws = optarg; break;
        case 'd': o.web_dir = optarg; break;
        case 't':
            if (!util_parse_duration_ms(optarg, &o.shutdown_ms)) {
                fprintf(stderr, "boxagent serve: bad --shutdown-timeout '%s'\n", optarg);
                return 2;
            }
            break;
        case 'q': o.quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "boxagent serve: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    char real[PATH_MAX];
    if (!realpath(ws, real)) {
        fprintf(stderr, "boxagent serve: workspace %s: not found\n", ws);
        return 1;
    }
    o.workspace = real;
    return gateway_serve(&o);
}
