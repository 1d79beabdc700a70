/* decode.c — wasm_module_compile: decodes and validates every section of a binary module
 * (types, imports, functions, tables, memories, globals, exports, start, elements, data count,
 * code, data, custom) and hands each function body to the validating compiler. Also the
 * module introspection API. */
#include "wasm/internal.h"
#include "wasm/reader.h"
#include "util/util.h"

#include <stdlib.h>

static bool utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static char *rd_name_len(rd *r, uint32_t *len)
{
    uint32_t n = rd_u32(r);
    if (len)
        *len = n;
    const uint8_t *s;
    if (r->failed || !rd_bytes(r, n, &s))
        return NULL;
    if (!utf8_ok(s, n)) {
        rd_fail(r, "malformed UTF-8 encoding");
        return NULL;
    }
    char *out = xmalloc((size_t)n + 1);
    memcpy(out, s, n);
    out[n] = 0;
    return out;
}

static char *rd_name(rd *r) { return rd_name_len(r, NULL); }

static int export_cmp(const void *a, const void *b)
{
    const export_t *x = a, *y = b;
    if (x->namelen != y->namelen)
        return x->namelen < y->namelen ? -1 : 1;
    return memcmp(x->name, y->name, x->namelen);
}


static bool rd_limits(rd *r, limits_t *l, bool is_mem)
{
    uint8_t flag = rd_u8(r);
    if (r->failed)
        return false;
    if (flag > 1)
        return rd_fail(r, is_mem ? "integer too large (memory limits flag)"
                                 : "integer too large (table limits flag)");
    l->min = rd_u32(r);
    l->has_max = flag == 1;
    l->max = l->has_max ? rd_u32(r) : 0;
    if (r->failed)
        return false;
    if (is_mem) {
        if (l->min > WASM_MAX_PAGES || (l->has_max && l->max > WASM_MAX_PAGES))
            return rd_fail(r, "memory size must be at most 65536 pages (4GiB)");
    }
    if (l->has_max && l->min > l->max)
        return rd_fail(r, "size minimum must not be greater than maximum");
    return true;
}

static bool rd_tabletype(rd *r, tabletype *t)
{
    t->elem = rd_u8(r);
    if (r->failed)
        return false;
    if (!reftype_ok(t->elem))
        return rd_fail(r, "malformed reference type");
    return rd_limits(r, &t->lim, false);
}

static bool rd_globaltype(rd *r, globaltype *g)
{
    g->type = rd_u8(r);
    uint8_t mut = rd_u8(r);
    if (r->failed)
        return false;
    if (!valtype_ok(g->type))
        return rd_fail(r, "malformed value type");
    if (mut > 1)
        return rd_fail(r, "malformed mutability");
    g->mut = mut;
    return true;
}

/* A constant expression of type `want`; only imported globals (when `imported_only`). */
static bool rd_constexpr(rd *r, wasm_module *m, uint8_t want, constexpr_t *ce, bool imported_only)
{
    uint8_t op = rd_u8(r);
    if (r->failed)
        return false;
    ce->v = 0;
    switch (op) {
    case 0x41: ce->kind = CE_CONST; ce->type = WASM_I32; ce->v = (uint32_t)(int32_t)rd_sleb(r, 32); break;
    case 0x42: ce->kind = CE_CONST; ce->type = WASM_I64; ce->v = (uint64_t)rd_sleb(r, 64); break;
    case 0x43: {
        const uint8_t *b;
        ce->kind = CE_CONST; ce->type = WASM_F32;
        if (rd_bytes(r, 4, &b)) { uint32_t x; memcpy(&x, b, 4); ce->v = x; }
        break;
    }
    case 0x44: {
        const uint8_t *b;
        ce->kind = CE_CONST; ce->type = WASM_F64;
        if (rd_bytes(r, 8, &b)) memcpy(&ce->v, b, 8);
        break;
    }
    case 0xD0: {
        uint8_t t = rd_u8(r);
        if (!r->failed && !reftype_ok(t))
            return rd_fail(r, "malformed reference type");
        ce->kind = CE_REFNULL; ce->type = t;
        break;
    }
    case 0xD2: {
        uint32_t f = rd_u32(r);
        if (r->failed) return false;
        if (f >= m->nfuncs) return rd_fail(r, "unknown function");
        ce->kind = CE_REFFUNC; ce->type = WASM_FUNCREF; ce->v = f;
        m->refs[f] = true;
        break;
    }
    case 0x23: {
        uint32_t g = rd_u32(r);
        if (r->failed) return false;
        if (g >= m->nimp_globals || (imported_only && g >= m->nimp_globals))
            return rd_fail(r, "unknown global");
        if (m->globals[g].type.mut)
            return rd_fail(r, "constant expression required");
        ce->kind = CE_GLOBAL; ce->type = m->globals[g].type.type; ce->v = g;
        break;
    }
    case 0x0B:
        return rd_fail(r, "type mismatch (empty constant expression)");
    default:
        return rd_fail(r, "constant expression required");
    }
    if (r->failed)
        return false;
    uint8_t end = rd_u8(r);
    if (r->failed)
        return false;
    if (end != 0x0B) {
        if (end == 0x41 || end == 0x42 || end == 0x43 || end == 0x44 || end == 0xD0 ||
            end == 0xD2 || end == 0x23)
            return rd_fail(r, "type mismatch (constant expression leaves more than one value)");
        return rd_fail(r, "constant expression required");
    }
    if (ce->type != want)
        return rd_fail(r, "type mismatch (constant expression)");
    return true;
}

