/*
 * backend-docker: runs an app's units as Docker containers, through the Docker Engine API on
 * its Unix socket (engine.h: libcurl, DOCKER_HOST=unix://PATH, default /var/run/docker.sock):
 * no docker CLI, no output parsing. This file is the Engine API calls and their mapping to
 * units; what it shares with backend-podman is in plugins/backend-common/.
 *
 * Per run: one bridge network "exo-<app>-<run>" labelled exo.app/exo.run; each unit is a
 * container on it with the unit name as network alias, labelled exo.app/exo.run/exo.unit,
 * ports published on 127.0.0.1 (a public endpoint on the address the app binds). prepare()
 * builds "exo-<app>-<unit>:latest" from the service directory (context.h writes the tar
 * build context) and keeps the build log in the plugin's state directory. Output comes from
 * /containers/ID/logs?follow=1 and the exit from /containers/ID/wait, both streamed.
 *
 * Threading: everything runs on the loop thread. Units are created, started and removed
 * through asynchronous requests driven by the host's loop (so the engine works on all units
 * of a run in parallel), as are the logs, wait and stop requests; open(), kill(), close(),
 * cleanup() and the build in prepare() (which the ABI lets block) wait for their answers.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <exo/backend.h>

#include "base/util.h"

#include "../backend-common/ctrbuild.h"
#include "../backend-common/ctrclean.h"
#include "../backend-common/ctrlines.h"
#include "../backend-common/ctrqueue.h"
#include "../backend-common/ctrrun.h"
#include "../backend-common/ctrsettings.h"
#include "../backend-common/ctrunit.h"
#include "context.h"
#include "engine.h"

#define REQUEST_TIMEOUT_MS 30000 /* blocking requests: network, inspect, kill, remove */
#define DRAIN_TIMEOUT_MS 60000   /* close(): how long removals in flight may take */

static const exo_host_t *g_host;

/* ---- blocking Engine API calls ---------------------------------------------------------------- */

/**
 * One blocking request with an optional JSON @p body. On success @p resp holds the status
 * and the body; statuses >= 400 are not errors here: callers decide, and api_ok() words them.
 */
static int api_call(const char *method, const char *path, json_t *body, engine_response_t *resp,
                    exo_error_t *err)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int rc = engine_call(method, path, text ? "application/json" : NULL, text,
                         text ? strlen(text) : 0, REQUEST_TIMEOUT_MS, NULL, NULL, resp, err);
    free(text);
    return rc;
}

/* The status of a blocking request whose body does not matter, or a negative error. */
static int api_status(const char *method, const char *path, exo_error_t *err)
{
    engine_response_t resp;
    int rc = api_call(method, path, NULL, &resp, err);
    engine_response_free(&resp);
    return rc < 0 ? rc : (int)resp.status;
}

/* Like api_call, but any status >= 400 is an error worded with the engine's message. */
static int api_ok(const char *method, const char *path, json_t *body, json_t **out,
                  const char *doing, exo_error_t *err)
{
    engine_response_t resp;
    int rc = api_call(method, path, body, &resp, err);
    if (rc == 0 && resp.status >= 400) {
        char msg[400];
        engine_message(&resp, msg, sizeof msg);
        rc = exo_error_set(err, resp.status == 404 ? EXO_ERR_NOTFOUND : EXO_ERR_IO,
                           "docker: %s failed (HTTP %ld): %s", doing, resp.status, msg);
    } else if (rc == 0 && out != NULL) {
        *out = resp.body.data ? json_loads(resp.body.data, 0, NULL) : NULL;
    }
    engine_response_free(&resp);
    return rc;
}

/* Remove container @p id (and its anonymous volumes) now, whatever its state. True when this
 * call removed it; an engine that cannot is worth a warning, one already gone (404) not. */
