/* testsrv.h — a tiny threaded HTTP/1.1 test server for egress tests (self-contained: libc and
 * pthreads only). Routes:
 *   /hello            200 text/plain "hello world\n"
 *   /html             200 text/html sample page
 *   /json             200 application/json {"a":1,"b":[true,null,"x"]}
 *   /bin              200 application/octet-stream, bytes with NULs
 *   /latin1           200 text/html (no charset in the header), ISO-8859-1 body with <meta>
 *   /text?n=N         200 text/plain, N bytes of 'x'
 *   /redirect?to=URL[&code=N]   N (default 302) with Location: URL (URL percent-decoded)
 *   /loop             302 Location: /loop
 *   /stream           200, no length, writes forever until the client goes away
 *   /hang             reads the request and never answers
 *   /echo             200 text/plain: "METHOD TARGET\n" + request headers + "\n" + body
 *   /status/N         status N, empty body
 * Everything else: 404. Each request is counted (testsrv_hits). */
#ifndef BOXAGENT_TESTSRV_H
#define BOXAGENT_TESTSRV_H

typedef struct testsrv testsrv;

/* Listen on bind_ip ("127.0.0.1", "::1", ...) at `port` (0 = ephemeral). NULL on failure. */
testsrv *testsrv_start(const char *bind_ip, int port);
int testsrv_port(const testsrv *s);
unsigned testsrv_hits(const testsrv *s);
/* Stops accepting, wakes every handler (hang/stream end) and waits for them. */
void testsrv_stop(testsrv *s);

#endif
