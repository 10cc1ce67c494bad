/* core/run/unitspec.c - a unit's spec from the app model. See unitspec.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unitspec.h"
#include "base/util.h"

/* A spec and the storage it points into; spec first, so the spec's address is the owner's. */
typedef struct owned_spec {
    exo_unit_spec_t spec;
    exo_strv_t env;
    exo_strv_t mounts;
    exo_port_map_t port;
} owned_spec_t;

static char *dup_or_null(const char *s)
{
    return s != NULL ? exo_xstrdup(s) : NULL;
}

static void copy_list(exo_strv_t *to, const char *const *from)
{
    for (size_t i = 0; from != NULL && from[i] != NULL; i++) {
        exo_strv_push(to, from[i]);
    }
}

exo_unit_spec_t *exo_unitspec_copy(const exo_unit_spec_t *from)
{
    owned_spec_t *o = exo_xcalloc(1, sizeof *o);
    exo_unit_spec_t *s = &o->spec;
    *s = *from;
    s->size = sizeof *s;
    s->name = dup_or_null(from->name);
    s->dir = dup_or_null(from->dir);
    s->command = dup_or_null(from->command);
    s->image = dup_or_null(from->image);
    s->dockerfile = dup_or_null(from->dockerfile);
    s->user = dup_or_null(from->user);
    s->publish_address = dup_or_null(from->publish_address);
    if (from->options != NULL) {
        json_incref((json_t *)from->options);
    }
    copy_list(&o->env, from->env);
    s->env = (const char *const *)exo_strv_nullterm(&o->env);
    copy_list(&o->mounts, from->mounts);
    s->mounts = o->mounts.n > 0 ? (const char *const *)exo_strv_nullterm(&o->mounts) : NULL;
    if (from->n_ports > 0 && from->ports != NULL && from->ports[0].unit_port != 0) {
        o->port = from->ports[0]; /* the core gives a unit one port at most */
        s->ports = &o->port;
        s->n_ports = 1;
    } else {
        s->ports = NULL;
        s->n_ports = 0;
    }
    return s;
}

void exo_unitspec_free(exo_unit_spec_t **spec_p)
{
    exo_unit_spec_t *s = *spec_p;
    if (s == NULL) {
        return;
    }
    owned_spec_t *o = (owned_spec_t *)s;
    free((char *)s->name);
    free((char *)s->dir);
    free((char *)s->command);
    free((char *)s->image);
    free((char *)s->dockerfile);
    free((char *)s->user);
    free((char *)s->publish_address);
    json_decref((json_t *)s->options);
    exo_strv_free(&o->env);
    exo_strv_free(&o->mounts);
    free(o);
    *spec_p = NULL;
}

/* A frontend: this exo binary's `exo frontend ROLE` in the app's directory, listening on its
 * port (EXO_FRONTEND_LISTEN in its env). *owned gets the command, which the caller frees. */
static int from_frontend(const exo_unit_source_t *src, const exo_unit_place_t *place,
                         exo_unit_spec_t *us, exo_port_map_t *port, char **owned,
                         exo_error_t *err)
{
    const exo_service_t *svc = src->svc;
    if (src->role != EXO_UNIT_ROLE_SERVICE) {
        return exo_error_set(err, EXO_ERR_UNSUPPORTED, "frontend %s has no setup or test "
                             "command", svc->role);
    }
    char *self = exo_self_exe();
    if (self == NULL) {
        return exo_error_set(err, EXO_ERR_INTERNAL, "cannot find the exo binary to run "
                             "'exo frontend %s': %s", svc->role, strerror(errno));
    }
    char *quoted = exo_shell_quote(self);
    *owned = exo_strdupf("exec %s frontend %s", quoted, svc->role);
    free(quoted);
    free(self);
    us->name = src->label != NULL ? src->label : svc->role;
    us->mode = EXO_UNIT_SERVICE;
    us->dir = svc->dir;
    us->command = *owned;
    *port = (exo_port_map_t){.unit_port = place->listen_port, .host_port = place->host_port};
    us->publish_address = place->publish_address;
    return EXO_OK;
}

