/* linker.c — the name table imports resolve through: host functions (with signature strings),
 * externs taken from other instances, registered instances, and host-created globals, tables
 * and memories (owned by the linker). */
#include "wasm/internal.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct lentry {
    char *module, *name;
    wasm_extern ext;
} lentry;

struct wasm_linker {
    lentry *v;
    size_t n, cap;
    void **owned; /* host functions, globals */
    size_t nowned, capowned;
    wasm_table **tables;
    size_t ntables;
    wasm_memory **mems;
    size_t nmems;
    wasm_instance **kept; /* failed instantiations whose functions may still be referenced */
    size_t nkept;
};

void wasm_linker_keep(wasm_linker *l, wasm_instance *inst)
{
    l->kept = xrealloc(l->kept, (l->nkept + 1) * sizeof *l->kept);
    l->kept[l->nkept++] = inst;
}

wasm_linker *wasm_linker_new(void) { return xcalloc(1, sizeof(wasm_linker)); }

void wasm_linker_free(wasm_linker *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].module);
        free(l->v[i].name);
    }
    free(l->v);
    for (size_t i = 0; i < l->nowned; i++)
        free(l->owned[i]);
    free(l->owned);
    for (size_t i = 0; i < l->ntables; i++) {
        free(l->tables[i]->elems);
        free(l->tables[i]);
    }
    free(l->tables);
    for (size_t i = 0; i < l->nmems; i++) {
        wasm_memory_release(l->mems[i]);
        free(l->mems[i]);
    }
    free(l->mems);
    for (size_t i = 0; i < l->nkept; i++)
        wasm_instance_free(l->kept[i]);
    free(l->kept);
    free(l);
}

static void own(wasm_linker *l, void *p)
{
    if (l->nowned == l->capowned) {
        l->capowned = l->capowned ? l->capowned * 2 : 16;
        l->owned = xrealloc(l->owned, l->capowned * sizeof *l->owned);
    }
    l->owned[l->nowned++] = p;
}

const wasm_extern *wasm_linker_lookup(const wasm_linker *l, const char *module, const char *name)
{
    if (!l)
        return NULL;
    for (size_t i = l->n; i-- > 0;)
        if (strcmp(l->v[i].name, name) == 0 && strcmp(l->v[i].module, module) == 0)
            return &l->v[i].ext;
    return NULL;
}

static bool add(wasm_linker *l, const char *module, const char *name, const wasm_extern *ext,
                wasm_error *err)
{
    if (!l || !module || !name || !ext) {
        wasm_set_error(err, "linker: missing argument");
        return false;
    }
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].name, name) == 0 && strcmp(l->v[i].module, module) == 0) {
            wasm_set_error(err, "linker: duplicate definition of \"%s\" \"%s\"", module, name);
            return false;
        }
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].module = xstrdup(module);
    l->v[l->n].name = xstrdup(name);
    l->v[l->n].ext = *ext;
    l->n++;
    return true;
}

static int sig_type(char c)
{
    switch (c) {
    case 'i': return WASM_I32;
    case 'I': return WASM_I64;
    case 'f': return WASM_F32;
    case 'F': return WASM_F64;
    case 'r': return WASM_FUNCREF;
    case 'e': return WASM_EXTERNREF;
    default: return -1;
    }
}

