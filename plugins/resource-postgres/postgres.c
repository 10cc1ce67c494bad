/*
 * plugins/resource-postgres/postgres.c - the `postgres` resource: a real PostgreSQL server.
 *
 * Process backend: the server comes from the machine's installation (Debian's `postgresql`,
 * /usr/lib/postgresql/<major>/bin, newest major unless the data directory was made by another
 * installed one; EXO_POSTGRES_ROOT overrides /usr/lib/postgresql; PATH is the last resort).
 * Layout under the resource's data directory (docs/resources.md):
 *     pgdata/      the cluster, made by initdb on first use
 *     password     the generated superuser password (0600)
 *     run/         the server's Unix socket directory
 *     server.log   everything the server prints; startup failures are reported from it
 * With spec->fresh (exo test) all of it lives in a temporary directory removed by destroy().
 * PostgreSQL refuses to run as root, so as root the helper programs and the server run as the
 * `postgres` system user, which then owns the data directory.
 *
 * Container backends: the unit is the configured image (default postgres:15) with the same
 * superuser password; provisioning and variables are the same.
 *
 * Threading: every entry point runs on the loop thread; prepare and provision block (initdb,
 * migrations), which the resource ABI allows.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <exo/resource.h>

#include "base/util.h"
#include "../resource-common/datadir.h"
#include "../resource-common/helper.h"
#include "../resource-common/server.h"
#include "../resource-common/settings.h"
#include "../resource-common/vars.h"

#define PG_SUPERUSER "postgres"
#define PG_DEFAULT_IMAGE "postgres:15"
#define PG_CONTAINER_PORT 5432u
#define PG_DEFAULT_ROOT "/usr/lib/postgresql"
#define PG_INSTALL_HINT "install the Debian package postgresql (apt-get install postgresql)"

typedef struct pg {
    const exo_host_t *host;
    char *name;
    char *app_dir;
    char *data_dir;       /* spec->data_dir, or the temporary directory when fresh */
    bool temp;            /* data_dir is ours to delete in destroy() */
    bool fresh;
    bool containers;
    unsigned port;

    /* config */
    char *database;
    char *user;
    char *password;       /* the app user's password: config or the generated one */
    bool password_given;
    char *migrations;     /* absolute directory, or NULL */
    char *image;
    int version;          /* wanted major version, 0 = newest installed */

    /* prepared */
    char *bin_dir;
    char *pgdata;
    char *sock_dir;       /* "" when the path would be too long for a Unix socket */
    char *log_path;
    char *super_password;
    res_cred_t cred;
    char *run_user;       /* "postgres" when we run as root, else NULL */
    long log_offset;

    /* unit */
    char *command;
    char *env_strings[4];
    char *mounts[2];      /* containers: the cluster's directory, NULL-terminated */
} pg_t;

static bool logged_root_switch;

/* The resources.<name> block: checked by the core against this table (exo check). */
static const exo_config_key_t pg_config[] = {
    {"version", EXO_CONFIG_INT, NULL,
     "PostgreSQL major version (15); default: the newest installed", 0},
    {"database", EXO_CONFIG_STRING, NULL,
     "database to create, owned by user; default: the resource's name", 0},
    {"user", EXO_CONFIG_STRING, NULL,
     "login role to create (not postgres); default: the resource's name", 0},
    {"password", EXO_CONFIG_STRING, NULL,
     "the role's password; default: a generated one, kept in the data directory",
     EXO_CONFIG_SECRET},
    {"migrations", EXO_CONFIG_STRING, NULL,
     "directory of *.sql files (relative to the app) applied once each, in name order", 0},
    {"image", EXO_CONFIG_STRING, PG_DEFAULT_IMAGE,
     "container backends: the image to run (postgres:<version> when version is set)", 0},
    {NULL, 0, NULL, NULL, 0},
};

static bool valid_ident(const char *s)
{
    if (s == NULL || !(isalpha((unsigned char)s[0]) || s[0] == '_') || strlen(s) > 63) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '_')) {
            return false;
        }
    }
    return true;
}

static void pg_destroy(void *inst);

