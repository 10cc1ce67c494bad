/*
 * core/plugins/settings.c - plugin blocks of an app checked against the keys the plugins
 * declare (see settings.h). Works on the YAML trees the app keeps, so that every finding
 * points at the key or value it is about.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "base/log.h"
#include "base/util.h"

typedef struct ctx {
    const exo_app_t *app;
    const exo_registry_t *reg;
    exo_diag_t *diag;
    size_t errors;
} ctx_t;

/* The declarations a block is checked against: one plugin's table, or several backends'. */
typedef struct keyset {
    const exo_config_key_t *tables[8];
    size_t n;
    char *owner; /* "resource plugin postgres", "backend docker or podman" */
} keyset_t;

/* ---- one block ---- */

static const exo_config_key_t *find_key(const keyset_t *ks, const char *name)
{
    for (size_t t = 0; t < ks->n; t++) {
        for (const exo_config_key_t *k = ks->tables[t]; k->name != NULL; k++) {
            if (strcmp(k->name, name) == 0) {
                return k;
            }
        }
    }
    return NULL;
}

static void key_names(const keyset_t *ks, exo_strv_t *out)
{
    for (size_t t = 0; t < ks->n; t++) {
        for (const exo_config_key_t *k = ks->tables[t]; k->name != NULL; k++) {
            if (!exo_strv_contains(out, k->name)) {
                exo_strv_push(out, k->name);
            }
        }
    }
}

/* Report @p key as unknown among @p known: with a did-you-mean hint when one is close, else
 * with the list. @p where ends in ": " or is the "in service.yml" form. */
static void unknown(ctx_t *c, const char *file, const exo_ynode_t *key, const char *where,
                    const exo_strv_t *known, const char *owner)
{
    const char *near = exo_closest(key->value, (const char *const *)known->v, known->n);
    exo_buf_t b = {0};
    if (near != NULL) {
        exo_buf_printf(&b, "; did you mean '%s'?", near);
    } else if (known->n == 0) {
        exo_buf_printf(&b, " (%s declares no keys)", owner);
    } else {
        exo_buf_printf(&b, " (%s knows: ", owner);
        for (size_t i = 0; i < known->n; i++) {
            exo_buf_printf(&b, "%s%s", i ? ", " : "", known->v[i]);
        }
        exo_buf_puts(&b, ")");
    }
    exo_diag_error(c->diag, file, key->line, key->column, "%s: unknown key '%s'%s", where,
                   key->value, b.data);
    exo_buf_free(&b);
    c->errors++;
}

static bool looks_like_size(const exo_ynode_t *v, const json_t *j)
{
    if (json_is_integer(j)) {
        return json_integer_value(j) >= 0;
    }
    const char *s = v->value;
    if (!json_is_string(j) || !(*s >= '0' && *s <= '9')) {
        return false;
    }
    while ((*s >= '0' && *s <= '9') || *s == '.') {
        s++;
    }
    while (*s == ' ') {
        s++;
    }
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
        s++;
    }
    return *s == '\0';
}

/* A whole number written in quotes ("15"): plugins read such values as numbers too, and apps
 * written before keys were declared quote versions. */
static bool quoted_int(const json_t *j)
{
    const char *s = json_string_value(j);
    if (s == NULL || *s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
    }
    return true;
}

static bool type_ok(exo_config_type_t type, const exo_ynode_t *v)
{
    if (type == EXO_CONFIG_MAP) {
        return v->kind == EXO_YNODE_MAP;
    }
    if (type == EXO_CONFIG_STRINGS) {
        for (size_t i = 0; v->kind == EXO_YNODE_SEQ && i < v->n; i++) {
            if (v->items[i]->kind != EXO_YNODE_SCALAR) {
                return false;
            }
        }
        return v->kind == EXO_YNODE_SEQ;
    }
    if (v->kind != EXO_YNODE_SCALAR) {
        return false;
    }
    json_t *j = exo_ynode_to_json(v);
    bool ok = type == EXO_CONFIG_STRING ||
              (type == EXO_CONFIG_INT && (json_is_integer(j) || quoted_int(j))) ||
              (type == EXO_CONFIG_BOOL && json_is_boolean(j)) ||
              (type == EXO_CONFIG_NUMBER && json_is_number(j)) ||
              (type == EXO_CONFIG_SIZE && looks_like_size(v, j));
    json_decref(j);
    return ok;
}

static const char *type_words(exo_config_type_t type)
{
    switch (type) {
    case EXO_CONFIG_STRING:
        return "a single value (string)";
    case EXO_CONFIG_INT:
        return "a whole number (int)";
    case EXO_CONFIG_BOOL:
        return "true or false (bool)";
    case EXO_CONFIG_NUMBER:
        return "a number (number)";
    case EXO_CONFIG_SIZE:
        return "a size such as 512m or a number of bytes (size)";
    case EXO_CONFIG_STRINGS:
        return "a list of values (strings)";
    default:
        return "a map of keys (map)";
    }
}

