/*
 * core/model/app.c - application.yml and service.yml into the app model (core/model/app.h).
 *
 * Validation keeps going after an error so that the user sees every mistake at once: each
 * check reports to the diag collector and leaves the field at its default. The YAML trees stay
 * alive until the cross-checks (roles, resources, translations, dependency cycles) have run,
 * so those can point at the exact list item too; the app then keeps them, so that the plugin
 * blocks it holds raw (backend sections, options, resources, the transport's bus keys) can be
 * checked with positions once the plugins are known (core/plugins/settings.c).
 * docs/configuration.md documents the schema.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/util.h"
#include "yamlnode.h"

#define NAME_MAX_LEN 63

typedef struct mctx {
    exo_diag_t *diag;
    const char *file;
} mctx_t;

static void err_at(mctx_t *c, const exo_ynode_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void err_at(mctx_t *c, const exo_ynode_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = exo_vstrdupf(fmt, ap);
    va_end(ap);
    exo_diag_error(c->diag, c->file, n ? n->line : 0, n ? n->column : 0, "%s", msg);
    free(msg);
}

static size_t count_words(const char *const *words)
{
    size_t n = 0;
    while (words[n] != NULL) {
        n++;
    }
    return n;
}

static void unknown_key(mctx_t *c, const exo_ynode_t *key, const char *where,
                        const char *const *known)
{
    size_t nk = count_words(known);
    const char *near = exo_closest(key->value, known, nk);
    if (near != NULL) {
        err_at(c, key, "unknown key '%s' in %s; did you mean '%s'?", key->value, where, near);
        return;
    }
    exo_buf_t b = {0};
    for (size_t k = 0; k < nk; k++) {
        exo_buf_printf(&b, "%s%s", k ? ", " : "", known[k]);
    }
    err_at(c, key, "unknown key '%s' in %s (known keys: %s)", key->value, where, b.data);
    exo_buf_free(&b);
}

static bool is_known(const char *key, const char *const *known)
{
    for (size_t k = 0; known[k] != NULL; k++) {
        if (strcmp(key, known[k]) == 0) {
            return true;
        }
    }
    return false;
}

static void check_keys(mctx_t *c, const exo_ynode_t *map, const char *where,
                       const char *const *known)
{
    for (size_t i = 0; i < map->n; i++) {
        if (!is_known(map->pairs[i].key->value, known)) {
            unknown_key(c, map->pairs[i].key, where, known);
        }
    }
}

/* The value of @p key, or NULL when it is missing or empty (`key:` or `key: ~`). */
static const exo_ynode_t *opt(const exo_ynode_t *map, const char *key)
{
    const exo_ynode_t *v = exo_ynode_get(map, key);
    return exo_ynode_is_null(v) ? NULL : v;
}

static bool want_map(mctx_t *c, const exo_ynode_t *n, const char *what)
{
    if (n->kind != EXO_YNODE_MAP) {
        err_at(c, n, "%s must be a map of keys, not %s", what, exo_ynode_kind_name(n));
        return false;
    }
    return true;
}

static bool want_seq(mctx_t *c, const exo_ynode_t *n, const char *what)
{
    if (n->kind != EXO_YNODE_SEQ) {
        err_at(c, n, "%s must be a list, not %s", what, exo_ynode_kind_name(n));
        return false;
    }
    return true;
}

static bool want_scalar(mctx_t *c, const exo_ynode_t *n, const char *what)
{
    if (n->kind != EXO_YNODE_SCALAR) {
        err_at(c, n, "%s must be a single value, not %s", what, exo_ynode_kind_name(n));
        return false;
    }
    return true;
}

/* Optional string @p key of @p map into *out (left alone when absent or invalid). */
static const exo_ynode_t *get_str(mctx_t *c, const exo_ynode_t *map, const char *key,
                                  const char *what, char **out)
{
    const exo_ynode_t *v = opt(map, key);
    if (v == NULL || !want_scalar(c, v, what)) {
        return NULL;
    }
    free(*out);
    *out = exo_xstrdup(v->value);
    return v;
}

/* ---- name and value syntax ---- */

static bool in_class(char ch, const char *cls)
{
    /* cls: "a" lowercase, "A" uppercase, "0" digits, anything else literal */
    for (; *cls; cls++) {
        if ((*cls == 'a' && ch >= 'a' && ch <= 'z') || (*cls == 'A' && ch >= 'A' && ch <= 'Z') ||
            (*cls == '0' && ch >= '0' && ch <= '9') ||
            (*cls != 'a' && *cls != 'A' && *cls != '0' && ch == *cls)) {
            return true;
        }
    }
    return false;
}

static bool name_ok(const char *s, const char *first, const char *rest, size_t max)
{
    size_t len = strlen(s);
    if (len == 0 || len > max || !in_class(s[0], first)) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!in_class(s[i], rest)) {
            return false;
        }
    }
    return true;
}

static bool is_app_name(const char *s)
{
    return name_ok(s, "aA0", "aA0_-", NAME_MAX_LEN);
}

static bool is_role_name(const char *s)
{
    return name_ok(s, "a", "a0-", NAME_MAX_LEN);
}

static bool is_resource_name(const char *s)
{
    return name_ok(s, "a", "a0_", NAME_MAX_LEN);
}

static bool is_plugin_name(const char *s)
{
    return name_ok(s, "a0_-", "a0_-", NAME_MAX_LEN);
}

static bool is_env_name(const char *s)
{
    return name_ok(s, "aA_", "aA0_", 255);
}

/* Non-empty valid UTF-8 without control characters (C0, DEL, C1). */
static bool is_message_name(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (*p == '\0') {
        return false;
    }
    while (*p) {
        unsigned cp;
        int extra;
        if (*p < 0x80) {
            cp = *p;
            extra = 0;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            extra = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            extra = 2;
        } else if ((*p & 0xF8) == 0xF0) {
            cp = *p & 0x07;
            extra = 3;
        } else {
            return false;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (*p & 0x3F);
        }
        static const unsigned min_cp[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            return false;
        }
    }
    return true;
}

static bool is_version(const char *s)
{
    for (int part = 0; part < 3; part++) {
        if (!(*s >= '0' && *s <= '9')) {
            return false;
        }
        while (*s >= '0' && *s <= '9') {
            s++;
        }
        if (part < 2 && *s++ != '.') {
            return false;
        }
    }
    return *s == '\0';
}

/* Decimal digits only, into *out, refusing values above @p max. */
static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!(*s >= '0' && *s <= '9')) {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || v > max) {
        return false;
    }
    *out = v;
    return *end == '\0';
}

/* NUMBER followed by an optional unit (with optional space) from @p units. */
static bool parse_with_unit(const char *s, const char *const *units, const unsigned long long *mul,
                            unsigned long long dflt_mul, unsigned long long max,
                            unsigned long long *out)
{
    if (!(*s >= '0' && *s <= '9')) {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0) {
        return false;
    }
    while (*end == ' ') {
        end++;
    }
    unsigned long long m = dflt_mul;
    if (*end != '\0') {
        size_t i = 0;
        while (units[i] != NULL && strcmp(end, units[i]) != 0) {
            i++;
        }
        if (units[i] == NULL) {
            return false;
        }
        m = mul[i];
    }
    if (v != 0 && m > max / v) {
        return false;
    }
    if (v * m > max) {
        return false;
    }
    *out = v * m;
    return true;
}

