/* validate_compile.c — validates one function body with the spec's algorithm (operand type
 * stack, control frames, polymorphic stack after unreachable code) and, in the same pass,
 * emits the internal code: every local and operand-stack position is a fixed frame slot,
 * immediates are decoded, branches resolved to relative targets with the values they carry
 * copied into place, br_table as a jump table, fuel charged per straight-line block.
 *
 * Operands are tracked by location: a value pushed by local.get or a constant is not copied
 * but read where it lives (the local's slot, or a slot of the function's constant pool that
 * is filled at function entry) until something could change it (a write to that local, a
 * block boundary, a call). Frame layout: [locals][constants][operand stack]. Since the
 * constant count is known only at the end, slot operands are emitted as location codes and
 * rewritten to frame indices when the function is finished. Peepholes: an operation followed
 * by local.set/tee writes the local directly; an i32 comparison followed by br_if/if becomes
 * one compare-and-branch instruction. */
#include "wasm/internal.h"
#include "wasm/reader.h"
#include "util/util.h"

#include <stdlib.h>

#define T_ANY 0

/* Location codes (operand cells before fix-up). Locals are plain indices. */
#define LOC_HOME (1u << 30)  /* | operand-stack height */
#define LOC_CONST (1u << 29) /* | constant-pool index */
#define LOC_MASK (LOC_CONST - 1)
#define DEFER_LIMIT 64        /* local.get is deferred only below this stack height */
#define MAX_CONSTS 256
#define FUEL_ENTRY (-2) /* fuel_cell value: the current block is the function's entry block */

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

typedef struct ctl {
    uint8_t kind;
    bool unreachable;
    bool entry_live;
    uint32_t height;
    uint32_t np, nr;
    const uint8_t *pt, *rt;
    size_t target;      /* loop: cell index of its header */
    int64_t patch;      /* chain of offset cells waiting for the end address */
    int64_t else_patch; /* if: the branch-if-false offset cell */
} ctl;

typedef struct cc {
    wasm_module *m;
    rd r;
    uint32_t fidx; /* function index (module-wide) */
    uint8_t *ltypes;
    uint32_t nlocals; /* params + declared locals */
    uint32_t nframe_locals; /* max(nlocals, results): the zeroed/result area */
    uint8_t *vs;
    uint32_t *vloc;
    uint32_t vsn, vscap;
    ctl *cs;
    uint32_t csn, cscap;
    uint32_t max_height;
    bool dead;
    const void *const *labels;
    int64_t fuel_cell; /* operand cell of the current block's FUEL op, -1 if none */
    uint64_t entry_fuel; /* cost of the function's first block */
    uint64_t fuel_count;
    uint64_t consts[MAX_CONSTS];
    uint32_t nconsts;
    size_t *fix; /* cells holding location codes */
    size_t nfix, capfix;
    size_t last_pos, last_end; /* last value-producing instruction [pos, end) */
    size_t code_limit;         /* bound on the module's compiled code (hostile input) */
    int last_op;
} cc;

static const uint8_t one_type[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_FUNCREF,
                                   WASM_EXTERNREF};

static const uint8_t *type_ptr(uint8_t t)
{
    for (size_t i = 0; i < sizeof one_type; i++)
        if (one_type[i] == t)
            return &one_type[i];
    return NULL;
}

