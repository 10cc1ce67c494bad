/*
 * tests/resources/reshost.c - a small stand-in for the core that drives resource plugins the
 * way `exo run` does, so the plugins can be tested against real servers on their own:
 * dlopen the plugin of each type from EXO_PLUGIN_PATH, create -> prepare -> unit, start the
 * unit's command as a real process (own process group; as unit.user when root), poll
 * check_ready on a core/base/loop.h timer, provision, emit_env with prefix NAME_, then run a command
 * with those variables (the "service"), stop the servers (SIGTERM to the group, SIGKILL after
 * 20 s) and destroy.
 *
 * Usage: reshost [--app-dir DIR] [--app NAME] [--fresh] [--timeout-ms N] [--print-env]
 *                [--resource NAME:TYPE[:PORT]]... [--config NAME=JSON]...
 *                list|wipe|env|run [CMD...]
 * (env: create + emit_env only, as `exo env` does; prints the variables, secrets masked)
 * Exit: CMD's status; 3 when a resource failed (message on stderr); 2 on usage errors.
 *
 * Ownership: everything is freed before exit (valgrind-clean). Threading: single-threaded.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/resource.h>

#include "base/env.h"
#include "base/loop.h"
#include "base/util.h"

extern char **environ;

typedef struct host_priv {
    exo_loop_t *loop;
    const char *type;
} host_priv_t;

typedef struct res {
    char *name;
    char *type;
    unsigned port;
    json_t *config;
    char *data_dir;
    void *dl;
    const exo_resource_ops_t *ops;
    exo_host_t host;
    host_priv_t priv;
    void *inst;
    pid_t pid; /* the unit's process, 0 when none */
} res_t;

static volatile sig_atomic_t stop_requested;
static exo_loop_t *loop;

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

/* ---- the host table ---- */

static void host_log(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    const host_priv_t *p = h->priv;
    if (level >= EXO_LOG_DEBUG && getenv("RESHOST_DEBUG") == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = exo_vstrdupf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "[resource %s] %s: %s\n", p->type, names[level <= 3 ? level : 3], msg);
    free(msg);
}

static void host_free(void *p)
{
    free(p);
}

static const json_t *host_config_get(const json_t *config, const char *path)
{
    char *copy = exo_xstrdup(path);
    const json_t *cur = config;
    char *save = NULL;
    for (char *k = strtok_r(copy, ".", &save); k && cur; k = strtok_r(NULL, ".", &save)) {
        cur = json_is_object(cur) ? json_object_get(cur, k) : NULL;
    }
    free(copy);
    return cur;
}

static int host_env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    return exo_env_set(env, name, value, flags);
}

static int host_watch(const exo_host_t *h, int fd, unsigned ev, exo_fd_fn fn, void *arg)
{
    return exo_loop_watch(((const host_priv_t *)h->priv)->loop, fd, ev, fn, arg);
}

static int host_watch_modify(const exo_host_t *h, int id, unsigned ev)
{
    return exo_loop_watch_modify(((const host_priv_t *)h->priv)->loop, id, ev);
}

static void host_unwatch(const exo_host_t *h, int id)
{
    exo_loop_unwatch(((const host_priv_t *)h->priv)->loop, id);
}

static int host_timer(const exo_host_t *h, unsigned ms, bool repeat, exo_call_fn fn, void *arg)
{
    return exo_loop_timer(((const host_priv_t *)h->priv)->loop, ms, repeat, fn, arg);
}

static void host_timer_cancel(const exo_host_t *h, int id)
{
    exo_loop_timer_cancel(((const host_priv_t *)h->priv)->loop, id);
}

static int host_post(const exo_host_t *h, exo_call_fn fn, void *arg)
{
    return exo_loop_post(((const host_priv_t *)h->priv)->loop, fn, arg);
}

static const char *host_state_dir(const exo_host_t *h)
{
    (void)h;
    return NULL;
}

static void host_init(res_t *r)
{
    r->priv.loop = loop;
    r->priv.type = r->type;
    r->host = (exo_host_t){
        .size = sizeof(exo_host_t),
        .abi_major = EXO_PLUGIN_ABI_MAJOR,
        .abi_minor = EXO_PLUGIN_ABI_MINOR,
        .log = host_log,
        .alloc = exo_xmalloc,
        .free = host_free,
        .config_get = host_config_get,
        .env_set = host_env_set,
        .watch_fd = host_watch,
        .watch_modify = host_watch_modify,
        .unwatch = host_unwatch,
        .timer_add = host_timer,
        .timer_cancel = host_timer_cancel,
        .post = host_post,
        .state_dir = host_state_dir,
        .priv = &r->priv,
    };
}

/* ---- finding plugins ---- */

