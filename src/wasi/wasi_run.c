/* wasi_run.c — runs a WASI command: instantiate with the limits, call _start under a shared
 * watchdog thread that interrupts the instance at its deadline, and report what happened
 * (exit status, trap, which limit stopped it, fuel, peak memory, wall time, output). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/util.h"
#include "wasi/wasi_int.h"

/* ---------------------------------------------------------------- watchdog
 * One thread for the whole process, started on first use; runs register a deadline and
 * unregister before their instance is freed (interrupt is called under the same lock). */

typedef struct wd_entry {
    wasm_instance *in;
    uint64_t deadline_ns;
    bool fired;
    struct wd_entry *next;
} wd_entry;

static pthread_mutex_t wd_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cv;
static pthread_once_t wd_once = PTHREAD_ONCE_INIT;
static bool wd_ok;
static wd_entry *wd_head;
static uint64_t wd_wake = UINT64_MAX; /* when the thread will look next (UINT64_MAX: idle) */

static void *wd_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wd_mu);
    for (;;) {
        uint64_t now = util_now_ns(), next = UINT64_MAX;
        for (wd_entry *e = wd_head; e; e = e->next) {
            if (e->fired)
                continue;
            if (e->deadline_ns <= now) {
                wasm_instance_interrupt(e->in);
                e->fired = true;
            } else if (e->deadline_ns < next) {
                next = e->deadline_ns;
            }
        }
        wd_wake = next;
        if (next == UINT64_MAX) {
            pthread_cond_wait(&wd_cv, &wd_mu);
        } else {
            struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
            pthread_cond_timedwait(&wd_cv, &wd_mu, &ts);
        }
    }
    return NULL;
}

static void wd_start(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&wd_cv, &a);
    pthread_condattr_destroy(&a);
    pthread_t t;
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&ta, 64 * 1024);
    wd_ok = pthread_create(&t, &ta, wd_main, NULL) == 0;
    pthread_attr_destroy(&ta);
}

static bool wd_add(wd_entry *e)
{
    pthread_once(&wd_once, wd_start);
    if (!wd_ok)
        return false;
    pthread_mutex_lock(&wd_mu);
    e->next = wd_head;
    wd_head = e;
    /* Wake the thread only if it would sleep past this deadline: most runs end long before
     * their timeout, and a wake-up per run would cost a context switch each. */
    if (e->deadline_ns < wd_wake) {
        wd_wake = e->deadline_ns;
        pthread_cond_signal(&wd_cv);
    }
    pthread_mutex_unlock(&wd_mu);
    return true;
}

