/* core/cli/cmd_test.c - `exo test`: each service's test command with what it needs running. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "base/log.h"
#include "roles.h"
#include "run/session.h"

typedef enum outcome { PENDING, PASSED, FAILED, SKIPPED } outcome_t;

typedef struct result {
    const exo_service_t *svc;
    outcome_t outcome;
    char *reason;
    unsigned long long ms;
} result_t;

typedef struct test_ctx {
    const exo_app_t *app;
    exo_session_t *s;
    result_t *results;
    size_t n, cur;
    bool interrupted;
} test_ctx_t;

static void next(test_ctx_t *c);

static void after_down(void *arg)
{
    test_ctx_t *c = arg;
    c->cur++;
    next(c);
}

static void on_test_done(void *arg, int status, unsigned long long ms)
{
    test_ctx_t *c = arg;
    result_t *r = &c->results[c->cur];
    r->ms = ms;
    exo_output_t *out = exo_session_output(c->s);
    if (status == 0) {
        r->outcome = PASSED;
        exo_output_role_status(out, r->svc->role, "tests passed (%llu ms)", ms);
    } else {
        r->outcome = FAILED;
        r->reason = status > 0 ? exo_strdupf("tests failed with exit code %d", status)
                               : exo_xstrdup(c->interrupted ? "interrupted"
                                                            : "tests were killed or could not "
                                                              "start");
        exo_output_role_status(out, r->svc->role, "%s (%llu ms)", r->reason, ms);
    }
    exo_session_down(c->s, after_down, c);
}

static void on_up(void *arg, bool ok)
{
    test_ctx_t *c = arg;
    result_t *r = &c->results[c->cur];
    if (!ok) {
        r->outcome = FAILED;
        r->reason = exo_xstrdup("what the tests need failed to come up");
        exo_output_role_status(exo_session_output(c->s), r->svc->role, "%s", r->reason);
        exo_session_down(c->s, after_down, c);
        return;
    }
    exo_output_role_status(exo_session_output(c->s), r->svc->role, "testing: %s", r->svc->test);
    if (exo_session_task(c->s, r->svc, EXO_UNIT_ROLE_TEST, r->svc->role, on_test_done, c) < 0) {
        r->outcome = FAILED;
        r->reason = exo_xstrdup("the test command could not start");
        exo_session_down(c->s, after_down, c);
    }
}

static void next(test_ctx_t *c)
{
    while (c->cur < c->n && !c->interrupted) {
        result_t *r = &c->results[c->cur];
        if (r->svc->test == NULL) {
            r->outcome = SKIPPED;
            exo_output_role_status(exo_session_output(c->s), r->svc->role,
                                   "has no test command, skipping");
            c->cur++;
            continue;
        }
        exo_strv_t roles = {0}, resources = {0};
        for (size_t i = 0; i < r->svc->n_needs; i++) {
            exo_strv_push(&roles, r->svc->needs[i]);
        }
        for (size_t i = 0; i < r->svc->n_resources; i++) {
            exo_strv_push(&resources, r->svc->resources[i]);
        }
        exo_session_up(c->s, &roles, &resources, on_up, c);
        exo_strv_free(&roles);
        exo_strv_free(&resources);
        return;
    }
    exo_loop_stop(exo_session_loop(c->s));
}

static void on_interrupt(void *arg)
{
    test_ctx_t *c = arg;
    c->interrupted = true;
    exo_session_down(c->s, after_down, c);
}

static void xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') {
                fputc(' ', f);
            } else {
                fputc(*s, f);
            }
        }
    }
}

static int write_junit(const test_ctx_t *c, const char *path)
{
    char *tmp = exo_strdupf("%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (f == NULL) {
        exo_error("--junit %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t failed = 0, skipped = 0;
    unsigned long long total = 0;
    for (size_t i = 0; i < c->n; i++) {
        failed += c->results[i].outcome == FAILED;
        skipped += c->results[i].outcome == SKIPPED || c->results[i].outcome == PENDING;
        total += c->results[i].ms;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"", f);
    xml_escape(f, c->app->name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
            c->n, failed, skipped, (double)total / 1000.0);
    for (size_t i = 0; i < c->n; i++) {
        const result_t *r = &c->results[i];
        fputs("    <testcase classname=\"", f);
        xml_escape(f, c->app->name);
        fputs("\" name=\"", f);
        xml_escape(f, r->svc->role);
        fprintf(f, "\" time=\"%.3f\"", (double)r->ms / 1000.0);
        if (r->outcome == PASSED) {
            fputs("/>\n", f);
            continue;
        }
        fputs(">\n      ", f);
        if (r->outcome == SKIPPED) {
            fputs("<skipped message=\"no test command\"/>", f);
        } else if (r->outcome == PENDING) {
            fputs("<skipped message=\"not run (interrupted)\"/>", f);
        } else {
            fputs("<failure message=\"", f);
            xml_escape(f, r->reason ? r->reason : "not run");
            fputs("\"/>", f);
        }
        fputs("\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    int rc = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
    if (rc < 0) {
        exo_error("--junit %s: %s", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return rc;
}

/* Resources start empty for tests unless every tested role that uses one asks for the dev
 * data (services.<role>.test-data: dev). The session's resources are shared by all tested
 * roles, so a mix gets empty data, with a hint to test the dev-data roles on their own. */
