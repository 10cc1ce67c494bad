/* plugins/backend-common/ctrclean.c - see ctrclean.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#include "ctrclean.h"

static const char *string_member(const json_t *o, const char *key)
{
    return key != NULL ? json_string_value(json_object_get(o, key)) : NULL;
}

/* A name member: a string, or the first of an array of them; docker's leading '/' dropped. */
static const char *name_member(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    const char *name = json_is_array(v) ? json_string_value(json_array_get(v, 0))
                                        : json_string_value(v);
    return name != NULL && name[0] == '/' ? name + 1 : name;
}

void ctr_leftovers_parse(const json_t *list, const char *app, const ctr_list_keys_t *keys,
                         ctr_leftovers_t *out)
{
    size_t i;
    const json_t *it;
    json_array_foreach(list, i, it) {
        const json_t *labels = json_object_get(it, keys->labels_key);
        const char *id = string_member(it, keys->id_key);
        const char *label = string_member(labels, "exo.app");
        if (id == NULL || label == NULL || strcmp(label, app) != 0) {
            continue;
        }
        const char *name = name_member(it, keys->name_key);
        const char *unit = string_member(labels, "exo.unit");
        const char *ifname = string_member(it, keys->ifname_key);
        out->v = exo_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
        out->v[out->n++] = (ctr_leftover_t){
            .id = exo_xstrdup(id),
            .name = exo_xstrdup(name != NULL && name[0] != '\0' ? name : id),
            .unit = unit != NULL ? exo_xstrdup(unit) : NULL,
            .ifname = ifname != NULL ? exo_xstrdup(ifname) : NULL,
        };
    }
}

void ctr_leftovers_free(ctr_leftovers_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].id);
        free(l->v[i].name);
        free(l->v[i].unit);
        free(l->v[i].ifname);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void ctr_report_removed(const exo_host_t *host, const char *app, const char *kind,
                        const ctr_leftovers_t *l)
{
    exo_buf_t names = {0};
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const ctr_leftover_t *o = &l->v[i];
        if (!o->removed) {
            continue;
        }
        exo_buf_printf(&names, "%s%s", n++ > 0 ? ", " : "", o->name);
        if (o->unit != NULL) {
            exo_buf_printf(&names, " (unit %s)", o->unit);
        }
    }
    if (n > 0) {
        exo_log_info(host, "removed %zu %s%s of app %s: %s", n, kind, n == 1 ? "" : "s", app,
                     names.data);
    }
    exo_buf_free(&names);
}