static bool parse_duration_ms(const char *s, unsigned *ms)
{
    static const char *const units[] = {"ms", "s", "m", "h", NULL};
    static const unsigned long long mul[] = {1, 1000, 60000, 3600000};
    unsigned long long v;
    if (!parse_with_unit(s, units, mul, 1, UINT_MAX, &v)) {
        return false;
    }
    *ms = (unsigned)v;
    return true;
}

static bool parse_size(const char *s, size_t *bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", NULL};
    static const unsigned long long mul[] = {1, 1024, 1024 * 1024, 1024ULL * 1024 * 1024};
    unsigned long long v;
    if (!parse_with_unit(s, units, mul, 1, 4ULL * 1024 * 1024 * 1024, &v) || v == 0) {
        return false;
    }
    *bytes = (size_t)v;
    return true;
}

/* ---- composite values ---- */

typedef bool (*name_check_fn)(const char *);

/* A list of names: every item a single value passing @p check (described by @p kind),
 * no item twice. */
static void get_list(mctx_t *c, const exo_ynode_t *map, const char *key, const char *what,
                     name_check_fn check, const char *kind, char ***out, size_t *n,
                     exo_pos_t **pos)
{
    const exo_ynode_t *v = opt(map, key);
    if (v == NULL || !want_seq(c, v, what)) {
        return;
    }
    *out = exo_xcalloc(v->n ? v->n : 1, sizeof **out);
    if (pos != NULL) {
        *pos = exo_xcalloc(v->n ? v->n : 1, sizeof **pos);
    }
    for (size_t i = 0; i < v->n; i++) {
        const exo_ynode_t *it = v->items[i];
        if (!want_scalar(c, it, "each item of a list of names")) {
            continue;
        }
        if (!check(it->value)) {
            err_at(c, it, "'%s' in %s is not a valid %s", it->value, what, kind);
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < *n && !dup; j++) {
            dup = strcmp((*out)[j], it->value) == 0;
        }
        if (dup) {
            err_at(c, it, "'%s' is listed twice in %s", it->value, what);
            continue;
        }
        if (pos != NULL) {
            (*pos)[*n].line = it->line;
            (*pos)[*n].column = it->column;
        }
        (*out)[(*n)++] = exo_xstrdup(it->value);
    }
}

/* env: NAME: scalar | {secret: scalar}. */
static void get_env(mctx_t *c, const exo_ynode_t *map, const char *what, exo_kv_t **out,
                    size_t *n)
{
    const exo_ynode_t *v = opt(map, "env");
    if (v == NULL || !want_map(c, v, what)) {
        return;
    }
    *out = exo_xcalloc(v->n ? v->n : 1, sizeof **out);
    for (size_t i = 0; i < v->n; i++) {
        const exo_ynode_t *k = v->pairs[i].key;
        const exo_ynode_t *val = v->pairs[i].value;
        if (!is_env_name(k->value)) {
            err_at(c, k, "'%s' is not a valid environment variable name: use letters, digits "
                   "and '_', not starting with a digit", k->value);
            continue;
        }
        bool secret = false;
        if (val->kind == EXO_YNODE_MAP) {
            static const char *const secret_keys[] = {"secret", NULL};
            size_t before = c->diag->errors;
            check_keys(c, val, "an env value", secret_keys);
            const exo_ynode_t *sv = exo_ynode_get(val, "secret");
            if (sv == NULL) {
                if (c->diag->errors == before) {
                    err_at(c, val, "env %s must be a value or {secret: VALUE}", k->value);
                }
                continue;
            }
            val = sv;
            secret = true;
        }
        if (val->kind != EXO_YNODE_SCALAR) {
            err_at(c, val, "env %s must be a string, number or boolean (or {secret: VALUE}), "
                   "not %s", k->value, exo_ynode_kind_name(val));
            continue;
        }
        exo_kv_t *kv = &(*out)[(*n)++];
        kv->name = exo_xstrdup(k->value);
        kv->value = exo_xstrdup(exo_ynode_is_null(val) ? "" : val->value);
        kv->secret = secret;
    }
}

static const exo_ynode_t *get_uint(mctx_t *c, const exo_ynode_t *map, const char *key,
                                   const char *what, unsigned long long min,
                                   unsigned long long max, unsigned long long *out)
{
    const exo_ynode_t *v = opt(map, key);
    if (v == NULL || !want_scalar(c, v, what)) {
        return NULL;
    }
    unsigned long long x;
    if (!parse_uint(v->value, max, &x) || x < min) {
        err_at(c, v, "%s must be a whole number from %llu to %llu, not '%s'", what, min, max,
               v->value);
        return NULL;
    }
    *out = x;
    return v;
}

static void get_duration(mctx_t *c, const exo_ynode_t *map, const char *key, const char *what,
                         unsigned *out)
{
    const exo_ynode_t *v = opt(map, key);
    if (v == NULL || !want_scalar(c, v, what)) {
        return;
    }
    if (!parse_duration_ms(v->value, out)) {
        err_at(c, v, "%s must be a duration such as 500ms, 5s, 2m or a number of "
               "milliseconds, not '%s'", what, v->value);
    }
}

/* ---- application.yml ---- */

static const char *const app_keys[] = {"name", "description", "version", "backend", "bus",
                                       "shutdown-grace", "log-max-size", "env", "resources",
                                       "services", "frontends", NULL};
const char *const exo_bus_core_keys[] = {"transport", "max-message-size", NULL};
static const char *const role_keys[] = {"location", "translations", "depends-on", "resources",
                                        "needs", "env", "backend", "restart", "max-restarts",
                                        "ready-timeout", "ready", "ready-settle", "options",
                                        "test-data", "public", "instances", NULL};
static const char *const translation_keys[] = {"public", "internal", NULL};
const char *const exo_frontend_core_keys[] = {"type", "public", "sends", "receives",
                                              "translations", "depends-on", "auth", "rate",
                                              "request-timeout", "max-message-size", NULL};
const char *const exo_service_core_keys[] = {"type", "description", "setup", "startup", "test",
                                             "messages", "port", "env", NULL};
static const char *const startup_keys[] = {"command", "online-text", NULL};
static const char *const messages_keys[] = {"sends", "receives", NULL};

/* What the loader keeps per role until the cross-checks ran. */
typedef struct role_src {
    const exo_ynode_t *key;       /* services.<role> key */
    const exo_ynode_t *entry;     /* its map (NULL when not a map) */
    const exo_ynode_t *ready;     /* the ready value node */
    bool svc_ok;                  /* service.yml was read (its lists are meaningful) */
} role_src_t;

static exo_block_t make_block(const exo_ypair_t *pair)
{
    exo_block_t b = {.key = pair->key};
    if (pair->value->kind == EXO_YNODE_MAP) {
        b.map = pair->value;
        b.json = exo_ynode_to_json(pair->value);
    }
    return b;
}

