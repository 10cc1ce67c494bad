/* tests/unit/test_manifest.c - the app model: application.yml + service.yml into structs, and
 * every validation error at its exact line and column. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/app.h"
#include "base/util.h"
#include "model/yamlnode.h"
#include "../support/cunit_main.h"

static char *tmp_app;
static exo_diag_t diag;

/* A fresh app dir holding application.yml and then (relpath, content) pairs. */
static const char *mkapp_(const char *app_yml, ...)
{
    if (tmp_app != NULL) {
        exo_rm_rf(tmp_app);
        free(tmp_app);
    }
    char tmpl[] = "/tmp/exo-test-manifest-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    tmp_app = exo_xstrdup(tmpl);
    char *f = exo_path_join(tmp_app, "application.yml");
    CU_ASSERT_EQUAL(exo_write_file_atomic(f, app_yml, strlen(app_yml)), 0);
    free(f);
    va_list ap;
    va_start(ap, app_yml);
    const char *rel;
    while ((rel = va_arg(ap, const char *)) != NULL) {
        const char *text = va_arg(ap, const char *);
        char *path = exo_path_join(tmp_app, rel);
        char *dir = exo_xstrdup(path);
        *strrchr(dir, '/') = '\0';
        exo_mkdir_p(dir, 0755);
        CU_ASSERT_EQUAL(exo_write_file_atomic(path, text, strlen(text)), 0);
        free(dir);
        free(path);
    }
    va_end(ap);
    return tmp_app;
}

#define mkapp(...) mkapp_(__VA_ARGS__, NULL)

