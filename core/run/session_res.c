/* core/run/session_res.c - driving resource plugins for the session (exo/resource.h): create,
 * prepare, run the server as a unit, poll check_ready, provision, emit_env. See
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

int exo_session_provision(node_t *n)
{
    if (n->rops->provision == NULL) {
        return 0;
    }
    exo_error_t err = {0};
    int rc = n->rops->provision(n->rinst, &err);
    if (rc < 0) {
        exo_output_role_status(n->s->out, n->name, "failed: provisioning: %s", err.message);
    }
    return rc;
}

static int check_resource(void *arg, exo_error_t *err)
{
    node_t *n = arg;
    return n->rops->check_ready != NULL ? n->rops->check_ready(n->rinst, err) : 1;
}

void exo_session_start_resource(exo_session_t *s, node_t *n)
{
    exo_error_t err = {0};
    if (exo_session_backend_open(s, n->be, &err) < 0) {
        exo_output_role_status(s->out, n->name, "failed: backend %s: %s", n->be->name,
                               err.message);
        exo_session_up_finish(s, false);
        return;
    }
    if (n->sup == NULL && !n->no_server) {
        if (n->rops->prepare != NULL && n->rops->prepare(n->rinst, &err) < 0) {
            exo_output_role_status(s->out, n->name, "failed: prepare: %s", err.message);
            exo_session_up_finish(s, false);
            return;
        }
        n->runit = (exo_resource_unit_t){.size = sizeof n->runit};
        if (n->rops->unit(n->rinst, &n->runit, &err) < 0) {
            exo_output_role_status(s->out, n->name, "failed: %s", err.message);
            exo_session_up_finish(s, false);
            return;
        }
        if (n->runit.command == NULL && n->runit.image == NULL) {
            n->no_server = true;
        } else {
            if (n->be->containers && n->runit.image == NULL) {
                exo_output_role_status(s->out, n->name, "failed: resource type '%s' cannot run "
                                       "on the %s backend (it has no container image)",
                                       n->res->type, n->be->name);
                exo_session_up_finish(s, false);
                return;
            }
            n->reach_port = n->be->containers ? n->runit.port : n->host_port;
            exo_sup_spec_t spec = {
                .name = n->name,
                .mode = EXO_UNIT_SERVICE,
                .dir = s->app->dir,
                .command = n->be->containers ? n->runit.container_command
                                             : n->runit.command,
                .image = n->runit.image,
                .user = n->runit.user,
                .env = n->runit.env,
                .mounts = n->be->containers ? n->runit.mounts : NULL,
                .port = {.unit_port = n->be->containers ? n->runit.port : n->host_port,
                         .host_port = n->host_port},
                .ready = EXO_READY_STARTED,
                .check = check_resource,
                .check_arg = n,
                .ready_timeout_ms = RESOURCE_TIMEOUT_MS,
                /* A server that goes away while the app runs is always a fault, whatever
                 * its exit status (a SIGTERMed redis exits 0). */
                .restart = EXO_RESTART_ALWAYS,
                .max_restarts = 3,
                .ops = n->be->ops,
                .inst = n->be->inst,
                .loop = s->loop,
                .on_output = exo_session_node_output,
                .on_state = exo_session_node_state,
                .arg = n,
                .async_start = n->be->async_start,
            };
            n->sup = exo_sup_new(&spec);
        }
    }
    if (n->no_server) {
        if (!n->ready_noserver) {
            n->ready_noserver = exo_session_provision(n) == 0;
            if (!n->ready_noserver) {
                exo_session_up_finish(s, false);
                return;
            }
            exo_output_role_status(s->out, n->name, "ready (nothing to run)");
        }
        exo_session_pump(s);
        exo_session_check_up(s);
        return;
    }
    exo_sup_restart(n->sup, s->app->shutdown_grace_ms);
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
                      "failed to load", app->file, res->line, res->column, res->name,
                      res->type, names && names[0] ? names : "none");
        free(names);
        return EXO_ERR_NOTFOUND;
    }
    n->rops = p->desc->ops;
    n->host_port = exo_unitenv_free_port();
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