static bool sec_type(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 3);
    if (r->failed) return false;
    m->ntypes = n;
    m->types = xcalloc(n ? n : 1, sizeof *m->types);
    m->typebytes = xmalloc(rd_left(r) + 1); /* every value type is one input byte */
    size_t tb = 0;
    size_t hcap = 16;
    while (hcap < (size_t)n * 2)
        hcap *= 2;
    uint32_t *htab = xcalloc(hcap, sizeof *htab);
    for (uint32_t i = 0; i < n; i++) {
        if (rd_u8(r) != 0x60) {
            free(htab);
            return rd_fail(r, "malformed function type (expected 0x60)");
        }
        functype *t = &m->types[i];
        for (int pass = 0; pass < 2; pass++) {
            uint32_t c = rd_count(r, 1);
            if (r->failed) { free(htab); return false; }
            uint8_t *dst = m->typebytes + tb;
            for (uint32_t k = 0; k < c; k++) {
                uint8_t v = rd_u8(r);
                if (r->failed || !valtype_ok(v)) {
                    free(htab);
                    return rd_fail(r, "malformed value type");
                }
                m->typebytes[tb++] = v;
            }
            if (pass == 0) { t->np = c; t->params = dst; }
            else { t->nr = c; t->results = dst; }
        }
        /* canonical index: first structurally equal type (hash table, open addressing) */
        uint64_t hsh = 1469598103934665603ull;
        for (uint32_t k = 0; k < t->np + t->nr; k++)
            hsh = (hsh ^ t->params[k]) * 1099511628211ull; /* params and results are adjacent */
        hsh = (hsh ^ t->np) * 1099511628211ull;
        size_t slot = (size_t)(hsh & (hcap - 1));
        t->canon = i;
        while (htab[slot]) {
            const functype *o = &m->types[htab[slot] - 1];
            if (wasm_functype_equal(o, t)) {
                t->canon = htab[slot] - 1;
                break;
            }
            slot = (slot + 1) & (hcap - 1);
        }
        if (t->canon == i)
            htab[slot] = i + 1;
    }
    free(htab);
    return true;
}

