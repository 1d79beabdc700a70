/* startup_time.c — times whole-process runs of several commands precisely (posix_spawn + wait,
 * monotonic clock, output to /dev/null), interleaving the commands round by round so that
 * each sees the same machine load. Prints one line per command: median, p10, p90 in ms.
 *
 *   startup-time N -- CMD1 ARGS... -- CMD2 ARGS... [-- ...]
 * Exit status 1 if any run fails (non-zero exit or killed). */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

extern char **environ;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    uint64_t n;
    if (argc < 4 || !util_parse_u64(argv[1], &n) || n == 0 || n > 100000 ||
        strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: startup-time N -- CMD ARGS... [-- CMD ARGS...]\n");
        return 2;
    }
    /* Split argv[3..] at "--" into commands (argv entries are NULL-terminated in place). */
    char **cmds[32];
    size_t ncmd = 0;
    cmds[ncmd++] = &argv[3];
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            argv[i] = NULL;
            if (i + 1 >= argc || ncmd == 32) {
                fprintf(stderr, "startup-time: empty command or more than 32 commands\n");
                return 2;
            }
            cmds[ncmd++] = &argv[i + 1];
        }
    uint64_t *t = xcalloc(ncmd * n, sizeof *t);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    for (uint64_t r = 0; r < n; r++)
        for (size_t c = 0; c < ncmd; c++) {
            pid_t pid;
            int st;
            uint64_t a = util_now_ns();
            if (posix_spawnp(&pid, cmds[c][0], &fa, NULL, cmds[c], environ) != 0 ||
                waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "startup-time: %s failed\n", cmds[c][0]);
                return 1;
            }
            t[c * n + r] = util_now_ns() - a;
        }
    for (size_t c = 0; c < ncmd; c++) {
        uint64_t *v = &t[c * n];
        qsort(v, n, sizeof *v, cmp_u64);
        printf("%.3f ms median, p10 %.3f, p90 %.3f:", v[n / 2] / 1e6, v[n / 10] / 1e6,
               v[n * 9 / 10] / 1e6);
        for (char **a = cmds[c]; *a; a++)
            printf(" %s", *a);
        printf("\n");
    }
    posix_spawn_file_actions_destroy(&fa);
    free(t);
    return 0;
}