static void parse_translations(mctx_t *c, const exo_ynode_t *entry, exo_service_t *s,
                               const char *where)
{
    char what[160];
    snprintf(what, sizeof what, "%s.translations", where);
    const exo_ynode_t *v = opt(entry, "translations");
    if (v == NULL || !want_seq(c, v, what)) {
        return;
    }
    s->translations = exo_xcalloc(v->n ? v->n : 1, sizeof *s->translations);
    s->translations_pos = exo_xcalloc(v->n ? v->n : 1, sizeof *s->translations_pos);
    for (size_t i = 0; i < v->n; i++) {
        const exo_ynode_t *t = v->items[i];
        if (!want_map(c, t, "each translation")) {
            continue;
        }
        check_keys(c, t, "a translation", translation_keys);
        const exo_ynode_t *names[2] = {opt(t, "public"), opt(t, "internal")};
        static const char *const which[2] = {"public", "internal"};
        bool ok = true;
        for (int k = 0; k < 2; k++) {
            if (names[k] == NULL) {
                err_at(c, t, "translation is missing '%s': write {public: NAME, internal: NAME}",
                       which[k]);
                ok = false;
            } else if (!want_scalar(c, names[k], "a translation's name")) {
                ok = false;
            } else if (!is_message_name(names[k]->value)) {
                err_at(c, names[k], "'%s' is not a valid message name (non-empty, no control "
                       "characters)", names[k]->value);
                ok = false;
            }
        }
        if (!ok) {
            continue;
        }
        for (size_t j = 0; j < s->n_translations && ok; j++) {
            const exo_translation_t *o = &s->translations[j];
            if (strcmp(o->public_name, names[0]->value) == 0) {
                err_at(c, names[0], "duplicate translation: public name '%s' is already "
                       "translated at line %d", names[0]->value, s->translations_pos[j].line);
                ok = false;
            } else if (strcmp(o->internal_name, names[1]->value) == 0) {
                err_at(c, names[1], "duplicate translation: internal name '%s' is already "
                       "translated at line %d", names[1]->value, s->translations_pos[j].line);
                ok = false;
            }
        }
        if (!ok) {
            continue;
        }
        exo_translation_t *tr = &s->translations[s->n_translations];
        tr->public_name = exo_xstrdup(names[0]->value);
        tr->internal_name = exo_xstrdup(names[1]->value);
        s->translations_pos[s->n_translations].line = t->line;
        s->translations_pos[s->n_translations].column = t->column;
        s->n_translations++;
    }
}

static void parse_role(mctx_t *c, exo_service_t *s, role_src_t *src)
{
    char where[128], what[192];
    snprintf(where, sizeof where, "services.%s", s->role);
    const exo_ynode_t *e = src->entry;
    check_keys(c, e, where, role_keys);

    const exo_ynode_t *loc = opt(e, "location");
    if (loc == NULL) {
        err_at(c, src->key, "%s is missing 'location': the service's directory, relative to the "
               "app (e.g. location: ./%s)", where, s->role);
    } else if (want_scalar(c, loc, "location")) {
        s->location = exo_xstrdup(loc->value);
    }
    parse_translations(c, e, s, where);
    snprintf(what, sizeof what, "%s.depends-on", where);
    get_list(c, e, "depends-on", what, is_role_name, "role name", &s->depends_on,
             &s->n_depends_on, NULL);
    snprintf(what, sizeof what, "%s.resources", where);
    get_list(c, e, "resources", what, is_resource_name, "resource name", &s->resources,
             &s->n_resources, NULL);
    snprintf(what, sizeof what, "%s.needs", where);
    get_list(c, e, "needs", what, is_role_name, "role name", &s->needs, &s->n_needs, NULL);
    snprintf(what, sizeof what, "%s.env", where);
    get_env(c, e, what, &s->app_env, &s->n_app_env);
    snprintf(what, sizeof what, "%s.backend", where);
    const exo_ynode_t *b = get_str(c, e, "backend", what, &s->backend);
    if (b != NULL && !is_plugin_name(b->value)) {
        err_at(c, b, "'%s' is not a valid backend name (letters a-z, digits, '_' and '-')",
               b->value);
    }

    snprintf(what, sizeof what, "%s.restart", where);
    const exo_ynode_t *r = opt(e, "restart");
    if (r != NULL && want_scalar(c, r, what)) {
        if (strcmp(r->value, "no") == 0) {
            s->restart = EXO_RESTART_NO;
        } else if (strcmp(r->value, "on-failure") == 0) {
            s->restart = EXO_RESTART_ON_FAILURE;
        } else if (strcmp(r->value, "always") == 0) {
            s->restart = EXO_RESTART_ALWAYS;
        } else {
            err_at(c, r, "%s must be one of no, on-failure, always; not '%s'", what, r->value);
        }
    }
    unsigned long long mr;
    snprintf(what, sizeof what, "%s.max-restarts", where);
    if (get_uint(c, e, "max-restarts", what, 0, UINT_MAX, &mr) != NULL) {
        s->max_restarts = (unsigned)mr;
    }
    snprintf(what, sizeof what, "%s.ready-timeout", where);
    get_duration(c, e, "ready-timeout", what, &s->ready_timeout_ms);
    snprintf(what, sizeof what, "%s.ready-settle", where);
    get_duration(c, e, "ready-settle", what, &s->ready_settle_ms);
    const exo_ynode_t *settle = opt(e, "ready-settle");
    if (settle != NULL && s->ready_timeout_ms > 0 && s->ready_settle_ms >= s->ready_timeout_ms) {
        err_at(c, settle, "%s (%u ms) must be shorter than its ready-timeout (%u ms), or the "
               "service can never become ready", what, s->ready_settle_ms, s->ready_timeout_ms);
    } else if (settle == NULL && s->ready_timeout_ms > 0 &&
               s->ready_settle_ms >= s->ready_timeout_ms) {
        s->ready_settle_ms = s->ready_timeout_ms / 2; /* the default fits a short timeout */
    }
    unsigned long long inst;
    snprintf(what, sizeof what, "%s.instances", where);
    if (get_uint(c, e, "instances", what, 1, EXO_INSTANCES_MAX, &inst) != NULL) {
        s->instances = (unsigned)inst;
    }

    static const char *const ready_words[] = {"auto", "online-text", "port", "bus", "started",
                                              NULL};
    static const exo_ready_kind_t ready_kinds[] = {EXO_READY_AUTO, EXO_READY_ONLINE_TEXT,
                                                   EXO_READY_PORT, EXO_READY_BUS,
                                                   EXO_READY_STARTED};
    snprintf(what, sizeof what, "%s.ready", where);
    const exo_ynode_t *rd = opt(e, "ready");
    if (rd != NULL && want_scalar(c, rd, what)) {
        size_t i = 0;
        while (ready_words[i] != NULL && strcmp(ready_words[i], rd->value) != 0) {
            i++;
        }
        if (ready_words[i] == NULL) {
            const char *near = exo_closest(rd->value, ready_words, count_words(ready_words));
            err_at(c, rd, "%s must be one of auto, online-text, port, bus, started; not '%s'%s%s%s",
                   what, rd->value, near ? " (did you mean '" : "", near ? near : "",
                   near ? "'?)" : "");
        } else {
            s->ready = ready_kinds[i];
            src->ready = rd;
        }
    }
    snprintf(what, sizeof what, "%s.test-data", where);
    const exo_ynode_t *td = opt(e, "test-data");
    if (td != NULL && want_scalar(c, td, what)) {
        if (strcmp(td->value, "dev") == 0) {
            s->test_dev_data = true;
        } else if (strcmp(td->value, "fresh") != 0) {
            err_at(c, td, "%s must be fresh or dev, not '%s'", what, td->value);
        }
    }
    snprintf(what, sizeof what, "%s.public", where);
    exo_public_parse(opt(e, "public"), what, c->file, c->diag, &s->public_endpoint);
    snprintf(what, sizeof what, "%s.options", where);
    const exo_ypair_t *o = exo_ynode_pair(e, "options");
    if (o != NULL && !exo_ynode_is_null(o->value) && want_map(c, o->value, what)) {
        s->options = make_block(o);
    }
}

