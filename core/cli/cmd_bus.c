/* core/cli/cmd_bus.c - `exo bus --app DIR [--listen ENDPOINT] [--quiet]`: the app's broker on its
 * own, printing one trace line per broker event (none with --quiet), until SIGINT or SIGTERM.
 * Lines are built from the broker's plain fields (no JSON) into stdout's buffer, which is
 * flushed whenever the broker goes idle rather than per line: one write(2) per burst. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "cli.h"
#include "base/log.h"
#include "base/util.h"

int exo_cmd_bus(int argc, char **argv);

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

int exo_cmd_bus(int argc, char **argv)
{
    /* Before anything is printed; flushed when the broker goes idle and on the way out. */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    const char *app_dir = NULL, *listen = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = true;
        } else if (strcmp(argv[i], "--app") == 0 || strcmp(argv[i], "--listen") == 0) {
            if (i + 1 >= argc) {
                return exo_cli_usage_error("bus", "%s needs a value", argv[i]);
            }
            *(argv[i][2] == 'a' ? &app_dir : &listen) = argv[i + 1];
            i++;
        } else if (strncmp(argv[i], "--app=", 6) == 0) {
            app_dir = argv[i] + 6;
        } else if (strncmp(argv[i], "--listen=", 9) == 0) {
            listen = argv[i] + 9;
        } else {
            return exo_cli_usage_error("bus", "unknown argument '%s'", argv[i]);
        }
    }
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
    exo_bus_t *bus = exo_bus_start(app, reg, loop, listen, quiet ? NULL : print_trace, &line,
                                   &err);
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