static bool remove_container(const char *id)
{
    char *path = exo_strdupf("/containers/%s?force=1&v=1", id);
    exo_error_t err;
    int status = api_status("DELETE", path, &err);
    if (status < 0) {
        exo_log_warn(g_host, "%s", err.message);
    } else if (status >= 400 && status != 404) {
        exo_log_warn(g_host, "could not remove container %.12s (HTTP %d); `exo clean` retries",
                     id, status);
    }
    free(path);
    return status >= 200 && status < 300;
}

/* A filters= value selecting what is labelled exo.app=@p app. */
static char *label_filter(const char *app)
{
    json_t *f = json_pack("{s:[s+]}", "label", "exo.app=", app);
    char *s = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    char *e = exo_url_encode(s);
    free(s);
    return e;
}

/* ---- instances ---------------------------------------------------------------------------- */

typedef struct docker_inst {
    ctr_run_t ctr; /* first: ctrrun.h's ops take the instance as one */
    ctr_pending_t removing; /* container removals in flight; close() waits for them */
    /* Creates go to the engine one at a time, in the order of start() calls: dockerd is
     * slower at parallel creates than at serial ones (lock contention), and a FIFO keeps the
     * core's order, slowest unit first, so its start-up overlaps the engine's other work.
     * Starts, which dominate, still run in parallel. */
    ctr_queue_t creates; /* limit 1 */
} docker_inst_t;

struct exo_unit {
    ctr_unit_t ctr; /* first: ctrunit.h's functions take the unit as one */
    docker_inst_t *inst;
    char *name;
    char *id;
    char *create_path;  /* until the create request is sent */
    char *create_body;
    engine_request_t *step; /* create or start request in flight */
    engine_request_t *logs, *wait, *stop;
    engine_request_t *inspect; /* after the start: State.Pid for unit_pid (ABI 1.5) */
    exo_buf_t frame;   /* multiplexed log frames not yet complete */
    exo_buf_t out[3];  /* partial lines, indexed by stream id */
};

static int docker_probe(const exo_host_t *host, exo_error_t *err)
{
    int status = api_status("GET", "/_ping", err);
    if (status >= 0 && status != 200) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE,
                             "the Docker engine answered /_ping with HTTP %d; check `docker "
                             "info` and the dockerd log", status);
    }
    return status < 0 ? status : 0;
}

static void inst_free(docker_inst_t *in)
{
    ctr_queue_free(&in->creates);
    ctr_pending_free(&in->removing);
    ctr_run_free(&in->ctr);
    free(in);
}

/* The run network's gateway, the host's address on its bridge. */
static int network_gateway(docker_inst_t *in, exo_error_t *err)
{
    char *path = exo_strdupf("/networks/%s", in->ctr.network);
    json_t *out = NULL;
    int rc = api_ok("GET", path, NULL, &out, "inspecting the run network", err);
    free(path);
    json_t *cfg = json_object_get(json_object_get(out, "IPAM"), "Config");
    const char *gw = json_string_value(json_object_get(json_array_get(cfg, 0), "Gateway"));
    in->ctr.gateway = exo_xstrdup(gw ? gw : "");
    json_decref(out);
    if (rc == 0 && in->ctr.gateway[0] == '\0') {
        rc = exo_error_set(err, EXO_ERR_IO, "docker: network %s has no gateway address",
                           in->ctr.network);
    }
    return rc;
}

static int docker_open(const exo_host_t *host, const exo_run_spec_t *run, void **instp,
                       exo_error_t *err)
{
    int rc = docker_probe(host, err);
    if (rc < 0) {
        return rc;
    }
    docker_inst_t *in = exo_xcalloc(1, sizeof *in);
    ctr_run_init(&in->ctr, host, run);
    in->creates.limit = 1;
    json_t *body = json_pack("{s:s, s:s, s:b, s:{s:s, s:s}}", "Name", in->ctr.network, "Driver",
                             "bridge", "CheckDuplicate", 1, "Labels", "exo.app", run->app,
                             "exo.run", run->run_id);
    rc = api_ok("POST", "/networks/create", body, NULL, "creating the run network", err);
    json_decref(body);
    if (rc == 0 && (rc = network_gateway(in, err)) < 0) {
        char *del = exo_strdupf("/networks/%s", in->ctr.network);
        exo_error_t e2;
        api_status("DELETE", del, &e2);
        free(del);
    }
    if (rc < 0) {
        inst_free(in);
        return rc;
    }
    *instp = in;
    return 0;
}