static exo_app_t *load(const char *dir)
{
    exo_diag_free(&diag);
    exo_diag_init(&diag);
    return exo_app_load(dir, &diag);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Is there an error in a file ending with @p file at @p line:@p col containing @p text? */
static bool has_error(const char *file, int line, int col, const char *text)
{
    for (size_t i = 0; i < diag.n; i++) {
        const exo_diag_entry_t *e = &diag.entries[i];
        if (e->severity == EXO_SEV_ERROR && e->file && ends_with(e->file, file) &&
            e->line == line && e->column == col && strstr(e->message, text)) {
            return true;
        }
    }
    for (size_t i = 0; i < diag.n; i++) {
        fprintf(stderr, "  have: %s:%d:%d: %s\n", diag.entries[i].file, diag.entries[i].line,
                diag.entries[i].column, diag.entries[i].message);
    }
    fprintf(stderr, "  want: %s:%d:%d: ...%s...\n", file, line, col, text);
    return false;
}

/* Load an app expected to fail with exactly one error, at the given place. */
static void expect_one(const char *dir, const char *file, int line, int col, const char *text)
{
    exo_app_t *app = load(dir);
    CU_ASSERT_PTR_NULL(app);
    exo_app_destroy(&app);
    CU_ASSERT_EQUAL(diag.errors, 1);
    CU_ASSERT(has_error(file, line, col, text));
}

#define SVC_MIN "startup:\n  command: ./run\n"
#define APP_HEAD "name: t\nservices:\n  web:\n    location: web\n"

static void test_full_app_round_trip(void)
{
    exo_app_t *app = load(EXO_FIXTURES "/full");
    CU_ASSERT_EQUAL(diag.n, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_STRING_EQUAL(app->name, "full-app");
    CU_ASSERT_STRING_EQUAL(app->description, "every key of the schema");
    CU_ASSERT_STRING_EQUAL(app->version, "1.2.3");
    CU_ASSERT_STRING_EQUAL(app->backend, "docker");
    CU_ASSERT_STRING_EQUAL(app->bus_transport, "zmq");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(app->bus_config, "listen")),
                           "tcp://127.0.0.1:7100");
    CU_ASSERT_EQUAL(json_object_size(app->bus_config), 1); /* the core's keys stay out */
    CU_ASSERT_EQUAL(app->bus_max_message_size, 512 * 1024);
    CU_ASSERT_EQUAL(app->shutdown_grace_ms, 2000);
    CU_ASSERT(ends_with(app->file, "/full/application.yml"));
    CU_ASSERT(ends_with(app->dir, "/full"));

    CU_ASSERT_EQUAL_FATAL(app->n_env, 4);
    CU_ASSERT_STRING_EQUAL(app->env[0].name, "LOG_LEVEL");
    CU_ASSERT_STRING_EQUAL(app->env[0].value, "debug");
    CU_ASSERT_STRING_EQUAL(app->env[1].value, "4");
    CU_ASSERT_STRING_EQUAL(app->env[2].value, "true");
    CU_ASSERT_FALSE(app->env[2].secret);
    CU_ASSERT_STRING_EQUAL(app->env[3].name, "API_TOKEN");
    CU_ASSERT_STRING_EQUAL(app->env[3].value, "s3cr3t");
    CU_ASSERT_TRUE(app->env[3].secret);

    CU_ASSERT_EQUAL_FATAL(app->n_resources, 2);
    const exo_resource_t *db = exo_app_resource(app, "db");
    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT_STRING_EQUAL(db->type, "postgres");
    CU_ASSERT_EQUAL(db->line, 15);
    CU_ASSERT_EQUAL(db->column, 3);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(db->config, "version")), 15);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(db->config, "type")), "postgres");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(db->config, "database")), "users");
    CU_ASSERT_PTR_NOT_NULL_FATAL(db->node);
    CU_ASSERT_EQUAL(db->node->pairs[1].key->line, 17); /* version: positions stay known */
    CU_ASSERT_EQUAL(db->node->pairs[1].key->column, 5);
    CU_ASSERT_PTR_NULL(exo_app_resource(app, "nope"));

    CU_ASSERT_EQUAL_FATAL(app->n_services, 3);
    const exo_service_t *web = exo_app_service(app, "web");
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    CU_ASSERT_EQUAL(web->line, 22);
    CU_ASSERT_EQUAL(web->column, 3);
    CU_ASSERT_STRING_EQUAL(web->location, "./web-server");
    CU_ASSERT(ends_with(web->dir, "/full/web-server"));
    CU_ASSERT(ends_with(web->file, "/full/web-server/service.yml"));
    CU_ASSERT_STRING_EQUAL(web->type, "html-server");
    CU_ASSERT_STRING_EQUAL(web->description, "serves the HTML UI");
    CU_ASSERT_STRING_EQUAL(web->setup, "npm install");
    CU_ASSERT_STRING_EQUAL(web->startup_command, "node server.js");
    CU_ASSERT_STRING_EQUAL(web->online_text, "web server running");
    CU_ASSERT_STRING_EQUAL(web->test, "npm test");
    CU_ASSERT_EQUAL_FATAL(web->n_sends, 1);
    CU_ASSERT_STRING_EQUAL(web->sends[0], "users create");
    CU_ASSERT_EQUAL(web->sends_pos[0].line, 9);
    CU_ASSERT_EQUAL(web->sends_pos[0].column, 11);
    CU_ASSERT_EQUAL_FATAL(web->n_receives, 1);
    CU_ASSERT_STRING_EQUAL(web->receives[0], "users created");
    CU_ASSERT_EQUAL(web->port, 3000);
    CU_ASSERT_EQUAL_FATAL(web->n_env, 2);
    CU_ASSERT_STRING_EQUAL(web->env[0].name, "NODE_ENV");
    CU_ASSERT_TRUE(web->env[1].secret);
    /* docker: is not the core's: kept raw, with positions, for the backends. */
    CU_ASSERT_EQUAL_FATAL(web->n_sections, 1);
    const exo_block_t *docker = exo_service_section(web, "docker");
    CU_ASSERT_PTR_EQUAL_FATAL(docker, &web->sections[0]);
    CU_ASSERT_EQUAL(docker->key->line, 15);
    CU_ASSERT_EQUAL(docker->key->column, 1);
    CU_ASSERT_EQUAL(docker->map->pairs[2].key->line, 18);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(docker->json, "image")),
                           "example/web:1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(docker->json, "dockerfile")),
                           "Dockerfile.dev");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(docker->json, "dockerfile-prod")),
                           "Dockerfile.prod");
    CU_ASSERT_EQUAL_FATAL(web->n_depends_on, 1);
    CU_ASSERT_STRING_EQUAL(web->depends_on[0], "users");
    CU_ASSERT_EQUAL_FATAL(web->n_needs, 1);
    CU_ASSERT_STRING_EQUAL(web->needs[0], "users");
    CU_ASSERT_EQUAL_FATAL(web->n_app_env, 1);
    CU_ASSERT_STRING_EQUAL(web->app_env[0].value, "8080");
    CU_ASSERT_EQUAL(web->restart, EXO_RESTART_ALWAYS);
    CU_ASSERT_EQUAL(web->max_restarts, 0);
    CU_ASSERT_EQUAL(web->ready_timeout_ms, 1500);
    CU_ASSERT_EQUAL(web->ready, EXO_READY_PORT);
    CU_ASSERT_PTR_NULL(web->backend);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(web->options.json, "cpus")), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(web->options.json, "memory")),
                           "256m");
    CU_ASSERT_EQUAL(web->options.key->line, 32);

    const exo_service_t *users = exo_app_service(app, "users");
    CU_ASSERT_PTR_NOT_NULL_FATAL(users);
    CU_ASSERT_EQUAL_FATAL(users->n_translations, 2);
    CU_ASSERT_STRING_EQUAL(users->translations[0].public_name, "users create");
    CU_ASSERT_STRING_EQUAL(users->translations[0].internal_name, "mongo create");
    CU_ASSERT_EQUAL(users->translations_pos[1].line, 40);
    CU_ASSERT_EQUAL(users->translations_pos[1].column, 9);
    CU_ASSERT_EQUAL_FATAL(users->n_resources, 2);
    CU_ASSERT_STRING_EQUAL(users->resources[1], "cache");
    CU_ASSERT_STRING_EQUAL(users->backend, "process");
    CU_ASSERT_EQUAL(users->restart, EXO_RESTART_NO);
    CU_ASSERT_EQUAL(users->ready, EXO_READY_ONLINE_TEXT);
    CU_ASSERT_EQUAL(users->receives_pos[0].line, 8);
    CU_ASSERT_EQUAL(users->receives_pos[0].column, 7);

    const exo_service_t *worker = exo_app_service(app, "worker");
    CU_ASSERT_PTR_NOT_NULL_FATAL(worker);
    CU_ASSERT_EQUAL(worker->n_depends_on, 2);
    CU_ASSERT_EQUAL(worker->restart, EXO_RESTART_ON_FAILURE);
    CU_ASSERT_EQUAL(worker->max_restarts, 5);
    CU_ASSERT_EQUAL(worker->ready_timeout_ms, 60000);
    CU_ASSERT_EQUAL(worker->ready, EXO_READY_AUTO);
    CU_ASSERT_PTR_NULL(worker->options.json);
    CU_ASSERT_EQUAL(worker->n_sections, 0);
    CU_ASSERT_PTR_NULL(exo_service_settings(worker, "docker"));
    CU_ASSERT_PTR_NULL(exo_app_service(app, "nobody"));
    exo_app_destroy(&app);
    CU_ASSERT_PTR_NULL(app);
}

