/*
 * plugins/backend-common/ctrrun.h - what a run is on either container engine: its names,
 * labels and places, and the backend ops that only read them (unit_host, host_address,
 * host_bind_address).
 *
 * A backend's instance starts with a ctr_run_t, so the ops below take the instance as one.
 * Ownership: a ctr_run_t owns its strings (ctr_run_free). Threading: loop thread.
 */
#ifndef EXO_PLUGINS_CTRRUN_H
#define EXO_PLUGINS_CTRRUN_H

#include <exo/backend.h>

#include "ctrsettings.h"

typedef struct ctr_run {
    char *app;      /* sanitized */
    char *app_raw;  /* as in application.yml: the label value */
    char *run_id;
    char *network;  /* name: "exo-<app>-<run>" */
    char *gateway;  /* IP of the bridge on the host; set by the backend */
    char *log_dir;  /* where build logs and env files go */
    unsigned starts;
} ctr_run_t;

/** Engine names: lower-case [a-z0-9-], never empty. New string. */
char *ctr_sanitize(const char *s);

void ctr_run_init(ctr_run_t *r, const exo_host_t *host, const exo_run_spec_t *run);
void ctr_run_free(ctr_run_t *r);

/** The image built for @p unit: "exo-<app>-<unit>:latest". New string. */
char *ctr_image_tag(const ctr_run_t *r, const char *unit);

/**
 * What start() runs for @p spec: its settings (checked again: a unit may be started without
 * prepare()) in @p set, and in *@p image the image they name or else the one prepare()
 * built (new string). 0 or EXO_ERR_INVALID.
 */
int ctr_unit_image(const ctr_run_t *r, const char *engine, const exo_unit_spec_t *spec,
                   ctr_settings_t *set, char **image, exo_error_t *err);

/** A new container's name, unique in the run: "exo-<app>-<run>-<unit>-<n>". New string. */
char *ctr_container_name(ctr_run_t *r, const char *unit);

/** ops.unit_host: units reach each other by their network alias, the unit name. */
const char *ctr_unit_host(void *inst, const char *name);

/** ops.host_address: the bridge's gateway, one of the host's own addresses. */
const char *ctr_host_address(void *inst);

/** ops.host_bind_address: the same gateway; the least exposed address that the run's
 *  containers reach (their loopback is their own), and never 0.0.0.0. */
const char *ctr_host_bind_address(void *inst);

/* What every container backend can do: isolated units, image builds, asynchronous start. */
#define CTR_BACKEND_CAPS \
    (EXO_BACKEND_CAP_CONTAINERS | EXO_BACKEND_CAP_BUILD | EXO_BACKEND_CAP_ASYNC_START)

/* In a backend's exo_backend_ops_t initialiser: the ops a container backend takes from here. */
#define CTR_RUN_OPS                                                                       \
    .unit_host = ctr_unit_host, .host_address = ctr_host_address,                         \
    .host_bind_address = ctr_host_bind_address

/**
 * The path of the Dockerfile @p dockerfile of @p spec's service, or NULL (and
 * EXO_ERR_NOTFOUND in @p err, with what to do) when there is none. New string.
 */
char *ctr_dockerfile_path(const exo_unit_spec_t *spec, const char *dockerfile,
                          exo_error_t *err);

#endif /* EXO_PLUGINS_CTRRUN_H */
