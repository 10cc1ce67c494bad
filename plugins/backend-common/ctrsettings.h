/*
 * plugins/backend-common/ctrsettings.h - a service's settings on a container backend: the
 * keys docker and podman declare (config section "docker": service.yml's docker: block,
 * overlaid with application.yml services.<role>.options) and what a unit spec makes of them.
 *
 *   image:      run this image instead of building one
 *   dockerfile: the Dockerfile to build from, relative to the service directory
 *   dockerfile-prod: the Dockerfile of the production image (read by `exo build`)
 *   cpus:       number of CPUs, 0.01 up to this machine's count (docker --cpus)
 *   memory:     bytes, or a number with B, KiB, MiB, GiB (K/M/G and KB/MB/GB taken as the
 *               binary units, as docker does), at least 6 MiB (docker --memory)
 *
 * The core checks which keys a block has and their types against ctr_config_keys; ranges
 * and meaning are checked here, with messages naming the key. Threading: reentrant.
 */
#ifndef EXO_PLUGINS_CTRSETTINGS_H
#define EXO_PLUGINS_CTRSETTINGS_H

#include <exo/backend.h>

#define CTR_CONFIG_SECTION "docker"
#define CTR_MIN_MEMORY (6ull << 20)

/** The declared keys, ended by a NULL name. */
extern const exo_config_key_t ctr_config_keys[];

typedef struct ctr_settings {
    const char *image;      /* borrowed from the spec; NULL = build from the Dockerfile */
    const char *dockerfile; /* borrowed from the spec or static; never NULL */
    const char *dockerfile_prod; /* borrowed from the spec or static; never NULL */
    double cpus;                /* 0 = no limit */
    unsigned long long memory;  /* bytes; 0 = no limit */
} ctr_settings_t;

/**
 * Read @p spec's settings: spec->options first, then, for cores and plugins of ABI 1.0/1.1,
 * spec->image (a resource's server image) and spec->dockerfile. 0, or EXO_ERR_INVALID with
 * a message for the user that names @p engine, the unit and the key.
 */
int ctr_settings_read(const char *engine, const exo_unit_spec_t *spec, ctr_settings_t *out,
                      exo_error_t *err);

/** Parse a size (see above) into bytes; false when it is not one. */
bool ctr_parse_memory(const json_t *v, unsigned long long *out);

#endif /* EXO_PLUGINS_CTRSETTINGS_H */
