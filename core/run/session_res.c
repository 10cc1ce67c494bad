/* core/run/session_res.c - driving resource plugins for the session (exo/resource.h): create,
 * prepare, run the server as a unit, poll check_ready, provision, emit_env. It reports back
 * only through return values and the session's registered node callbacks. See
 * session_int.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model/statedir.h"
#include "unitenv.h"
#include "session_int.h"

#define RESOURCE_TIMEOUT_MS 60000

static node_t *resource_node(exo_session_t *s, const char *name)
{
    for (size_t i = s->app->n_services; i < s->n_nodes; i++) {
        if (strcmp(s->nodes[i].name, name) == 0) {
            return &s->nodes[i];
        }
    }
    return NULL;
}

int exo_session_resource_env(void *arg, const exo_service_t *svc, const char *name,
                             exo_env_t *env, exo_error_t *err)
{
    exo_session_t *s = arg;
    node_t *r = resource_node(s, name);
    if (r == NULL || r->rinst == NULL || r->rops->emit_env == NULL) {
        return EXO_OK;
    }
    char *prefix = exo_unitenv_prefix(name);
    int rc = r->rops->emit_env(r->rinst, env, prefix, exo_session_unit_host(r->be, name),
                               r->reach_port, err);
    free(prefix);
    return rc;
}

int exo_session_provision(node_t *n, exo_error_t *err)
{
    if (n->rops->provision == NULL) {
        return EXO_OK;
    }
    exo_error_t perr = {0};
    int rc = n->rops->provision(n->rinst, &perr);
    if (rc < 0) {
        exo_error_set(err, rc, "provisioning: %s", perr.message);
    }
    return rc;
}

static int check_resource(void *arg, exo_error_t *err)
{
    node_t *n = arg;
    return n->rops->check_ready != NULL ? n->rops->check_ready(n->rinst, err) : 1;
}

/* Ask the plugin what its server is and make its supervisor; no server: n->no_server. */
static int make_server(exo_session_t *s, node_t *n, exo_error_t *err)
{
    exo_error_t perr = {0};
    if (n->rops->prepare != NULL && n->rops->prepare(n->rinst, &perr) < 0) {
        return exo_error_set(err, perr.code, "prepare: %s", perr.message);
    }
    n->runit = (exo_resource_unit_t){.size = sizeof n->runit};
    if (n->rops->unit(n->rinst, &n->runit, err) < 0) {
        return err->code < 0 ? err->code : EXO_ERR_INTERNAL;
    }
    if (n->runit.command == NULL && n->runit.image == NULL) {
        n->no_server = true;
        return EXO_OK;
    }
    n->reach_port = n->be->containers ? n->runit.port : n->host_port;
    exo_unit_source_t src = {.role = EXO_UNIT_ROLE_RESOURCE, .resource = n->name,
                             .resource_type = n->res->type, .app_dir = s->app->dir,
                             .server = &n->runit};
    exo_unit_place_t place = exo_session_place(n->be, n->host_port, n->host_port);
    exo_unit_spec_t *unit = exo_unitspec_build(&src, &place, NULL, err);
    if (unit == NULL) {
        return err->code;
    }
    exo_sup_spec_t spec = exo_session_sup_spec(s, n->be, unit, n);
    spec.check = check_resource;
    spec.check_arg = n;
    spec.ready_timeout_ms = RESOURCE_TIMEOUT_MS;
    /* A server that goes away while the app runs is always a fault, whatever its exit status
     * (a SIGTERMed redis exits 0). */
    spec.restart = EXO_RESTART_ALWAYS;
    spec.max_restarts = 3;
    /* Build (pull) what the server needs before its first start; its restarts reuse it. */
    int rc = exo_session_backend_prepare(s, n->be, unit, n->name, NULL, err);
    if (rc == 0) {
        n->sup = exo_sup_new(&spec);
    }
    exo_unitspec_free(&unit);
    return rc;
}

exo_res_start_t exo_session_start_resource(exo_session_t *s, node_t *n, exo_error_t *err)
{
    if (n->sup == NULL && !n->no_server && make_server(s, n, err) < 0) {
        return EXO_RES_FAILED;
    }
    if (n->no_server) {
        if (!n->ready_noserver) {
            if (exo_session_provision(n, err) < 0) {
                return EXO_RES_FAILED;
            }
            n->ready_noserver = true;
            exo_output_role_status(s->out, n->name, "ready (nothing to run)");
        }
        return EXO_RES_READY;
    }
    exo_sup_restart(n->sup, s->app->shutdown_grace_ms);
    return EXO_RES_STARTING;
}

int exo_session_create_resource(exo_session_t *s, node_t *n, exo_error_t *err)
{
    const exo_app_t *app = s->app;
    const exo_resource_t *res = n->res;
    const exo_plugin_t *p = exo_registry_find(s->reg, EXO_KIND_RESOURCE, res->type);
    if (p == NULL) {
        char *names = exo_registry_names(s->reg, EXO_KIND_RESOURCE);
        exo_error_set(err, EXO_ERR_NOTFOUND, "%s:%d:%d: resource '%s': no working resource "
                      "plugin of type '%s' (available: %s); 'exo plugins' shows why one "
                      "failed to load%s", app->file, res->line, res->column, res->name,
                      res->type, names && names[0] ? names : "none",
                      exo_registry_skipped_note(s->reg));
        free(names);
        return EXO_ERR_NOTFOUND;
    }
    n->rops = p->desc->ops;
    n->host_port = exo_session_private_port(s);
    n->reach_port = n->host_port;
    char *data_dir = exo_statedir_resource_data(s->exo_dir, res->name);
    exo_statedir_mkdir(data_dir);
    exo_resource_spec_t spec = {
        .size = sizeof spec, .app = app->name, .name = res->name, .type = res->type,
        .config = res->config, .app_dir = app->dir, .data_dir = data_dir,
        .containers = n->be->containers, .fresh = s->opts.fresh,
        .host_port = n->host_port,
    };
    int rc = n->rops->create(p->host, &spec, &n->rinst, err);
    free(data_dir);
    if (rc < 0) {
        n->rinst = NULL;
        return rc;
    }
    return EXO_OK;
}
