/* term.h — text from outside (a model, a tool, an audit record) made safe to print on a
 * terminal: control characters that could move the cursor, rewrite the title, clear the screen
 * or write the clipboard (ESC, CR, other C0 controls, DEL, and the C1 controls U+0080–U+009F,
 * some terminals' one-byte CSI) are shown as U+FFFD instead of being interpreted. */
#ifndef BOXAGENT_UTIL_TERM_H
#define BOXAGENT_UTIL_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct util_term_state {
    bool pending_c2; /* the previous chunk ended with 0xC2 (maybe the start of a C1 control) */
} util_term_state;

/* Write s[0..n) to f with controls replaced. `multiline` keeps '\n' and '\t' (a CR is still
 * replaced: it could overwrite the line); otherwise '\n', '\t' and '\r' become spaces. At most `max`
 * bytes of s are written (0 = all), then "…". `st` may be NULL; pass the same state for the
 * chunks of one stream (a C1 control split across chunks is still caught). */
void util_term_write(FILE *f, const char *s, size_t n, bool multiline, size_t max,
                     util_term_state *st);

#endif
