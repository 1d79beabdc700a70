/* instantiate.c — wasm_instantiate: resolves imports through a linker (with type and limits
 * checks), allocates memories, tables, globals and function objects, applies active element
 * and data segments in order, and runs the start function. Also instance exports and free. */
#include "wasm/internal.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"function", "table", "memory", "global"};

static bool limits_match(uint64_t have_min, bool have_has_max, uint64_t have_max, limits_t want)
{
    if (have_min < want.min)
        return false;
    if (want.has_max) {
        if (!have_has_max || have_max > want.max)
            return false;
    }
    return true;
}

static slot_t eval_const(const wasm_instance *inst, const constexpr_t *ce)
{
    slot_t s;
    s.u64 = 0;
    switch (ce->kind) {
    case CE_CONST: s.u64 = ce->v; break;
    case CE_GLOBAL: s = inst->globals[ce->v]->val; break;
    case CE_REFFUNC: s.ref = inst->funcs[ce->v]; break;
    default: break;
    }
    return s;
}

static bool link_imports(wasm_instance *inst, const wasm_linker *l, wasm_error *err)
{
    const wasm_module *m = inst->m;
    uint32_t nf = 0, nt = 0, ng = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const import_t *im = &m->imports[i];
        const wasm_extern *e = wasm_linker_lookup(l, im->module, im->name);
        if (!e) {
            wasm_set_error(err, "unknown import \"%s\" \"%s\" (%s, import %u)", im->module,
                           im->name, kind_names[im->kind], i);
            return false;
        }
        if (e->kind != im->kind) {
            wasm_set_error(err, "incompatible import type for \"%s\" \"%s\": wanted a %s, got a %s",
                           im->module, im->name, kind_names[im->kind], kind_names[e->kind]);
            return false;
        }
        bool ok = true;
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            ok = e->of.func && wasm_functype_equal(e->of.func->type, &m->types[im->type]);
            if (ok)
                inst->funcs[nf++] = e->of.func;
            break;
        case WASM_EXTERN_TABLE: {
            const wasm_table *t = e->of.table;
            ok = t && t->type.elem == im->table.elem &&
                 limits_match(t->size, t->type.lim.has_max, t->type.lim.max, im->table.lim);
            if (ok)
                inst->tables[nt++] = e->of.table;
            break;
        }
        case WASM_EXTERN_MEMORY: {
            const wasm_memory *mem = e->of.memory;
            ok = mem && limits_match(mem->size / WASM_PAGE, mem->lim.has_max, mem->lim.max, im->mem);
            if (ok)
                inst->mem = e->of.memory;
            break;
        }
        case WASM_EXTERN_GLOBAL: {
            const wasm_global *g = e->of.global;
            ok = g && g->type.type == im->global.type && g->type.mut == im->global.mut;
            if (ok)
                inst->globals[ng++] = e->of.global;
            break;
        }
        }
        if (!ok) {
            wasm_set_error(err, "incompatible import type for \"%s\" \"%s\" (%s, import %u)",
                           im->module, im->name, kind_names[im->kind], i);
            return false;
        }
    }
    return true;
}

static bool init_segments(wasm_instance *inst, wasm_error *err)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const elem_t *e = &m->elems[i];
        if (e->mode == SEG_PASSIVE)
            continue;
        inst->elem_dropped[i] = true;
        if (e->mode != SEG_ACTIVE)
            continue;
        wasm_table *t = inst->tables[e->table];
        uint64_t off = eval_const(inst, &e->offset).u32;
        if (off + e->count > t->size) {
            wasm_set_error(err, "out of bounds table access (element segment %u)", i);
            return false;
        }
        for (uint32_t k = 0; k < e->count; k++)
            t->elems[off + k] = eval_const(inst, &e->items[k]).ref;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const data_t *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE)
            continue;
        inst->data_dropped[i] = true;
        uint64_t off = eval_const(inst, &d->offset).u32;
        if (off + d->len > inst->mem->size) {
            wasm_set_error(err, "out of bounds memory access (data segment %u)", i);
            return false;
        }
        if (d->len)
            memcpy(inst->mem->data + off, d->bytes, d->len);
    }
    return true;
}

