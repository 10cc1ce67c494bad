/* gencommon.c - what the generators read alike from the app model; see gencommon.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gencommon.h"

const char *gen_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

unsigned gen_uint(const json_t *o, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    return v > 0 && v < (json_int_t)1 << 31 ? (unsigned)v : 0;
}

int gen_check_schema(const json_t *model, const char *who, exo_error_t *err)
{
    json_int_t schema = json_integer_value(json_object_get(model, "schema"));
    if (schema != EXO_GENERATOR_MODEL_SCHEMA) {
        return exo_error_set(err, EXO_ERR_ABI, "%s: app model schema %lld, this generator "
                             "reads schema %d; use the exo it was built with", who,
                             (long long)schema, EXO_GENERATOR_MODEL_SCHEMA);
    }
    return EXO_OK;
}

int gen_add_file(exo_generator_sink_t *sink, const char *path, const exo_buf_t *b,
                 unsigned mode, exo_error_t *err)
{
    return sink->add_file(sink, path, b->data ? b->data : "", b->len, mode, err);
}

const char *gen_version(const json_t *model)
{
    const char *version = gen_str(model, "version");
    return version[0] ? version : "latest";
}

/* The service's docker settings: service.yml's docker: overlaid with options. New object. */
static json_t *docker_settings(const json_t *s)
{
    json_t *set = json_object();
    const json_t *docker = json_object_get(json_object_get(s, "sections"), "docker");
    if (json_is_object(docker)) {
        json_object_update(set, (json_t *)docker);
    }
    const json_t *options = json_object_get(s, "options");
    if (json_is_object(options)) {
        json_object_update(set, (json_t *)options);
    }
    return set;
}

static bool has_file(const json_t *s, const char *name)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(s, "files"), i, f) {
        if (strcmp(json_string_value(f), name) == 0) {
            return true;
        }
    }
    return false;
}

int gen_service_image(const json_t *model, const json_t *s, const char *who, gen_image_t *out,
                      exo_error_t *err)
{
    json_t *set = docker_settings(s);
    const char *role = gen_str(s, "role");
    const char *image = json_string_value(json_object_get(set, "image"));
    const char *dockerfile = json_string_value(json_object_get(set, "dockerfile"));
    int rc = EXO_OK;
    *out = (gen_image_t){0};
    if (image != NULL) {
        out->image = exo_xstrdup(image);
    } else if (dockerfile == NULL && !has_file(s, "Dockerfile")) {
        rc = exo_error_set(err, EXO_ERR_INVALID, "%s: service %s has no image and no "
                           "Dockerfile in %s; add one, or set docker: {image: ...} in its "
                           "service.yml", who, role, gen_str(s, "dir"));
    } else {
        out->image = exo_strdupf("%s-%s:%s", gen_str(model, "name"), role, gen_version(model));
        out->dockerfile = exo_xstrdup(dockerfile ? dockerfile : "Dockerfile");
    }
    json_decref(set);
    return rc;
}

void gen_image_free(gen_image_t *img)
{
    free(img->image);
    free(img->dockerfile);
    *img = (gen_image_t){0};
}

bool gen_ready_by_port(const json_t *s)
{
    const char *ready = gen_str(s, "ready");
    unsigned port = gen_uint(s, "port");
    return port > 0 && (strcmp(ready, "port") == 0 ||
                        (strcmp(ready, "auto") == 0 && json_object_get(s, "online_text") == NULL));
}

bool gen_resource_external(const json_t *r)
{
    return json_is_true(json_object_get(r, "external"));
}

const json_t *gen_resource(const json_t *model, const char *name)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(model, "resources"), i, r) {
        if (strcmp(gen_str(r, "name"), name) == 0) {
            return r;
        }
    }
    return NULL;
}

json_t *gen_bus_token_var(const json_t *model, const char *name)
{
    return json_pack("{s:s, s:s, s:b}", "name", name, "value",
                     gen_str(json_object_get(model, "bus"), "token"), "secret", 1);
}

char *gen_bus_endpoint(const json_t *model)
{
    const json_t *bus = json_object_get(model, "bus");
    return exo_strdupf("tcp://%s:%u", gen_str(bus, "host"), gen_uint(bus, "port"));
}

