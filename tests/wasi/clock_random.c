/* clock_random.c — clock_res_get, clock_time_get (all four clocks, bad ids), random_get. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "t.h"

int main(void)
{
    struct timespec a, b, r;
    CHECK_EQ(clock_gettime(CLOCK_REALTIME, &a), 0);
    CHECK(a.tv_sec > 1600000000); /* after 2020 */
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
    for (volatile int i = 0; i < 100000; i++)
        ;
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
    CHECK(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &r), 0);
    CHECK(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000);
    __wasi_timestamp_t t;
    CHECK_EQ(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t), 0);
    CHECK_EQ(__wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &t), 0);
    CHECK_EQ(__wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &t), 0);
    CHECK_EQ(__wasi_clock_time_get(99, 1, &t), __WASI_ERRNO_INVAL);
    CHECK_EQ(__wasi_clock_res_get(99, &t), __WASI_ERRNO_INVAL);
    STRICT CHECK_EQ(raw_clock_time_get(0, 1, (void *)0xfffffffcu), __WASI_ERRNO_FAULT);

    unsigned char buf[256], buf2[256];
    memset(buf, 0, sizeof buf);
    memset(buf2, 0, sizeof buf2);
    CHECK_EQ(__wasi_random_get(buf, sizeof buf), 0);
    CHECK_EQ(getentropy(buf2, sizeof buf2), 0);
    CHECK(memcmp(buf, buf2, sizeof buf) != 0);
    int zeros = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        zeros += buf[i] == 0;
    CHECK(zeros < 32);
    CHECK_EQ(__wasi_random_get(buf, 0), 0);
    STRICT CHECK_EQ(raw_random_get((void *)0xffffff00u, 0x1000), __WASI_ERRNO_FAULT);
    CHECK_EQ(__wasi_sched_yield(), 0);
    return t_done("clock_random");
}