/* `version`: a major version, as a number or a string ("15"). */
static int read_version(pg_t *pg, const json_t *config, exo_error_t *err)
{
    const json_t *ver = pg->host->config_get(config, "version");
    if (ver == NULL || json_is_null(ver)) {
        return 0;
    }
    long v = json_is_integer(ver) ? (long)json_integer_value(ver)
             : json_is_string(ver) ? strtol(json_string_value(ver), NULL, 10) : 0;
    if (v < 9 || v > 999) {
        return exo_error_set(err, EXO_ERR_INVALID, "resource %s: 'version' must be a "
                             "PostgreSQL major version such as 15", pg->name);
    }
    pg->version = (int)v;
    return 0;
}

/* The settings, with their defaults and the checks of their meaning. */
static int read_settings(pg_t *pg, const exo_resource_spec_t *spec, exo_error_t *err)
{
    const exo_host_t *host = pg->host;
    const json_t *config = spec->config;
    char *migrations = NULL;
    int rc;
    if ((rc = res_setting_string(host, pg->name, config, "database", &pg->database, err)) < 0 ||
        (rc = res_setting_string(host, pg->name, config, "user", &pg->user, err)) < 0 ||
        (rc = res_setting_string(host, pg->name, config, "password", &pg->password, err)) < 0 ||
        (rc = res_setting_string(host, pg->name, config, "migrations", &migrations, err)) < 0 ||
        (rc = res_setting_string(host, pg->name, config, "image", &pg->image, err)) < 0 ||
        (rc = read_version(pg, config, err)) < 0) {
        free(migrations);
        return rc;
    }
    pg->password_given = pg->password != NULL;
    pg->database = pg->database ? pg->database : exo_xstrdup(spec->name);
    pg->user = pg->user ? pg->user : exo_xstrdup(spec->name);
    if (pg->image == NULL) {
        pg->image = pg->version ? exo_strdupf("postgres:%d", pg->version)
                                : exo_xstrdup(PG_DEFAULT_IMAGE);
    }
    if (migrations != NULL) {
        pg->migrations = migrations[0] == '/' ? exo_xstrdup(migrations)
                                              : exo_path_join(spec->app_dir, migrations);
        free(migrations);
    }
    if (!valid_ident(pg->database) || !valid_ident(pg->user)) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "resource %s: database and user must match [A-Za-z_][A-Za-z0-9_]* "
                             "(at most 63 characters); got database '%s', user '%s'",
                             pg->name, pg->database, pg->user);
    }
    if (strcmp(pg->user, PG_SUPERUSER) == 0) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "resource %s: user '%s' is the server's superuser; choose another "
                             "user name", pg->name, PG_SUPERUSER);
    }
    if (pg->migrations != NULL && !exo_path_is_dir(pg->migrations)) {
        return exo_error_set(err, EXO_ERR_NOTFOUND,
                             "resource %s: migrations directory %s does not exist; create it "
                             "or remove the 'migrations' key", pg->name, pg->migrations);
    }
    return 0;
}

static int pg_create(const exo_host_t *host, const exo_resource_spec_t *spec, void **inst,
                     exo_error_t *err)
{
    pg_t *pg = calloc(1, sizeof *pg);
    if (pg == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    pg->host = host;
    pg->name = exo_xstrdup(spec->name);
    pg->app_dir = exo_xstrdup(spec->app_dir);
    pg->fresh = spec->fresh;
    pg->containers = spec->containers;
    pg->port = spec->host_port;
    int rc = read_settings(pg, spec, err);
    if (rc == 0) {
        rc = res_datadir_open(spec, &pg->data_dir, &pg->temp, err);
    }
    if (rc < 0) {
        pg_destroy(pg);
        return rc;
    }
    pg->pgdata = exo_path_join(pg->data_dir, "pgdata");
    pg->log_path = exo_path_join(pg->data_dir, "server.log");
    char *sock = exo_path_join(pg->data_dir, "run");
    /* sun_path holds 107 bytes and the server appends "/.s.PGSQL.NNNNN". */
    if (strlen(sock) + 20 > 107) {
        free(sock);
        sock = exo_xstrdup("");
    }
    pg->sock_dir = sock;
    *inst = pg;
    return 0;
}

/* ---- finding the server ---- */

static bool has_server(const char *bin_dir)
{
    char *postgres = exo_strdupf("%s/postgres", bin_dir);
    char *initdb = exo_strdupf("%s/initdb", bin_dir);
    bool ok = access(postgres, X_OK) == 0 && access(initdb, X_OK) == 0;
    free(postgres);
    free(initdb);
    return ok;
}

/** The bin directory of major @p want when installed, else of the newest major. */
static char *find_bin_dir(int want, const char **looked_in)
{
    const char *root = getenv("EXO_POSTGRES_ROOT");
    if (root == NULL || root[0] == '\0') {
        root = PG_DEFAULT_ROOT;
    }
    *looked_in = root;
    int best = -1;
    bool have_want = false;
    DIR *d = opendir(root);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char *end = NULL;
            long v = strtol(e->d_name, &end, 10);
            if (end == e->d_name || *end != '\0' || v <= 0 || v > INT_MAX) {
                continue;
            }
            char *bin = exo_strdupf("%s/%s/bin", root, e->d_name);
            if (has_server(bin)) {
                have_want = have_want || v == want;
                best = (int)v > best ? (int)v : best;
            }
            free(bin);
        }
        closedir(d);
    }
    if (have_want) {
        return exo_strdupf("%s/%d/bin", root, want);
    }
    if (best > 0) {
        return exo_strdupf("%s/%d/bin", root, best);
    }
    char *postgres = exo_which("postgres");
    if (postgres != NULL) {
        *strrchr(postgres, '/') = '\0';
        if (has_server(postgres)) {
            return postgres;
        }
        free(postgres);
    }
    return NULL;
}

