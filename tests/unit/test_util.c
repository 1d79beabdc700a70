/* test_util.c — util/: buffers, size/duration parsing (including overflow), SHA-256, and the
 * libm functions SQLite calls, which the release binary loads on first use (libm_shim.c). */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
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

Test(util, sha256_fips_vectors)
{
    char hex[65];
    util_sha256_hex("", 0, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 448 bits */
    util_sha256_hex(m, strlen(m), hex);
    cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    util_sha256_hex(a, 1000000, hex);
    cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Every length around the padding boundaries (55, 56, 63, 64, 119, 120 …) and random data,
 * against OpenSSL's SHA-256. */
Test(util, sha256_matches_openssl)
{
    unsigned char buf[1100], ours[32], theirs[32];
    unsigned int n = 0;
    uint64_t x = 0x243f6a8885a308d3ull;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    for (size_t len = 0; len <= sizeof buf; len++) {
        util_sha256(buf, len, ours);
        cr_assert(EVP_Digest(buf, len, theirs, &n, EVP_sha256(), NULL) && n == 32);
        cr_assert(memcmp(ours, theirs, 32) == 0, "length %zu differs", len);
    }
}

/* The math functions SQLite's SQL functions call come from src/util/libm_shim.c (this binary's
 * own definitions, forwarding to libm.so.6 loaded on first call). Inputs are volatile so the
 * compiler cannot fold the calls away. */
Test(util, libm_shim_forwards_to_libm)
{
    Dl_info di;
    cr_assert(dladdr((void *)pow, &di) && di.dli_fname);
    cr_assert(!strstr(di.dli_fname, "libm"), "pow resolved to %s, not the shim", di.dli_fname);
    volatile double two = 2, ten = 10, one = 1, m1 = -1, seven = 7, three = 3, h = 2.5;
    cr_assert_eq(pow(two, ten), 1024.0);
    cr_assert_float_eq(acos(m1), 3.14159265358979, 1e-12);
    cr_assert_float_eq(atan2(one, one), 0.785398163397448, 1e-12);
    cr_assert_float_eq(sqrt(two), 1.4142135623731, 1e-12);
    cr_assert_eq(trunc(h), 2.0);
    cr_assert_eq(fmod(seven, three), 1.0);
    cr_assert_float_eq(log(exp(one)), 1.0, 1e-15);
    cr_assert_float_eq(tanh(one), 0.761594155955765, 1e-12);
}
