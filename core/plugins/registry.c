/*
 * core/plugins/registry.c - the plugin registry (see registry.h). The only file that includes
 * <ltdl.h>.
 *
 * Every check below runs before any plugin code but exo_plugin_describe(), which the ABI
 * requires to be pure, so that a broken plugin is listed with one actionable message instead of
 * taking exo down. Handles are never closed once init() ran: a plugin's threads or atexit
 * handlers could still point into it, and valgrind stacks stay readable.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ltdl.h>

#include <exo/backend.h>
#include <exo/frontend.h>
#include <exo/generator.h>
#include <exo/resource.h>
#include <exo/transport.h>

#include "crashguard.h"
#include "host.h"
#include "registry.h"
#include "scan.h"
#include "base/log.h"
#include "base/util.h"

struct exo_registry {
    exo_plugin_t *v;
    size_t n, cap;
    bool skipped_any; /* an app-local plugin was listed unopened */
};

/* Size of a struct up to and including @p last, i.e. what a 1.0 plugin filled in. Members
 * appended in later minors do not change these. */
#define SIZE_UPTO(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))
#define DESC_SIZE_1_0 SIZE_UPTO(exo_plugin_desc_t, ops)

const char *exo_kind_name(int kind)
{
    switch (kind) {
    case EXO_KIND_BACKEND:
        return "backend";
    case EXO_KIND_RESOURCE:
        return "resource";
    case EXO_KIND_TRANSPORT:
        return "transport";
    case EXO_KIND_FRONTEND:
        return "frontend";
    case EXO_KIND_GENERATOR:
        return "generator";
    default:
        return "unknown";
    }
}

static bool name_valid(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64) {
        return false;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-')) {
            return false;
        }
    }
    return true;
}

/* One mandatory member of a kind's ops table. */
typedef struct mandatory {
    const char *member;
    size_t offset;
} mandatory_t;

#define M(type, member) {#member, offsetof(type, member)}

static const mandatory_t backend_mandatory[] = {
    M(exo_backend_ops_t, open), M(exo_backend_ops_t, start), M(exo_backend_ops_t, stop),
    M(exo_backend_ops_t, kill), M(exo_backend_ops_t, release),
    M(exo_backend_ops_t, unit_host), M(exo_backend_ops_t, host_address),
    M(exo_backend_ops_t, close), M(exo_backend_ops_t, cleanup), {NULL, 0},
};
static const mandatory_t resource_mandatory[] = {
    M(exo_resource_ops_t, create), M(exo_resource_ops_t, unit),
    M(exo_resource_ops_t, check_ready), M(exo_resource_ops_t, emit_env),
    M(exo_resource_ops_t, destroy), {NULL, 0},
};
static const mandatory_t transport_mandatory[] = {
    M(exo_transport_ops_t, broker_open), M(exo_transport_ops_t, broker_endpoint),
    M(exo_transport_ops_t, broker_control_endpoint), M(exo_transport_ops_t, broker_set_routes),
    M(exo_transport_ops_t, broker_stats), M(exo_transport_ops_t, broker_close),
    M(exo_transport_ops_t, client_send), M(exo_transport_ops_t, client_tail),
    M(exo_transport_ops_t, client_stats), {NULL, 0},
};
static const mandatory_t frontend_mandatory[] = {
    M(exo_frontend_ops_t, open), M(exo_frontend_ops_t, endpoint), M(exo_frontend_ops_t, close),
    M(exo_frontend_ops_t, deliver), M(exo_frontend_ops_t, auth_done), {NULL, 0},
};
static const mandatory_t generator_mandatory[] = {
    M(exo_generator_ops_t, generate), {NULL, 0},
};

typedef struct kind_info {
    int kind;
    const char *header;
    size_t ops_size_1_0;
    const mandatory_t *mandatory;
} kind_info_t;

static const kind_info_t kinds[] = {
    {EXO_KIND_BACKEND, "exo/backend.h", SIZE_UPTO(exo_backend_ops_t, cleanup),
     backend_mandatory},
    {EXO_KIND_RESOURCE, "exo/resource.h", SIZE_UPTO(exo_resource_ops_t, destroy),
     resource_mandatory},
    {EXO_KIND_TRANSPORT, "exo/transport.h", SIZE_UPTO(exo_transport_ops_t, client_stats),
     transport_mandatory},
    /* Frontend ABI 1.0 was reserved and never implemented: its first table is 1.1's. */
    {EXO_KIND_FRONTEND, "exo/frontend.h", SIZE_UPTO(exo_frontend_ops_t, auth_done),
     frontend_mandatory},
    /* Loaded since ABI 1.2; its first table is the 1.0 size for the check below. */
    {EXO_KIND_GENERATOR, "exo/generator.h", SIZE_UPTO(exo_generator_ops_t, generate),
     generator_mandatory},
};

