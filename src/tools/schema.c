/* schema.c — strict parsing of tool arguments and validation against the JSON Schema subset
 * tools use (type, properties, required, additionalProperties:false, enum, minimum/maximum,
 * minLength/maxLength, items, minItems/maxItems). Errors name the field and the reason so the model
 * can correct its call. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tools/tools.h"

#define ARGS_MAX_BYTES (16u << 20) /* a call's whole argument text */
#define ARGS_MAX_DEPTH 32          /* nesting of objects/arrays in arguments */

static const char *type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static bool type_matches(const char *want, const json_t *v)
{
    if (!strcmp(want, "object")) return json_is_object(v);
    if (!strcmp(want, "array")) return json_is_array(v);
    if (!strcmp(want, "string")) return json_is_string(v);
    if (!strcmp(want, "integer")) return json_is_integer(v);
    if (!strcmp(want, "number")) return json_is_number(v);
    if (!strcmp(want, "boolean")) return json_is_boolean(v);
    if (!strcmp(want, "null")) return json_is_null(v);
    return false;
}

/* Code points in a UTF-8 string (jansson guarantees valid UTF-8). */
static size_t utf8_len(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

/* "argument \"a.b[3]\"" or "arguments" for the top level. */
static void where(char *out, size_t n, const char *path)
{
    if (!*path) snprintf(out, n, "arguments");
    else snprintf(out, n, "argument \"%s\"", path);
}

#define FAIL(...)                                                                                 \
    do {                                                                                          \
        char w_[300];                                                                             \
        where(w_, sizeof w_, path);                                                               \
        char m_[400];                                                                             \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                                     \
        snprintf(err, errlen, "%s: %s", w_, m_);                                                  \
        return false;                                                                             \
    } while (0)

static bool num_value(const json_t *v, double *out)
{
    if (!json_is_number(v)) return false;
    *out = json_number_value(v);
    return true;
}

static void describe_value(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (json_string_length(v) > 40) snprintf(out, n, "\"%.40s...\"", s);
        else snprintf(out, n, "\"%s\"", s);
    } else if (json_is_integer(v)) {
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(out, n, "%g", json_real_value(v));
    } else {
        snprintf(out, n, "%s", type_of(v));
    }
}

