/* render.h — an observer that shows the agent's event stream in a terminal (text as it
 * arrives, each tool call with its decision and reason, results, usage, guards) or as JSON
 * lines (`--json`). Used by `boxagent run` and `boxagent chat`. */
#ifndef BOXAGENT_AGENT_RENDER_H
#define BOXAGENT_AGENT_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "agent/agent.h"
#include "util/term.h"

typedef struct agent_render {
    FILE *out;
    bool color;    /* ANSI colour (only when out is a terminal) */
    bool json;     /* one JSON object per event per line */
    bool at_bol;   /* internal: cursor at the beginning of a line */
    bool progress; /* internal: a "thinking…" indicator is on screen (terminal only) */
    util_term_state term; /* internal: control characters split across text deltas */
} agent_render;

void agent_render_init(agent_render *r, FILE *out, bool json);
void agent_render_event(void *user, const agent_event *ev); /* an agent_event_fn */

#endif
