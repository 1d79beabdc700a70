/* term.c — see term.h. */
#include "util/term.h"

#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

void util_term_write(FILE *f, const char *s, size_t n, bool multiline, size_t max,
                     util_term_state *st)
{
    size_t i = 0;
    if (st && st->pending_c2) { /* 0xC2 held back from the previous chunk */
        st->pending_c2 = false;
        if (n && (unsigned char)s[0] >= 0x80 && (unsigned char)s[0] <= 0x9F) {
            fputs(replacement, f);
            i = 1;
        } else {
            fputc(0xC2, f);
        }
    }
    size_t limit = max && max < n ? max : n;
    for (; i < limit; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2) {
            if (i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9F) {
                fputs(replacement, f);
                i++;
                continue;
            }
            if (i + 1 == n && st) {
                st->pending_c2 = true;
                continue;
            }
        }
        bool layout = c == '\n' || c == '\t' || c == '\r';
        if (layout && !multiline)
            fputc(' ', f); /* a one-line preview: line breaks and tabs become spaces */
        else if ((c < 0x20 && !(multiline && c != '\r' && layout)) || c == 0x7F)
            fputs(replacement, f);
        else
            fputc(c, f);
    }
    if (limit < n) fputs("…", f);
}