wasm_instance *wasm_instantiate(const wasm_module *m, const wasm_linker *l,
                                const wasm_limits *limits, wasm_error *err)
{
    if (err)
        err->message[0] = 0;
    if (!m) {
        wasm_set_error(err, "no module");
        return NULL;
    }
    wasm_instance *inst = xcalloc(1, sizeof *inst);
    bool keep = false;
    inst->m = m;
    if (limits)
        inst->limits = *limits;
    inst->fuel_limit = inst->limits.fuel;
    atomic_init(&inst->interrupt, 0);
    inst->funcs = xcalloc(m->nfuncs + 1, sizeof *inst->funcs);
    inst->tables = xcalloc(m->ntables + 1, sizeof *inst->tables);
    inst->globals = xcalloc(m->nglobals + 1, sizeof *inst->globals);
    inst->elem_dropped = xcalloc(m->nelems + 1, 1);
    inst->data_dropped = xcalloc(m->ndatas + 1, 1);
    inst->mem = &inst->own_mem; /* empty unless defined or imported */
    if (!link_imports(inst, l, err))
        goto fail;

    /* functions */
    uint32_t ndef = m->nfuncs - m->nimp_funcs;
    inst->own_funcs = xcalloc(ndef + 1, sizeof *inst->own_funcs);
    for (uint32_t i = 0; i < ndef; i++) {
        wasm_func *f = &inst->own_funcs[i];
        const funcdef *d = &m->defs[i];
        f->type = &m->types[m->types[d->type].canon];
        f->inst = inst;
        f->code = m->code + d->code_off;
        f->frame_size = d->frame_size;
        f->nlocals = d->nlocals;
        f->nconsts = d->nconsts;
        f->entry_fuel = (int64_t)d->entry_fuel;
        f->consts = m->constpool + d->const_off;
        f->index = m->nimp_funcs + i;
        inst->funcs[m->nimp_funcs + i] = f;
    }
    /* memory */
    if (m->nmems > m->nimp_mems) {
        if (!wasm_memory_init_obj(&inst->own_mem, m->mems[m->nimp_mems], inst->limits.memory_bytes,
                                  err))
            goto fail;
        inst->has_own_mem = true;
        inst->mem = &inst->own_mem;
    }
    /* tables */
    uint32_t ndt = m->ntables - m->nimp_tables;
    inst->own_tables = xcalloc(ndt + 1, sizeof *inst->own_tables);
    uint32_t tceil = inst->limits.max_table_elems ? inst->limits.max_table_elems : 10u << 20;
    for (uint32_t i = 0; i < ndt; i++) {
        if (!wasm_table_init_obj(&inst->own_tables[i], m->tables[m->nimp_tables + i], tceil, err))
            goto fail;
        inst->tables[m->nimp_tables + i] = &inst->own_tables[i];
    }
    /* globals */
    uint32_t ndg = m->nglobals - m->nimp_globals;
    inst->own_globals = xcalloc(ndg + 1, sizeof *inst->own_globals);
    for (uint32_t i = 0; i < ndg; i++) {
        wasm_global *g = &inst->own_globals[i];
        const global_t *gd = &m->globals[m->nimp_globals + i];
        g->type = gd->type;
        g->val = eval_const(inst, &gd->init);
        inst->globals[m->nimp_globals + i] = g;
    }
    /* From here on, a failure may already have stored references to this instance's
     * functions in imported tables or globals: such an instance is kept alive by the linker. */
    keep = l && (m->nimp_tables || m->nimp_globals);
    if (!init_segments(inst, err))
        goto fail;
    if (m->has_start) {
        wasm_trap t = wasm_call(inst, inst->funcs[m->start], NULL, 0, NULL, 0);
        if (t != WASM_OK) {
            wasm_set_error(err, "start function %u trapped: %s", m->start, inst->trap_msg);
            goto fail;
        }
    }
    return inst;
fail:
    if (err && !err->message[0])
        wasm_set_error(err, "instantiation failed");
    if (keep)
        wasm_linker_keep((wasm_linker *)l, inst);
    else
        wasm_instance_free(inst);
    return NULL;
}

void wasm_instance_free(wasm_instance *inst)
{
    if (!inst)
        return;
    const wasm_module *m = inst->m;
    if (inst->own_tables)
        for (uint32_t i = 0; i < m->ntables - m->nimp_tables; i++)
            free(inst->own_tables[i].elems);
    free(inst->own_tables);
    if (inst->has_own_mem)
        wasm_memory_release(&inst->own_mem);
    wasm_instance_free_stacks(inst);
    free(inst->own_globals);
    free(inst->own_funcs);
    free(inst->funcs);
    free(inst->tables);
    free(inst->globals);
    free(inst->elem_dropped);
    free(inst->data_dropped);
    free(inst);
}

static const export_t *find_export(const wasm_instance *inst, const char *name, size_t len)
{
    if (!inst || !name)
        return NULL;
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].namelen == len && memcmp(m->exports[i].name, name, len) == 0)
            return &m->exports[i];
    return NULL;
}

bool wasm_instance_export(wasm_instance *inst, const char *name, wasm_extern *out)
{
    return name && wasm_instance_export_len(inst, name, strlen(name), out);
}

bool wasm_instance_export_len(wasm_instance *inst, const char *name, size_t len, wasm_extern *out)
{
    const export_t *e = find_export(inst, name, len);
    if (!e || !out)
        return false;
    out->kind = (wasm_extern_kind)e->kind;
    switch (e->kind) {
    case WASM_EXTERN_FUNC: out->of.func = inst->funcs[e->index]; break;
    case WASM_EXTERN_TABLE: out->of.table = inst->tables[e->index]; break;
    case WASM_EXTERN_MEMORY: out->of.memory = inst->mem; break;
    case WASM_EXTERN_GLOBAL: out->of.global = inst->globals[e->index]; break;
    }
    return true;
}

wasm_func *wasm_instance_export_func(wasm_instance *inst, const char *name)
{
    const export_t *e = find_export(inst, name, name ? strlen(name) : 0);
    if (!e || e->kind != WASM_EXTERN_FUNC)
        return NULL;
    return inst->funcs[e->index];
}
