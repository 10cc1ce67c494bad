# core/cli/: the exo command: main, dispatch and help, one file per command.
exo_SOURCES += core/cli/main.c core/cli/cli.h core/cli/cli.c core/cli/commands.c \
	core/cli/roles.h core/cli/roles.c core/cli/scaffold_opts.h \
	core/cli/cmd_version.c core/cli/cmd_check.c core/cli/cmd_plugins.c \
	core/cli/cmd_bus.c core/cli/cmd_send.c core/cli/cmd_tail.c \
	core/cli/cmd_run.c core/cli/cmd_test.c core/cli/cmd_setup.c core/cli/cmd_clean.c \
	core/cli/cmd_env.c core/cli/cmd_scaffold.c core/cli/cmd_template.c
