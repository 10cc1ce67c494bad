/*
 * tests/support/test_app.h - a scratch app for unit tests: application.yml and one service's
 * service.yml written to a new directory under /tmp and loaded as exo_app_load() loads it, so
 * that a test sees the model as the parser builds it. Include after the core headers.
 */
#ifndef EXO_TESTS_TEST_APP_H
#define EXO_TESTS_TEST_APP_H

#include <stdlib.h>
#include <string.h>

#include "model/app.h"
#include "base/util.h"

/** Write @p app_yml and, in the directory @p location, @p svc_yml; load the app. NULL when
 *  it does not load. *dir_out is the new directory (free it with exo_test_app_drop). */
static inline exo_app_t *exo_test_app_load(const char *app_yml, const char *location,
                                           const char *svc_yml, char **dir_out)
{
    char tmpl[] = "/tmp/exo-test-app.XXXXXX";
    char *dir = exo_xstrdup(mkdtemp(tmpl));
    char *p = exo_path_join(dir, location);
    exo_mkdir_p(p, 0755);
    char *file = exo_path_join(p, "service.yml");
    exo_write_file_atomic(file, svc_yml, strlen(svc_yml));
    free(file);
    free(p);
    p = exo_path_join(dir, "application.yml");
    exo_write_file_atomic(p, app_yml, strlen(app_yml));
    free(p);
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_app_t *app = exo_app_load(dir, &diag);
    exo_diag_free(&diag);
    *dir_out = dir;
    return app;
}

/** Destroy @p app and remove its directory @p dir (and free the string). */
static inline void exo_test_app_drop(exo_app_t *app, char *dir)
{
    exo_app_destroy(&app);
    exo_rm_rf(dir);
    free(dir);
}

#endif /* EXO_TESTS_TEST_APP_H */
