/*
 * memcached.c - an exo resource plugin maintained outside the exo tree: a memcached cache.
 *
 * It is the walk-through of docs/resource-plugins.md and builds only against the installed
 * headers (`pkg-config --cflags exo-plugin`); it links nothing from exo. An app uses it with
 *
 *     resources:
 *       sessions:
 *         type: memcached
 *         memory: 32          # megabytes, optional (default 64)
 *
 * and every service listing `sessions` gets SESSIONS_HOST, SESSIONS_PORT and SESSIONS_SERVERS
 * ("host:port", the form most memcached clients take).
 *
 * memcached keeps nothing on disk, so there is no data to prepare or wipe; its output goes to
 * <data_dir>/server.log so that a failed start can be reported in memcached's own words.
 *
 * Threading: exo calls every function on its loop thread, one at a time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exo/resource.h>

/* One instance per resource of this type in the app. */
typedef struct mc {
    const exo_host_t *host;
    char name[64];
    unsigned port;      /* the loopback port exo reserved for us */
    long memory_mb;
    const char *user;   /* who runs the server when exo is root */
    char log_path[4096];
    long log_offset;    /* where this start's output begins in server.log */
    char command[8192];
} mc_t;

/* exo passes the resource's block from application.yml; check it here, once. */
static int mc_create(const exo_host_t *host, const exo_resource_spec_t *spec, void **inst,
                     exo_error_t *err)
{
    mc_t *mc = calloc(1, sizeof *mc);
    if (mc == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    mc->host = host;
    snprintf(mc->name, sizeof mc->name, "%s", spec->name);
    mc->port = spec->host_port;
    mc->memory_mb = 64;
    const json_t *memory = host->config_get(spec->config, "memory");
    if (memory != NULL) {
        if (!json_is_integer(memory) || json_integer_value(memory) < 1) {
            free(mc);
            return exo_error_set(err, EXO_ERR_INVALID, "resource %s: 'memory' must be a "
                                 "positive number of megabytes", spec->name);
        }
        mc->memory_mb = (long)json_integer_value(memory);
    }
    if (spec->containers) {
        free(mc);
        return exo_error_set(err, EXO_ERR_UNSUPPORTED, "resource %s: the memcached example "
                             "plugin runs on the process backend only", spec->name);
    }
    if (strchr(spec->data_dir, '\'') != NULL) {
        free(mc);
        return exo_error_set(err, EXO_ERR_INVALID, "resource %s: the data directory %s "
                             "contains a quote; move the app", spec->name, spec->data_dir);
    }
    /* memcached refuses to run as root; when exo is root it runs the unit as this user. */
    mc->user = getpwnam("memcache") != NULL ? "memcache" : "nobody";
    /* The data directory exists and persists; we only keep the server's log there. */
    snprintf(mc->log_path, sizeof mc->log_path, "%s/server.log", spec->data_dir);
    *inst = mc;
    return 0;
}

/* Find the server program before anything starts, so a missing package is a clear error. */
static int mc_prepare(void *inst, exo_error_t *err)
{
    mc_t *mc = inst;
    if (access("/usr/bin/memcached", X_OK) != 0) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: /usr/bin/memcached not "
                             "found; install the Debian package memcached", mc->name);
    }
    /* The server appends to its log as mc->user when exo is root: make the file theirs. */
    FILE *f = fopen(mc->log_path, "a");
    if (f == NULL) {
        return exo_error_set(err, EXO_ERR_IO, "resource %s: cannot open %s: %s", mc->name,
                             mc->log_path, strerror(errno));
    }
    struct passwd *pw = getpwnam(mc->user);
    if (geteuid() == 0 && pw != NULL && fchown(fileno(f), pw->pw_uid, pw->pw_gid) != 0) {
        fclose(f);
        return exo_error_set(err, EXO_ERR_IO, "resource %s: cannot chown %s: %s", mc->name,
                             mc->log_path, strerror(errno));
    }
    fclose(f);
    return 0;
}