static int read_pg_version(const char *pgdata)
{
    char *path = exo_strdupf("%s/PG_VERSION", pgdata);
    char *text = exo_read_file(path, NULL);
    free(path);
    int v = text ? atoi(text) : 0;
    free(text);
    return v;
}

static int setup_credentials(pg_t *pg, exo_error_t *err)
{
    if (geteuid() != 0) {
        return 0;
    }
    struct passwd *pw = getpwnam(PG_SUPERUSER);
    if (pw == NULL) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE,
                             "resource %s: exo runs as root and PostgreSQL refuses to run as "
                             "root, but there is no unprivileged 'postgres' system user; "
                             PG_INSTALL_HINT " (it creates the user) or run exo as a regular user",
                             pg->name);
    }
    pg->cred.drop = true;
    pg->cred.uid = pw->pw_uid;
    pg->cred.gid = pw->pw_gid;
    pg->run_user = exo_xstrdup(PG_SUPERUSER);
    if (!logged_root_switch) {
        logged_root_switch = true;
        pg->host->log(pg->host, EXO_LOG_INFO,
                      "exo runs as root: PostgreSQL runs as the unprivileged system user '%s'",
                      PG_SUPERUSER);
    }
    return 0;
}

/** The superuser password: the stored one, or a new one (owned by the server's user). */
static int load_password(pg_t *pg, exo_error_t *err)
{
    char *text = NULL;
    int rc = res_datadir_password(pg->name, pg->data_dir, pg->cred.drop, pg->cred.uid,
                                  pg->cred.gid, &text, err);
    if (rc < 0) {
        return rc;
    }
    free(pg->super_password);
    pg->super_password = text;
    if (!pg->password_given) {
        free(pg->password);
        pg->password = exo_xstrdup(text);
    }
    return 0;
}

static int run_initdb(pg_t *pg, exo_error_t *err)
{
    char *tmpdata = exo_strdupf("%s/pgdata.initdb", pg->data_dir);
    exo_rm_rf(tmpdata); /* a leftover of an interrupted initdb */
    char *initdb = exo_strdupf("%s/initdb", pg->bin_dir);
    char *dflag = exo_strdupf("--pgdata=%s", tmpdata);
    char *pwflag = exo_strdupf("--pwfile=%s/password", pg->data_dir);
    char *argv[] = {initdb, dflag, "--username=" PG_SUPERUSER, pwflag, "--auth=scram-sha-256",
                    "--encoding=UTF8", "--no-locale", "--no-instructions",
                    pg->fresh ? "--no-sync" : NULL, NULL};
    char *out = NULL;
    pg->host->log(pg->host, EXO_LOG_INFO, "resource %s: creating a database cluster in %s",
                  pg->name, pg->pgdata);
    int st = res_helper_run(argv, &pg->cred, &out);
    int rc = 0;
    if (st != 0) {
        if (out != NULL) {
            exo_rtrim(out);
        }
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: initdb failed (status %d): %s",
                           pg->name, st, out && *out ? out : strerror(errno));
        exo_rm_rf(tmpdata);
    } else if (rename(tmpdata, pg->pgdata) != 0) {
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: cannot rename %s: %s", pg->name,
                           tmpdata, strerror(errno));
    }
    free(out);
    free(initdb);
    free(dflag);
    free(pwflag);
    free(tmpdata);
    return rc;
}

