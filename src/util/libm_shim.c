/* libm_shim.c — the libm functions the statically linked SQLite refers to (its SQL math
 * functions: acos(), pow(), sqrt(), ... and a few uses of log/exp/fmod/trunc), loaded from libm.so.6
 * the first time one is called. boxagent never calls them on the paths that matter for start-up
 * (the engine rounds and takes square roots without libm), and loading libm at every start cost
 * about 50 us of each `run-wasm`/`exec`/`tool call` process. If libm cannot be loaded (it is
 * part of glibc, so only on a broken system) the functions return NaN. */
#include <math.h>
#include <pthread.h>

#include "util/dynlib.h"

#define LIBM_FUNCS(X)                                                                            \
    X(acos) X(acosh) X(asin) X(asinh) X(atan) X(atanh) X(cos) X(cosh) X(exp) X(log) X(sin)        \
    X(sinh) X(sqrt) X(tan) X(tanh) X(trunc)

enum {
#define SLOT(name) LIBM_##name,
    LIBM_FUNCS(SLOT)
#undef SLOT
    LIBM_atan2, LIBM_fmod, LIBM_pow, LIBM_COUNT
};

static const char *const names[LIBM_COUNT] = {
#define NAME(name) [LIBM_##name] = #name,
    LIBM_FUNCS(NAME)
#undef NAME
    [LIBM_atan2] = "atan2", [LIBM_fmod] = "fmod", [LIBM_pow] = "pow",
};

static void *slots[LIBM_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    util_dynlib_load("libm.so.6", names, slots, LIBM_COUNT);
}

static void *fn(int i)
{
    pthread_once(&once, load);
    return slots[i];
}

#define ONE_ARG(name)                                                                            \
    double name(double x)                                                                        \
    {                                                                                            \
        double (*f)(double) = (double (*)(double))fn(LIBM_##name);                               \
        return f ? f(x) : NAN;                                                                   \
    }
LIBM_FUNCS(ONE_ARG)
#undef ONE_ARG

#define TWO_ARGS(name)                                                                           \
    double name(double x, double y)                                                              \
    {                                                                                            \
        double (*f)(double, double) = (double (*)(double, double))fn(LIBM_##name);               \
        return f ? f(x, y) : NAN;                                                                \
    }
TWO_ARGS(atan2)
TWO_ARGS(fmod)
TWO_ARGS(pow)
#undef TWO_ARGS