/* ---- images --------------------------------------------------------------------------------- */

/* The build's answer: a stream of JSON messages, one a line. */
typedef struct docker_build {
    ctr_build_t b;
    exo_buf_t pending; /* messages not yet split */
} docker_build_t;

/* A "stream" or "status" value may hold several lines or none. */
static void build_text(docker_build_t *db, const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t shown = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
        if (shown > 0) {
            ctr_build_line(&db->b, EXO_STREAM_STDOUT, p, shown);
        }
        p += nl ? n + 1 : n;
    }
}

static void build_body(void *arg, const char *p, size_t n)
{
    docker_build_t *db = arg;
    exo_buf_append(&db->pending, p, n);
    size_t start = 0;
    for (size_t i = 0; i < db->pending.len; i++) {
        if (db->pending.data[i] != '\n') {
            continue;
        }
        json_t *j = json_loadb(db->pending.data + start, i - start, 0, NULL);
        start = i + 1;
        const char *s = json_string_value(json_object_get(j, "stream"));
        const char *e = json_string_value(json_object_get(j, "error"));
        const char *status = json_string_value(json_object_get(j, "status"));
        if (s != NULL) {
            build_text(db, s);
        }
        if (status != NULL) {
            build_text(db, status);
        }
        if (e != NULL) {
            ctr_build_error(&db->b, e, strlen(e));
            build_text(db, e);
        }
        json_decref(j);
    }
    exo_buf_consume(&db->pending, start);
}

static int check_image(const char *unit, const char *image, exo_error_t *err)
{
    char *e = exo_url_encode(image);
    char *path = exo_strdupf("/images/%s/json", e);
    free(e);
    int status = api_status("GET", path, err);
    free(path);
    if (status >= 0 && status != 200) {
        return exo_error_set(err, EXO_ERR_NOTFOUND,
                             "service %s: image %s is not on this Docker engine; pull or "
                             "build it (`docker pull %s`), or remove `image` from its "
                             "service.yml to build from its Dockerfile", unit, image, image);
    }
    return status < 0 ? status : 0;
}

/* POST /build's path: tag, Dockerfile and labels of @p spec's image. */
static char *build_path(docker_inst_t *in, const exo_unit_spec_t *spec, const char *dockerfile)
{
    json_t *l = json_pack("{s:s, s:s}", "exo.app", in->ctr.app_raw, "exo.unit", spec->name);
    char *s = json_dumps(l, JSON_COMPACT);
    json_decref(l);
    char *tag = ctr_built_image(&in->ctr, spec);
    char *elabels = exo_url_encode(s), *etag = exo_url_encode(tag);
    char *edf = exo_url_encode(dockerfile);
    char *path = exo_strdupf("/build?t=%s&dockerfile=%s&labels=%s&rm=1&forcerm=1", etag, edf,
                             elabels);
    free(s);
    free(tag);
    free(elabels);
    free(etag);
    free(edf);
    return path;
}

