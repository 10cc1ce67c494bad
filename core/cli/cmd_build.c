/*
 * core/cli/cmd_build.c - `exo build [--backend docker|podman] [--registry R] [ROLE...]`: each
 * service's production image, tagged APP-ROLE:VERSION (application.yml version, else latest),
 * the name generated deployments run (exo generate compose's docker-compose.prod.yml,
 * kubernetes). A production image is built from the service's production Dockerfile (the
 * `dockerfile-prod` setting, or a Dockerfile.prod in its directory) when it has one, else from
 * what exo run builds (the `dockerfile` setting or Dockerfile); a service whose settings name
 * an `image` and that has no production Dockerfile runs that image and is not built. Every
 * service is checked before the first build, so bad input builds nothing. The engine's own
 * command (`docker build`, `podman build`) does the build; its output goes to
 * .exo/state/build/ROLE.log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/plugin.h>

#include "commands.h"
#include "roles.h"
#include "base/util.h"
#include "model/statedir.h"

#define BUILD_LOG_TAIL 15

typedef struct build_opts {
    const char *app, *backend, *registry;
} build_opts_t;

/* What exo build does for one service. */
typedef struct build_plan {
    const exo_service_t *svc;
    char *image;      /* the tag the deployment runs (or the given image) */
    char *dockerfile; /* absolute; NULL when the given image is used as it is */
    char *extra;      /* REGISTRY/image, or NULL */
} build_plan_t;

/* The service's container settings: service.yml's docker: overlaid with options (as the
 * container backends and the generators read them). New object. */
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

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The Dockerfile setting @p key of @p set (default @p def), absolute; NULL when the setting
 * is absent and the default file does not exist (a named file must exist: checked later). */
static char *dockerfile_of(const exo_service_t *svc, const json_t *set, const char *key,
                           const char *def)
{
    const char *given = json_string_value(json_object_get(set, key));
    char *path = exo_path_join(svc->dir, given ? given : def);
    if (given == NULL && !is_file(path)) {
        free(path);
        return NULL;
    }
    return path;
}

static int plan_service(const exo_app_t *app, const exo_service_t *svc, const char *registry,
                        build_plan_t *p)
{
    json_t *set = settings_of(svc);
    const char *image = json_string_value(json_object_get(set, "image"));
    *p = (build_plan_t){.svc = svc};
    p->dockerfile = dockerfile_of(svc, set, "dockerfile-prod", "Dockerfile.prod");
    if (p->dockerfile == NULL && image == NULL) {
        p->dockerfile = dockerfile_of(svc, set, "dockerfile", "Dockerfile");
    }
    int rc = EXO_OK;
    if (p->dockerfile != NULL && !is_file(p->dockerfile)) {
        fprintf(stderr, "exo: error: service %s: its docker settings name %s, which does not "
                "exist; create it or fix the setting (%s or application.yml "
                "services.%s.options)\n", svc->role, p->dockerfile, svc->file, svc->role);
        rc = EXO_ERR_NOTFOUND;
    } else if (p->dockerfile == NULL && image == NULL) {
        fprintf(stderr, "exo: error: service %s has no image and no Dockerfile in %s; add a "
                "Dockerfile (or Dockerfile.prod), or set docker: {image: ...} in %s\n",
                svc->role, svc->location, svc->file);
        rc = EXO_ERR_NOTFOUND;
    } else if (p->dockerfile == NULL) {
        p->image = exo_xstrdup(image);
    } else {
        p->image = exo_strdupf("%s-%s:%s", app->name, svc->role,
                               app->version ? app->version : "latest");
        if (registry != NULL) {
            p->extra = exo_strdupf("%s/%s", registry, p->image);
        }
    }
    json_decref(set);
    return rc;
}

static void plan_free(build_plan_t *p)
{
    free(p->image);
    free(p->dockerfile);
    free(p->extra);
}

/* Run @p argv with stdout and stderr appended to @p log_path; its exit status, 127 when it
 * cannot be run, -1 when it could not be started or was killed. */
