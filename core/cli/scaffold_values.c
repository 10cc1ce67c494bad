/* core/cli/scaffold_values.c - template values from the command line; see scaffold_values.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "cli.h"
#include "scaffold/prompt.h"
#include "scaffold_values.h"

int exo_scaffold_parse_sets(const char *cmd, const exo_strv_t *sets, exo_tvars_t *given)
{
    for (size_t i = 0; i < sets->n; i++) {
        const char *kv = sets->v[i];
        const char *eq = strchr(kv, '=');
        if (eq == NULL || eq == kv) {
            return exo_cli_usage_error(cmd, "--set takes KEY=VALUE, not '%s'", kv);
        }
        char *key = exo_xstrndup(kv, (size_t)(eq - kv));
        exo_tvars_set(given, key, eq + 1);
        free(key);
    }
    return 0;
}

/* A usage error when @p given names a value @p t does not take; 0 otherwise. */
static int check_given(const char *cmd, const exo_template_t *t, const exo_tvars_t *given)
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
    return 0;
}

int exo_scaffold_fill_values(const char *cmd, const exo_template_t *t, const exo_tvars_t *given,
                             exo_tvars_t *vars)
{
    int rc = check_given(cmd, t, given);
    if (rc != 0) {
        return rc;
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

char *exo_scaffold_ask(const char *given, const char *question, const char *dflt)
{
    if (given != NULL) {
        return exo_xstrdup(given);
    }
    return exo_prompt_ask(question, dflt);
}

int exo_scaffold_report(exo_diag_t *diag)
{
    exo_diag_print(diag, stderr, exo_use_color(2));
    int rc = diag->errors ? EXO_EXIT_USER : EXO_EXIT_OK;
    exo_diag_free(diag);
    return rc;
}
