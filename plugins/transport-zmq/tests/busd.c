/*
 * busd - drive the zmq transport plugin without an app (tests and benchmarks):
 *   busd serve [--events] [--max-size BYTES] [--token T] ROUTES.json [ENDPOINT]
 *        prints "endpoint E", "token T" (the user token: given, or drawn) and "control C",
 *        then (with --events) one JSON line per broker event, until SIGINT/SIGTERM
 *   busd stats CONTROL             print the broker's state as JSON
 * The clients (stats, send, tail) use the user token in $EXO_BUS_TOKEN.
 *   busd send ENDPOINT ROLE NAME [JSON [WAIT_MS]]   one message; with WAIT_MS print the reply
 *   busd tail CONTROL [COUNT]      print COUNT (default: all) events as JSON lines
 * `serve --env ROLE` (repeatable) also prints the variables the transport's emit_env gives a
 * unit of ROLE, as "env NAME=VALUE" lines before the control line.
 * The plugin is $EXO_PLUGIN_PATH/transport_T.so, T = $EXO_BUS_TRANSPORT (default zmq): the bus
 * tests run per transport. Exit: 0 ok, 1 bus error, 2 setup error.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>

#include <exo/transport.h>

#include "base/env.h"
#include "base/loop.h"
#include "base/util.h"
#include "../../../tests/support/test_host.h"

static exo_loop_t *loop;

static void on_signal(int signo, void *arg)
{
    exo_loop_stop(loop);
}

static void print_event(void *arg, const json_t *ev)
{
    char *s = json_dumps(ev, JSON_COMPACT);
    if (s != NULL) {
        printf("%s\n", s);
        fflush(stdout);
    }
    free(s);
}

static int tail_count;

static int tail_fn(void *arg, const json_t *ev)
{
    print_event(arg, ev);
    return tail_count > 0 && --tail_count == 0;
}

static int busd_env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    return exo_env_set(env, name, value, flags);
}

/* "env NAME=VALUE" for every variable emit_env gives a unit of @p role (127.0.0.1 host). */
static int print_env(const exo_host_t *host, const exo_transport_ops_t *ops, void *b,
                     const char *role)
{
    if (!EXO_HAS(ops, exo_transport_ops_t, emit_env) || ops->emit_env == NULL) {
        return 0;
    }
    exo_env_t *env = exo_env_new();
    exo_error_t err = {0};
    int rc = ops->emit_env(host, b, NULL, role, "127.0.0.1", 0, env, &err);
    if (rc < 0) {
        fprintf(stderr, "busd: emit_env %s: %s\n", role, err.message);
    } else {
        char **vars = exo_env_strings(env);
        for (char **v = vars; *v != NULL; v++) {
            printf("env %s %s\n", role, *v);
        }
        exo_env_free_strings(vars);
    }
    exo_env_destroy(&env);
    return rc;
}