static bool validate(const json_t *schema, const json_t *v, char *path, size_t pathcap,
                     int depth, char *err, size_t errlen)
{
    if (depth > ARGS_MAX_DEPTH) FAIL("nested too deeply (more than %d levels)", ARGS_MAX_DEPTH);
    if (!json_is_object(schema)) {
        snprintf(err, errlen, "tool schema is not an object");
        return false;
    }

    const json_t *type = json_object_get(schema, "type");
    if (json_is_string(type)) {
        const char *want = json_string_value(type);
        if (!type_matches(want, v)) FAIL("expected %s, got %s", want, type_of(v));
    } else if (json_is_array(type)) {
        size_t i;
        const json_t *t;
        bool ok = false;
        json_array_foreach(type, i, t) if (json_is_string(t) && type_matches(json_string_value(t), v)) ok = true;
        if (!ok) FAIL("got %s, which is not an allowed type", type_of(v));
    }

    const json_t *en = json_object_get(schema, "enum");
    if (json_is_array(en)) {
        size_t i;
        const json_t *e;
        bool ok = false;
        json_array_foreach(en, i, e) if (json_equal((json_t *)e, (json_t *)v)) ok = true;
        if (!ok) {
            char allowed[256] = "", one[64];
            json_array_foreach(en, i, e)
            {
                describe_value(e, one, sizeof one);
                if (strlen(allowed) + strlen(one) + 3 < sizeof allowed) {
                    if (i) strcat(allowed, ", ");
                    strcat(allowed, one);
                }
            }
            char got[64];
            describe_value(v, got, sizeof got);
            FAIL("%s is not one of %s", got, allowed);
        }
    }

    if (json_is_number(v)) {
        double x = json_number_value(v), lim;
        if (json_is_real(v) && !isfinite(x)) FAIL("number is not finite");
        if (num_value(json_object_get(schema, "minimum"), &lim) && x < lim) {
            if (json_is_integer(v)) FAIL("%lld is below the minimum %g", (long long)json_integer_value(v), lim);
            FAIL("%g is below the minimum %g", x, lim);
        }
        if (num_value(json_object_get(schema, "maximum"), &lim) && x > lim) {
            if (json_is_integer(v)) FAIL("%lld is above the maximum %g", (long long)json_integer_value(v), lim);
            FAIL("%g is above the maximum %g", x, lim);
        }
    }

    if (json_is_string(v)) {
        size_t n = utf8_len(json_string_value(v), json_string_length(v));
        const json_t *mn = json_object_get(schema, "minLength");
        const json_t *mx = json_object_get(schema, "maxLength");
        if (json_is_integer(mn) && (json_int_t)n < json_integer_value(mn))
            FAIL("too short (%zu characters, at least %lld required)", n, (long long)json_integer_value(mn));
        if (json_is_integer(mx) && (json_int_t)n > json_integer_value(mx))
            FAIL("too long (%zu characters, at most %lld allowed)", n, (long long)json_integer_value(mx));
    }

    if (json_is_array(v)) {
        const json_t *mx = json_object_get(schema, "maxItems");
        const json_t *mn = json_object_get(schema, "minItems");
        if (json_is_integer(mx) && (json_int_t)json_array_size(v) > json_integer_value(mx))
            FAIL("too many items (%zu, at most %lld allowed)", json_array_size(v), (long long)json_integer_value(mx));
        if (json_is_integer(mn) && (json_int_t)json_array_size(v) < json_integer_value(mn))
            FAIL("too few items (%zu, at least %lld required)", json_array_size(v), (long long)json_integer_value(mn));
        const json_t *items = json_object_get(schema, "items");
        if (json_is_object(items)) {
            size_t i, plen = strlen(path);
            const json_t *e;
            json_array_foreach(v, i, e)
            {
                snprintf(path + plen, pathcap - plen, "[%zu]", i);
                if (!validate(items, e, path, pathcap, depth + 1, err, errlen)) return false;
                path[plen] = 0;
            }
        }
    }

    if (json_is_object(v)) {
        const json_t *props = json_object_get(schema, "properties");
        const json_t *req = json_object_get(schema, "required");
        const json_t *addl = json_object_get(schema, "additionalProperties");
        size_t plen = strlen(path);
        if (json_is_array(req)) {
            size_t i;
            const json_t *r;
            json_array_foreach(req, i, r)
            {
                if (!json_is_string(r)) continue;
                if (!json_object_get(v, json_string_value(r))) {
                    snprintf(path + plen, pathcap - plen, "%s%s", plen ? "." : "", json_string_value(r));
                    FAIL("required field missing");
                }
            }
        }
        const char *key;
        const json_t *val;
        json_object_foreach((json_t *)v, key, val)
        {
            const json_t *ps = json_is_object(props) ? json_object_get(props, key) : NULL;
            snprintf(path + plen, pathcap - plen, "%s%s", plen ? "." : "", key);
            if (!ps) {
                if (json_is_false(addl)) {
                    char allowed[200] = "";
                    const char *k;
                    const json_t *pv;
                    if (json_is_object(props)) {
                        json_object_foreach((json_t *)props, k, pv)
                        {
                            (void)pv;
                            if (strlen(allowed) + strlen(k) + 3 < sizeof allowed) {
                                if (*allowed) strcat(allowed, ", ");
                                strcat(allowed, k);
                            }
                        }
                    }
                    FAIL("unknown field (allowed: %s)", *allowed ? allowed : "none");
                }
                if (json_is_object(addl) && !validate(addl, val, path, pathcap, depth + 1, err, errlen))
                    return false;
            } else if (!validate(ps, val, path, pathcap, depth + 1, err, errlen)) {
                return false;
            }
            path[plen] = 0;
        }
    }
    return true;
}

bool tools_schema_validate(const json_t *schema, const json_t *args, char *err, size_t errlen)
{
    char path[256] = "";
    if (!schema || !args) {
        snprintf(err, errlen, "arguments: missing");
        return false;
    }
    return validate(schema, args, path, sizeof path, 0, err, errlen);
}