static bool fail(cc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(cc *c, const char *fmt, ...)
{
    if (!c->r.failed) {
        char what[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        rd_fail(&c->r, what);
    }
    return false;
}

/* ------------------------------------------------------------ emission */

static size_t emit(cc *c, uint64_t v)
{
    if (c->dead)
        return SIZE_MAX;
    wasm_module *m = c->m;
    if (m->ncode >= c->code_limit) {
        fail(c, "function too complex (compiled code larger than %zu cells)", c->code_limit);
        c->dead = true;
        return SIZE_MAX;
    }
    if (m->ncode == m->codecap) {
        m->codecap = m->codecap ? m->codecap * 2 : 1024;
        m->code = xrealloc(m->code, m->codecap * sizeof(cell));
    }
    m->code[m->ncode].u = v;
    return m->ncode++;
}

static size_t emit_op(cc *c, int op)
{
    if (c->dead)
        return SIZE_MAX;
    size_t at = emit(c, 0);
    if (c->labels)
        c->m->code[at].h = c->labels[op];
    else
        c->m->code[at].u = (uint64_t)op;
    return at;
}

/* A slot operand given as a location code. */
static void emit_slot(cc *c, uint32_t loc)
{
    size_t at = emit(c, loc);
    if (at == SIZE_MAX || !(loc & (LOC_HOME | LOC_CONST)))
        return;
    if (c->nfix == c->capfix) {
        c->capfix = c->capfix ? c->capfix * 2 : 256;
        c->fix = xrealloc(c->fix, c->capfix * sizeof *c->fix);
    }
    c->fix[c->nfix++] = at;
}

/* Drop everything emitted from `pos` on (used by peepholes). */
static void unemit(cc *c, size_t pos)
{
    c->m->ncode = pos;
    while (c->nfix && c->fix[c->nfix - 1] >= pos)
        c->nfix--;
}

static inline uint32_t HOME(uint32_t height) { return LOC_HOME | height; }

/* Record that the instruction just emitted from `pos` produced a value into its cell pos+1. */
static void mark_value_op(cc *c, size_t pos, int op)
{
    if (pos == SIZE_MAX)
        return;
    c->last_pos = pos;
    c->last_end = c->m->ncode;
    c->last_op = op;
}

/* True if the last instruction produced the value now on top of the stack (index k, home). */
static bool last_produced(cc *c, uint32_t k)
{
    return !c->dead && c->last_end == c->m->ncode && c->last_pos != SIZE_MAX &&
           c->vloc[k] == HOME(k) && c->m->code[c->last_pos + 1].u == HOME(k);
}

/* ------------------------------------------------------------ type stack */

/* Capacity always exceeds vsn + 1, so vloc[vsn] is readable after any pop. */
static bool grow_stack(cc *c)
{
    if (c->vsn + 2 >= c->vscap) {
        c->vscap = c->vscap ? c->vscap * 2 : 64;
        c->vs = xrealloc(c->vs, c->vscap);
        c->vloc = xrealloc(c->vloc, c->vscap * sizeof *c->vloc);
    }
    if (c->vsn >= WASM_MAX_STACK_HEIGHT)
        return fail(c, "function too complex (operand stack deeper than %u)", WASM_MAX_STACK_HEIGHT);
    return true;
}

static bool push_at(cc *c, uint8_t t, uint32_t loc)
{
    if (!grow_stack(c))
        return false;
    c->vs[c->vsn] = t;
    c->vloc[c->vsn] = loc;
    c->vsn++;
    if (c->vsn > c->max_height)
        c->max_height = c->vsn;
    return true;
}

static bool push(cc *c, uint8_t t) { return push_at(c, t, HOME(c->vsn)); }

/* Pop one value; `want` T_ANY accepts anything. Returns the popped type, or 0xff on error.
 * The popped value's location stays readable at c->vloc[c->vsn]. */
static uint8_t pop(cc *c, uint8_t want)
{
    ctl *f = &c->cs[c->csn - 1];
    if (c->vsn == f->height) {
        if (f->unreachable) {
            /* polymorphic: make the (nonexistent) slot readable as its home */
            if (grow_stack(c))
                c->vloc[c->vsn] = HOME(c->vsn);
            return want;
        }
        fail(c, "type mismatch (operand stack underflow)");
        return 0xff;
    }
    uint8_t t = c->vs[--c->vsn];
    if (want != T_ANY && t != T_ANY && t != want) {
        fail(c, "type mismatch (expected %s)", want == WASM_I32 ? "i32" : want == WASM_I64 ? "i64" :
             want == WASM_F32 ? "f32" : want == WASM_F64 ? "f64" : "reference");
        return 0xff;
    }
    return t == T_ANY ? want : t;
}

static bool pop_vals(cc *c, uint32_t n, const uint8_t *ts)
{
    for (uint32_t i = n; i-- > 0;)
        if (pop(c, ts[i]) == 0xff)
            return false;
    return true;
}

static bool push_vals(cc *c, uint32_t n, const uint8_t *ts)
{
    for (uint32_t i = 0; i < n; i++)
        if (!push(c, ts[i]))
            return false;
    return true;
}

/* Check that the top n values have types ts, without changing the stack. */
static bool peek_vals(cc *c, uint32_t n, const uint8_t *ts)
{
    uint32_t save = c->vsn;
    bool ok = pop_vals(c, n, ts);
    c->vsn = save;
    return ok;
}

/* Move stack value k to its home slot. */
static void materialize(cc *c, uint32_t k)
{
    if (c->dead) /* unreachable code: entries may not even exist (polymorphic stack) */
        return;
    uint32_t loc = c->vloc[k];
    if (loc == HOME(k))
        return;
    emit_op(c, OP_COPY);
    emit_slot(c, HOME(k));
    emit_slot(c, loc);
    c->vloc[k] = HOME(k);
    c->last_end = SIZE_MAX;
}

static void materialize_range(cc *c, uint32_t from, uint32_t to)
{
    for (uint32_t k = from; k < to; k++)
        materialize(c, k);
}

/* Before local x changes: values still read from x move to their home slots. */
static bool has_local_refs(cc *c, uint32_t x, uint32_t below)
{
    uint32_t n = below < DEFER_LIMIT ? below : DEFER_LIMIT;
    for (uint32_t k = 0; k < n; k++)
        if (c->vloc[k] == x)
            return true;
    return false;
}

static void materialize_local_refs(cc *c, uint32_t x, uint32_t below)
{
    uint32_t n = below < DEFER_LIMIT ? below : DEFER_LIMIT;
    for (uint32_t k = 0; k < n; k++)
        if (c->vloc[k] == x)
            materialize(c, k);
}

/* Before a block boundary: nothing may stay a reference to a local. */
static void materialize_all_locals(cc *c)
{
    uint32_t n = c->vsn < DEFER_LIMIT ? c->vsn : DEFER_LIMIT;
    for (uint32_t k = 0; k < n; k++)
        if (!(c->vloc[k] & (LOC_HOME | LOC_CONST)))
            materialize(c, k);
}

static void set_unreachable(cc *c)
{
    ctl *f = &c->cs[c->csn - 1];
    c->vsn = f->height;
    f->unreachable = true;
    c->dead = true;
}

static uint32_t const_loc(cc *c, uint64_t v)
{
    for (uint32_t i = 0; i < c->nconsts; i++)
        if (c->consts[i] == v)
            return LOC_CONST | i;
    if (c->nconsts == MAX_CONSTS)
        return 0;
    c->consts[c->nconsts] = v;
    return LOC_CONST | c->nconsts++;
}

/* ------------------------------------------------------------ fuel */

static void fuel_close(cc *c)
{
    if (c->fuel_cell >= 0)
        c->m->code[c->fuel_cell].u = c->fuel_count;
    else if (c->fuel_cell == FUEL_ENTRY && c->m->metering)
        c->entry_fuel = c->fuel_count; /* charged by the call itself */
    c->fuel_cell = -1;
    c->fuel_count = 0;
}

/* Start a straight-line block (a branch target). `loop`: also an interrupt check point. */
static void block_start(cc *c, bool loop)
{
    fuel_close(c);
    c->last_end = SIZE_MAX;
    if (c->dead)
        return;
    if (c->m->metering) {
        emit_op(c, loop ? OP_LOOP_FUEL : OP_FUEL);
        c->fuel_cell = (int64_t)emit(c, 0);
    } else if (loop) {
        emit_op(c, OP_LOOP_CHECK);
    }
}

/* ------------------------------------------------------------ branches */

static uint32_t label_arity(const ctl *L) { return L->kind == K_LOOP ? L->np : L->nr; }
static const uint8_t *label_types(const ctl *L) { return L->kind == K_LOOP ? L->pt : L->rt; }

/* Emit an offset cell jumping to label L. */
static void emit_target(cc *c, ctl *L)
{
    size_t at = emit(c, 0);
    if (at == SIZE_MAX)
        return;
    if (L->kind == K_LOOP) {
        c->m->code[at].i = (int64_t)L->target - (int64_t)at;
    } else {
        c->m->code[at].i = L->patch;
        L->patch = (int64_t)at;
    }
}

static void resolve_chain(cc *c, int64_t p, size_t target)
{
    while (p >= 0) {
        int64_t next = c->m->code[p].i;
        c->m->code[p].i = (int64_t)target - p;
        p = next;
    }
}

/* Copy the n values on top (height h) to the label's slots. */
static void emit_label_copies(cc *c, ctl *L, uint32_t h)
{
    uint32_t n = label_arity(L);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t src = c->vloc[h - n + i], dst = HOME(L->height + i);
        if (src != dst) {
            emit_op(c, OP_COPY);
            emit_slot(c, dst);
            emit_slot(c, src);
        }
    }
}

static bool needs_copies(cc *c, ctl *L, uint32_t h)
{
    uint32_t n = label_arity(L);
    for (uint32_t i = 0; i < n; i++)
        if (c->vloc[h - n + i] != HOME(L->height + i))
            return true;
    return false;
}

/* Results (top n values at height h) to frame slots 0..n-1, then return. */
static void emit_return(cc *c, uint32_t h)
{
    uint32_t n = c->cs[0].nr;
    /* a result read from a local that an earlier result overwrites: move it home first */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t loc = c->vloc[h - n + i];
        if (!(loc & (LOC_HOME | LOC_CONST)) && loc < n && loc != i)
            materialize(c, h - n + i);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t loc = c->vloc[h - n + i];
        if (loc != i) {
            emit_op(c, OP_COPY);
            emit_slot(c, i);
            emit_slot(c, loc);
        }
    }
    emit_op(c, OP_RET);
}

