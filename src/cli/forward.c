/* forward.c — see forward.h. The release `boxagent` is linked statically so that the commands
 * that run many times a minute (run-wasm, exec, tool call, audit) start about as fast as a
 * native program does. Static glibc programs cannot load shared libraries, so `run`, `chat`,
 * `serve`, the web_fetch tool and guests that import boxagent_http are executed again, with the
 * same arguments and nothing done yet, by boxagent-full: the same program, dynamically linked,
 * which loads libcurl and libmicrohttpd on first use. It is looked for beside the running
 * executable (/proc/self/exe, so symlinks to boxagent work). */
#include "cli/forward.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/dynlib.h"

#define FULL_NAME "boxagent-full"

static char **saved_argv;
static bool is_static;

void cli_forward_init(char **argv, bool static_build)
{
    saved_argv = argv;
    is_static = static_build;
    if (static_build)
        util_dynlib_refuse("the statically linked boxagent cannot load shared libraries (this "
                           "command should have been handed to " FULL_NAME ")");
}

bool cli_forward_is_static(void)
{
    return is_static;
}

int cli_forward(const char *what)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0 || (size_t)n >= sizeof path - sizeof FULL_NAME - 1) {
        fprintf(stderr, "boxagent: %s needs " FULL_NAME ", but this executable's path is "
                        "unknown (/proc/self/exe: %s)\n", what, n < 0 ? strerror(errno) : "too long");
        return 1;
    }
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash) {
        fprintf(stderr, "boxagent: %s needs " FULL_NAME ", but %s has no directory\n", what, path);
        return 1;
    }
    strcpy(slash + 1, FULL_NAME);
    fflush(stdout);
    fflush(stderr);
    execv(path, saved_argv);
    fprintf(stderr, "boxagent: %s needs %s (the dynamically linked build, installed beside "
                    "boxagent): %s\n", what, path, strerror(errno));
    return 1;
}
