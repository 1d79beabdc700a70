/* jail_cgroup.c — per-run cgroups for the limits the kernel does not enforce per process:
 * pids (the process count; RLIMIT_NPROC does not bind real root) and memory (the whole tree).
 * Uses cgroup v2 when its controllers can be delegated to a child of our cgroup, else the v1
 * hierarchies (found through /proc/self/mountinfo and /proc/self/cgroup). A run gets its own
 * child cgroup, removed afterwards. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "jail/jail_internal.h"
#include "util/util.h"

static atomic_uint seq;

/* Mount point of a cgroup hierarchy: fstype "cgroup2", or "cgroup" with `opt` in its super
 * options. Caller frees; NULL if absent. */
static char *find_mount(const char *fstype, const char *opt)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) return NULL;
    char line[4096];
    char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        char *sep = strstr(line, " - ");
        if (!sep) continue;
        char mp[2048], type[64], src[256], sopts[1024];
        if (sscanf(line, "%*s %*s %*s %*s %2047s", mp) != 1) continue;
        if (sscanf(sep + 3, "%63s %255s %1023s", type, src, sopts) != 3) continue;
        if (strcmp(type, fstype)) continue;
        if (opt) {
            bool has = false;
            char *save = NULL;
            for (char *t = strtok_r(sopts, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (!strcmp(t, opt)) has = true;
            if (!has) continue;
        }
        found = xstrdup(mp);
    }
    fclose(f);
    return found;
}

/* Our cgroup path in the v2 hierarchy (ctrl NULL) or the v1 hierarchy holding `ctrl`. */
static char *own_path(const char *ctrl)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f) return NULL;
    char line[4096];
    char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':');
        if (!c1) continue;
        char *c2 = strchr(c1 + 1, ':');
        if (!c2) continue;
        *c2 = '\0';
        const char *ctrls = c1 + 1, *path = c2 + 1;
        if (!ctrl) {
            if (!strncmp(line, "0:", 2) && !*ctrls) found = xstrdup(path);
            continue;
        }
        char *copy = xstrdup(ctrls), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if (!strcmp(t, ctrl)) found = xstrdup(path);
        free(copy);
    }
    fclose(f);
    return found;
}

static bool write_file(const char *dir, const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "we");
    free(p);
    if (!f) return false;
    bool ok = fputs(text, f) >= 0;
    if (fclose(f) != 0) ok = false;
    return ok;
}

/* Value of `key` in a "key value" file (or the whole file when key is NULL). */
static bool read_u64(const char *dir, const char *name, const char *key, uint64_t *out)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "re");
    free(p);
    if (!f) return false;
    char line[256];
    bool ok = false;
    while (!ok && fgets(line, sizeof line, f)) {
        unsigned long long v;
        char k[64];
        if (!key) {
            ok = sscanf(line, "%llu", &v) == 1;
        } else if (sscanf(line, "%63s %llu", k, &v) == 2 && !strcmp(k, key)) {
            ok = true;
        }
        if (ok) *out = v;
    }
    fclose(f);
    return ok;
}

static char *new_child(const char *base)
{
    char *dir = xasprintf("%s/boxagent-jail-%d-%u", base, (int)getpid(), atomic_fetch_add(&seq, 1));
    if (mkdir(dir, 0755) != 0) {
        free(dir);
        return NULL;
    }
    return dir;
}

static bool v2_has(const char *dir, const char *ctrl)
{
    char *p = xasprintf("%s/cgroup.controllers", dir);
    size_t len;
    char *text = util_read_file(p, 4096, &len);
    free(p);
    if (!text) return false;
    bool has = false;
    char *save = NULL;
    for (char *t = strtok_r(text, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
        if (!strcmp(t, ctrl)) has = true;
    free(text);
    return has;
}

static void try_v2(jail_cgroup *cg, uint64_t pids_max, uint64_t mem_max)
{
    char *mp = find_mount("cgroup2", NULL);
    char *own = own_path(NULL);
    if (!mp || !own) goto out;
    char *base = xasprintf("%s%s", mp, strcmp(own, "/") ? own : "");
    /* A child can only get what our own cgroup has: where v2 has neither controller (they are
     * bound to v1 hierarchies), skip making a child just to find that out. */
    if (pids_max && !v2_has(base, "pids")) pids_max = 0;
    if (mem_max && !v2_has(base, "memory")) mem_max = 0;
    if (!pids_max && !mem_max) {
        free(base);
        goto out;
    }
    /* Delegation to children needs the controllers in our subtree_control. */
    if (pids_max) write_file(base, "cgroup.subtree_control", "+pids");
    if (mem_max) write_file(base, "cgroup.subtree_control", "+memory");
    char *dir = new_child(base);
    free(base);
    if (!dir) goto out;
    char num[32];
    bool used = false;
    if (pids_max && v2_has(dir, "pids")) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)pids_max);
        if (write_file(dir, "pids.max", num)) {
            cg->pids_dir = xstrdup(dir);
            cg->pids_version = 2;
            used = true;
        }
    }
    if (mem_max && v2_has(dir, "memory")) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)mem_max);
        if (write_file(dir, "memory.max", num)) {
            write_file(dir, "memory.swap.max", "0");
            cg->mem_dir = xstrdup(dir);
            cg->mem_version = 2;
            used = true;
        }
    }
    if (!used) rmdir(dir);
    free(dir);
