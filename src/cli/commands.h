/* commands.h — one entry point per `boxagent` sub-command; each lives in its own cmd_*.c.
 * Each returns the process exit status: 0 success, 1 error, 2 usage error. argv[0] is the
 * sub-command's name. */
#ifndef BOXAGENT_CLI_COMMANDS_H
#define BOXAGENT_CLI_COMMANDS_H

#define BOXAGENT_VERSION "0.1.0"

int cmd_run_wasm(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_tool(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