/* Every key of @p map (but those in @p skip) against @p ks: declared, and of its type. An
 * empty value means "not set" and fits every type. */
static void check_block(ctx_t *c, const char *file, const char *where, const exo_ynode_t *map,
                        const keyset_t *ks, const char *const *skip)
{
    exo_strv_t known = {0};
    key_names(ks, &known);
    for (size_t i = 0; map != NULL && i < map->n; i++) {
        const exo_ynode_t *key = map->pairs[i].key;
        const exo_ynode_t *val = map->pairs[i].value;
        bool skipped = false;
        for (size_t k = 0; skip != NULL && skip[k] != NULL && !skipped; k++) {
            skipped = strcmp(skip[k], key->value) == 0;
        }
        const exo_config_key_t *decl = skipped ? NULL : find_key(ks, key->value);
        if (skipped || (decl != NULL && (exo_ynode_is_null(val) || type_ok(decl->type, val)))) {
            continue;
        }
        if (decl == NULL) {
            unknown(c, file, key, where, &known, ks->owner);
            continue;
        }
        /* A secret's value is never echoed, not even a wrong one. */
        char *what = val->kind != EXO_YNODE_SCALAR ? exo_xstrdup(exo_ynode_kind_name(val))
                     : decl->flags & EXO_CONFIG_SECRET ? exo_xstrdup("the value given")
                                                         : exo_strdupf("'%s'", val->value);
        exo_diag_error(c->diag, file, val->line, val->column, "%s.%s must be %s, not %s",
                       where, key->value, type_words(decl->type), what);
        free(what);
        c->errors++;
    }
    exo_strv_free(&known);
}

/* Required keys of @p table that @p have (a JSON object; may be NULL) lacks, reported at
 * @p file:@p line:@p col. */
static void check_required(ctx_t *c, const char *file, int line, int col, const char *where,
                           const exo_config_key_t *table, const json_t *have, const char *owner)
{
    for (const exo_config_key_t *k = table; k->name != NULL; k++) {
        const json_t *v = json_object_get(have, k->name);
        if ((k->flags & EXO_CONFIG_REQUIRED) && (v == NULL || json_is_null(v))) {
            exo_diag_error(c->diag, file, line, col, "%s is missing '%s', which %s requires%s%s",
                           where, k->name, owner, k->doc ? ": " : "", k->doc ? k->doc : "");
            c->errors++;
        }
    }
}

/* ---- the app's blocks ---- */

static void check_resources(ctx_t *c)
{
    static const char *const core_keys[] = {"type", "deploy-url", NULL};
    for (size_t i = 0; i < c->app->n_resources; i++) {
        const exo_resource_t *r = &c->app->resources[i];
        char *where = exo_strdupf("resources.%s", r->name);
        const exo_plugin_t *p = exo_registry_find(c->reg, EXO_KIND_RESOURCE, r->type);
        if (p == NULL) {
            char *names = exo_registry_names(c->reg, EXO_KIND_RESOURCE);
            exo_diag_warning(c->diag, c->app->file, r->line, r->column,
                             "%s: its keys are not checked: no working resource plugin '%s' is "
                             "installed (installed: %s)%s", where, r->type,
                             names[0] ? names : "none", exo_registry_skipped_note(c->reg));
            free(names);
        } else if (p->config == NULL) {
            exo_debug("%s is not checked: resource plugin %s declares no keys", where, p->name);
        } else {
            keyset_t ks = {.tables = {p->config}, .n = 1,
                           .owner = exo_strdupf("resource plugin %s", p->name)};
            check_block(c, c->app->file, where, r->node, &ks, core_keys);
            check_required(c, c->app->file, r->line, r->column, where, p->config, r->config,
                           ks.owner);
            free(ks.owner);
        }
        free(where);
    }
}

/* Backends whose config_section is @p section (every working backend when NULL) into @p ks.
 * Returns false when one of them declares no keys, so the block cannot be checked. */
static bool backends_for(ctx_t *c, const char *section, keyset_t *ks)
{
    bool all_declared = true;
    exo_buf_t owner = {0};
    exo_buf_puts(&owner, "backend ");
    for (size_t i = 0; i < exo_registry_count(c->reg); i++) {
        const exo_plugin_t *p = exo_registry_at(c->reg, i);
        if (!p->ok || p->kind != EXO_KIND_BACKEND ||
            (section != NULL &&
             (p->config_section == NULL || strcmp(p->config_section, section) != 0))) {
            continue;
        }
        if (p->config == NULL) {
            exo_debug("backend %s declares no keys: %s is not checked", p->name,
                      section ? section : "services.<role>.options");
            all_declared = false;
        } else if (ks->n < sizeof ks->tables / sizeof ks->tables[0]) {
            exo_buf_printf(&owner, "%s%s", ks->n ? " or " : "", p->name);
            ks->tables[ks->n++] = p->config;
        } else {
            all_declared = false; /* more backends than a keyset holds: do not guess */
        }
    }
    ks->owner = owner.data;
    return all_declared;
}

