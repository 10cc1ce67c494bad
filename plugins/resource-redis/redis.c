/*
 * plugins/resource-redis/redis.c - the `redis` resource: a real Redis server (redis-server from
 * PATH; Debian package redis-server) on 127.0.0.1, or a container image.
 *
 * Layout under the resource's data directory (docs/resources.md):
 *     redis.conf      written on every start (0600: it may hold the password)
 *     password        the generated password when `password: true` (0600)
 *     appendonlydir/, dump.rdb   the data when `persistence` is on (the default)
 *     server.log      everything the server prints; startup failures are reported from it
 * With spec->fresh (exo test) persistence is off and everything lives in a temporary
 * directory that destroy() removes.
 *
 * Threading: every entry point runs on the loop thread.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <hiredis.h>

#include <exo/resource.h>

#include "base/util.h"
#include "../resource-common/datadir.h"
#include "../resource-common/server.h"
#include "../resource-common/settings.h"
#include "../resource-common/vars.h"

#define REDIS_DEFAULT_IMAGE "redis:7"
#define REDIS_CONTAINER_PORT 6379u
#define REDIS_INSTALL_HINT "install the Debian package redis-server (apt-get install redis-server)"

typedef struct rd {
    const exo_host_t *host;
    char *name;
    char *data_dir;
    bool temp;
    bool containers;
    bool persistence;
    unsigned port;
    char *password;      /* NULL = no password */
    bool password_generated;
    char *image;

    char *server;        /* redis-server path */
    char *conf_path;
    char *log_path;
    long log_offset;
    char *command;
    char *mounts[2];      /* containers: the data directory as /data, NULL-terminated */
} rd_t;

/* The resources.<name> block: checked by the core against this table (exo check). */
static const exo_config_key_t rd_config[] = {
    {"persistence", EXO_CONFIG_BOOL, "true",
     "keep the data between runs (append-only file and snapshots); false: memory only", 0},
    {"password", EXO_CONFIG_STRING, NULL,
     "true generates one (kept in the data directory), a string sets it; default: none",
     EXO_CONFIG_SECRET},
    {"image", EXO_CONFIG_STRING, REDIS_DEFAULT_IMAGE, "container backends: the image to run", 0},
    {NULL, 0, NULL, NULL, 0},
};

static void rd_destroy(void *inst);

/* `password`: true (generate one), a string, or false/absent (none). */
static int read_password(rd_t *rd, const json_t *config, exo_error_t *err)
{
    const json_t *v = rd->host->config_get(config, "password");
    if (v == NULL || json_is_null(v) || json_is_false(v)) {
        return 0;
    }
    if (json_is_true(v)) {
        rd->password_generated = true;
        return 0;
    }
    if (json_is_string(v) && json_string_length(v) > 0) {
        rd->password = exo_xstrdup(json_string_value(v));
        return 0;
    }
    return exo_error_set(err, EXO_ERR_INVALID, "resource %s: 'password' must be true "
                         "(generate one) or a non-empty string", rd->name);
}

static int rd_create(const exo_host_t *host, const exo_resource_spec_t *spec, void **inst,
                     exo_error_t *err)
{
    rd_t *rd = calloc(1, sizeof *rd);
    if (rd == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    rd->host = host;
    rd->name = exo_xstrdup(spec->name);
    rd->containers = spec->containers;
    rd->port = spec->host_port;
    rd->persistence = true;
    int rc;
    if ((rc = res_setting_bool(host, rd->name, spec->config, "persistence", &rd->persistence,
                               err)) < 0 ||
        (rc = read_password(rd, spec->config, err)) < 0 ||
        (rc = res_setting_string(host, rd->name, spec->config, "image", &rd->image, err)) < 0 ||
        (rc = res_datadir_open(spec, &rd->data_dir, &rd->temp, err)) < 0) {
        rd_destroy(rd);
        return rc;
    }
    if (rd->image == NULL) {
        rd->image = exo_xstrdup(REDIS_DEFAULT_IMAGE);
    }
    if (rd->temp) {
        rd->persistence = false; /* exo test: a throwaway server */
    }
    rd->conf_path = exo_path_join(rd->data_dir, "redis.conf");
    rd->log_path = exo_path_join(rd->data_dir, "server.log");
    *inst = rd;
    return 0;
}

static int load_password(rd_t *rd, exo_error_t *err)
{
    return res_datadir_password(rd->name, rd->data_dir, false, 0, 0, &rd->password, err);
}

/* Redis config values in double quotes, escaped the way its parser reads them. */
static char *conf_quote(const char *s)
{
    char *q = malloc(strlen(s) * 2 + 3);
    if (q == NULL) {
        abort();
    }
    char *o = q;
    *o++ = '"';
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
        }
        *o++ = *p;
    }
    *o++ = '"';
    *o = '\0';
    return q;
}

/* redis.conf, written on every start (0600: it may hold the password). @p where says where
 * the server listens and keeps its data; @p persist how it saves. */
