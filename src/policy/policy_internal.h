/* policy_internal.h — helpers shared by the policy/ sources (not part of the public API). */
#ifndef BOXAGENT_POLICY_INTERNAL_H
#define BOXAGENT_POLICY_INTERNAL_H

#include "policy/policy.h"

/* Is `path` equal to `root` or beneath it on a component boundary? Both normalised absolute. */
bool pol_path_within(const char *root, const char *path);
/* The part of `path` after `root` ("" when equal); only valid when pol_path_within. */
const char *pol_path_rel(const char *root, const char *path);
/* Does the relative path `rel` (components separated by "/") contain a component that is
 * write-protected (.git or a shell start-up file)? */
bool pol_rel_protected(const char *rel, const char **which);
/* Is `path` the workspace's state directory or beneath it? */
bool pol_is_state_dir(const policy_set *p, const char *path);

void pol_cap_free(policy_cap *c);
void pol_cap_copy(policy_cap *dst, const policy_cap *src);
/* Append a copy of cap (deduplicated on canonical text). */
void pol_add_cap(policy_set *p, const policy_cap *c);
/* Fill c->text for a path cap / fetch cap / named cap from its fields. */
void pol_cap_make_text(policy_cap *c);
bool pol_url_copy(policy_url *dst, const policy_url *src);
/* Canonical pattern text of a fetch target: scheme://host[:port]prefix[ public]. */
char *pol_url_pattern_text(const policy_url *u);

/* Limits by index (0 .. pol_nlimits()-1): get returns whether it is set. */
size_t pol_nlimits(void);
bool pol_limit_get(const policy_limits *l, size_t i, const char **name, uint64_t *v);
void pol_limit_set(policy_limits *l, size_t i, uint64_t v);

/* The component-by-component fallback of policy_open_beneath (exposed for tests). */
int pol_walk_beneath(int dirfd, const char *rel, int flags, int mode);

#endif
