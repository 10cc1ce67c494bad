/* tests/unit/test_run.c - the pure parts of exo run: unit specs from the model, environment
 * layering and naming, watch filters, the run record. Processes and signals are covered by
 * the scripts in tests/run/. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "model/app.h"
#include "base/env.h"
#include "run/unitenv.h"
#include "run/unitspec.h"
#include "run/masker.h"
#include "run/output.h"
#include "run/record.h"
#include "run/starttimes.h"
#include "base/util.h"
#include "run/watch.h"
#include "../support/cunit_main.h"
#include "../support/test_app.h"

static void test_prefix(void)
{
    char *p = exo_unitenv_prefix("api-server");
    CU_ASSERT_STRING_EQUAL(p, "API_SERVER_");
    free(p);
    p = exo_unitenv_prefix("db_main");
    CU_ASSERT_STRING_EQUAL(p, "DB_MAIN_");
    free(p);
}

static int fake_resource_env(void *arg, const exo_service_t *svc, const char *name,
                             exo_env_t *env, exo_error_t *err)
{
    char *prefix = exo_unitenv_prefix(name);
    char *n = exo_strdupf("%sURL", prefix);
    exo_env_set(env, n, "postgres://db", 0);
    free(n);
    n = exo_strdupf("%sPASSWORD", prefix);
    exo_env_set(env, n, "pw", EXO_ENV_SECRET);
    free(n);
    /* A resource may not override what the manifest says. */
    exo_env_set(env, "LAYER", "resource", 0);
    free(prefix);
    return 0;
}

/* Stands in for the transport's emit_env: the endpoint, and a build variable for setup. */
static int fake_bus_env(void *arg, const exo_service_t *svc, exo_env_t *env, exo_error_t *err)
{
    const bool *setup = arg;
    exo_env_set_origin(env, "transport fake");
    exo_env_set(env, "EXO_BUS_ENDPOINT", "tcp://127.0.0.1:9", 0);
    exo_env_set(env, "LAYER", "bus", 0);
    if (*setup) {
        exo_env_set(env, "EXO_LIBS", "-lfake", 0);
    }
    return 0;
}

static int failing_bus_env(void *arg, const exo_service_t *svc, exo_env_t *env,
                           exo_error_t *err)
{
    return exo_error_set(err, EXO_ERR_NOTFOUND, "no transport");
}

static const exo_env_var_t *get(const exo_env_t *env, const char *name)
{
    const exo_env_var_t *v = exo_env_get(env, name);
    CU_ASSERT_PTR_NOT_NULL(v);
    return v;
}