static int build_image(void *instp, const exo_unit_spec_t *spec, const char *dockerfile,
                       const char *dfpath, exo_error_t *err)
{
    docker_inst_t *in = instp;
    exo_buf_t tar = {0};
    int rc = context_tar(spec->dir, &tar, err);
    if (rc < 0) {
        exo_buf_free(&tar);
        return rc;
    }
    char *path = build_path(in, spec, dockerfile);
    docker_build_t db = {0};
    ctr_build_open(&db.b, &in->ctr, spec);
    engine_response_t resp;
    rc = engine_call("POST", path, "application/x-tar", tar.data, tar.len, 0, build_body, &db,
                     &resp, err);
    exo_buf_free(&tar);
    free(path);
    if (rc == 0 && resp.status >= 400) {
        /* Errors before the build starts come as one JSON message. */
        char msg[400];
        rc = exo_error_set(err, EXO_ERR_IO, "service %s: image build failed: %s", spec->name,
                           engine_message(&resp, msg, sizeof msg));
    } else if (rc == 0 && db.b.error[0] != '\0') {
        rc = ctr_build_failed(&db.b, "", err);
    }
    engine_response_free(&resp);
    ctr_build_close(&db.b);
    exo_buf_free(&db.pending);
    return rc;
}

static int docker_prepare(void *instp, const exo_unit_spec_t *spec, exo_error_t *err)
{
    static const ctr_image_ops_t image_ops = {.check = check_image, .build = build_image};
    return ctr_prepare("docker", &image_ops, instp, spec, err);
}

/* ---- running units ---------------------------------------------------------------------------- */

static void unit_close_requests(struct exo_unit *u)
{
    engine_request_free(u->step);
    engine_request_free(u->logs);
    engine_request_free(u->wait);
    engine_request_free(u->stop);
    engine_request_free(u->inspect);
    u->step = u->logs = u->wait = u->stop = u->inspect = NULL;
    ctr_unit_cancel_linger(&u->ctr);
}

/* ctr_unit_t.finish: the exit is reported next. */
static void unit_finish(ctr_unit_t *cu)
{
    struct exo_unit *u = (struct exo_unit *)cu;
    for (int s = 1; s <= 2; s++) {
        ctr_lines_flush(&u->out[s], s, ctr_unit_output, &u->ctr);
    }
    unit_close_requests(u);
}

static void logs_body(void *arg, const char *p, size_t n)
{
    struct exo_unit *u = arg;
    exo_buf_append(&u->frame, p, n);
    /* Frames: [stream, 0, 0, 0, size (big endian u32)] then size bytes of payload. */
    size_t off = 0;
    while (u->frame.len - off >= 8) {
        const unsigned char *h = (const unsigned char *)u->frame.data + off;
        size_t size = ((size_t)h[4] << 24) | ((size_t)h[5] << 16) | ((size_t)h[6] << 8) | h[7];
        if (u->frame.len - off < 8 + size) {
            break;
        }
        int stream = h[0] == 2 ? EXO_STREAM_STDERR : EXO_STREAM_STDOUT;
        ctr_lines_feed(&u->out[stream], stream, u->frame.data + off + 8, size, ctr_unit_output,
                       &u->ctr);
        off += 8 + size;
    }
    exo_buf_consume(&u->frame, off);
}

static void logs_done(void *arg, engine_request_t *r, bool ok)
{
    struct exo_unit *u = arg;
    engine_request_free(u->logs);
    u->logs = NULL;
    ctr_unit_logs_done(&u->ctr);
}

static void wait_done(void *arg, engine_request_t *r, bool ok)
{
    struct exo_unit *u = arg;
    const engine_response_t *resp = engine_request_response(r);
    json_t *j = ok && resp->body.data ? json_loads(resp->body.data, 0, NULL) : NULL;
    json_t *code = json_object_get(j, "StatusCode");
    int status = json_is_integer(code) ? (int)json_integer_value(code) : 255;
    if (!ok || code == NULL) {
        exo_log_warn(g_host, "unit %s: lost the wait on container %.12s; reporting it as gone",
                     u->name, u->id);
    }
    json_decref(j);
    engine_request_free(u->wait);
    u->wait = NULL;
    ctr_unit_exited(&u->ctr, status);
}

static void stop_done(void *arg, engine_request_t *r, bool ok)
{
    struct exo_unit *u = arg;
    engine_request_free(u->stop);
    u->stop = NULL;
}

