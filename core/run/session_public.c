/* core/run/session_public.c - a session's public endpoints (application.yml
 * services.<role>.public and frontends.<role>.public, core/model/endpoint.h): their pinned
 * ports checked free before anything starts, their URLs said and recorded once the app is
 * ready; a frontend's URL also when exo picked its port. See session_int.h. */
#include "config.h"

#include <stdlib.h>

#include "base/log.h"
#include "portcheck.h"
#include "record.h"
#include "unitenv.h"
#include "session_int.h"

unsigned exo_session_private_port(const exo_session_t *s)
{
    for (int tries = 0;; tries++) {
        unsigned port = exo_unitenv_free_port();
        bool pinned = false;
        for (size_t i = 0; i < s->app->n_services && !pinned; i++) {
            pinned = s->app->services[i].public_endpoint.port == port;
        }
        if (!pinned || tries == 16) {
            return port;
        }
    }
}

/* A service node this up() starts (not one already running) that has a public endpoint. */
static const exo_public_t *starting_public(const node_t *n)
{
    if (n->is_resource || !n->wanted || n->svc->public_endpoint.port == 0) {
        return NULL;
    }
    if (n->sup != NULL) {
        exo_sup_state_t st = exo_sup_state(n->sup);
        if (st != EXO_SUP_IDLE && st != EXO_SUP_STOPPED) {
            return NULL; /* it holds the port itself */
        }
    }
    return &n->svc->public_endpoint;
}

int exo_session_public_check(exo_session_t *s)
{
    int rc = EXO_OK;
    for (size_t i = 0; i < s->app->n_services; i++) {
        const node_t *n = &s->nodes[i];
        const exo_public_t *p = starting_public(n);
        exo_error_t err = {0};
        if (p != NULL && exo_portcheck_listen(p->bind, p->port, &err) < 0) {
            exo_output_role_status(s->out, n->name, "failed: %s (application.yml "
                                   "%s.%s.public)", err.message,
                                   n->svc->frontend ? "frontends" : "services", n->name);
            rc = err.code;
        }
    }
    return rc;
}

/* What a node publishes: its public endpoint, or for a private frontend the loopback port
 * exo picked for this run (a frontend is there to be opened, so it is said too). */
static exo_public_t node_endpoint(const node_t *n)
{
    const exo_public_t *p = &n->svc->public_endpoint;
    if (p->port != 0) {
        return *p;
    }
    if (n->svc->frontend != NULL && n->host_port != 0) {
        return (exo_public_t){.port = n->host_port, .bind = (char *)EXO_PUBLIC_BIND_DEFAULT};
    }
    return (exo_public_t){0};
}

void exo_session_public_announce(exo_session_t *s)
{
    json_t *list = json_array();
    for (size_t i = 0; i < s->app->n_services; i++) {
        const node_t *n = &s->nodes[i];
        exo_public_t ep = node_endpoint(n);
        const exo_public_t *p = &ep;
        if (!n->wanted || p->port == 0) {
            continue;
        }
        char *url = exo_public_url(p);
        if (n->svc->public_endpoint.port == 0) {
            exo_output_role_status(s->out, n->name, "at %s (a port picked for this run; "
                                   "frontends.%s.public pins one)", url, n->name);
        } else if (exo_public_is_loopback(p)) {
            exo_output_role_status(s->out, n->name, "public at %s", url);
        } else {
            exo_output_role_status(s->out, n->name, "public at %s (bound to %s: reachable "
                                   "from other machines)", url, p->bind);
        }
        json_t *e = json_pack("{s:s, s:s, s:i, s:s}", "role", n->name, "url", url, "port",
                              (int)p->port, "bind", p->bind);
        if (n->svc->frontend != NULL) {
            json_object_set_new(e, "frontend", json_string(n->svc->frontend->type));
        }
        json_array_append_new(list, e);
        free(url);
    }
    if (json_array_size(list) > 0 && s->recorded &&
        exo_record_set_endpoints(s->exo_dir, json_incref(list)) < 0) {
        exo_warn("cannot record the public endpoints in %s", s->exo_dir);
    }
    json_decref(list);
}