/* ---- frontends.<role> ---- */

/* auth: none | {ask: MESSAGE}. */
static void parse_frontend_auth(mctx_t *c, const exo_ynode_t *e, exo_frontend_t *f,
                                const char *where)
{
    const exo_ynode_t *a = opt(e, "auth");
    if (a == NULL || (a->kind == EXO_YNODE_SCALAR && strcmp(a->value, "none") == 0)) {
        return;
    }
    static const char *const auth_keys[] = {"ask", NULL};
    const exo_ynode_t *ask = a->kind == EXO_YNODE_MAP ? opt(a, "ask") : NULL;
    if (a->kind == EXO_YNODE_MAP) {
        char what[160];
        snprintf(what, sizeof what, "%s.auth", where);
        check_keys(c, a, what, auth_keys);
    }
    if (ask == NULL) {
        err_at(c, a, "%s.auth must be none (every client anonymous) or {ask: MESSAGE} (a "
               "service checks each client's credential), not %s", where,
               a->kind == EXO_YNODE_SCALAR ? a->value : exo_ynode_kind_name(a));
        return;
    }
    if (!want_scalar(c, ask, "auth.ask")) {
        return;
    }
    if (!is_message_name(ask->value)) {
        err_at(c, ask, "'%s' in %s.auth.ask is not a valid message name", ask->value, where);
        return;
    }
    f->auth = EXO_FRONTEND_AUTH_ASK;
    f->auth_ask = exo_xstrdup(ask->value);
    f->auth_pos = (exo_pos_t){ask->line, ask->column};
}

/* rate, request-timeout and max-message-size: the limits each client connection gets. */
static void parse_frontend_limits(mctx_t *c, const exo_app_t *app, const exo_ynode_t *e,
                                  exo_frontend_t *f, const char *where)
{
    char what[192];
    unsigned long long rate;
    snprintf(what, sizeof what, "%s.rate", where);
    if (get_uint(c, e, "rate", what, 1, EXO_FRONTEND_RATE_MAX, &rate) != NULL) {
        f->rate = (unsigned)rate;
    }
    snprintf(what, sizeof what, "%s.request-timeout", where);
    get_duration(c, e, "request-timeout", what, &f->request_timeout_ms);
    const exo_ynode_t *rt = opt(e, "request-timeout");
    if (rt != NULL && rt->kind == EXO_YNODE_SCALAR && f->request_timeout_ms == 0) {
        err_at(c, rt, "%s must be longer than 0 (e.g. 10s)", what);
        f->request_timeout_ms = EXO_FRONTEND_REQUEST_TIMEOUT_DEFAULT_MS;
    }
    snprintf(what, sizeof what, "%s.max-message-size", where);
    const exo_ynode_t *m = opt(e, "max-message-size");
    if (m == NULL || !want_scalar(c, m, what)) {
        return;
    }
    size_t size;
    if (!parse_size(m->value, &size)) {
        err_at(c, m, "%s must be a size such as 64KiB, 1MiB or a number of bytes, not '%s'",
               what, m->value);
    } else if (size > app->bus_max_message_size) {
        err_at(c, m, "%s (%zu bytes) is over the bus's max-message-size (%zu bytes): a client "
               "message must fit in a bus message; lower it or raise bus.max-message-size",
               what, size, app->bus_max_message_size);
    } else {
        f->max_message_size = size;
    }
}

/* A frontend's core keys (exo_frontend_core_keys); every other key is its plugin's, checked
 * once the plugins are known (core/plugins/settings.c). */
static void parse_frontend(mctx_t *c, const exo_app_t *app, exo_service_t *s, role_src_t *src)
{
    char where[128], what[192];
    snprintf(where, sizeof where, "frontends.%s", s->role);
    const exo_ynode_t *e = src->entry;
    exo_frontend_t *f = exo_xcalloc(1, sizeof *f);
    s->frontend = f;
    f->rate = EXO_FRONTEND_RATE_DEFAULT;
    f->request_timeout_ms = EXO_FRONTEND_REQUEST_TIMEOUT_DEFAULT_MS;
    f->max_message_size = EXO_FRONTEND_MAX_MESSAGE_DEFAULT < app->bus_max_message_size
                          ? EXO_FRONTEND_MAX_MESSAGE_DEFAULT : app->bus_max_message_size;
    f->config = exo_ynode_to_json(e);
    f->node = e;
    const exo_ynode_t *t = opt(e, "type");
    if (t == NULL) {
        err_at(c, src->key, "%s is missing 'type': the frontend plugin, e.g. type: websocket "
               "or type: http", where);
    } else if (want_scalar(c, t, "type")) {
        if (!is_plugin_name(t->value)) {
            err_at(c, t, "'%s' is not a valid frontend type (a-z, digits, '_' and '-')",
                   t->value);
        } else {
            f->type = exo_xstrdup(t->value);
            f->type_pos = (exo_pos_t){t->line, t->column};
        }
    }
    snprintf(what, sizeof what, "%s.sends", where);
    get_list(c, e, "sends", what, is_message_name, "message name", &s->sends, &s->n_sends,
             &s->sends_pos);
    snprintf(what, sizeof what, "%s.receives", where);
    get_list(c, e, "receives", what, is_message_name, "message name", &s->receives,
             &s->n_receives, &s->receives_pos);
    parse_translations(c, e, s, where);
    snprintf(what, sizeof what, "%s.depends-on", where);
    get_list(c, e, "depends-on", what, is_role_name, "role name", &s->depends_on,
             &s->n_depends_on, NULL);
    snprintf(what, sizeof what, "%s.public", where);
    exo_public_parse(opt(e, "public"), what, c->file, c->diag, &s->public_endpoint);
    parse_frontend_auth(c, e, f, where);
    parse_frontend_limits(c, app, e, f, where);
    /* It runs as `exo frontend ROLE` in the app's directory, ready when it says so. */
    s->dir = exo_xstrdup(app->dir);
    s->file = exo_xstrdup(app->file);
    s->online_text = exo_strdupf("%s online", s->role);
    s->ready = EXO_READY_ONLINE_TEXT;
    src->svc_ok = true; /* its lists are its block's: the cross-checks apply */
}

