/* jail_timing.c — benchmark driver for bench/jail_bench.sh: median wall time of
 *   (a) a bare fork+exec+wait of /bin/true,
 *   (b) `boxagent exec --cap exec:* -- /bin/true` (a whole CLI process: start-up + jail),
 *   (c) jail_run() of /bin/true inside this process (the jail alone),
 *   (d) `boxagent --version` (the CLI's own start-up: dynamic loading, no jail),
 * each over N runs (interleaved so machine noise hits all three alike). Prints the medians and
 * the overheads (b-a, c-a) in milliseconds.  Usage: jail_timing BOXAGENT [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jail/jail.h"
#include "policy/policy.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: jail_timing BOXAGENT [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 200;
    if (n < 1 || n > 100000) n = 200;
    double *bare = calloc((size_t)n, sizeof *bare), *cli = calloc((size_t)n, sizeof *cli),
           *lib = calloc((size_t)n, sizeof *lib), *ver = calloc((size_t)n, sizeof *ver);
    char *ver_argv[] = {argv[1], "--version", NULL};
    char *true_argv[] = {"/bin/true", NULL};
    char *cli_argv[] = {argv[1], "exec", "--workspace", "/tmp", "--cap", "exec:*", "--",
                        "/bin/true", NULL};
    policy_set *p = policy_new("/tmp");
    policy_error err;
    memset(&err, 0, sizeof err);
    if (!p || !policy_add_line(p, "exec:*", 0, &err)) {
        fprintf(stderr, "jail_timing: policy: %s\n", err.message);
        return 1;
    }
    const char *jargv[] = {"/bin/true", NULL};
    for (int i = 0; i < n; i++) {
        double t = now_ms();
        if (spawn(true_argv) != 0) return fprintf(stderr, "bare run failed\n"), 1;
        bare[i] = now_ms() - t;
        t = now_ms();
        if (spawn(cli_argv) != 0) return fprintf(stderr, "boxagent exec failed\n"), 1;
        cli[i] = now_ms() - t;
        t = now_ms();
        jail_result r;
        bool ok = jail_run(p, jargv, NULL, &r);
        lib[i] = now_ms() - t;
        if (!ok || r.exit_code != 0) return fprintf(stderr, "jail_run failed: %s\n", r.error), 1;
        jail_result_free(&r);
        int devnull = dup(1);
        if (freopen("/dev/null", "w", stdout) == NULL) return 1;
        t = now_ms();
        if (spawn(ver_argv) != 0) return fprintf(stderr, "boxagent --version failed\n"), 1;
        ver[i] = now_ms() - t;
        fflush(stdout);
        dup2(devnull, 1);
        close(devnull);
    }
    double mb = median(bare, n), mc = median(cli, n), ml = median(lib, n), mv = median(ver, n);
    double lb = bare[n / 10], lc = cli[n / 10], ll = lib[n / 10], lv = ver[n / 10];
    double load[3] = {0, 0, 0};
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
        fclose(la);
    }
    printf("runs: %d (interleaved); load average %.2f on %ld CPUs\n", n, load[0],
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("                                     median      p10\n");
    printf("bare fork+exec /bin/true:          %7.3f ms %7.3f ms\n", mb, lb);
    printf("boxagent --version (CLI start-up): %7.3f ms %7.3f ms\n", mv, lv);
    printf("boxagent exec -- /bin/true:        %7.3f ms %7.3f ms\n", mc, lc);
    printf("jail_run(/bin/true) in-process:    %7.3f ms %7.3f ms\n", ml, ll);
    printf("overhead of `boxagent exec` over bare fork+exec:  median %.3f ms (%.1fx)\n", mc - mb,
           mc / mb);
    printf("  of which CLI start-up (no jail):                 median %.3f ms\n", mv - mb);
    printf("overhead of the jail itself (jail_run in-process): median %.3f ms (%.1fx)\n",
           ml - mb, ml / mb);
    printf("target: `boxagent exec` overhead < 5 ms: %s; jail alone < 5 ms: %s\n",
           mc - mb < 5.0 ? "met" : "NOT met", ml - mb < 5.0 ? "met" : "NOT met");
    policy_free(p);
    free(bare);
    free(cli);
    free(lib);
    free(ver);
    return 0;
}
