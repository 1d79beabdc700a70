/* buf.h — a growable byte buffer, always NUL-terminated, with bounded-growth helpers. */
#ifndef BOXAGENT_UTIL_BUF_H
#define BOXAGENT_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

bool buf_reserve(buf *b, size_t extra);           /* false on allocation failure */
bool buf_append(buf *b, const void *p, size_t n);
bool buf_puts(buf *b, const char *s);
bool buf_putc(buf *b, char c);
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_vprintf(buf *b, const char *fmt, va_list ap);
void buf_clear(buf *b);                           /* len = 0, keeps memory */
void buf_free(buf *b);
char *buf_steal(buf *b);                          /* returns data (or "" copy), resets b */

#endif
