/* builtin.c — the built-in tool table: names, model-facing descriptions, argument schemas,
 * permission levels and runners. File tools run as embedded WebAssembly programs; tool_search
 * is a host builtin; bash/run (jail) and web_fetch (egress) are registered here once their
 * layers provide runners. */
#include <stddef.h>

#include "egress/egress.h"
#include "jail/jail.h"

#include "tools/builtin.h"

static policy_decision decide_read(const tools_run *run)
{
    return tools_decide_path(run, "path", POLICY_ACCESS_READ);
}

static policy_decision decide_write(const tools_run *run)
{
    return tools_decide_path(run, "path", POLICY_ACCESS_WRITE);
}

#define PATH_PROP(what)                                                                           \
    "\"path\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 4096, \"description\": " \
    "\"" what "\"}"
/* grep and glob skip what .gitignore files exclude (as ripgrep does) unless asked not to. */
#define INCLUDE_IGNORED_PROP                                                                     \
    "\"include_ignored\": {\"type\": \"boolean\", \"description\": \"also search paths that "      \
    ".gitignore files exclude (default false)\"}"

/* Entries whose text comes from another layer are completed by tools_builtin_defs (called once,
 * under the registry's pthread_once). */
static tools_def builtin_defs[] = {
    {
        .name = "read_file",
        .description =
            "Read a text file from the workspace. Returns the lines prefixed with their line "
            "numbers (like cat -n) and the file's total line count. By default up to 2000 lines "
            "from the start; use offset (1-based first line) and limit to page through longer "
            "files. Lines longer than 2000 characters are cut. Binary files are refused. Paths are "
            "relative to the workspace or absolute.",
        .schema = "{\"type\": \"object\", \"properties\": {" PATH_PROP("file to read") ", "
                  "\"offset\": {\"type\": \"integer\", \"minimum\": 1, \"description\": \"first line "
                  "to return, 1-based (default 1)\"}, "
                  "\"limit\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 100000, "
                  "\"description\": \"how many lines to return (default 2000)\"}}, "
                  "\"required\": [\"path\"], \"additionalProperties\": false}",
        .perm = TOOLS_PERM_READ,
        .kind = TOOLS_RUNNER_WASM,
        .decide = decide_read,
        .data = "read_file",
    },
    {
        .name = "write_file",
        .description =
            "Create or overwrite a text file in the workspace with the given content. Parent "
            "directories are created as needed (inside what you are allowed to write). Prefer "
            "edit_file for changing part of an existing file.",
        .schema = "{\"type\": \"object\", \"properties\": {" PATH_PROP("file to write") ", "
                  "\"content\": {\"type\": \"string\", \"maxLength\": 8388608, \"description\": "
                  "\"the complete new content of the file\"}}, "
                  "\"required\": [\"path\", \"content\"], \"additionalProperties\": false}",
        .perm = TOOLS_PERM_WRITE,
        .kind = TOOLS_RUNNER_WASM,
        .decide = decide_write,
        .data = "write_file",
    },
    {
        .name = "edit_file",
        .description =
            "Replace an exact piece of text in a file. old_string must occur in the file exactly "
            "as given (whitespace included) and, unless replace_all is true, exactly once: include "
            "enough surrounding lines to make it unique. Fails with the number of occurrences "
            "when it is absent or ambiguous.",
        .schema = "{\"type\": \"object\", \"properties\": {" PATH_PROP("file to edit") ", "
                  "\"old_string\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 1048576, "
                  "\"description\": \"exact text to replace\"}, "
                  "\"new_string\": {\"type\": \"string\", \"maxLength\": 1048576, \"description\": "
                  "\"replacement text (must differ from old_string)\"}, "
                  "\"replace_all\": {\"type\": \"boolean\", \"description\": \"replace every "
                  "occurrence (default false)\"}}, "
                  "\"required\": [\"path\", \"old_string\", \"new_string\"], "
                  "\"additionalProperties\": false}",
        .perm = TOOLS_PERM_WRITE,
        .kind = TOOLS_RUNNER_WASM,
        .decide = decide_write,
        .data = "edit_file",
    },
    {
        .name = "list_dir",
        .description =
            "List a directory of the workspace, sorted, directories marked with a trailing /. "
            "depth (default 1, at most 10) descends into subdirectories, shown indented. Output is "
            "capped at 1000 entries.",
        .schema = "{\"type\": \"object\", \"properties\": {" PATH_PROP("directory to list (default: the workspace)") ", "
                  "\"depth\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 10, "
                  "\"description\": \"levels to descend (default 1)\"}}, "
                  "\"additionalProperties\": false}",
        .perm = TOOLS_PERM_READ,
        .search = true,
        .kind = TOOLS_RUNNER_WASM,
        .decide = decide_read,
        .data = "list_dir",
    },
    {
        .name = "glob",
        .description =
            "Find files whose path matches a glob pattern, sorted, at most 1000. Examples: "
            "\"**/*.c\", \"src/*.h\". * and ? match within one path component, ** matches any "
            "number of directories, [abc] a set. Patterns are relative to path (default: the "
            "workspace). Paths excluded by .gitignore files are skipped unless include_ignored.",
        .schema = "{\"type\": \"object\", \"properties\": {"
                  "\"pattern\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 1024, "
                  "\"description\": \"glob pattern\"}, " PATH_PROP("directory to search in (default: the workspace)") ", "
                  INCLUDE_IGNORED_PROP "}, "
                  "\"required\": [\"pattern\"], \"additionalProperties\": false}",
        .perm = TOOLS_PERM_READ,
        .search = true,
        .kind = TOOLS_RUNNER_WASM,
        .decide = decide_read,
        .data = "glob",
    },
    {
        .name = "grep",
        .description =
            "Search file contents with a POSIX extended regular expression. path is a file or a "
            "directory searched recursively (default: the workspace); glob filters file names "
            "(e.g. \"*.c\" or \"**/*.md\"). output_mode: \"content\" (matching lines as "
            "file:line:text, the default), \"files_with_matches\" (file names only) or \"count\" "
            "(matches per file). context / before_context / after_context add lines around "
            "matches (like grep -C/-B/-A). Binary files, and paths excluded by .gitignore files "
            "(unless include_ignored), are skipped. Results are capped at max_results (default "
            "200).",
        .schema = "{\"type\": \"object\", \"properties\": {"
                  "\"pattern\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 4096, "
                  "\"description\": \"POSIX extended regular expression\"}, " PATH_PROP("file or directory to search (default: the workspace)") ", "
                  "\"glob\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 1024, "
                  "\"description\": \"only search files whose name matches this glob\"}, "
                  "\"case_insensitive\": {\"type\": \"boolean\", \"description\": \"ignore case (like grep -i)\"}, "
                  "\"output_mode\": {\"type\": \"string\", \"enum\": [\"content\", "
                  "\"files_with_matches\", \"count\"]}, "
                  "\"context\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 50, \"description\": \"lines before and after each match (-C)\"}, "
                  "\"before_context\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 50, \"description\": \"lines before each match (-B)\"}, "
                  "\"after_context\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 50, \"description\": \"lines after each match (-A)\"}, "
                  "\"max_results\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 5000, "
                  "\"description\": \"stop after this many matching lines / files (default 200)\"}, "
                  INCLUDE_IGNORED_PROP "}, "
                  "\"required\": [\"pattern\"], \"additionalProperties\": false}",
        .perm = TOOLS_PERM_READ,
        .search = true,
        .kind = TOOLS_RUNNER_WASM,
        .decide = decide_read,
        .data = "grep",
    },
    {
        .name = "tool_search",
        .description =
            "Find tools you may use by keyword (matched against tool names and descriptions). "
            "Returns each matching tool's name, permission level and description.",
        .schema = "{\"type\": \"object\", \"properties\": {"
                  "\"query\": {\"type\": \"string\", \"maxLength\": 200, \"description\": "
                  "\"keywords; empty lists every tool you may use\"}}, "
                  "\"required\": [\"query\"], \"additionalProperties\": false}",
        .perm = TOOLS_PERM_NONE,
        .search = true,
        .kind = TOOLS_RUNNER_HOST,
        .run = tools_search_run,
    },
    /* the web through egress (src/egress/web_fetch.c): external content */
    {
        .name = egress_web_fetch_name,
        .description = egress_web_fetch_description,
        .schema = egress_web_fetch_schema,
        .perm = TOOLS_PERM_READ,
        .external = true,
        .kind = TOOLS_RUNNER_HOST,
        .run = tools_web_fetch_run,
        .decide = tools_decide_fetch,
    },
    /* native programs in the jail (src/jail/jail_tools.c) */
    {.name = "bash", .perm = TOOLS_PERM_EXECUTE, .kind = TOOLS_RUNNER_JAIL, .run = tools_jail_bash_run,
     .decide = tools_decide_bash, .data = &jail_tool_bash},
    {.name = "run", .perm = TOOLS_PERM_EXECUTE, .kind = TOOLS_RUNNER_JAIL, .run = tools_jail_argv_run,
     .decide = tools_decide_argv, .data = &jail_tool_run},
};

const tools_def *tools_builtin_defs(size_t *n)
{
    *n = sizeof builtin_defs / sizeof builtin_defs[0];
    for (size_t i = 0; i < *n; i++) {
        tools_def *d = &builtin_defs[i];
        if (d->kind != TOOLS_RUNNER_JAIL) continue;
        const jail_tool_info *info = d->data;
        d->name = info->name;
        d->description = info->description;
        d->schema = info->schema;
        d->perm = TOOLS_PERM_EXECUTE; /* native programs: execute, whatever else is claimed */
    }
    return builtin_defs;
}
