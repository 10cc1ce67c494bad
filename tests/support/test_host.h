/*
 * tests/support/test_host.h - a real exo_host_t on the core loop, for tests that drive a
 * plugin directly without the loader. Log lines go to stderr with a "[test host]" prefix.
 * One host per test; not thread-safe beyond what exo/plugin.h allows (log and post).
 */
#ifndef EXO_TESTS_TEST_HOST_H
#define EXO_TESTS_TEST_HOST_H

#include <exo/plugin.h>

#include "loop.h"

typedef struct exo_test_host {
    exo_host_t host;
    exo_loop_t *loop;
    char *state_dir;
} exo_test_host_t;

/** Fill @p th with a host backed by @p loop; @p state_dir may be NULL. */
void exo_test_host_init(exo_test_host_t *th, exo_loop_t *loop, const char *state_dir);
void exo_test_host_fini(exo_test_host_t *th);

/** Run the loop until *@p flag becomes true or @p timeout_ms pass. Returns *flag. */
bool exo_test_host_run_until(exo_test_host_t *th, const bool *flag, unsigned timeout_ms);

#endif /* EXO_TESTS_TEST_HOST_H */