/* Depth of nesting, iteratively bounded by the recursion itself (limit ARGS_MAX_DEPTH + 1). */
static int depth_of(const json_t *v, int limit)
{
    if (limit < 0) return 0;
    int best = 0;
    if (json_is_object(v)) {
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            int d = depth_of(x, limit - 1);
            if (d > best) best = d;
            if (best >= limit) break;
        }
        return best + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x)
        {
            int d = depth_of(x, limit - 1);
            if (d > best) best = d;
            if (best >= limit) break;
        }
        return best + 1;
    }
    return 0;
}

bool tools_args_parse(const char *schema_text, const char *args_json, json_t **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    if (!args_json) args_json = "{}";
    size_t n = strlen(args_json);
    size_t i = 0;
    while (i < n && (args_json[i] == ' ' || args_json[i] == '\t' || args_json[i] == '\n' || args_json[i] == '\r')) i++;
    if (i == n) args_json = "{}", n = 2; /* an empty argument string means no arguments */
    if (n > ARGS_MAX_BYTES) {
        snprintf(err, errlen, "arguments: too large (%zu bytes, at most %u)", n, ARGS_MAX_BYTES);
        return false;
    }
    json_error_t je;
    json_t *args = json_loadb(args_json, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!args) {
        snprintf(err, errlen, "arguments: invalid JSON at line %d column %d: %s", je.line, je.column,
                 je.text);
        return false;
    }
    if (!json_is_object(args)) {
        snprintf(err, errlen, "arguments: expected object, got %s", type_of(args));
        json_decref(args);
        return false;
    }
    if (depth_of(args, ARGS_MAX_DEPTH + 1) > ARGS_MAX_DEPTH) {
        snprintf(err, errlen, "arguments: nested too deeply (more than %d levels)", ARGS_MAX_DEPTH);
        json_decref(args);
        return false;
    }
    json_t *schema = json_loads(schema_text ? schema_text : "{}", 0, &je);
    if (!schema) {
        snprintf(err, errlen, "tool schema is invalid JSON: %s", je.text);
        json_decref(args);
        return false;
    }
    bool ok = tools_schema_validate(schema, args, err, errlen);
    json_decref(schema);
    if (!ok) {
        json_decref(args);
        return false;
    }
    *out = args;
    return true;
}

/* Keywords this validator enforces, plus annotations that carry no constraint. */
static const char *const known_keywords[] = {
    "type", "properties", "required", "additionalProperties", "enum", "minimum", "maximum",
    "minLength", "maxLength", "items", "minItems", "maxItems",
    "description", "title", "default", "examples", NULL,
};

static bool check(const json_t *schema, int depth, char *err, size_t errlen)
{
    if (depth > ARGS_MAX_DEPTH) {
        snprintf(err, errlen, "schema nested too deeply");
        return false;
    }
    if (!json_is_object(schema)) {
        snprintf(err, errlen, "schema is not an object");
        return false;
    }
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)schema, k, v)
    {
        bool known = false;
        for (int i = 0; known_keywords[i]; i++)
            if (!strcmp(k, known_keywords[i])) known = true;
        if (!known) {
            snprintf(err, errlen, "schema keyword \"%s\" is not supported (it would not be enforced)", k);
            return false;
        }
    }
    const json_t *props = json_object_get(schema, "properties");
    if (props) {
        if (!json_is_object(props)) {
            snprintf(err, errlen, "\"properties\" is not an object");
            return false;
        }
        json_object_foreach((json_t *)props, k, v) if (!check(v, depth + 1, err, errlen)) return false;
    }
    const json_t *items = json_object_get(schema, "items");
    if (items && !check(items, depth + 1, err, errlen)) return false;
    const json_t *addl = json_object_get(schema, "additionalProperties");
    if (json_is_object(addl) && !check(addl, depth + 1, err, errlen)) return false;
    return true;
}

bool tools_schema_check(const json_t *schema, char *err, size_t errlen)
{
    return check(schema, 0, err, errlen);
}
