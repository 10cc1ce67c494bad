/*
 * core/model/wiring.c - the message wiring of an app (see wiring.h).
 *
 * Wiring is checked on public names: a role with the translation {public: P, internal: I}
 * sends or receives I itself, which is P for the rest of the app. A translated name that finds
 * no partner is reported at its translation (the translation maps to nothing) rather than at
 * the service's message list, so each finding is one line.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "base/util.h"
#include "wiring.h"

/* The public name of @p name for role @p s; *tr gets the translation index or -1. */
static const char *public_of(const exo_service_t *s, const char *name, ptrdiff_t *tr)
{
    for (size_t i = 0; i < s->n_translations; i++) {
        if (strcmp(s->translations[i].internal_name, name) == 0) {
            *tr = (ptrdiff_t)i;
            return s->translations[i].public_name;
        }
    }
    *tr = -1;
    return name;
}

/* Whether any role has @p pub among the public names of its sends (or receives). */
static bool anyone(const exo_app_t *app, const char *pub, bool sends)
{
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *s = &app->services[i];
        char **v = sends ? s->sends : s->receives;
        size_t n = sends ? s->n_sends : s->n_receives;
        for (size_t k = 0; k < n; k++) {
            ptrdiff_t tr;
            if (strcmp(public_of(s, v[k], &tr), pub) == 0) {
                return true;
            }
        }
    }
    return false;
}

static void check_direction(const exo_app_t *app, const exo_service_t *s, bool sends,
                            exo_diag_t *diag, exo_strv_t *names)
{
    char **v = sends ? s->sends : s->receives;
    const exo_pos_t *pos = sends ? s->sends_pos : s->receives_pos;
    size_t n = sends ? s->n_sends : s->n_receives;
    for (size_t k = 0; k < n; k++) {
        ptrdiff_t tr;
        const char *pub = public_of(s, v[k], &tr);
        if (!exo_strv_contains(names, pub)) {
            exo_strv_push(names, pub);
        }
        if (anyone(app, pub, !sends)) {
            continue;
        }
        const char *verb = sends ? "sends" : "receives";
        const char *other = sends ? "receives" : "sends";
        if (tr >= 0) {
            exo_diag_warning(diag, app->file, s->translations_pos[tr].line,
                             s->translations_pos[tr].column,
                             "translation of role %s maps to nothing: %s %s '%s' as '%s', but "
                             "no role %s '%s'", s->role, s->role, verb, v[k], pub, other, pub);
        } else {
            exo_diag_warning(diag, s->file, pos[k].line, pos[k].column,
                             "role %s %s '%s' but no role %s it", s->role, verb, v[k], other);
        }
    }
}

size_t exo_app_check_wiring(const exo_app_t *app, exo_diag_t *diag)
{
    exo_strv_t names = {0};
    for (size_t i = 0; i < app->n_services; i++) {
        check_direction(app, &app->services[i], true, diag, &names);
        check_direction(app, &app->services[i], false, diag, &names);
    }
    size_t n = names.n;
    exo_strv_free(&names);
    return n;
}