/* The server programs: of the data's major version, else of the one asked for, else newest. */
static int find_server(pg_t *pg, exo_error_t *err)
{
    const char *looked_in = NULL;
    int existing = read_pg_version(pg->pgdata);
    if (pg->version && existing && pg->version != existing) {
        return exo_error_set(err, EXO_ERR_INVALID, "resource %s: the data in %s was made by "
                             "PostgreSQL %d but 'version' asks for %d; wipe the data (exo clean "
                             "--data) or ask for %d", pg->name, pg->pgdata, existing,
                             pg->version, existing);
    }
    int want = existing ? existing : pg->version;
    pg->bin_dir = find_bin_dir(want, &looked_in);
    if (pg->bin_dir != NULL && pg->version != 0) {
        char *expect = exo_strdupf("/%d/bin", pg->version);
        size_t bl = strlen(pg->bin_dir), el = strlen(expect);
        bool match = bl >= el && strcmp(pg->bin_dir + bl - el, expect) == 0;
        free(expect);
        if (!match) {
            return exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: PostgreSQL %d is not "
                                 "installed (found %s); install the Debian package "
                                 "postgresql-%d or drop 'version'", pg->name, pg->version,
                                 pg->bin_dir, pg->version);
        }
    }
    if (pg->bin_dir == NULL) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE,
                             "resource %s: PostgreSQL server programs (postgres, initdb) not "
                             "found in %s/*/bin nor on PATH; " PG_INSTALL_HINT,
                             pg->name, looked_in);
    }
    return 0;
}

/* As root: the data directory belongs to the server's user, who must be able to reach it. */
static int hand_data_dir_over(pg_t *pg, exo_error_t *err)
{
    if (!pg->cred.drop) {
        return 0;
    }
    if (chown(pg->data_dir, pg->cred.uid, pg->cred.gid) != 0) {
        return exo_error_set(err, EXO_ERR_IO, "resource %s: cannot chown %s: %s", pg->name,
                             pg->data_dir, strerror(errno));
    }
    if (!res_helper_can_use_dir(&pg->cred, pg->data_dir)) {
        return exo_error_set(err, EXO_ERR_IO,
                             "resource %s: the system user '%s' cannot reach %s: a parent "
                             "directory is not searchable by other users; allow it "
                             "(chmod o+x on the parents) or keep the app elsewhere",
                             pg->name, PG_SUPERUSER, pg->data_dir);
    }
    return 0;
}