static int serve(const exo_host_t *host, const exo_transport_ops_t *ops, int argc, char **argv)
{
    exo_strv_t env_roles = {0};
    bool events = false;
    const char *given = NULL;
    size_t max = 0;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--events") == 0) {
            events = true;
        } else if (strcmp(argv[i], "--token") == 0 && i + 1 < argc) {
            given = argv[++i];
        } else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc) {
            exo_strv_push(&env_roles, argv[++i]);
        } else if (strcmp(argv[i], "--max-size") == 0 && i + 1 < argc) {
            max = strtoul(argv[++i], NULL, 10);
        }
    }
    if (i >= argc) {
        fprintf(stderr, "busd serve: missing ROUTES.json\n");
        exo_strv_free(&env_roles);
        return 2;
    }
    json_error_t jerr;
    json_t *routes = json_load_file(argv[i], 0, &jerr);
    if (routes == NULL) {
        fprintf(stderr, "busd: %s:%d: %s\n", argv[i], jerr.line, jerr.text);
        exo_strv_free(&env_roles);
        return 2;
    }
    char token[65];
    exo_random_hex(token, 32);
    if (given != NULL) {
        snprintf(token, sizeof token, "%s", given);
    }
    exo_bus_spec_t spec = {
        .size = sizeof spec, .app = "busd", .listen = i + 1 < argc ? argv[i + 1] : NULL,
        .routes = routes, .max_message_size = max, .on_event = events ? print_event : NULL,
        .user_token = token,
    };
    void *b = NULL;
    exo_error_t err = {0};
    int rc = ops->broker_open(host, &spec, &b, &err);
    json_decref(routes);
    if (rc < 0) {
        fprintf(stderr, "busd: %s\n", err.message);
        exo_strv_free(&env_roles);
        return 2;
    }
    /* The token and env lines before the control line: tests wait for "control" and then read
     * the rest. */
    printf("endpoint %s\ntoken %s\n", ops->broker_endpoint(b), token);
    for (size_t k = 0; k < env_roles.n; k++) {
        print_env(host, ops, b, env_roles.v[k]);
    }
    exo_strv_free(&env_roles);
    printf("control %s\n", ops->broker_control_endpoint(b));
    fflush(stdout);
    exo_loop_signal(loop, SIGINT, on_signal, NULL);
    exo_loop_signal(loop, SIGTERM, on_signal, NULL);
    exo_loop_run(loop);
    ops->broker_close(b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: busd serve|stats|send|tail ... (see the source)\n");
        return 2;
    }
    const char *dir = getenv("EXO_PLUGIN_PATH");
    const char *transport = getenv("EXO_BUS_TRANSPORT");
    char path[4096];
    snprintf(path, sizeof path, "%s/transport_%s.so", dir ? dir : "plugins/.libs",
             transport != NULL && transport[0] != '\0' ? transport : "zmq");
    loop = exo_loop_new();
    exo_host_t host;
    exo_test_host_init(&host, loop, "busd");
    host.env_set = busd_env_set;
    void *handle = NULL;
    const exo_plugin_desc_t *d = exo_test_plugin_load(path, &host, &handle);
    if (d == NULL) {
        exo_loop_destroy(&loop);
        return 2;
    }
    const exo_transport_ops_t *ops = d->ops;
    int rc = 0;
    exo_error_t err = {0};
    if (strcmp(argv[1], "serve") == 0) {
        rc = serve(&host, ops, argc - 2, argv + 2);
    } else if (strcmp(argv[1], "stats") == 0) {
        json_t *st = NULL;
        rc = ops->client_stats(&host, argv[2], &st, &err, getenv("EXO_BUS_TOKEN")) < 0 ? 1 : 0;
        if (st != NULL) {
            print_event(NULL, st);
            json_decref(st);
        }
    } else if (strcmp(argv[1], "send") == 0 && argc >= 5) {
        json_t *payload = argc > 5 ? json_loads(argv[5], JSON_DECODE_ANY, NULL) : NULL;
        exo_bus_send_t req = {
            .size = sizeof req, .endpoint = argv[2], .role = argv[3], .name = argv[4],
            .payload = payload, .wait = argc > 6,
            .timeout_ms = argc > 6 ? (unsigned)atoi(argv[6]) : 0,
            .token = getenv("EXO_BUS_TOKEN"),
        };
        json_t *reply = NULL;
        rc = ops->client_send(&host, &req, &reply, &err) < 0 ? 1 : 0;
        if (reply != NULL) {
            print_event(NULL, reply);
            json_decref(reply);
        }
        json_decref(payload);
    } else if (strcmp(argv[1], "tail") == 0) {
        tail_count = argc > 3 ? atoi(argv[3]) : 0;
        rc = ops->client_tail(&host, argv[2], tail_fn, NULL, &err, getenv("EXO_BUS_TOKEN")) < 0
                 ? 1 : 0;
    } else {
        fprintf(stderr, "busd: unknown command '%s'\n", argv[1]);
        rc = 2;
    }
    if (rc == 1) {
        fprintf(stderr, "busd: %s\n", err.message);
    }
    if (d->fini != NULL) {
        d->fini();
    }
    exo_loop_destroy(&loop);
    if (getenv("EXO_TEST_NO_DLCLOSE") == NULL) {
        dlclose(handle);
    }
    return rc;
}