static int write_conf(rd_t *rd, const char *where, const char *persist, exo_error_t *err)
{
    char *pass = rd->password ? conf_quote(rd->password) : NULL;
    char *pass_line = pass ? exo_strdupf("requirepass %s\n", pass) : exo_xstrdup("");
    char *conf = exo_strdupf("# Written by exo on every start: edit application.yml instead.\n"
                            "%sdaemonize no\nlogfile \"\"\n%s%s", where, pass_line, persist);
    int rc = 0;
    if (exo_write_file_mode(rd->conf_path, conf, strlen(conf), 0600) != 0) {
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: cannot write %s: %s", rd->name,
                           rd->conf_path, strerror(errno));
    }
    free(conf);
    free(pass_line);
    free(pass);
    return rc;
}

static int rd_prepare(void *inst, exo_error_t *err)
{
    rd_t *rd = inst;
    int rc = res_datadir_ensure(rd->name, rd->data_dir, err);
    if (rc < 0) {
        return rc;
    }
    if (rd->password_generated && rd->password == NULL && (rc = load_password(rd, err)) < 0) {
        return rc;
    }
    if (rd->containers) {
        if (rd->password == NULL) {
            return 0; /* the image's own command and settings */
        }
        /* With a password the server reads the config from its data directory (mounted as
         * /data): on a command line the password would show in `ps` on the host. Snapshots
         * as the stock image takes them, so the data of runs without a password carries
         * over; protected mode off, since other containers reach it on the run network. */
        char *where = exo_strdupf("port %u\ndir /data\nprotected-mode no\n",
                                 REDIS_CONTAINER_PORT);
        rc = write_conf(rd, where,
                            rd->persistence ? "appendonly no\nsave 60 1\n"
                                            : "appendonly no\nsave \"\"\n",
                            err);
        free(where);
        return rc;
    }
    rd->server = exo_which("redis-server");
    if (rd->server == NULL) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: redis-server not found on "
                             "PATH; " REDIS_INSTALL_HINT, rd->name);
    }
    char *dir = conf_quote(rd->data_dir);
    char *where = exo_strdupf("bind 127.0.0.1\nport %u\ndir %s\nprotected-mode yes\n", rd->port,
                             dir);
    rc = write_conf(rd, where,
                        rd->persistence ? "appendonly yes\nappendfsync everysec\nsave 60 1\n"
                                        : "appendonly no\nsave \"\"\n",
                        err);
    free(where);
    free(dir);
    return rc;
}

static int rd_unit(void *inst, exo_resource_unit_t *out, exo_error_t *err)
{
    rd_t *rd = inst;
    free(rd->command);
    rd->command = NULL;
    if (!rd->containers) {
        char *qbin = exo_shell_quote(rd->server);
        char *qconf = exo_shell_quote(rd->conf_path);
        char *args = exo_strdupf("%s %s", qbin, qconf);
        /* The server's output goes to its log so that check_ready can report a failed start
         * in the server's own words. */
        rd->command = res_server_command(args, rd->log_path);
        free(args);
        free(qbin);
        free(qconf);
    }
    out->container_command = rd->containers && rd->password != NULL
                                 ? "exec redis-server /data/redis.conf"
                                 : NULL;
    rd->log_offset = res_server_log_size(rd->log_path);
    out->command = rd->command;
    out->image = rd->image;
    out->env = NULL;
    out->user = NULL;
    out->port = rd->containers ? REDIS_CONTAINER_PORT : rd->port;
    free(rd->mounts[0]);
    rd->mounts[0] = rd->containers ? exo_strdupf("%s:/data", rd->data_dir) : NULL;
    out->mounts = (const char *const *)rd->mounts;
    (void)err;
    return 0;
}

/* Redis's log lines that say it could not start; the rest is not quoted. */
static const char *judge_log_line(const char *line, bool *fatal)
{
    static const char *const fatal_words[] = {
        "Could not create server TCP listening socket", "Failed listening", "Bad file format",
        "Unrecoverable", "FATAL", "Fatal error", "Can't open", "Can't chdir",
        "Wrong signature", "Short read", "Bad directive", "aborting", NULL,
    };
    bool hit = strncmp(line, ">>>", 3) == 0;
    for (const char *const *f = fatal_words; *f && !hit; f++) {
        hit = strstr(line, *f) != NULL;
    }
    if (!hit) {
        return NULL;
    }
    *fatal = true;
    /* Drop the "PID:ROLE DATE TIME # " prefix of log lines. */
    const char *msg = strstr(line, " # ");
    return msg ? msg + 3 : line;
}

/** The server's startup failure since unit(), " / "-joined, or NULL. */
static char *startup_failure(const rd_t *rd)
{
    return res_server_failure(rd->log_path, rd->log_offset, judge_log_line, 400);
}

static redisReply *command(redisContext *c, const char *fmt, const char *arg)
{
    return arg ? redisCommand(c, fmt, arg) : redisCommand(c, fmt);
}

