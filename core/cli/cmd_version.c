/* core/cli/cmd_version.c - `exo version` (also `exo --version`). */
#include "config.h"

#include <stdio.h>

#include <exo/version.h>

#include "commands.h"

static int run(void *opts, const exo_strv_t *args)
{
    (void)opts;
    (void)args;
    printf("exo %s\nplugin ABI %d.%d\n", EXO_VERSION, EXO_PLUGIN_ABI_MAJOR, EXO_PLUGIN_ABI_MINOR);
    return EXO_EXIT_OK;
}

const exo_command_t exo_cmd_version = {
    .name = "version",
    .summary = "print exo's version and plugin ABI",
    .max_args = 0,
    .description = "Prints 'exo X.Y.Z' and the plugin ABI version 'plugin ABI MAJOR.MINOR'.",
    .run = run,
};