/* ------------------------------------------------------------ numeric signatures */

/* For a numeric opcode 0x45..0xC4: operand types a (and b, 0 if unary), result r. */
static void numsig(uint8_t op, uint8_t *a, uint8_t *b, uint8_t *r)
{
    const uint8_t I = WASM_I32, L = WASM_I64, F = WASM_F32, D = WASM_F64;
    *b = 0;
    if (op == 0x45) { *a = I; *r = I; }
    else if (op <= 0x4F) { *a = *b = I; *r = I; }
    else if (op == 0x50) { *a = L; *r = I; }
    else if (op <= 0x5A) { *a = *b = L; *r = I; }
    else if (op <= 0x60) { *a = *b = F; *r = I; }
    else if (op <= 0x66) { *a = *b = D; *r = I; }
    else if (op <= 0x69) { *a = I; *r = I; }
    else if (op <= 0x78) { *a = *b = I; *r = I; }
    else if (op <= 0x7B) { *a = L; *r = L; }
    else if (op <= 0x8A) { *a = *b = L; *r = L; }
    else if (op <= 0x91) { *a = F; *r = F; }
    else if (op <= 0x98) { *a = *b = F; *r = F; }
    else if (op <= 0x9F) { *a = D; *r = D; }
    else if (op <= 0xA6) { *a = *b = D; *r = D; }
    else {
        static const uint8_t conv[][2] = {
            /* A7 */ {L, I}, {F, I}, {F, I}, {D, I}, {D, I}, {I, L}, {I, L},
            /* AE */ {F, L}, {F, L}, {D, L}, {D, L},
            /* B2 */ {I, F}, {I, F}, {L, F}, {L, F}, {D, F},
            /* B7 */ {I, D}, {I, D}, {L, D}, {L, D}, {F, D},
            /* BC */ {F, I}, {D, L}, {I, F}, {L, D},
            /* C0 */ {I, I}, {I, I}, {L, L}, {L, L}, {L, L},
        };
        *a = conv[op - 0xA7][0];
        *r = conv[op - 0xA7][1];
    }
}

static bool memarg(cc *c, unsigned natural_log2, uint64_t *offset)
{
    uint32_t align = rd_u32(&c->r);
    uint32_t off = rd_u32(&c->r);
    if (c->r.failed)
        return false;
    if (c->m->nmems == 0)
        return fail(c, "unknown memory 0");
    if (align > natural_log2)
        return fail(c, "alignment must not be larger than natural");
    *offset = off;
    return true;
}

static bool zero_byte(cc *c)
{
    uint8_t b = rd_u8(&c->r);
    if (c->r.failed)
        return false;
    if (b != 0)
        return fail(c, "zero byte expected");
    return true;
}

static bool read_blocktype(cc *c, uint32_t *np, const uint8_t **pt, uint32_t *nr,
                           const uint8_t **rt)
{
    int64_t bt = rd_sleb(&c->r, 33);
    if (c->r.failed)
        return false;
    *np = 0;
    *pt = NULL;
    if (bt == -64) {
        *nr = 0;
        *rt = NULL;
        return true;
    }
    if (bt < 0) {
        uint8_t t = (uint8_t)(bt & 0x7f);
        const uint8_t *p = type_ptr(t);
        if (!p)
            return fail(c, "malformed value type in block type");
        *nr = 1;
        *rt = p;
        return true;
    }
    if ((uint64_t)bt >= c->m->ntypes)
        return fail(c, "unknown type %lld in block type", (long long)bt);
    const functype *ft = &c->m->types[bt];
    *np = ft->np;
    *pt = ft->params;
    *nr = ft->nr;
    *rt = ft->results;
    return true;
}

/* Push a control frame; its params are already on the stack (validated). */
static bool push_ctl(cc *c, uint8_t kind, uint32_t np, const uint8_t *pt, uint32_t nr,
                     const uint8_t *rt)
{
    if (c->csn == c->cscap) {
        if (c->cscap >= 1u << 20)
            return fail(c, "function too complex (blocks nested too deeply)");
        c->cscap = c->cscap ? c->cscap * 2 : 16;
        c->cs = xrealloc(c->cs, c->cscap * sizeof *c->cs);
    }
    ctl *f = &c->cs[c->csn++];
    f->kind = kind;
    f->unreachable = false;
    f->entry_live = !c->dead;
    f->height = c->vsn - np;
    f->np = np;
    f->pt = pt;
    f->nr = nr;
    f->rt = rt;
    f->target = 0;
    f->patch = -1;
    f->else_patch = -1;
    (void)pt;
    return true;
}

static bool is_num(uint8_t t) { return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 || t == T_ANY; }
static bool is_ref(uint8_t t) { return t == WASM_FUNCREF || t == WASM_EXTERNREF || t == T_ANY; }

static bool check_table(cc *c, uint32_t t)
{
    if (t >= c->m->ntables)
        return fail(c, "unknown table %u", t);
    return true;
}

/* Pop n i32 operands and move them to their home slots (for ops reading consecutive slots). */
static bool pop_i32s_home(cc *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (pop(c, WASM_I32) == 0xff)
            return false;
    materialize_range(c, c->vsn, c->vsn + n);
    return true;
}