static json_t *create_body(docker_inst_t *in, const exo_unit_spec_t *spec, const char *image,
                           const ctr_settings_t *set)
{
    json_t *env = json_array();
    for (const char *const *e = spec->env; e && *e; e++) {
        json_array_append_new(env, json_string(*e));
    }
    json_t *exposed = json_object(), *bindings = json_object();
    for (size_t i = 0; i < spec->n_ports; i++) {
        char key[32];
        snprintf(key, sizeof key, "%u/tcp", spec->ports[i].unit_port);
        json_object_set_new(exposed, key, json_object());
        if (spec->ports[i].host_port != 0) {
            char hp[16];
            snprintf(hp, sizeof hp, "%u", spec->ports[i].host_port);
            json_object_set_new(bindings, key,
                                json_pack("[{s:s, s:s}]", "HostIp",
                                          ctr_unit_publish_address(spec), "HostPort", hp));
        }
    }
    json_t *body = json_pack(
        "{s:s, s:o, s:o, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:o, s:b}, s:{s:{s:{s:[s]}}}}",
        "Image", image, "Env", env, "ExposedPorts", exposed, "Labels", "exo.app", in->ctr.app_raw,
        "exo.run", in->ctr.run_id, "exo.unit", spec->name, "exo.mode",
        spec->mode == EXO_UNIT_TASK ? "task" : "service", "HostConfig", "NetworkMode",
        in->ctr.network, "PortBindings", bindings, "Init", 1, "NetworkingConfig",
        "EndpointsConfig", in->ctr.network, "Aliases", spec->name);
    if (spec->command != NULL) {
        json_object_set_new(body, "Cmd", json_pack("[s, s, s]", "/bin/sh", "-c", spec->command));
    }
    json_t *hc = json_object_get(body, "HostConfig");
    if (set->cpus > 0) {
        json_object_set_new(hc, "NanoCpus", json_integer((json_int_t)(set->cpus * 1e9 + 0.5)));
    }
    if (set->memory > 0) {
        json_object_set_new(hc, "Memory", json_integer((json_int_t)set->memory));
    }
    /* mounts was appended to the spec: a core built before it passes a shorter struct. */
    if (spec->size >= offsetof(exo_unit_spec_t, mounts) + sizeof spec->mounts &&
        spec->mounts != NULL) {
        json_t *binds = json_array();
        for (const char *const *m = spec->mounts; *m != NULL; m++) {
            json_array_append_new(binds, json_string(*m));
        }
        json_object_set_new(hc, "Binds", binds);
    }
    return body;
}

static int docker_kill(void *instp, exo_unit_t *u, exo_error_t *err);

/* The message of a failed step: the engine's own words, or why no answer came. */
static void step_error(engine_request_t *r, bool ok, const char *doing, char *out, size_t n)
{
    const engine_response_t *resp = engine_request_response(r);
    if (!ok) {
        snprintf(out, n, "docker: %s failed: %s", doing, engine_request_error(r));
        return;
    }
    char msg[400];
    snprintf(out, n, "docker: %s failed (HTTP %ld): %s", doing, resp->status,
             engine_message(resp, msg, sizeof msg));
}

/* The inspect after the start: the container's pid on the host (unit_pid). A failure only
 * leaves the pid unknown. */
static void inspect_done(void *arg, engine_request_t *r, bool ok)
{
    struct exo_unit *u = arg;
    u->inspect = NULL;
    const engine_response_t *resp = engine_request_response(r);
    json_t *j = ok && resp->status == 200 && resp->body.data != NULL
                    ? json_loads(resp->body.data, 0, NULL)
                    : NULL;
    if (!ctr_unit_learn(&u->ctr, j)) {
        exo_log_debug(g_host, "unit %s: no pid from inspecting container %s", u->name, u->id);
    }
    json_decref(j);
    engine_request_free(r);
}

