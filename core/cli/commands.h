/*
 * core/cli/commands.h - the exo commands, one descriptor per core/cli/cmd_NAME.c. The order
 * of `exo help` is in commands.c.
 */
#ifndef EXO_CORE_CLI_COMMANDS_H
#define EXO_CORE_CLI_COMMANDS_H

#include "cli.h"

extern const exo_command_t exo_cmd_help;      /* cmd_help.c */
extern const exo_command_t exo_cmd_version;   /* cmd_version.c */
extern const exo_command_t exo_cmd_create;    /* cmd_create.c */
extern const exo_command_t exo_cmd_add;       /* cmd_add.c */
extern const exo_command_t exo_cmd_templates; /* cmd_templates.c */
extern const exo_command_t exo_cmd_template;  /* cmd_template.c: exo template check */
extern const exo_command_t exo_cmd_check;     /* cmd_check.c */
extern const exo_command_t exo_cmd_plugins;   /* cmd_plugins.c */
extern const exo_command_t exo_cmd_run;       /* cmd_run.c */
extern const exo_command_t exo_cmd_dashboard; /* cmd_dashboard.c */
extern const exo_command_t exo_cmd_test;      /* cmd_test.c */
extern const exo_command_t exo_cmd_setup;     /* cmd_setup.c */
extern const exo_command_t exo_cmd_clean;     /* cmd_clean.c */
extern const exo_command_t exo_cmd_build;     /* cmd_build.c */
extern const exo_command_t exo_cmd_generate;  /* cmd_generate.c */
extern const exo_command_t exo_cmd_env;       /* cmd_env.c */
extern const exo_command_t exo_cmd_bus;       /* cmd_bus.c */
extern const exo_command_t exo_cmd_bus_status; /* cmd_bus_status.c: exo bus status */
extern const exo_command_t exo_cmd_send;      /* cmd_send.c */
extern const exo_command_t exo_cmd_tail;      /* cmd_tail.c */
extern const exo_command_t exo_cmd_frontend;  /* cmd_frontend.c: hidden, exo run starts it */

#endif /* EXO_CORE_CLI_COMMANDS_H */