static const kind_info_t *kind_info(int kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (kinds[i].kind == kind) {
            return &kinds[i];
        }
    }
    return NULL;
}

const char *exo_config_type_name(int type)
{
    switch (type) {
    case EXO_CONFIG_STRING:
        return "string";
    case EXO_CONFIG_INT:
        return "int";
    case EXO_CONFIG_BOOL:
        return "bool";
    case EXO_CONFIG_NUMBER:
        return "number";
    case EXO_CONFIG_SIZE:
        return "size";
    case EXO_CONFIG_STRINGS:
        return "strings";
    case EXO_CONFIG_MAP:
        return "map";
    default:
        return "unknown";
    }
}

static exo_plugin_t *add_record(exo_registry_t *reg, const char *path)
{
    if (reg->n == reg->cap) {
        reg->cap = reg->cap ? reg->cap * 2 : 16;
        reg->v = exo_xrealloc(reg->v, reg->cap * sizeof *reg->v);
    }
    exo_plugin_t *p = &reg->v[reg->n++];
    memset(p, 0, sizeof *p);
    p->path = exo_xstrdup(path);
    /* Until the descriptor says otherwise, the plugin is known by its file stem. */
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    p->name = dot != NULL ? exo_xstrndup(base, (size_t)(dot - base)) : exo_xstrdup(base);
    return p;
}

