/*
 * gencommon.h - what the generator plugins (compose, kubernetes) read alike from the app
 * model of exo/generator.h: typed lookups, a service's image, readiness a probe can see, the
 * deployment's bus credential and the bus image's Dockerfile. Built once as a convenience
 * library linked into each generator (hidden visibility: a plugin still exports only
 * exo_plugin_describe).
 *
 * Ownership: returned strings and JSON are the caller's unless said otherwise; model values
 * are borrowed. Threading: none (called from generate(), on the loop thread).
 */
#ifndef EXO_GENCOMMON_H
#define EXO_GENCOMMON_H

#include <stdbool.h>

#include <exo/generator.h>

#include "base/util.h"

/** The string at @p key of object @p o, or "" when absent (borrowed). */
const char *gen_str(const json_t *o, const char *key);

/** The positive integer at @p key, or 0 when absent or out of range. */
unsigned gen_uint(const json_t *o, const char *key);

/** Fails (err filled) unless @p model is of the schema this plugin reads; @p who prefixes
 *  the message ("compose"). */
int gen_check_schema(const json_t *model, const char *who, exo_error_t *err);

/** Add @p b to @p sink as @p path with @p mode. */
int gen_add_file(exo_generator_sink_t *sink, const char *path, const exo_buf_t *b,
                 unsigned mode, exo_error_t *err);

/** The model's version, or "latest" when the app has none (borrowed). */
const char *gen_version(const json_t *model);

/** What a generator runs for service @p s (a model service). */
typedef struct gen_image {
    char *image;      /* the image to run: the docker settings' image, else APP-ROLE:VERSION */
    char *dockerfile; /* NULL when the image is given; else the Dockerfile to build it from,
                       * relative to the service's directory */
} gen_image_t;

/**
 * The image of service @p s: `image` of its docker settings (service.yml's docker: overlaid
 * with options), else one built from its Dockerfile (the `dockerfile` setting or a file named
 * Dockerfile). Fails, naming the service and what to add, when it has neither.
 */
int gen_service_image(const json_t *model, const json_t *s, const char *who, gen_image_t *out,
                      exo_error_t *err);
void gen_image_free(gen_image_t *img);

/** True when the engine can see service @p s become ready: it listens on a port and its
 *  readiness is that port (`ready: port`, or `auto` with a port and no online text). Online
 *  text and bus registration are only in its output or the broker. */
bool gen_ready_by_port(const json_t *s);

/** True when resource @p r (a model resource) is an existing server the app points at
 *  (deploy-url): a generator runs nothing for it; its services have its URL. */
bool gen_resource_external(const json_t *r);

/** The model resource named @p name, or NULL (borrowed). */
const json_t *gen_resource(const json_t *model, const char *name);

/** The model's bus token as a secret variable @p name in the model's VAR form. New. */
json_t *gen_bus_token_var(const json_t *model, const char *name);

/** The bus's endpoint for services, "tcp://HOST:PORT" (zmq). New string. */
char *gen_bus_endpoint(const json_t *model);

/** Fails (err filled) unless the model's transport is one this generator knows (zmq). */
int gen_check_transport(const json_t *model, const char *who, exo_error_t *err);

/**
 * Add @p path (e.g. "bus/Dockerfile"): the image of the bus, `exo bus` with the app's
 * manifests, built with the app directory as context. Fails when the output directory is
 * outside the app (the Dockerfile copies from it). @p who names the generator in the file's
 * header ("compose").
 */
int gen_bus_dockerfile(const json_t *model, exo_generator_sink_t *sink, const char *path,
                       const char *who, exo_error_t *err);

/** Add ".gitignore": secrets/ and the staged exo (bus/exo-root/) stay out of version
 *  control. @p who names the generator in its comment. */
int gen_gitignore(exo_generator_sink_t *sink, const char *who, exo_error_t *err);

/** The image name of the bus: APP-bus:VERSION. New string. */
char *gen_bus_image(const json_t *model);

#endif /* EXO_GENCOMMON_H */