bool wasm_linker_define_func(wasm_linker *l, const char *module, const char *name,
                             const char *sig, wasm_host_func fn, void *user, wasm_error *err)
{
    if (!sig || !fn) {
        wasm_set_error(err, "linker: missing signature or function for \"%s\"", name ? name : "");
        return false;
    }
    const char *colon = strchr(sig, ':');
    if (!colon || strchr(colon + 1, ':')) {
        wasm_set_error(err, "linker: malformed signature \"%s\" (want PARAMS:RESULTS)", sig);
        return false;
    }
    size_t n = strlen(sig) - 1;
    if (n > WASM_MAX_PARAMS) {
        wasm_set_error(err, "linker: signature too long");
        return false;
    }
    wasm_func *f = xcalloc(1, sizeof *f + n + 1);
    size_t k = 0;
    for (const char *p = sig; *p; p++) {
        if (p == colon)
            continue;
        int t = sig_type(*p);
        if (t < 0) {
            free(f);
            wasm_set_error(err, "linker: malformed signature \"%s\" (unknown letter '%c')", sig, *p);
            return false;
        }
        f->own_types[k++] = (uint8_t)t;
    }
    f->own_type.np = (uint32_t)(colon - sig);
    f->own_type.nr = (uint32_t)(n - f->own_type.np);
    f->own_type.params = f->own_types;
    f->own_type.results = f->own_types + f->own_type.np;
    f->type = &f->own_type;
    f->host = fn;
    f->user = user;
    wasm_extern e = {.kind = WASM_EXTERN_FUNC, .of.func = f};
    if (!add(l, module, name, &e, err)) {
        free(f);
        return false;
    }
    own(l, f);
    return true;
}

bool wasm_linker_define(wasm_linker *l, const char *module, const char *name,
                        const wasm_extern *ext, wasm_error *err)
{
    if (ext && ext->kind > WASM_EXTERN_GLOBAL) {
        wasm_set_error(err, "linker: bad extern kind");
        return false;
    }
    return add(l, module, name, ext, err);
}

bool wasm_linker_define_instance(wasm_linker *l, const char *module, wasm_instance *inst,
                                 wasm_error *err)
{
    if (!inst) {
        wasm_set_error(err, "linker: no instance");
        return false;
    }
    const wasm_module *m = wasm_instance_module(inst);
    for (uint32_t i = 0; i < m->nexports; i++) {
        wasm_extern e;
        if (!wasm_instance_export_len(inst, m->exports[i].name, m->exports[i].namelen, &e))
            continue;
        /* re-registering a name replaces nothing: later definitions shadow in lookup */
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 32;
            l->v = xrealloc(l->v, l->cap * sizeof *l->v);
        }
        l->v[l->n].module = xstrdup(module);
        l->v[l->n].name = xstrdup(m->exports[i].name);
        l->v[l->n].ext = e;
        l->n++;
    }
    return true;
}

wasm_global *wasm_linker_new_global(wasm_linker *l, wasm_value init, bool mutable_)
{
    wasm_global *g = xcalloc(1, sizeof *g);
    g->type.type = (uint8_t)init.type;
    g->type.mut = mutable_;
    g->type.mut = true;
    wasm_global_set(g, init);
    g->type.mut = mutable_;
    own(l, g);
    return g;
}

wasm_table *wasm_linker_new_table(wasm_linker *l, wasm_valtype elem, uint32_t min, uint32_t max,
                                  bool has_max)
{
    wasm_table *t = xcalloc(1, sizeof *t);
    tabletype tt = {.elem = (uint8_t)elem, .lim = {min, max, has_max}};
    if (has_max && max < min)
        tt.lim.max = min;
    if (!wasm_table_init_obj(t, tt, 0, NULL)) {
        free(t);
        return NULL;
    }
    l->tables = xrealloc(l->tables, (l->ntables + 1) * sizeof *l->tables);
    l->tables[l->ntables++] = t;
    return t;
}

wasm_memory *wasm_linker_new_memory(wasm_linker *l, uint32_t min_pages, uint32_t max_pages,
                                    bool has_max)
{
    wasm_memory *m = xcalloc(1, sizeof *m);
    limits_t lim = {min_pages, max_pages, has_max};
    if (!wasm_memory_init_obj(m, lim, 0, NULL)) {
        free(m);
        return NULL;
    }
    l->mems = xrealloc(l->mems, (l->nmems + 1) * sizeof *l->mems);
    l->mems[l->nmems++] = m;
    return m;
}
