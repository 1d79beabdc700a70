/* spec_runner.c — runs WebAssembly spec-test scripts converted by wabt's wast2json against
 * boxagent's engine (src/wasm/wasm.h only).
 *
 *   spec-runner FILE.json...
 *
 * Every command is executed: module (binary; named modules), register, action (invoke/get),
 * assert_return, assert_trap, assert_exhaustion, assert_invalid, assert_malformed (binary;
 * text-format modules are counted as skipped), assert_unlinkable, assert_uninstantiable.
 * Prints "<file>.wast: N passed, N failed, N skipped" per script, the first few failures of
 * each with expected vs got, and a closing "N passed, N failed, N skipped". Counts are of
 * assertions; a module, register or action command that fails is counted as a failure too.
 *
 * Guards so that an engine bug cannot hang a test run: every instance gets a fuel budget
 * (SPEC_FUEL, default 2e9 instructions per call) and every command an alarm (SPEC_TIMEOUT
 * seconds, default 20) that first interrupts the running instance, then exits. */
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "util/util.h"

#define MAX_REPORTED 8      /* failures printed per script */
#define MAX_RESULTS 1024    /* results one call may return */

typedef struct loaded {
    char *name; /* "$M" or NULL */
    wasm_module *mod;
    wasm_instance *inst; /* NULL if instantiation failed */
} loaded;

typedef struct script {
    char *dir;           /* directory of the .json (module files are relative to it) */
    char display[256];   /* "i32.wast" */
    int line;            /* line of the current command in the .wast */
    wasm_linker *linker;
    loaded *mods;
    size_t nmods, capmods;
    wasm_instance *current;
    unsigned passed, failed, skipped;
} script;

static uint64_t g_fuel = 2000000000ull;
static unsigned g_timeout = 20;

/* ---------------------------------------------------------------- watchdog */

static wasm_instance *volatile g_running;
static volatile sig_atomic_t g_interrupted;
static char g_where[300];

static void on_alarm(int sig)
{
    (void)sig;
    if (g_running != NULL && !g_interrupted) {
        g_interrupted = 1;
        wasm_instance_interrupt(g_running);
        alarm(5);
        return;
    }
    static const char msg[] = "spec-runner: command timed out (engine hang) at ";
    ssize_t r = write(2, msg, sizeof msg - 1);
    r = write(2, g_where, strnlen(g_where, sizeof g_where));
    r = write(2, "\n", 1);
    (void)r;
    _exit(124);
}

static void watch_begin(script *s, wasm_instance *inst)
{
    snprintf(g_where, sizeof g_where, "%s:%d", s->display, s->line);
    g_interrupted = 0;
    g_running = inst;
    alarm(g_timeout);
}

static void watch_end(void)
{
    alarm(0);
    if (g_running != NULL && g_interrupted)
        wasm_instance_clear_interrupt(g_running);
    g_running = NULL;
}

/* ---------------------------------------------------------------- reporting */