static int rd_check_ready(void *inst, exo_error_t *err)
{
    rd_t *rd = inst;
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", (int)rd->port, tv);
    int rc = 0;
    if (c != NULL && c->err == 0) {
        redisSetTimeout(c, tv);
        redisReply *r = NULL;
        bool authed = true;
        if (rd->password != NULL) {
            r = command(c, "AUTH %s", rd->password);
            authed = r != NULL && r->type == REDIS_REPLY_STATUS;
            freeReplyObject(r);
        }
        r = authed ? command(c, "PING", NULL) : NULL;
        if (r != NULL && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0) {
            rc = 1;
        } else if (r != NULL && r->type == REDIS_REPLY_ERROR &&
                   strncmp(r->str, "LOADING", 7) == 0) {
            rc = 0; /* still reading its data */
        } else if (r != NULL && r->type == REDIS_REPLY_ERROR) {
            rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: port %u answers PING "
                               "with '%s': another server holds the port?", rd->name, rd->port,
                               r->str);
        }
        freeReplyObject(r);
        if (rc == 1 && !rd->containers) {
            /* Make sure the answer is from our server, not from one that held the port. */
            r = command(c, "CONFIG GET dir", NULL);
            char *want = realpath(rd->data_dir, NULL);
            if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && want != NULL &&
                r->element[1]->type == REDIS_REPLY_STRING &&
                strcmp(r->element[1]->str, want) != 0) {
                /* Not ready: our own server is most likely failing on the taken port and
                 * about to say so in its log, which is the better report. */
                rd->host->log(rd->host, EXO_LOG_DEBUG, "resource %s: port %u answers with "
                              "another Redis server (dir %s)", rd->name, rd->port,
                              r->element[1]->str);
                rc = 0;
            }
            free(want);
            freeReplyObject(r);
        }
    }
    if (c != NULL) {
        redisFree(c);
    }
    if (rc == 1) {
        /* A later restart by the core reads only what the server says from now on. */
        rd->log_offset = res_server_log_size(rd->log_path);
    }
    if (rc == 0 && !rd->containers) {
        char *why = startup_failure(rd);
        if (why != NULL) {
            rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: Redis failed to start: "
                               "%s (log: %s)", rd->name, why, rd->log_path);
            free(why);
        }
    }
    return rc;
}

static int rd_emit_env(void *inst, exo_env_t *env, const char *prefix, const char *host,
                       unsigned port, exo_error_t *err)
{
    rd_t *rd = inst;
    /* `exo env` asks without preparing: show the stored (or the future) password. */
    if (rd->password_generated && rd->password == NULL) {
        int rc = res_datadir_ensure(rd->name, rd->data_dir, err);
        if (rc < 0 || (rc = load_password(rd, err)) < 0) {
            return rc;
        }
    }
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%u", port);
    char *url;
    if (rd->password != NULL) {
        char *epass = exo_url_encode(rd->password);
        url = exo_strdupf("redis://default:%s@%s:%u/0", epass, host, port);
        free(epass);
    } else {
        url = exo_strdupf("redis://%s:%u/0", host, port);
    }
    const res_var_t vars[] = {
        {"URL", url, rd->password ? EXO_ENV_SECRET : 0u},
        {"HOST", host, 0},
        {"PORT", portstr, 0},
        {"PASSWORD", rd->password, EXO_ENV_SECRET},
    };
    int rc = res_vars_emit(rd->host, rd->name, env, prefix, vars, sizeof vars / sizeof vars[0],
                           err);
    free(url);
    return rc;
}

static int rd_wipe(void *inst, exo_error_t *err)
{
    rd_t *rd = inst;
    static const char *const parts[] = {"appendonlydir", "appendonly.aof", "dump.rdb",
                                        "redis.conf", "password", "server.log", NULL};
    return res_datadir_wipe(rd->name, rd->data_dir, parts, err);
}

static void rd_destroy(void *inst)
{
    rd_t *rd = inst;
    if (rd == NULL) {
        return;
    }
    if (rd->temp && rd->data_dir != NULL) {
        exo_rm_rf(rd->data_dir);
    }
    free(rd->name);
    free(rd->data_dir);
    free(rd->password);
    free(rd->image);
    free(rd->server);
    free(rd->conf_path);
    free(rd->log_path);
    free(rd->mounts[0]);
    free(rd->command);
    free(rd);
}

static const exo_resource_ops_t rd_ops = {
    .size = sizeof(exo_resource_ops_t),
    .create = rd_create,
    .prepare = rd_prepare,
    .unit = rd_unit,
    .check_ready = rd_check_ready,
    .provision = NULL,
    .emit_env = rd_emit_env,
    .wipe = rd_wipe,
    .destroy = rd_destroy,
};

EXO_RESOURCE_PLUGIN_CONFIG("redis", PACKAGE_VERSION, "Redis (redis-server from the "
                           "redis-server package, or a container image)", EXO_CAP_NONE, NULL,
                           NULL, &rd_ops, rd_config)