static void test_defaults(void)
{
    exo_app_t *app = load(mkapp("name: t\nservices:\n  web:\n    location: web\n",
                                "web/service.yml", SVC_MIN));
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_PTR_NULL(app->description);
    CU_ASSERT_PTR_NULL(app->version);
    CU_ASSERT_STRING_EQUAL(app->backend, "process");
    CU_ASSERT_STRING_EQUAL(app->bus_transport, "zmq");
    CU_ASSERT_PTR_NULL(app->bus_config);
    CU_ASSERT_EQUAL(app->bus_max_message_size, 1024 * 1024);
    CU_ASSERT_EQUAL(app->shutdown_grace_ms, 5000);
    CU_ASSERT_EQUAL(app->n_env, 0);
    CU_ASSERT_EQUAL(app->n_resources, 0);
    CU_ASSERT_EQUAL_FATAL(app->n_services, 1);
    const exo_service_t *s = &app->services[0];
    CU_ASSERT_EQUAL(s->port, 0);
    CU_ASSERT_PTR_NULL(s->online_text);
    CU_ASSERT_EQUAL(s->n_sections, 0);
    CU_ASSERT_EQUAL(s->n_sends, 0);
    CU_ASSERT_EQUAL(s->restart, EXO_RESTART_ON_FAILURE);
    exo_app_destroy(&app);
}

