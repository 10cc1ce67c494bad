/* core/run/session_backend.c - the backends of a session: found by name on first use,
 * opened when a unit needs them, asked for addresses, prepare() and cleanup, closed at the
 * end. See session_int.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "session_int.h"

backend_t *exo_session_backend_get(exo_session_t *s, const char *name, exo_error_t *err)
{
    for (size_t i = 0; i < s->n_backends; i++) {
        if (strcmp(s->backends[i]->name, name) == 0) {
            return s->backends[i];
        }
    }
    const exo_plugin_t *p = exo_registry_find(s->reg, EXO_KIND_BACKEND, name);
    if (p == NULL) {
        char *names = exo_registry_names(s->reg, EXO_KIND_BACKEND);
        exo_error_set(err, EXO_ERR_NOTFOUND,
                      "no working backend plugin named '%s' (available: %s); 'exo plugins' "
                      "shows every plugin and why one failed to load%s", name,
                      names && names[0] ? names : "none", exo_registry_skipped_note(s->reg));
        free(names);
        return NULL;
    }
    const exo_backend_ops_t *ops = p->desc->ops;
    if (ops == NULL || ops->size < offsetof(exo_backend_ops_t, cleanup) ||
        ops->start == NULL || ops->stop == NULL || ops->kill == NULL || ops->release == NULL) {
        exo_error_set(err, EXO_ERR_ABI, "backend plugin '%s' (%s) lacks required operations",
                      name, p->path);
        return NULL;
    }
    /* Each on its own: nodes keep pointers to their backend while more are added. */
    s->backends = exo_xrealloc(s->backends, (s->n_backends + 1) * sizeof *s->backends);
    backend_t *b = exo_xcalloc(1, sizeof *b);
    s->backends[s->n_backends++] = b;
    *b = (backend_t){.name = exo_xstrdup(name), .plugin = p, .ops = ops,
                     .containers = (p->desc->caps & EXO_BACKEND_CAP_CONTAINERS) != 0,
                     .async_start = (p->desc->caps & EXO_BACKEND_CAP_ASYNC_START) != 0};
    return b;
}

int exo_session_backend_open(exo_session_t *s, backend_t *b, exo_error_t *err)
{
    if (b->inst != NULL) {
        return EXO_OK;
    }
    if (b->ops->probe != NULL) {
        int rc = b->ops->probe(b->plugin->host, err);
        if (rc < 0) {
            return rc;
        }
    }
    exo_run_spec_t run = {.size = sizeof run, .app = s->app->name, .app_dir = s->app->dir,
                          .run_id = s->run_id, .state_dir = s->exo_dir};
    return b->ops->open(b->plugin->host, &run, &b->inst, err);
}

const char *exo_session_unit_host(const backend_t *b, const char *name)
{
    if (b->inst != NULL && b->ops->unit_host != NULL) {
        const char *h = b->ops->unit_host(b->inst, name);
        if (h != NULL) {
            return h;
        }
    }
    return b->containers ? name : "127.0.0.1";
}

const char *exo_session_host_address(const backend_t *b)
{
    const char *h = b != NULL && b->inst != NULL && b->ops->host_address != NULL
                    ? b->ops->host_address(b->inst) : NULL;
    return h != NULL && h[0] != '\0' ? h : "127.0.0.1";
}

exo_unit_place_t exo_session_place(const backend_t *b, unsigned host_port,
                                   unsigned listen_port)
{
    return (exo_unit_place_t){
        .backend = b->name,
        .containers = b->containers,
        .settings_section = b->plugin->config_section,
        .host_port = host_port,
        .listen_port = listen_port,
    };
}

exo_sup_spec_t exo_session_sup_spec(exo_session_t *s, backend_t *b, const exo_unit_spec_t *unit,
                                    node_t *node)
{
    exo_sup_spec_t spec = {
        .unit = *unit,
        .ready = EXO_READY_STARTED,
        .ops = b->ops,
        .inst = b->inst,
        .async_start = b->async_start,
        .loop = s->loop,
    };
    if (node != NULL) {
        spec.on_output = s->node_output;
        spec.on_state = s->node_state;
        spec.arg = node;
    }
    return spec;
}