/* i32/i64 compare opcode -> fused compare-and-branch op, and the inverse comparison. */
static int fused_branch(int cmp)
{
    return cmp >= 0x51 ? OP_BR_EQ64 + (cmp - 0x51) : OP_BR_EQ32 + (cmp - 0x46);
}
static int inverse_cmp(int cmp)
{
    static const uint8_t inv[] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3}; /* eq<->ne, lt<->ge, gt<->le */
    int base = cmp >= 0x51 ? 0x51 : 0x46;
    return base + inv[cmp - base];
}

/* The condition on top (index k, already popped) was just produced by an i32 compare or eqz:
 * replace that instruction with a branch taken when the condition is `when`. Emits the
 * offset cell last (to be filled by the caller); returns false if no fusion applies. */
static bool fuse_cond_branch(cc *c, uint32_t k, bool when)
{
    if (!last_produced(c, k))
        return false;
    int op = c->last_op;
    size_t pos = c->last_pos;
    cell *code = c->m->code;
    if (op == 0x45 || op == 0x50) { /* eqz: branch on the operand's zero-ness */
        uint64_t a = code[pos + 2].u;
        unemit(c, pos);
        if (op == 0x45)
            emit_op(c, when ? OP_BR_UNLESS : OP_BR_IF);
        else
            emit_op(c, when ? OP_BR_UNLESS64 : OP_BR_IF64);
        emit_slot(c, (uint32_t)a);
        c->last_end = SIZE_MAX;
        return true;
    }
    if (op < 0x46 || op > 0x5A || op == 0x50)
        return false;
    uint64_t a = code[pos + 2].u, b = code[pos + 3].u;
    unemit(c, pos);
    emit_op(c, fused_branch(when ? op : inverse_cmp(op)));
    emit_slot(c, (uint32_t)a);
    emit_slot(c, (uint32_t)b);
    c->last_end = SIZE_MAX;
    return true;
}

static bool compile_fc(cc *c)
{
    wasm_module *m = c->m;
    uint32_t sub = rd_u32(&c->r);
    if (c->r.failed)
        return false;
    if (sub <= 7) {
        static const uint8_t from[] = {WASM_F32, WASM_F32, WASM_F64, WASM_F64,
                                       WASM_F32, WASM_F32, WASM_F64, WASM_F64};
        uint8_t to = sub < 4 ? WASM_I32 : WASM_I64;
        if (pop(c, from[sub]) == 0xff)
            return false;
        uint32_t src = c->vloc[c->vsn];
        if (!push(c, to))
            return false;
        size_t pos = emit_op(c, OP_TRUNC_SAT_BASE + (int)sub);
        emit_slot(c, HOME(c->vsn - 1));
        emit_slot(c, src);
        mark_value_op(c, pos, OP_TRUNC_SAT_BASE + (int)sub);
        return true;
    }
    uint32_t a, b;
    switch (sub) {
    case 8: /* memory.init */
        a = rd_u32(&c->r);
        if (!zero_byte(c))
            return false;
        if (c->m->nmems == 0)
            return fail(c, "unknown memory 0");
        if (!m->has_datacount)
            return fail(c, "data count section required");
        if (a >= m->datacount)
            return fail(c, "unknown data segment %u", a);
        if (!pop_i32s_home(c, 3))
            return false;
        emit_op(c, OP_MEM_INIT);
        emit(c, a);
        emit_slot(c, HOME(c->vsn));
        return true;
    case 9:
        a = rd_u32(&c->r);
        if (c->r.failed)
            return false;
        if (!m->has_datacount)
            return fail(c, "data count section required");
        if (a >= m->datacount)
            return fail(c, "unknown data segment %u", a);
        emit_op(c, OP_DATA_DROP);
        emit(c, a);
        return true;
    case 10:
        if (!zero_byte(c) || !zero_byte(c))
            return false;
        if (c->m->nmems == 0)
            return fail(c, "unknown memory 0");
        if (!pop_i32s_home(c, 3))
            return false;
        emit_op(c, OP_MEM_COPY);
        emit_slot(c, HOME(c->vsn));
        return true;
    case 11:
        if (!zero_byte(c))
            return false;
        if (c->m->nmems == 0)
            return fail(c, "unknown memory 0");
        if (!pop_i32s_home(c, 3))
            return false;
        emit_op(c, OP_MEM_FILL);
        emit_slot(c, HOME(c->vsn));
        return true;
    case 12: /* table.init elem table */
        a = rd_u32(&c->r);
        b = rd_u32(&c->r);
        if (c->r.failed || !check_table(c, b))
            return false;
        if (a >= m->nelems)
            return fail(c, "unknown elem segment %u", a);
        if (m->elems[a].type != m->tables[b].elem)
            return fail(c, "type mismatch (table.init)");
        if (!pop_i32s_home(c, 3))
            return false;
        emit_op(c, OP_TABLE_INIT);
        emit(c, b);
        emit(c, a);
        emit_slot(c, HOME(c->vsn));
        return true;
    case 13:
        a = rd_u32(&c->r);
        if (c->r.failed)
            return false;
        if (a >= m->nelems)
            return fail(c, "unknown elem segment %u", a);
        emit_op(c, OP_ELEM_DROP);
        emit(c, a);
        return true;
    case 14: /* table.copy dst src */
        a = rd_u32(&c->r);
        b = rd_u32(&c->r);
        if (c->r.failed || !check_table(c, a) || !check_table(c, b))
            return false;
        if (m->tables[a].elem != m->tables[b].elem)
            return fail(c, "type mismatch (table.copy)");
        if (!pop_i32s_home(c, 3))
            return false;
        emit_op(c, OP_TABLE_COPY);
        emit(c, a);
        emit(c, b);
        emit_slot(c, HOME(c->vsn));
        return true;
    case 15: /* table.grow */
        a = rd_u32(&c->r);
        if (c->r.failed || !check_table(c, a))
            return false;
        if (pop(c, WASM_I32) == 0xff || pop(c, m->tables[a].elem) == 0xff)
            return false;
        materialize_range(c, c->vsn, c->vsn + 2);
        if (!push(c, WASM_I32))
            return false;
        emit_op(c, OP_TABLE_GROW);
        emit(c, a);
        emit_slot(c, HOME(c->vsn - 1));
        return true;
    case 16:
        a = rd_u32(&c->r);
        if (c->r.failed || !check_table(c, a) || !push(c, WASM_I32))
            return false;
        emit_op(c, OP_TABLE_SIZE);
        emit(c, a);
        emit_slot(c, HOME(c->vsn - 1));
        return true;
    case 17:
        a = rd_u32(&c->r);
        if (c->r.failed || !check_table(c, a))
            return false;
        if (pop(c, WASM_I32) == 0xff || pop(c, m->tables[a].elem) == 0xff || pop(c, WASM_I32) == 0xff)
            return false;
        materialize_range(c, c->vsn, c->vsn + 3);
        emit_op(c, OP_TABLE_FILL);
        emit(c, a);
        emit_slot(c, HOME(c->vsn));
        return true;
    default:
        return fail(c, "illegal opcode 0xfc %u", sub);
    }
}

