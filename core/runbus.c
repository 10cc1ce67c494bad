/* core/runbus.c - adapter over the embedded broker (core/bus.h). See runbus.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runbus.h"
#include "util.h"

#if defined(__has_include)
#if __has_include("bus.h")
#define HAVE_EXO_BUS 1
#include "bus.h"
#endif
#endif

struct exo_runbus {
    exo_runbus_events_t ev;
#ifdef HAVE_EXO_BUS
    exo_bus_t *bus;
#endif
    char *endpoint;
};

#ifdef HAVE_EXO_BUS
static void on_event(void *arg, const json_t *event)
{
    exo_runbus_t *rb = arg;
    const char *kind = json_string_value(json_object_get(event, "event"));
    if (kind != NULL && strcmp(kind, "register") == 0) {
        const char *role = json_string_value(json_object_get(event, "role"));
        if (role != NULL && rb->ev.on_register != NULL) {
            rb->ev.on_register(rb->ev.arg, role);
        }
    }
    if (rb->ev.on_trace == NULL) {
        return;
    }
    char *line = exo_bus_trace_line(event);
    if (line != NULL) {
        rb->ev.on_trace(rb->ev.arg, line);
        free(line);
    }
}
#endif

exo_runbus_t *exo_runbus_start(const exo_app_t *app, const exo_registry_t *reg, exo_loop_t *loop,
                               const char *listen, const exo_runbus_events_t *ev,
                               exo_error_t *err)
{
#ifdef HAVE_EXO_BUS
    exo_runbus_t *rb = exo_xcalloc(1, sizeof *rb);
    rb->ev = *ev;
    rb->bus = exo_bus_start(app, reg, loop, listen, on_event, rb, err);
    if (rb->bus == NULL) {
        free(rb);
        return NULL;
    }
    rb->endpoint = exo_xstrdup(exo_bus_endpoint(rb->bus));
    return rb;
#else
    (void)app;
    (void)listen;
    (void)reg;
    (void)loop;
    (void)ev;
    exo_error_set(err, EXO_ERR_UNAVAILABLE, "this exo was built without the embedded bus");
    return NULL;
#endif
}

const char *exo_runbus_endpoint(const exo_runbus_t *rb)
{
    return rb != NULL ? rb->endpoint : NULL;
}

void exo_runbus_stop(exo_runbus_t **rb_p)
{
    exo_runbus_t *rb = *rb_p;
    if (rb == NULL) {
        return;
    }
#ifdef HAVE_EXO_BUS
    exo_bus_stop(&rb->bus);
#endif
    free(rb->endpoint);
    free(rb);
    *rb_p = NULL;
}
