/* core/cli/cmd_tail.c - `exo tail [--app DIR] [--json]`: every message the app's broker routes,
 * one line each, until Ctrl-C (exit 0) or the broker goes away (exit 1). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "cli.h"
#include "base/log.h"
#include "base/util.h"

int exo_cmd_tail(int argc, char **argv);

static void on_signal(int signo)
{
    (void)signo; /* only to interrupt the wait (EINTR): the client then returns */
}

static int print_event(void *arg, const json_t *ev)
{
    bool as_json = *(bool *)arg;
    char *line = as_json ? json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER)
                         : exo_bus_trace_line(ev);
    if (line != NULL) {
        puts(line);
        fflush(stdout);
        free(line);
    }
    return 0;
}

int exo_cmd_tail(int argc, char **argv)
{
    const char *app_dir = NULL;
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (strcmp(argv[i], "--app") == 0) {
            if (i + 1 >= argc) {
                return exo_cli_usage_error("tail", "--app needs a directory");
            }
            app_dir = argv[++i];
        } else if (strncmp(argv[i], "--app=", 6) == 0) {
            app_dir = argv[i] + 6;
        } else {
            return exo_cli_usage_error("tail", "unknown argument '%s'", argv[i]);
        }
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(app_dir, &code);
    if (app == NULL) {
        return code;
    }
    exo_registry_t *reg = NULL;
    char *endpoint = NULL, *control = NULL;
    exo_error_t err = {0};
    if (exo_bus_find(app, &endpoint, &control, &err) < 0) {
        exo_error("%s", err.message);
        code = EXO_EXIT_USER;
        goto out;
    }
    reg = exo_registry_load_kinds(app->dir, NULL, EXO_KIND_BIT(EXO_KIND_TRANSPORT));
    const exo_plugin_t *p = exo_bus_transport(reg, &err);
    if (p == NULL) {
        exo_error("%s", err.message);
        code = EXO_EXIT_INTERNAL;
        goto out;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait must see EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    const exo_transport_ops_t *ops = p->desc->ops;
    if (ops->client_tail(p->host, control, print_event, &as_json, &err) < 0) {
        exo_error("%s", err.message);
        code = EXO_EXIT_USER;
    }
out:
    free(endpoint);
    free(control);
    exo_registry_destroy(&reg);
    exo_app_destroy(&app);
    return code;
}