static bool compile_br_table(cc *c)
{
    uint32_t n = rd_count(&c->r, 1);
    if (c->r.failed)
        return false;
    uint32_t *ls = xmalloc(((size_t)n + 1) * sizeof *ls);
    bool ok = false;
    for (uint32_t i = 0; i <= n; i++) {
        ls[i] = rd_u32(&c->r);
        if (c->r.failed)
            goto out;
        if (ls[i] >= c->csn) {
            fail(c, "unknown label %u", ls[i]);
            goto out;
        }
    }
    if (pop(c, WASM_I32) == 0xff)
        goto out;
    uint32_t h = c->vsn;
    uint32_t cond = c->vloc[h];
    ctl *D = &c->cs[c->csn - 1 - ls[n]];
    uint32_t arity = label_arity(D);
    for (uint32_t i = 0; i <= n; i++) {
        ctl *L = &c->cs[c->csn - 1 - ls[i]];
        if (label_arity(L) != arity) {
            fail(c, "type mismatch (br_table labels with different arity)");
            goto out;
        }
        if (!peek_vals(c, arity, label_types(L)))
            goto out;
    }
    if (!c->dead) {
        emit_op(c, OP_BR_TABLE);
        emit_slot(c, cond);
        emit(c, n);
        size_t tab = c->m->ncode;
        for (uint32_t i = 0; i <= n; i++)
            emit(c, 0);
        if (c->r.failed)
            goto out;
        for (uint32_t i = 0; i <= n; i++) {
            ctl *L = &c->cs[c->csn - 1 - ls[i]];
            size_t cellpos = tab + i;
            if (needs_copies(c, L, h)) {
                size_t here = c->m->ncode;
                c->m->code[cellpos].i = (int64_t)here - (int64_t)cellpos;
                emit_label_copies(c, L, h);
                emit_op(c, OP_JMP);
                emit_target(c, L);
            } else if (L->kind == K_LOOP) {
                c->m->code[cellpos].i = (int64_t)L->target - (int64_t)cellpos;
            } else {
                c->m->code[cellpos].i = L->patch;
                L->patch = (int64_t)cellpos;
            }
        }
    }
    set_unreachable(c);
    ok = true;
out:
    free(ls);
    return ok;
}

/* block/loop/if: everything on the stack stops referring to locals, params go home. */
static bool compile_block(cc *c, uint8_t op)
{
    uint32_t np = 0, nr = 0;
    const uint8_t *pt = NULL, *rt = NULL;
    if (!read_blocktype(c, &np, &pt, &nr, &rt))
        return false;
    uint32_t cond = 0;
    if (op == 0x04) {
        if (pop(c, WASM_I32) == 0xff)
            return false;
        cond = c->vloc[c->vsn];
    }
    if (!peek_vals(c, np, pt))
        return false;
    if (!c->dead) {
        materialize_all_locals(c);
        materialize_range(c, c->vsn - np, c->vsn);
    }
    if (!pop_vals(c, np, pt) || !push_vals(c, np, pt))
        return false;
    if (op == 0x04) {
        /* the condition may have been a local: it was popped, so read it as it is now */
        if (!fuse_cond_branch(c, c->vsn, false) ) {
            emit_op(c, OP_BR_UNLESS);
            emit_slot(c, cond);
        }
    }
    size_t at = SIZE_MAX;
    if (op == 0x04)
        at = emit(c, 0);
    size_t hdr = c->m->ncode;
    if (op == 0x03)
        block_start(c, true); /* the header (fuel/interrupt op) is the branch target */
    if (!push_ctl(c, op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : K_IF, np, pt, nr, rt))
        return false;
    ctl *f = &c->cs[c->csn - 1];
    if (op == 0x03) {
        f->target = hdr;
    } else if (op == 0x04) {
        /* the then-branch is entered only by falling through: it stays in the current
         * fuel block (charged up front, no refund when the condition is false) */
        f->else_patch = at == SIZE_MAX ? -1 : (int64_t)at;
    }
    return true;
}