static bool sec_import(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 4);
    if (r->failed) return false;
    m->imports = xcalloc(n ? n : 1, sizeof *m->imports);
    m->functypes = xcalloc(n ? n : 1, sizeof *m->functypes);
    m->tables = xcalloc(n ? n : 1, sizeof *m->tables);
    m->mems = xcalloc(n ? n : 1, sizeof *m->mems);
    m->globals = xcalloc(n ? n : 1, sizeof *m->globals);
    for (uint32_t i = 0; i < n; i++) {
        import_t *im = &m->imports[i];
        m->nimports = i + 1;
        im->module = rd_name(r);
        if (r->failed) return false;
        im->name = rd_name(r);
        if (r->failed) return false;
        im->kind = rd_u8(r);
        if (r->failed) return false;
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            im->type = rd_u32(r);
            if (r->failed) return false;
            if (im->type >= m->ntypes) return rd_fail(r, "unknown type");
            m->functypes[m->nimp_funcs++] = im->type;
            break;
        case WASM_EXTERN_TABLE:
            if (!rd_tabletype(r, &im->table)) return false;
            m->tables[m->nimp_tables++] = im->table;
            break;
        case WASM_EXTERN_MEMORY:
            if (!rd_limits(r, &im->mem, true)) return false;
            m->mems[m->nimp_mems++] = im->mem;
            break;
        case WASM_EXTERN_GLOBAL:
            if (!rd_globaltype(r, &im->global)) return false;
            m->globals[m->nimp_globals++].type = im->global;
            break;
        default:
            return rd_fail(r, "malformed import kind");
        }
    }
    m->nfuncs = m->nimp_funcs;
    m->ntables = m->nimp_tables;
    m->nmems = m->nimp_mems;
    m->nglobals = m->nimp_globals;
    if (m->nmems > 1)
        return rd_fail(r, "multiple memories");
    return true;
}

static bool sec_function(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 1);
    if (r->failed) return false;
    m->functypes = xrealloc(m->functypes, ((size_t)m->nimp_funcs + n + 1) * sizeof *m->functypes);
    m->defs = xcalloc(n ? n : 1, sizeof *m->defs);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = rd_u32(r);
        if (r->failed) return false;
        if (t >= m->ntypes) return rd_fail(r, "unknown type");
        m->functypes[m->nimp_funcs + i] = t;
        m->defs[i].type = t;
    }
    m->nfuncs = m->nimp_funcs + n;
    return true;
}

static bool sec_table(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 3);
    if (r->failed) return false;
    m->tables = xrealloc(m->tables, ((size_t)m->nimp_tables + n + 1) * sizeof *m->tables);
    for (uint32_t i = 0; i < n; i++) {
        if (!rd_tabletype(r, &m->tables[m->ntables])) return false;
        m->ntables++;
    }
    return true;
}

static bool sec_memory(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 2);
    if (r->failed) return false;
    m->mems = xrealloc(m->mems, ((size_t)m->nimp_mems + n + 1) * sizeof *m->mems);
    for (uint32_t i = 0; i < n; i++) {
        if (!rd_limits(r, &m->mems[m->nmems], true)) return false;
        m->nmems++;
    }
    if (m->nmems > 1)
        return rd_fail(r, "multiple memories");
    return true;
}

static bool sec_global(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 4);
    if (r->failed) return false;
    m->globals = xrealloc(m->globals, ((size_t)m->nimp_globals + n + 1) * sizeof *m->globals);
    for (uint32_t i = 0; i < n; i++) {
        global_t *g = &m->globals[m->nglobals];
        if (!rd_globaltype(r, &g->type)) return false;
        if (!rd_constexpr(r, m, g->type.type, &g->init, true)) return false;
        m->nglobals++;
    }
    return true;
}

static bool sec_export(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 3);
    if (r->failed) return false;
    m->exports = xcalloc(n ? n : 1, sizeof *m->exports);
    for (uint32_t i = 0; i < n; i++) {
        export_t *e = &m->exports[i];
        e->name = rd_name_len(r, &e->namelen);
        if (r->failed) return false;
        m->nexports = i + 1;
        e->kind = rd_u8(r);
        e->index = rd_u32(r);
        if (r->failed) return false;
        uint32_t lim;
        switch (e->kind) {
        case WASM_EXTERN_FUNC: lim = m->nfuncs; break;
        case WASM_EXTERN_TABLE: lim = m->ntables; break;
        case WASM_EXTERN_MEMORY: lim = m->nmems; break;
        case WASM_EXTERN_GLOBAL: lim = m->nglobals; break;
        default: return rd_fail(r, "malformed export kind");
        }
        if (e->index >= lim) {
            static const char *const what[] = {"unknown function", "unknown table",
                                               "unknown memory", "unknown global"};
            return rd_fail(r, what[e->kind]);
        }
        if (e->kind == WASM_EXTERN_FUNC)
            m->refs[e->index] = true;
    }
    /* duplicate names: sort a copy of the (length, bytes) keys and compare neighbours */
    if (n > 1) {
        export_t *cp = xmalloc(n * sizeof *cp);
        memcpy(cp, m->exports, n * sizeof *cp);
        qsort(cp, n, sizeof *cp, export_cmp);
        bool dup = false;
        for (uint32_t i = 1; i < n && !dup; i++)
            dup = export_cmp(&cp[i - 1], &cp[i]) == 0;
        free(cp);
        if (dup)
            return rd_fail(r, "duplicate export name");
    }
    return true;
}