static void test_layers_in_precedence_order(void)
{
    exo_kv_t app_env[] = {{"LAYER", "app", false}, {"APP_ONLY", "a", true}};
    exo_kv_t svc_env[] = {{"LAYER", "service", false}, {"PORT", "1", false}};
    exo_kv_t role_env[] = {{"LAYER", "role", false}};
    char *res[] = {"db"};
    exo_service_t services[2];
    memset(services, 0, sizeof services);
    services[0].role = "web";
    services[0].env = svc_env;
    services[0].n_env = 2;
    services[0].app_env = role_env;
    services[0].n_app_env = 1;
    services[0].resources = res;
    services[0].n_resources = 1;
    services[0].port = 80;
    services[1].role = "api-server";
    services[1].port = 90;
    exo_app_t app;
    memset(&app, 0, sizeof app);
    app.name = "shop";
    app.services = services;
    app.n_services = 2;
    app.env = app_env;
    app.n_env = 2;
    unsigned listen[] = {4000, 5000};
    const char *hosts[] = {"127.0.0.1", "10.0.0.2"};
    bool setup = false;
    exo_unitenv_ctx_t ctx = {.app = &app, .run_id = "r1", .listen_ports = listen,
                             .reach_ports = listen, .hosts = hosts, .bus_env = fake_bus_env,
                             .resource_env = fake_resource_env, .arg = &setup};
    setenv("EXO_SOMETHING", "leak", 1);
    setenv("RUN_TEST_INHERITED", "yes", 1);
    exo_env_t *env = exo_env_new();
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, &services[0], env, &err), 0);
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_ROLE")->value, "web");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_APP")->value, "shop");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_BUS_ENDPOINT")->value, "tcp://127.0.0.1:9");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_BUS_ENDPOINT")->origin, "transport fake");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_RUN_ID")->origin, "exo");
    CU_ASSERT_STRING_EQUAL(get(env, "API_SERVER_URL")->value, "http://10.0.0.2:5000");
    CU_ASSERT_STRING_EQUAL(get(env, "API_SERVER_PORT")->value, "5000");
    CU_ASSERT_STRING_EQUAL(get(env, "API_SERVER_HOST")->origin, "exo (service api-server)");
    CU_ASSERT_PTR_NULL(exo_env_get(env, "WEB_URL"));
    CU_ASSERT_STRING_EQUAL(get(env, "DB_URL")->origin, "resource db");
    CU_ASSERT_TRUE(get(env, "DB_PASSWORD")->secret);
    CU_ASSERT_TRUE(get(env, "APP_ONLY")->secret);
    /* later layers win: role env > service.yml > app env > resource > bus > exo */
    CU_ASSERT_STRING_EQUAL(get(env, "LAYER")->value, "role");
    CU_ASSERT_STRING_EQUAL(get(env, "LAYER")->origin, "application.yml services.web.env");
    CU_ASSERT_STRING_EQUAL(get(env, "PORT")->value, "1");
    CU_ASSERT_STRING_EQUAL(get(env, "PORT")->origin, "service.yml env");
    CU_ASSERT_STRING_EQUAL(get(env, "RUN_TEST_INHERITED")->origin, "inherited");
    CU_ASSERT_PTR_NULL(exo_env_get(env, "EXO_SOMETHING"));
    CU_ASSERT_PTR_NULL(exo_env_get(env, "EXO_LIBS"));
    CU_ASSERT_PTR_NULL(exo_env_get(env, "PYTHONPATH")); /* the transport's business now */
    exo_env_destroy(&env);

    setup = true;
    env = exo_env_new();
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, &services[1], env, &err), 0);
    CU_ASSERT_STRING_EQUAL(get(env, "PORT")->value, "5000");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_LIBS")->value, "-lfake");
    CU_ASSERT_STRING_EQUAL(get(env, "LAYER")->value, "app"); /* the manifest beats the bus */
    CU_ASSERT_STRING_EQUAL(get(env, "WEB_URL")->value, "http://127.0.0.1:4000");
    exo_env_destroy(&env);

    /* A failing bus layer fails the whole environment, with its message. */
    ctx.bus_env = failing_bus_env;
    env = exo_env_new();
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, &services[0], env, &err), EXO_ERR_NOTFOUND);
    CU_ASSERT_STRING_EQUAL(err.message, "no transport");
    exo_env_destroy(&env);
    unsetenv("EXO_SOMETHING");
    unsetenv("RUN_TEST_INHERITED");
}

static void test_secrets_to_mask(void)
{
    exo_env_t *env = exo_env_new();
    exo_env_set(env, "PASSWORD", "hunter22", EXO_ENV_SECRET);
    exo_env_set(env, "PIN", "123", EXO_ENV_SECRET); /* too short to mask words with */
    exo_env_set(env, "USER", "alice", 0);
    exo_strv_t secrets = {0};
    exo_strv_push(&secrets, "stale");
    exo_unitenv_secrets(env, &secrets);
    CU_ASSERT_EQUAL(secrets.n, 1);
    CU_ASSERT_STRING_EQUAL(secrets.v[0], "hunter22");
    exo_strv_free(&secrets);
    exo_env_destroy(&env);
}

static char *masked(const exo_masker_t *m, const char *text)
{
    return exo_masker_apply(m, text, strlen(text), NULL);
}