static bool compile_op(cc *c, uint8_t op)
{
    wasm_module *m = c->m;
    rd *r = &c->r;
    const uint8_t I = WASM_I32;
    uint32_t x, h;
    c->fuel_count++;
    switch (op) {
    case 0x00:
        emit_op(c, OP_UNREACHABLE);
        set_unreachable(c);
        return true;
    case 0x01:
        return true;
    case 0x02:
    case 0x03:
    case 0x04:
        return compile_block(c, op);
    case 0x05: {
        ctl *f = &c->cs[c->csn - 1];
        if (f->kind != K_IF)
            return fail(c, "else without matching if");
        if (!pop_vals(c, f->nr, f->rt))
            return false;
        if (c->vsn != f->height)
            return fail(c, "type mismatch (values remaining at else)");
        materialize_range(c, f->height, f->height + f->nr);
        if (!c->dead) {
            emit_op(c, OP_JMP);
            emit_target(c, f);
        }
        c->dead = !f->entry_live;
        if (f->else_patch >= 0)
            c->m->code[f->else_patch].i = (int64_t)c->m->ncode - f->else_patch;
        f->else_patch = -1;
        f->kind = K_ELSE;
        f->unreachable = false;
        if (!push_vals(c, f->np, f->pt))
            return false;
        block_start(c, false);
        return true;
    }
    case 0x0B: {
        ctl *f = &c->cs[c->csn - 1];
        if (!pop_vals(c, f->nr, f->rt))
            return false;
        if (c->vsn != f->height)
            return fail(c, "type mismatch (values remaining at end of block)");
        if (f->kind == K_IF) {
            if (f->np != f->nr || (f->np && memcmp(f->pt, f->rt, f->np) != 0))
                return fail(c, "type mismatch (if without else must leave its parameters)");
        }
        if (f->kind == K_FUNC) {
            /* branches to the function's label land on the return sequence */
            if (!c->dead)
                materialize_range(c, f->height, f->height + f->nr);
            if (f->patch >= 0)
                c->dead = false;
            resolve_chain(c, f->patch, c->m->ncode);
            if (!c->dead) {
                c->vsn = f->height;
                if (!push_vals(c, f->nr, f->rt))
                    return false;
                emit_return(c, c->vsn);
            }
            c->csn--;
            return true;
        }
        materialize_range(c, f->height, f->height + f->nr);
        c->dead = !f->entry_live;
        size_t here = c->m->ncode;
        /* a new fuel block only if something branches here (not for mere fallthrough) */
        bool target = f->kind != K_LOOP && (f->else_patch >= 0 || f->patch >= 0);
        if (f->else_patch >= 0)
            c->m->code[f->else_patch].i = (int64_t)here - f->else_patch;
        if (f->kind != K_LOOP)
            resolve_chain(c, f->patch, here);
        c->csn--;
        if (!push_vals(c, f->nr, f->rt))
            return false;
        if (target)
            block_start(c, false);
        return true;
    }
    case 0x0C:
    case 0x0D: {
        x = rd_u32(r);
        if (r->failed)
            return false;
        if (x >= c->csn)
            return fail(c, "unknown label %u", x);
        uint32_t cond = 0;
        if (op == 0x0D) {
            if (pop(c, I) == 0xff)
                return false;
            cond = c->vloc[c->vsn];
        }
        ctl *L = &c->cs[c->csn - 1 - x];
        uint32_t n = label_arity(L);
        const uint8_t *lt = label_types(L);
        if (op == 0x0C) {
            if (!peek_vals(c, n, lt))
                return false;
        } else {
            /* br_if leaves the label's types (refining unknowns); locations stay */
            if (!pop_vals(c, n, lt))
                return false;
            uint32_t b = c->vsn;
            for (uint32_t i = 0; i < n; i++)
                if (!push_at(c, lt[i], c->vloc[b + i]))
                    return false;
        }
        h = c->vsn;
        if (op == 0x0C) {
            if (!c->dead) {
                emit_label_copies(c, L, h);
                emit_op(c, OP_JMP);
                emit_target(c, L);
            }
            set_unreachable(c);
        } else if (!c->dead && !needs_copies(c, L, h)) {
            if (!fuse_cond_branch(c, h, true)) {
                emit_op(c, OP_BR_IF);
                emit_slot(c, cond);
            }
            emit_target(c, L);
        } else if (!c->dead) {
            if (!fuse_cond_branch(c, h, false)) {
                emit_op(c, OP_BR_UNLESS);
                emit_slot(c, cond);
            }
            size_t skip = emit(c, 0);
            emit_label_copies(c, L, h);
            emit_op(c, OP_JMP);
            emit_target(c, L);
            if (skip != SIZE_MAX)
                c->m->code[skip].i = (int64_t)c->m->ncode - (int64_t)skip;
        }
        c->last_end = SIZE_MAX;
        return true;
    }
    case 0x0E:
        return compile_br_table(c);
    case 0x0F: {
        ctl *F = &c->cs[0];
        if (!peek_vals(c, F->nr, F->rt))
            return false;
        if (!c->dead)
            emit_return(c, c->vsn);
        set_unreachable(c);
        return true;
    }
    case 0x10:
    case 0x11: {
        const functype *ft;
        uint32_t table = 0, ci = 0;
        x = rd_u32(r);
        if (r->failed)
            return false;
        if (op == 0x10) {
            if (x >= m->nfuncs)
                return fail(c, "unknown function %u", x);
            ft = &m->types[m->functypes[x]];
        } else {
            table = rd_u32(r);
            if (r->failed)
                return false;
            if (x >= m->ntypes)
                return fail(c, "unknown type %u", x);
            if (!check_table(c, table))
                return false;
            if (m->tables[table].elem != WASM_FUNCREF)
                return fail(c, "type mismatch (call_indirect on a table of externref)");
            ft = &m->types[x];
            if (pop(c, I) == 0xff)
                return false;
            ci = c->vloc[c->vsn];
        }
        if (!pop_vals(c, ft->np, ft->params))
            return false;
        uint32_t base = c->vsn;
        materialize_range(c, base, base + ft->np);
        if (op == 0x10) {
            emit_op(c, OP_CALL);
            emit(c, x);
            emit_slot(c, HOME(base));
        } else {
            emit_op(c, OP_CALL_INDIRECT);
            emit(c, table);
            emit(c, m->types[x].canon);
            emit_slot(c, ci);
            emit_slot(c, HOME(base));
        }
        c->last_end = SIZE_MAX;
        /* host calls may use max(params, results) slots */
        if (base + ft->np > c->max_height)
            c->max_height = base + ft->np;
        return push_vals(c, ft->nr, ft->results);
    }
    case 0x1A:
        return pop(c, T_ANY) != 0xff;
    case 0x1B:
    case 0x1C: {
        uint8_t t = T_ANY;
        if (op == 0x1C) {
            uint32_t n = rd_u32(r);
            if (r->failed)
                return false;
            if (n != 1)
                return fail(c, "invalid result arity");
            t = rd_u8(r);
            if (r->failed)
                return false;
            if (!valtype_ok(t))
                return fail(c, "malformed value type");
        }
        if (pop(c, I) == 0xff)
            return false;
        uint32_t lc = c->vloc[c->vsn];
        uint8_t t1 = pop(c, t);
        if (t1 == 0xff)
            return false;
        uint32_t lb = c->vloc[c->vsn];
        uint8_t t2 = pop(c, t);
        if (t2 == 0xff)
            return false;
        uint32_t la = c->vloc[c->vsn];
        if (op == 0x1B) {
            if (!is_num(t1) || !is_num(t2))
                return fail(c, "type mismatch (select on references needs a type)");
            if (t1 != T_ANY && t2 != T_ANY && t1 != t2)
                return fail(c, "type mismatch (select operands)");
            t = t1 == T_ANY ? t2 : t1;
        }
        h = c->vsn;
        size_t pos = emit_op(c, OP_SELECT);
        emit_slot(c, HOME(h));
        emit_slot(c, la);
        emit_slot(c, lb);
        emit_slot(c, lc);
        mark_value_op(c, pos, OP_SELECT);
        return push(c, t);
    }
    case 0x20:
    case 0x21:
    case 0x22: {
        x = rd_u32(r);
        if (r->failed)
            return false;
        if (x >= c->nlocals)
            return fail(c, "unknown local %u", x);
        uint8_t t = c->ltypes[x];
        if (op == 0x20) {
            if (c->vsn < DEFER_LIMIT)
                return push_at(c, t, x);
            if (!push(c, t))
                return false;
            emit_op(c, OP_COPY);
            emit_slot(c, HOME(c->vsn - 1));
            emit_slot(c, x);
            c->last_end = SIZE_MAX;
            return true;
        }
        if (pop(c, t) == 0xff)
            return false;
        uint32_t k = c->vsn, src = c->vloc[k];
        if (src == x) {
            /* local.get x; local.set/tee x: nothing to do */
        } else if (last_produced(c, k) && !has_local_refs(c, x, k)) {
            c->m->code[c->last_pos + 1].u = x; /* the producer writes the local directly */
            src = x;
        } else {
            materialize_local_refs(c, x, k);
            emit_op(c, OP_COPY);
            emit_slot(c, x);
            emit_slot(c, src);
        }
        c->last_end = SIZE_MAX;
        if (op != 0x22)
            return true;
        /* tee: the value now lives in x */
        if (k < DEFER_LIMIT)
            return push_at(c, t, x);
        if (src != HOME(k)) {
            emit_op(c, OP_COPY);
            emit_slot(c, HOME(k));
            emit_slot(c, x);
        }
        return push(c, t);
    }
    case 0x23:
    case 0x24:
        x = rd_u32(r);
        if (r->failed)
            return false;
        if (x >= m->nglobals)
            return fail(c, "unknown global %u", x);
        if (op == 0x23) {
            if (!push(c, m->globals[x].type.type))
                return false;
            size_t pos = emit_op(c, OP_GLOBAL_GET);
            emit_slot(c, HOME(c->vsn - 1));
            emit(c, x);
            mark_value_op(c, pos, OP_GLOBAL_GET);
        } else {
            if (!m->globals[x].type.mut)
                return fail(c, "global is immutable");
            if (pop(c, m->globals[x].type.type) == 0xff)
                return false;
            emit_op(c, OP_GLOBAL_SET);
            emit(c, x);
            emit_slot(c, c->vloc[c->vsn]);
            c->last_end = SIZE_MAX;
        }
        return true;
    case 0x25:
    case 0x26:
        x = rd_u32(r);
        if (r->failed || !check_table(c, x))
            return false;
        if (op == 0x25) {
            if (pop(c, I) == 0xff)
                return false;
            materialize(c, c->vsn);
            if (!push(c, m->tables[x].elem))
                return false;
            emit_op(c, OP_TABLE_GET);
            emit(c, x);
            emit_slot(c, HOME(c->vsn - 1));
        } else {
            if (pop(c, m->tables[x].elem) == 0xff || pop(c, I) == 0xff)
                return false;
            materialize_range(c, c->vsn, c->vsn + 2);
            emit_op(c, OP_TABLE_SET);
            emit(c, x);
            emit_slot(c, HOME(c->vsn));
        }
        c->last_end = SIZE_MAX;
        return true;
    case 0x3F:
    case 0x40:
        if (!zero_byte(c))
            return false;
        if (m->nmems == 0)
            return fail(c, "unknown memory 0");
        if (op == 0x40) {
            if (pop(c, I) == 0xff)
                return false;
            materialize(c, c->vsn);
        }
        if (!push(c, I))
            return false;
        emit_op(c, op == 0x3F ? OP_MEM_SIZE : OP_MEM_GROW);
        emit_slot(c, HOME(c->vsn - 1));
        c->last_end = SIZE_MAX;
        return true;
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44: {
        uint64_t v = 0;
        uint8_t t;
        if (op == 0x41) {
            v = (uint32_t)(int32_t)rd_sleb(r, 32);
            t = WASM_I32;
        } else if (op == 0x42) {
            v = (uint64_t)rd_sleb(r, 64);
            t = WASM_I64;
        } else {
            const uint8_t *b;
            unsigned n = op == 0x43 ? 4 : 8;
            if (!rd_bytes(r, n, &b))
                return false;
            memcpy(&v, b, n);
            t = op == 0x43 ? WASM_F32 : WASM_F64;
        }
        if (r->failed)
            return false;
        uint32_t loc = const_loc(c, v);
        if (loc)
            return push_at(c, t, loc);
        if (!push(c, t))
            return false;
        size_t pos = emit_op(c, OP_CONST);
        emit_slot(c, HOME(c->vsn - 1));
        emit(c, v);
        mark_value_op(c, pos, OP_CONST);
        return true;
    }
    case 0xD0: {
        uint8_t t = rd_u8(r);
        if (r->failed)
            return false;
        if (!reftype_ok(t))
            return fail(c, "malformed reference type");
        uint32_t loc = const_loc(c, 0);
        if (loc)
            return push_at(c, t, loc);
        if (!push(c, t))
            return false;
        emit_op(c, OP_CONST);
        emit_slot(c, HOME(c->vsn - 1));
        emit(c, 0);
        c->last_end = SIZE_MAX;
        return true;
    }
    case 0xD1: {
        uint8_t t = pop(c, T_ANY);
        if (t == 0xff)
            return false;
        if (!is_ref(t))
            return fail(c, "type mismatch (ref.is_null on a number)");
        materialize(c, c->vsn);
        if (!push(c, I))
            return false;
        emit_op(c, OP_REF_IS_NULL);
        emit_slot(c, HOME(c->vsn - 1));
        c->last_end = SIZE_MAX;
        return true;
    }
    case 0xD2:
        x = rd_u32(r);
        if (r->failed)
            return false;
        if (x >= m->nfuncs)
            return fail(c, "unknown function %u", x);
        if (!m->refs[x])
            return fail(c, "undeclared function reference %u", x);
        if (!push(c, WASM_FUNCREF))
            return false;
        emit_op(c, OP_REF_FUNC);
        emit_slot(c, HOME(c->vsn - 1));
        emit(c, x);
        c->last_end = SIZE_MAX;
        return true;
    case 0xFC:
        return compile_fc(c);
    default:
        break;
    }
    if (op >= 0x28 && op <= 0x3E) {
        static const uint8_t nat[] = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2,
                                      2, 3, 2, 3, 0, 1, 0, 1, 2};
        static const uint8_t ty[] = {0x7f, 0x7e, 0x7d, 0x7c, 0x7f, 0x7f, 0x7f, 0x7f,
                                     0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7f, 0x7e,
                                     0x7d, 0x7c, 0x7f, 0x7f, 0x7e, 0x7e, 0x7e};
        uint64_t off = 0;
        if (!memarg(c, nat[op - 0x28], &off))
            return false;
        uint8_t t = ty[op - 0x28];
        if (op <= 0x35) {
            if (pop(c, I) == 0xff)
                return false;
            uint32_t addr = c->vloc[c->vsn];
            if (!push(c, t))
                return false;
            size_t pos = emit_op(c, op);
            emit_slot(c, HOME(c->vsn - 1));
            emit_slot(c, addr);
            emit(c, off);
            mark_value_op(c, pos, op);
        } else {
            if (pop(c, t) == 0xff)
                return false;
            uint32_t val = c->vloc[c->vsn];
            if (pop(c, I) == 0xff)
                return false;
            uint32_t addr = c->vloc[c->vsn];
            emit_op(c, op);
            emit_slot(c, addr);
            emit_slot(c, val);
            emit(c, off);
            c->last_end = SIZE_MAX;
        }
        return true;
    }
    if (op >= 0x45 && op <= 0xC4) {
        uint8_t a, b, res;
        numsig(op, &a, &b, &res);
        uint32_t lb = 0, la;
        if (b) {
            if (pop(c, b) == 0xff)
                return false;
            lb = c->vloc[c->vsn];
        }
        if (pop(c, a) == 0xff)
            return false;
        la = c->vloc[c->vsn];
        if (!push(c, res))
            return false;
        h = c->vsn;
        size_t pos = emit_op(c, op);
        emit_slot(c, HOME(h - 1));
        emit_slot(c, la);
        if (b)
            emit_slot(c, lb);
        mark_value_op(c, pos, op);
        return true;
    }
    return fail(c, "illegal opcode 0x%02x", op);
}