static bool sec_start(rd *r, wasm_module *m)
{
    m->start = rd_u32(r);
    if (r->failed) return false;
    if (m->start >= m->nfuncs) return rd_fail(r, "unknown function");
    const functype *t = &m->types[m->functypes[m->start]];
    if (t->np || t->nr) return rd_fail(r, "start function must have type [] -> []");
    m->has_start = true;
    return true;
}

static bool sec_elem(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 2);
    if (r->failed) return false;
    m->elems = xcalloc(n ? n : 1, sizeof *m->elems);
    for (uint32_t i = 0; i < n; i++) {
        elem_t *e = &m->elems[i];
        m->nelems = i + 1;
        uint32_t flags = rd_u32(r);
        if (r->failed) return false;
        if (flags > 7) return rd_fail(r, "malformed elements segment kind");
        e->mode = (flags & 1) ? ((flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE) : SEG_ACTIVE;
        e->table = 0;
        e->type = WASM_FUNCREF;
        if (e->mode == SEG_ACTIVE) {
            if (flags & 2) {
                e->table = rd_u32(r);
                if (r->failed) return false;
            }
            if (e->table >= m->ntables) return rd_fail(r, "unknown table");
            if (!rd_constexpr(r, m, WASM_I32, &e->offset, false)) return false;
        }
        bool exprs = flags & 4;
        if (flags & 3) {
            uint8_t k = rd_u8(r);
            if (r->failed) return false;
            if (exprs) {
                if (!reftype_ok(k)) return rd_fail(r, "malformed reference type");
                e->type = k;
            } else if (k != 0x00) {
                return rd_fail(r, "malformed element kind");
            }
        }
        e->count = rd_count(r, 1);
        if (r->failed) return false;
        e->items = xcalloc(e->count ? e->count : 1, sizeof *e->items);
        for (uint32_t k = 0; k < e->count; k++) {
            if (exprs) {
                if (!rd_constexpr(r, m, e->type, &e->items[k], false)) return false;
            } else {
                uint32_t f = rd_u32(r);
                if (r->failed) return false;
                if (f >= m->nfuncs) return rd_fail(r, "unknown function");
                m->refs[f] = true;
                e->items[k] = (constexpr_t){CE_REFFUNC, WASM_FUNCREF, f};
            }
        }
        if (e->mode == SEG_ACTIVE && m->tables[e->table].elem != e->type)
            return rd_fail(r, "type mismatch (element segment and table)");
    }
    return true;
}

static bool sec_code(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 2);
    if (r->failed) return false;
    if (n != m->nfuncs - m->nimp_funcs)
        return rd_fail(r, "function and code section have inconsistent lengths");
    /* Compiled code is about one cell per input byte: size the buffer once from the section
     * instead of doubling it (each doubling copied everything into fresh pages, and first
     * touches of fresh pages are most of a small module's start-up). Untouched capacity costs
     * nothing; past the estimate emit() doubles as before. */
    size_t guess = rd_left(r) + rd_left(r) / 2 + 64;
    if (!m->code && guess <= ((size_t)64 << 20) / sizeof(cell)) {
        m->codecap = guess;
        m->code = xmalloc(m->codecap * sizeof(cell));
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size = rd_u32(r);
        const uint8_t *body;
        if (r->failed || !rd_bytes(r, size, &body)) return false;
        if (!wasm_compile_body(m, i, r->base, body, body + size, r->err)) {
            r->failed = true;
            return false;
        }
    }
    return true;
}