/* A service and its tasks: the service's directory and backend settings. */
static void from_service(const exo_unit_source_t *src, const exo_unit_place_t *place,
                         exo_unit_spec_t *us, exo_port_map_t *port)
{
    const exo_service_t *svc = src->svc;
    us->name = src->label != NULL ? src->label : svc->role;
    us->dir = svc->dir;
    us->options = exo_service_settings(svc, place->settings_section);
    switch (src->role) {
    case EXO_UNIT_ROLE_SETUP:
        us->mode = EXO_UNIT_TASK;
        us->command = svc->setup;
        break;
    case EXO_UNIT_ROLE_TEST:
        us->mode = EXO_UNIT_TASK;
        us->command = svc->test;
        break;
    default:
        us->mode = EXO_UNIT_SERVICE;
        us->command = svc->startup_command;
        if (svc->port != 0) {
            *port = (exo_port_map_t){
                .unit_port = place->containers ? svc->port : place->listen_port,
                .host_port = place->host_port};
            us->publish_address = place->publish_address;
        }
        break;
    }
}

/* A resource's server: what its plugin says, in the app's directory. */
static int from_resource(const exo_unit_source_t *src, const exo_unit_place_t *place,
                         exo_unit_spec_t *us, exo_port_map_t *port, exo_error_t *err)
{
    const exo_resource_unit_t *ru = src->server;
    if (place->containers && ru->image == NULL) {
        return exo_error_set(err, EXO_ERR_UNSUPPORTED, "resource type '%s' cannot run on the "
                             "%s backend (it has no container image)",
                             src->resource_type != NULL ? src->resource_type : "?",
                             place->backend != NULL ? place->backend : "container");
    }
    us->name = src->label != NULL ? src->label : src->resource;
    us->mode = EXO_UNIT_SERVICE;
    us->dir = src->app_dir;
    us->command = place->containers ? ru->container_command : ru->command;
    us->image = ru->image;
    us->user = ru->user;
    us->env = ru->env;
    us->mounts = place->containers ? ru->mounts : NULL;
    *port = (exo_port_map_t){.unit_port = place->containers ? ru->port : place->host_port,
                             .host_port = place->host_port};
    return EXO_OK;
}

exo_unit_spec_t *exo_unitspec_build(const exo_unit_source_t *src, const exo_unit_place_t *place,
                                    const char *const *env, exo_error_t *err)
{
    exo_unit_spec_t us = {.size = sizeof us};
    exo_port_map_t port = {0};
    char *command = NULL;
    if (src->role == EXO_UNIT_ROLE_RESOURCE) {
        if (from_resource(src, place, &us, &port, err) < 0) {
            return NULL;
        }
    } else if (src->svc->frontend != NULL) {
        if (from_frontend(src, place, &us, &port, &command, err) < 0) {
            return NULL;
        }
    } else {
        from_service(src, place, &us, &port);
    }
    if (env != NULL) {
        us.env = env;
    }
    if (port.unit_port != 0) {
        us.ports = &port;
        us.n_ports = 1;
    }
    exo_unit_spec_t *owned = exo_unitspec_copy(&us);
    json_decref((json_t *)us.options); /* the copy holds its own reference */
    free(command);
    return owned;
}

bool exo_unitspec_settings_unused(const exo_plugin_desc_t *desc, bool containers,
                                  const json_t *settings)
{
    if (json_object_size(settings) == 0) {
        return false;
    }
    if (desc == NULL || !EXO_HAS(desc, exo_plugin_desc_t, config) || desc->config == NULL) {
        return !containers;
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)settings, key, value) {
        for (const exo_config_key_t *k = desc->config; k->name != NULL; k++) {
            if (strcmp(k->name, key) == 0) {
                return false;
            }
        }
    }
    return true;
}
