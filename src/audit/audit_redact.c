/* audit_redact.c — what the audit log stores of a call's arguments: the SHA-256 of their
 * canonical JSON form (keys sorted, compact) and a copy with secrets redacted — values under
 * secret-like keys (key, token, secret, password, authorization, cookie, credential …) and
 * secret-looking strings anywhere (sk-… API keys, Bearer tokens, GitHub/Slack/AWS/Google key
 * forms, PEM private keys, key=value pairs and secret-named query parameters in URLs). Long
 * strings are shortened for storage. audit_redact_text applies the same to free text (the
 * record's rule/reason, which may quote a refused URL). */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit.h"
#include "util/buf.h"
#include "util/util.h"

#define STORE_STRING_MAX 4096
#define REDACTED "[REDACTED]"

static bool ieq_prefix(const char *s, const char *p)
{
    for (; *p; s++, p++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*p)) return false;
    return true;
}

static bool icontains(const char *s, const char *needle)
{
    for (; *s; s++)
        if (ieq_prefix(s, needle)) return true;
    return false;
}

static bool secret_key_name(const char *k)
{
    static const char *const words[] = {"token", "secret", "passw", "authoriz", "credential",
                                        "cookie", "apikey", "api_key", "api-key", "private",
                                        "session_id", "sessionid", "signature", NULL};
    for (int i = 0; words[i]; i++)
        if (icontains(k, words[i])) return true;
    static const char *const exact[] = {"pwd", "pass", "auth", "jwt", "bearer", "otp", NULL};
    for (int i = 0; exact[i]; i++)
        if (strcasecmp(k, exact[i]) == 0) return true;
    size_t n = strlen(k);
    /* "key", "keys", "access_key", "apiKey", "x-api-key" — but not "keyword" or "monkey…" */
    if (n >= 3 && ieq_prefix(k + n - 3, "key")) return true;
    if (n >= 4 && ieq_prefix(k + n - 4, "keys")) return true;
    if (ieq_prefix(k, "key_") || ieq_prefix(k, "key-")) return true;
    return false;
}

static bool tokch(int c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' ||
           c == '=';
}

static size_t run_len(const char *s, bool (*ok)(int))
{
    size_t n = 0;
    while (s[n] && ok((unsigned char)s[n])) n++;
    return n;
}

static bool alnum_(int c) { return isalnum(c) || c == '_' || c == '-'; }
static bool upper_alnum(int c) { return isupper(c) || isdigit(c); }
static bool valch(int c) { return c && c != '&' && c != '"' && c != '\'' && !isspace(c) && c != ';' && c != ','; }

