/* runtime.c — runtime objects and API glue: linear memories (address space reserved with
 * mmap, committed as they grow), tables, globals, wasm_call with typed values, fuel,
 * interrupts, trap messages and the bounds-checked memory accessors. */
#include "wasm/internal.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void wasm_set_error(wasm_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

bool wasm_functype_equal(const functype *a, const functype *b)
{
    if (a == b)
        return true;
    return a->np == b->np && a->nr == b->nr &&
           (a->np == 0 || memcmp(a->params, b->params, a->np) == 0) &&
           (a->nr == 0 || memcmp(a->results, b->results, a->nr) == 0);
}

const char *wasm_trap_name(wasm_trap t)
{
    switch (t) {
    case WASM_OK: return "ok";
    case WASM_TRAP_UNREACHABLE: return "unreachable";
    case WASM_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case WASM_TRAP_TABLE_OOB: return "out of bounds table access";
    case WASM_TRAP_DIV_ZERO: return "integer divide by zero";
    case WASM_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case WASM_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case WASM_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
    case WASM_TRAP_OUT_OF_FUEL: return "out of fuel";
    case WASM_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case WASM_TRAP_INTERRUPTED: return "interrupted";
    case WASM_TRAP_MEMORY_LIMIT: return "memory limit exceeded";
    case WASM_TRAP_HOST: return "host function failed";
    case WASM_TRAP_EXIT: return "exit";
    case WASM_TRAP_BAD_CALL: return "bad call (argument count or types)";
    }
    return "unknown trap";
}

/* ---------------------------------------------------------------- memories */

bool wasm_memory_init_obj(wasm_memory *mem, limits_t lim, uint64_t ceiling, wasm_error *err)
{
    memset(mem, 0, sizeof *mem);
    mem->lim = lim;
    uint64_t max_pages = lim.has_max ? lim.max : WASM_MAX_PAGES;
    if (ceiling == 0 || ceiling > (uint64_t)WASM_MAX_PAGES * WASM_PAGE)
        ceiling = (uint64_t)WASM_MAX_PAGES * WASM_PAGE;
    if (max_pages > ceiling / WASM_PAGE)
        max_pages = ceiling / WASM_PAGE;
    if (lim.min > max_pages) {
        wasm_set_error(err, "memory limit exceeded: declared minimum of %u pages is above the "
                            "ceiling of %llu bytes",
                       lim.min, (unsigned long long)ceiling);
        return false;
    }
    mem->max_bytes = max_pages * WASM_PAGE;
    if (mem->max_bytes) {
        /* Reserve the whole ceiling so the memory never moves; where address space is scarce
         * (RLIMIT_AS), reserve the minimum and move on growth instead. */
        uint64_t want[2] = {mem->max_bytes, lim.min ? (uint64_t)lim.min * WASM_PAGE : WASM_PAGE};
        for (int i = 0; i < 2 && !mem->data; i++) {
            void *p = mmap(NULL, want[i], PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                           -1, 0);
            if (p != MAP_FAILED) {
                mem->data = p;
                mem->reserved = want[i];
            }
        }
        if (!mem->data) {
            wasm_set_error(err, "memory limit exceeded: cannot reserve %llu bytes",
                           (unsigned long long)want[1]);
            return false;
        }
    }
    if (lim.min && wasm_memory_grow_pages(mem, lim.min) < 0) {
        wasm_set_error(err, "memory limit exceeded: cannot commit %u pages", lim.min);
        wasm_memory_release(mem);
        return false;
    }
    return true;
}

void wasm_memory_release(wasm_memory *mem)
{
    if (mem->data && mem->reserved)
        munmap(mem->data, mem->reserved);
    mem->data = NULL;
    mem->size = mem->reserved = 0;
}