/* The cluster (initdb on first use), the socket directory and the log the server writes. */
static int prepare_cluster(pg_t *pg, exo_error_t *err)
{
    int rc;
    struct stat st;
    if (stat(pg->pgdata, &st) != 0) {
        if ((rc = run_initdb(pg, err)) < 0) {
            return rc;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        return exo_error_set(err, EXO_ERR_IO, "resource %s: %s is not a directory; wipe the "
                             "resource's data (exo clean --data)", pg->name, pg->pgdata);
    }
    if (pg->sock_dir[0] != '\0') {
        if ((rc = res_datadir_ensure(pg->name, pg->sock_dir, err)) < 0) {
            return rc;
        }
        if (pg->cred.drop && chown(pg->sock_dir, pg->cred.uid, pg->cred.gid) != 0) {
            return exo_error_set(err, EXO_ERR_IO, "resource %s: cannot chown %s: %s",
                                 pg->name, pg->sock_dir, strerror(errno));
        }
    }
    if (pg->cred.drop) {
        /* The server appends to its log as the unprivileged user. */
        int fd = open(pg->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            if (fchown(fd, pg->cred.uid, pg->cred.gid) != 0) {
                pg->host->log(pg->host, EXO_LOG_WARN, "resource %s: cannot chown %s: %s",
                              pg->name, pg->log_path, strerror(errno));
            }
            close(fd);
        }
    }
    return 0;
}

static int pg_prepare(void *inst, exo_error_t *err)
{
    pg_t *pg = inst;
    int rc = res_datadir_ensure(pg->name, pg->data_dir, err);
    if (rc < 0) {
        return rc;
    }
    if (pg->containers) {
        /* The image's entrypoint makes the cluster; only the password is ours. */
        return load_password(pg, err);
    }
    if ((rc = find_server(pg, err)) < 0 || (rc = setup_credentials(pg, err)) < 0 ||
        (rc = hand_data_dir_over(pg, err)) < 0 || (rc = load_password(pg, err)) < 0) {
        return rc;
    }
    return prepare_cluster(pg, err);
}

static int pg_unit(void *inst, exo_resource_unit_t *out, exo_error_t *err)
{
    pg_t *pg = inst;
    free(pg->command);
    pg->command = NULL;
    if (!pg->containers) {
        char *bin = exo_strdupf("%s/postgres", pg->bin_dir);
        char *qbin = exo_shell_quote(bin);
        char *qdata = exo_shell_quote(pg->pgdata);
        char *sockopt = exo_strdupf("unix_socket_directories=%s", pg->sock_dir);
        char *qsock = exo_shell_quote(sockopt);
        /* A throwaway test database trades durability for speed. */
        const char *fast = pg->fresh ? " -c fsync=off -c synchronous_commit=off"
                                       " -c full_page_writes=off" : "";
        char *args = exo_strdupf("%s -D %s -p %u -c listen_addresses=127.0.0.1 -c %s "
                                "-c log_line_prefix= -c logging_collector=off%s",
                                qbin, qdata, pg->port, qsock, fast);
        /* The server's output goes to its log so that check_ready can report a failed start
         * in the server's own words. */
        pg->command = res_server_command(args, pg->log_path);
        free(args);
        free(bin);
        free(qbin);
        free(qdata);
        free(sockopt);
        free(qsock);
    }
    for (size_t i = 0; i < 3; i++) {
        free(pg->env_strings[i]);
    }
    pg->env_strings[0] = exo_xstrdup("POSTGRES_USER=" PG_SUPERUSER);
    pg->env_strings[1] = exo_strdupf("POSTGRES_PASSWORD=%s", pg->super_password);
    pg->env_strings[2] = exo_xstrdup("POSTGRES_DB=postgres");
    pg->env_strings[3] = NULL;
    pg->log_offset = res_server_log_size(pg->log_path);

    out->command = pg->command;
    out->image = pg->image;
    out->env = pg->containers ? (const char *const *)pg->env_strings : NULL;
    out->user = pg->containers ? NULL : pg->run_user;
    out->port = pg->containers ? PG_CONTAINER_PORT : pg->port;
    free(pg->mounts[0]);
    pg->mounts[0] = NULL;
    if (pg->containers) {
        /* The cluster outlives the container, in the same place as on the process backend;
         * the image's entrypoint initialises it when empty (PGDATA of the stock image). */
        pg->mounts[0] = exo_strdupf("%s:/var/lib/postgresql/data", pg->pgdata);
    }
    out->mounts = (const char *const *)pg->mounts;
    (void)err;
    return 0;
}

/* ---- readiness ---- */

static PGconn *connect_as(const pg_t *pg, const char *user, const char *password,
                          const char *dbname)
{
    char port[16];
    snprintf(port, sizeof port, "%u", pg->port);
    const char *const keys[] = {"host", "port", "user", "password", "dbname",
                                "connect_timeout", "application_name", NULL};
    const char *const vals[] = {"127.0.0.1", port, user, password, dbname, "2", "exo", NULL};
    return PQconnectdbParams(keys, vals, 0);
}

/* FATAL lines a running server logs about one client connection, not about itself. */
static bool is_client_fatal(const char *line)
{
    static const char *const benign[] = {
        "the database system is starting up", "the database system is shutting down",
        "password authentication failed", "pg_hba.conf", "terminating connection",
        "the database system is not yet accepting", NULL,
    };
    for (const char *const *b = benign; *b; b++) {
        if (strstr(line, *b) != NULL) {
            return true;
        }
    }
    /* A client naming a missing role or database, not a missing data directory. */
    return strstr(line, "does not exist") != NULL &&
           (strncmp(line, "FATAL:  role \"", 14) == 0 ||
            strncmp(line, "FATAL:  database \"", 18) == 0);
}

/**
 * What the server said about failing to start since unit(): the FATAL/PANIC lines and the lines
 * that explain them, " / "-joined, or NULL when it did not fail.
 */
/* PostgreSQL's log lines: FATAL/PANIC about the server itself fail the start; those and the
 * lines that explain them are quoted. */
static const char *judge_log_line(const char *line, bool *fatal)
{
    bool server_fatal = (strncmp(line, "FATAL:", 6) == 0 || strncmp(line, "PANIC:", 6) == 0) &&
                        !is_client_fatal(line);
    /* Lines without a severity come from the server before logging is set up
     * ("postgres: could not find the database system", "Expected to find it..."). */
    bool bare = strchr(line, ':') == NULL || !isupper((unsigned char)line[0]) ||
                strncmp(line, "postgres:", 9) == 0;
    bool context = strncmp(line, "HINT:", 5) == 0 || strncmp(line, "DETAIL:", 7) == 0 ||
                   strstr(line, "could not") != NULL;
    *fatal = server_fatal || strncmp(line, "postgres:", 9) == 0;
    return server_fatal || bare || context ? line : NULL;
}

static char *startup_failure(const pg_t *pg)
{
    return res_server_failure(pg->log_path, pg->log_offset, judge_log_line, 400);
}

static int pg_check_ready(void *inst, exo_error_t *err)
{
    pg_t *pg = inst;
    PGconn *c = connect_as(pg, PG_SUPERUSER, pg->super_password, "postgres");
    if (PQstatus(c) == CONNECTION_OK) {
        int rc = 1;
        if (!pg->containers) {
            /* Make sure the answer comes from our server, not from whatever else may hold
             * the port. */
            PGresult *r = PQexec(c, "SHOW data_directory");
            char *want = realpath(pg->pgdata, NULL);
            if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && want != NULL &&
                strcmp(PQgetvalue(r, 0, 0), want) != 0) {
                /* Not ready: our own server is most likely failing on the taken port and
                 * about to say so in its log, which is the better report. */
                pg->host->log(pg->host, EXO_LOG_DEBUG, "resource %s: port %u answers with "
                              "another PostgreSQL server (data directory %s)", pg->name,
                              pg->port, PQgetvalue(r, 0, 0));
                rc = 0;
            }
            free(want);
            PQclear(r);
        }
        PQfinish(c);
        if (rc == 1) {
            /* A later restart by the core reads only what the server says from now on. */
            pg->log_offset = res_server_log_size(pg->log_path);
        }
        if (rc != 0) {
            return rc;
        }
    } else {
        PQfinish(c);
    }
    if (pg->containers) {
        return 0;
    }
    char *why = startup_failure(pg);
    if (why != NULL) {
        int rc = exo_error_set(err, EXO_ERR_UNAVAILABLE,
                               "resource %s: PostgreSQL failed to start: %s (log: %s)",
                               pg->name, why, pg->log_path);
        free(why);
        return rc;
    }
    return 0;
}

