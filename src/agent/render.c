/* render.c — terminal and JSON-lines rendering of the agent's event stream. */
#include "agent/render.h"

#include "util/term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void agent_render_init(agent_render *r, FILE *out, bool json)
{
    memset(r, 0, sizeof *r);
    r->out = out;
    r->json = json;
    const char *nc = getenv("NO_COLOR");
    r->color = !json && isatty(fileno(out)) && !(nc && *nc);
    r->at_bol = true;
}

#define C(r, code) ((r)->color ? "\x1b[" code "m" : "")

static void nl(agent_render *r)
{
    if (!r->at_bol) fputc('\n', r->out);
    r->at_bol = true;
}

/* Everything shown comes from the model or a tool: never let it drive the terminal. */
static void oneline(FILE *f, const char *s, size_t n, size_t max)
{
    util_term_write(f, s, n, false, max, NULL);
}

static void safe(FILE *f, const char *s)
{
    if (s) util_term_write(f, s, strlen(s), false, 0, NULL);
}

void agent_render_event(void *user, const agent_event *ev)
{
    agent_render *r = user;
    FILE *f = r->out;
    if (r->json) {
        json_t *j = agent_event_to_json(ev);
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
        if (s) fprintf(f, "%s\n", s);
        free(s);
        json_decref(j);
        fflush(f);
        return;
    }
    if (r->progress) { /* erase the indicator before anything else is drawn */
        fputs("\r\x1b[K", f);
        r->progress = false;
    }
    switch (ev->kind) {
    case AGENT_EV_TURN_START:
        if (r->color && r->at_bol) {
            fprintf(f, "%sthinking…%s", C(r, "2"), C(r, "0"));
            r->progress = true;
        }
        break;
    case AGENT_EV_TEXT:
        util_term_write(f, ev->text, ev->len, true, 0, &r->term);
        if (ev->len) r->at_bol = ev->text[ev->len - 1] == '\n';
        break;
    case AGENT_EV_TOOL_CALL:
        nl(r);
        fprintf(f, "%s▸ ", C(r, "1;36"));
        safe(f, ev->tool ? ev->tool : "?");
        fprintf(f, "%s ", C(r, "0"));
        oneline(f, ev->args ? ev->args : "", ev->args ? strlen(ev->args) : 0, 200);
        fputc('\n', f);
        break;
    case AGENT_EV_TOOL_RESULT: {
        bool denied = ev->decision && !strcmp(ev->decision, "denied");
        bool err = !denied && ev->is_error;
        if (denied) {
            fprintf(f, "  %s✗ DENIED%s ", C(r, "1;31"), C(r, "0"));
            safe(f, ev->tool ? ev->tool : "?");
            fputs(": ", f);
            safe(f, ev->reason);
            fputc('\n', f);
        } else if (err) {
            fprintf(f, "  %s! error%s ", C(r, "33"), C(r, "0"));
            safe(f, ev->tool ? ev->tool : "?");
            fputs(": ", f);
            oneline(f, ev->output ? ev->output : "", ev->output_len, 200);
            fputc('\n', f);
        } else {
            fprintf(f, "  %s✓ ", C(r, "32"));
            safe(f, ev->tool ? ev->tool : "?");
            fprintf(f, "%s (", C(r, "0"));
            safe(f, ev->reason && *ev->reason ? ev->reason : "allowed");
            fprintf(f, ") — %zu bytes%s", ev->output_len, ev->output_len ? ": " : "");
            fputs(C(r, "2"), f);
            oneline(f, ev->output ? ev->output : "", ev->output_len, 100);
            fprintf(f, "%s\n", C(r, "0"));
        }
        r->at_bol = true;
        break;
    }
    case AGENT_EV_GUARD:
        nl(r);
        fprintf(f, "%s⚠ %s%s: ", C(r, "1;33"), ev->guard ? ev->guard : "guard", C(r, "0"));
        if (ev->text) util_term_write(f, ev->text, ev->len, false, 0, NULL);
        fputc('\n', f);
        break;
    case AGENT_EV_COMPACTED:
        nl(r);
        fprintf(f, "%s… older turns summarised to fit the context%s\n", C(r, "2"), C(r, "0"));
        break;
    case AGENT_EV_ERROR:
        nl(r);
        fprintf(stderr, "%serror:%s ", C(r, "1;31"), C(r, "0"));
        if (ev->text) util_term_write(stderr, ev->text, ev->len, false, 0, NULL);
        fputc('\n', stderr);
        break;
    case AGENT_EV_DONE:
        nl(r);
        fprintf(f, "%s— %s · %llu tokens in, %llu out%s%s%s\n", C(r, "2"),
                agent_outcome_name(ev->outcome), (unsigned long long)ev->total.input,
                (unsigned long long)ev->total.output, ev->session ? " · session " : "",
                ev->session ? ev->session : "", C(r, "0"));
        break;
    default: break;
    }
    fflush(f);
}