static void test_durations_and_sizes(void)
{
    exo_app_t *app = load(mkapp("name: t\nshutdown-grace: 250\nbus:\n  max-message-size: 2 MiB\n"
                                "services:\n  web:\n    location: web\n    ready-timeout: 2m\n",
                                "web/service.yml", SVC_MIN));
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_EQUAL(app->shutdown_grace_ms, 250);
    CU_ASSERT_EQUAL(app->bus_max_message_size, 2 * 1024 * 1024);
    CU_ASSERT_EQUAL(app->services[0].ready_timeout_ms, 120000);
    exo_app_destroy(&app);

    expect_one(mkapp("name: t\nshutdown-grace: soon\n"), "application.yml", 2, 17,
               "shutdown-grace must be a duration");
    expect_one(mkapp("name: t\nbus:\n  max-message-size: 1 MB\n"), "application.yml", 3, 21,
               "bus.max-message-size must be a size");
    expect_one(mkapp("name: t\nshutdown-grace: 99999999999s\n"), "application.yml", 2, 17,
               "shutdown-grace must be a duration");
}

static void test_yaml_syntax_error(void)
{
    expect_one(mkapp("name: t\nservices:\n  web: [a, b\n"), "application.yml", 4, 1,
               "invalid YAML");
    expect_one(mkapp("name: t\n  bad: indent\n"), "application.yml", 2, 6, "invalid YAML");
    expect_one(mkapp("name: t\n---\nname: u\n"), "application.yml", 2, 1,
               "only one YAML document");
}

static void test_yaml_invalid_utf8(void)
{
    expect_one(mkapp("name: t\ndescription: \xff\xfe\n"), "application.yml", 2, 14,
               "invalid YAML");
}

static void test_duplicate_key(void)
{
    expect_one(mkapp("name: t\ndescription: a\nname: u\n"), "application.yml", 3, 1,
               "duplicate key 'name' (first given at line 1)");
}

static void test_anchors_refused(void)
{
    exo_app_t *app = load(mkapp("name: t\nenv: &e\n  A: b\ndescription: *e\n"));
    CU_ASSERT_PTR_NULL(app);
    CU_ASSERT_EQUAL(diag.errors, 2);
    CU_ASSERT(has_error("application.yml", 2, 6, "anchors (&e) are not supported"));
    CU_ASSERT(has_error("application.yml", 4, 14, "aliases (*e) are not supported"));
}

static void test_wrong_types(void)
{
    expect_one(mkapp("name: t\nservices: [web]\n"), "application.yml", 2, 11,
               "services must be a map of keys, not a list");
    expect_one(mkapp("name: [a]\n"), "application.yml", 1, 7,
               "name must be a single value, not a list");
    expect_one(mkapp("- a\n- b\n"), "application.yml", 1, 1,
               "application.yml must be a map of keys, not a list");
    expect_one(mkapp(""), "application.yml", 1, 1, "application.yml must be a map of keys");
    expect_one(mkapp(APP_HEAD, "web/service.yml", "startup: node x\n", NULL), "service.yml", 1,
               10, "startup must be a map of keys, not a single value");
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    max-restarts: -1\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 19, "max-restarts must be a whole number");
    expect_one(mkapp(APP_HEAD, "web/service.yml", "port: 0\n", NULL), "service.yml", 1, 7,
               "port must be a whole number from 1 to 65535");
    expect_one(mkapp("name: t\nenv:\n  A: [1]\n"), "application.yml", 3, 6,
               "env A must be a string, number or boolean");
}

static void test_missing_required_keys(void)
{
    expect_one(mkapp("description: x\n"), "application.yml", 1, 1, "missing 'name'");
    expect_one(mkapp("name: t\nservices:\n  web:\n    restart: always\n"), "application.yml", 3,
               3, "services.web is missing 'location'");
    expect_one(mkapp("name: t\nresources:\n  db:\n    version: 15\n"), "application.yml", 3, 3,
               "resources.db is missing 'type'");
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    translations:\n"
                     "      - public: a\n",
                     "web/service.yml", "messages:\n  sends: [a]\n"),
               "application.yml", 6, 9, "translation is missing 'internal'");
}