/* Redact secret-looking substrings of s; returns a new string. */
static char *redact_text(const char *s)
{
    static const struct { const char *prefix; size_t min; } prefixes[] = {
        {"sk-", 16}, {"ghp_", 20}, {"gho_", 20}, {"ghs_", 20}, {"ghu_", 20}, {"github_pat_", 20},
        {"xoxb-", 10}, {"xoxp-", 10}, {"xoxa-", 10}, {"glpat-", 16}, {"AIza", 30},
    };
    static const char *const kv[] = {"api_key=", "apikey=", "api-key=", "access_token=",
                                     "token=", "secret=", "password=", "passwd=", "key=",
                                     "auth=", "sig=", "signature=", "client_secret=", NULL};
    buf b = BUF_INIT;
    size_t i = 0, n = strlen(s);
    while (i < n) {
        bool word_start = i == 0 || !alnum_((unsigned char)s[i - 1]);
        bool done = false;
        if (word_start) {
            for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
                size_t pl = strlen(prefixes[k].prefix);
                if (strncmp(s + i, prefixes[k].prefix, pl) != 0) continue;
                size_t r = run_len(s + i + pl, alnum_);
                if (r < prefixes[k].min) continue;
                buf_append(&b, s + i, pl);
                buf_puts(&b, REDACTED);
                i += pl + r;
                done = true;
                break;
            }
            if (!done && strncmp(s + i, "eyJ", 3) == 0) {
                /* a JWT: three base64url parts */
                size_t r = 0, dots = 0;
                while (s[i + r] && (alnum_((unsigned char)s[i + r]) || s[i + r] == '.')) {
                    if (s[i + r] == '.') dots++;
                    r++;
                }
                if (r >= 20 && dots == 2) {
                    buf_puts(&b, "eyJ" REDACTED);
                    i += r;
                    done = true;
                }
            }
            if (!done && strncmp(s + i, "AKIA", 4) == 0 && run_len(s + i + 4, upper_alnum) >= 16) {
                buf_puts(&b, "AKIA" REDACTED);
                i += 4 + run_len(s + i + 4, upper_alnum);
                done = true;
            }
            if (!done && (ieq_prefix(s + i, "bearer ") || ieq_prefix(s + i, "basic ") ||
                          ieq_prefix(s + i, "token "))) {
                size_t pl = strchr(s + i, ' ') - (s + i) + 1;
                size_t r = run_len(s + i + pl, tokch);
                if (r >= 8) {
                    buf_append(&b, s + i, pl);
                    buf_puts(&b, REDACTED);
                    i += pl + r;
                    done = true;
                }
            }
            if (!done && i > 0 && (s[i - 1] == '?' || s[i - 1] == '&' || s[i - 1] == ';')) {
                /* a URL query parameter whose name looks secret (?x_api_key=…, &sessionToken=…) */
                size_t nl = 0;
                while (s[i + nl] && (alnum_((unsigned char)s[i + nl]) || s[i + nl] == '.')) nl++;
                if (nl > 0 && nl < 64 && s[i + nl] == '=') {
                    char name[64];
                    memcpy(name, s + i, nl);
                    name[nl] = '\0';
                    size_t r = run_len(s + i + nl + 1, valch);
                    if (r > 0 && secret_key_name(name)) {
                        buf_append(&b, s + i, nl + 1);
                        buf_puts(&b, REDACTED);
                        i += nl + 1 + r;
                        done = true;
                    }
                }
            }
            if (!done) {
                for (int k = 0; kv[k]; k++) {
                    size_t pl = strlen(kv[k]);
                    if (!ieq_prefix(s + i, kv[k])) continue;
                    size_t r = run_len(s + i + pl, valch);
                    if (r == 0) continue;
                    buf_append(&b, s + i, pl);
                    buf_puts(&b, REDACTED);
                    i += pl + r;
                    done = true;
                    break;
                }
            }
        }
        if (!done && strncmp(s + i, "-----BEGIN ", 11) == 0) {
            const char *hdr_end = strstr(s + i + 11, "-----");
            if (hdr_end && (size_t)(hdr_end - (s + i)) < 80 &&
                memmem(s + i, (size_t)(hdr_end - (s + i)), "PRIVATE KEY", 11)) {
                const char *end = strstr(hdr_end + 5, "-----END ");
                const char *stop = end ? strstr(end + 9, "-----") : NULL;
                size_t upto = stop ? (size_t)(stop + 5 - s) : n;
                buf_puts(&b, "-----BEGIN PRIVATE KEY-----" REDACTED "-----END PRIVATE KEY-----");
                i = upto;
                done = true;
            }
        }
        if (!done) buf_putc(&b, s[i++]);
    }
    return buf_steal(&b);
}

static json_t *redact_string(const char *s)
{
    char *r = redact_text(s);
    json_t *out;
    size_t rl = strlen(r);
    if (rl > STORE_STRING_MAX) {
        /* cut on a UTF-8 boundary */
        size_t cut = STORE_STRING_MAX;
        while (cut > 0 && ((unsigned char)r[cut] & 0xC0) == 0x80) cut--;
        char *t = xasprintf("%.*s…[%zu bytes in all]", (int)cut, r, rl);
        out = json_string(t);
        free(t);
    } else {
        out = json_string(r);
    }
    free(r);
    return out ? out : json_string("[unrepresentable]");
}

static json_t *redact_value(json_t *v)
{
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            if (secret_key_name(k)) json_object_set_new(o, k, json_string(REDACTED));
            else json_object_set_new(o, k, redact_value(x));
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(a, redact_value(x));
        return a;
    }
    if (json_is_string(v)) return redact_string(json_string_value(v));
    return json_deep_copy(v);
}

char *audit_redact_text(const char *text)
{
    return text ? redact_text(text) : xstrdup("");
}

char *audit_redact(const char *args)
{
    if (!args) return xstrdup("");
    json_error_t je;
    json_t *v = json_loads(args, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!v) {
        char *r = redact_text(args);
        if (strlen(r) > STORE_STRING_MAX) {
            char *t = xasprintf("%.*s…[%zu bytes in all]", STORE_STRING_MAX, r, strlen(r));
            free(r);
            r = t;
        }
        return r;
    }
    json_t *red = redact_value(v);
    json_decref(v);
    char *s = json_dumps(red, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(red);
    char *out = xstrdup(s ? s : "");
    free(s);
    return out;
}

void audit_args_digest(const char *args, char out[65])
{
    if (!args) args = "";
    json_error_t je;
    json_t *v = json_loads(args, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!v) {
        util_sha256_hex(args, strlen(args), out);
        return;
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(v);
    if (!s) {
        util_sha256_hex(args, strlen(args), out);
        return;
    }
    util_sha256_hex(s, strlen(s), out);
    free(s);
}