/* service.yml's keys beyond the core's are backend sections, kept raw for the plugins, which
 * check them (core/plugins/settings.c). A section is a map of keys (or empty), so a single
 * value or a list under an unknown key is a mistake the core can report by itself. */
static void keep_sections(mctx_t *c, exo_service_t *s, const exo_ynode_t *root)
{
    s->sections = exo_xcalloc(root->n ? root->n : 1, sizeof *s->sections);
    for (size_t i = 0; i < root->n; i++) {
        const exo_ypair_t *p = &root->pairs[i];
        if (is_known(p->key->value, exo_service_core_keys)) {
            continue;
        }
        if (p->value->kind != EXO_YNODE_MAP && !exo_ynode_is_null(p->value)) {
            unknown_key(c, p->key, "service.yml", exo_service_core_keys);
            continue;
        }
        s->sections[s->n_sections++] = make_block(p);
    }
}

static void parse_service_yml(mctx_t *c, exo_service_t *s, const exo_ynode_t *root)
{
    if (!want_map(c, root, "service.yml")) {
        return;
    }
    keep_sections(c, s, root);
    get_str(c, root, "type", "type", &s->type);
    get_str(c, root, "description", "description", &s->description);
    get_str(c, root, "setup", "setup", &s->setup);
    get_str(c, root, "test", "test", &s->test);
    const exo_ynode_t *st = opt(root, "startup");
    if (st != NULL && want_map(c, st, "startup")) {
        check_keys(c, st, "startup", startup_keys);
        get_str(c, st, "command", "startup.command", &s->startup_command);
        get_str(c, st, "online-text", "startup.online-text", &s->online_text);
    }
    const exo_ynode_t *m = opt(root, "messages");
    if (m != NULL && want_map(c, m, "messages")) {
        check_keys(c, m, "messages", messages_keys);
        get_list(c, m, "sends", "messages.sends", is_message_name, "message name", &s->sends,
                 &s->n_sends, &s->sends_pos);
        get_list(c, m, "receives", "messages.receives", is_message_name, "message name",
                 &s->receives, &s->n_receives, &s->receives_pos);
    }
    unsigned long long port;
    if (get_uint(c, root, "port", "port", 1, 65535, &port) != NULL) {
        s->port = (unsigned)port;
    }
    get_env(c, root, "env", &s->env, &s->n_env);
}

static void load_service_dir(mctx_t *c, const exo_app_t *app, exo_service_t *s,
                             role_src_t *src)
{
    const exo_ynode_t *loc = opt(src->entry, "location");
    char *path = s->location[0] == '/' ? exo_xstrdup(s->location)
                                       : exo_path_join(app->dir, s->location);
    char *real = realpath(path, NULL);
    if (real == NULL) {
        err_at(c, loc, "service location '%s' does not exist (looked for %s)", s->location, path);
        free(path);
        return;
    }
    free(path);
    if (!exo_path_is_dir(real)) {
        err_at(c, loc, "service location '%s' is not a directory", s->location);
        free(real);
        return;
    }
    s->dir = real;
    s->file = exo_path_join(real, "service.yml");
    if (!exo_path_is_file(s->file)) {
        err_at(c, loc, "service location '%s' has no service.yml; create %s", s->location,
               s->file);
        return;
    }
    /* Roles may share a location; report that service.yml's problems only once. */
    bool seen = false;
    for (const exo_service_t *o = app->services; o < s && !seen; o++) {
        seen = o->file != NULL && strcmp(o->file, s->file) == 0;
    }
    exo_diag_t scratch;
    exo_diag_init(&scratch);
    exo_diag_t *diag = seen ? &scratch : c->diag;
    s->yaml = exo_yaml_load(s->file, diag);
    if (s->yaml != NULL) {
        mctx_t sc = {.diag = diag, .file = s->file};
        parse_service_yml(&sc, s, s->yaml);
        src->svc_ok = true;
    }
    exo_diag_free(&scratch);
}

static const exo_ynode_t *seq_item_named(const exo_ynode_t *seq, const char *name)
{
    for (size_t i = 0; seq != NULL && seq->kind == EXO_YNODE_SEQ && i < seq->n; i++) {
        if (seq->items[i]->kind == EXO_YNODE_SCALAR && strcmp(seq->items[i]->value, name) == 0) {
            return seq->items[i];
        }
    }
    return NULL;
}

static bool in_list(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i], s) == 0) {
            return true;
        }
    }
    return false;
}

static ptrdiff_t role_index(const exo_app_t *app, const char *role)
{
    for (size_t i = 0; i < app->n_services; i++) {
        if (strcmp(app->services[i].role, role) == 0) {
            return (ptrdiff_t)i;
        }
    }
    return -1;
}

/* Depth-first search over depends-on; a back edge closes a cycle, reported once at the
 * depends-on item that closes it. */
static void find_cycles(mctx_t *c, const exo_app_t *app, role_src_t *srcs, size_t at,
                        int *state, size_t *stack, size_t depth)
{
    state[at] = 1;
    stack[depth] = at;
    const exo_service_t *s = &app->services[at];
    for (size_t i = 0; i < s->n_depends_on; i++) {
        ptrdiff_t to = role_index(app, s->depends_on[i]);
        if (to < 0) {
            continue;
        }
        if (state[to] == 1) {
            exo_buf_t b = {0};
            size_t from = 0;
            while (stack[from] != (size_t)to) {
                from++;
            }
            for (size_t k = from; k <= depth; k++) {
                exo_buf_printf(&b, "%s -> ", app->services[stack[k]].role);
            }
            exo_buf_puts(&b, app->services[to].role);
            const exo_ynode_t *item =
                seq_item_named(exo_ynode_get(srcs[at].entry, "depends-on"), s->depends_on[i]);
            err_at(c, item, "dependency cycle: %s; remove one of these depends-on entries",
                   b.data);
            exo_buf_free(&b);
        } else if (state[to] == 0) {
            find_cycles(c, app, srcs, (size_t)to, state, stack, depth + 1);
        }
    }
    state[at] = 2;
}

/* Where a role is declared in application.yml. */
static const char *role_section(const exo_service_t *s)
{
    return s->frontend != NULL ? "frontends" : "services";
}

/* A public role listens on its public port unless service.yml says which; no two roles
 * may pin the same host port. */
static void check_public(mctx_t *c, exo_app_t *app, exo_service_t *s, bool svc_ok)
{
    const exo_public_t *p = &s->public_endpoint;
    if (p->port == 0) {
        return;
    }
    if (svc_ok && s->port == 0) {
        s->port = p->port;
    }
    for (const exo_service_t *o = app->services; o < s; o++) {
        if (o->public_endpoint.port == p->port) {
            exo_diag_error(c->diag, c->file, p->line, p->column, "%s.%s.public: port %u "
                           "is already public for %s.%s (line %d); give each role its "
                           "own port", role_section(s), s->role, p->port, role_section(o),
                           o->role, o->public_endpoint.line);
            return;
        }
    }
}