int64_t wasm_memory_grow_pages(wasm_memory *mem, uint32_t delta)
{
    uint64_t old = mem->size;
    uint64_t add = (uint64_t)delta * WASM_PAGE;
    if (add > mem->max_bytes - old)
        return -1;
    if (add && old + add > mem->reserved) {
        /* a small reservation (see wasm_memory_init_obj): move to a larger one */
        uint64_t res = mem->reserved * 2 > old + add ? mem->reserved * 2 : old + add;
        if (res > mem->max_bytes)
            res = mem->max_bytes;
        void *p = mmap(NULL, res, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            return -1;
        if (old && (mprotect(p, old, PROT_READ | PROT_WRITE) != 0)) {
            munmap(p, res);
            return -1;
        }
        if (old)
            memcpy(p, mem->data, old);
        munmap(mem->data, mem->reserved);
        mem->data = p;
        mem->reserved = res;
    }
    if (add) {
        if (mprotect(mem->data + old, add, PROT_READ | PROT_WRITE) != 0)
            return -1;
        mem->size = old + add;
        if (mem->size > mem->peak)
            mem->peak = mem->size;
    }
    return (int64_t)(old / WASM_PAGE);
}

uint64_t wasm_memory_size(const wasm_memory *mem) { return mem ? mem->size : 0; }
uint64_t wasm_memory_peak(const wasm_memory *mem) { return mem ? mem->peak : 0; }

int64_t wasm_memory_grow(wasm_memory *mem, uint32_t delta)
{
    return mem ? wasm_memory_grow_pages(mem, delta) : -1;
}

static bool in_bounds(const wasm_memory *mem, uint64_t offset, size_t len)
{
    return mem && offset <= mem->size && len <= mem->size - offset;
}

bool wasm_memory_read(const wasm_memory *mem, uint64_t offset, void *dst, size_t len)
{
    if (!in_bounds(mem, offset, len))
        return false;
    if (len)
        memcpy(dst, mem->data + offset, len);
    return true;
}

bool wasm_memory_write(wasm_memory *mem, uint64_t offset, const void *src, size_t len)
{
    if (!in_bounds(mem, offset, len))
        return false;
    if (len)
        memcpy(mem->data + offset, src, len);
    return true;
}

void *wasm_memory_ptr(wasm_memory *mem, uint64_t offset, size_t len)
{
    if (!in_bounds(mem, offset, len) || !mem->data)
        return NULL;
    return mem->data + offset;
}

/* ---------------------------------------------------------------- tables */

bool wasm_table_init_obj(wasm_table *t, tabletype type, uint32_t ceiling, wasm_error *err)
{
    memset(t, 0, sizeof *t);
    t->type = type;
    t->max = type.lim.has_max ? type.lim.max : UINT32_MAX;
    if (ceiling && t->max > ceiling)
        t->max = ceiling;
    if (type.lim.min > t->max) {
        wasm_set_error(err, "table limit exceeded: declared minimum of %u elements is above the "
                            "ceiling of %u",
                       type.lim.min, t->max);
        return false;
    }
    t->size = type.lim.min;
    t->cap = t->size;
    t->elems = xcalloc(t->cap ? t->cap : 1, sizeof(void *));
    return true;
}

int64_t wasm_table_grow_obj(wasm_table *t, uint32_t delta, void *init)
{
    uint32_t old = t->size;
    if ((uint64_t)old + delta > t->max)
        return -1;
    uint32_t nsize = old + delta;
    if (nsize > t->cap) {
        uint64_t cap = (uint64_t)t->cap * 2;
        if (cap < nsize)
            cap = nsize;
        if (cap > t->max)
            cap = t->max;
        void **p = realloc(t->elems, (size_t)cap * sizeof(void *));
        if (!p)
            return -1;
        t->elems = p;
        t->cap = (uint32_t)cap;
    }
    for (uint32_t i = old; i < nsize; i++)
        t->elems[i] = init;
    t->size = nsize;
    return old;
}

uint32_t wasm_table_size(const wasm_table *t) { return t ? t->size : 0; }

bool wasm_table_get(const wasm_table *t, uint32_t i, wasm_value *out)
{
    if (!t || i >= t->size || !out)
        return false;
    out->type = (wasm_valtype)t->type.elem;
    out->of.ref = t->elems[i];
    return true;
}

/* ---------------------------------------------------------------- globals */

static wasm_value value_of(uint8_t type, slot_t s)
{
    wasm_value v;
    memset(&v, 0, sizeof v);
    v.type = (wasm_valtype)type;
    switch (type) {
    case WASM_I32: v.of.i32 = s.u32; break;
    case WASM_F32: v.of.f32 = s.u32; break;
    case WASM_I64: v.of.i64 = s.u64; break;
    case WASM_F64: v.of.f64 = s.u64; break;
    default: v.of.ref = s.ref; break;
    }
    return v;
}

static slot_t slot_of(const wasm_value *v)
{
    slot_t s;
    s.u64 = 0;
    switch (v->type) {
    case WASM_I32: s.u64 = v->of.i32; break;
    case WASM_F32: s.u64 = v->of.f32; break;
    case WASM_I64: s.u64 = v->of.i64; break;
    case WASM_F64: s.u64 = v->of.f64; break;
    default: s.ref = v->of.ref; break;
    }
    return s;
}

wasm_value wasm_global_get(const wasm_global *g) { return value_of(g->type.type, g->val); }

bool wasm_global_set(wasm_global *g, wasm_value v)
{
    if (!g || !g->type.mut || v.type != g->type.type)
        return false;
    g->val = slot_of(&v);
    return true;
}

wasm_valtype wasm_global_type(const wasm_global *g) { return (wasm_valtype)g->type.type; }

/* ---------------------------------------------------------------- functions and calls */

size_t wasm_func_param_count(const wasm_func *f) { return f ? f->type->np : 0; }
size_t wasm_func_result_count(const wasm_func *f) { return f ? f->type->nr : 0; }
wasm_valtype wasm_func_param_type(const wasm_func *f, size_t i)
{
    return f && i < f->type->np ? (wasm_valtype)f->type->params[i] : WASM_I32;
}
wasm_valtype wasm_func_result_type(const wasm_func *f, size_t i)
{
    return f && i < f->type->nr ? (wasm_valtype)f->type->results[i] : WASM_I32;
}

static bool ensure_stacks(wasm_instance *inst)
{
    if (inst->stack)
        return true;
    size_t slots = inst->limits.max_stack_slots ? inst->limits.max_stack_slots : (1u << 20);
    size_t calls = inst->limits.max_call_depth ? inst->limits.max_call_depth : 10000;
    void *s = mmap(NULL, slots * sizeof(slot_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED)
        return false;
    void *c = mmap(NULL, calls * sizeof(frame_rec), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (c == MAP_FAILED) {
        munmap(s, slots * sizeof(slot_t));
        return false;
    }
    inst->stack = s;
    inst->stack_slots = slots;
    inst->calls = c;
    inst->max_calls = calls;
    return true;
}

void wasm_instance_free_stacks(wasm_instance *inst)
{
    if (inst->stack)
        munmap(inst->stack, inst->stack_slots * sizeof(slot_t));
    if (inst->calls)
        munmap(inst->calls, inst->max_calls * sizeof(frame_rec));
    inst->stack = NULL;
    inst->calls = NULL;
}

wasm_trap wasm_trap_set(wasm_instance *inst, wasm_trap t)
{
    if (t != WASM_OK && !inst->msg_set)
        snprintf(inst->trap_msg, sizeof inst->trap_msg, "%s", wasm_trap_name(t));
    return t;
}

wasm_trap wasm_call(wasm_instance *inst, wasm_func *f, const wasm_value *args, size_t nargs,
                    wasm_value *results, size_t nresults)
{
    if (!inst || !f)
        return WASM_TRAP_BAD_CALL;
    inst->msg_set = false;
    if (nargs != f->type->np || nresults != f->type->nr || (nargs && !args) ||
        (nresults && !results)) {
        snprintf(inst->trap_msg, sizeof inst->trap_msg,
                 "bad call: function takes %u arguments and returns %u results",
                 f->type->np, f->type->nr);
        inst->msg_set = true;
        return WASM_TRAP_BAD_CALL;
    }
    for (size_t i = 0; i < nargs; i++) {
        if (args[i].type != f->type->params[i]) {
            snprintf(inst->trap_msg, sizeof inst->trap_msg, "bad call: argument %zu has the wrong type", i);
            inst->msg_set = true;
            return WASM_TRAP_BAD_CALL;
        }
    }
    if (inst->depth) {
        snprintf(inst->trap_msg, sizeof inst->trap_msg, "bad call: instance is already running");
        inst->msg_set = true;
        return WASM_TRAP_BAD_CALL;
    }
    if (!ensure_stacks(inst)) {
        snprintf(inst->trap_msg, sizeof inst->trap_msg, "cannot allocate the value stack");
        inst->msg_set = true;
        return WASM_TRAP_MEMORY_LIMIT;
    }
    if (nargs > inst->stack_slots || nresults > inst->stack_slots)
        return wasm_trap_set(inst, WASM_TRAP_STACK_EXHAUSTED);
    slot_t *s = inst->stack;
    for (size_t i = 0; i < nargs; i++)
        s[i] = slot_of(&args[i]);
    wasm_trap t;
    inst->depth++;
    if (f->host) {
        t = f->host(inst, f->user, (wasm_slot *)s);
        if ((unsigned)t > WASM_TRAP_BAD_CALL)
            t = WASM_TRAP_HOST;
    } else {
        t = wasm_interp_run(inst, f, s);
    }
    inst->depth--;
    if (t != WASM_OK)
        return wasm_trap_set(inst, t);
    for (size_t i = 0; i < nresults; i++)
        results[i] = value_of(f->type->results[i], s[i]);
    return WASM_OK;
}

const char *wasm_instance_trap_message(const wasm_instance *inst)
{
    return inst ? inst->trap_msg : "no instance";
}

void wasm_instance_set_trap_message(wasm_instance *inst, const char *fmt, ...)
{
    if (!inst)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inst->trap_msg, sizeof inst->trap_msg, fmt, ap);
    va_end(ap);
    inst->msg_set = true;
}

void wasm_instance_set_fuel(wasm_instance *inst, uint64_t fuel)
{
    inst->fuel_limit = fuel ? inst->fuel_used + fuel : 0;
}

uint64_t wasm_instance_fuel_used(const wasm_instance *inst) { return inst->fuel_used; }

uint64_t wasm_instance_fuel_remaining(const wasm_instance *inst)
{
    if (!inst->fuel_limit)
        return UINT64_MAX;
    return inst->fuel_limit > inst->fuel_used ? inst->fuel_limit - inst->fuel_used : 0;
}

void wasm_instance_interrupt(wasm_instance *inst)
{
    atomic_store_explicit(&inst->interrupt, 1, memory_order_relaxed);
}

void wasm_instance_clear_interrupt(wasm_instance *inst)
{
    atomic_store_explicit(&inst->interrupt, 0, memory_order_relaxed);
}

void wasm_instance_set_user(wasm_instance *inst, void *user) { inst->user = user; }
void *wasm_instance_user(const wasm_instance *inst) { return inst->user; }
const wasm_module *wasm_instance_module(const wasm_instance *inst) { return inst->m; }

wasm_memory *wasm_instance_memory(wasm_instance *inst)
{
    return inst && inst->m->nmems ? inst->mem : NULL;
}