out:
    free(mp);
    free(own);
}

static char *try_v1(const char *ctrl, const char *file, uint64_t value)
{
    char *mp = find_mount("cgroup", ctrl);
    char *own = own_path(ctrl);
    char *dir = NULL;
    if (mp && own) {
        char *base = xasprintf("%s%s", mp, strcmp(own, "/") ? own : "");
        dir = new_child(base);
        free(base);
        if (dir) {
            char num[32];
            snprintf(num, sizeof num, "%llu", (unsigned long long)value);
            if (!write_file(dir, file, num)) {
                rmdir(dir);
                free(dir);
                dir = NULL;
            } else if (!strcmp(ctrl, "memory")) {
                write_file(dir, "memory.memsw.limit_in_bytes", num);
            }
        }
    }
    free(mp);
    free(own);
    return dir;
}

void jail_cgroup_create(jail_cgroup *cg, uint64_t pids_max, uint64_t mem_max)
{
    memset(cg, 0, sizeof *cg);
    if (getenv("BOXAGENT_JAIL_NO_CGROUP")) return; /* tests of the fallbacks */
    try_v2(cg, pids_max, mem_max);
    if (pids_max && !cg->pids_dir) {
        cg->pids_dir = try_v1("pids", "pids.max", pids_max);
        if (cg->pids_dir) cg->pids_version = 1;
    }
    if (mem_max && !cg->mem_dir) {
        cg->mem_dir = try_v1("memory", "memory.limit_in_bytes", mem_max);
        if (cg->mem_dir) cg->mem_version = 1;
    }
}

void jail_cgroup_tasks_paths(const jail_cgroup *cg, char *out[2])
{
    out[0] = out[1] = NULL;
    int n = 0;
    if (cg->pids_dir && cg->pids_version == 1) out[n++] = xasprintf("%s/tasks", cg->pids_dir);
    if (cg->mem_dir && cg->mem_version == 1 && (!cg->pids_dir || strcmp(cg->mem_dir, cg->pids_dir)))
        out[n++] = xasprintf("%s/tasks", cg->mem_dir);
}

bool jail_cgroup_add(const jail_cgroup *cg, pid_t pid, bool skip_v1, char *err, size_t errlen)
{
    char num[32];
    snprintf(num, sizeof num, "%d", (int)pid);
    if (cg->pids_dir && !(skip_v1 && cg->pids_version == 1) &&
        !write_file(cg->pids_dir, "cgroup.procs", num)) {
        snprintf(err, errlen, "jail: cannot join pids cgroup %s: %s", cg->pids_dir,
                 strerror(errno));
        return false;
    }
    if (cg->mem_dir && !(skip_v1 && cg->mem_version == 1) &&
        (!cg->pids_dir || strcmp(cg->mem_dir, cg->pids_dir)) &&
        !write_file(cg->mem_dir, "cgroup.procs", num)) {
        snprintf(err, errlen, "jail: cannot join memory cgroup %s: %s", cg->mem_dir,
                 strerror(errno));
        return false;
    }
    return true;
}

void jail_cgroup_stats(const jail_cgroup *cg, bool *pids_hit, bool *oom_killed,
                       uint64_t *mem_peak)
{
    uint64_t v = 0;
    *pids_hit = cg->pids_dir && read_u64(cg->pids_dir, "pids.events", "max", &v) && v > 0;
    *oom_killed = false;
    *mem_peak = 0;
    if (!cg->mem_dir) return;
    if (cg->mem_version == 2) {
        *oom_killed = read_u64(cg->mem_dir, "memory.events", "oom_kill", &v) && v > 0;
        if (read_u64(cg->mem_dir, "memory.peak", NULL, &v)) *mem_peak = v;
    } else {
        *oom_killed = (read_u64(cg->mem_dir, "memory.oom_control", "oom_kill", &v) && v > 0);
        if (read_u64(cg->mem_dir, "memory.max_usage_in_bytes", NULL, &v)) *mem_peak = v;
    }
}

static void remove_dir(char *dir)
{
    if (!dir) return;
    /* The namespace's processes are gone once its init is reaped, but the cgroup may take a
     * moment to notice. */
    for (int i = 0; i < 200 && rmdir(dir) != 0 && errno == EBUSY; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

void jail_cgroup_destroy(jail_cgroup *cg)
{
    remove_dir(cg->pids_dir);
    if (cg->mem_dir && (!cg->pids_dir || strcmp(cg->mem_dir, cg->pids_dir)))
        remove_dir(cg->mem_dir);
    free(cg->pids_dir);
    free(cg->mem_dir);
    memset(cg, 0, sizeof *cg);
}

void jail_cgroup_describe(char *out, size_t n)
{
    jail_cgroup cg;
    jail_cgroup_create(&cg, 1000000, 1ull << 40);
    snprintf(out, n, "%s%s%s", cg.pids_dir ? (cg.pids_version == 2 ? "pids cgroup v2" : "pids cgroup v1") : "no pids cgroup",
             ", ", cg.mem_dir ? (cg.mem_version == 2 ? "memory cgroup v2" : "memory cgroup v1") : "no memory cgroup");
    jail_cgroup_destroy(&cg);
}