static void cross_check(mctx_t *c, exo_app_t *app, role_src_t *srcs)
{
    for (size_t i = 0; i < app->n_services; i++) {
        exo_service_t *s = &app->services[i];
        const exo_ynode_t *e = srcs[i].entry;
        if (e == NULL) {
            continue;
        }
        for (size_t k = 0; k < s->n_depends_on; k++) {
            if (role_index(app, s->depends_on[k]) < 0) {
                err_at(c, seq_item_named(exo_ynode_get(e, "depends-on"), s->depends_on[k]),
                       "%s.%s.depends-on: there is no role '%s' in services%s",
                       role_section(s), s->role, s->depends_on[k],
                       app->n_frontends > 0 ? " or frontends" : "");
            }
        }
        for (size_t k = 0; k < s->n_needs; k++) {
            if (role_index(app, s->needs[k]) < 0) {
                err_at(c, seq_item_named(exo_ynode_get(e, "needs"), s->needs[k]),
                       "services.%s.needs: there is no role '%s' in services%s", s->role,
                       s->needs[k], app->n_frontends > 0 ? " or frontends" : "");
            }
        }
        for (size_t k = 0; k < s->n_resources; k++) {
            if (exo_app_resource(app, s->resources[k]) == NULL) {
                err_at(c, seq_item_named(exo_ynode_get(e, "resources"), s->resources[k]),
                       "services.%s.resources: there is no resource '%s' under resources",
                       s->role, s->resources[k]);
            }
        }
        check_public(c, app, s, srcs[i].svc_ok);
        const exo_frontend_t *f = s->frontend;
        if (f != NULL && f->auth_ask != NULL && !in_list(s->sends, s->n_sends, f->auth_ask)) {
            exo_diag_error(c->diag, c->file, f->auth_pos.line, f->auth_pos.column,
                           "frontends.%s.auth.ask: '%s' must also be in frontends.%s.sends: "
                           "the frontend sends it as its role to check each client (and its "
                           "reply's name must be in receives)", s->role, f->auth_ask, s->role);
        }
        if (!srcs[i].svc_ok) {
            continue;
        }
        for (size_t k = 0; k < s->n_translations; k++) {
            const char *in = s->translations[k].internal_name;
            if (!in_list(s->sends, s->n_sends, in) && !in_list(s->receives, s->n_receives, in)) {
                exo_diag_error(c->diag, c->file, s->translations_pos[k].line,
                               s->translations_pos[k].column,
                               "%s.%s.translations: internal name '%s' is neither sent "
                               "nor received by %s (see %s%s)", role_section(s), s->role, in,
                               s->role, s->frontend ? "its sends and receives" : "messages in ",
                               s->frontend ? "" : s->file);
            }
        }
        if (s->ready == EXO_READY_ONLINE_TEXT && s->online_text == NULL) {
            err_at(c, srcs[i].ready, "services.%s.ready is online-text but %s has no "
                   "startup.online-text", s->role, s->file);
        }
        if (s->ready == EXO_READY_PORT && s->port == 0) {
            err_at(c, srcs[i].ready, "services.%s.ready is port but %s has no port", s->role,
                   s->file);
        }
    }
    int *state = exo_xcalloc(app->n_services + 1, sizeof *state);
    size_t *stack = exo_xcalloc(app->n_services + 1, sizeof *stack);
    for (size_t i = 0; i < app->n_services; i++) {
        if (state[i] == 0) {
            find_cycles(c, app, srcs, i, state, stack, 0);
        }
    }
    free(state);
    free(stack);
}

/* resources.<name>.deploy-url: URL | {secret: URL}, with a scheme and a host. The value is
 * never echoed: it may hold a password. */
static char *get_deploy_url(mctx_t *c, const exo_ynode_t *block, const char *what)
{
    const exo_ynode_t *v = opt(block, "deploy-url");
    if (v == NULL) {
        return NULL;
    }
    if (v->kind == EXO_YNODE_MAP) {
        static const char *const secret_keys[] = {"secret", NULL};
        size_t before = c->diag->errors;
        check_keys(c, v, "deploy-url", secret_keys);
        const exo_ynode_t *sv = opt(v, "secret");
        if (sv == NULL) {
            if (c->diag->errors == before) {
                err_at(c, v, "%s.deploy-url must be a URL or {secret: URL}", what);
            }
            return NULL;
        }
        v = sv;
    }
    if (!want_scalar(c, v, "deploy-url")) {
        return NULL;
    }
    exo_url_t url;
    if (exo_url_parse(v->value, &url) < 0) {
        err_at(c, v, "%s.deploy-url is not a URL with a host, such as "
               "postgres://USER:PASSWORD@HOST:5432/DATABASE (the value is not shown: it may "
               "hold a password)", what);
        return NULL;
    }
    exo_url_free(&url);
    return exo_xstrdup(v->value);
}

static void parse_resources(mctx_t *c, exo_app_t *app, const exo_ynode_t *root)
{
    const exo_ynode_t *v = opt(root, "resources");
    if (v == NULL || !want_map(c, v, "resources")) {
        return;
    }
    app->resources = exo_xcalloc(v->n ? v->n : 1, sizeof *app->resources);
    for (size_t i = 0; i < v->n; i++) {
        const exo_ynode_t *k = v->pairs[i].key;
        const exo_ynode_t *b = v->pairs[i].value;
        if (!is_resource_name(k->value)) {
            err_at(c, k, "'%s' is not a valid resource name: use a-z, digits and '_', starting "
                   "with a letter", k->value);
            continue;
        }
        char what[128];
        snprintf(what, sizeof what, "resources.%s", k->value);
        if (!want_map(c, b, what)) {
            continue;
        }
        const exo_ynode_t *t = opt(b, "type");
        if (t == NULL) {
            err_at(c, k, "%s is missing 'type': the resource plugin, e.g. type: postgres", what);
            continue;
        }
        if (!want_scalar(c, t, "type")) {
            continue;
        }
        if (!name_ok(t->value, "a0_-", "a0_-", NAME_MAX_LEN)) {
            err_at(c, t, "'%s' is not a valid resource type (a-z, digits, '_' and '-')",
                   t->value);
            continue;
        }
        exo_resource_t *r = &app->resources[app->n_resources++];
        r->name = exo_xstrdup(k->value);
        r->type = exo_xstrdup(t->value);
        r->config = exo_ynode_to_json(b);
        r->deploy_url = get_deploy_url(c, b, what);
        r->node = b;
        r->line = k->line;
        r->column = k->column;
    }
}

/* bus: the core reads transport and max-message-size (below); every other key is the
 * transport plugin's, kept as JSON for it and checked against its declared keys. */
static void parse_bus_transport(mctx_t *c, exo_app_t *app, const exo_ynode_t *bus)
{
    app->bus_node = bus;
    const exo_ynode_t *t = get_str(c, bus, "transport", "bus.transport", &app->bus_transport);
    if (t != NULL && !is_plugin_name(t->value)) {
        err_at(c, t, "'%s' is not a valid transport name (a-z, digits, '_' and '-')", t->value);
    }
    json_t *rest = json_object();
    for (size_t i = 0; i < bus->n; i++) {
        const exo_ypair_t *p = &bus->pairs[i];
        if (!is_known(p->key->value, exo_bus_core_keys)) {
            json_object_set_new(rest, p->key->value, exo_ynode_to_json(p->value));
        }
    }
    if (json_object_size(rest) > 0) {
        app->bus_config = rest;
    } else {
        json_decref(rest);
    }
}