static void test_masker(void)
{
    exo_masker_t *m = exo_masker_new();
    CU_ASSERT_TRUE(exo_masker_empty(m));
    exo_masker_add(m, "abc"); /* too short */
    CU_ASSERT_TRUE(exo_masker_empty(m));
    exo_masker_add(m, "hunter22");
    exo_masker_add(m, "hunter22"); /* known: once */
    exo_masker_add(m, "postgresql://u:hunter22@h/db");
    exo_masker_add(m, "q\"uote");
    char *t = masked(m, "a hunter22 b postgresql://u:hunter22@h/db c hunter2");
    CU_ASSERT_STRING_EQUAL(t, "a ****** b ****** c hunter2"); /* longest first */
    free(t);
    t = masked(m, "{\"p\":\"q\\\"uote\"} q\"uote"); /* the JSON form too */
    CU_ASSERT_STRING_EQUAL(t, "{\"p\":\"******\"} ******");
    free(t);
    t = masked(m, "");
    CU_ASSERT_STRING_EQUAL(t, "");
    free(t);
    /* What may begin a secret at the end of a piece. */
    CU_ASSERT_EQUAL(exo_masker_held(m, "xx hunt", 7), 4);
    CU_ASSERT_EQUAL(exo_masker_held(m, "xx hunter22", 11), 0); /* whole: masked already */
    CU_ASSERT_EQUAL(exo_masker_held(m, "xx postgresql://u:", 18), 15);
    CU_ASSERT_EQUAL(exo_masker_held(m, "xx huntress", 11), 0);
    exo_masker_destroy(&m);
    CU_ASSERT_PTR_NULL(m);
}

/* A secret across the 64 KiB pieces of a line is masked, and no text is lost. */
static void test_output_masks_across_pieces(void)
{
    FILE *f = tmpfile();
    exo_output_t *o = exo_output_new(f, EXO_OUTPUT_TEXT, NULL);
    exo_strv_t secrets = {0};
    exo_strv_push(&secrets, "0123456789abcdef");
    exo_output_add_secrets(o, &secrets);
    char *piece = exo_xmalloc(EXO_OUTPUT_PIECE);
    memset(piece, 'x', EXO_OUTPUT_PIECE);
    memcpy(piece + EXO_OUTPUT_PIECE - 1, "0", 1);
    exo_output_unit_line(o, "svc", EXO_OUT_STDOUT, piece, EXO_OUTPUT_PIECE);
    exo_output_unit_line(o, "svc", EXO_OUT_STDOUT, "123456789abcdef tail", 20);
    exo_output_unit_line(o, "svc", EXO_OUT_STDOUT, "other 0123456789abcdef", 22);
    exo_output_destroy(&o);
    rewind(f);
    size_t n = 0;
    char *all = exo_xmalloc(2 * EXO_OUTPUT_PIECE);
    n = fread(all, 1, 2 * EXO_OUTPUT_PIECE - 1, f);
    all[n] = '\0';
    fclose(f);
    CU_ASSERT_PTR_NULL(strstr(all, "0123456789abcde"));
    CU_ASSERT_PTR_NULL(strstr(all, "123456789abcdef"));
    CU_ASSERT_PTR_NOT_NULL(strstr(all, "x\nsvc | ****** tail\nsvc | other ******\n"));
    CU_ASSERT_EQUAL(n, (size_t)(6 + EXO_OUTPUT_PIECE - 1 + 1 + 6 + 11 + 1 + 6 + 12 + 1));
    free(all);
    free(piece);
    exo_strv_free(&secrets);
}

/* ---- unit specs ---- */

/* An app with one service as the model loads it: a port, settings (services.api.options),
 * a setup and a test command. */
static exo_app_t *load_app(char **dir_out)
{
    return exo_test_app_load("name: shop\nservices:\n  api:\n    location: ./api\n"
                             "    options:\n      memory: 512m\n", "api",
                             "setup: make\ntest: make test\nstartup:\n  command: ./serve\n"
                             "port: 8080\n", dir_out);
}

static const exo_unit_place_t process_place = {
    .backend = "process", .containers = false, .host_port = 41000, .listen_port = 41000};
static const exo_unit_place_t container_place = {
    .backend = "docker", .containers = true, .settings_section = "docker", .host_port = 41001};

