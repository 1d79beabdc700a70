/* spec_value.c — wast2json values for the spec-test runner: parse arguments, match results
 * against expectations (bit-exact numbers, NaN patterns, references) and format both. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

void *spec_extern_ref(unsigned long long n)
{
    return (void *)(uintptr_t)(n + 1);
}

const char *spec_type_name(wasm_valtype t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    }
    return "?";
}

static bool type_from_name(const char *s, wasm_valtype *t)
{
    static const struct {
        const char *name;
        wasm_valtype t;
    } map[] = {{"i32", WASM_I32},         {"i64", WASM_I64},        {"f32", WASM_F32},
               {"f64", WASM_F64},         {"funcref", WASM_FUNCREF}, {"externref", WASM_EXTERNREF}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i].name) == 0) {
            *t = map[i].t;
            return true;
        }
    return false;
}

static bool parse_u64(const char *s, unsigned long long *out)
{
    if (s == NULL || *s == '\0')
        return false;
    char *end;
    errno = 0;
    if (*s == '-') {
        long long v = strtoll(s, &end, 10);
        *out = (unsigned long long)v;
    } else {
        *out = strtoull(s, &end, 10);
    }
    return errno == 0 && *end == '\0';
}

bool spec_parse_arg(const json_t *v, wasm_value *out, char *err, size_t errlen)
{
    const char *tname = json_string_value(json_object_get(v, "type"));
    const char *val = json_string_value(json_object_get(v, "value"));
    memset(out, 0, sizeof *out);
    if (tname == NULL || !type_from_name(tname, &out->type)) {
        snprintf(err, errlen, "unsupported argument type %s", tname ? tname : "(none)");
        return false;
    }
    if (out->type == WASM_FUNCREF || out->type == WASM_EXTERNREF) {
        unsigned long long n;
        if (val != NULL && strcmp(val, "null") == 0) {
            out->of.ref = NULL;
            return true;
        }
        if (out->type == WASM_EXTERNREF && parse_u64(val, &n)) {
            out->of.ref = spec_extern_ref(n);
            return true;
        }
        snprintf(err, errlen, "unsupported %s argument %s", tname, val ? val : "(none)");
        return false;
    }
    unsigned long long n;
    if (!parse_u64(val, &n)) {
        snprintf(err, errlen, "bad %s argument value %s", tname, val ? val : "(none)");
        return false;
    }
    if (out->type == WASM_I32 || out->type == WASM_F32)
        out->of.i32 = (uint32_t)n;
    else
        out->of.i64 = n;
    return true;
}

bool spec_value_matches(const json_t *want, const wasm_value *got)
{
    const char *tname = json_string_value(json_object_get(want, "type"));
    const char *val = json_string_value(json_object_get(want, "value"));
    wasm_valtype t;
    if (tname == NULL || !type_from_name(tname, &t) || t != got->type)
        return false;
    if (t == WASM_FUNCREF || t == WASM_EXTERNREF) {
        if (val == NULL) /* ref.func / ref.extern without a value: any non-null reference */
            return got->of.ref != NULL;
        if (strcmp(val, "null") == 0)
            return got->of.ref == NULL;
        unsigned long long n;
        return t == WASM_EXTERNREF && parse_u64(val, &n) && got->of.ref == spec_extern_ref(n);
    }
    if (val == NULL)
        return false;
    if (t == WASM_F32 && strncmp(val, "nan:", 4) == 0) {
        uint32_t b = got->of.f32;
        if (strcmp(val, "nan:canonical") == 0)
            return (b & 0x7fffffffu) == 0x7fc00000u;
        return (b & 0x7fc00000u) == 0x7fc00000u; /* nan:arithmetic: quiet bit set */
    }
    if (t == WASM_F64 && strncmp(val, "nan:", 4) == 0) {
        uint64_t b = got->of.f64;
        if (strcmp(val, "nan:canonical") == 0)
            return (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
        return (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
    }
    unsigned long long n;
    if (!parse_u64(val, &n))
        return false;
    if (t == WASM_I32 || t == WASM_F32)
        return got->of.i32 == (uint32_t)n;
    return got->of.i64 == (uint64_t)n;
}

void spec_format_value(const wasm_value *v, char *out, size_t len)
{
    switch (v->type) {
    case WASM_I32:
    case WASM_F32:
        snprintf(out, len, "%s:0x%08x", spec_type_name(v->type), v->of.i32);
        break;
    case WASM_I64:
    case WASM_F64:
        snprintf(out, len, "%s:0x%016llx", spec_type_name(v->type),
                 (unsigned long long)v->of.i64);
        break;
    case WASM_FUNCREF:
    case WASM_EXTERNREF:
        if (v->of.ref == NULL)
            snprintf(out, len, "%s:null", spec_type_name(v->type));
        else if (v->type == WASM_EXTERNREF)
            snprintf(out, len, "ref.extern %llu", (unsigned long long)((uintptr_t)v->of.ref - 1));
        else
            snprintf(out, len, "funcref:%p", v->of.ref);
        break;
    default:
        snprintf(out, len, "type 0x%x?", (unsigned)v->type);
    }
}

void spec_format_expected(const json_t *want, char *out, size_t len)
{
    const char *tname = json_string_value(json_object_get(want, "type"));
    const char *val = json_string_value(json_object_get(want, "value"));
    wasm_value v;
    char err[64];
    if (tname == NULL) {
        snprintf(out, len, "?");
        return;
    }
    if (val == NULL || strncmp(val, "nan:", 4) == 0 || strcmp(val, "null") == 0 ||
        !spec_parse_arg(want, &v, err, sizeof err)) {
        snprintf(out, len, "%s:%s", tname, val ? val : "(non-null)");
        return;
    }
    spec_format_value(&v, out, len);
}
