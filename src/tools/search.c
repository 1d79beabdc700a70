/* search.c — the tool_search host builtin: finds, by keyword, tools among those the calling
 * agent's access level offers (it never reveals or grants anything beyond that level). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tools/builtin.h"
#include "util/buf.h"
#include "util/util.h"

static bool contains_ci(const char *hay, const char *needle, size_t n)
{
    if (!n) return true;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return true;
    }
    return false;
}

/* Number of query words (split on spaces and punctuation) found in the tool's name or text. */
static int score(const tools_def *d, const char *q)
{
    int s = 0;
    const char *p = q;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p) && *p != '_') p++;
        const char *w = p;
        while (*p && (isalnum((unsigned char)*p) || *p == '_')) p++;
        size_t n = (size_t)(p - w);
        if (!n) continue;
        if (contains_ci(d->name, w, n)) s += 3;
        else if (contains_ci(d->description, w, n)) s += 1;
    }
    return s;
}

void tools_search_run(const tools_run *run, tools_result *out)
{
    const json_t *qv = json_object_get(run->args, "query");
    const char *q = json_is_string(qv) ? json_string_value(qv) : "";
    const tools_registry *reg = run->ctx->registry ? run->ctx->registry : tools_registry_builtin();
    size_t n = tools_registry_count(reg);
    int *scores = xcalloc(n ? n : 1, sizeof *scores);
    bool any_word = false;
    for (const char *p = q; *p; p++)
        if (isalnum((unsigned char)*p) || *p == '_') any_word = true;
    int best = 0;
    for (size_t i = 0; i < n; i++) {
        const tools_def *d = tools_registry_at(reg, i);
        if (!tools_offered(d, run->ctx->access)) {
            scores[i] = -1;
            continue;
        }
        scores[i] = any_word ? score(d, q) : 1;
        if (scores[i] > best) best = scores[i];
    }
    buf b = BUF_INIT;
    size_t shown = 0;
    for (int s = best; s > 0; s--)
        for (size_t i = 0; i < n; i++) {
            if (scores[i] != s) continue;
            const tools_def *d = tools_registry_at(reg, i);
            buf_printf(&b, "%s (permission %s): %s\n", d->name, tools_perm_name(d->perm), d->description);
            shown++;
        }
    if (!shown)
        buf_printf(&b, "no tool available at access level %s matches \"%.100s\"\n",
                   tools_access_name(run->ctx->access), q);
    free(scores);
    out->output_len = b.len;
    out->output = buf_steal(&b);
}
