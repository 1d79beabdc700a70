/* dynlib.c — see dynlib.h. */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static const char *refused;

void util_dynlib_refuse(const char *why)
{
    refused = why;
}

bool util_dynlib_load(const char *soname, const char *const *names, void **slots, size_t n)
{
    if (refused) {
        fprintf(stderr, "boxagent: cannot load %s: %s\n", soname, refused);
        memset(slots, 0, n * sizeof *slots);
        return false;
    }
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "boxagent: cannot load %s: %s\n", soname, dlerror());
        memset(slots, 0, n * sizeof *slots);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        slots[i] = dlsym(h, names[i]);
        if (!slots[i]) {
            fprintf(stderr, "boxagent: %s has no symbol %s\n", soname, names[i]);
            memset(slots, 0, n * sizeof *slots);
            dlclose(h);
            return false;
        }
    }
    return true; /* the library stays loaded for the life of the process */
}
