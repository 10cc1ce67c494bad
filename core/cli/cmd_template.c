/* core/cli/cmd_template.c - `exo template check DIR`: what a template author runs in CI. Validates
 * the template, renders it into a throw-away app, runs that app's setup and tests through
 * `exo setup` and `exo test`, and removes the app again. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "base/log.h"
#include "scaffold/scaffold.h"
#include "scaffold_values.h"
#include "scaffold/template.h"
#include "base/util.h"

#define CHECK_APP "check-app"

/* Run this exo binary with @p args in @p dir; returns its exit status (2 if it died). */
static int run_self(const char *dir, const char *const *args)
{
    char *self = exo_self_exe();
    if (self == NULL) {
        exo_error("cannot find the exo binary to run 'exo %s': %s", args[1], strerror(errno));
        return EXO_EXIT_INTERNAL;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        exo_error("fork: %s", strerror(errno));
        free(self);
        return EXO_EXIT_INTERNAL;
    }
    if (pid == 0) {
        if (chdir(dir) != 0) {
            _exit(127);
        }
        execv(self, (char *const *)args);
        _exit(127);
    }
    free(self);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return EXO_EXIT_INTERNAL;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EXO_EXIT_INTERNAL;
}

/* The app the service goes into: the installed app template, else the smallest valid one. */
static int make_app(const char *parent, exo_diag_t *diag)
{
    exo_tvars_t vars = {0};
    exo_tvars_set(&vars, "app", CHECK_APP);
    exo_tvars_set(&vars, "description", "throw-away app of exo template check");
    exo_tvars_set(&vars, "version", "0.1.0");
    exo_diag_t quiet;
    exo_diag_init(&quiet);
    exo_template_t *app = exo_template_find(NULL, "app", &quiet);
    exo_diag_free(&quiet);
    int rc;
    if (app != NULL && app->kind == EXO_TEMPLATE_KIND_APP) {
        rc = exo_scaffold_create_app(parent, CHECK_APP, app, &vars, diag);
    } else {
        char *dir = exo_path_join(parent, CHECK_APP);
        char *yml = exo_path_join(dir, "application.yml");
        const char *text = "name: " CHECK_APP "\nversion: 0.1.0\nservices: {}\n";
        rc = exo_mkdir_p(dir, 0755) == 0 && exo_write_file_atomic(yml, text, strlen(text)) == 0
                 ? 0 : -1;
        if (rc != 0) {
            exo_diag_error(diag, yml, 0, 0, "cannot write: %s", strerror(errno));
        }
        free(yml);
        free(dir);
    }
    exo_template_free(&app);
    exo_tvars_free(&vars);
    return rc;
}

