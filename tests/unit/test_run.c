/* tests/unit/test_run.c - the pure parts of exo run: environment layering and naming, watch
 * filters, the run record. Processes and signals are covered by tests/run/*.sh. */
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
#include "run/record.h"
#include "run/starttimes.h"
#include "base/util.h"
#include "run/watch.h"
#include "../support/cunit_main.h"

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
    exo_unitenv_ctx_t ctx = {.app = &app, .bus_endpoint = "tcp://127.0.0.1:9", .run_id = "r1",
                            .listen_ports = listen, .reach_ports = listen, .hosts = hosts,
                            .resource_env = fake_resource_env};
    setenv("EXO_SOMETHING", "leak", 1);
    setenv("RUN_TEST_INHERITED", "yes", 1);
    exo_env_t *env = exo_env_new();
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, &services[0], env, &err), 0);
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_ROLE")->value, "web");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_APP")->value, "shop");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_BUS_ENDPOINT")->value, "tcp://127.0.0.1:9");
    CU_ASSERT_STRING_EQUAL(get(env, "API_SERVER_URL")->value, "http://10.0.0.2:5000");
    CU_ASSERT_STRING_EQUAL(get(env, "API_SERVER_PORT")->value, "5000");
    CU_ASSERT_STRING_EQUAL(get(env, "API_SERVER_HOST")->origin, "exo (service api-server)");
    CU_ASSERT_PTR_NULL(exo_env_get(env, "WEB_URL"));
    CU_ASSERT_STRING_EQUAL(get(env, "DB_URL")->origin, "resource db");
    CU_ASSERT_TRUE(get(env, "DB_PASSWORD")->secret);
    CU_ASSERT_TRUE(get(env, "APP_ONLY")->secret);
    /* later layers win: role env > service.yml > app env > resource > exo */
    CU_ASSERT_STRING_EQUAL(get(env, "LAYER")->value, "role");
    CU_ASSERT_STRING_EQUAL(get(env, "LAYER")->origin, "application.yml services.web.env");
    CU_ASSERT_STRING_EQUAL(get(env, "PORT")->value, "1");
    CU_ASSERT_STRING_EQUAL(get(env, "PORT")->origin, "service.yml env");
    CU_ASSERT_STRING_EQUAL(get(env, "RUN_TEST_INHERITED")->origin, "inherited");
    CU_ASSERT_PTR_NULL(exo_env_get(env, "EXO_SOMETHING"));
    CU_ASSERT_PTR_NULL(exo_env_get(env, "EXO_CFLAGS"));
    exo_env_destroy(&env);

    setenv("EXO_LIBS", "-lx", 1);
    ctx.setup = true;
    env = exo_env_new();
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, &services[1], env, &err), 0);
    CU_ASSERT_STRING_EQUAL(get(env, "PORT")->value, "5000");
    CU_ASSERT_STRING_EQUAL(get(env, "EXO_LIBS")->value, "-lx");
    CU_ASSERT_PTR_NOT_NULL(exo_env_get(env, "EXO_CFLAGS"));
    CU_ASSERT_STRING_EQUAL(get(env, "WEB_URL")->value, "http://127.0.0.1:4000");
    exo_env_destroy(&env);
    unsetenv("EXO_LIBS");
    unsetenv("EXO_SOMETHING");
    unsetenv("RUN_TEST_INHERITED");
}

static void test_python_dir_override(void)
{
    setenv("EXO_PYTHON_DIR", "/x/py", 1);
    CU_ASSERT_STRING_EQUAL(exo_unitenv_python_dir(), "/x/py");
    unsetenv("EXO_PYTHON_DIR");
    CU_ASSERT_PTR_NOT_NULL(strstr(exo_unitenv_python_dir(), "/python"));
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
    {"role and resource prefixes", test_prefix},
    {"environment layers in precedence order", test_layers_in_precedence_order},
    {"EXO_PYTHON_DIR overrides the python client dir", test_python_dir_override},
    {"a free port", test_free_port},
    {"watch ignores noise, not sources", test_watch_filters_noise},
    {"run record: write, read, alive, remove", test_run_record},
    {"start times: save, load, damaged files", test_start_times_file},
    {"start order: longest learned start-up first, stable", test_start_order},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("run", tests, NULL, NULL)