/* The next role of app->services, named by @p k, with the defaults of its keys. */
static exo_service_t *add_role(exo_app_t *app, role_src_t *srcs, const exo_ynode_t *k,
                               const exo_ynode_t *e, role_src_t **src_out)
{
    exo_service_t *s = &app->services[app->n_services];
    role_src_t *src = &srcs[app->n_services];
    app->n_services++;
    s->role = exo_xstrdup(k->value);
    s->line = k->line;
    s->column = k->column;
    s->restart = EXO_RESTART_ON_FAILURE;
    s->max_restarts = 5;
    s->instances = 1;
    s->ready_timeout_ms = 60000;
    s->ready_settle_ms = EXO_READY_SETTLE_DEFAULT_MS;
    s->ready = EXO_READY_AUTO;
    src->key = k;
    src->entry = e;
    *src_out = src;
    return s;
}

/* A role's name: valid and, for a frontend, not already a service's (services and frontends
 * share one namespace of roles). */
static bool new_role_name(mctx_t *c, const exo_app_t *app, const exo_ynode_t *k, bool frontend)
{
    if (!is_role_name(k->value)) {
        err_at(c, k, "'%s' is not a valid role name: use a-z, digits and '-', starting with "
               "a letter, at most %d characters", k->value, NAME_MAX_LEN);
        return false;
    }
    const exo_service_t *o = frontend ? exo_app_service(app, k->value) : NULL;
    if (o != NULL) {
        err_at(c, k, "'%s' is both a service (services.%s, line %d) and a frontend: a role is "
               "one or the other; rename one of them", k->value, o->role, o->line);
        return false;
    }
    return true;
}

/* services: (@p frontends false) or frontends: into app->services. */
static void parse_roles(mctx_t *c, exo_app_t *app, const exo_ynode_t *map, role_src_t *srcs,
                        bool frontends)
{
    for (size_t i = 0; i < map->n; i++) {
        const exo_ynode_t *k = map->pairs[i].key;
        const exo_ynode_t *e = map->pairs[i].value;
        if (!new_role_name(c, app, k, frontends)) {
            continue;
        }
        char what[128];
        snprintf(what, sizeof what, "%s.%s", frontends ? "frontends" : "services", k->value);
        if (!want_map(c, e, what)) {
            continue;
        }
        role_src_t *src;
        exo_service_t *s = add_role(app, srcs, k, e, &src);
        if (frontends) {
            app->n_frontends++;
            parse_frontend(c, app, s, src);
            continue;
        }
        parse_role(c, s, src);
        if (s->location != NULL) {
            load_service_dir(c, app, s, src);
        }
    }
}

static void parse_app(mctx_t *c, exo_app_t *app, const exo_ynode_t *root, role_src_t **srcs_out)
{
    *srcs_out = NULL;
    if (!want_map(c, root, "application.yml")) {
        return;
    }
    check_keys(c, root, "application.yml", app_keys);
    const exo_ynode_t *name = opt(root, "name");
    if (name == NULL) {
        exo_diag_error(c->diag, c->file, 1, 1, "application.yml is missing 'name': add "
                       "name: my-app at the top");
    } else if (want_scalar(c, name, "name")) {
        if (!is_app_name(name->value)) {
            err_at(c, name, "'%s' is not a valid app name: use letters, digits, '_' and '-', "
                   "starting with a letter or digit, at most %d characters", name->value,
                   NAME_MAX_LEN);
        } else {
            app->name = exo_xstrdup(name->value);
        }
    }
    get_str(c, root, "description", "description", &app->description);
    const exo_ynode_t *ver = get_str(c, root, "version", "version", &app->version);
    if (ver != NULL && !is_version(ver->value)) {
        err_at(c, ver, "version must look like X.Y.Z (e.g. 1.0.0), not '%s'", ver->value);
    }
    const exo_ynode_t *b = get_str(c, root, "backend", "backend", &app->backend);
    if (b != NULL && !is_plugin_name(b->value)) {
        err_at(c, b, "'%s' is not a valid backend name (a-z, digits, '_' and '-')", b->value);
    }
    const exo_ynode_t *bus = opt(root, "bus");
    if (bus != NULL && want_map(c, bus, "bus")) {
        parse_bus_transport(c, app, bus);
        const exo_ynode_t *m = opt(bus, "max-message-size");
        if (m != NULL && want_scalar(c, m, "bus.max-message-size") &&
            !parse_size(m->value, &app->bus_max_message_size)) {
            err_at(c, m, "bus.max-message-size must be a size such as 1MiB, 512KiB or a number "
                   "of bytes (1 byte to 4GiB), not '%s'", m->value);
        }
    }
    get_duration(c, root, "shutdown-grace", "shutdown-grace", &app->shutdown_grace_ms);
    const exo_ynode_t *lm = opt(root, "log-max-size");
    if (lm != NULL && want_scalar(c, lm, "log-max-size") &&
        (!parse_size(lm->value, &app->log_max_size) || app->log_max_size < 4096)) {
        err_at(c, lm, "log-max-size must be a size of at least 4KiB such as 10MiB or 512KiB, "
               "not '%s'", lm->value);
    }
    get_env(c, root, "env", &app->env, &app->n_env);
    parse_resources(c, app, root);

    const exo_ynode_t *svcs = opt(root, "services");
    if (svcs != NULL && !want_map(c, svcs, "services")) {
        svcs = NULL;
    }
    const exo_ynode_t *fes = opt(root, "frontends");
    if (fes != NULL && !want_map(c, fes, "frontends")) {
        fes = NULL;
    }
    if (svcs == NULL && fes == NULL) {
        return;
    }
    /* One namespace of roles: services first, then frontends. */
    size_t cap = (svcs ? svcs->n : 0) + (fes ? fes->n : 0);
    app->services = exo_xcalloc(cap ? cap : 1, sizeof *app->services);
    role_src_t *srcs = exo_xcalloc(cap ? cap : 1, sizeof *srcs);
    *srcs_out = srcs;
    if (svcs != NULL) {
        parse_roles(c, app, svcs, srcs, false);
    }
    if (fes != NULL) {
        parse_roles(c, app, fes, srcs, true);
    }
}

typedef struct sort_item {
    exo_diag_entry_t e;
    size_t file_rank, seq;
} sort_item_t;

