/*
 * tests/fuzz/fuzz_manifest.c - libFuzzer target for the app manifest: application.yml plus
 * service.yml files through the loader (exo_app_load), the wiring check
 * (exo_app_check_wiring) and the broker's routing table (exo_app_routes into the zmq
 * transport's exo_rt_set_routes). Built and run by tests/fuzz/run.sh (clang).
 *
 * An input is up to 1 + MAX_SERVICES sections separated by NUL bytes: the first is
 * application.yml, section k the service.yml of the directory sk/ (a missing section leaves
 * no service.yml there). The seed corpus places its services at ./s1, ./s2, ...
 *
 * Besides "no crash, no leak, no undefined behaviour", it checks what the rest of exo relies
 * on: a loaded app has no error; every diagnostic has a message; the routing table made from
 * a loaded app is accepted by the broker; and every message a role declares in sends is
 * allowed for that role by the broker's routes.
 */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"
#include "model/app.h"
#include "model/diag.h"
#include "model/wiring.h"
#include "router.h"

#define MAX_SERVICES 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char app_dir[4096];
static FILE *devnull;

static void remove_scratch(void)
{
    exo_rm_rf(app_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* a RAM-backed scratch directory when there is one: every input is written out */
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    const char *env = getenv("EXO_FUZZ_SCRATCH");
    snprintf(app_dir, sizeof app_dir, "%s/exo-fuzz-manifest.XXXXXX", env ? env : base);
    if (mkdtemp(app_dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
    atexit(remove_scratch);
    for (int k = 1; k <= MAX_SERVICES; k++) {
        char *d = exo_strdupf("%s/s%d", app_dir, k);
        exo_mkdir_p(d, 0755);
        free(d);
    }
    devnull = fopen("/dev/null", "w");
    return 0;
}

/* Write @p len bytes to @p dir/@p name, or remove it when @p data is NULL. */
static void put_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char *path = exo_path_join(dir, name);
    unlink(path);
    if (data != NULL) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
            abort();
        }
        close(fd);
    }
    free(path);
}

/* The broker must accept the routes of any app the loader accepts, and allow each role what
 * it declares it sends. */
static void check_routes(const exo_app_t *app)
{
    json_t *routes = exo_app_routes(app);
    exo_rt_t *rt = exo_rt_new();
    char err[256];
    if (routes == NULL || exo_rt_set_routes(rt, routes, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "the broker refused the routes of a valid app: %s\n", err);
        abort();
    }
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *s = &app->services[i];
        int role = exo_rt_role_find(rt, s->role, strlen(s->role));
        if (role < 0) {
            abort();
        }
        for (size_t k = 0; k < s->n_sends; k++) {
            exo_rt_route_t *r = exo_rt_route(rt, role, s->sends[k], strlen(s->sends[k]));
            if (r == NULL || !r->allowed) {
                fprintf(stderr, "role %s may not send its declared '%s'\n", s->role,
                        s->sends[k]);
                abort();
            }
        }
    }
    json_decref(exo_rt_stats(rt));
    exo_rt_free(rt);
    json_decref(routes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    bool more = true; /* sections left in the input */
    for (int k = 0; k <= MAX_SERVICES; k++) {
        const uint8_t *section = NULL;
        size_t len = 0;
        if (more) {
            const uint8_t *nul = memchr(data + off, '\0', size - off);
            section = data + off;
            len = nul ? (size_t)(nul - section) : size - off;
            off += len + 1;
            more = nul != NULL;
        }
        if (k == 0) {
            put_file(app_dir, "application.yml", section, len);
        } else {
            char *dir = exo_strdupf("%s/s%d", app_dir, k);
            put_file(dir, "service.yml", section, len);
            free(dir);
        }
    }
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_app_t *app = exo_app_load(app_dir, &diag);
    if (app != NULL) {
        if (diag.errors != 0) {
            abort();
        }
        exo_app_check_wiring(app, &diag);
        check_routes(app);
        exo_app_destroy(&app);
    } else if (diag.errors == 0) {
        abort(); /* a refused app always says why */
    }
    for (size_t i = 0; i < diag.n; i++) {
        if (diag.entries[i].message == NULL) {
            abort();
        }
    }
    exo_diag_print(&diag, devnull, false);
    exo_diag_free(&diag);
    return 0;
}
