/* core/cli/cmd_bus.c - `exo bus [--app DIR] [--listen ENDPOINT] [--quiet]`: the app's broker on its
 * own, printing one trace line per broker event (none with --quiet), until SIGINT or SIGTERM.
 * Lines are built from the broker's plain fields (no JSON) into stdout's buffer, which is
 * flushed whenever the broker goes idle rather than per line: one write(2) per burst. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "commands.h"
#include "base/log.h"
#include "base/util.h"

static void print_trace(void *arg, const exo_bus_trace_t *t)
{
    exo_buf_t *line = arg;
    if (t == NULL) {
        fflush(stdout);
        return;
    }
    line->len = 0;
    if (exo_bus_trace_format(t, line)) {
        exo_buf_append(line, "\n", 1);
        fwrite(line->data, 1, line->len, stdout);
    }
}

static void on_signal(int signo, void *arg)
{
    exo_loop_stop(arg);
}

typedef struct bus_opts {
    const char *app, *listen;
    bool quiet;
} bus_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    (void)args;
    const bus_opts_t *o = opts;
    const char *app_dir = o->app, *listen = o->listen;
    bool quiet = o->quiet;
    /* Before anything is printed; flushed when the broker goes idle and on the way out. */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(app_dir, &code);
    if (app == NULL) {
        return code;
    }
    exo_loop_t *loop = exo_loop_new();
    exo_registry_t *reg =
        exo_registry_load_kinds(app->dir, loop, EXO_KIND_BIT(EXO_KIND_TRANSPORT));
    exo_error_t err = {0};
    exo_buf_t line = {0};
    exo_bus_t *bus = exo_bus_start(app, reg, loop, listen, NULL, quiet ? NULL : print_trace,
                                   &line, &err);
    if (bus == NULL) {
        exo_error("%s", err.message);
        code = err.code == EXO_ERR_NOTFOUND || err.code == EXO_ERR_ABI ? EXO_EXIT_INTERNAL
                                                                       : EXO_EXIT_USER;
    } else {
        printf("exo bus: app %s listening on %s (control %s); Ctrl-C stops it\n", app->name,
               exo_bus_endpoint(bus), exo_bus_control_endpoint(bus));
        fflush(stdout);
        exo_loop_signal(loop, SIGINT, on_signal, loop);
        exo_loop_signal(loop, SIGTERM, on_signal, loop);
        if (exo_loop_run(loop) < 0) {
            code = EXO_EXIT_INTERNAL;
        }
        exo_bus_stop(&bus);
        fflush(stdout);
    }
    exo_buf_free(&line);
    exo_registry_destroy(&reg);
    exo_loop_destroy(&loop);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", bus_opts_t, app, 0,
               "the app directory (default: the nearest application.yml at or\n"
               "above the current directory)"),
    EXO_OPTION("listen", 0, EXO_OPT_VALUE, "ENDPOINT", bus_opts_t, listen, 0,
               "where services connect (default: bus.listen of application.yml,\n"
               "tcp://127.0.0.1:0 = any free port); give a fixed port to restart\n"
               "the broker under running services"),
    EXO_OPTION("quiet", 'q', EXO_OPT_FLAG, NULL, bus_opts_t, quiet, 0,
               "print no trace lines (exo tail still shows the traffic)"),
    EXO_OPTIONS_END,
};

static const exo_command_t *const subcommands[] = {&exo_cmd_bus_status, NULL};

const exo_command_t exo_cmd_bus = {
    .name = "bus",
    .summary = "run the app's message bus on its own, printing every routed message",
    .max_args = 0,
    .description =
        "Runs the broker of the app's transport plugin (bus.transport) with the routing table from\nthe manifests "
        "until SIGINT or SIGTERM, and prints one line per broker event:\n"
        "  web  --[ users.list ]->  users                        delivered\n"
        "  web  --[ tweets create ]-[ snippets create ]->  tweets   delivered, translated\n"
        "  web  --[ users.drop ]->  (denied)                    not delivered, and why\n"
        "  users online (instance 1, HOST:PID)                  a service registered\n"
        "Services connect where the transport tells them (EXO_BUS_ENDPOINT). While it runs,\n"
        "DIR/.exo/bus.json ({endpoint, control, pid}) lets exo send, exo tail and exo bus status\n"
        "find it (exo bus status shows the state of a broker exo run or exo bus runs). exo run\n"
        "embeds the same broker, so use exo bus only to run services by hand.",
    .options = options,
    .opts_size = sizeof(bus_opts_t),
    .epilog = "Exit status: 0 stopped by a signal, 1 bad arguments, invalid app, endpoint in use "
              "or a\nbroker already running for the app, 2 internal error (e.g. the transport\nplugin is missing).",
    .run = run,
    .subcommands = subcommands,
};