static void test_unitspec_service(void)
{
    char *dir;
    exo_app_t *app = load_app(&dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    exo_service_t *svc = &app->services[0];
    char *svc_dir = exo_path_join(dir, "api");
    char *real_dir = realpath(svc_dir, NULL);
    const char *env[] = {"A=1", "EXO_ROLE=api", NULL};
    exo_unit_source_t src = {.role = EXO_UNIT_ROLE_SERVICE, .svc = svc};
    exo_error_t err = {0};
    exo_unit_spec_t *u = exo_unitspec_build(&src, &process_place, env, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(u->size, sizeof *u);
    CU_ASSERT_STRING_EQUAL(u->name, "api");
    CU_ASSERT_EQUAL(u->mode, EXO_UNIT_SERVICE);
    CU_ASSERT_STRING_EQUAL(u->dir, real_dir);
    CU_ASSERT_STRING_EQUAL(u->command, "./serve");
    CU_ASSERT_STRING_EQUAL(u->env[0], "A=1");
    CU_ASSERT_STRING_EQUAL(u->env[1], "EXO_ROLE=api");
    CU_ASSERT_PTR_NULL(u->env[2]);
    CU_ASSERT_PTR_NOT_EQUAL(u->env[0], env[0]); /* copied */
    /* processes listen on the remapped port, published as is */
    CU_ASSERT_EQUAL_FATAL(u->n_ports, 1);
    CU_ASSERT_EQUAL(u->ports[0].unit_port, 41000);
    CU_ASSERT_EQUAL(u->ports[0].host_port, 41000);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(u->options, "memory")), "512m");
    CU_ASSERT_PTR_NULL(u->user);
    CU_ASSERT_PTR_NULL(u->mounts);
    CU_ASSERT_PTR_NULL(u->on_output);
    exo_unitspec_free(&u);
    CU_ASSERT_PTR_NULL(u);

    /* on containers the program keeps its own port; the host side is published */
    u = exo_unitspec_build(&src, &container_place, env, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(u->ports[0].unit_port, 8080);
    CU_ASSERT_EQUAL(u->ports[0].host_port, 41001);
    exo_unitspec_free(&u);

    /* a service without a port gets none */
    svc->port = 0;
    u = exo_unitspec_build(&src, &process_place, NULL, &err);
    CU_ASSERT_EQUAL(u->n_ports, 0);
    CU_ASSERT_PTR_NULL(u->ports);
    CU_ASSERT_PTR_NULL(u->env[0]);
    exo_unitspec_free(&u);
    free(svc_dir);
    free(real_dir);
    exo_test_app_drop(app, dir);
}

static void test_unitspec_tasks(void)
{
    char *dir;
    exo_app_t *app = load_app(&dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    exo_service_t *svc = &app->services[0];
    const char *env[] = {"EXO_LIBS=-lx", NULL};
    exo_error_t err = {0};
    exo_unit_source_t setup = {.role = EXO_UNIT_ROLE_SETUP, .svc = svc};
    exo_unit_spec_t *u = exo_unitspec_build(&setup, &container_place, env, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u->name, "api");
    CU_ASSERT_EQUAL(u->mode, EXO_UNIT_TASK);
    CU_ASSERT_STRING_EQUAL(u->dir, svc->dir);
    CU_ASSERT_STRING_EQUAL(u->command, "make");
    CU_ASSERT_STRING_EQUAL(u->env[0], "EXO_LIBS=-lx");
    CU_ASSERT_EQUAL(u->n_ports, 0); /* tasks publish nothing */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(u->options, "memory")), "512m");
    exo_unitspec_free(&u);

    exo_unit_source_t test = {.role = EXO_UNIT_ROLE_TEST, .svc = svc, .label = "api-tests"};
    u = exo_unitspec_build(&test, &process_place, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u->name, "api-tests");
    CU_ASSERT_EQUAL(u->mode, EXO_UNIT_TASK);
    CU_ASSERT_STRING_EQUAL(u->command, "make test");
    CU_ASSERT_EQUAL(u->n_ports, 0);
    exo_unitspec_free(&u);
    exo_test_app_drop(app, dir);
}

