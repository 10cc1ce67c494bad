/* core/cli/cmd_create.c - `exo create app NAME`: arguments, prompts for missing values
 * (terminal only) and reporting. The work is in core/scaffold/scaffold.c. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "commands.h"
#include "scaffold/scaffold.h"
#include "scaffold_values.h"

typedef struct create_opts {
    const char *description, *version, *template;
    exo_strv_t set;
} create_opts_t;

/* Whether the new app @p dir came with a service (a directory holding service.yml), as the
 * fullstack template does: then the next step is setup and run, not adding a service. */
static bool app_has_service(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return false;
    }
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char *sub = exo_path_join(dir, e->d_name);
        char *yml = exo_path_join(sub, "service.yml");
        found = exo_path_is_file(yml);
        free(yml);
        free(sub);
    }
    closedir(d);
    return found;
}

/* Render template @p t as app @p name; every failure is exit status 1. */
static int create(const create_opts_t *o, const char *name, const exo_template_t *t,
                  exo_tvars_t *given)
{
    if (o->description != NULL) {
        exo_tvars_set(given, "description", o->description);
    }
    exo_tvars_t vars = {0};
    exo_tvars_set(&vars, "app", name);
    char *desc = exo_scaffold_ask(o->description, "Description", "");
    char *ver = exo_scaffold_ask(o->version, "Version", "0.1.0");
    exo_tvars_set(&vars, "description", desc ? desc : "");
    exo_tvars_set(&vars, "version", ver ? ver : "0.1.0");
    free(desc);
    free(ver);
    int rc = EXO_EXIT_USER;
    const char *version = exo_tvars_get(&vars, "version");
    const char *rule = exo_scaffold_check_version(version);
    if (rule != NULL) {
        exo_cli_usage_error("create", "--version %s: %s", version, rule);
    } else if (exo_scaffold_fill_values("create", t, given, &vars) == 0) {
        exo_diag_t diag;
        exo_diag_init(&diag);
        exo_scaffold_create_app(".", name, t, &vars, &diag);
        rc = exo_scaffold_report(&diag);
        if (rc == EXO_EXIT_OK) {
            printf("Created app '%s' in ./%s (template %s)\n", name, name, t->name);
            if (app_has_service(name)) {
                printf("Next: cd %s && exo setup && exo run\n", name);
            } else {
                printf("Next: cd %s && exo add service ROLE --template c-service\n", name);
            }
        }
    }
    exo_tvars_free(&vars);
    return rc;
}

static int run(void *opts, const exo_strv_t *args)
{
    const create_opts_t *o = opts;
    if (args->n < 1 || strcmp(args->v[0], "app") != 0) {
        return exo_cli_usage_error("create", "say what to create: exo create app NAME");
    }
    if (args->n > 2) {
        return exo_cli_usage_error("create", "one app NAME only ('%s' is extra)", args->v[2]);
    }
    exo_tvars_t given = {0};
    if (exo_scaffold_parse_sets("create", &o->set, &given) != 0) {
        exo_tvars_free(&given);
        return EXO_EXIT_USER;
    }
    int rc = EXO_EXIT_USER;
    exo_template_t *t = NULL;
    char *name = exo_scaffold_ask(args->n > 1 ? args->v[1] : NULL, "Name of the new app",
                                  "my-app");
    const char *rule = name != NULL ? exo_scaffold_check_app_name(name) : NULL;
    if (name == NULL) {
        exo_cli_usage_error("create", "missing the app NAME: exo create app NAME");
    } else if (rule != NULL) {
        exo_error("'%s' is not a valid app name: %s", name, rule);
    } else {
        exo_diag_t diag;
        exo_diag_init(&diag);
        t = exo_template_find(NULL, o->template ? o->template : "app", &diag);
        exo_scaffold_report(&diag);
        if (t != NULL) {
            rc = create(o, name, t, &given);
        }
    }
    exo_template_free(&t);
    exo_tvars_free(&given);
    free(name);
    return rc;
}

static const exo_option_t options[] = {
    EXO_OPTION("description", 0, EXO_OPT_VALUE, "TEXT", create_opts_t, description, 0,
               "what the app does"),
    EXO_OPTION("version", 0, EXO_OPT_VALUE, "X.Y.Z", create_opts_t, version, 0,
               "the app's first version (default 0.1.0)"),
    EXO_OPTION("template", 0, EXO_OPT_VALUE, "NAME", create_opts_t, template, 0,
               "app template, or a path to a template directory"),
    EXO_OPTION("set", 0, EXO_OPT_LIST, "KEY=VALUE", create_opts_t, set, 0,
               "a value the template declares (see 'exo templates')"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_create = {
    .name = "create",
    .summary = "create a new app from a template",
    .args = "app NAME",
    .max_args = -1,
    .description =
        "Creates the directory NAME/ with application.yml and a .gitignore for .exo/, rendered\n"
        "from the app template NAME (default 'app'). NAME has letters, digits, '-' and '_' and\n"
        "starts with a letter or digit. An existing NAME/ is never touched. Values the command\n"
        "line leaves out are asked for when standard input is a terminal; otherwise defaults\n"
        "apply (description: empty, version: 0.1.0) and a missing NAME is an error.",
    .options = options,
    .opts_size = sizeof(create_opts_t),
    .run = run,
};
