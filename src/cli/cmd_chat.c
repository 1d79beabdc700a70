/* cmd_chat.c — `boxagent chat`: an interactive session with an agent. Line editing and
 * history with libedit (history kept in <ws>/.boxagent/chat_history); tool calls and denials
 * are shown as they happen; Ctrl-C cancels the running turn, not the program; Ctrl-D or /quit
 * leaves. Same options as `run` (without the task). */
#include <editline/readline.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/launch.h"
#include "agent/render.h"
#include "cli/agent_opts.h"
#include "cli/commands.h"
#include "util/util.h"

static agent *volatile running_agent;

static void on_sigint(int sig)
{
    (void)sig;
    agent *a = running_agent;
    if (a) agent_cancel(a);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: boxagent chat [OPTIONS]\n%s"
               "In the chat: /help, /usage, /session, /quit (or Ctrl-D). Ctrl-C cancels a turn.\n",
            cli_agent_opts_help);
}

static char *read_line(bool tty, const char *prompt)
{
    if (tty) return readline(prompt);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n && line[n - 1] == '\n') line[n - 1] = 0;
    return line;
}

int cmd_chat(int argc, char **argv)
{
    cli_agent_opts co;
    int rc = cli_agent_opts_parse(&co, "chat", argc, argv, usage);
    if (rc >= 0) goto out;
    rc = 2;
    if (optind != argc) {
        usage(stderr);
        goto out;
    }
    agent_render r;
    agent_env env;
    rc = 1;
    if (!cli_agent_start(&co, "chat", "chat", &r, &env)) goto out;
    bool tty = isatty(0) && isatty(1);
    setlocale(LC_CTYPE, ""); /* libedit decodes multibyte input by the locale */
    char *hist = xasprintf("%s/.boxagent/chat_history", env.cfg->workspace);
    if (tty) {
        using_history();
        read_history(hist);
        printf("boxagent chat — agent %s (%s), model %s/%s, session %s\n"
               "Ctrl-C cancels a turn; /quit or Ctrl-D leaves.\n",
               env.profile.name, agent_access_name(env.profile.access),
               llm_provider_type(env.llm), llm_provider_model(env.llm),
               agent_session_id(env.agent));
    }
    struct sigaction sa = {.sa_handler = on_sigint}, ign = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, NULL, &old);
    if (tty) sigaction(SIGINT, &ign, NULL); /* at the prompt Ctrl-C does not end the program */
    rc = 0;
    for (;;) {
        char *line = read_line(tty, "> ");
        if (!line) break;
        char *t = line;
        while (*t == ' ' || *t == '\t') t++;
        if (!*t) {
            free(line);
            continue;
        }
        if (tty) add_history(t);
        if (!strcmp(t, "/quit") || !strcmp(t, "/exit")) {
            free(line);
            break;
        }
        if (!strcmp(t, "/help")) {
            usage(stdout);
            free(line);
            continue;
        }
        if (!strcmp(t, "/usage") || !strcmp(t, "/session")) {
            llm_usage u = agent_total_usage(env.agent);
            printf("session %s · %llu tokens in, %llu out, %llu cached\n",
                   agent_session_id(env.agent), (unsigned long long)u.input,
                   (unsigned long long)u.output, (unsigned long long)u.cached);
            free(line);
            continue;
        }
        running_agent = env.agent;
        sigaction(SIGINT, &sa, NULL);
        agent_result res;
        agent_outcome o = agent_run(env.agent, t, &res);
        sigaction(SIGINT, tty ? &ign : &old, NULL);
        running_agent = NULL;
        if (o != AGENT_DONE && !co.json) fprintf(stderr, "(%s)\n", res.message);
        if (o == AGENT_FAILED) rc = 1;
        agent_result_free(&res);
        free(line);
    }
    if (tty) {
        sigaction(SIGINT, &old, NULL);
        write_history(hist);
        putchar('\n');
    }
    free(hist);
    agent_env_close(&env);
out:
    cli_agent_opts_free(&co);
    return rc;
}