static void wd_remove(wd_entry *e)
{
    pthread_mutex_lock(&wd_mu);
    for (wd_entry **p = &wd_head; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    pthread_mutex_unlock(&wd_mu);
}

/* ---------------------------------------------------------------- run */

static uint64_t pick(uint64_t a, bool has, uint64_t b)
{
    return a ? a : has ? b : 0;
}

int wasi_run(wasi_ctx *c, const wasm_module *m, const wasm_linker *l,
             const wasi_run_limits *lim, wasi_result *res)
{
    memset(res, 0, sizeof *res);
    uint64_t t0 = util_now_ns();
    wasi_run_limits none = {0};
    if (!lim)
        lim = &none;
    const policy_limits *pl = c->caps ? &c->caps->limits : NULL;
    uint64_t fuel = pick(lim->fuel, pl && pl->has_fuel, pl ? pl->fuel : 0);
    uint64_t memb = pick(lim->memory_bytes, pl && pl->has_memory, pl ? pl->memory : 0);
    uint64_t tmo = pick(lim->timeout_ms, pl && pl->has_timeout, pl ? pl->timeout_ms : 0);
    uint64_t stack = pick(lim->stack, pl && pl->has_stack, pl ? pl->stack : 0);
    if (stack > UINT32_MAX)
        stack = UINT32_MAX;

    wasm_error werr;
    werr.message[0] = 0;
    wasm_linker *own = NULL;
    if (!l) {
        own = wasm_linker_new();
        if (!own || !wasi_link_imports(own, m, &werr)) {
            snprintf(res->message, sizeof res->message, "cannot link WASI: %.480s", werr.message);
            wasm_linker_free(own);
            return -1;
        }
        l = own;
    }
    wasm_limits wl = {.fuel = fuel, .memory_bytes = memb, .max_call_depth = (uint32_t)stack};
    wasm_instance *in = wasm_instantiate(m, l, &wl, &werr);
    if (!in) {
        snprintf(res->message, sizeof res->message, "cannot instantiate: %.480s", werr.message);
        if (strstr(werr.message, "memory") && memb) {
            res->limit = WASI_LIMIT_MEMORY;
            res->limit_value = memb;
        }
        wasm_linker_free(own);
        res->wall_ns = util_now_ns() - t0;
        return -1;
    }
    wasm_instance_set_user(in, c);
    wasm_func *start = wasm_instance_export_func(in, "_start");
    if (!start || wasm_func_param_count(start) || wasm_func_result_count(start)) {
        snprintf(res->message, sizeof res->message,
                 start ? "_start has the wrong type (want [] -> [])"
                       : "not a WASI command: no exported _start function");
        wasm_instance_free(in);
        wasm_linker_free(own);
        res->wall_ns = util_now_ns() - t0;
        return -1;
    }
    c->exited = false;
    c->exit_code = 0;
    c->denials = 0;
    c->denial[0] = 0;
    c->timed_out = false;
    c->deadline_ns = tmo ? t0 + tmo * 1000000ull : 0;
    wd_entry wd = {.in = in, .deadline_ns = c->deadline_ns};
    bool watched = tmo && wd_add(&wd);
    if (tmo && !watched) {
        snprintf(res->message, sizeof res->message, "cannot start the timeout watchdog");
        wasm_instance_free(in);
        wasm_linker_free(own);
        return -1;
    }
    wasm_trap t = wasm_call(in, start, NULL, 0, NULL, 0);
    if (watched)
        wd_remove(&wd);
    c->deadline_ns = 0;

    res->fuel_used = wasm_instance_fuel_used(in);
    wasm_memory *mem = wasm_instance_memory(in);
    res->peak_memory = mem ? wasm_memory_peak(mem) : 0;
    res->stdout_bytes = c->out_bytes[0];
    res->stderr_bytes = c->out_bytes[1];
    res->output_cut = c->out_cut;
    res->denials = c->denials;
    _Static_assert(sizeof res->denial == sizeof c->denial, "denial buffers differ");
    memcpy(res->denial, c->denial, sizeof res->denial); /* NUL-terminated in c */
    if (t == WASM_OK || (t == WASM_TRAP_EXIT && c->exited)) {
        res->exited = true;
        res->exit_code = t == WASM_OK ? 0 : c->exit_code;
        res->trap = WASM_OK;
    } else {
        res->trap = t;
        res->exit_code = 134;
        if (t == WASM_TRAP_OUT_OF_FUEL) {
            res->limit = WASI_LIMIT_FUEL;
            res->limit_value = fuel;
        } else if (t == WASM_TRAP_MEMORY_LIMIT) {
            res->limit = WASI_LIMIT_MEMORY;
            res->limit_value = memb;
        } else if (t == WASM_TRAP_STACK_EXHAUSTED) {
            res->limit = WASI_LIMIT_STACK;
            res->limit_value = stack;
        } else if (t == WASM_TRAP_INTERRUPTED && (c->timed_out || wd.fired)) {
            res->limit = WASI_LIMIT_TIMEOUT;
            res->limit_value = tmo;
        }
    }
    /* A failed memory.grow is not a trap: the guest sees it (malloc returns NULL). When the
     * guest then fails having used most (3/4+) of the ceiling, say it ran into it. */
    if (res->limit == WASI_LIMIT_NONE && memb && res->peak_memory / 3 >= memb / 4 &&
        (res->trap != WASM_OK || res->exit_code != 0)) {
        res->limit = WASI_LIMIT_MEMORY;
        res->limit_value = memb;
    }
    if (res->limit == WASI_LIMIT_NONE && res->output_cut) {
        res->limit = WASI_LIMIT_OUTPUT;
        res->limit_value = c->out_limit;
    }
    res->wall_ns = util_now_ns() - t0;
    switch (res->limit) {
    case WASI_LIMIT_FUEL:
        snprintf(res->message, sizeof res->message, "fuel limit reached: %llu instructions used",
                 (unsigned long long)res->fuel_used);
        break;
    case WASI_LIMIT_MEMORY:
        snprintf(res->message, sizeof res->message,
                 "memory limit reached: limit %llu bytes, peak %llu bytes",
                 (unsigned long long)memb, (unsigned long long)res->peak_memory);
        break;
    case WASI_LIMIT_TIMEOUT:
        snprintf(res->message, sizeof res->message, "timeout: stopped after %llu ms (limit %llu ms)",
                 (unsigned long long)(res->wall_ns / 1000000), (unsigned long long)tmo);
        break;
    case WASI_LIMIT_STACK:
        snprintf(res->message, sizeof res->message, "stack limit reached: call depth %s%llu",
                 stack ? "" : "default ", (unsigned long long)(stack ? stack : 10000));
        break;
    case WASI_LIMIT_OUTPUT:
        snprintf(res->message, sizeof res->message, "output cut at the limit of %llu bytes",
                 (unsigned long long)c->out_limit);
        break;
    default:
        if (res->trap != WASM_OK)
            snprintf(res->message, sizeof res->message, "trap: %s",
                     wasm_instance_trap_message(in));
        break;
    }
    wasm_instance_free(in);
    wasm_linker_free(own);
    return 0;
}