static void test_unknown_keys(void)
{
    expect_one(mkapp("name: t\ndescriptoin: x\n"), "application.yml", 2, 1,
               "unknown key 'descriptoin' in application.yml; did you mean 'description'?");
    expect_one(mkapp("name: t\nzzz: 1\n"), "application.yml", 2, 1,
               "unknown key 'zzz' in application.yml (known keys: name, description");
    expect_one(mkapp(APP_HEAD, "web/service.yml", "messages:\n  recieves: [a]\n"),
               "web/service.yml", 2, 3, "did you mean 'receives'?");
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    depend-on: [x]\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 5, "unknown key 'depend-on' in services.web; did you mean "
               "'depends-on'?");
}

static void test_invalid_names(void)
{
    expect_one(mkapp("name: -app\n"), "application.yml", 1, 7, "not a valid app name");
    expect_one(mkapp("name: a234567890123456789012345678901234567890123456789012345678901234\n"),
               "application.yml", 1, 7, "not a valid app name");
    expect_one(mkapp("name: t\nservices:\n  Web:\n    location: web\n"), "application.yml", 3, 3,
               "'Web' is not a valid role name");
    expect_one(mkapp("name: t\nresources:\n  my-db:\n    type: postgres\n"), "application.yml",
               3, 3, "'my-db' is not a valid resource name");
    expect_one(mkapp("name: t\nresources:\n  db:\n    type: Post gres\n"), "application.yml", 4,
               11, "not a valid resource type");
    expect_one(mkapp("name: t\nenv:\n  1X: a\n"), "application.yml", 3, 3,
               "not a valid environment variable name");
    expect_one(mkapp(APP_HEAD, "web/service.yml", "messages:\n  sends: [\"a\\tb\", ok]\n"),
               "service.yml", 2, 11, "is not a valid message name");
    expect_one(mkapp(APP_HEAD, "web/service.yml", "messages:\n  sends: [a.b, a.b]\n"),
               "service.yml", 2, 16, "'a.b' is listed twice");
    expect_one(mkapp("name: t\nversion: v1\n"), "application.yml", 2, 10,
               "version must look like X.Y.Z");
}

static void test_bad_enums(void)
{
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    ready: prot\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 12, "did you mean 'port'?");
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    restart: never\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 14, "must be one of no, on-failure, always");
}

static void test_locations(void)
{
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: ./nowhere\n"), "application.yml",
               4, 15, "service location './nowhere' does not exist");
    expect_one(mkapp(APP_HEAD, "web/README", "no service.yml here\n", NULL), "application.yml", 4,
               15, "service location 'web' has no service.yml");
    expect_one(mkapp(APP_HEAD, "web", "a file\n", NULL), "application.yml", 4, 15,
               "is not a directory");
    /* A broken service.yml is reported in its own file. */
    expect_one(mkapp(APP_HEAD, "web/service.yml", "type: [x\n", NULL), "web/service.yml", 2, 1,
               "invalid YAML");
}

static void test_shared_location_reported_once(void)
{
    exo_app_t *app = load(mkapp("name: t\nservices:\n  a:\n    location: s\n  b:\n    location: s\n",
                                "s/service.yml", "tpye: x\n"));
    CU_ASSERT_PTR_NULL(app);
    CU_ASSERT_EQUAL(diag.errors, 1);
    CU_ASSERT(has_error("s/service.yml", 1, 1, "did you mean 'type'?"));
}

#define TR_APP(tr) "name: t\nservices:\n  web:\n    location: web\n    translations:\n" tr

static void test_translations(void)
{
    const char *svc = "messages:\n  sends: [x create]\n  receives: [x created]\n";
    expect_one(mkapp(TR_APP("      - {public: a, internal: x create}\n"
                            "      - {public: a, internal: x created}\n"),
                     "web/service.yml", svc),
               "application.yml", 7, 18, "duplicate translation: public name 'a'");
    expect_one(mkapp(TR_APP("      - {public: a, internal: x create}\n"
                            "      - {public: b, internal: x create}\n"),
                     "web/service.yml", svc),
               "application.yml", 7, 31, "duplicate translation: internal name 'x create'");
    expect_one(mkapp(TR_APP("      - {public: a, internal: x create}\n"
                            "      - {public: b, internal: x deleted}\n"),
                     "web/service.yml", svc),
               "application.yml", 7, 9, "internal name 'x deleted' is neither sent nor received");
    expect_one(mkapp(TR_APP("      - [a, b]\n"), "web/service.yml", svc, NULL), "application.yml",
               6, 9, "each translation must be a map of keys, not a list");
}