/* ---- provisioning ---- */

static int exec_ok(const pg_t *pg, PGconn *c, const char *sql, exo_error_t *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char *msg = exo_xstrdup(PQresultErrorMessage(r));
        exo_rtrim(msg);
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: %s", pg->name, msg);
        free(msg);
    }
    PQclear(r);
    return rc;
}

/** 1 when @p sql with one parameter returns a row, 0 when not, < 0 on error. */
static int exists(const pg_t *pg, PGconn *c, const char *sql, const char *param,
                  exo_error_t *err)
{
    const char *params[] = {param};
    PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    int rc;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char *msg = exo_xstrdup(PQresultErrorMessage(r));
        exo_rtrim(msg);
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: %s", pg->name, msg);
        free(msg);
    } else {
        rc = PQntuples(r) > 0;
    }
    PQclear(r);
    return rc;
}

static int ensure_role_and_db(pg_t *pg, exo_error_t *err)
{
    PGconn *c = connect_as(pg, PG_SUPERUSER, pg->super_password, "postgres");
    if (PQstatus(c) != CONNECTION_OK) {
        char *msg = exo_xstrdup(PQerrorMessage(c));
        exo_rtrim(msg);
        int rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: cannot connect as "
                               "superuser: %s", pg->name, msg);
        free(msg);
        PQfinish(c);
        return rc;
    }
    char *user = PQescapeIdentifier(c, pg->user, strlen(pg->user));
    char *db = PQescapeIdentifier(c, pg->database, strlen(pg->database));
    char *pass = PQescapeLiteral(c, pg->password, strlen(pg->password));
    char *sql = NULL;
    int rc = exists(pg, c, "SELECT 1 FROM pg_roles WHERE rolname = $1", pg->user, err);
    if (rc >= 0) {
        /* ALTER on every start so that a changed 'password' in the config takes effect. */
        sql = exo_strdupf("%s ROLE %s LOGIN PASSWORD %s", rc ? "ALTER" : "CREATE", user, pass);
        rc = exec_ok(pg, c, sql, err);
        free(sql);
    }
    if (rc >= 0) {
        rc = exists(pg, c, "SELECT 1 FROM pg_database WHERE datname = $1", pg->database, err);
        if (rc == 0) {
            pg->host->log(pg->host, EXO_LOG_INFO, "resource %s: creating database %s owned by "
                          "%s", pg->name, pg->database, pg->user);
            sql = exo_strdupf("CREATE DATABASE %s OWNER %s", db, user);
            rc = exec_ok(pg, c, sql, err);
            free(sql);
        }
    }
    PQfreemem(user);
    PQfreemem(db);
    PQfreemem(pass);
    PQfinish(c);
    return rc < 0 ? rc : 0;
}

