/* core/manifest.c - application.yml / service.yml parser. Placeholder until the app model lands. */
#include "config.h"

#include <stdlib.h>

#include "app.h"
#include "util.h"

exo_app_t *exo_app_load(const char *dir, exo_diag_t *diag)
{
    exo_diag_error(diag, dir, 0, 0, "the app model parser is not built yet");
    return NULL;
}

char *exo_app_find_root(const char *start)
{
    (void)start;
    return NULL;
}

void exo_app_destroy(exo_app_t **app_p)
{
    *app_p = NULL;
}