static bool sec_data(rd *r, wasm_module *m)
{
    uint32_t n = rd_count(r, 2);
    if (r->failed) return false;
    if (m->has_datacount && n != m->datacount)
        return rd_fail(r, "data count and data section have inconsistent lengths");
    m->datas = xcalloc(n ? n : 1, sizeof *m->datas);
    m->databytes = xmalloc(rd_left(r) + 1);
    size_t used = 0;
    for (uint32_t i = 0; i < n; i++) {
        data_t *d = &m->datas[i];
        m->ndatas = i + 1;
        uint32_t flags = rd_u32(r);
        if (r->failed) return false;
        if (flags > 2) return rd_fail(r, "malformed data segment kind");
        d->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
        if (flags == 2) {
            d->mem = rd_u32(r);
            if (r->failed) return false;
        }
        if (d->mode == SEG_ACTIVE) {
            if (d->mem >= m->nmems) return rd_fail(r, "unknown memory");
            if (!rd_constexpr(r, m, WASM_I32, &d->offset, false)) return false;
        }
        d->len = rd_u32(r);
        const uint8_t *b;
        if (r->failed || !rd_bytes(r, d->len, &b)) return false;
        memcpy(m->databytes + used, b, d->len);
        d->bytes = m->databytes + used;
        used += d->len;
    }
    return true;
}

/* "section N (name)", the `where` of errors inside section N (constant: no formatting). */
static const char *const sec_where[] = {
    "section 0 (custom)", "section 1 (type)",     "section 2 (import)",  "section 3 (function)",
    "section 4 (table)",  "section 5 (memory)",   "section 6 (global)",  "section 7 (export)",
    "section 8 (start)",  "section 9 (element)",  "section 10 (code)",   "section 11 (data)",
    "section 12 (data count)"};