typedef void (*found_fn)(const char *path, const exo_plugin_desc_t *d, void *dl, void *arg);

/** Call @p fn for every resource plugin on EXO_PLUGIN_PATH; @p fn keeps or closes @p dl. */
static void scan_plugins(found_fn fn, void *arg)
{
    const char *env = getenv("EXO_PLUGIN_PATH");
    char *paths = exo_xstrdup(env ? env : "");
    char *save = NULL;
    for (char *dir = strtok_r(paths, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        DIR *d = opendir(dir);
        if (d == NULL) {
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name);
            if (n < 4 || strcmp(e->d_name + n - 3, ".so") != 0) {
                continue;
            }
            char *path = exo_path_join(dir, e->d_name);
            void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            exo_plugin_describe_fn describe = dl ? (exo_plugin_describe_fn)(uintptr_t)dlsym(
                                                       dl, EXO_PLUGIN_SYMBOL)
                                                 : NULL;
            const exo_plugin_desc_t *desc = describe ? describe() : NULL;
            if (desc != NULL && desc->abi_major == EXO_PLUGIN_ABI_MAJOR &&
                desc->kind == EXO_KIND_RESOURCE && desc->ops != NULL) {
                fn(path, desc, dl, arg);
            } else if (dl != NULL) {
                dlclose(dl);
            }
            free(path);
        }
        closedir(d);
    }
    free(paths);
}

static void print_found(const char *path, const exo_plugin_desc_t *d, void *dl, void *arg)
{
    (void)arg;
    printf("%s %s %s\n", d->name, d->version, path);
    dlclose(dl);
}

static void bind_found(const char *path, const exo_plugin_desc_t *d, void *dl, void *arg)
{
    (void)path;
    res_t *r = arg;
    if (r->dl == NULL && strcmp(d->name, r->type) == 0) {
        r->dl = dl;
        r->ops = d->ops;
    } else {
        dlclose(dl);
    }
}

/* ---- running units ---- */

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