/* Where prepare() output goes: the unit's label (the output masks the app's secrets). */
typedef struct prepare_out {
    exo_output_t *out;
    const char *label;
} prepare_out_t;

static void prepare_output(void *arg, int stream, const char *line, size_t len)
{
    prepare_out_t *po = arg;
    exo_output_unit_line(po->out, po->label,
                         stream == EXO_STREAM_STDERR ? EXO_OUT_STDERR : EXO_OUT_STDOUT, line,
                         len);
}

int exo_session_backend_prepare(exo_session_t *s, backend_t *b, exo_unit_spec_t *unit,
                                const char *label, const exo_strv_t *secrets,
                                exo_error_t *err)
{
    if (b->ops->prepare == NULL) {
        return EXO_OK;
    }
    if (secrets != NULL) {
        exo_output_add_secrets(s->out, secrets);
    }
    prepare_out_t po = {.out = s->out, .label = label};
    unit->on_output = prepare_output;
    unit->arg = &po; /* prepare() returns when it is done: nothing keeps it */
    int rc = b->ops->prepare(b->inst, unit, err);
    unit->on_output = NULL;
    unit->arg = NULL;
    if (rc < 0 && err != NULL && err->message[0] == '\0') {
        exo_error_set(err, rc, "could not build");
    }
    return rc;
}

/* The backend's host_bind_address (ABI 1.2), or NULL. A container backend built before
 * 1.2 gets what exo did for it then: its host_address, the network's gateway. */
static const char *bind_address(const backend_t *b)
{
    const char *a;
    if (EXO_HAS(b->ops, exo_backend_ops_t, host_bind_address)) {
        a = b->ops->host_bind_address != NULL ? b->ops->host_bind_address(b->inst) : NULL;
    } else {
        a = b->containers && b->ops->host_address != NULL ? b->ops->host_address(b->inst)
                                                          : NULL;
    }
    return a != NULL && a[0] != '\0' ? a : NULL;
}

/*
 * Open the container backends now, so that a missing engine is reported before anything
 * starts, and ask them where the broker must listen for their units to reach it. The first
 * answer wins: units of every backend reach that address from the host side too.
 */
int exo_session_bus_bind_host(exo_session_t *s, const char **bind_host, exo_error_t *err)
{
    *bind_host = NULL;
    for (size_t i = 0; i < s->n_backends; i++) {
        backend_t *b = s->backends[i];
        if (!b->containers) {
            continue;
        }
        int rc = exo_session_backend_open(s, b, err);
        if (rc < 0) {
            return rc;
        }
        if (*bind_host == NULL) {
            *bind_host = bind_address(b);
        }
    }
    return EXO_OK;
}

void exo_session_backends_cleanup(exo_session_t *s, const exo_strv_t *names)
{
    for (size_t i = 0; i < names->n; i++) {
        exo_error_t err = {0};
        backend_t *b = exo_session_backend_get(s, names->v[i], &err);
        if (b != NULL && b->ops->cleanup != NULL &&
            b->ops->cleanup(b->plugin->host, s->app->name, s->exo_dir, &err) < 0) {
            exo_warn("cleaning up after the earlier run (backend %s): %s", b->name, err.message);
        }
    }
}

void exo_session_backends_close(exo_session_t *s)
{
    for (size_t i = 0; i < s->n_backends; i++) {
        if (s->backends[i]->inst != NULL && s->backends[i]->ops->close != NULL) {
            s->backends[i]->ops->close(s->backends[i]->inst);
        }
        free(s->backends[i]->name);
        free(s->backends[i]);
    }
    free(s->backends);
    s->backends = NULL;
    s->n_backends = 0;
}