/* Order of sections by id: data count (12) sits between element (9) and code (10). */
static int sec_order(uint8_t id)
{
    static const int ord[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return ord[id];
}

wasm_module *wasm_module_compile(const uint8_t *bytes, size_t len,
                                 const wasm_compile_options *opts, wasm_error *err)
{
    size_t maxsz = opts && opts->max_module_size ? opts->max_module_size : ((size_t)256 << 20);
    if (err)
        err->message[0] = 0;
    if (!bytes && len) {
        wasm_set_error(err, "no module bytes");
        return NULL;
    }
    if (len > maxsz) {
        wasm_set_error(err, "module too large (%zu bytes, limit %zu)", len, maxsz);
        return NULL;
    }
    wasm_module *m = xcalloc(1, sizeof *m);
    m->metering = opts ? opts->metering : true;
    m->constpool = xcalloc(1, sizeof(uint64_t)); /* never NULL: copied from at every call */
    rd r = {.base = bytes, .p = bytes, .end = bytes + len, .err = err, .where = "header"};
    const uint8_t *hdr;
    if (!rd_bytes(&r, 4, &hdr)) {
        wasm_set_error(err, "header at byte offset 0: unexpected end (magic header not detected)");
        goto fail;
    }
    if (memcmp(hdr, "\0asm", 4) != 0) {
        wasm_set_error(err, "header at byte offset 0: magic header not detected");
        goto fail;
    }
    if (!rd_bytes(&r, 4, &hdr)) {
        wasm_set_error(err, "header at byte offset 4: unexpected end (unknown binary version)");
        goto fail;
    }
    if (memcmp(hdr, "\1\0\0\0", 4) != 0) {
        wasm_set_error(err, "header at byte offset 4: unknown binary version");
        goto fail;
    }
    int last = 0;
    bool have_code_sec = false;
    while (r.p < r.end) {
        size_t sec_start_off = (size_t)(r.p - bytes);
        r.where = "section header";
        uint8_t id = rd_u8(&r);
        if (r.failed) goto fail;
        if (id > 12) {
            r.p--;
            rd_fail(&r, "malformed section id");
            goto fail;
        }
        const char *where = sec_where[id];
        r.where = where;
        uint32_t size = rd_u32(&r);
        if (r.failed) goto fail;
        if (size > rd_left(&r)) {
            rd_fail(&r, "section size out of bounds (unexpected end)");
            goto fail;
        }
        if (id != 0) {
            if (sec_order(id) <= last) {
                r.p = bytes + sec_start_off;
                rd_fail(&r, "unexpected content after last section (section out of order or duplicated)");
                goto fail;
            }
            last = sec_order(id);
        }
        rd s = {.base = bytes, .p = r.p, .end = r.p + size, .err = err, .where = where};
        r.p += size;
        bool ok = true;
        switch (id) {
        case 0: {
            char *name = rd_name(&s);
            free(name);
            ok = !s.failed;
            s.p = s.end;
            break;
        }
        case 1: ok = sec_type(&s, m); break;
        case 2: ok = sec_import(&s, m); break;
        case 3: ok = sec_function(&s, m); break;
        case 4: ok = sec_table(&s, m); break;
        case 5: ok = sec_memory(&s, m); break;
        case 6:
        case 7:
        case 9:
        case 10:
        case 8: break;
        case 11: ok = sec_data(&s, m); break;
        case 12:
            m->datacount = rd_u32(&s);
            m->has_datacount = true;
            ok = !s.failed;
            break;
        }
        if (ok && (id == 6 || id == 7 || id == 8 || id == 9 || id == 10)) {
            /* C.refs is needed from the first section after the function section that can
             * name a function; nfuncs is final by then */
            if (!m->refs)
                m->refs = xcalloc(m->nfuncs + 1, 1);
            switch (id) {
            case 6: ok = sec_global(&s, m); break;
            case 7: ok = sec_export(&s, m); break;
            case 8: ok = sec_start(&s, m); break;
            case 9: ok = sec_elem(&s, m); break;
            case 10: ok = sec_code(&s, m); have_code_sec = true; break;
            }
        }
        if (!ok)
            goto fail;
        if (s.p != s.end) {
            rd_fail(&s, "section size mismatch");
            goto fail;
        }
    }
    if (!have_code_sec && m->nfuncs != m->nimp_funcs) {
        wasm_set_error(err, "module: function and code section have inconsistent lengths "
                            "(%u functions declared, no code section)",
                       m->nfuncs - m->nimp_funcs);
        goto fail;
    }
    if (m->has_datacount && m->datacount != m->ndatas) {
        wasm_set_error(err, "module: data count and data section have inconsistent lengths");
        goto fail;
    }
    if (!m->refs)
        m->refs = xcalloc(m->nfuncs + 1, 1);
    if (!m->types)
        m->types = xcalloc(1, sizeof *m->types);
    return m;
fail:
    if (err && !err->message[0])
        wasm_set_error(err, "malformed module");
    wasm_module_free(m);
    return NULL;
}

void wasm_module_free(wasm_module *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->nimports; i++) {
        free(m->imports[i].module);
        free(m->imports[i].name);
    }
    free(m->imports);
    for (uint32_t i = 0; i < m->nexports; i++)
        free(m->exports[i].name);
    free(m->exports);
    for (uint32_t i = 0; i < m->nelems; i++)
        free(m->elems[i].items);
    free(m->elems);
    free(m->types);
    free(m->typebytes);
    free(m->functypes);
    free(m->defs);
    free(m->tables);
    free(m->mems);
    free(m->globals);
    free(m->datas);
    free(m->databytes);
    free(m->refs);
    free(m->code);
    free(m->constpool);
    free(m);
}

size_t wasm_module_import_count(const wasm_module *m) { return m ? m->nimports : 0; }

bool wasm_module_import_at(const wasm_module *m, size_t i, wasm_import_info *out)
{
    if (!m || i >= m->nimports || !out)
        return false;
    out->module = m->imports[i].module;
    out->name = m->imports[i].name;
    out->kind = (wasm_extern_kind)m->imports[i].kind;
    return true;
}

size_t wasm_module_export_count(const wasm_module *m) { return m ? m->nexports : 0; }

bool wasm_module_export_at(const wasm_module *m, size_t i, wasm_export_info *out)
{
    if (!m || i >= m->nexports || !out)
        return false;
    out->name = m->exports[i].name;
    out->kind = (wasm_extern_kind)m->exports[i].kind;
    return true;
}
