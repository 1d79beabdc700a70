/* test_config.c — workspace configuration: validation names errors by JSON path, defaults are
 * least-privilege, narrowing never widens. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"

static bool has_err(const agent_config_errors *e, const char *needle)
{
    for (size_t i = 0; i < e->n; i++)
        if (strstr(e->msgs[i], needle)) return true;
    return false;
}

static void dump(const agent_config_errors *e)
{
    for (size_t i = 0; i < e->n; i++) cr_log_info("err: %s", e->msgs[i]);
}

Test(config, valid_file_resolves_agent)
{
    agent_config_errors e = {0};
    agent_config *c = agent_config_parse(
        "/tmp",
        "{\"providers\":{\"deep\":{\"type\":\"openai\",\"base_url\":\"https://api.deepseek.com\","
        "\"api_key_env\":\"DEEPSEEK_KEY\"}},\"default_agent\":\"builder\","
        "\"agents\":{\"builder\":{\"model\":\"deep/deepseek-chat\",\"access\":\"workspace-write\","
        "\"capabilities\":[\"write:.\",\"timeout=30s\"],\"max_turns\":7}}}",
        &e);
    dump(&e);
    cr_assert_not_null(c);
    agent_profile p;
    char err[256];
    cr_assert(agent_config_profile(c, NULL, &p, err, sizeof err), "%s", err);
    cr_assert_str_eq(p.name, "builder");
    cr_assert_eq(p.access, AGENT_ACCESS_WORKSPACE_WRITE);
    cr_assert_eq(p.max_turns, 7);
    cr_assert(p.policy->limits.has_timeout);
    cr_assert_eq(p.policy->limits.timeout_ms, 30000);
    agent_profile_free(&p);
    agent_config_free(c);
}

Test(config, every_error_named_by_json_path)
{
    agent_config_errors e = {0};
    agent_config *c = agent_config_parse(
        "/tmp",
        "{\"agents\":{\"builder\":{\"access\":\"root\",\"capabilities\":[\"read:.\",\"sudo:all\","
        "42],\"model\":\"nope\",\"manager\":\"yes\",\"colour\":1},"
        "\"other\":{\"model\":\"mystery/x\"}},\"default_agent\":\"ghost\",\"extra\":true}",
        &e);
    cr_assert_null(c);
    dump(&e);
    cr_assert(has_err(&e, "agents.builder.access: unknown access level \"root\""));
    cr_assert(has_err(&e, "agents.builder.capabilities[1]:"));
    cr_assert(has_err(&e, "agents.builder.capabilities[2]: expected a string"));
    cr_assert(has_err(&e, "agents.builder.model: expected \"provider/model\""));
    cr_assert(has_err(&e, "agents.builder.manager: expected a boolean"));
    cr_assert(has_err(&e, "agents.builder: unknown key \"colour\""));
    cr_assert(has_err(&e, "agents.other.model: unknown provider \"mystery\""));
    cr_assert(has_err(&e, "default_agent: no agent named \"ghost\""));
    cr_assert(has_err(&e, "extra: unknown key"));
    agent_config_errors_free(&e);
}

Test(config, hostile_inputs_are_errors_not_crashes)
{
    const char *bad[] = {"", "[]", "{", "{\"agents\":[]}", "{\"agents\":{\"a\":null}}",
                         "{\"agents\":{\"../x\":{}}}", "{\"providers\":{\"p\":{}}}",
                         "{\"providers\":{\"openai\":{\"base_url\":\"file:///etc\"}}}",
                         "{\"providers\":{\"openai\":{\"api_key_env\":\"A B\"}}}",
                         "{\"a\":1,\"a\":2}",
                         "{\"agents\":{\"a\":{\"max_turns\":-1}}}",
                         "{\"agents\":{\"a\":{\"capabilities\":[\"read:.\\nwrite:/\"]}}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        agent_config_errors e = {0};
        agent_config *c = agent_config_parse("/tmp", bad[i], &e);
        cr_assert_null(c, "accepted: %s", bad[i]);
        cr_assert_gt(e.n, 0);
        agent_config_errors_free(&e);
    }
}

Test(config, defaults_are_least_privilege)
{
    agent_config_errors e = {0};
    agent_config *c = agent_config_parse("/tmp", "{\"agents\":{\"x\":{}}}", &e);
    cr_assert_not_null(c);
    agent_profile p;
    char err[256];
    cr_assert(agent_config_profile(c, "x", &p, err, sizeof err));
    cr_assert_eq(p.access, AGENT_ACCESS_READ_ONLY);
    cr_assert_eq(p.policy->ncaps, 1);
    cr_assert_eq(p.policy->caps[0].kind, POLICY_READ);
    cr_assert(!policy_check_fetch(p.policy, "http://169.254.169.254/").allowed);
    cr_assert(!policy_check_exec(p.policy, "sh").allowed);
    cr_assert(!policy_check_path(p.policy, "/tmp/a", POLICY_ACCESS_WRITE).allowed);
    agent_profile_free(&p);
    agent_config_free(c);
    /* missing file: a built-in read-only default agent */
    char dir[] = "/tmp/boxagent-cfg-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    c = agent_config_load(dir, &e);
    rmdir(dir);
    cr_assert_not_null(c);
    cr_assert(!c->from_file);
    cr_assert(agent_config_profile(c, NULL, &p, err, sizeof err));
    cr_assert_eq(p.access, AGENT_ACCESS_READ_ONLY);
    agent_profile_free(&p);
    agent_config_free(c);
}

Test(config, narrowing_never_widens)
{
    agent_config_errors e = {0};
    agent_config *c = agent_config_parse(
        "/tmp", "{\"agents\":{\"x\":{\"access\":\"read-only\",\"capabilities\":[\"read:src\"]}}}",
        &e);
    cr_assert_not_null(c);
    agent_profile p;
    char err[256];
    cr_assert(agent_config_profile(c, "x", &p, err, sizeof err));
    agent_access full = AGENT_ACCESS_FULL;
    char *caps[] = {"write:.", "fetch:https://*", "read:src/sub"};
    char *dropped = NULL;
    cr_assert(agent_profile_narrow(&p, &full, caps, 3, &dropped, err, sizeof err), "%s", err);
    cr_assert_eq(p.access, AGENT_ACCESS_READ_ONLY);
    cr_assert(!policy_check_path(p.policy, "/tmp/src/a", POLICY_ACCESS_WRITE).allowed);
    cr_assert(!policy_check_fetch(p.policy, "https://example.com/").allowed);
    cr_assert(!policy_check_path(p.policy, "/tmp/other", POLICY_ACCESS_READ).allowed);
    agent_profile orig;
    cr_assert(agent_config_profile(c, "x", &orig, err, sizeof err));
    cr_assert(policy_is_subset(p.policy, orig.policy));
    agent_profile_free(&orig);
    cr_assert(policy_check_path(p.policy, "/tmp/src/sub/f", POLICY_ACCESS_READ).allowed);
    free(dropped);
    agent_access so = AGENT_ACCESS_SEARCH_ONLY;
    cr_assert(agent_profile_narrow(&p, &so, NULL, 0, NULL, err, sizeof err));
    cr_assert_eq(p.access, AGENT_ACCESS_SEARCH_ONLY);
    agent_profile_free(&p);
    agent_config_free(c);
}
