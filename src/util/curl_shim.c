/* curl_shim.c — libcurl, loaded on first use. egress/ and llm/ call libcurl's functions as
 * usual; they resolve to these definitions (same names and signatures), which load
 * libcurl.so.4 the first time one is called and forward to it. Commands that never touch the
 * network no longer load libcurl and its thirty dependencies at start-up. If libcurl cannot be
 * loaded, the functions fail the way libcurl reports failure (NULL handles,
 * CURLE_FAILED_INIT), after one line on stderr. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>

#include "util/dynlib.h"

static const char *const names[] = {
    "curl_global_init", "curl_easy_init",     "curl_easy_setopt",  "curl_easy_perform",
    "curl_easy_cleanup", "curl_easy_getinfo", "curl_easy_strerror", "curl_free",
    "curl_slist_append", "curl_slist_free_all", "curl_url",        "curl_url_cleanup",
    "curl_url_get",      "curl_url_set",      "curl_url_strerror",
};
#define NFUNCS (sizeof names / sizeof names[0])

static union {
    void *slot[NFUNCS];
    struct {
        CURLcode (*global_init)(long);
        CURL *(*easy_init)(void);
        CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
        CURLcode (*easy_perform)(CURL *);
        void (*easy_cleanup)(CURL *);
        CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
        const char *(*easy_strerror)(CURLcode);
        void (*free)(void *);
        struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
        void (*slist_free_all)(struct curl_slist *);
        CURLU *(*url)(void);
        void (*url_cleanup)(CURLU *);
        CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
        CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
        const char *(*url_strerror)(CURLUcode);
    } f;
} lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool ok;

static void load(void) { ok = util_dynlib_load("libcurl.so.4", names, lib.slot, NFUNCS); }

static bool loaded(void)
{
    pthread_once(&once, load);
    return ok;
}

CURLcode curl_global_init(long flags) { return loaded() ? lib.f.global_init(flags) : CURLE_FAILED_INIT; }

CURL *curl_easy_init(void) { return loaded() ? lib.f.easy_init() : NULL; }

/* The third argument's type follows from the option's number range (curl.h, CURLOPTTYPE_*). */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
    if (!loaded()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT) rc = lib.f.easy_setopt(h, opt, va_arg(ap, long));
    else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
        rc = lib.f.easy_setopt(h, opt, va_arg(ap, curl_off_t));
    else rc = lib.f.easy_setopt(h, opt, va_arg(ap, void *)); /* objects, functions, blobs */
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *h) { return loaded() ? lib.f.easy_perform(h) : CURLE_FAILED_INIT; }

void curl_easy_cleanup(CURL *h)
{
    if (loaded()) lib.f.easy_cleanup(h);
}

/* Every CURLINFO takes a pointer to where the value goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    if (!loaded()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    CURLcode rc = lib.f.easy_getinfo(h, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

const char *curl_easy_strerror(CURLcode c)
{
    return loaded() ? lib.f.easy_strerror(c) : "libcurl could not be loaded";
}

void curl_free(void *p)
{
    if (loaded()) lib.f.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
    return loaded() ? lib.f.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
    if (loaded()) lib.f.slist_free_all(l);
}

CURLU *curl_url(void) { return loaded() ? lib.f.url() : NULL; }

void curl_url_cleanup(CURLU *u)
{
    if (loaded()) lib.f.url_cleanup(u);
}

CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
    return loaded() ? lib.f.url_get(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
    return loaded() ? lib.f.url_set(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

const char *curl_url_strerror(CURLUcode c)
{
    return loaded() ? lib.f.url_strerror(c) : "libcurl could not be loaded";
}