static int cmp_items(const void *a, const void *b)
{
    const sort_item_t *x = a, *y = b;
    if (x->file_rank != y->file_rank) {
        return x->file_rank < y->file_rank ? -1 : 1;
    }
    if (x->e.line != y->e.line) {
        return x->e.line < y->e.line ? -1 : 1;
    }
    if (x->e.column != y->e.column) {
        return x->e.column < y->e.column ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Findings come out in check order; users read them best file by file, top to bottom. Files
 * keep the order in which they first had a finding. */
static void sort_findings(exo_diag_t *d, size_t from)
{
    size_t n = d->n - from;
    if (n < 2) {
        return;
    }
    sort_item_t *items = exo_xcalloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        items[i].e = d->entries[from + i];
        items[i].seq = i;
        items[i].file_rank = i;
        for (size_t j = 0; j < i; j++) {
            const char *fa = items[i].e.file, *fb = items[j].e.file;
            if ((fa == NULL && fb == NULL) || (fa && fb && strcmp(fa, fb) == 0)) {
                items[i].file_rank = items[j].file_rank;
                break;
            }
        }
    }
    qsort(items, n, sizeof *items, cmp_items);
    for (size_t i = 0; i < n; i++) {
        d->entries[from + i] = items[i].e;
    }
    free(items);
}

exo_app_t *exo_app_load(const char *dir, exo_diag_t *diag)
{
    size_t errors_before = diag->errors;
    size_t entries_before = diag->n;
    char *real = realpath(dir, NULL);
    if (real == NULL || !exo_path_is_dir(real)) {
        exo_diag_error(diag, dir, 0, 0, "no such app directory");
        free(real);
        return NULL;
    }
    exo_app_t *app = exo_xcalloc(1, sizeof *app);
    app->dir = real;
    app->file = exo_path_join(real, "application.yml");
    app->backend = exo_xstrdup("process");
    app->bus_transport = exo_xstrdup("zmq");
    app->bus_max_message_size = 1024 * 1024;
    app->shutdown_grace_ms = 5000;
    app->log_max_size = EXO_LOG_MAX_SIZE_DEFAULT;
    if (!exo_path_is_file(app->file)) {
        exo_diag_error(diag, app->file, 0, 0, "no application.yml in %s; create one (see "
                       "docs/configuration.md) or pass --app DIR", real);
        exo_app_destroy(&app);
        return NULL;
    }
    exo_ynode_t *root = exo_yaml_load(app->file, diag);
    if (root == NULL) {
        exo_app_destroy(&app);
        return NULL;
    }
    mctx_t c = {.diag = diag, .file = app->file};
    role_src_t *srcs = NULL;
    parse_app(&c, app, root, &srcs);
    if (srcs != NULL) {
        cross_check(&c, app, srcs);
        free(srcs);
    }
    app->yaml = root;
    sort_findings(diag, entries_before);
    if (diag->errors > errors_before) {
        exo_app_destroy(&app);
        return NULL;
    }
    return app;
}

char *exo_app_find_root(const char *start)
{
    char *dir = realpath(start, NULL);
    if (dir == NULL) {
        return NULL;
    }
    for (;;) {
        char *f = exo_path_join(dir, "application.yml");
        bool found = exo_path_is_file(f);
        free(f);
        if (found) {
            return dir;
        }
        char *slash = strrchr(dir, '/');
        if (slash == NULL || strcmp(dir, "/") == 0) {
            free(dir);
            return NULL;
        }
        if (slash == dir) {
            slash[1] = '\0';
        } else {
            *slash = '\0';
        }
    }
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static void free_env(exo_kv_t *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

static void free_frontend(exo_frontend_t *f)
{
    if (f == NULL) {
        return;
    }
    free(f->type);
    free(f->auth_ask);
    json_decref(f->config);
    free(f);
}

static void free_service(exo_service_t *s)
{
    free_frontend(s->frontend);
    exo_public_free(&s->public_endpoint);
    free(s->role);
    free(s->location);
    free(s->dir);
    free(s->file);
    free(s->type);
    free(s->description);
    free(s->setup);
    free(s->startup_command);
    free(s->online_text);
    free(s->test);
    free_strs(s->sends, s->n_sends);
    free_strs(s->receives, s->n_receives);
    free_env(s->env, s->n_env);
    for (size_t i = 0; i < s->n_sections; i++) {
        json_decref(s->sections[i].json);
    }
    free(s->sections);
    exo_ynode_free(s->yaml);
    for (size_t i = 0; i < s->n_translations; i++) {
        free(s->translations[i].public_name);
        free(s->translations[i].internal_name);
    }
    free(s->translations);
    free_strs(s->depends_on, s->n_depends_on);
    free_strs(s->resources, s->n_resources);
    free_strs(s->needs, s->n_needs);
    free_env(s->app_env, s->n_app_env);
    free(s->backend);
    json_decref(s->options.json);
    free(s->sends_pos);
    free(s->receives_pos);
    free(s->translations_pos);
}

void exo_app_destroy(exo_app_t **app_p)
{
    exo_app_t *app = *app_p;
    if (app == NULL) {
        return;
    }
    free(app->name);
    free(app->description);
    free(app->version);
    free(app->dir);
    free(app->file);
    free(app->backend);
    free(app->bus_transport);
    json_decref(app->bus_config);
    free_env(app->env, app->n_env);
    for (size_t i = 0; i < app->n_services; i++) {
        free_service(&app->services[i]);
    }
    free(app->services);
    for (size_t i = 0; i < app->n_resources; i++) {
        free(app->resources[i].name);
        free(app->resources[i].type);
        free(app->resources[i].deploy_url);
        json_decref(app->resources[i].config);
    }
    free(app->resources);
    exo_ynode_free(app->yaml);
    free(app);
    *app_p = NULL;
}

const exo_service_t *exo_app_service(const exo_app_t *app, const char *role)
{
    ptrdiff_t i = role_index(app, role);
    return i < 0 ? NULL : &app->services[i];
}

const exo_resource_t *exo_app_resource(const exo_app_t *app, const char *name)
{
    for (size_t i = 0; i < app->n_resources; i++) {
        if (strcmp(app->resources[i].name, name) == 0) {
            return &app->resources[i];
        }
    }
    return NULL;
}

const exo_block_t *exo_service_section(const exo_service_t *svc, const char *name)
{
    for (size_t i = 0; name != NULL && i < svc->n_sections; i++) {
        if (strcmp(svc->sections[i].key->value, name) == 0) {
            return &svc->sections[i];
        }
    }
    return NULL;
}

json_t *exo_service_settings(const exo_service_t *svc, const char *section)
{
    const exo_block_t *b = exo_service_section(svc, section);
    json_t *out = b != NULL && b->json != NULL ? json_deep_copy(b->json) : json_object();
    if (svc->options.json != NULL) {
        json_t *over = json_deep_copy(svc->options.json);
        json_object_update(out, over);
        json_decref(over);
    }
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *str_array(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(v[i]));
    }
    return a;
}

json_t *exo_app_routes(const exo_app_t *app)
{
    json_t *roles = json_object();
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *s = &app->services[i];
        json_t *tr = json_array();
        for (size_t k = 0; k < s->n_translations; k++) {
            json_array_append_new(tr, json_pack("{s:s, s:s}", "public",
                                                s->translations[k].public_name, "internal",
                                                s->translations[k].internal_name));
        }
        json_object_set_new(roles, s->role,
                            json_pack("{s:o, s:o, s:o}", "sends", str_array(s->sends, s->n_sends),
                                      "receives", str_array(s->receives, s->n_receives),
                                      "translations", tr));
    }
    return json_pack("{s:o}", "roles", roles);
}
