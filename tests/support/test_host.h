/*
 * tests/support/test_host.h - a real exo_host_t for tests that drive a plugin directly:
 * loads a plugin's shared object with dlopen, checks its descriptor and hands it a host table
 * built on core/loop.h (fd watches, timers and posts are the core loop's own), with log lines
 * written to stderr and a state directory of the test's choosing.
 *
 * Ownership: exo_test_host_new() returns an object the caller frees with
 * exo_test_host_destroy(), which calls the plugin's fini() and dlcloses it.
 * Threading: one thread, the test's; the loop runs only inside exo_test_host_run_until().
 */
#ifndef EXO_TESTS_SUPPORT_TEST_HOST_H
#define EXO_TESTS_SUPPORT_TEST_HOST_H

#include <stdbool.h>

#include <exo/plugin.h>

#include "loop.h"

typedef struct exo_test_host {
    exo_host_t host;                 /* what the plugin sees */
    exo_loop_t *loop;
    void *dl;                        /* dlopen handle */
    const exo_plugin_desc_t *desc;
    char *state_dir;
} exo_test_host_t;

/** Load plugin file @p so_path and call its init() with a fresh host. NULL with a message on
 *  stderr when the file cannot be loaded or its init fails. */
exo_test_host_t *exo_test_host_new(const char *so_path, const char *state_dir);
void exo_test_host_destroy(exo_test_host_t **th_p);

/** Run the loop until @p done(arg) is true or @p timeout_ms passed. Returns done(arg). */
bool exo_test_host_run_until(exo_test_host_t *th, bool (*done)(void *arg), void *arg,
                             unsigned timeout_ms);

#endif /* EXO_TESTS_SUPPORT_TEST_HOST_H */