static void fail(exo_plugin_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(exo_plugin_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(p->error);
    p->error = exo_vstrdupf(fmt, ap);
    va_end(ap);
    p->ok = false;
    p->desc = NULL;
    p->config = NULL;
    p->config_section = NULL;
}

/* More keys than any plugin declares: a table without its NULL end runs into this. */
#define CONFIG_KEYS_MAX 256

/* The declared configuration, read only from a descriptor that has those members (ABI 1.1);
 * a malformed table makes the plugin unusable, since the core checks manifests against it. */
static bool read_config(exo_plugin_t *p, const exo_plugin_desc_t *d)
{
    p->config = EXO_HAS(d, exo_plugin_desc_t, config) ? d->config : NULL;
    p->config_section = EXO_HAS(d, exo_plugin_desc_t, config_section) ? d->config_section
                                                                      : NULL;
    if (p->config_section != NULL && !name_valid(p->config_section)) {
        fail(p, "%s plugin %s: its config_section '%.64s' is not a valid key; use 1 to 64 of "
                "[a-z0-9_-]", exo_kind_name(p->kind), p->name, p->config_section);
        return false;
    }
    for (size_t i = 0; p->config != NULL && p->config[i].name != NULL; i++) {
        const exo_config_key_t *k = &p->config[i];
        if (i >= CONFIG_KEYS_MAX) {
            fail(p, "%s plugin %s: its config table has more than %d keys; end it with a "
                    "NULL name", exo_kind_name(p->kind), p->name, CONFIG_KEYS_MAX);
            return false;
        }
        if (!name_valid(k->name) ||
            strcmp(exo_config_type_name((int)k->type), "unknown") == 0) {
            fail(p, "%s plugin %s: config key %zu ('%.64s') has an invalid name or type; "
                    "names are 1 to 64 of [a-z0-9_-], types EXO_CONFIG_*",
                 exo_kind_name(p->kind), p->name, i + 1, k->name);
            return false;
        }
    }
    return true;
}

static const exo_plugin_t *find_ok(const exo_registry_t *reg, int kind, const char *name)
{
    for (size_t i = 0; i < reg->n; i++) {
        const exo_plugin_t *p = &reg->v[i];
        if (p->ok && p->kind == kind && strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

/* Checks 2-6 of loader.h on a descriptor; fills p's identity as far as it can be trusted.
 * Returns true when the plugin may be initialised. */
static bool check_desc(exo_registry_t *reg, exo_plugin_t *p, const exo_plugin_desc_t *d)
{
    if (d->size < DESC_SIZE_1_0) {
        fail(p, "its descriptor is %u bytes, smaller than the %zu bytes of plugin ABI 1.0; "
                "build it with the EXO_<KIND>_PLUGIN macro of the exo headers",
             (unsigned)d->size, DESC_SIZE_1_0);
        return false;
    }
    /* size..version are frozen across majors (exo/plugin.h), so they are safe to show. */
    p->abi_major = d->abi_major;
    p->abi_minor = d->abi_minor;
    if (name_valid(d->name)) {
        free(p->name);
        p->name = exo_xstrdup(d->name);
    }
    if (d->version != NULL) {
        p->version = exo_xstrndup(d->version, 64);
    }
    if (d->abi_major != EXO_PLUGIN_ABI_MAJOR) {
        p->kind = kind_info(d->kind) != NULL ? d->kind : 0;
        fail(p, "plugin %s was built for exo plugin ABI %u.%u but this exo provides ABI %d.%d; "
                "rebuild it against exo-plugin.pc of exo %s (pkg-config --cflags exo-plugin)",
             p->name, (unsigned)d->abi_major, (unsigned)d->abi_minor, EXO_PLUGIN_ABI_MAJOR,
             EXO_PLUGIN_ABI_MINOR, EXO_VERSION);
        return false;
    }
    const kind_info_t *ki = kind_info(d->kind);
    if (ki == NULL) {
        fail(p, "plugin %s has unknown kind %u; this exo loads backend, resource, transport, "
                "frontend and generator plugins",
             p->name, (unsigned)d->kind);
        return false;
    }
    p->kind = d->kind;
    if (!name_valid(d->name)) {
        fail(p, "%s plugin has an invalid name%s%.64s%s; names are 1 to 64 of [a-z0-9_-]",
             exo_kind_name(d->kind), d->name ? " '" : " (NULL)", d->name ? d->name : "",
             d->name ? "'" : "");
        return false;
    }
    const uint32_t *ops = d->ops;
    if (ops == NULL) {
        fail(p, "%s plugin %s has no ops table; pass one to EXO_%s_PLUGIN", exo_kind_name(p->kind),
             p->name, p->kind == EXO_KIND_BACKEND     ? "BACKEND"
                      : p->kind == EXO_KIND_RESOURCE  ? "RESOURCE"
                      : p->kind == EXO_KIND_TRANSPORT ? "TRANSPORT"
                      : p->kind == EXO_KIND_GENERATOR ? "GENERATOR"
                                                      : "FRONTEND");
        return false;
    }
    if (*ops < ki->ops_size_1_0) {
        fail(p, "%s plugin %s: its ops table is %u bytes, smaller than the %zu bytes of ABI 1.0; "
                "set .size = sizeof(the ops type) from <%s>",
             exo_kind_name(p->kind), p->name, (unsigned)*ops, ki->ops_size_1_0, ki->header);
        return false;
    }
    for (const mandatory_t *m = ki->mandatory; m->member; m++) {
        void (*fn)(void);
        memcpy(&fn, (const char *)ops + m->offset, sizeof fn);
        if (fn == NULL) {
            fail(p, "%s plugin %s: mandatory operation %s is NULL; implement it (<%s> lists "
                    "the mandatory operations)",
                 exo_kind_name(p->kind), p->name, m->member, ki->header);
            return false;
        }
    }
    const exo_plugin_t *first = find_ok(reg, p->kind, p->name);
    if (first != NULL) {
        fail(p, "duplicate of %s", first->path);
        /* The same plugin at the same version twice (a build tree on EXO_PLUGIN_PATH over
         * an installed exo, say) changes nothing a user must act on; a different version
         * does: the one found first may not be the one they meant. */
        const char *v1 = first->version ? first->version : "";
        const char *v2 = d->version ? d->version : "";
        if (strcmp(v1, v2) == 0) {
            exo_debug("%s plugin %s in %s is ignored: the same version was found first in %s",
                      exo_kind_name(p->kind), p->name, p->path, first->path);
        } else {
            exo_warn("%s plugin %s %s in %s is ignored: version %s was found first in %s; "
                     "remove one of them",
                     exo_kind_name(p->kind), p->name, v2, p->path, v1, first->path);
        }
        return false;
    }
    return true;
}

/* Open @p path and call describe(); NULL with @p p failed when that is not a plugin, else
 * the descriptor with the handle in @p hp. The crash guard names the file if its constructors
 * or describe() crash. */
static const exo_plugin_desc_t *open_and_describe(exo_plugin_t *p, const char *path,
                                                  lt_dlhandle *hp)
{
    lt_dladvise adv;
    if (lt_dladvise_init(&adv) != 0) {
        fail(p, "libltdl: %s", lt_dlerror());
        return NULL;
    }
    lt_dlhandle h = NULL;
    if (lt_dladvise_ext(&adv) != 0 || lt_dladvise_local(&adv) != 0) {
        fail(p, "libltdl: %s", lt_dlerror());
    } else {
        exo_crashguard_enter(path, EXO_GUARD_OPEN);
        h = lt_dlopenadvise(path, adv);
        exo_crashguard_leave();
        if (h == NULL) {
            const char *e = lt_dlerror();
            fail(p, "cannot open it: %s (check it with ldd %s)", e ? e : "unknown error", path);
        }
    }
    lt_dladvise_destroy(&adv);
    if (h == NULL) {
        return NULL;
    }
    exo_plugin_describe_fn describe = (exo_plugin_describe_fn)lt_dlsym(h, EXO_PLUGIN_SYMBOL);
    const exo_plugin_desc_t *d = NULL;
    if (describe == NULL) {
        fail(p, "not an exo plugin: it does not export %s(); define it with the "
                "EXO_<KIND>_PLUGIN macro of <exo/KIND.h>",
             EXO_PLUGIN_SYMBOL);
    } else {
        exo_crashguard_enter(path, EXO_GUARD_DESCRIBE);
        d = describe();
        exo_crashguard_leave();
        if (d == NULL) {
            fail(p, "%s() returned NULL; it must return the plugin's static descriptor",
                 EXO_PLUGIN_SYMBOL);
        }
    }
    if (d == NULL) {
        lt_dlclose(h); /* no plugin code ran but describe(), so closing is safe */
    }
    *hp = h;
    return d;
}

static void load_file(exo_registry_t *reg, exo_plugin_t *p, const char *app_dir,
                      exo_loop_t *loop)
{
    lt_dlhandle h = NULL;
    const exo_plugin_desc_t *d = open_and_describe(p, p->path, &h);
    if (d == NULL) {
        return;
    }
    if (!check_desc(reg, p, d) || !read_config(p, d)) {
        lt_dlclose(h); /* no plugin code ran but describe(), so closing is safe */
        return;
    }
    exo_host_t *host = exo_host_new(exo_kind_name(p->kind), p->name, app_dir, loop);
    if (d->init != NULL) {
        exo_error_t err = {0, ""};
        exo_crashguard_enter(p->path, EXO_GUARD_INIT);
        int rc = d->init(host, &err);
        exo_crashguard_leave();
        if (rc != 0) {
            err.message[sizeof err.message - 1] = '\0';
            if (err.message[0] != '\0') {
                fail(p, "init failed: %s", err.message);
            } else {
                fail(p, "init failed with code %d and no message", rc);
            }
            exo_host_destroy(&host);
            return; /* init may have started something: keep the code mapped */
        }
    }
    p->desc = d;
    p->host = host;
    p->ok = true;
}

bool exo_registry_has_probe(const exo_plugin_t *p)
{
    if (p == NULL || !p->ok || p->kind != EXO_KIND_BACKEND) {
        return false;
    }
    const exo_backend_ops_t *ops = p->desc->ops;
    return EXO_HAS(ops, exo_backend_ops_t, probe) && ops->probe != NULL;
}

char *exo_registry_probe(const exo_plugin_t *p)
{
    if (!exo_registry_has_probe(p)) {
        return NULL;
    }
    const exo_backend_ops_t *ops = p->desc->ops;
    exo_error_t err = {0, ""};
    exo_crashguard_enter(p->path, EXO_GUARD_PROBE);
    int rc = ops->probe(p->host, &err);
    exo_crashguard_leave();
    if (rc == 0) {
        return exo_xstrdup("ok");
    }
    err.message[sizeof err.message - 1] = '\0';
    return exo_xstrdup(err.message[0] ? err.message : "engine not reachable (no message)");
}

/* What the caller found wrong with @p path (exo_registry_opts_t.broken), or NULL. */
static const char *known_broken(const exo_registry_opts_t *o, const char *path)
{
    for (size_t i = 0; i < o->n_broken; i++) {
        if (strcmp(o->broken[i].path, path) == 0) {
            return o->broken[i].reason;
        }
    }
    return NULL;
}

static void load_all(exo_registry_t *reg, const exo_plugin_files_t *files,
                     const exo_registry_opts_t *o)
{
    for (size_t i = 0; i < files->n; i++) {
        const exo_plugin_file_t *f = &files->v[i];
        exo_plugin_t *p = add_record(reg, f->path);
        const char *verdict = known_broken(o, f->path);
        if (f->refused != NULL) {
            fail(p, "%s", f->refused);
        } else if (f->app_local && !o->load_app) {
            fail(p, "not loaded: an app-local plugin runs the app's code, and only commands "
                    "that run the app (run, test, setup, bus, send, tail) load it; "
                    "--load-app loads it here");
            p->skipped = true;
            reg->skipped_any = true;
        } else if (verdict != NULL) {
            fail(p, "%s", verdict);
        } else {
            load_file(reg, p, o->app_dir, o->loop);
        }
    }
}

exo_registry_t *exo_registry_open(const exo_registry_opts_t *o)
{
    exo_registry_t *reg = exo_xcalloc(1, sizeof *reg);
    if (lt_dlinit() != 0) {
        exo_error("cannot initialise libltdl: %s; no plugins are loaded", lt_dlerror());
        return reg;
    }
    exo_plugin_files_t files = {0};
    exo_plugin_files_scan(&files, o->app_dir, o->kind_mask ? o->kind_mask : EXO_KINDS_ALL);
    load_all(reg, &files, o);
    exo_plugin_files_free(&files);
    return reg;
}

exo_registry_t *exo_registry_load(const char *app_dir, exo_loop_t *loop)
{
    return exo_registry_load_kinds(app_dir, loop, EXO_KINDS_ALL);
}

exo_registry_t *exo_registry_load_kinds(const char *app_dir, exo_loop_t *loop, unsigned kind_mask)
{
    exo_registry_opts_t o = {
        .app_dir = app_dir, .loop = loop, .kind_mask = kind_mask, .load_app = true};
    return exo_registry_open(&o);
}

void exo_registry_destroy(exo_registry_t **reg_p)
{
    if (reg_p == NULL || *reg_p == NULL) {
        return;
    }
    exo_registry_t *reg = *reg_p;
    /* Reverse order: a plugin loaded later may rely on one loaded earlier. */
    for (size_t i = reg->n; i-- > 0;) {
        exo_plugin_t *p = &reg->v[i];
        if (p->ok && p->desc->fini != NULL) {
            exo_crashguard_enter(p->path, EXO_GUARD_FINI);
            p->desc->fini();
            exo_crashguard_leave();
        }
        exo_host_t *host = (exo_host_t *)p->host;
        exo_host_destroy(&host);
        free(p->path);
        free(p->name);
        free(p->version);
        free(p->error);
    }
    free(reg->v);
    free(reg);
    *reg_p = NULL;
}

size_t exo_registry_count(const exo_registry_t *reg)
{
    return reg != NULL ? reg->n : 0;
}

const exo_plugin_t *exo_registry_at(const exo_registry_t *reg, size_t i)
{
    return reg != NULL && i < reg->n ? &reg->v[i] : NULL;
}

const exo_plugin_t *exo_registry_find(const exo_registry_t *reg, int kind, const char *name)
{
    if (reg == NULL || name == NULL) {
        return NULL;
    }
    return find_ok(reg, kind, name);
}

const char *exo_registry_skipped_note(const exo_registry_t *reg)
{
    return reg != NULL && reg->skipped_any
               ? "; the app's own plugins (.exo/plugins) are not opened by this command: "
                 "--load-app opens them"
               : "";
}

char *exo_registry_names(const exo_registry_t *reg, int kind)
{
    exo_buf_t b = {0};
    exo_buf_puts(&b, "");
    for (size_t i = 0; reg != NULL && i < reg->n; i++) {
        const exo_plugin_t *p = &reg->v[i];
        if (p->ok && p->kind == kind) {
            if (b.len > 0) {
                exo_buf_puts(&b, ", ");
            }
            exo_buf_puts(&b, p->name);
        }
    }
    return b.data;
}