static int run_logged(char *const argv[], const char *log_path)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (log < 0 || null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) {
            _exit(126);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The last lines of @p path to stderr, indented. */
static void print_tail(const char *path)
{
    size_t len = 0;
    char *text = exo_read_file(path, &len);
    if (text == NULL) {
        return;
    }
    const char *start = text + len;
    for (int lines = 0; start > text && lines <= BUILD_LOG_TAIL; start--) {
        lines += start[-1] == '\n';
    }
    for (const char *line = start; *line != '\0';) {
        size_t n = strcspn(line, "\n");
        if (n > 0) {
            fprintf(stderr, "  %.*s\n", (int)n, line);
        }
        line += n + (line[n] == '\n');
    }
    free(text);
}

static int build_one(const char *engine, const build_plan_t *p, const char *log_dir)
{
    const exo_service_t *svc = p->svc;
    if (p->dockerfile == NULL) {
        printf("%s: runs image %s (its docker settings); nothing to build\n", svc->role, p->image);
        return EXO_EXIT_OK;
    }
    char *log = exo_strdupf("%s/%s.log", log_dir, svc->role);
    const char *argv[10];
    size_t a = 0;
    argv[a++] = engine;
    argv[a++] = "build";
    argv[a++] = "-t";
    argv[a++] = p->image;
    if (p->extra != NULL) {
        argv[a++] = "-t";
        argv[a++] = p->extra;
    }
    argv[a++] = "-f";
    argv[a++] = p->dockerfile;
    argv[a++] = svc->dir; /* the context: the service's directory, as exo run builds it */
    argv[a] = NULL;
    int status = run_logged((char *const *)argv, log);
    int code = EXO_EXIT_OK;
    if (status == 127) {
        fprintf(stderr, "exo: error: cannot run '%s' to build service %s; install it or "
                "choose another --backend (docker, podman)\n", engine, svc->role);
        code = EXO_EXIT_USER;
    } else if (status != 0) {
        fprintf(stderr, "exo: error: service %s: '%s build' of %s failed (%s %d); the end of "
                "its log:\n", svc->role, engine, p->image, status < 0 ? "status" : "exit",
                status);
        print_tail(log);
        fprintf(stderr, "exo: full log: %s\n", log);
        code = EXO_EXIT_USER;
    } else {
        const char *loc = strncmp(svc->location, "./", 2) == 0 ? svc->location + 2 : svc->location;
        char *rel = exo_strdupf("%s/%s", loc, strrchr(p->dockerfile, '/') + 1);
        printf("%s: built %s%s%s from %s\n", svc->role, p->image, p->extra ? " and " : "",
               p->extra ? p->extra : "", rel);
        free(rel);
    }
    free(log);
    return code;
}

/* .exo/state/build, created. New string, or NULL after saying why. */
static char *log_dir_of(const exo_app_t *app)
{
    char *sd = exo_statedir(app->dir);
    char *state = exo_statedir_state(sd);
    char *dir = exo_path_join(state, "build");
    if (exo_statedir_mkdir(sd) < 0 || exo_statedir_mkdir(state) < 0 ||
        exo_statedir_mkdir(dir) < 0) {
        fprintf(stderr, "exo: error: cannot create %s: %s\n", dir, strerror(errno));
        free(dir);
        dir = NULL;
    }
    free(state);
    free(sd);
    return dir;
}

/* The services to build: every one (roles empty) or those named; frontends have no image of
 * their own (they run from the bus image). Sets *code on a named frontend. */
static size_t select_services(const exo_app_t *app, const exo_strv_t *roles,
                              const exo_service_t **out, int *code)
{
    size_t n = 0;
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        bool named = roles->n == 0;
        for (size_t r = 0; r < roles->n && !named; r++) {
            named = strcmp(roles->v[r], svc->role) == 0;
        }
        if (named && svc->frontend != NULL && roles->n > 0) {
            fprintf(stderr, "exo: error: %s is a frontend: it has no image of its own (a "
                    "deployment runs it with exo's); name services only\n", svc->role);
            *code = EXO_EXIT_USER;
        } else if (named && svc->frontend == NULL) {
            out[n++] = svc;
        }
    }
    return n;
}

static bool registry_valid(const char *r)
{
    size_t len = strlen(r);
    return len > 0 && r[len - 1] != '/' && r[0] != '/' && r[0] != '-' &&
           strspn(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:/") == len;
}

static int build(const exo_app_t *app, const build_opts_t *o, const exo_strv_t *roles)
{
    const exo_service_t **svcs = exo_xcalloc(app->n_services + 1, sizeof *svcs);
    int code = EXO_EXIT_OK;
    size_t n = select_services(app, roles, svcs, &code);
    build_plan_t *plans = exo_xcalloc(n + 1, sizeof *plans);
    for (size_t i = 0; i < n; i++) {
        if (plan_service(app, svcs[i], o->registry, &plans[i]) < 0) {
            code = EXO_EXIT_USER;
        }
    }
    char *log_dir = code == EXO_EXIT_OK ? log_dir_of(app) : NULL;
    if (code == EXO_EXIT_OK && log_dir == NULL) {
        code = EXO_EXIT_USER;
    }
    for (size_t i = 0; i < n && code == EXO_EXIT_OK; i++) {
        code = build_one(o->backend, &plans[i], log_dir);
    }
    for (size_t i = 0; i < n; i++) {
        plan_free(&plans[i]);
    }
    free(plans);
    free(svcs);
    free(log_dir);
    return code;
}

static int run(void *opts, const exo_strv_t *args)
{
    build_opts_t *o = opts;
    if (o->backend == NULL) {
        o->backend = "docker";
    }
    if (strcmp(o->backend, "docker") != 0 && strcmp(o->backend, "podman") != 0) {
        return exo_cli_usage_error("build", "--backend must be docker or podman, not '%s'",
                                   o->backend);
    }
    if (o->registry != NULL && !registry_valid(o->registry)) {
        return exo_cli_usage_error("build", "--registry must be a registry and path prefix "
                                   "such as registry.example.com/team, not '%s'", o->registry);
    }
    exo_strv_t roles = {0};
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_roles_load(o->app, "build", args, &roles, &code);
    if (app != NULL) {
        code = build(app, o, &roles);
    }
    exo_strv_free(&roles);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", build_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("backend", 0, EXO_OPT_VALUE, "ENGINE", build_opts_t, backend, 0,
               "the engine that builds and keeps the images: docker (default) or podman"),
    EXO_OPTION("registry", 0, EXO_OPT_VALUE, "PREFIX", build_opts_t, registry, 0,
               "also tag each image PREFIX/APP-ROLE:VERSION, ready to push"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_build = {
    .name = "build",
    .summary = "build the services' production images, tagged with the app's version",
    .args = "[ROLE...]",
    .max_args = -1,
    .description =
        "Builds each service's production image (all, or the ROLEs named) on the engine, tagged\n"
        "APP-ROLE:VERSION, the name generated deployments run. The production Dockerfile is\n"
        "the dockerfile-prod setting or Dockerfile.prod when there is one, else the Dockerfile\n"
        "exo run builds; a service whose settings name an image without a production\n"
        "Dockerfile runs that image. Every service is checked before anything is built.\n"
        "Build output: .exo/state/build/ROLE.log (see docs/deploy.md).",
    .options = options,
    .opts_size = sizeof(build_opts_t),
    .epilog = "Exit status: 0 built, 1 a user error or a failed build, 2 internal error.",
    .run = run,
};
