/* test_util.c — util/: buffers, size/duration parsing (including overflow), SHA-256. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/buf.h"
#include "util/util.h"

Test(util, buf_grows_and_stays_terminated)
{
    buf b = BUF_INIT;
    for (int i = 0; i < 1000; i++) cr_assert(buf_printf(&b, "%d,", i));
    cr_assert_eq(b.data[b.len], '\0');
    cr_assert(strncmp(b.data, "0,1,2,", 6) == 0);
    char *s = buf_steal(&b);
    cr_assert_null(b.data);
    free(s);
}

Test(util, parse_size_units_and_garbage)
{
    uint64_t v;
    cr_assert(util_parse_size("64K", &v) && v == 65536);
    cr_assert(util_parse_size("256MiB", &v) && v == 256ULL << 20);
    cr_assert(util_parse_size("2G", &v) && v == 2ULL << 30);
    cr_assert(!util_parse_size("", &v));
    cr_assert(!util_parse_size("-1", &v));
    cr_assert(!util_parse_size("12Q", &v));
    cr_assert(!util_parse_size("99999999999999999999", &v));
    cr_assert(!util_parse_size("17179869184G", &v)); /* overflows when scaled */
}

Test(util, parse_duration)
{
    uint64_t v;
    cr_assert(util_parse_duration_ms("30s", &v) && v == 30000);
    cr_assert(util_parse_duration_ms("250", &v) && v == 250);
    cr_assert(util_parse_duration_ms("5m", &v) && v == 300000);
    cr_assert(!util_parse_duration_ms("5 s", &v));
    cr_assert(!util_parse_duration_ms("s", &v));
}

Test(util, sha256_known_vector)
{
    char hex[65];
    util_sha256_hex("abc", 3, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
