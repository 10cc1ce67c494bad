/*
 * core/cli/cmd_build.c - `exo build [ROLE...] [--backend NAME]`: the production image of each
 * service, named APP-ROLE:VERSION, as the files of `exo generate` name them. The backend
 * builds it (prepare() with a build tag, exo/backend.h ABI 1.4) from the service's
 * dockerfile-prod when it has that file, else from its Dockerfile; a service that runs a named
 * image has nothing to build.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "base/util.h"
#include "roles.h"
#include "run/session.h"

typedef struct build_opts {
    const char *app, *backend;
} build_opts_t;

typedef struct tally {
    size_t built, skipped, failed;
} tally_t;

/* Build one role's image (the engine's output goes out under the role); its last line says
 * what happened. */
static void build_one(exo_session_t *s, const exo_app_t *app, const exo_service_t *svc,
                      tally_t *t)
{
    exo_output_t *out = exo_session_output(s);
    char *tag = exo_strdupf("%s-%s:%s", app->name, svc->role,
                            app->version ? app->version : "latest");
    exo_error_t err = {0};
    int rc = exo_session_build(s, svc, tag, &err);
    if (rc == EXO_ERR_EXISTS) {
        t->skipped++;
        exo_output_role_status(out, svc->role, "%s", err.message);
    } else if (rc < 0) {
        t->failed++;
        exo_output_role_status(out, svc->role, "failed: %s", err.message);
    } else {
        t->built++;
        exo_output_role_status(out, svc->role, "built %s", tag);
    }
    free(tag);
}

static int run(void *opts, const exo_strv_t *args)
{
    const build_opts_t *o = opts;
    int code = EXO_EXIT_OK;
    exo_strv_t roles = {0};
    exo_app_t *app = exo_roles_load(o->app, "build", args, &roles, &code);
    if (app == NULL) {
        return code;
    }
    exo_session_opts_t sopts = {.command = "build", .backend = o->backend, .load_app = true};
    exo_session_t *s = exo_cli_session(app, &sopts, &code);
    if (s == NULL) {
        exo_strv_free(&roles);
        exo_app_destroy(&app);
        return code;
    }
    tally_t t = {0};
    for (size_t i = 0; i < app->n_services; i++) {
        if (roles.n == 0 || exo_strv_contains(&roles, app->services[i].role)) {
            build_one(s, app, &app->services[i], &t);
        }
    }
    exo_output_status(exo_session_output(s), "summary: %zu built, %zu with an image of their "
                      "own, %zu failed", t.built, t.skipped, t.failed);
    exo_session_destroy(&s);
    exo_strv_free(&roles);
    exo_app_destroy(&app);
    return t.failed > 0 ? EXO_EXIT_USER : code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", build_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("backend", 0, EXO_OPT_VALUE, "NAME", build_opts_t, backend, 0,
               "build on this backend plugin (docker, podman; default: each role's)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_build = {
    .name = "build",
    .summary = "build each service's production image, tagged with the app's version",
    .args = "[ROLE...]",
    .max_args = -1,
    .description =
        "Builds the image of each role (or of the ROLEs given) on its container backend and\n"
        "names it APP-ROLE:VERSION (VERSION: application.yml's version, else latest), the name\n"
        "`exo generate` writes into compose files and Kubernetes manifests. The image is built\n"
        "from the service's dockerfile-prod (default Dockerfile.prod) when that file exists,\n"
        "else from its Dockerfile; a role whose settings name an image has nothing to build.\n"
        "Push the images to your registry yourself (see docs/deploy.md).",
    .options = options,
    .opts_size = sizeof(build_opts_t),
    .epilog = "Exit status: 0 every image built (or not needed), 1 a build failed or a user\n"
              "error, 2 internal error.",
    .run = run,
};
