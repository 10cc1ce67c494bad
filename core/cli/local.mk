# core/cli/: the exo command: main, the option parser, the command table and one file per
# command (cmd_NAME.c), with what several commands share (roles, scaffold values).
exo_SOURCES += core/cli/main.c core/cli/cli.h core/cli/cli.c \
	core/cli/options.h core/cli/options.c \
	core/cli/commands.h core/cli/commands.c \
	core/cli/roles.h core/cli/roles.c \
	core/cli/scaffold_values.h core/cli/scaffold_values.c \
	core/cli/cmd_help.c core/cli/cmd_version.c core/cli/cmd_check.c core/cli/cmd_plugins.c \
	core/cli/cmd_bus.c core/cli/cmd_send.c core/cli/cmd_tail.c \
	core/cli/payload.h core/cli/payload.c \
	core/cli/cmd_bus_status.c core/cli/table.h core/cli/table.c \
	core/cli/cmd_run.c core/cli/cmd_test.c core/cli/cmd_setup.c core/cli/cmd_clean.c \
	core/cli/cmd_env.c core/cli/cmd_create.c core/cli/cmd_add.c core/cli/cmd_templates.c \
	core/cli/cmd_template.c core/cli/cmd_generate.c core/cli/cmd_frontend.c \
	core/cli/cmd_build.c core/cli/cmd_dashboard.c

TESTS += tests/cli/options.sh tests/cli/build.sh
EXTRA_DIST += tests/cli/options.sh tests/cli/build.sh