/* A section no backend claims is an unknown key of service.yml: hint over the core's keys
 * and the sections installed backends read. */
static void unclaimed_section(ctx_t *c, const exo_service_t *s, const exo_block_t *b)
{
    exo_strv_t known = {0};
    for (size_t k = 0; exo_service_core_keys[k] != NULL; k++) {
        exo_strv_push(&known, exo_service_core_keys[k]);
    }
    for (size_t i = 0; i < exo_registry_count(c->reg); i++) {
        const exo_plugin_t *p = exo_registry_at(c->reg, i);
        if (p->ok && p->kind == EXO_KIND_BACKEND && p->config_section != NULL &&
            !exo_strv_contains(&known, p->config_section)) {
            exo_strv_push(&known, p->config_section);
        }
    }
    const char *near = exo_closest(b->key->value, (const char *const *)known.v, known.n);
    if (near != NULL) {
        exo_diag_error(c->diag, s->file, b->key->line, b->key->column,
                       "unknown key '%s' in service.yml; did you mean '%s'?", b->key->value,
                       near);
    } else {
        exo_buf_t list = {0};
        for (size_t i = 0; i < known.n; i++) {
            exo_buf_printf(&list, "%s%s", i ? ", " : "", known.v[i]);
        }
        exo_diag_error(c->diag, s->file, b->key->line, b->key->column,
                       "unknown key '%s' in service.yml: no installed backend reads a section "
                       "of that name (known keys: %s)", b->key->value, list.data);
        exo_buf_free(&list);
    }
    c->errors++;
    exo_strv_free(&known);
}

static void check_sections(ctx_t *c, const exo_service_t *s)
{
    for (size_t i = 0; i < s->n_sections; i++) {
        const exo_block_t *b = &s->sections[i];
        keyset_t ks = {0};
        bool declared = backends_for(c, b->key->value, &ks);
        if (ks.n == 0 && declared) {
            keyset_t all = {0};
            /* A backend that declares nothing may read any section: then none is unknown. */
            if (backends_for(c, NULL, &all)) {
                unclaimed_section(c, s, b);
            }
            free(all.owner);
        } else if (declared) {
            check_block(c, s->file, b->key->value, b->map, &ks, NULL);
        }
        free(ks.owner);
    }
}

static bool file_seen_before(const exo_app_t *app, const exo_service_t *s)
{
    for (const exo_service_t *o = app->services; o < s; o++) {
        if (o->file != NULL && s->file != NULL && strcmp(o->file, s->file) == 0) {
            return true;
        }
    }
    return false;
}

static void check_service(ctx_t *c, const exo_service_t *s)
{
    const char *name = s->backend ? s->backend : c->app->backend;
    const exo_plugin_t *be = exo_registry_find(c->reg, EXO_KIND_BACKEND, name);
    char *where = exo_strdupf("services.%s", s->role);
    if (be == NULL) {
        exo_diag_warning(c->diag, c->app->file, s->line, s->column,
                         "%s: its backend settings are not checked: no working backend '%s' "
                         "is installed%s", where, name, exo_registry_skipped_note(c->reg));
        free(where);
        return;
    }
    if (!file_seen_before(c->app, s)) {
        check_sections(c, s);
    }
    keyset_t ks = {0};
    if (s->options.map != NULL && backends_for(c, NULL, &ks)) {
        char *w = exo_strdupf("%s.options", where);
        check_block(c, c->app->file, w, s->options.map, &ks, NULL);
        free(w);
    }
    free(ks.owner);
    if (be->config != NULL) {
        json_t *settings = exo_service_settings(s, be->config_section);
        char *owner = exo_strdupf("backend %s", be->name);
        check_required(c, c->app->file, s->line, s->column, where, be->config, settings, owner);
        free(owner);
        json_decref(settings);
    }
    free(where);
}

/* The frontend plugin a frontend's type names is not there: an error naming the installed
 * ones (a warning when the app's own plugins were not opened: it may be one of them). */