static int check(const char *dir, const exo_tvars_t *given, bool keep)
{
    exo_diag_t diag;
    exo_diag_init(&diag);
    int rc = EXO_EXIT_USER;
    char *tmp = NULL, *app_dir = NULL;
    exo_tvars_t vars = {0};
    exo_template_t *t = exo_template_load(dir, EXO_TEMPLATE_PATH, &diag);
    if (t == NULL) {
        exo_diag_print(&diag, stderr, exo_use_color(2));
        printf("template check: FAILED (manifest)\n");
        goto out;
    }
    printf("template %s (%s): manifest ok\n", t->name, exo_template_kind_name(t->kind));
    /* CI has no one to answer questions: defaults and --set only */
    setenv("EXO_NO_PROMPT", "1", 1);
    const char *tmpdir = getenv("TMPDIR");
    tmp = exo_strdupf("%s/exo-template-check.XXXXXX", tmpdir && tmpdir[0] ? tmpdir : "/tmp");
    if (mkdtemp(tmp) == NULL) {
        exo_error("cannot create a temporary directory %s: %s", tmp, strerror(errno));
        rc = EXO_EXIT_INTERNAL;
        goto out;
    }
    app_dir = exo_path_join(tmp, CHECK_APP);
    if (t->kind == EXO_TEMPLATE_KIND_APP) {
        exo_tvars_set(&vars, "app", CHECK_APP);
        exo_tvars_set(&vars, "description", exo_tvars_get(given, "description")
                                                ? exo_tvars_get(given, "description") : "");
        exo_tvars_set(&vars, "version", exo_tvars_get(given, "version")
                                            ? exo_tvars_get(given, "version") : "0.1.0");
        if ((rc = exo_scaffold_fill_values("template", t, given, &vars)) != 0) {
            goto out;
        }
        if (exo_scaffold_create_app(tmp, CHECK_APP, t, &vars, &diag) != 0) {
            exo_diag_print(&diag, stderr, exo_use_color(2));
            printf("template check: FAILED (rendering)\n");
            rc = EXO_EXIT_USER;
            goto out;
        }
        printf("rendered into %s\n", app_dir);
    } else {
        const char *role = exo_scaffold_check_role(t->name) == NULL ? t->name : "probe";
        exo_tvars_set(&vars, "app", CHECK_APP);
        exo_tvars_set(&vars, "role", role);
        exo_tvars_set(&vars, "description", exo_tvars_get(given, "description")
                                                ? exo_tvars_get(given, "description")
                                                : "checked by exo template check");
        if ((rc = exo_scaffold_fill_values("template", t, given, &vars)) != 0) {
            goto out;
        }
        if (make_app(tmp, &diag) != 0 ||
            exo_scaffold_add_service(app_dir, role, t, &vars, &diag) != 0) {
            exo_diag_print(&diag, stderr, exo_use_color(2));
            printf("template check: FAILED (rendering)\n");
            rc = EXO_EXIT_USER;
            goto out;
        }
        printf("rendered as service '%s' of %s\n", role, app_dir);
    }
    exo_diag_print(&diag, stderr, exo_use_color(2));
    if (exo_command_find("check") != NULL) {
        const char *validate[] = {"exo", "check", NULL};
        printf("running exo check in %s\n", app_dir);
        if (run_self(app_dir, validate) != 0) {
            printf("template check: FAILED (the rendered app does not validate)\n");
            rc = EXO_EXIT_USER;
            goto out;
        }
    }
    if (exo_command_find("setup") == NULL || exo_command_find("test") == NULL) {
        printf("note: this exo has no 'setup'/'test' commands; setup and tests not run\n");
        printf("template check: ok (rendering only)\n");
        rc = EXO_EXIT_OK;
        goto out;
    }
    const char *setup[] = {"exo", "setup", NULL};
    const char *test[] = {"exo", "test", NULL};
    printf("running exo setup in %s\n", app_dir);
    rc = run_self(app_dir, setup);
    if (rc != 0) {
        printf("template check: FAILED (exo setup exited with %d)\n", rc);
        rc = EXO_EXIT_USER;
        goto out;
    }
    printf("running exo test in %s\n", app_dir);
    rc = run_self(app_dir, test);
    if (rc != 0) {
        printf("template check: FAILED (exo test exited with %d)\n", rc);
        rc = EXO_EXIT_USER;
        goto out;
    }
    printf("template check: ok\n");
out:
    if (tmp != NULL && keep) {
        printf("kept %s\n", tmp);
    } else if (tmp != NULL) {
        exo_rm_rf(tmp);
    }
    exo_diag_free(&diag);
    exo_template_free(&t);
    exo_tvars_free(&vars);
    free(app_dir);
    free(tmp);
    return rc;
}

typedef struct template_opts {
    exo_strv_t set;
    bool keep;
} template_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    const template_opts_t *o = opts;
    if (args->n < 1 || strcmp(args->v[0], "check") != 0) {
        return exo_cli_usage_error("template", "the only subcommand is 'check': "
                                   "exo template check DIR");
    }
    if (args->n < 2) {
        return exo_cli_usage_error("template", "missing the template DIR: exo template check "
                                   "DIR");
    }
    if (args->n > 2) {
        return exo_cli_usage_error("template", "one template DIR only ('%s' is extra)",
                                   args->v[2]);
    }
    exo_tvars_t given = {0};
    int rc = exo_scaffold_parse_sets("template", &o->set, &given);
    if (rc == 0) {
        rc = check(args->v[1], &given, o->keep);
    }
    exo_tvars_free(&given);
    return rc;
}

static const exo_option_t options[] = {
    EXO_OPTION("set", 0, EXO_OPT_LIST, "KEY=VALUE", template_opts_t, set, 0,
               "a value for the template"),
    EXO_OPTION("keep", 0, EXO_OPT_FLAG, NULL, template_opts_t, keep, 0,
               "keep the temporary app and print where it is"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_template = {
    .name = "template",
    .summary = "check a template: render it and run its setup and tests",
    .args = "check DIR",
    .max_args = -1,
    .description =
        "Validates the template in DIR (template.yml, files/, placeholders, no links or escaping\n"
        "names), renders it into a temporary app (a service template as a service of a fresh\n"
        "app), runs 'exo setup' and 'exo test' there, and removes the app. Never prompts: values\n"
        "without defaults must be given with --set.",
    .options = options,
    .opts_size = sizeof(template_opts_t),
    .epilog = "Exit status: 0 when everything passed.",
    .run = run,
};