static void fail(script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(script *s, const char *fmt, ...)
{
    s->failed++;
    if (s->failed > MAX_REPORTED)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("  %s:%d: ", s->display, s->line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* "name(i32:0x1, f64:0x...)" for reports. */
static void describe_action(const json_t *action, char *out, size_t len)
{
    const char *field = json_string_value(json_object_get(action, "field"));
    const char *mod = json_string_value(json_object_get(action, "module"));
    size_t n = (size_t)snprintf(out, len, "%s%s%s(", mod ? mod : "", mod ? "." : "",
                                field ? field : "?");
    const json_t *args = json_object_get(action, "args");
    size_t i;
    const json_t *a;
    json_array_foreach(args, i, a) {
        char v[64];
        spec_format_expected(a, v, sizeof v);
        if (n < len)
            n += (size_t)snprintf(out + n, len - n, "%s%s", i ? ", " : "", v);
    }
    if (n < len)
        snprintf(out + n, len - n, ")");
}

/* ---------------------------------------------------------------- modules */

static wasm_module *compile_file(script *s, const char *filename, wasm_error *err)
{
    char *path = xasprintf("%s/%s", s->dir, filename);
    size_t len = 0;
    char *bytes = util_read_file(path, 0, &len);
    free(path);
    if (bytes == NULL) {
        snprintf(err->message, sizeof err->message, "cannot read %s", filename);
        return NULL;
    }
    wasm_compile_options opts = {.metering = true};
    err->message[0] = '\0';
    watch_begin(s, NULL);
    wasm_module *m = wasm_module_compile((const uint8_t *)bytes, len, &opts, err);
    watch_end();
    free(bytes);
    return m;
}

static wasm_instance *instantiate(script *s, wasm_module *m, wasm_error *err)
{
    wasm_limits limits = {.fuel = g_fuel};
    err->message[0] = '\0';
    watch_begin(s, NULL);
    wasm_instance *inst = wasm_instantiate(m, s->linker, &limits, err);
    watch_end();
    return inst;
}

static loaded *remember(script *s, const char *name, wasm_module *m, wasm_instance *inst)
{
    if (s->nmods == s->capmods) {
        s->capmods = s->capmods ? 2 * s->capmods : 16;
        s->mods = xrealloc(s->mods, s->capmods * sizeof *s->mods);
    }
    loaded *l = &s->mods[s->nmods++];
    l->name = name ? xstrdup(name) : NULL;
    l->mod = m;
    l->inst = inst;
    return l;
}

static wasm_instance *find_instance(script *s, const char *name)
{
    if (name == NULL)
        return s->current;
    for (size_t i = s->nmods; i-- > 0;)
        if (s->mods[i].name != NULL && strcmp(s->mods[i].name, name) == 0)
            return s->mods[i].inst;
    return NULL;
}

static void cmd_module(script *s, const json_t *c)
{
    const char *file = json_string_value(json_object_get(c, "filename"));
    const char *name = json_string_value(json_object_get(c, "name"));
    wasm_error err;
    s->current = NULL;
    wasm_module *m = file ? compile_file(s, file, &err) : NULL;
    if (m == NULL) {
        fail(s, "module %s did not compile: %s", file ? file : "?", file ? err.message : "");
        remember(s, name, NULL, NULL);
        return;
    }
    wasm_instance *inst = instantiate(s, m, &err);
    if (inst == NULL)
        fail(s, "module %s did not instantiate: %s", file, err.message);
    remember(s, name, m, inst);
    s->current = inst;
}

static void cmd_register(script *s, const json_t *c)
{
    const char *as = json_string_value(json_object_get(c, "as"));
    const char *name = json_string_value(json_object_get(c, "name"));
    wasm_instance *inst = find_instance(s, name);
    wasm_error err = {{0}};
    if (inst == NULL || as == NULL) {
        fail(s, "register %s: no such module instance %s", as ? as : "?", name ? name : "");
        return;
    }
    if (!wasm_linker_define_instance(s->linker, as, inst, &err))
        fail(s, "register %s failed: %s", as, err.message);
}

/* ---------------------------------------------------------------- actions */

/* Performs an invoke/get. Returns -1 (with why) if it could not be performed at all,
 * otherwise the trap code; results go to res/nres. */
static int perform(script *s, const json_t *action, wasm_value *res, size_t *nres, char *why,
                   size_t whylen)
{
    const char *type = json_string_value(json_object_get(action, "type"));
    const json_t *jfield = json_object_get(action, "field");
    const char *field = json_string_value(jfield);
    size_t field_len = json_string_length(jfield); /* names may contain NUL bytes */
    const char *mod = json_string_value(json_object_get(action, "module"));
    wasm_instance *inst = find_instance(s, mod);
    *nres = 0;
    if (type == NULL || field == NULL) {
        snprintf(why, whylen, "malformed action");
        return -1;
    }
    if (inst == NULL) {
        snprintf(why, whylen, "no module instance %s", mod ? mod : "(current)");
        return -1;
    }
    wasm_extern ext;
    if (strcmp(type, "get") == 0) {
        if (!wasm_instance_export_len(inst, field, field_len, &ext) ||
            ext.kind != WASM_EXTERN_GLOBAL) {
            snprintf(why, whylen, "no exported global %s", field);
            return -1;
        }
        res[0] = wasm_global_get(ext.of.global);
        *nres = 1;
        return WASM_OK;
    }
    if (strcmp(type, "invoke") != 0) {
        snprintf(why, whylen, "unknown action type %s", type);
        return -1;
    }
    if (!wasm_instance_export_len(inst, field, field_len, &ext) || ext.kind != WASM_EXTERN_FUNC) {
        snprintf(why, whylen, "no exported function %s", field);
        return -1;
    }
    wasm_func *f = ext.of.func;
    const json_t *args = json_object_get(action, "args");
    size_t nargs = json_array_size(args);
    wasm_value *argv = xcalloc(nargs ? nargs : 1, sizeof *argv);
    for (size_t i = 0; i < nargs; i++)
        if (!spec_parse_arg(json_array_get(args, i), &argv[i], why, whylen)) {
            free(argv);
            return -1;
        }
    size_t want = wasm_func_result_count(f);
    if (want > MAX_RESULTS) {
        free(argv);
        snprintf(why, whylen, "function returns %zu results", want);
        return -1;
    }
    wasm_instance_set_fuel(inst, g_fuel);
    watch_begin(s, inst);
    wasm_trap t = wasm_call(inst, f, argv, nargs, res, want);
    watch_end();
    free(argv);
    *nres = want;
    return (int)t;
}

static bool trap_matches(wasm_trap t, const char *text)
{
    const char *name = wasm_trap_name(t);
    if (t == WASM_OK || name == NULL || text == NULL)
        return false;
    size_t a = strlen(name), b = strlen(text);
    size_t n = a < b ? a : b; /* either is a prefix of the other ("uninitialized element 2") */
    return n > 0 && strncmp(name, text, n) == 0;
}

static void cmd_action(script *s, const json_t *c, const char *kind)
{
    const json_t *action = json_object_get(c, "action");
    const json_t *expected = json_object_get(c, "expected");
    const char *text = json_string_value(json_object_get(c, "text"));
    wasm_value res[MAX_RESULTS];
    size_t nres;
    char why[256], desc[512];
    describe_action(action, desc, sizeof desc);
    int r = perform(s, action, res, &nres, why, sizeof why);
    if (r < 0) {
        fail(s, "%s %s: %s", kind, desc, why);
        return;
    }
    wasm_trap t = (wasm_trap)r;
    const char *tn = t == WASM_OK ? "no trap" : wasm_trap_name(t);
    if (strcmp(kind, "action") == 0) {
        if (t != WASM_OK)
            fail(s, "action %s trapped: %s", desc, tn);
        return;
    }
    if (strcmp(kind, "assert_trap") == 0 || strcmp(kind, "assert_exhaustion") == 0) {
        bool ok = strcmp(kind, "assert_exhaustion") == 0 ? t == WASM_TRAP_STACK_EXHAUSTED
                                                         : trap_matches(t, text);
        if (ok)
            s->passed++;
        else
            fail(s, "%s %s: expected trap \"%s\", got %s", kind, desc, text ? text : "?", tn);
        return;
    }
    /* assert_return */
    if (t != WASM_OK) {
        fail(s, "assert_return %s: trapped: %s (%s)", desc, tn,
             wasm_instance_trap_message(find_instance(s, json_string_value(
                 json_object_get(action, "module")))));
        return;
    }
    size_t nexp = json_array_size(expected);
    if (nexp != nres) {
        fail(s, "assert_return %s: expected %zu results, got %zu", desc, nexp, nres);
        return;
    }
    for (size_t i = 0; i < nres; i++) {
        const json_t *w = json_array_get(expected, i);
        if (!spec_value_matches(w, &res[i])) {
            char ws[80], gs[80];
            spec_format_expected(w, ws, sizeof ws);
            spec_format_value(&res[i], gs, sizeof gs);
            fail(s, "assert_return %s: result %zu: expected %s, got %s", desc, i, ws, gs);
            return;
        }
    }
    s->passed++;
}

/* ---------------------------------------------------------------- module assertions */

static void cmd_assert_module(script *s, const json_t *c, const char *kind)
{
    const char *file = json_string_value(json_object_get(c, "filename"));
    const char *mtype = json_string_value(json_object_get(c, "module_type"));
    const char *text = json_string_value(json_object_get(c, "text"));
    if (mtype != NULL && strcmp(mtype, "binary") != 0) {
        s->skipped++; /* text-format module: needs a .wat parser */
        return;
    }
    if (file == NULL) {
        fail(s, "%s: no filename", kind);
        return;
    }
    wasm_error err;
    wasm_module *m = compile_file(s, file, &err);
    bool rejects = strcmp(kind, "assert_invalid") == 0 || strcmp(kind, "assert_malformed") == 0;
    if (rejects) {
        if (m != NULL) {
            fail(s, "%s %s: expected rejection (\"%s\"), but it compiled", kind, file,
                 text ? text : "");
            remember(s, NULL, m, NULL);
        } else if (err.message[0] == '\0') {
            fail(s, "%s %s: rejected without an error message", kind, file);
        } else {
            s->passed++;
        }
        return;
    }
    /* assert_unlinkable / assert_uninstantiable: valid module, instantiation must fail. */
    if (m == NULL) {
        fail(s, "%s %s: did not compile: %s", kind, file, err.message);
        return;
    }
    wasm_instance *inst = instantiate(s, m, &err);
    remember(s, NULL, m, inst); /* keep the module: a failed instance may have filled tables */
    if (inst != NULL) {
        fail(s, "%s %s: expected failure (\"%s\"), but it instantiated", kind, file,
             text ? text : "");
        return;
    }
    if (strcmp(kind, "assert_uninstantiable") == 0 && text != NULL &&
        strstr(err.message, text) == NULL) {
        fail(s, "%s %s: expected trap \"%s\", got error: %s", kind, file, text, err.message);
        return;
    }
    s->passed++;
}

/* ---------------------------------------------------------------- scripts */

static void script_free(script *s)
{
    for (size_t i = s->nmods; i-- > 0;)
        if (s->mods[i].inst != NULL)
            wasm_instance_free(s->mods[i].inst);
    wasm_linker_free(s->linker);
    for (size_t i = s->nmods; i-- > 0;) {
        if (s->mods[i].mod != NULL)
            wasm_module_free(s->mods[i].mod);
        free(s->mods[i].name);
    }
    free(s->mods);
    free(s->dir);
}

/* Runs one script; adds to the totals. Returns false if it could not be run at all. */
static bool run_script(const char *path, unsigned *tp, unsigned *tf, unsigned *ts)
{
    script s = {0};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base);
    if (blen > 5 && strcmp(base + blen - 5, ".json") == 0)
        blen -= 5;
    snprintf(s.display, sizeof s.display, "%.*s.wast", (int)(blen > 200 ? 200 : blen), base);
    s.dir = base == path ? xstrdup(".") : xstrndup(path, (size_t)(base - path - 1));

    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
    const json_t *cmds = json_object_get(root, "commands");
    if (root == NULL || !json_is_array(cmds)) {
        printf("%s: cannot load %s: %s\n", s.display, path, root ? "no commands" : jerr.text);
        json_decref(root);
        free(s.dir);
        (*tf)++;
        return false;
    }
    s.linker = wasm_linker_new();
    wasm_error err = {{0}};
    if (s.linker == NULL || !spec_define_spectest(s.linker, &err)) {
        printf("%s: cannot define spectest: %s\n", s.display, err.message);
        if (s.linker)
            wasm_linker_free(s.linker);
        json_decref(root);
        free(s.dir);
        (*tf)++;
        return false;
    }

    size_t i;
    const json_t *c;
    json_array_foreach(cmds, i, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        s.line = (int)json_integer_value(json_object_get(c, "line"));
        if (type == NULL)
            fail(&s, "command without a type");
        else if (strcmp(type, "module") == 0)
            cmd_module(&s, c);
        else if (strcmp(type, "register") == 0)
            cmd_register(&s, c);
        else if (strcmp(type, "action") == 0 || strcmp(type, "assert_return") == 0 ||
                 strcmp(type, "assert_trap") == 0 || strcmp(type, "assert_exhaustion") == 0)
            cmd_action(&s, c, type);
        else if (strcmp(type, "assert_invalid") == 0 || strcmp(type, "assert_malformed") == 0 ||
                 strcmp(type, "assert_unlinkable") == 0 ||
                 strcmp(type, "assert_uninstantiable") == 0)
            cmd_assert_module(&s, c, type);
        else
            fail(&s, "unsupported command %s", type);
    }
    if (s.failed > MAX_REPORTED)
        printf("  %s: ... %u more failures\n", s.display, s.failed - MAX_REPORTED);
    printf("%s: %u passed, %u failed, %u skipped\n", s.display, s.passed, s.failed, s.skipped);
    fflush(stdout);
    *tp += s.passed;
    *tf += s.failed;
    *ts += s.skipped;
    script_free(&s);
    json_decref(root);
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: spec-runner FILE.json...   (wast2json output)\n"
                        "  env SPEC_FUEL (instructions per call), SPEC_TIMEOUT (seconds per "
                        "command), SPEC_VERBOSE (show spectest prints)\n");
        return argc < 2 ? 2 : 0;
    }
    const char *e = getenv("SPEC_FUEL");
    if (e != NULL && !util_parse_u64(e, &g_fuel)) {
        fprintf(stderr, "spec-runner: bad SPEC_FUEL %s\n", e);
        return 2;
    }
    uint64_t to;
    e = getenv("SPEC_TIMEOUT");
    if (e != NULL) {
        if (!util_parse_u64(e, &to) || to == 0 || to > 3600) {
            fprintf(stderr, "spec-runner: bad SPEC_TIMEOUT %s\n", e);
            return 2;
        }
        g_timeout = (unsigned)to;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);

    unsigned passed = 0, failed = 0, skipped = 0;
    for (int i = 1; i < argc; i++)
        run_script(argv[i], &passed, &failed, &skipped);
    printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
    return failed == 0 ? 0 : 1;
}