/* The container runs: follow its output and its exit. */
static void unit_follow(struct exo_unit *u)
{
    /* logs?follow replays from the container's start, so nothing is lost by attaching after
     * it; wait (condition not-running) answers at once if it already ended. */
    exo_error_t err = {0};
    char *path = exo_strdupf("/containers/%s/logs?follow=1&stdout=1&stderr=1", u->id);
    u->logs = engine_request_start("GET", path, NULL, logs_body, logs_done, u, &err);
    free(path);
    path = exo_strdupf("/containers/%s/wait", u->id);
    u->wait = u->logs ? engine_request_start("POST", path, NULL, NULL, wait_done, u, &err)
                      : NULL;
    free(path);
    if (u->wait == NULL) {
        engine_request_free(u->logs);
        u->logs = NULL;
        ctr_unit_fail(&u->ctr, err.message);
        return;
    }
    path = exo_strdupf("/containers/%s/json", u->id);
    u->inspect = engine_request_start("GET", path, NULL, NULL, inspect_done, u, &err);
    free(path);
    if (!ctr_unit_started(&u->ctr) && docker_kill(u->inst, u, &err) < 0) {
        exo_log_warn(g_host, "%s", err.message);
    }
}

static void start_done(void *arg, engine_request_t *r, bool ok)
{
    struct exo_unit *u = arg;
    u->step = NULL;
    if (!ok || engine_request_response(r)->status >= 400) {
        char why[600];
        step_error(r, ok, "starting the container", why, sizeof why);
        engine_request_free(r);
        ctr_unit_fail(&u->ctr, why);
        return;
    }
    engine_request_free(r);
    unit_follow(u);
}

static void create_done(void *arg, engine_request_t *r, bool ok)
{
    struct exo_unit *u = arg;
    u->step = NULL;
    ctr_queue_leave(&u->inst->creates, ctr_unit_launch_queued);
    const engine_response_t *resp = engine_request_response(r);
    if (!ok || resp->status >= 400) {
        char why[600];
        step_error(r, ok, "creating the container", why, sizeof why);
        engine_request_free(r);
        ctr_unit_fail(&u->ctr, why);
        return;
    }
    json_t *j = resp->body.data ? json_loads(resp->body.data, 0, NULL) : NULL;
    const char *id = json_string_value(json_object_get(j, "Id"));
    if (id != NULL) {
        free(u->id);
        u->id = exo_xstrdup(id);
        ctr_unit_set_id(&u->ctr, id);
    }
    json_decref(j);
    engine_request_free(r);
    if (u->ctr.cancel) {
        ctr_unit_fail(&u->ctr, NULL);
        return;
    }
    exo_error_t err = {0};
    char *path = exo_strdupf("/containers/%s/start", u->id);
    u->step = engine_request_start("POST", path, NULL, NULL, start_done, u, &err);
    free(path);
    if (u->step == NULL) {
        ctr_unit_fail(&u->ctr, err.message);
    }
}

/* ctr_unit_t.launch: the unit's turn in the create queue came. */
static int send_create(ctr_unit_t *cu, exo_error_t *err)
{
    struct exo_unit *u = (struct exo_unit *)cu;
    u->step = engine_request_start("POST", u->create_path, u->create_body, NULL, create_done, u,
                                   err);
    free(u->create_body);
    free(u->create_path);
    u->create_body = NULL;
    u->create_path = NULL;
    return u->step != NULL ? 0 : -1;
}

static void unit_free(struct exo_unit *u)
{
    for (int s = 0; s < 3; s++) {
        exo_buf_free(&u->out[s]);
    }
    exo_buf_free(&u->frame);
    free(u->create_path); /* a unit stopped before its create was sent */
    free(u->create_body);
    free(u->name);
    free(u->id);
    free(u);
}

