/* core/cli/cmd_scaffold.c - `exo create app`, `exo add service`, `exo templates`: arguments,
 * prompts for missing values (terminal only) and reporting. The work is in core/scaffold.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "base/log.h"
#include "scaffold/prompt.h"
#include "scaffold/scaffold.h"
#include "scaffold_opts.h"
#include "scaffold/template.h"
#include "base/util.h"
#include "scaffold/yamledit.h"

int exo_cmd_create(int argc, char **argv);
int exo_cmd_add(int argc, char **argv);
int exo_cmd_templates(int argc, char **argv);

int exo_scaffold_opt(const char *cmd, int argc, char **argv, int *i, const char *name,
                     const char **value, int *rc)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) {
        return 0;
    }
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0') {
        return 0;
    }
    if (*i + 1 >= argc) {
        *rc = exo_cli_usage_error(cmd, "%s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int exo_scaffold_parse_set(const char *cmd, const char *kv, exo_tvars_t *sets)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv) {
        return exo_cli_usage_error(cmd, "--set takes KEY=VALUE, not '%s'", kv);
    }
    char *key = exo_xstrndup(kv, (size_t)(eq - kv));
    exo_tvars_set(sets, key, eq + 1);
    free(key);
    return 0;
}

int exo_scaffold_fill_values(const char *cmd, const exo_template_t *t, const exo_tvars_t *given,
                             exo_tvars_t *vars)
{
    for (size_t i = 0; i < given->names.n; i++) {
        const char *k = given->names.v[i];
        if (exo_template_value(t, k) == NULL && strcmp(k, "description") != 0 &&
            !(t->kind == EXO_TEMPLATE_KIND_APP && strcmp(k, "version") == 0)) {
            exo_buf_t known = {0};
            for (size_t j = 0; j < t->n_values; j++) {
                exo_buf_printf(&known, "%s%s", j ? ", " : "", t->values[j].name);
            }
            int rc = exo_cli_usage_error(cmd, "template '%s' takes no value '%s' (it takes: %s)",
                                         t->name, k, known.len ? known.data : "none");
            exo_buf_free(&known);
            return rc;
        }
    }
    for (size_t i = 0; i < t->n_values; i++) {
        const exo_template_value_t *v = &t->values[i];
        const char *set = exo_tvars_get(given, v->name);
        if (set != NULL) {
            exo_tvars_set(vars, v->name, set);
            continue;
        }
        if (exo_prompt_possible()) {
            char *answer = exo_prompt_ask(v->description ? v->description : v->name,
                                          v->default_value);
            if (answer != NULL) {
                exo_tvars_set(vars, v->name, answer);
                free(answer);
                continue;
            }
        }
        if (v->default_value == NULL) {
            return exo_cli_usage_error(cmd, "template '%s' needs a value for '%s'%s%s%s: pass "
                                       "--set %s=VALUE", t->name, v->name,
                                       v->description ? " (" : "",
                                       v->description ? v->description : "",
                                       v->description ? ")" : "", v->name);
        }
        exo_tvars_set(vars, v->name, v->default_value);
    }
    return 0;
}

/* The given value, else a terminal answer, else NULL (the caller names the flag). */
static char *value_or_ask(const char *given, const char *question, const char *dflt)
{
    if (given != NULL) {
        return exo_xstrdup(given);
    }
    return exo_prompt_ask(question, dflt);
}

static int print_diag(exo_diag_t *diag)
{
    exo_diag_print(diag, stderr, exo_use_color(2));
    int rc = diag->errors ? EXO_EXIT_USER : EXO_EXIT_OK;
    exo_diag_free(diag);
    return rc;
}

