/* http_get.c — a WebAssembly guest that fetches argv[1] through the boxagent_http host import
 * and prints "status N" and the body, or "errno N" when the host refused or failed. Used by
 * tests/suites/http_guest.sh: the guest reaches the network only as fetch: capabilities allow. */
#include <stdio.h>
#include <string.h>

__attribute__((import_module("boxagent_http"), import_name("request"))) int
boxagent_http_request(const char *req, int req_len, char *resp, int resp_cap, int *resp_len);

static char resp[65536];

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: http_get URL\n");
        return 2;
    }
    char req[2048];
    int n = snprintf(req, sizeof req, "{\"method\":\"GET\",\"url\":\"%s\"}", argv[1]);
    if (n < 0 || n >= (int)sizeof req) return 2;
    int len = 0;
    int e = boxagent_http_request(req, n, resp, (int)sizeof resp - 1, &len);
    if (e != 0) {
        printf("errno %d\n", e);
        return 1;
    }
    resp[len] = 0;
    printf("%s\n", resp);
    return 0;
}