static void test_references(void)
{
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    depends-on: [db, api]\n"
                     "  api:\n    location: web\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 18, "there is no role 'db' in services");
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    needs:\n      - ghost\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 6, 9, "there is no role 'ghost'");
    expect_one(mkapp("name: t\nresources:\n  db: {type: postgres}\nservices:\n  web:\n"
                     "    location: web\n    resources: [db, cache]\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 7, 21, "there is no resource 'cache'");
}

static void test_dependency_cycle(void)
{
    expect_one(mkapp("name: t\nservices:\n  a:\n    location: s\n    depends-on: [b]\n"
                     "  b:\n    location: s\n    depends-on: [c]\n"
                     "  c:\n    location: s\n    depends-on: [a]\n",
                     "s/service.yml", SVC_MIN),
               "application.yml", 11, 18, "dependency cycle: a -> b -> c -> a");
    expect_one(mkapp("name: t\nservices:\n  a:\n    location: s\n    depends-on: [a]\n",
                     "s/service.yml", SVC_MIN),
               "application.yml", 5, 18, "dependency cycle: a -> a");
}

static void test_ready_requirements(void)
{
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    ready: online-text\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 12, "has no startup.online-text");
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    ready: port\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 12, "has no port");
}

static void test_env_values(void)
{
    exo_app_t *app = load(mkapp("name: t\nenv:\n  A: 0x1F\n  B: no\n  C:\n  D: {secret: 12}\n"
                                "  E: '007'\n"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_EQUAL_FATAL(app->n_env, 5);
    CU_ASSERT_STRING_EQUAL(app->env[0].value, "0x1F");
    CU_ASSERT_STRING_EQUAL(app->env[1].value, "no");
    CU_ASSERT_STRING_EQUAL(app->env[2].value, "");
    CU_ASSERT_STRING_EQUAL(app->env[3].value, "12");
    CU_ASSERT_TRUE(app->env[3].secret);
    CU_ASSERT_STRING_EQUAL(app->env[4].value, "007");
    exo_app_destroy(&app);
    expect_one(mkapp("name: t\nenv:\n  A: {secrte: x}\n"), "application.yml", 3, 7,
               "did you mean 'secret'?");
}

static void test_many_mistakes_one_error_each(void)
{
    exo_app_t *app = load(EXO_FIXTURES "/many-errors");
    CU_ASSERT_PTR_NULL(app);
    CU_ASSERT_EQUAL(diag.errors, 11);
    CU_ASSERT_EQUAL(diag.warnings, 0);
    CU_ASSERT(has_error("application.yml", 1, 7, "'bad app' is not a valid app name"));
    CU_ASSERT(has_error("application.yml", 2, 10, "version must look like X.Y.Z"));
    CU_ASSERT(has_error("application.yml", 3, 1, "did you mean 'services'?"));
    CU_ASSERT(has_error("application.yml", 5, 21, "bus.max-message-size must be a size"));
    CU_ASSERT(has_error("application.yml", 9, 14, "services.web.restart must be one of"));
    CU_ASSERT(has_error("application.yml", 10, 18, "there is no role 'nobody'"));
    CU_ASSERT(has_error("application.yml", 11, 3, "'Bad_Role' is not a valid role name"));
    CU_ASSERT(has_error("application.yml", 14, 15, "'./missing' does not exist"));
    CU_ASSERT(has_error("svc/service.yml", 3, 3, "did you mean 'command'?"));
    CU_ASSERT(has_error("svc/service.yml", 4, 7, "port must be a whole number"));
    CU_ASSERT(has_error("svc/service.yml", 6, 10, "messages.sends must be a list"));
    /* Sorted file by file, top to bottom. */
    CU_ASSERT_EQUAL_FATAL(diag.n, 11);
    CU_ASSERT_EQUAL(diag.entries[0].line, 1);
    CU_ASSERT_EQUAL(diag.entries[2].line, 3);
    CU_ASSERT(ends_with(diag.entries[7].file, "/application.yml"));
    CU_ASSERT_EQUAL(diag.entries[7].line, 14);
    CU_ASSERT(ends_with(diag.entries[8].file, "svc/service.yml"));
    CU_ASSERT_EQUAL(diag.entries[10].line, 6);
}

static void test_missing_application_yml(void)
{
    char tmpl[] = "/tmp/exo-test-manifest-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    exo_app_t *app = load(tmpl);
    CU_ASSERT_PTR_NULL(app);
    CU_ASSERT_EQUAL(diag.errors, 1);
    CU_ASSERT(strstr(diag.entries[0].message, "no application.yml") != NULL);
    app = load("/nonexistent/exo/app");
    CU_ASSERT_PTR_NULL(app);
    CU_ASSERT_EQUAL(diag.errors, 1);
    exo_rm_rf(tmpl);
}

static void test_find_root_walks_up(void)
{
    char *root = exo_app_find_root(EXO_FIXTURES "/full/web-server/src");
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT(ends_with(root, "/apps/full"));
    free(root);
    char tmpl[] = "/tmp/exo-test-manifest-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    CU_ASSERT_PTR_NULL(exo_app_find_root(tmpl));
    CU_ASSERT_PTR_NULL(exo_app_find_root("/nonexistent/dir"));
    exo_rm_rf(tmpl);
}

static void test_routes_json(void)
{
    exo_app_t *app = load(EXO_FIXTURES "/full");
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    json_t *routes = exo_app_routes(app);
    json_t *want = json_loads(
        "{\"roles\": {"
        " \"web\": {\"sends\": [\"users create\"], \"receives\": [\"users created\"],"
        "          \"translations\": []},"
        " \"users\": {\"sends\": [\"mongo created\"], \"receives\": [\"mongo create\"],"
        "   \"translations\": [{\"public\": \"users create\", \"internal\": \"mongo create\"},"
        "                      {\"public\": \"users created\", \"internal\": \"mongo created\"}]},"
        " \"worker\": {\"sends\": [], \"receives\": [], \"translations\": []}}}",
        0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_TRUE(json_equal(routes, want));
    json_decref(want);
    json_decref(routes);
    exo_app_destroy(&app);
}

static void test_settings_overlay(void)
{
    exo_app_t *app = load(mkapp("name: t\nservices:\n  web:\n    location: web\n"
                                "    options: {cpus: 2, image: 'over:2'}\n"
                                "  api:\n    location: api\n",
                                "web/service.yml",
                                SVC_MIN "docker:\n  image: base:1\n  dockerfile: D\n"
                                "box:\n  size: 3\nempty:\n",
                                "api/service.yml", SVC_MIN "box: {size: 1}\n"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    const exo_service_t *web = exo_app_service(app, "web");
    CU_ASSERT_EQUAL_FATAL(web->n_sections, 3);
    CU_ASSERT_STRING_EQUAL(web->sections[2].key->value, "empty");
    CU_ASSERT_PTR_NULL(web->sections[2].map);
    /* The section named, overlaid key by key with options (options win). */
    json_t *got = exo_service_settings(web, "docker");
    json_t *want = json_pack("{s:s, s:s, s:i}", "image", "over:2", "dockerfile", "D", "cpus", 2);
    CU_ASSERT_TRUE(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    /* Another section: only its own keys plus options. */
    got = exo_service_settings(web, "box");
    want = json_pack("{s:i, s:i, s:s}", "size", 3, "cpus", 2, "image", "over:2");
    CU_ASSERT_TRUE(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    /* No section: options only; a copy the caller may change. */
    got = exo_service_settings(web, NULL);
    CU_ASSERT_EQUAL(json_object_size(got), 2);
    json_object_set_new(got, "cpus", json_integer(9));
    json_decref(got);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(web->options.json, "cpus")), 2);
    /* Both empty: NULL. */
    const exo_service_t *api = exo_app_service(app, "api");
    CU_ASSERT_PTR_NULL(exo_service_settings(api, "docker"));
    CU_ASSERT_PTR_NULL(exo_service_settings(api, NULL));
    got = exo_service_settings(api, "box");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(got, "size")), 1);
    json_decref(got);
    exo_app_destroy(&app);
}

static void test_plugin_blocks_not_judged(void)
{
    /* bus: keys beyond the core's belong to the transport: no endpoint check here any more. */
    exo_app_t *app = load(mkapp("name: t\nbus:\n  transport: nats\n  listen: 4100\n"
                                "  max-message-size: 2KiB\n"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_STRING_EQUAL(app->bus_transport, "nats");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(app->bus_config, "listen")), 4100);
    CU_ASSERT_EQUAL(json_object_size(app->bus_config), 1);
    CU_ASSERT_EQUAL(app->bus_max_message_size, 2048);
    CU_ASSERT_EQUAL(app->bus_node->pairs[1].key->line, 4);
    exo_app_destroy(&app);
    expect_one(mkapp("name: t\nbus:\n  transport: Bad Name\n"), "application.yml", 3, 14,
               "not a valid transport name");
    /* A section is a map: an unknown key with a single value or a list is the core's to
     * report, with a hint over its own keys. */
    expect_one(mkapp(APP_HEAD, "web/service.yml", SVC_MIN "prot: 80\n", NULL),
               "web/service.yml", 3, 1, "unknown key 'prot' in service.yml; did you mean 'port'?");
    expect_one(mkapp(APP_HEAD, "web/service.yml", SVC_MIN "zzz: [a]\n", NULL),
               "web/service.yml", 3, 1, "unknown key 'zzz' in service.yml (known keys: type");
    expect_one(mkapp("name: t\nservices:\n  web:\n    location: web\n    options: [a]\n",
                     "web/service.yml", SVC_MIN),
               "application.yml", 5, 14, "services.web.options must be a map of keys");
}

static void test_yaml_to_json_scalars(void)
{
    const char *text = "a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: 0755\ng: 1e3\nh: x1\ni: 0x1F\n";
    exo_ynode_t *n = exo_yaml_parse("t.yml", text, strlen(text), &diag);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    json_t *j = exo_ynode_to_json(n);
    CU_ASSERT(json_is_integer(json_object_get(j, "a")));
    CU_ASSERT(json_is_string(json_object_get(j, "b")));
    CU_ASSERT(json_is_true(json_object_get(j, "c")));
    CU_ASSERT(json_is_null(json_object_get(j, "d")));
    CU_ASSERT(json_is_real(json_object_get(j, "e")));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "f")), 755);
    CU_ASSERT(json_is_real(json_object_get(j, "g")));
    CU_ASSERT(json_is_string(json_object_get(j, "h")));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "i")), 31);
    json_decref(j);
    exo_ynode_free(n);
}