bool wasm_compile_body(wasm_module *m, uint32_t defidx, const uint8_t *base, const uint8_t *p,
                       const uint8_t *end, wasm_error *err)
{
    uint32_t fidx = m->nimp_funcs + defidx;
    cc c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.fidx = fidx;
    c.r = (rd){.base = base, .p = p, .end = end, .err = err, .where = "code section, function",
               .where_has_num = true, .where_num = fidx};
    c.labels = wasm_interp_labels();
    c.fuel_cell = -1;
    c.last_pos = c.last_end = SIZE_MAX;
    /* compiled code is a few cells per input byte; anything far beyond is an attack */
    c.code_limit = (size_t)(c.r.end - base) * 64 + ((size_t)1 << 20);
    grow_stack(&c);
    funcdef *d = &m->defs[defidx];
    const functype *ft = &m->types[d->type];
    d->body_off = (size_t)(p - base);
    bool ok = false;
    size_t code_start = m->ncode;

    /* locals */
    uint32_t ngroups = rd_count(&c.r, 2);
    if (c.r.failed)
        goto out;
    uint64_t total = ft->np;
    const uint8_t *save = c.r.p;
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t n = rd_u32(&c.r);
        uint8_t t = rd_u8(&c.r);
        if (c.r.failed)
            goto out;
        if (!valtype_ok(t)) {
            fail(&c, "malformed value type in locals");
            goto out;
        }
        total += n;
        if (total > WASM_MAX_LOCALS + (uint64_t)ft->np) {
            fail(&c, "too many locals (limit %u)", WASM_MAX_LOCALS);
            goto out;
        }
    }
    c.nlocals = (uint32_t)total;
    c.nframe_locals = c.nlocals > ft->nr ? c.nlocals : ft->nr;
    c.ltypes = xmalloc(total + 1);
    if (ft->np)
        memcpy(c.ltypes, ft->params, ft->np);
    c.r.p = save;
    size_t k = ft->np;
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t n = rd_u32(&c.r);
        uint8_t t = rd_u8(&c.r);
        memset(c.ltypes + k, t, n);
        k += n;
    }
    d->code_off = m->ncode;
    if (!push_ctl(&c, K_FUNC, 0, NULL, ft->nr, ft->results))
        goto out;
    c.fuel_cell = FUEL_ENTRY;
    while (c.csn > 0) {
        if (c.r.p >= c.r.end) {
            fail(&c, "unexpected end of function body (missing end)");
            goto out;
        }
        uint8_t op = rd_u8(&c.r);
        if (!compile_op(&c, op) || c.r.failed)
            goto out;
    }
    fuel_close(&c);
    if (c.r.p != c.r.end) {
        fail(&c, "section size mismatch (bytes after the end of the function body)");
        goto out;
    }
    /* fix up location codes: [locals][constants][operand stack] */
    for (size_t i = 0; i < c.nfix; i++) {
        cell *cl = &m->code[c.fix[i]];
        uint64_t v = cl->u;
        if (v & LOC_HOME)
            cl->u = (uint64_t)c.nframe_locals + c.nconsts + (v & LOC_MASK);
        else if (v & LOC_CONST)
            cl->u = (uint64_t)c.nframe_locals + (v & LOC_MASK);
    }
    d->nlocals = c.nframe_locals;
    /* setting up the frame (zeroing locals, copying constants) costs 1 per 8 slots */
    d->entry_fuel = c.entry_fuel + (m->metering ? (uint64_t)(c.nframe_locals - ft->np + c.nconsts) / 8 : 0);
    d->nconsts = c.nconsts;
    d->const_off = m->nconstpool;
    if (c.nconsts) {
        m->constpool = xrealloc(m->constpool, (m->nconstpool + c.nconsts) * sizeof(uint64_t));
        memcpy(m->constpool + m->nconstpool, c.consts, c.nconsts * sizeof(uint64_t));
        m->nconstpool += c.nconsts;
    }
    d->frame_size = c.nframe_locals + c.nconsts + c.max_height + 1;
    ok = true;
out:
    if (!ok) {
        m->ncode = code_start;
        if (err && !c.r.failed)
            wasm_set_error(err, "code section, function %u: invalid function body", fidx);
    }
    free(c.ltypes);
    free(c.vs);
    free(c.vloc);
    free(c.cs);
    free(c.fix);
    return ok;
}