/*
 * Creating and starting a container takes the engine a few hundred milliseconds each, so
 * start() only queues the create request: the rest follows on the loop, and the units of a
 * run are created and started by the engine in parallel. A failure after start() returned is
 * reported as an exit with status 125 and a line on stderr saying why.
 */
static int docker_start(void *instp, const exo_unit_spec_t *spec, exo_unit_t **unitp,
                        exo_error_t *err)
{
    docker_inst_t *in = instp;
    ctr_settings_t set;
    char *image = NULL;
    int rc = ctr_unit_image(&in->ctr, "docker", spec, &set, &image, err);
    if (rc < 0) {
        return rc;
    }
    json_t *body = create_body(in, spec, image, &set);
    free(image);
    struct exo_unit *u = exo_xcalloc(1, sizeof *u);
    u->inst = in;
    u->name = exo_xstrdup(spec->name);
    u->id = ctr_container_name(&in->ctr, spec->name); /* an id until the engine answers */
    char *ename = exo_url_encode(u->id);
    u->create_path = exo_strdupf("/containers/create?name=%s", ename);
    free(ename);
    u->create_body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    ctr_unit_init(&u->ctr, g_host, spec, unit_finish, send_create);
    if (ctr_queue_enter(&in->creates, &u->ctr) && send_create(&u->ctr, err) < 0) {
        in->creates.busy--; /* nothing was queued behind it: the slot is simply free */
        unit_free(u);
        return err ? err->code : EXO_ERR_IO;
    }
    *unitp = u;
    return 0;
}

static int docker_stop(void *instp, exo_unit_t *u, unsigned grace_ms, exo_error_t *err)
{
    if (ctr_unit_settled(&u->ctr) || u->stop != NULL) {
        return 0; /* not running yet: create_done or start_done ends it */
    }
    /* The engine counts the grace in whole seconds; round up so it is never shorter. */
    char *path = exo_strdupf("/containers/%s/stop?t=%u", u->id, (grace_ms + 999) / 1000);
    u->stop = engine_request_start("POST", path, NULL, NULL, stop_done, u, err);
    free(path);
    return u->stop ? 0 : (err ? err->code : EXO_ERR_IO);
}

static int docker_kill(void *instp, exo_unit_t *u, exo_error_t *err)
{
    if (ctr_unit_settled(&u->ctr)) {
        return 0;
    }
    char *path = exo_strdupf("/containers/%s/kill", u->id);
    int status = api_status("POST", path, err);
    free(path);
    /* 409: it is not running any more; the wait request reports the exit. */
    if (status >= 400 && status != 409 && status != 404) {
        return exo_error_set(err, EXO_ERR_IO, "docker: killing %s failed (HTTP %d)", u->name,
                             status);
    }
    return status < 0 ? status : 0;
}

static void removal_done(void *arg, engine_request_t *r, bool ok)
{
    docker_inst_t *in = arg;
    ctr_pending_drop(&in->removing, r);
    long status = engine_request_response(r)->status;
    if (ok && status >= 400 && status != 404) {
        exo_log_warn(g_host, "removing a container failed (HTTP %ld); `exo clean` retries",
                     status);
    }
    engine_request_free(r);
}

static void docker_release(void *instp, exo_unit_t *u)
{
    docker_inst_t *in = instp;
    unit_close_requests(u);
    /* Removal (the vfs driver deletes a whole filesystem copy) continues while exo goes on. */
    char *path = exo_strdupf("/containers/%s?force=1&v=1", u->id);
    exo_error_t err = {0};
    engine_request_t *rm = engine_request_start("DELETE", path, NULL, NULL, removal_done, in,
                                                &err);
    free(path);
    if (rm == NULL) {
        remove_container(u->id);
    } else {
        ctr_pending_add(&in->removing, rm);
    }
    unit_free(u);
}

static bool no_removals(void *arg)
{
    return ((docker_inst_t *)arg)->removing.n == 0;
}

