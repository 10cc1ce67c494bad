# core/: the exo binary. Modules live in a convenience library so unit tests link them too.
noinst_LTLIBRARIES += core/libexocore.la
core_libexocore_la_SOURCES = \
	core/app.h core/manifest.c core/cli.h core/cli.c core/diag.h core/diag.c \
	core/env.h core/env.c core/loader.h core/log.h core/log.c core/loop.h core/loop.c core/util.h core/util.c
core_libexocore_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(JANSSON_CFLAGS)
core_libexocore_la_LIBADD = $(YAML_LIBS) $(JANSSON_LIBS) $(LTDL_LIBS) -lpthread

bin_PROGRAMS += exo
exo_SOURCES = core/main.c core/commands.c core/cmd_version.c
exo_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
exo_LDADD = core/libexocore.la

# Each area of the core keeps its sources and tests in its own fragment.
include core/model.mk
include core/loader.mk
include core/bus.mk
include core/run.mk
include core/scaffold.mk