static int is_sql_file(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return e->d_name[0] != '.' && len >= 5 && strcmp(e->d_name + len - 4, ".sql") == 0;
}

/* Byte order, not the locale's collation: the order must not depend on where exo runs. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/** The *.sql entries of @p dir, sorted bytewise; free each and the array. 0 when none. */
static int list_sql(const char *dir, struct dirent ***files)
{
    int n = scandir(dir, files, is_sql_file, by_name);
    return n > 0 ? n : 0;
}

/** LINE:COLUMN of 1-based character @p pos in @p text (ASCII; good enough for a pointer). */
static void locate(const char *text, long pos, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (long i = 1; i < pos && *text; i++, text++) {
        if (*text == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int apply_migration(pg_t *pg, PGconn *c, const char *file, exo_error_t *err)
{
    char *path = exo_strdupf("%s/%s", pg->migrations, file);
    /* Name the file as the user wrote it when it is inside the app. */
    size_t adl = strlen(pg->app_dir);
    const char *shown = strncmp(path, pg->app_dir, adl) == 0 && path[adl] == '/'
                            ? path + adl + 1 : path;
    char *sql = exo_read_file(path, NULL);
    int rc = 0;
    if (sql == NULL) {
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: cannot read migration %s: %s",
                           pg->name, shown, strerror(errno));
        free(path);
        return rc;
    }
    if ((rc = exec_ok(pg, c, "BEGIN", err)) < 0) {
        free(sql);
        free(path);
        return rc;
    }
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        const char *position = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
        const char *severity = PQresultErrorField(r, PG_DIAG_SEVERITY);
        int line = 0, col = 0;
        if (position != NULL) {
            locate(sql, atol(position), &line, &col);
        }
        char where[32] = "";
        if (line > 0) {
            snprintf(where, sizeof where, ":%d:%d", line, col);
        }
        rc = exo_error_set(err, EXO_ERR_IO, "%s%s: migration failed: %s: %s (resource %s; "
                           "fix the file and run again, earlier files stay applied)", shown,
                           where, severity ? severity : "ERROR",
                           primary ? primary : PQresultErrorMessage(r), pg->name);
        PQclear(r);
        PQclear(PQexec(c, "ROLLBACK"));
        free(sql);
        free(path);
        return rc;
    }
    PQclear(r);
    const char *params[] = {file};
    r = PQexecParams(c, "INSERT INTO exo_migrations (name) VALUES ($1)", 1, NULL, params, NULL,
                     NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        char *msg = exo_xstrdup(PQresultErrorMessage(r));
        exo_rtrim(msg);
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: cannot record migration %s: %s",
                           pg->name, shown, msg);
        free(msg);
        PQclear(r);
        PQclear(PQexec(c, "ROLLBACK"));
    } else {
        PQclear(r);
        rc = exec_ok(pg, c, "COMMIT", err);
        if (rc == 0) {
            pg->host->log(pg->host, EXO_LOG_INFO, "resource %s: applied migration %s", pg->name,
                          shown);
        }
    }
    free(sql);
    free(path);
    return rc;
}

