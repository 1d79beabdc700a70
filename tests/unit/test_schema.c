/* test_schema.c — argument parsing and JSON Schema validation of tool calls, written as an
 * attacker would call them: wrong types, unknown fields, hostile sizes and nesting, invalid
 * JSON, duplicate keys, non-object arguments. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tools.h"

static const char *schema =
    "{\"type\": \"object\", \"properties\": {"
    "\"path\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 16},"
    "\"limit\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 100},"
    "\"ratio\": {\"type\": \"number\", \"minimum\": 0, \"maximum\": 1},"
    "\"all\": {\"type\": \"boolean\"},"
    "\"mode\": {\"type\": \"string\", \"enum\": [\"content\", \"count\"]},"
    "\"tags\": {\"type\": \"array\", \"minItems\": 1, \"maxItems\": 3, \"items\": {\"type\": \"string\", \"maxLength\": 4}},"
    "\"opt\": {\"type\": \"object\", \"properties\": {\"x\": {\"type\": \"integer\"}}, \"required\": [\"x\"], "
    "\"additionalProperties\": false}},"
    "\"required\": [\"path\"], \"additionalProperties\": false}";

static char err[512];

static bool ok(const char *args)
{
    json_t *v = NULL;
    err[0] = 0;
    bool r = tools_args_parse(schema, args, &v, err, sizeof err);
    if (r) cr_assert_not_null(v);
    else cr_assert_null(v);
    json_decref(v);
    return r;
}

Test(schema, accepts_valid_calls)
{
    cr_assert(ok("{\"path\": \"a.txt\"}"), "%s", err);
    cr_assert(ok("{\"path\": \"a\", \"limit\": 5, \"ratio\": 0.5, \"all\": true, \"mode\": \"count\"}"), "%s", err);
    cr_assert(ok("{\"path\": \"a\", \"ratio\": 1, \"tags\": [\"x\", \"yy\"], \"opt\": {\"x\": 3}}"), "%s", err);
    cr_assert(ok("{\"path\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}"),
              "16 characters (32 bytes) is within maxLength 16: %s", err);
}

Test(schema, wrong_type_names_field)
{
    cr_assert_not(ok("{\"path\": \"a\", \"limit\": \"10\"}"));
    cr_assert_str_eq(err, "argument \"limit\": expected integer, got string");
    cr_assert_not(ok("{\"path\": 7}"));
    cr_assert_str_eq(err, "argument \"path\": expected string, got integer");
    cr_assert_not(ok("{\"path\": \"a\", \"limit\": 2.5}"));
    cr_assert_str_eq(err, "argument \"limit\": expected integer, got number");
    cr_assert_not(ok("{\"path\": \"a\", \"all\": \"true\"}"));
    cr_assert_str_eq(err, "argument \"all\": expected boolean, got string");
    cr_assert_not(ok("{\"path\": null}"));
    cr_assert_str_eq(err, "argument \"path\": expected string, got null");
}

Test(schema, required_and_unknown_fields)
{
    cr_assert_not(ok("{}"));
    cr_assert_str_eq(err, "argument \"path\": required field missing");
    cr_assert_not(ok("{\"path\": \"a\", \"sudo\": true}"));
    cr_assert(strstr(err, "argument \"sudo\": unknown field (allowed: "), "%s", err);
    cr_assert_not(ok("{\"path\": \"a\", \"opt\": {\"x\": 1, \"y\": 2}}"));
    cr_assert(strstr(err, "argument \"opt.y\": unknown field"), "%s", err);
    cr_assert_not(ok("{\"path\": \"a\", \"opt\": {}}"));
    cr_assert_str_eq(err, "argument \"opt.x\": required field missing");
}

Test(schema, ranges_lengths_enums_items)
{
    cr_assert_not(ok("{\"path\": \"a\", \"limit\": 0}"));
    cr_assert_str_eq(err, "argument \"limit\": 0 is below the minimum 1");
    cr_assert_not(ok("{\"path\": \"a\", \"limit\": 9223372036854775807}"));
    cr_assert(strstr(err, "above the maximum 100"), "%s", err);
    cr_assert_not(ok("{\"path\": \"a\", \"limit\": -9223372036854775808}"));
    cr_assert(strstr(err, "below the minimum"), "%s", err);
    cr_assert_not(ok("{\"path\": \"a\", \"ratio\": 1.5}"));
    cr_assert(strstr(err, "argument \"ratio\": 1.5 is above the maximum 1"), "%s", err);
    cr_assert_not(ok("{\"path\": \"\"}"));
    cr_assert(strstr(err, "argument \"path\": too short"), "%s", err);
    cr_assert_not(ok("{\"path\": \"0123456789abcdefg\"}"));
    cr_assert(strstr(err, "argument \"path\": too long (17 characters, at most 16"), "%s", err);
    cr_assert_not(ok("{\"path\": \"a\", \"mode\": \"files\"}"));
    cr_assert_str_eq(err, "argument \"mode\": \"files\" is not one of \"content\", \"count\"");
    cr_assert_not(ok("{\"path\": \"a\", \"tags\": [\"a\", \"b\", \"c\", \"d\"]}"));
    cr_assert(strstr(err, "argument \"tags\": too many items (4, at most 3"), "%s", err);
    cr_assert_not(ok("{\"path\": \"a\", \"tags\": []}"));
    cr_assert(strstr(err, "argument \"tags\": too few items (0, at least 1"), "%s", err);
    cr_assert_not(ok("{\"path\": \"a\", \"tags\": [\"a\", 5]}"));
    cr_assert_str_eq(err, "argument \"tags[1]\": expected string, got integer");
    cr_assert_not(ok("{\"path\": \"a\", \"tags\": [\"toolong\"]}"));
    cr_assert(strstr(err, "argument \"tags[0]\": too long"), "%s", err);
}

Test(schema, invalid_json_and_top_level)
{
    cr_assert_not(ok("{\"path\": \"a\""));
    cr_assert(strstr(err, "arguments: invalid JSON"), "%s", err);
    cr_assert_not(ok("[\"path\"]"));
    cr_assert_str_eq(err, "arguments: expected object, got array");
    cr_assert_not(ok("\"a\""));
    cr_assert_str_eq(err, "arguments: expected object, got string");
    cr_assert_not(ok("42"));
    cr_assert_not(ok("null"));
    cr_assert_not(ok("{\"path\": \"a\"} {\"path\": \"b\"}"));
    cr_assert_not(ok("{\"path\": \"a\\u0000b\"}"), "NUL inside a string is refused");
    cr_assert_not(ok("{\"path\": \"\xff\xfe\"}"), "invalid UTF-8 is refused");
    cr_assert_not(ok("{\"path\": NaN}"));
}

Test(schema, duplicate_keys_refused)
{
    /* {"path": "safe", "path": "../../etc/passwd"}: a validator and a runner must never see
     * different values. */
    cr_assert_not(ok("{\"path\": \"safe\", \"path\": \"../x\"}"));
    cr_assert(strstr(err, "duplicate"), "%s", err);
}