/* Describe the server; exo starts it, logs it, restarts it and stops it like a service. */
static int mc_unit(void *inst, exo_resource_unit_t *out, exo_error_t *err)
{
    mc_t *mc = inst;
    (void)err;
    snprintf(mc->command, sizeof mc->command,
             "exec /usr/bin/memcached -l 127.0.0.1 -p %u -U 0 -m %ld >>'%s' 2>&1", mc->port,
             mc->memory_mb, mc->log_path);
    struct stat st;
    mc->log_offset = stat(mc->log_path, &st) == 0 ? (long)st.st_size : 0;
    out->command = mc->command;
    out->image = NULL; /* no container image: process backend only */
    out->env = NULL;
    out->user = mc->user;
    out->port = mc->port;
    return 0;
}

/* What memcached printed since this start, when it printed anything: it is silent when fine. */
static int startup_failure(const mc_t *mc, char *buf, size_t size)
{
    FILE *f = fopen(mc->log_path, "r");
    if (f == NULL) {
        return 0;
    }
    size_t n = 0;
    if (fseek(f, mc->log_offset, SEEK_SET) == 0) {
        n = fread(buf, 1, size - 1, f);
    }
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    return n > 0;
}

/* Ready means a real client round trip: "version" answered with "VERSION x.y.z". */
static int mc_check_ready(void *inst, exo_error_t *err)
{
    mc_t *mc = inst;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return exo_error_set(err, EXO_ERR_IO, "resource %s: socket: %s", mc->name,
                             strerror(errno));
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)mc->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ready = 0;
    char reply[64] = "";
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        write(fd, "version\r\n", 9) == 9) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) == 1 && read(fd, reply, sizeof reply - 1) > 0) {
            ready = strncmp(reply, "VERSION ", 8) == 0;
        }
    }
    close(fd);
    if (ready) {
        /* exo may restart the server later: judge that start by what it says from now on. */
        struct stat st;
        mc->log_offset = stat(mc->log_path, &st) == 0 ? (long)st.st_size : mc->log_offset;
    }
    char said[400];
    if (!ready && startup_failure(mc, said, sizeof said)) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: memcached failed to "
                             "start: %s", mc->name, said);
    }
    return ready;
}

/* Connection variables for one service; exo chose the prefix (the resource name + "_"). */
static int mc_emit_env(void *inst, exo_env_t *env, const char *prefix, const char *host,
                       unsigned port, exo_error_t *err)
{
    mc_t *mc = inst;
    char name[128], value[300];
    snprintf(name, sizeof name, "%sHOST", prefix);
    int rc = mc->host->env_set(env, name, host, 0);
    snprintf(name, sizeof name, "%sPORT", prefix);
    snprintf(value, sizeof value, "%u", port);
    rc = rc ? rc : mc->host->env_set(env, name, value, 0);
    snprintf(name, sizeof name, "%sSERVERS", prefix);
    snprintf(value, sizeof value, "%s:%u", host, port);
    rc = rc ? rc : mc->host->env_set(env, name, value, 0);
    return rc ? exo_error_set(err, rc, "resource %s: cannot set %s", mc->name, name) : 0;
}

static void mc_destroy(void *inst)
{
    free(inst);
}

/* provision and wipe are optional: a cache has no users to create and no data on disk. */
static const exo_resource_ops_t mc_ops = {
    .size = sizeof(exo_resource_ops_t),
    .create = mc_create,
    .prepare = mc_prepare,
    .unit = mc_unit,
    .check_ready = mc_check_ready,
    .emit_env = mc_emit_env,
    .destroy = mc_destroy,
};

/* The keys of a resources.<name> block of this type: exo checks them (exo check) and lists
 * them (exo plugins --json); create() still checks what the type alone cannot say. */
static const exo_config_key_t mc_config[] = {
    {"memory", EXO_CONFIG_INT, "64", "megabytes of cache", 0},
    {NULL, 0, NULL, NULL, 0},
};

EXO_RESOURCE_PLUGIN_CONFIG("memcached", "1.0.0", "memcached cache (example out-of-tree plugin)",
                           EXO_CAP_NONE, NULL, NULL, &mc_ops, mc_config)