int exo_cmd_create(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "app") != 0) {
        return exo_cli_usage_error("create", "say what to create: exo create app NAME");
    }
    const char *name_arg = NULL, *description = NULL, *version = NULL, *tname = "app";
    exo_tvars_t given = {0};
    int rc = EXO_EXIT_USER;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = exo_scaffold_opt("create", argc, argv, &i, "--description", &description,
                                  &rc)) != 0 ||
            (r = exo_scaffold_opt("create", argc, argv, &i, "--version", &version, &rc)) != 0 ||
            (r = exo_scaffold_opt("create", argc, argv, &i, "--template", &tname, &rc)) != 0) {
            if (r < 0) {
                goto out;
            }
        } else if ((r = exo_scaffold_opt("create", argc, argv, &i, "--set", &v, &rc)) != 0) {
            if (r < 0 || (rc = exo_scaffold_parse_set("create", v, &given)) != 0) {
                goto out;
            }
        } else if (argv[i][0] == '-') {
            rc = exo_cli_usage_error("create", "unknown option '%s'", argv[i]);
            goto out;
        } else if (name_arg == NULL) {
            name_arg = argv[i];
        } else {
            rc = exo_cli_usage_error("create", "one app NAME only ('%s' is extra)", argv[i]);
            goto out;
        }
    }
    char *name = value_or_ask(name_arg, "Name of the new app", "my-app");
    if (name == NULL) {
        rc = exo_cli_usage_error("create", "missing the app NAME: exo create app NAME");
        goto out;
    }
    const char *rule = exo_scaffold_check_app_name(name);
    if (rule != NULL) {
        exo_error("'%s' is not a valid app name: %s", name, rule);
        free(name);
        goto out;
    }
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_template_t *t = exo_template_find(NULL, tname, &diag);
    if (t == NULL) {
        print_diag(&diag);
        free(name);
        goto out;
    }
    if (description != NULL) {
        exo_tvars_set(&given, "description", description);
    }
    exo_tvars_t vars = {0};
    exo_tvars_set(&vars, "app", name);
    char *desc = value_or_ask(description, "Description", "");
    char *ver = value_or_ask(version, "Version", "0.1.0");
    exo_tvars_set(&vars, "description", desc ? desc : "");
    exo_tvars_set(&vars, "version", ver ? ver : "0.1.0");
    rule = exo_scaffold_check_version(exo_tvars_get(&vars, "version"));
    if (rule != NULL) {
        rc = exo_cli_usage_error("create", "--version %s: %s", exo_tvars_get(&vars, "version"),
                                 rule);
    } else if ((rc = exo_scaffold_fill_values("create", t, &given, &vars)) == 0) {
        exo_scaffold_create_app(".", name, t, &vars, &diag);
        rc = print_diag(&diag);
        if (rc == EXO_EXIT_OK) {
            printf("Created app '%s' in ./%s (template %s)\n"
                   "Next: cd %s && exo add service ROLE --template c-service\n",
                   name, name, t->name, name);
        }
    }
    exo_diag_free(&diag);
    exo_template_free(&t);
    exo_tvars_free(&vars);
    free(desc);
    free(ver);
    free(name);
out:
    exo_tvars_free(&given);
    return rc;
}

char *exo_scaffold_find_app(void)
{
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        return NULL;
    }
    /* the nearest application.yml at or above here, so exo works from inside a service */
    for (;;) {
        char *yml = exo_path_join(cwd[0] ? cwd : "/", "application.yml");
        bool ok = exo_path_is_file(yml);
        free(yml);
        if (ok) {
            return exo_xstrdup(cwd[0] ? cwd : "/");
        }
        char *slash = strrchr(cwd, '/');
        if (slash == NULL || cwd[0] == '\0') {
            return NULL;
        }
        *slash = '\0';
    }
}

char *exo_scaffold_app_dir(const char *given)
{
    if (given != NULL) {
        char *yml = exo_path_join(given, "application.yml");
        bool ok = exo_path_is_file(yml);
        free(yml);
        if (!ok) {
            exo_error("--app %s: no application.yml there", given);
            return NULL;
        }
        return exo_xstrdup(given);
    }
    char *dir = exo_scaffold_find_app();
    if (dir != NULL) {
        return dir;
    }
    exo_error("no application.yml here or in any parent directory; run exo add in an app "
              "directory, pass --app DIR, or create an app with 'exo create app NAME'");
    return NULL;
}

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