static void test_unitspec_resource(void)
{
    const char *renv[] = {"POSTGRES_PASSWORD=pw", NULL};
    const char *mounts[] = {"/app/.exo/resources/db:/var/lib/postgresql/data", NULL};
    exo_resource_unit_t server = {.size = sizeof server, .command = "postgres -p 41002",
                                  .image = "postgres:16", .env = renv, .user = "postgres",
                                  .port = 5432, .mounts = mounts,
                                  .container_command = "postgres -c fsync=off"};
    exo_unit_source_t src = {.role = EXO_UNIT_ROLE_RESOURCE, .resource = "db",
                             .resource_type = "postgres", .app_dir = "/app", .server = &server};
    exo_unit_place_t on_process = {.backend = "process", .host_port = 41002,
                                   .listen_port = 41002};
    exo_error_t err = {0};
    exo_unit_spec_t *u = exo_unitspec_build(&src, &on_process, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u->name, "db");
    CU_ASSERT_EQUAL(u->mode, EXO_UNIT_SERVICE);
    CU_ASSERT_STRING_EQUAL(u->dir, "/app");
    CU_ASSERT_STRING_EQUAL(u->command, "postgres -p 41002");
    CU_ASSERT_STRING_EQUAL(u->env[0], "POSTGRES_PASSWORD=pw");
    CU_ASSERT_STRING_EQUAL(u->user, "postgres");
    CU_ASSERT_PTR_NULL(u->mounts); /* processes use the data directory in place */
    CU_ASSERT_PTR_NULL(u->options);
    CU_ASSERT_EQUAL(u->ports[0].unit_port, 41002);
    CU_ASSERT_EQUAL(u->ports[0].host_port, 41002);
    exo_unitspec_free(&u);

    exo_unit_place_t on_docker = {.backend = "docker", .containers = true, .host_port = 41003};
    u = exo_unitspec_build(&src, &on_docker, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u->command, "postgres -c fsync=off");
    CU_ASSERT_STRING_EQUAL(u->image, "postgres:16");
    CU_ASSERT_STRING_EQUAL(u->mounts[0], mounts[0]);
    CU_ASSERT_PTR_NULL(u->mounts[1]);
    CU_ASSERT_EQUAL(u->ports[0].unit_port, 5432);
    CU_ASSERT_EQUAL(u->ports[0].host_port, 41003);
    exo_unitspec_free(&u);

    /* no image: it cannot run on containers, and the message says which type and where */
    server.image = NULL;
    CU_ASSERT_PTR_NULL(exo_unitspec_build(&src, &on_docker, NULL, &err));
    CU_ASSERT_STRING_EQUAL(err.message, "resource type 'postgres' cannot run on the docker "
                           "backend (it has no container image)");
}

static void test_unitspec_copy_is_deep(void)
{
    char name[] = "web", cmd[] = "run it";
    const char *env[] = {"X=1", NULL};
    exo_port_map_t port = {.unit_port = 80, .host_port = 40080};
    json_t *options = json_object();
    exo_unit_spec_t from = {.size = sizeof from, .name = name, .command = cmd, .env = env,
                            .ports = &port, .n_ports = 1, .options = options};
    exo_unit_spec_t *u = exo_unitspec_copy(&from);
    name[0] = 'x';
    cmd[0] = 'x';
    port.unit_port = 1;
    CU_ASSERT_STRING_EQUAL(u->name, "web");
    CU_ASSERT_STRING_EQUAL(u->command, "run it");
    CU_ASSERT_EQUAL(u->ports[0].unit_port, 80);
    CU_ASSERT_EQUAL(options->refcount, 2);
    exo_unitspec_free(&u);
    CU_ASSERT_EQUAL(options->refcount, 1);
    json_decref(options);
}

static void test_unitspec_settings_unused(void)
{
    static const exo_config_key_t docker_keys[] = {{"image", EXO_CONFIG_STRING, NULL, "", 0},
                                                   {"memory", EXO_CONFIG_SIZE, NULL, "", 0},
                                                   {NULL, 0, NULL, NULL, 0}};
    static const exo_config_key_t no_keys[] = {{NULL, 0, NULL, NULL, 0}};
    exo_plugin_desc_t docker = {.size = sizeof docker, .config = docker_keys};
    exo_plugin_desc_t process = {.size = sizeof process, .config = no_keys};
    exo_plugin_desc_t old = {.size = offsetof(exo_plugin_desc_t, config)};
    json_t *settings = json_pack("{s:s}", "memory", "1g");
    json_t *empty = json_object();
    CU_ASSERT_FALSE(exo_unitspec_settings_unused(&docker, true, settings));
    CU_ASSERT_TRUE(exo_unitspec_settings_unused(&process, false, settings));
    CU_ASSERT_FALSE(exo_unitspec_settings_unused(&process, false, empty));
    CU_ASSERT_FALSE(exo_unitspec_settings_unused(&process, false, NULL));
    /* a backend that declares no table: only container backends read settings */
    CU_ASSERT_TRUE(exo_unitspec_settings_unused(&old, false, settings));
    CU_ASSERT_FALSE(exo_unitspec_settings_unused(&old, true, settings));
    json_decref(settings);
    json_decref(empty);
}

