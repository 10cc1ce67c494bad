/*
 * tests/support/test_host.h - a plugin host table for test programs and drivers that load a
 * plugin without the whole exo core (no loader, no app): loop services come from core/base/loop.h,
 * logging goes to stderr with a prefix. One host per loop; not thread-safe except log/post.
 */
#ifndef EXO_TESTS_TEST_HOST_H
#define EXO_TESTS_TEST_HOST_H

#include <exo/plugin.h>

#include "base/loop.h"

/** Fill @p host for @p loop; log lines start with @p prefix. */
void exo_test_host_init(exo_host_t *host, exo_loop_t *loop, const char *prefix);

/** dlopen @p path and return its descriptor (after init() with @p host), or NULL with a message
 *  on stderr. *handle_p receives the dlopen handle for dlclose. */
const exo_plugin_desc_t *exo_test_plugin_load(const char *path, const exo_host_t *host,
                                              void **handle_p);

#endif /* EXO_TESTS_TEST_HOST_H */
