/*
 * wsserve - drive a frontend plugin without an app or a bus (tests of what the plugin itself
 * answers: paths, the access prefix, upgrades):
 *   wsserve PLUGIN.so HOST:PORT TOKEN|- STATIC_DIR|-
 * opens the plugin with spec->access_token = TOKEN ("-": none) and `static: STATIC_DIR`
 * (absolute; its parent is taken as the app's directory), prints "listening at URL", then
 * serves until SIGINT/SIGTERM. The core's side is a stub: every connection is accepted at
 * once as an anonymous user and printed as "conn_open N credential=C" (C "-" when none);
 * nothing reaches a bus. Exit: 0 after a signal, 2 when the plugin does not open.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/frontend.h>

#include "base/loop.h"
#include "base/util.h"
#include "../../../tests/support/test_host.h"

static exo_loop_t *loop;
static const exo_frontend_ops_t *ops;
static void *inst;
static exo_conn_id_t next_id;

static void on_signal(int signo, void *arg)
{
    (void)signo;
    (void)arg;
    exo_loop_stop(loop);
}

static exo_conn_id_t stub_open(exo_frontend_bus_t *bus, const char *peer, const char *credential,
                               exo_error_t *err)
{
    (void)bus;
    (void)peer;
    (void)err;
    exo_conn_id_t id = ++next_id;
    printf("conn_open %llu credential=%s\n", (unsigned long long)id,
           credential != NULL ? credential : "-");
    fflush(stdout);
    ops->auth_done(inst, id, NULL, NULL, NULL);
    return id;
}

static int stub_send(exo_frontend_bus_t *bus, exo_conn_id_t conn, const char *name,
                     const char *payload, size_t len, const char *request, unsigned timeout_ms,
                     exo_error_t *err)
{
    (void)bus, (void)payload, (void)len, (void)timeout_ms, (void)err;
    exo_frontend_msg_t m = {.size = sizeof m, .error = "no-receiver", .request = request,
                            .message = "wsserve has no bus"};
    (void)name;
    ops->deliver(inst, conn, &m);
    return 0;
}

static void stub_close(exo_frontend_bus_t *bus, exo_conn_id_t conn)
{
    (void)bus;
    printf("conn_close %llu\n", (unsigned long long)conn);
    fflush(stdout);
}

static const exo_frontend_bus_ops_t stub_ops = {
    .size = sizeof stub_ops, .conn_open = stub_open, .conn_send = stub_send,
    .conn_close = stub_close,
};

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: wsserve PLUGIN.so HOST:PORT TOKEN|- STATIC_DIR|-\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    loop = exo_loop_new();
    exo_host_t host;
    exo_test_host_init(&host, loop, "wsserve");
    void *handle = NULL;
    const exo_plugin_desc_t *d = exo_test_plugin_load(argv[1], &host, &handle);
    if (d == NULL || d->kind != EXO_KIND_FRONTEND) {
        fprintf(stderr, "wsserve: %s is no frontend plugin\n", argv[1]);
        return 2;
    }
    ops = d->ops;
    const char *static_dir = strcmp(argv[4], "-") != 0 ? argv[4] : NULL;
    const char *slash = static_dir != NULL ? strrchr(static_dir, '/') : NULL;
    char *app_dir = slash != NULL && slash != static_dir
                        ? exo_xstrndup(static_dir, (size_t)(slash - static_dir))
                        : exo_xstrdup("/tmp");
    json_t *config = static_dir != NULL ? json_pack("{s:s}", "static", static_dir)
                                        : json_object();
    exo_frontend_spec_t spec = {
        .size = sizeof spec, .app = "wsserve", .app_dir = app_dir, .role = "web",
        .listen = argv[2], .config = config, .max_message_size = 64 * 1024,
        .bus_ops = &stub_ops, .bus = NULL,
        .access_token = strcmp(argv[3], "-") != 0 ? argv[3] : NULL,
    };
    exo_error_t err = {0};
    if (ops->open(&host, &spec, &inst, &err) < 0) {
        fprintf(stderr, "wsserve: %s\n", err.message);
        return 2;
    }
    printf("listening at %s\n", ops->endpoint(inst));
    fflush(stdout);
    exo_loop_signal(loop, SIGINT, on_signal, NULL);
    exo_loop_signal(loop, SIGTERM, on_signal, NULL);
    exo_loop_run(loop);
    ops->close(inst);
    if (d->fini != NULL) {
        d->fini();
    }
    json_decref(config);
    free(app_dir);
    exo_loop_destroy(&loop);
    return 0;
}
