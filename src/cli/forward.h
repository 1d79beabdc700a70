/* forward.h — the statically linked `boxagent` hands the commands that need libcurl or
 * libmicrohttpd to boxagent-full, the dynamically linked build installed beside it. */
#ifndef BOXAGENT_CLI_FORWARD_H
#define BOXAGENT_CLI_FORWARD_H

#include <stdbool.h>

/* Called first by main: remembers argv for cli_forward. In the static build it also makes
 * util_dynlib_load refuse (glibc cannot load a shared library into a static program). */
void cli_forward_init(char **argv, bool static_build);

/* True in the static build: the caller must hand network commands to boxagent-full. */
bool cli_forward_is_static(void);

/* Replaces this process with boxagent-full and the same arguments. Returns only on failure,
 * after saying on stderr what `what` needed and why boxagent-full could not run: exit 1. */
int cli_forward(const char *what);

#endif