static pid_t start_unit(const res_t *r, const exo_resource_unit_t *u, exo_error_t *err)
{
    struct passwd *pw = NULL;
    if (geteuid() == 0 && u->user != NULL) {
        pw = getpwnam(u->user);
        if (pw == NULL) {
            exo_error_set(err, EXO_ERR_NOTFOUND, "no user '%s' to run the server as", u->user);
            return -1;
        }
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        exo_error_set(err, EXO_ERR_IO, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setsid();
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        for (const char *const *e = u->env; e && *e; e++) {
            putenv((char *)*e);
        }
        if (pw != NULL && (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
                           setuid(pw->pw_uid) != 0)) {
            fprintf(stderr, "cannot become %s: %s\n", u->user, strerror(errno));
            _exit(126);
        }
        if (chdir(r->data_dir) != 0) {
            /* not fatal: the plugins use absolute paths */
        }
        execl("/bin/sh", "sh", "-c", u->command, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void stop_unit(res_t *r)
{
    if (r->pid <= 0) {
        return;
    }
    kill(-r->pid, SIGTERM);
    unsigned long long deadline = exo_now_ms() + 20000;
    int status;
    while (waitpid(r->pid, &status, WNOHANG) == 0) {
        if (exo_now_ms() > deadline) {
            fprintf(stderr, "reshost: resource %s did not stop in 20 s; killing it\n", r->name);
            kill(-r->pid, SIGKILL);
            waitpid(r->pid, &status, 0);
            break;
        }
        usleep(20000);
    }
    /* Children the server left in its group (none expected) go too. */
    kill(-r->pid, SIGKILL);
    r->pid = 0;
}

typedef struct wait_ready {
    res_t *r;
    unsigned long long deadline;
    int result; /* 1 ready, < 0 failed */
    exo_error_t *err;
} wait_ready_t;

static void poll_ready(void *arg)
{
    wait_ready_t *w = arg;
    int rc = w->r->ops->check_ready(w->r->inst, w->err);
    int status = 0;
    if (rc == 0 && w->r->pid > 0 && waitpid(w->r->pid, &status, WNOHANG) == w->r->pid) {
        w->r->pid = 0;
        rc = w->r->ops->check_ready(w->r->inst, w->err);
        if (rc >= 0) {
            rc = exo_error_set(w->err, EXO_ERR_UNAVAILABLE, "the server exited (status %d) "
                               "before it was ready", WIFEXITED(status) ? WEXITSTATUS(status)
                                                                         : 128 + WTERMSIG(status));
        }
    }
    if (rc == 0 && stop_requested) {
        rc = exo_error_set(w->err, EXO_ERR_INTERNAL, "interrupted");
    }
    if (rc == 0 && exo_now_ms() > w->deadline) {
        rc = exo_error_set(w->err, EXO_ERR_TIMEOUT, "not ready in time");
    }
    if (rc != 0) {
        w->result = rc;
        exo_loop_stop(loop);
    }
}

static int start_resource(res_t *r, const char *app, const char *app_dir, bool fresh,
                          unsigned timeout_ms, exo_env_t *env, exo_error_t *err)
{
    r->data_dir = exo_strdupf("%s/.exo/resources/%s", app_dir, r->name);
    if (exo_mkdir_p(r->data_dir, 0755) != 0) {
        return exo_error_set(err, EXO_ERR_IO, "cannot create %s", r->data_dir);
    }
    exo_resource_spec_t spec = {
        .size = sizeof spec, .app = app, .name = r->name, .type = r->type,
        .config = r->config, .app_dir = app_dir, .data_dir = r->data_dir,
        .containers = false, .fresh = fresh, .host_port = r->port ? r->port : free_port(),
    };
    r->port = spec.host_port;
    int rc = r->ops->create(&r->host, &spec, &r->inst, err);
    if (rc < 0) {
        r->inst = NULL;
        return rc;
    }
    if (r->ops->prepare && (rc = r->ops->prepare(r->inst, err)) < 0) {
        return rc;
    }
    exo_resource_unit_t unit = {.size = sizeof unit};
    if ((rc = r->ops->unit(r->inst, &unit, err)) < 0) {
        return rc;
    }
    if (unit.command != NULL) {
        r->pid = start_unit(r, &unit, err);
        if (r->pid < 0) {
            r->pid = 0;
            return err->code;
        }
    }
    wait_ready_t w = {.r = r, .deadline = exo_now_ms() + timeout_ms, .err = err};
    int timer = exo_loop_timer(loop, 100, true, poll_ready, &w);
    poll_ready(&w);
    if (w.result == 0) {
        exo_loop_run(loop);
    }
    exo_loop_timer_cancel(loop, timer);
    if (w.result < 0) {
        return w.result;
    }
    if (r->ops->provision && (rc = r->ops->provision(r->inst, err)) < 0) {
        return rc;
    }
    char *prefix = exo_strdupf("%s_", r->name);
    for (char *p = prefix; *p; p++) {
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    exo_env_set_origin(env, "resource");
    rc = r->ops->emit_env(r->inst, env, prefix, "127.0.0.1", r->port, err);
    free(prefix);
    return rc;
}

static int run_command(char **argv, const exo_env_t *env)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        char **strings = exo_env_strings(env);
        for (char **s = strings; *s; s++) {
            putenv(*s);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "reshost: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return 2;
        }
        if (stop_requested) {
            kill(pid, SIGTERM);
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int usage(void)
{
    fprintf(stderr, "usage: reshost [--app-dir DIR] [--app NAME] [--fresh] [--timeout-ms N] "
                    "[--print-env] [--resource NAME:TYPE[:PORT]]... [--config NAME=JSON]... "
                    "list|wipe|env|run [CMD...]\n");
    return 2;
}

int main(int argc, char **argv)
{
    res_t res[8];
    size_t n_res = 0;
    const char *app = "app";
    char *app_dir = NULL;
    bool fresh = false, print_env = false;
    unsigned timeout_ms = 30000;
    int i = 1, rc = 0;
    memset(res, 0, sizeof res);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--fresh") == 0) {
            fresh = true;
        } else if (strcmp(opt, "--print-env") == 0) {
            print_env = true;
        } else if (val == NULL) {
            rc = usage();
            goto out;
        } else if (strcmp(opt, "--app-dir") == 0) {
            free(app_dir);
            app_dir = realpath(val, NULL);
            i++;
        } else if (strcmp(opt, "--app") == 0) {
            app = val;
            i++;
        } else if (strcmp(opt, "--timeout-ms") == 0) {
            timeout_ms = (unsigned)strtoul(val, NULL, 10);
            i++;
        } else if (strcmp(opt, "--resource") == 0 && n_res < 8) {
            res_t *r = &res[n_res++];
            char *copy = exo_xstrdup(val);
            char *colon = strchr(copy, ':');
            if (colon == NULL) {
                free(copy);
                rc = usage();
                goto out;
            }
            *colon = '\0';
            char *port = strchr(colon + 1, ':');
            if (port != NULL) {
                *port++ = '\0';
                r->port = (unsigned)strtoul(port, NULL, 10);
            }
            r->name = exo_xstrdup(copy);
            r->type = exo_xstrdup(colon + 1);
            free(copy);
            i++;
        } else if (strcmp(opt, "--config") == 0) {
            const char *eq = strchr(val, '=');
            res_t *r = NULL;
            for (size_t k = 0; eq && k < n_res; k++) {
                if (strncmp(res[k].name, val, (size_t)(eq - val)) == 0 &&
                    res[k].name[eq - val] == '\0') {
                    r = &res[k];
                }
            }
            json_error_t jerr;
            json_t *cfg = r ? json_loads(eq + 1, 0, &jerr) : NULL;
            if (cfg == NULL) {
                fprintf(stderr, "reshost: --config %s: unknown resource or bad JSON\n", val);
                rc = usage();
                goto out;
            }
            json_decref(r->config);
            r->config = cfg;
            i++;
        } else {
            rc = usage();
            goto out;
        }
    }
    if (i >= argc) {
        rc = usage();
        goto out;
    }
    const char *mode = argv[i++];
    if (strcmp(mode, "list") == 0) {
        scan_plugins(print_found, NULL);
        goto out;
    }
    if (app_dir == NULL) {
        app_dir = getcwd(NULL, 0);
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    loop = exo_loop_new();
    exo_env_t *env = exo_env_new();
    exo_error_t err = {0};
    size_t started = 0;
    for (; started < n_res; started++) {
        res_t *r = &res[started];
        if (r->config == NULL) {
            r->config = json_pack("{ss}", "type", r->type);
        }
        host_init(r);
        scan_plugins(bind_found, r);
        if (r->ops == NULL) {
            exo_error_set(&err, EXO_ERR_NOTFOUND, "no resource plugin '%s' on EXO_PLUGIN_PATH",
                          r->type);
            break;
        }
        if (strcmp(mode, "wipe") == 0) {
            r->data_dir = exo_strdupf("%s/.exo/resources/%s", app_dir, r->name);
            exo_resource_spec_t spec = {.size = sizeof spec, .app = app, .name = r->name,
                                        .type = r->type, .config = r->config,
                                        .app_dir = app_dir, .data_dir = r->data_dir};
            if (r->ops->create(&r->host, &spec, &r->inst, &err) < 0 ||
                (r->ops->wipe && r->ops->wipe(r->inst, &err) < 0)) {
                if (err.code == 0) {
                    exo_error_set(&err, EXO_ERR_INTERNAL, "wipe failed");
                }
                break;
            }
            continue;
        }
        if (strcmp(mode, "env") == 0) {
            /* What `exo env` does: variables without starting anything. */
            r->data_dir = exo_strdupf("%s/.exo/resources/%s", app_dir, r->name);
            exo_mkdir_p(r->data_dir, 0755);
            exo_resource_spec_t spec = {.size = sizeof spec, .app = app, .name = r->name,
                                        .type = r->type, .config = r->config,
                                        .app_dir = app_dir, .data_dir = r->data_dir,
                                        .host_port = r->port ? r->port : 5999};
            char *prefix = exo_strdupf("%s_", r->name);
            for (char *p = prefix; *p; p++) {
                *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
            }
            int erc = r->ops->create(&r->host, &spec, &r->inst, &err);
            if (erc < 0) {
                r->inst = NULL;
            } else {
                erc = r->ops->emit_env(r->inst, env, prefix, "127.0.0.1", spec.host_port, &err);
            }
            free(prefix);
            if (erc < 0) {
                break;
            }
            continue;
        }
        if (start_resource(r, app, app_dir, fresh, timeout_ms, env, &err) < 0) {
            break;
        }
    }
    if (started < n_res) {
        /* Plugins name the resource themselves; say it only when they did not. */
        if (strncmp(err.message, "resource ", 9) == 0) {
            fprintf(stderr, "reshost: %s\n", err.message);
        } else {
            fprintf(stderr, "reshost: resource %s: %s\n", res[started].name, err.message);
        }
        rc = 3;
        started++; /* the failed one may have a unit running */
    } else if (strcmp(mode, "run") == 0 || strcmp(mode, "env") == 0) {
        if (print_env || strcmp(mode, "env") == 0) {
            for (size_t k = 0; k < env->n; k++) {
                printf("%s=%s%s\n", env->vars[k].name,
                       env->vars[k].secret ? "********" : env->vars[k].value,
                       env->vars[k].secret ? " (secret)" : "");
            }
        }
        rc = i < argc ? run_command(argv + i, env) : 0;
    }
    for (size_t k = started; k-- > 0;) {
        stop_unit(&res[k]);
        if (res[k].inst != NULL) {
            res[k].ops->destroy(res[k].inst);
        }
    }
    exo_env_destroy(&env);
    exo_loop_destroy(&loop);
out:
    for (size_t k = 0; k < n_res; k++) {
        free(res[k].name);
        free(res[k].type);
        free(res[k].data_dir);
        json_decref(res[k].config);
        /* Plugins stay loaded (as in the core) so valgrind keeps whole stacks. */
    }
    free(app_dir);
    return rc;
}