int gen_check_transport(const json_t *model, const char *who, exo_error_t *err)
{
    const char *transport = gen_str(json_object_get(model, "bus"), "transport");
    if (strcmp(transport, "zmq") != 0) {
        return exo_error_set(err, EXO_ERR_UNSUPPORTED, "%s: the app's bus transport is '%s'; "
                             "this generator knows how services reach the zmq transport only",
                             who, transport);
    }
    return EXO_OK;
}

int gen_gitignore(exo_generator_sink_t *sink, const char *who, exo_error_t *err)
{
    exo_buf_t b = {0};
    exo_buf_printf(&b, "# Generated by `exo generate %s`: secret values and the staged exo "
                   "stay out of version control.\nsecrets/\nbus/exo-root/\n", who);
    int rc = gen_add_file(sink, ".gitignore", &b, 0644, err);
    exo_buf_free(&b);
    return rc;
}

char *gen_bus_image(const json_t *model)
{
    return exo_strdupf("%s-bus:%s", gen_str(model, "name"), gen_version(model));
}

int gen_bus_dockerfile(const json_t *model, exo_generator_sink_t *sink, const char *path,
                       const char *who, exo_error_t *err)
{
    const char *out_rel = gen_str(model, "out_dir");
    if (out_rel[0] == '/' || strncmp(out_rel, "..", 2) == 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "%s: the output directory %s is outside "
                             "the app, but the bus image is built from the app directory; "
                             "choose --out inside it", who, out_rel);
    }
    unsigned port = gen_uint(json_object_get(model, "bus"), "port");
    const json_t *frontends = json_object_get(model, "frontends");
    /* Frontends run from this image too (`exo frontend ROLE`): their plugins need
     * libwebsockets with its libuv event library (plugins/frontend-common). */
    const char *libs = json_array_size(frontends) > 0
                       ? "libyaml-0-2 libjansson4 libltdl7 libzmq5 libwebsockets17 libuv1 "
                         "libwebsockets-evlib-uv"
                       : "libyaml-0-2 libjansson4 libltdl7 libzmq5";
    exo_buf_t b = {0};
    exo_buf_printf(&b,
        "# The bus of app %s: `exo bus`, routing by the app's manifests copied below.%s\n"
        "# Generated by `exo generate %s`; do not edit. Build context: the app directory.\n"
        "# Stage exo first, from exo's build tree: make install DESTDIR=<app>/%s/bus/exo-root\n"
        "FROM debian:bookworm-slim\n"
        "RUN { dpkg -s %s >/dev/null 2>&1 || \\\n"
        "      { apt-get update && apt-get install -y --no-install-recommends \\\n"
        "          %s && rm -rf /var/lib/apt/lists/*; }; }\n"
        "COPY %s/bus/exo-root/ /\n"
        "COPY application.yml /app/application.yml\n",
        gen_str(model, "name"), json_array_size(frontends) > 0 ? "\n# The app's "
        "frontends (`exo frontend ROLE`) run from this image as well." : "", who, out_rel, libs, libs, out_rel);
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(model, "services"), i, s) {
        exo_buf_printf(&b, "COPY %s/service.yml /app/%s/service.yml\n", gen_str(s, "dir"),
                       gen_str(s, "dir"));
    }
    int rc = EXO_OK;
    json_array_foreach(frontends, i, s) {
        /* A frontend's static files (the `static` key of the http and websocket plugins),
         * a directory of the app. */
        const char *dir = gen_str(json_object_get(s, "config"), "static");
        if (dir[0] == '\0') {
            continue;
        }
        if (dir[0] == '/' || strstr(dir, "..") != NULL || strpbrk(dir, " \t\n\"\\") != NULL) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "%s: frontend %s: static '%s' must be a "
                               "directory inside the app, without '..' or spaces, to be copied "
                               "into the bus image", who, gen_str(s, "role"), dir);
            break;
        }
        exo_buf_printf(&b, "COPY %s/ /app/%s/\n", dir, dir);
    }
    if (rc < 0) {
        exo_buf_free(&b);
        return rc;
    }
    exo_buf_printf(&b,
        "RUN ldconfig\n"
        "WORKDIR /app\n"
        "EXPOSE %u\n"
        "CMD [\"exo\", \"bus\", \"--app\", \"/app\", \"--listen\", \"tcp://0.0.0.0:%u\"]\n",
        port, port);
    rc = gen_add_file(sink, path, &b, 0644, err);
    exo_buf_free(&b);
    return rc;
}