static int setup(void)
{
    exo_diag_init(&diag);
    return 0;
}

static int teardown(void)
{
    exo_diag_free(&diag);
    if (tmp_app != NULL) {
        exo_rm_rf(tmp_app);
        free(tmp_app);
        tmp_app = NULL;
    }
    return 0;
}

static const exo_test_t tests[] = {
    {"full app round trip into the structs", test_full_app_round_trip},
    {"defaults", test_defaults},
    {"durations and sizes", test_durations_and_sizes},
    {"YAML syntax error at its line and column", test_yaml_syntax_error},
    {"invalid UTF-8 at its line and column", test_yaml_invalid_utf8},
    {"duplicate key", test_duplicate_key},
    {"anchors and aliases refused", test_anchors_refused},
    {"wrong types", test_wrong_types},
    {"missing required keys", test_missing_required_keys},
    {"unknown keys with did-you-mean", test_unknown_keys},
    {"invalid names", test_invalid_names},
    {"bad enum values", test_bad_enums},
    {"service locations", test_locations},
    {"shared location reported once", test_shared_location_reported_once},
    {"translations", test_translations},
    {"references to roles and resources", test_references},
    {"dependency cycle", test_dependency_cycle},
    {"ready requirements", test_ready_requirements},
    {"env values kept as text, secrets", test_env_values},
    {"many mistakes, one error each", test_many_mistakes_one_error_each},
    {"missing application.yml", test_missing_application_yml},
    {"find root walks up", test_find_root_walks_up},
    {"routes JSON", test_routes_json},
    {"YAML scalars to JSON", test_yaml_to_json_scalars},
    {"settings: a section overlaid with options", test_settings_overlay},
    {"plugin blocks kept raw, not judged by the core", test_plugin_blocks_not_judged},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("manifest", tests, setup, teardown)