int exo_cmd_add(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "service") != 0) {
        return exo_cli_usage_error("add", "say what to add: exo add service ROLE --template NAME");
    }
    const char *role_arg = NULL, *description = NULL, *tname = NULL, *app_arg = NULL;
    exo_tvars_t given = {0};
    int rc = EXO_EXIT_USER;
    char *app_dir = NULL, *role = NULL, *tchoice = NULL, *yml = NULL, *app_name = NULL;
    exo_template_t *t = NULL;
    exo_tvars_t vars = {0};
    exo_diag_t diag;
    exo_diag_init(&diag);
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = exo_scaffold_opt("add", argc, argv, &i, "--description", &description,
                                  &rc)) != 0 ||
            (r = exo_scaffold_opt("add", argc, argv, &i, "--template", &tname, &rc)) != 0 ||
            (r = exo_scaffold_opt("add", argc, argv, &i, "--app", &app_arg, &rc)) != 0) {
            if (r < 0) {
                goto out;
            }
        } else if ((r = exo_scaffold_opt("add", argc, argv, &i, "--set", &v, &rc)) != 0) {
            if (r < 0 || (rc = exo_scaffold_parse_set("add", v, &given)) != 0) {
                goto out;
            }
        } else if (argv[i][0] == '-') {
            rc = exo_cli_usage_error("add", "unknown option '%s'", argv[i]);
            goto out;
        } else if (role_arg == NULL) {
            role_arg = argv[i];
        } else {
            rc = exo_cli_usage_error("add", "one ROLE only ('%s' is extra)", argv[i]);
            goto out;
        }
    }
    app_dir = exo_scaffold_app_dir(app_arg);
    if (app_dir == NULL) {
        goto out;
    }
    role = value_or_ask(role_arg, "Role of the new service", NULL);
    if (role == NULL) {
        rc = exo_cli_usage_error("add", "missing the service ROLE: exo add service ROLE "
                                 "--template NAME");
        goto out;
    }
    const char *rule = exo_scaffold_check_role(role);
    if (rule != NULL) {
        exo_error("'%s' is not a valid role: %s", role, rule);
        goto out;
    }
    if (tname == NULL) {
        char *names = service_template_names(app_dir);
        if (exo_prompt_possible()) {
            fprintf(stderr, "Service templates: %s\n", names);
            tchoice = exo_prompt_ask("Template", "c-service");
        }
        if (tchoice == NULL) {
            rc = exo_cli_usage_error("add", "missing --template NAME (service templates: %s)",
                                     names);
            free(names);
            goto out;
        }
        free(names);
        tname = tchoice;
    }
    t = exo_template_find(app_dir, tname, &diag);
    if (t == NULL) {
        rc = print_diag(&diag);
        goto out;
    }
    yml = exo_path_join(app_dir, "application.yml");
    char *text = exo_read_file(yml, NULL);
    app_name = text ? exo_yamledit_get_scalar(text, "name") : NULL;
    free(text);
    exo_tvars_set(&vars, "app", app_name ? app_name : "app");
    exo_tvars_set(&vars, "role", role);
    if (description != NULL) {
        exo_tvars_set(&given, "description", description);
    }
    if (exo_template_value(t, "description") == NULL) {
        /* every template gets {{description}}, declared or not */
        char *desc = value_or_ask(description, "Description", "");
        exo_tvars_set(&vars, "description", desc ? desc : "");
        free(desc);
    }
    if ((rc = exo_scaffold_fill_values("add", t, &given, &vars)) != 0) {
        goto out;
    }
    exo_scaffold_add_service(app_dir, role, t, &vars, &diag);
    rc = print_diag(&diag);
    if (rc == EXO_EXIT_OK) {
        printf("Added service '%s' in %s/%s (template %s) and registered it in "
               "application.yml\nNext: exo setup && exo run\n", role, app_dir, role, t->name);
    }
out:
    exo_diag_free(&diag);
    exo_template_free(&t);
    exo_tvars_free(&vars);
    exo_tvars_free(&given);
    free(app_name);
    free(yml);
    free(tchoice);
    free(role);
    free(app_dir);
    return rc;
}

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

int exo_cmd_templates(int argc, char **argv)
{
    bool as_json = false;
    const char *app_arg = NULL;
    int rc = EXO_EXIT_USER;
    for (int i = 1; i < argc; i++) {
        int r;
        if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if ((r = exo_scaffold_opt("templates", argc, argv, &i, "--app", &app_arg,
                                         &rc)) != 0) {
            if (r < 0) {
                return rc;
            }
        } else {
            return exo_cli_usage_error("templates", "unknown argument '%s'", argv[i]);
        }
    }
    char *app_dir = NULL;
    if (app_arg != NULL) {
        app_dir = exo_scaffold_app_dir(app_arg);
        if (app_dir == NULL) {
            return EXO_EXIT_USER;
        }
    } else {
        app_dir = exo_scaffold_find_app(); /* outside an app there are no app templates */
    }
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_template_list_t list;
    exo_template_list(app_dir, &list, &diag);
    exo_diag_print(&diag, stderr, exo_use_color(2));
    exo_diag_free(&diag);
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < list.n; i++) {
            json_array_append_new(arr, template_json(list.items[i]));
        }
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", s);
        free(s);
        json_decref(arr);
    } else if (list.n == 0) {
        char *dirs[3];
        exo_template_origin_t origins[3];
        size_t nd = exo_template_search_path(app_dir, dirs, origins);
        printf("No templates found. Searched:\n");
        for (size_t d = 0; d < nd; d++) {
            printf("  %s (%s)\n", dirs[d], exo_template_origin_name(origins[d]));
            free(dirs[d]);
        }
    } else {
        for (size_t i = 0; i < list.n; i++) {
            const exo_template_t *t = list.items[i];
            printf("%s%s  (%s template, %s: %s)\n    %s\n", t->name,
                   t->shadowed ? " [shadowed]" : "", exo_template_kind_name(t->kind),
                   exo_template_origin_name(t->origin), t->dir, t->description);
            value_row_t rows[MAX_ROWS];
            size_t n = value_rows(t, rows, MAX_ROWS);
            for (size_t k = 0; k < n; k++) {
                const value_row_t *v = &rows[k];
                char *flag = v->flag ? exo_xstrdup(v->flag)
                                     : exo_strdupf("--set %s=...", v->name);
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
    }
    exo_template_list_free(&list);
    free(app_dir);
    return EXO_EXIT_OK;
}
