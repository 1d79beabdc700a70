/* dynlib.h — loading a shared library on first use (dlopen), for the heavy libraries that only
 * some commands need (libcurl, libmicrohttpd): linking them normally made every `boxagent`
 * command, even `run-wasm` and `exec`, pay for loading some thirty shared objects at start. */
#ifndef BOXAGENT_UTIL_DYNLIB_H
#define BOXAGENT_UTIL_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

/* Open `soname` and resolve every name in `names` into `slots` (same order). On failure prints
 * one line to stderr naming the library and what is missing, and returns false; `slots` are
 * then all NULL. Not thread-safe by itself: call it under pthread_once. */
bool util_dynlib_load(const char *soname, const char *const *names, void **slots, size_t n);

/* From now on util_dynlib_load fails, printing `why` (kept, not copied): the static build. */
void util_dynlib_refuse(const char *why);

#endif