static bool wants_fresh_data(const test_ctx_t *c)
{
    size_t dev = 0, users = 0;
    for (size_t i = 0; i < c->n; i++) {
        const exo_service_t *svc = c->results[i].svc;
        if (svc->n_resources > 0) {
            users++;
            dev += svc->test_dev_data;
        }
    }
    if (dev > 0 && dev < users) {
        exo_warn("some tested roles ask for the resources' dev data (test-data: dev) and others "
                 "do not: all get empty data; test the dev-data roles on their own "
                 "(exo test ROLE)");
    }
    return dev == 0 || dev < users;
}

typedef struct test_opts {
    const char *app, *junit, *backend;
} test_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    const test_opts_t *o = opts;
    const char *junit = o->junit;
    int code = EXO_EXIT_OK;
    exo_strv_t roles = {0};
    exo_app_t *app = exo_roles_load(o->app, "test", args, &roles, &code);
    if (app == NULL) {
        return code;
    }
    test_ctx_t c = {.app = app};
    size_t *idx = exo_roles_by_location(app, &roles, &c.n);
    exo_strv_free(&roles);
    c.results = exo_xcalloc(c.n + 1, sizeof *c.results);
    for (size_t i = 0; i < c.n; i++) {
        c.results[i].svc = &app->services[idx[i]];
    }
    free(idx);
    exo_session_opts_t sopts = {.command = "test", .backend = o->backend, .bus = true,
                                .fresh = wants_fresh_data(&c), .record = true,
                                .load_app = true};
    c.s = exo_cli_session(app, &sopts, &code);
    if (c.s == NULL) {
        free(c.results);
        exo_app_destroy(&app);
        return code;
    }
    exo_session_on_interrupt(c.s, on_interrupt, &c);
    next(&c);
    if (c.cur < c.n || c.interrupted) {
        exo_loop_run(exo_session_loop(c.s));
    }
    exo_output_t *out = exo_session_output(c.s);
    size_t passed = 0, failed = 0, skipped = 0, not_run = 0;
    for (size_t i = 0; i < c.n; i++) {
        passed += c.results[i].outcome == PASSED;
        failed += c.results[i].outcome == FAILED;
        skipped += c.results[i].outcome == SKIPPED;
        not_run += c.results[i].outcome == PENDING;
    }
    if (c.interrupted) {
        exo_output_status(out, "interrupted");
    }
    if (not_run > 0) {
        exo_output_status(out, "summary: %zu passed, %zu failed, %zu skipped, %zu not run",
                          passed, failed, skipped, not_run);
    } else {
        exo_output_status(out, "summary: %zu passed, %zu failed, %zu skipped", passed, failed,
                          skipped);
    }
    for (size_t i = 0; i < c.n; i++) {
        const result_t *r = &c.results[i];
        exo_output_status(out, "  %-7s %s%s%s", r->outcome == PASSED ? "passed"
                          : r->outcome == SKIPPED ? "skipped"
                          : r->outcome == PENDING ? "not run" : "FAILED", r->svc->role,
                          r->reason ? ": " : "", r->reason ? r->reason : "");
    }
    if (junit != NULL && write_junit(&c, junit) < 0) {
        code = EXO_EXIT_USER;
    }
    exo_session_destroy(&c.s);
    for (size_t i = 0; i < c.n; i++) {
        free(c.results[i].reason);
    }
    free(c.results);
    exo_app_destroy(&app);
    if (code == EXO_EXIT_OK && (failed > 0 || c.interrupted)) {
        code = EXO_EXIT_USER;
    }
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", test_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("junit", 0, EXO_OPT_VALUE, "FILE", test_opts_t, junit, 0,
               "also write a JUnit XML report to FILE"),
    EXO_OPTION("backend", 0, EXO_OPT_VALUE, "NAME", test_opts_t, backend, 0,
               "run on this backend plugin"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_test = {
    .name = "test",
    .summary = "run each service's tests with what they need running",
    .args = "[ROLE...]",
    .max_args = -1,
    .description =
        "Runs each selected service's `test` command in its directory, with the bus, the\n"
        "service's resources and the roles it `needs` running. Roles sharing a location are\n"
        "tested once; services without a test command are skipped. Inside a service directory\n"
        "only that service is tested. Prints a summary of passed, failed and skipped services.",
    .options = options,
    .opts_size = sizeof(test_opts_t),
    .epilog = "Exit status: 0 all tests passed (or skipped), 1 any failed or interrupted.",
    .run = run,
};