static void test_free_port(void)
{
    unsigned lo = 0, hi = 0;
    char *range = exo_read_file("/proc/sys/net/ipv4/ip_local_port_range", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(range);
    CU_ASSERT_EQUAL_FATAL(sscanf(range, "%u %u", &lo, &hi), 2);
    free(range);
    for (int i = 0; i < 50; i++) {
        unsigned p = exo_unitenv_free_port();
        /* Outside the ephemeral range that client connections take their ports from. */
        CU_ASSERT(p >= 10000 && p < 65536);
        if (lo > 11000) {
            CU_ASSERT(p < lo);
        }
        /* And really free: a server can bind it. */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CU_ASSERT_EQUAL(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
        close(fd);
    }
}

static void test_watch_filters_noise(void)
{
    static const char *const noise[] = {".git", ".exo", "node_modules", "build", "x.o",
                                        ".main.c.swp", "main.c~", "#main.c#", ".#main.c",
                                        "4913", "__pycache__", "lib.so", NULL};
    static const char *const real[] = {"main.c", "service.yml", "src", "Makefile", "a.py",
                                       NULL};
    for (size_t i = 0; noise[i]; i++) {
        CU_ASSERT_TRUE(exo_watch_ignored(noise[i]));
    }
    for (size_t i = 0; real[i]; i++) {
        CU_ASSERT_FALSE(exo_watch_ignored(real[i]));
    }
}

static void test_run_record(void)
{
    char dir[] = "/tmp/exo-test-rs-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    exo_record_t rs;
    CU_ASSERT_FALSE(exo_record_read(dir, &rs));
    exo_strv_t be = {0};
    exo_strv_push(&be, "process");
    CU_ASSERT_EQUAL(exo_record_write(dir, "abc", "run", &be), 0);
    CU_ASSERT_TRUE(exo_record_read(dir, &rs));
    CU_ASSERT_EQUAL(rs.pid, getpid());
    CU_ASSERT_STRING_EQUAL(rs.run_id, "abc");
    CU_ASSERT_STRING_EQUAL(rs.command, "run");
    CU_ASSERT_EQUAL(rs.backends.n, 1);
    CU_ASSERT_TRUE(exo_record_alive(&rs));
    rs.start++; /* a recycled pid has another start time */
    CU_ASSERT_FALSE(exo_record_alive(&rs));
    exo_record_free(&rs);
    exo_record_remove(dir);
    CU_ASSERT_FALSE(exo_record_read(dir, &rs));
    char *a = exo_record_new_id(), *b = exo_record_new_id();
    CU_ASSERT_EQUAL(strlen(a), 12);
    free(a);
    free(b);
    exo_strv_free(&be);
    rmdir(dir);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_start_times_file(void)
{
    char dir[] = "/tmp/exo-test-st-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char *path = exo_strdupf("%s/start-times.json", dir);
    exo_starttimes_t t;

    /* Nothing recorded: everything unknown, and nothing to write. */
    exo_starttimes_load(&t, dir);
    CU_ASSERT_EQUAL(exo_starttimes_get(&t, "api"), 0);
    CU_ASSERT_EQUAL(exo_starttimes_save(&t, dir), 0);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    exo_starttimes_set(&t, "api", 1200);
    exo_starttimes_set(&t, "web", 80);
    CU_ASSERT_EQUAL(exo_starttimes_save(&t, dir), 0);
    exo_starttimes_free(&t);

    /* What was saved comes back; a change of one value keeps the others. */
    exo_starttimes_load(&t, dir);
    CU_ASSERT_EQUAL(exo_starttimes_get(&t, "api"), 1200);
    CU_ASSERT_EQUAL(exo_starttimes_get(&t, "web"), 80);
    CU_ASSERT_FALSE(t.dirty);
    exo_starttimes_set(&t, "web", 80); /* unchanged: not dirty */
    CU_ASSERT_FALSE(t.dirty);
    exo_starttimes_set(&t, "web", 95);
    CU_ASSERT_TRUE(t.dirty);
    CU_ASSERT_EQUAL(exo_starttimes_save(&t, dir), 0);
    exo_starttimes_free(&t);
    exo_starttimes_load(&t, dir);
    CU_ASSERT_EQUAL(exo_starttimes_get(&t, "api"), 1200);
    CU_ASSERT_EQUAL(exo_starttimes_get(&t, "web"), 95);
    exo_starttimes_free(&t);

    /* A damaged or hand-edited file is not an error: unknown values, replaced on save. */
    const char *bad[] = {"{\"api\": 12", "[1, 2]", "{\"api\": -5, \"web\": \"x\"}", "",
                         "{\"api\": 1, \"api\": 2}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_text(path, bad[i]);
        exo_starttimes_load(&t, dir);
        CU_ASSERT_EQUAL(exo_starttimes_get(&t, "api"), 0);
        CU_ASSERT_EQUAL(exo_starttimes_get(&t, "web"), 0);
        exo_starttimes_set(&t, "api", 7);
        CU_ASSERT_EQUAL(exo_starttimes_save(&t, dir), 0);
        exo_starttimes_free(&t);
        exo_starttimes_load(&t, dir);
        CU_ASSERT_EQUAL(exo_starttimes_get(&t, "api"), 7);
        exo_starttimes_free(&t);
    }

    /* No .exo directory (exo_dir NULL): nothing is read or written. */
    exo_starttimes_load(&t, NULL);
    exo_starttimes_set(&t, "api", 3);
    CU_ASSERT_EQUAL(exo_starttimes_save(&t, NULL), 0);
    exo_starttimes_free(&t);

    unlink(path);
    free(path);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static void check_order(const size_t *order, const size_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(order[i], want[i]);
    }
}

static void test_start_order(void)
{
    char dir[] = "/tmp/exo-test-so-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    const char *names[] = {"a", "b", "c", "d", "e"};
    size_t order[5];
    exo_starttimes_t t;
    exo_starttimes_load(&t, dir);

    /* Nothing known: the manifest's order. */
    exo_starttimes_order(&t, names, 5, order);
    check_order(order, (size_t[]){0, 1, 2, 3, 4}, 5);
    /* Longest first; ties and unknown ones keep their manifest order, unknown ones last. */
    exo_starttimes_set(&t, "b", 100);
    exo_starttimes_set(&t, "d", 900);
    exo_starttimes_set(&t, "e", 100);
    exo_starttimes_order(&t, names, 5, order);
    check_order(order, (size_t[]){3, 1, 4, 0, 2}, 5);
    /* Differences under 100 ms are noise: manifest order among them. */
    exo_starttimes_set(&t, "a", 120);
    exo_starttimes_set(&t, "b", 190);
    exo_starttimes_set(&t, "c", 30);
    exo_starttimes_set(&t, "e", 199);
    exo_starttimes_order(&t, names, 5, order);
    check_order(order, (size_t[]){3, 0, 1, 4, 2}, 5);
    exo_starttimes_order(&t, names, 0, order);
    exo_starttimes_free(&t);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static const exo_test_t tests[] = {
    {"unit spec of a service", test_unitspec_service},
    {"unit spec of a setup and a test task", test_unitspec_tasks},
    {"unit spec of a resource server", test_unitspec_resource},
    {"a unit spec copy is deep", test_unitspec_copy_is_deep},
    {"settings a backend does not declare are unused", test_unitspec_settings_unused},
    {"role and resource prefixes", test_prefix},
    {"environment layers in precedence order", test_layers_in_precedence_order},
    {"secret values to mask", test_secrets_to_mask},
    {"the masker: every secret, longest first, JSON form, held ends", test_masker},
    {"output masks a secret across the pieces of a long line", test_output_masks_across_pieces},
    {"a free port", test_free_port},
    {"watch ignores noise, not sources", test_watch_filters_noise},
    {"run record: write, read, alive, remove", test_run_record},
    {"start times: save, load, damaged files", test_start_times_file},
    {"start order: longest learned start-up first, stable", test_start_order},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("run", tests, NULL, NULL)
