/* core/cli/cmd_templates.c - `exo templates`: every template exo can render, where it comes
 * from and the values it takes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "base/log.h"
#include "base/util.h"
#include "commands.h"
#include "scaffold/template.h"

typedef struct templates_opts {
    const char *app;
    bool json;
} templates_opts_t;

/* One value a template takes, as `exo templates` shows it: exo's own first, then declared. */
typedef struct value_row {
    const char *name, *description, *default_value, *flag;
    bool builtin;
} value_row_t;

#define MAX_ROWS 64

static size_t value_rows(const exo_template_t *t, value_row_t *rows, size_t max)
{
    size_t n = 0;
    bool app = t->kind == EXO_TEMPLATE_KIND_APP;
    const exo_template_value_t *d = exo_template_value(t, "description");
    rows[n++] = (value_row_t){app ? "app" : "role", app ? "the app's name" : "the service's role",
                              NULL, app ? "NAME" : "ROLE", true};
    rows[n++] = (value_row_t){"description",
                              d != NULL && d->description ? d->description : "what it does",
                              d != NULL ? d->default_value : "", "--description TEXT", d == NULL};
    if (app) {
        rows[n++] = (value_row_t){"version", "the first version", "0.1.0", "--version X.Y.Z",
                                  true};
    }
    for (size_t i = 0; i < t->n_values && n < max; i++) {
        const exo_template_value_t *v = &t->values[i];
        if (v != d) {
            rows[n++] = (value_row_t){v->name, v->description, v->default_value, NULL, false};
        }
    }
    return n;
}

static json_t *template_json(const exo_template_t *t)
{
    json_t *values = json_array();
    value_row_t rows[MAX_ROWS];
    size_t n = value_rows(t, rows, MAX_ROWS);
    for (size_t i = 0; i < n; i++) {
        const value_row_t *v = &rows[i];
        char *flag = v->flag ? exo_xstrdup(v->flag) : exo_strdupf("--set %s=VALUE", v->name);
        json_array_append_new(values, json_pack("{s:s, s:s?, s:s?, s:b, s:s, s:b}", "name",
                                                v->name, "description", v->description,
                                                "default", v->default_value, "required",
                                                v->default_value == NULL, "flag", flag,
                                                "builtin", v->builtin));
        free(flag);
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "name", t->name, "kind",
                     exo_template_kind_name(t->kind), "description", t->description, "origin",
                     exo_template_origin_name(t->origin), "dir", t->dir, "shadowed",
                     t->shadowed, "values", values);
}

static void print_none_found(const char *app_dir)
{
    char *dirs[3];
    exo_template_origin_t origins[3];
    size_t nd = exo_template_search_path(app_dir, dirs, origins);
    printf("No templates found. Searched:\n");
    for (size_t d = 0; d < nd; d++) {
        printf("  %s (%s)\n", dirs[d], exo_template_origin_name(origins[d]));
        free(dirs[d]);
    }
}

static void print_json(const exo_template_list_t *list)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < list->n; i++) {
        json_array_append_new(arr, template_json(list->items[i]));
    }
    char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    free(s);
    json_decref(arr);
}

static void print_text(const exo_template_t *t)
{
    printf("%s%s  (%s template, %s: %s)\n    %s\n", t->name, t->shadowed ? " [shadowed]" : "",
           exo_template_kind_name(t->kind), exo_template_origin_name(t->origin), t->dir,
           t->description);
    value_row_t rows[MAX_ROWS];
    size_t n = value_rows(t, rows, MAX_ROWS);
    for (size_t k = 0; k < n; k++) {
        const value_row_t *v = &rows[k];
        char *flag = v->flag ? exo_xstrdup(v->flag) : exo_strdupf("--set %s=...", v->name);
        printf("    %-24s %s", flag, v->description ? v->description : "");
        if (v->default_value == NULL) {
            printf(" (required)\n");
        } else if (v->default_value[0] != '\0') {
            printf(" (default: %s)\n", v->default_value);
        } else {
            printf("\n");
        }
        free(flag);
    }
}

static int run(void *opts, const exo_strv_t *args)
{
    (void)args;
    const templates_opts_t *o = opts;
    /* outside an app there are no app templates */
    bool failed;
    char *app_dir = exo_cli_app_dir(o->app, EXO_APP_OPTIONAL, &failed);
    if (failed) {
        return EXO_EXIT_USER;
    }
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_template_list_t list;
    exo_template_list(app_dir, &list, &diag);
    exo_diag_print(&diag, stderr, exo_use_color(2));
    exo_diag_free(&diag);
    if (o->json) {
        print_json(&list);
    } else if (list.n == 0) {
        print_none_found(app_dir);
    } else {
        for (size_t i = 0; i < list.n; i++) {
            print_text(list.items[i]);
        }
    }
    exo_template_list_free(&list);
    free(app_dir);
    return EXO_EXIT_OK;
}

static const exo_option_t options[] = {
    EXO_OPTION("json", 0, EXO_OPT_FLAG, NULL, templates_opts_t, json, 0,
               "print a JSON array (name, kind, description, origin, dir, shadowed,\n"
               "values[{name, description, default, required, flag, builtin}])"),
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", templates_opts_t, app, 0,
               "the app whose .exo/templates to include (default: the app at or\n"
               "above the current directory, if any)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_templates = {
    .name = "templates",
    .summary = "list the templates exo can render",
    .max_args = 0,
    .description =
        "Lists every template found, in search order: the app's .exo/templates, then\n"
        "$XDG_DATA_HOME/exo/templates (default ~/.local/share/exo/templates), then the installed\n"
        "ones ($EXO_TEMPLATE_PATH overrides that directory). A template shadowed by an earlier one\n"
        "of the same name is marked. For each: its kind (app or service), where it comes from\n"
        "and the values it takes with their defaults.",
    .options = options,
    .opts_size = sizeof(templates_opts_t),
    .run = run,
};
