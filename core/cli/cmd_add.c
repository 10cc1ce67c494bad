/* core/cli/cmd_add.c - `exo add service ROLE --template NAME`: arguments, prompts for missing
 * values (terminal only) and reporting. The work is in core/scaffold/scaffold.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "commands.h"
#include "scaffold/prompt.h"
#include "scaffold/scaffold.h"
#include "scaffold/yamledit.h"
#include "scaffold_values.h"

typedef struct add_opts {
    const char *description, *template, *app;
    exo_strv_t set;
} add_opts_t;

/* Names of the usable service templates, for messages. */
static char *service_template_names(const char *app_dir)
{
    exo_template_list_t list;
    exo_diag_t ignore;
    exo_diag_init(&ignore);
    exo_template_list(app_dir, &list, &ignore);
    exo_diag_free(&ignore);
    exo_buf_t b = {0};
    for (size_t i = 0; i < list.n; i++) {
        if (!list.items[i]->shadowed && list.items[i]->kind == EXO_TEMPLATE_KIND_SERVICE) {
            exo_buf_printf(&b, "%s%s", b.len ? ", " : "", list.items[i]->name);
        }
    }
    exo_template_list_free(&list);
    if (b.len == 0) {
        exo_buf_puts(&b, "none found");
    }
    return b.data;
}

/* The template to render: --template, else asked on a terminal; NULL after a usage error. */
static exo_template_t *pick_template(const char *app_dir, const char *given)
{
    char *asked = NULL;
    if (given == NULL) {
        char *names = service_template_names(app_dir);
        if (exo_prompt_possible()) {
            fprintf(stderr, "Service templates: %s\n", names);
            asked = exo_prompt_ask("Template", "c-service");
        }
        if (asked == NULL) {
            exo_cli_usage_error("add", "missing --template NAME (service templates: %s)", names);
        }
        free(names);
        if (asked == NULL) {
            return NULL;
        }
    }
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_template_t *t = exo_template_find(app_dir, given ? given : asked, &diag);
    exo_scaffold_report(&diag);
    free(asked);
    return t;
}

/* Render @p t as service @p role of the app in @p app_dir; every failure is exit status 1. */
static int add(const add_opts_t *o, const char *app_dir, const char *role,
               const exo_template_t *t, exo_tvars_t *given)
{
    char *yml = exo_path_join(app_dir, "application.yml");
    char *text = exo_read_file(yml, NULL);
    char *app_name = text ? exo_yamledit_get_scalar(text, "name") : NULL;
    free(text);
    free(yml);
    exo_tvars_t vars = {0};
    exo_tvars_set(&vars, "app", app_name ? app_name : "app");
    exo_tvars_set(&vars, "role", role);
    free(app_name);
    if (o->description != NULL) {
        exo_tvars_set(given, "description", o->description);
    }
    if (exo_template_value(t, "description") == NULL) {
        /* every template gets {{description}}, declared or not */
        char *desc = exo_scaffold_ask(o->description, "Description", "");
        exo_tvars_set(&vars, "description", desc ? desc : "");
        free(desc);
    }
    int rc = EXO_EXIT_USER;
    if (exo_scaffold_fill_values("add", t, given, &vars) == 0) {
        exo_diag_t diag;
        exo_diag_init(&diag);
        exo_scaffold_add_service(app_dir, role, t, &vars, &diag);
        rc = exo_scaffold_report(&diag);
        if (rc == EXO_EXIT_OK) {
            printf("Added service '%s' in %s/%s (template %s) and registered it in "
                   "application.yml\nNext: exo setup && exo run\n", role, app_dir, role,
                   t->name);
        }
    }
    exo_tvars_free(&vars);
    return rc;
}

static int run(void *opts, const exo_strv_t *args)
{
    const add_opts_t *o = opts;
    if (args->n < 1 || strcmp(args->v[0], "service") != 0) {
        return exo_cli_usage_error("add", "say what to add: exo add service ROLE --template NAME");
    }
    if (args->n > 2) {
        return exo_cli_usage_error("add", "one ROLE only ('%s' is extra)", args->v[2]);
    }
    exo_tvars_t given = {0};
    if (exo_scaffold_parse_sets("add", &o->set, &given) != 0) {
        exo_tvars_free(&given);
        return EXO_EXIT_USER;
    }
    int rc = EXO_EXIT_USER;
    char *role = NULL;
    exo_template_t *t = NULL;
    bool failed;
    char *app_dir = exo_cli_app_dir(o->app, EXO_APP_REQUIRED, &failed);
    if (app_dir != NULL) {
        role = exo_scaffold_ask(args->n > 1 ? args->v[1] : NULL, "Role of the new service",
                                NULL);
    }
    const char *rule = role != NULL ? exo_scaffold_check_role(role) : NULL;
    if (app_dir == NULL) {
        /* reported */
    } else if (role == NULL) {
        exo_cli_usage_error("add", "missing the service ROLE: exo add service ROLE "
                            "--template NAME");
    } else if (rule != NULL) {
        exo_error("'%s' is not a valid role: %s", role, rule);
    } else if ((t = pick_template(app_dir, o->template)) != NULL) {
        rc = add(o, app_dir, role, t, &given);
    }
    exo_template_free(&t);
    exo_tvars_free(&given);
    free(role);
    free(app_dir);
    return rc;
}

static const exo_option_t options[] = {
    EXO_OPTION("template", 0, EXO_OPT_VALUE, "NAME", add_opts_t, template, 0,
               "service template (c-service, python-service, worker, ...) or a\n"
               "path to a template directory; 'exo templates' lists them"),
    EXO_OPTION("description", 0, EXO_OPT_VALUE, "TEXT", add_opts_t, description, 0,
               "what the service does ({{description}} in the template)"),
    EXO_OPTION("set", 0, EXO_OPT_LIST, "KEY=VALUE", add_opts_t, set, 0,
               "a value the template declares; repeat for several"),
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", add_opts_t, app, 0,
               "the app directory (default: nearest application.yml upwards)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_add = {
    .name = "add",
    .summary = "add a service to the app from a template",
    .args = "service ROLE",
    .max_args = -1,
    .description =
        "Renders the service template NAME into ROLE/ in the app and registers it in\n"
        "application.yml as services.ROLE.location: ./ROLE, editing the file's text so its\n"
        "comments, key order and layout stay as they are. ROLE has lower-case letters, digits\n"
        "and '-' and starts with a letter. A ROLE already in application.yml or an existing ROLE/\n"
        "is refused and nothing changes. Missing ROLE, template or values are asked for when\n"
        "standard input is a terminal; otherwise the command fails and names the flag.",
    .options = options,
    .opts_size = sizeof(add_opts_t),
    .run = run,
};
