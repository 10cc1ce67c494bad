/*
 * tests/unit/test_ctrclean.c - what the container backends' cleanup() removes and says
 * (plugins/backend-common/ctrclean.c), without an engine: the engines' list JSON (docker's
 * "/name" arrays, podman's lower-case network keys) filtered by the exo.app label again, and
 * the one info line per kind that names every removed object, however many.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/backend-common/ctrclean.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static exo_strv_t logged; /* "LEVEL MESSAGE" per host log call */

static void capture(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = exo_vstrdupf(fmt, ap);
    va_end(ap);
    exo_strv_push_owned(&logged, exo_strdupf("%d %s", (int)level, msg));
    free(msg);
}

static const exo_host_t host = {.size = sizeof(exo_host_t), .log = capture};

static const ctr_list_keys_t docker_containers = {"Id", "Names", "Labels", NULL};
static const ctr_list_keys_t podman_networks = {"name", "name", "labels", "network_interface"};

static void test_parse_checks_the_label(void)
{
    json_t *list = json_loads(
        "[{\"Id\": \"c1\", \"Names\": [\"/exo-todo-r1-web-1\"], \"Labels\": {\"exo.app\": "
        "\"todo\", \"exo.unit\": \"web\"}},"
        " {\"Id\": \"c2\", \"Names\": [\"/other\"], \"Labels\": {\"exo.app\": \"todo2\"}},"
        " {\"Id\": \"c3\", \"Names\": [\"/nolabels\"]},"
        " {\"Id\": \"c4\", \"Labels\": {\"exo.app\": \"todo\"}},"
        " {\"Names\": [\"/noid\"], \"Labels\": {\"exo.app\": \"todo\"}}]", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    ctr_leftovers_t l = {0};
    ctr_leftovers_parse(list, "todo", &docker_containers, &l);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT_STRING_EQUAL(l.v[0].id, "c1");
    CU_ASSERT_STRING_EQUAL(l.v[0].name, "exo-todo-r1-web-1"); /* docker's '/' dropped */
    CU_ASSERT_STRING_EQUAL(l.v[0].unit, "web");
    CU_ASSERT_PTR_NULL(l.v[0].ifname);
    CU_ASSERT_STRING_EQUAL(l.v[1].name, "c4"); /* no name: the id */
    CU_ASSERT_PTR_NULL(l.v[1].unit);
    CU_ASSERT_FALSE(l.v[0].removed);
    ctr_leftovers_free(&l);
    CU_ASSERT_EQUAL(l.n, 0);
    ctr_leftovers_parse(NULL, "todo", &docker_containers, &l); /* a failed list */
    CU_ASSERT_EQUAL(l.n, 0);
    json_decref(list);
}

static void test_parse_podman_networks(void)
{
    json_t *list = json_loads(
        "[{\"name\": \"exo-todo-r1\", \"labels\": {\"exo.app\": \"todo\"}, "
        "\"network_interface\": \"podman3\"}]", 0, NULL);
    ctr_leftovers_t l = {0};
    ctr_leftovers_parse(list, "todo", &podman_networks, &l);
    CU_ASSERT_EQUAL_FATAL(l.n, 1);
    CU_ASSERT_STRING_EQUAL(l.v[0].id, "exo-todo-r1");
    CU_ASSERT_STRING_EQUAL(l.v[0].name, "exo-todo-r1");
    CU_ASSERT_STRING_EQUAL(l.v[0].ifname, "podman3");
    ctr_leftovers_free(&l);
    json_decref(list);
}

static void add(ctr_leftovers_t *l, const char *name, const char *unit, bool removed)
{
    json_t *one = json_pack("[{s:s,s:[s],s:{s:s}}]", "Id", name, "Names", name, "Labels",
                            "exo.app", "todo");
    if (unit != NULL) {
        json_object_set_new(json_object_get(json_array_get(one, 0), "Labels"), "exo.unit",
                            json_string(unit));
    }
    ctr_leftovers_parse(one, "todo", &docker_containers, l);
    l->v[l->n - 1].removed = removed;
    json_decref(one);
}

static void test_report_names_what_was_removed(void)
{
    ctr_leftovers_t l = {0};
    add(&l, "exo-todo-r1-web-1", "web", true);
    add(&l, "exo-todo-r1-users-1", "users", false); /* already gone: not claimed */
    add(&l, "exo-todo-r1-db-1", "db", true);
    ctr_report_removed(&host, "todo", "container", &l);
    CU_ASSERT_EQUAL_FATAL(logged.n, 1);
    char *want = exo_strdupf("%d removed 2 containers of app todo: exo-todo-r1-web-1 (unit web), "
                             "exo-todo-r1-db-1 (unit db)", (int)EXO_LOG_INFO);
    CU_ASSERT_STRING_EQUAL(logged.v[0], want);
    free(want);
    ctr_leftovers_free(&l);
    exo_strv_free(&logged);
    add(&l, "exo-todo-r1", NULL, true);
    ctr_report_removed(&host, "todo", "network", &l);
    CU_ASSERT_EQUAL_FATAL(logged.n, 1);
    CU_ASSERT_STRING_EQUAL(strchr(logged.v[0], ' ') + 1,
                           "removed 1 network of app todo: exo-todo-r1");
    ctr_leftovers_free(&l);
    exo_strv_free(&logged);
}

static void test_report_nothing_and_many(void)
{
    ctr_leftovers_t l = {0};
    ctr_report_removed(&host, "todo", "container", &l);
    add(&l, "gone", "web", false);
    ctr_report_removed(&host, "todo", "container", &l);
    CU_ASSERT_EQUAL(logged.n, 0);
    ctr_leftovers_free(&l);
    /* 12 containers: one line names them all (the core's log shows a few lines of a kind). */
    for (int i = 0; i < 12; i++) {
        char name[32];
        snprintf(name, sizeof name, "exo-todo-r1-w-%d", i);
        add(&l, name, "w", true);
    }
    ctr_report_removed(&host, "todo", "container", &l);
    CU_ASSERT_EQUAL_FATAL(logged.n, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(logged.v[0], "removed 12 containers of app todo: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(logged.v[0], "exo-todo-r1-w-0 (unit w), "));
    CU_ASSERT_PTR_NOT_NULL(strstr(logged.v[0], ", exo-todo-r1-w-11 (unit w)"));
    ctr_leftovers_free(&l);
    exo_strv_free(&logged);
}

static const exo_test_t tests[] = {
    {"parse checks the exo.app label", test_parse_checks_the_label},
    {"parse podman networks", test_parse_podman_networks},
    {"report names what was removed", test_report_names_what_was_removed},
    {"report nothing, and many in one line", test_report_nothing_and_many},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("container cleanup report", tests, NULL, NULL)
