/*
 * core/cli/cmd_build.c - `exo build [ROLE...] [--backend NAME]`: the production image of each
 * service, named APP-ROLE:VERSION, as the files of `exo generate` name them. The backend
 * builds it (prepare() with a build tag, exo/backend.h ABI 1.4) from the service's
 * dockerfile-prod when it has that file, else from its Dockerfile; a service that runs a named
 * image has nothing to build. Every service is checked before the first build, so that bad
 * input builds nothing; frontends have no image of their own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* The service's container settings: service.yml's docker: overlaid with options (as the
 * container backends read them). New object. */
static json_t *settings_of(const exo_service_t *svc)
{
    json_t *set = json_object();
    for (size_t i = 0; i < svc->n_sections; i++) {
        const exo_block_t *b = &svc->sections[i];
        if (b->key != NULL && b->json != NULL && strcmp(b->key->value, "docker") == 0) {
            json_object_update(set, b->json);
        }
    }
    if (json_is_object(svc->options.json)) {
        json_object_update(set, svc->options.json);
    }
    return set;
}

/* The Dockerfile setting @p key (default @p def) of @p set names a file of @p svc's dir. */
static bool has_dockerfile(const exo_service_t *svc, const json_t *set, const char *key,
                           const char *def)
{
    const char *name = json_string_value(json_object_get(set, key));
    char *path = exo_path_join(svc->dir, name ? name : def);
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

/* False, after saying why, when @p svc has nothing to build from and runs no given image. */
static bool buildable(const exo_service_t *svc)
{
    json_t *set = settings_of(svc);
    bool ok = json_is_string(json_object_get(set, "image")) ||
              has_dockerfile(svc, set, "dockerfile-prod", "Dockerfile.prod") ||
              has_dockerfile(svc, set, "dockerfile", "Dockerfile");
    json_decref(set);
    if (!ok) {
        fprintf(stderr, "exo: error: service %s has no image and no Dockerfile in %s; add a "
                "Dockerfile (or Dockerfile.prod), or set docker: {image: ...} in %s\n",
                svc->role, svc->location, svc->file);
    }
    return ok;
}

/*
 * The services to build: every one (@p roles empty) or those named. Frontends have no image
 * of their own (a deployment runs them from the bus image): left out, an error when named.
 * Every selected service is checked before anything is built (issue 14: bad input builds
 * nothing). NULL after saying what is wrong; else an array of *n services.
 */
static const exo_service_t **select_services(const exo_app_t *app, const exo_strv_t *roles,
                                             size_t *n)
{
    const exo_service_t **out = exo_xcalloc(app->n_services + 1, sizeof *out);
    bool ok = true;
    *n = 0;
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        bool named = exo_strv_contains(roles, svc->role);
        if (roles->n > 0 && !named) {
            continue;
        }
        if (svc->frontend != NULL) {
            if (named) {
                fprintf(stderr, "exo: error: %s is a frontend: it has no image of its own (a "
                        "deployment runs it from the bus image); name services only\n",
                        svc->role);
                ok = false;
            }
            continue;
        }
        ok = buildable(svc) && ok;
        out[(*n)++] = svc;
    }
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

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
    size_t n = 0;
    const exo_service_t **svcs = select_services(app, &roles, &n);
    if (svcs == NULL) {
        exo_strv_free(&roles);
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    exo_session_opts_t sopts = {.command = "build", .backend = o->backend, .load_app = true};
    exo_session_t *s = exo_cli_session(app, &sopts, &code);
    if (s == NULL) {
        free(svcs);
        exo_strv_free(&roles);
        exo_app_destroy(&app);
        return code;
    }
    tally_t t = {0};
    for (size_t i = 0; i < n; i++) {
        build_one(s, app, svcs[i], &t);
    }
    free(svcs);
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