static void docker_close(void *instp)
{
    docker_inst_t *in = instp;
    /* The network goes only after the removals in flight (blocking, bounded). */
    engine_wait(no_removals, in, DRAIN_TIMEOUT_MS);
    while (in->removing.n > 0) {
        engine_request_t *r = in->removing.items[0];
        ctr_pending_drop(&in->removing, r);
        engine_request_free(r);
    }
    char *path = exo_strdupf("/networks/%s", in->ctr.network);
    exo_error_t err;
    int status = api_status("DELETE", path, &err);
    if (status < 0) {
        exo_log_warn(g_host, "%s", err.message);
    } else if (status >= 400 && status != 404) {
        exo_log_warn(g_host, "removing network %s failed (HTTP %d); `exo clean` retries",
                     in->ctr.network, status);
    }
    free(path);
    inst_free(in);
}

/* What GET @p what (containers/json?all=1 or networks) lists with label exo.app=@p app,
 * checked again by ctr_leftovers_parse so that nothing else is ever removed. */
static int list_labelled(const char *what, const char *app, ctr_leftovers_t *out,
                         exo_error_t *err)
{
    bool networks = strncmp(what, "net", 3) == 0;
    char *filter = label_filter(app);
    char *path = exo_strdupf("/%s%sfilters=%s", what, strchr(what, '?') ? "&" : "?", filter);
    char *doing = exo_strdupf("listing the app's %s", networks ? "networks" : "containers");
    json_t *list = NULL;
    int rc = api_ok("GET", path, NULL, &list, doing, err);
    ctr_list_keys_t keys = {"Id", networks ? "Name" : "Names", "Labels", NULL};
    ctr_leftovers_parse(list, app, &keys, out);
    json_decref(list);
    free(doing);
    free(path);
    free(filter);
    return rc;
}

/* Remove the app's containers, then its networks, saying what went. */
static int docker_cleanup(const exo_host_t *host, const char *app, const char *state_dir,
                          exo_error_t *err)
{
    ctr_leftovers_t found = {0};
    int rc = list_labelled("containers/json?all=1", app, &found, err);
    for (size_t i = 0; i < found.n; i++) {
        found.v[i].removed = remove_container(found.v[i].id);
    }
    ctr_report_removed(host, app, "container", &found);
    ctr_leftovers_free(&found);
    if (rc == 0) {
        rc = list_labelled("networks", app, &found, err);
        for (size_t i = 0; i < found.n; i++) {
            char *del = exo_strdupf("/networks/%s", found.v[i].id);
            exo_error_t del_err;
            int status = api_status("DELETE", del, &del_err);
            found.v[i].removed = status >= 200 && status < 300;
            if (status < 0) {
                exo_log_warn(host, "%s", del_err.message);
            } else if (status >= 400 && status != 404) {
                exo_log_warn(host, "could not remove network %s (HTTP %d)", found.v[i].name,
                             status);
            }
            free(del);
        }
        ctr_report_removed(host, app, "network", &found);
        ctr_leftovers_free(&found);
    }
    return rc;
}

static int docker_init(const exo_host_t *host, exo_error_t *err)
{
    g_host = host;
    return engine_init(host, err);
}

static void docker_fini(void)
{
    engine_fini();
}

static const exo_backend_ops_t docker_ops = {
    .size = sizeof(exo_backend_ops_t),
    .probe = docker_probe,
    .open = docker_open,
    .prepare = docker_prepare,
    .start = docker_start,
    .stop = docker_stop,
    .kill = docker_kill,
    .release = docker_release,
    .close = docker_close,
    .cleanup = docker_cleanup,
    CTR_RUN_OPS,
    CTR_UNIT_OPS,
};

EXO_BACKEND_PLUGIN_CONFIG("docker", PACKAGE_VERSION,
                          "runs units as Docker containers through the Engine API socket",
                          CTR_BACKEND_CAPS, docker_init, docker_fini,
                          &docker_ops, ctr_config_keys, CTR_CONFIG_SECTION)