static void missing_frontend(ctx_t *c, const exo_service_t *s)
{
    const exo_frontend_t *f = s->frontend;
    exo_strv_t found = {0};
    for (size_t i = 0; i < exo_registry_count(c->reg); i++) {
        const exo_plugin_t *p = exo_registry_at(c->reg, i);
        if (p->ok && p->kind == EXO_KIND_FRONTEND && !exo_strv_contains(&found, p->name)) {
            exo_strv_push(&found, p->name);
        }
    }
    const char *near = exo_closest(f->type, (const char *const *)found.v, found.n);
    char *list = exo_registry_names(c->reg, EXO_KIND_FRONTEND);
    const char *note = exo_registry_skipped_note(c->reg);
    bool maybe_app_plugin = note[0] != '\0';
    exo_diag_add(
        c->diag, maybe_app_plugin ? EXO_SEV_WARNING : EXO_SEV_ERROR, c->app->file, f->type_pos.line, f->type_pos.column,
        "frontends.%s: no working frontend plugin '%s' is installed (installed: %s%s%s%s); "
        "'exo plugins' shows every plugin and why one failed to load%s", s->role, f->type,
        list[0] ? list : "none", near ? "; did you mean '" : "", near ? near : "",
        near ? "'?" : "", note);
    c->errors += !maybe_app_plugin;
    free(list);
    exo_strv_free(&found);
}

/* frontends.<role>: the core's keys are the model's; every other key is the frontend
 * plugin's. An unknown key is hinted over both. */
static void check_frontend(ctx_t *c, const exo_service_t *s)
{
    const exo_frontend_t *f = s->frontend;
    if (f->type == NULL) {
        return; /* the model said so */
    }
    const exo_plugin_t *p = exo_registry_find(c->reg, EXO_KIND_FRONTEND, f->type);
    if (p == NULL) {
        missing_frontend(c, s);
        return;
    }
    char *where = exo_strdupf("frontends.%s", s->role);
    static exo_config_key_t core[16];
    if (core[0].name == NULL) {
        for (size_t i = 0; exo_frontend_core_keys[i] != NULL && i + 1 < 16; i++) {
            core[i] = (exo_config_key_t){.name = exo_frontend_core_keys[i],
                                         .type = EXO_CONFIG_STRING};
        }
    }
    static const exo_config_key_t none[] = {{.name = NULL}};
    keyset_t ks = {.tables = {core, p->config != NULL ? p->config : none}, .n = 2,
                   .owner = exo_strdupf("a frontend of type %s", p->name)};
    if (p->config == NULL) {
        exo_debug("%s is not checked: frontend plugin %s declares no keys", where, p->name);
    } else {
        check_block(c, c->app->file, where, f->node, &ks, exo_frontend_core_keys);
        check_required(c, c->app->file, s->line, s->column, where, p->config, f->config,
                       ks.owner);
    }
    free(ks.owner);
    free(where);
}

static void check_bus(ctx_t *c)
{
    const exo_app_t *app = c->app;
    const exo_ypair_t *bus = exo_ynode_pair(app->yaml, "bus");
    const exo_ynode_t *at = bus != NULL ? bus->key : NULL;
    const exo_plugin_t *p = exo_registry_find(c->reg, EXO_KIND_TRANSPORT, app->bus_transport);
    if (p == NULL) {
        if (app->bus_config != NULL) {
            exo_diag_warning(c->diag, app->file, at ? at->line : 0, at ? at->column : 0,
                             "bus: its keys are not checked: no working transport plugin '%s' "
                             "is installed%s", app->bus_transport,
                             exo_registry_skipped_note(c->reg));
        }
        return;
    }
    if (p->config == NULL) {
        exo_debug("bus is not checked: transport %s declares no keys", p->name);
        return;
    }
    keyset_t ks = {.tables = {p->config}, .n = 1,
                   .owner = exo_strdupf("transport %s", p->name)};
    check_block(c, app->file, "bus", app->bus_node, &ks, exo_bus_core_keys);
    check_required(c, app->file, at ? at->line : 0, at ? at->column : 0, "bus", p->config,
                   app->bus_config, ks.owner);
    free(ks.owner);
}

size_t exo_settings_check_app(const exo_app_t *app, const exo_registry_t *reg, exo_diag_t *diag)
{
    ctx_t c = {.app = app, .reg = reg, .diag = diag};
    check_resources(&c);
    for (size_t i = 0; i < app->n_services; i++) {
        if (app->services[i].frontend != NULL) {
            check_frontend(&c, &app->services[i]);
        } else {
            check_service(&c, &app->services[i]);
        }
    }
    check_bus(&c);
    return c.errors;
}

json_t *exo_settings_keys_json(const exo_plugin_t *p)
{
    if (p->config == NULL) {
        return NULL;
    }
    json_t *arr = json_array();
    for (const exo_config_key_t *k = p->config; k->name != NULL; k++) {
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:b}", "name", k->name, "type",
                           exo_config_type_name((int)k->type), "default", k->default_value,
                           "doc", k->doc, "required", (k->flags & EXO_CONFIG_REQUIRED) != 0,
                           "secret", (k->flags & EXO_CONFIG_SECRET) != 0));
    }
    return arr;
}
