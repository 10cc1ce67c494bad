/* sdkenv.c - the SDKs' variables; see sdkenv.h. */
#include "config.h"

#include <stdlib.h>

#include "base/util.h"
#include "sdkenv.h"

#ifndef EXO_SDK_PYTHONDIR
#error "EXO_SDK_PYTHONDIR, EXO_SDK_INCLUDEDIR and EXO_SDK_LIBDIR come from local.mk"
#endif

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : fallback;
}

/* The Python client's directory before whatever PYTHONPATH exo itself was given (the
 * environment a unit inherits). */
static char *python_path(void)
{
    const char *dir = env_or("EXO_PYTHON_DIR", EXO_SDK_PYTHONDIR);
    const char *inherited = getenv("PYTHONPATH");
    if (inherited != NULL && inherited[0] != '\0') {
        return exo_strdupf("%s:%s", dir, inherited);
    }
    return exo_xstrdup(dir);
}

int exo_sdkenv_emit(const exo_host_t *host, const char *endpoint, unsigned flags, exo_env_t *env,
                    exo_error_t *err)
{
    char *pythonpath = python_path();
    struct {
        const char *name, *value;
    } vars[] = {
        {"EXO_BUS_ENDPOINT", endpoint},
        {"PYTHONPATH", pythonpath},
        {"EXO_CFLAGS", env_or("EXO_CFLAGS", "-I" EXO_SDK_INCLUDEDIR)},
        {"EXO_LIBS", env_or("EXO_LIBS", "-L" EXO_SDK_LIBDIR " -Wl,-rpath," EXO_SDK_LIBDIR
                                        " -lexoservice")},
    };
    size_t n = flags & EXO_BUS_ENV_BUILD ? 4 : 2;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (host->env_set(env, vars[i].name, vars[i].value, 0) != 0) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "cannot set %s", vars[i].name);
        }
    }
    free(pythonpath);
    return rc;
}