static int run_migrations(pg_t *pg, exo_error_t *err)
{
    PGconn *c = connect_as(pg, pg->user, pg->password, pg->database);
    if (PQstatus(c) != CONNECTION_OK) {
        char *msg = exo_xstrdup(PQerrorMessage(c));
        exo_rtrim(msg);
        int rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "resource %s: cannot connect as %s to "
                               "%s: %s", pg->name, pg->user, pg->database, msg);
        free(msg);
        PQfinish(c);
        return rc;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    int rc = exec_ok(pg, c, "CREATE TABLE IF NOT EXISTS exo_migrations (name text PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now())", err);
    struct dirent **files = NULL;
    int n = list_sql(pg->migrations, &files);
    for (int i = 0; i < n; i++) {
        const char *file = files[i]->d_name;
        if (rc == 0) {
            rc = exists(pg, c, "SELECT 1 FROM exo_migrations WHERE name = $1", file, err);
            rc = rc == 0 ? apply_migration(pg, c, file, err) : rc < 0 ? rc : 0;
        }
        free(files[i]);
    }
    free(files);
    PQfinish(c);
    return rc;
}

static int pg_provision(void *inst, exo_error_t *err)
{
    pg_t *pg = inst;
    int rc = ensure_role_and_db(pg, err);
    if (rc == 0 && pg->migrations != NULL) {
        rc = run_migrations(pg, err);
    }
    return rc;
}

static int pg_emit_env(void *inst, exo_env_t *env, const char *prefix, const char *host,
                       unsigned port, exo_error_t *err)
{
    pg_t *pg = inst;
    /* `exo env` asks without preparing: show the stored (or the future) password. */
    if (pg->password == NULL) {
        int rc = res_datadir_ensure(pg->name, pg->data_dir, err);
        if (rc < 0 || (rc = load_password(pg, err)) < 0) {
            return rc;
        }
    }
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%u", port);
    char *euser = exo_url_encode(pg->user);
    char *epass = exo_url_encode(pg->password);
    char *url = exo_strdupf("postgres://%s:%s@%s:%u/%s", euser, epass, host, port,
                            pg->database);
    const res_var_t vars[] = {
        {"URL", url, EXO_ENV_SECRET}, /* it carries the password */
        {"HOST", host, 0},
        {"PORT", portstr, 0},
        {"USER", pg->user, 0},
        {"PASSWORD", pg->password, EXO_ENV_SECRET},
        {"DATABASE", pg->database, 0},
    };
    int rc = res_vars_emit(pg->host, pg->name, env, prefix, vars, sizeof vars / sizeof vars[0],
                           err);
    free(url);
    free(euser);
    free(epass);
    return rc;
}

static int pg_wipe(void *inst, exo_error_t *err)
{
    pg_t *pg = inst;
    static const char *const parts[] = {"pgdata", "pgdata.initdb", "password", "password.tmp",
                                        "run", "server.log", NULL};
    return res_datadir_wipe(pg->name, pg->data_dir, parts, err);
}

static void pg_destroy(void *inst)
{
    pg_t *pg = inst;
    if (pg == NULL) {
        return;
    }
    if (pg->temp && pg->data_dir != NULL) {
        exo_rm_rf(pg->data_dir);
    }
    free(pg->name);
    free(pg->app_dir);
    free(pg->data_dir);
    free(pg->database);
    free(pg->user);
    free(pg->password);
    free(pg->migrations);
    free(pg->image);
    free(pg->bin_dir);
    free(pg->pgdata);
    free(pg->sock_dir);
    free(pg->log_path);
    free(pg->super_password);
    free(pg->run_user);
    free(pg->mounts[0]);
    free(pg->command);
    for (size_t i = 0; i < 4; i++) {
        free(pg->env_strings[i]);
    }
    free(pg);
}

static const exo_resource_ops_t pg_ops = {
    .size = sizeof(exo_resource_ops_t),
    .create = pg_create,
    .prepare = pg_prepare,
    .unit = pg_unit,
    .check_ready = pg_check_ready,
    .provision = pg_provision,
    .emit_env = pg_emit_env,
    .wipe = pg_wipe,
    .destroy = pg_destroy,
};

EXO_RESOURCE_PLUGIN_CONFIG("postgres", PACKAGE_VERSION, "PostgreSQL databases (server from the "
                           "postgresql package, or a container image)", EXO_CAP_NONE, NULL,
                           NULL, &pg_ops, pg_config)
