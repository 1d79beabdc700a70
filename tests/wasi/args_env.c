/* args_env.c — args_sizes_get/args_get and environ_sizes_get/environ_get: the guest sees its
 * arguments verbatim and only the environment variables it was granted.
 * Run: args_env.wasm BASE "two words" "ünïcödé" "" with env FOO=bar, GRANTED=yes. */
#include <stdlib.h>

#include "t.h"

extern char **environ;

int main(int argc, char **argv)
{
    CHECK_EQ(argc, 5);
    if (argc == 5) {
        CHECK(!strcmp(argv[2], "two words"));
        CHECK(!strcmp(argv[3], "\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9"));
        CHECK(!strcmp(argv[4], ""));
    }
    CHECK(getenv("FOO") && !strcmp(getenv("FOO"), "bar"));
    CHECK(getenv("GRANTED") && !strcmp(getenv("GRANTED"), "yes"));
    /* Not granted: the host has these set, the guest must not see them. */
    CHECK(getenv("HIDDEN_SECRET") == NULL);
    CHECK(getenv("HOME") == NULL);
    CHECK(getenv("PATH") == NULL);
    int n = 0;
    for (char **e = environ; *e; e++)
        n++;
    CHECK_EQ(n, t_strict() ? 2 : 3); /* Node's runner adds WASI_NODE */

    /* Raw calls: sizes agree with what args_get writes. */
    __wasi_size_t c, sz;
    CHECK_EQ(__wasi_args_sizes_get(&c, &sz), 0);
    CHECK_EQ(c, 5);
    char *buf = malloc(sz);
    char **v = malloc(c * sizeof *v);
    CHECK_EQ(__wasi_args_get((uint8_t **)v, (uint8_t *)buf), 0);
    CHECK(!strcmp(v[2], "two words"));
    CHECK_EQ(__wasi_environ_sizes_get(&c, &sz), 0);
    CHECK_EQ(c, t_strict() ? 2 : 3);
    /* Out-of-bounds pointers are EFAULT, not a trap. */
    STRICT CHECK_EQ(raw_args_get((void *)0xfffffff0u, (void *)0xfffffff0u), __WASI_ERRNO_FAULT);
    return t_done("args_env");
}
