/* core/run/busfeed.c - adapter over the embedded broker (core/bus/bus.h). See busfeed.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "busfeed.h"
#include "bus/bus.h"
#include "base/util.h"

struct exo_busfeed {
    exo_busfeed_events_t ev;
    exo_bus_t *bus;
    exo_buf_t line;
    char *endpoint;
};

/* Lines are built from the broker's plain fields into one reused buffer: no JSON per message. */
static void on_trace(void *arg, const exo_bus_trace_t *t)
{
    exo_busfeed_t *rb = arg;
    if (t != NULL && rb->ev.on_event != NULL) {
        rb->ev.on_event(rb->ev.arg, t);
    }
    if (t == NULL) {
        if (rb->ev.on_idle != NULL) {
            rb->ev.on_idle(rb->ev.arg);
        }
        return;
    }
    /* Only a unit exo started proves its role's secret: `exo send --as web` or a client
     * with the user token does not make web ready (issue 17 finding 3). */
    if (t->event[0] == 'r' && strcmp(t->event, "register") == 0 && t->role != NULL &&
        EXO_HAS(t, exo_bus_trace_t, credential) && t->credential != NULL &&
        strcmp(t->credential, "role") == 0 && rb->ev.on_register != NULL) {
        rb->ev.on_register(rb->ev.arg, t->role);
    }
    if (rb->ev.on_trace == NULL) {
        return;
    }
    rb->line.len = 0;
    if (exo_bus_trace_format(t, &rb->line)) {
        rb->ev.on_trace(rb->ev.arg, rb->line.data);
    }
}

exo_busfeed_t *exo_busfeed_start(const exo_app_t *app, const exo_registry_t *reg,
                                 exo_loop_t *loop, const char *bind_host,
                                 const exo_busfeed_events_t *ev, exo_error_t *err)
{
    exo_busfeed_t *rb = exo_xcalloc(1, sizeof *rb);
    rb->ev = *ev;
    rb->bus = exo_bus_start(app, reg, loop, NULL, bind_host, on_trace, rb, err);
    if (rb->bus == NULL) {
        free(rb);
        return NULL;
    }
    rb->endpoint = exo_xstrdup(exo_bus_endpoint(rb->bus));
    return rb;
}

const char *exo_busfeed_endpoint(const exo_busfeed_t *rb)
{
    return rb != NULL ? rb->endpoint : NULL;
}

int exo_busfeed_emit_env(exo_busfeed_t *rb, const exo_app_t *app, const exo_registry_t *reg,
                         const char *role, const char *unit_host, unsigned flags,
                         exo_env_t *env, exo_error_t *err)
{
    return exo_bus_emit_env(app, reg, rb != NULL ? rb->bus : NULL, role, unit_host, flags, env,
                            err);
}

const char *exo_busfeed_user_token(const exo_busfeed_t *rb)
{
    return rb != NULL ? exo_bus_user_token(rb->bus) : NULL;
}

json_t *exo_busfeed_stats(exo_busfeed_t *rb)
{
    return rb != NULL ? exo_bus_stats(rb->bus) : NULL;
}

void exo_busfeed_stop(exo_busfeed_t **rb_p)
{
    exo_busfeed_t *rb = *rb_p;
    if (rb == NULL) {
        return;
    }
    exo_bus_stop(&rb->bus);
    exo_buf_free(&rb->line);
    free(rb->endpoint);
    free(rb);
    *rb_p = NULL;
}
