/* core/cli/commands.c - the command table, in the order `exo help` lists it. */
#include "config.h"

#include <stddef.h>

#include "commands.h"

const exo_command_t *const exo_commands[] = {
    &exo_cmd_help,
    &exo_cmd_version,
    &exo_cmd_create,
    &exo_cmd_add,
    &exo_cmd_templates,
    &exo_cmd_template,
    &exo_cmd_check,
    &exo_cmd_plugins,
    &exo_cmd_run,
    &exo_cmd_dashboard,
    &exo_cmd_test,
    &exo_cmd_setup,
    &exo_cmd_clean,
    &exo_cmd_build,
    &exo_cmd_generate,
    &exo_cmd_env,
    &exo_cmd_bus,
    &exo_cmd_send,
    &exo_cmd_tail,
    &exo_cmd_frontend,
    NULL,
};
