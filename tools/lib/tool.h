/* tool.h — shared code of the built-in WebAssembly tools: the arguments (argv[1], JSON already
 * validated by the host against the tool's schema), error exits, text checks, glob matching
 * with `**` and a sorted directory walk. */
#ifndef BOXAGENT_TOOLS_LIB_TOOL_H
#define BOXAGENT_TOOLS_LIB_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- arguments: a flat JSON object of strings, integers and booleans */
typedef struct targ {
    char *key;
    int type; /* 's' string, 'i' integer, 'b' boolean, 'n' null, 'o' anything else (skipped) */
    char *str;
    size_t len;
    long long num;
} targ;

typedef struct targs {
    targ *v;
    size_t n;
} targs;

/* Parses argv[1] of the program (or exits 1 with a message). */
targs targs_from_argv(int argc, char **argv);
/* Parse text; false + message on malformed input. */
bool targs_parse(const char *json, targs *out, char *err, size_t errlen);
const char *targs_str(const targs *a, const char *key, const char *def, size_t *len);
long long targs_int(const targs *a, const char *key, long long def);
bool targs_bool(const targs *a, const char *key, bool def);

/* ---- cancellation: the host stops the program here if the agent cancelled the call.
 * Called at natural boundaries (start, each directory entry, each file, each read chunk). */
void tool_checkpoint(void);

/* ---- errors: message on stderr, exit status 1 */
void tool_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "path: No such file or directory" style message from errno, with a hint for EACCES/ENOTCAPABLE. */
void tool_fail_errno(const char *what, const char *path) __attribute__((noreturn));

/* True if the bytes contain a NUL (the binary-file test used by every tool). */
bool tool_is_binary(const char *data, size_t len);

/* ---- paths */
/* Join dir and name ("." + name = name). Caller frees. */
char *tool_join(const char *dir, const char *name);

/* Glob match of a relative path ("a/b/c.txt") against a pattern with `**` segments
 * (zero or more directories), `*`, `?`, `[...]` within a segment. */
bool tool_glob_match(const char *pattern, const char *path);
/* The same, as .gitignore patterns match: `*` and `?` also match a leading dot. */
bool tool_gitignore_glob(const char *pattern, const char *path);

/* ---- .gitignore rules (gitignore.c): one list per directory that has a .gitignore, deeper
 * files and later lines taking precedence, as git decides. */
typedef struct tool_ignore_rule {
    char *pat;      /* without "!", leading "/" and trailing "/" */
    bool negate;    /* "!pattern": re-include */
    bool dir_only;  /* "pattern/" */
    bool anchored;  /* had a "/" before its end: matched against the path from its directory */
} tool_ignore_rule;
typedef struct tool_ignore_file {
    char *base;     /* directory of the .gitignore, relative to the walk root ("" = root) */
    char *prefix;   /* for a .gitignore above the walk root: the path from it to the root */
    tool_ignore_rule *rules;
    size_t n;
} tool_ignore_file;
typedef struct tool_ignore {
    tool_ignore_file *files;
    size_t n, cap;
} tool_ignore;
/* Reads dir_path/.gitignore (if any, at most 1 MiB) as the rules of directory `rel`. */
void tool_ignore_push(tool_ignore *ig, const char *dir_path, const char *rel);
/* The .gitignore files of the directories above a walk root, up to the repository's top
 * (the first with a .git) or, for a relative root, the current directory. */
void tool_ignore_push_parents(tool_ignore *ig, const char *root);
/* Drops the files pushed after `level` entries. */
void tool_ignore_pop(tool_ignore *ig, size_t level);
/* True if `rel` (relative to the walk root) is ignored by the rules in force. */
bool tool_ignore_match(const tool_ignore *ig, const char *rel, bool is_dir);

/* ---- sorted recursive walk */
typedef struct tool_entry {
    const char *rel;   /* path relative to the walk root ("a/b.c") */
    const char *path;  /* path to open (root joined with rel) */
    bool is_dir;
    bool is_link;
    int depth;         /* 1 for direct children */
} tool_entry;

enum {
    TOOL_WALK_SKIP_GIT = 1,  /* do not enter `.git` directories */
    TOOL_WALK_GITIGNORE = 2, /* skip what .gitignore files in the walked tree exclude */
};

/* Calls fn for each entry under root in sorted order (directories before descending into
 * them). Does not follow symlinked directories. `flags`: TOOL_WALK_*. max_depth 0 =
 * unlimited. fn returns false to stop the walk. Returns false if root itself cannot be read
 * (errno set). *visited counts entries seen; the walk stops at max_visit. */
bool tool_walk(const char *root, int max_depth, int flags, size_t max_visit,
               bool (*fn)(const tool_entry *e, void *user), void *user, size_t *visited);

/* Set when a walk met directories nested deeper than it enters (128 levels). */
extern bool tool_walk_too_deep;
/* Entries (a directory counts once) that walks skipped because of .gitignore rules. */
extern size_t tool_walk_ignored;

/* Read a whole file (at most max bytes; larger -> NULL with errno EFBIG). */
char *tool_read_file(const char *path, size_t max, size_t *len);

#endif