Test(schema, deep_nesting_is_bounded)
{
    size_t depth = 100000;
    char *s = malloc(depth * 2 + 64);
    strcpy(s, "{\"path\": \"a\", \"opt\": ");
    size_t n = strlen(s);
    for (size_t i = 0; i < depth; i++) s[n++] = '[';
    for (size_t i = 0; i < depth; i++) s[n++] = ']';
    s[n++] = '}';
    s[n] = 0;
    cr_assert_not(ok(s));
    free(s);
    /* nesting within the parser's limits but beyond ours */
    char t[512] = "{\"path\": \"a\", \"opt\": ";
    for (int i = 0; i < 40; i++) strcat(t, "[");
    for (int i = 0; i < 40; i++) strcat(t, "]");
    strcat(t, "}");
    cr_assert_not(ok(t));
    cr_assert(strstr(err, "nested too deeply"), "%s", err);
}

Test(schema, huge_arguments_refused_cleanly)
{
    size_t big = 17u << 20;
    char *s = malloc(big + 32);
    strcpy(s, "{\"path\": \"");
    size_t n = strlen(s);
    memset(s + n, 'a', big);
    strcpy(s + n + big, "\"}");
    cr_assert_not(ok(s));
    cr_assert(strstr(err, "too large"), "%s", err);
    /* a large string below the total cap is measured against maxLength */
    s[n + (1u << 20)] = 0;
    strcat(s, "\"}");
    cr_assert_not(ok(s));
    cr_assert(strstr(err, "argument \"path\": too long (1048576 characters"), "%s", err);
    free(s);
}

Test(schema, empty_and_null_args_mean_no_arguments)
{
    json_t *v = NULL;
    cr_assert_not(tools_args_parse(schema, "", &v, err, sizeof err));
    cr_assert_str_eq(err, "argument \"path\": required field missing");
    cr_assert(tools_args_parse("{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}",
                               NULL, &v, err, sizeof err), "%s", err);
    json_decref(v);
}

Test(schema, validate_direct)
{
    json_t *s = json_loads(schema, 0, NULL);
    json_t *a = json_pack("{s:s, s:i}", "path", "x", "limit", 500);
    cr_assert_not(tools_schema_validate(s, a, err, sizeof err));
    cr_assert_str_eq(err, "argument \"limit\": 500 is above the maximum 100");
    cr_assert_not(tools_schema_validate(s, NULL, err, sizeof err));
    json_decref(a);
    json_decref(s);
}
