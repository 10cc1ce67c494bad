# core/: the exo binary, one folder per part of the architecture (docs/architecture.md).
# The modules live in convenience libraries so that the unit tests link them too; each folder
# keeps its sources and tests in its own local.mk.

# base/: foundations with no knowledge of apps. libexobase (allocation, strings, buffers,
# paths, files) is also linked into the in-tree plugins, hidden, so that no plugin exports it.
noinst_LTLIBRARIES += core/base/libexobase.la
core_base_libexobase_la_SOURCES = core/base/util.h core/base/util.c
core_base_libexobase_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden

noinst_LTLIBRARIES += core/libexocore.la
core_libexocore_la_SOURCES = \
	core/base/env.h core/base/env.c core/base/log.h core/base/log.c \
	core/base/loop.h core/base/loop.c
core_libexocore_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(JANSSON_CFLAGS)
core_libexocore_la_LIBADD = core/base/libexobase.la $(YAML_LIBS) $(JANSSON_LIBS) $(LTDL_LIBS) \
	-lpthread

bin_PROGRAMS += exo
exo_SOURCES =
exo_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
exo_LDADD = core/libexocore.la

include core/model/local.mk
include core/plugins/local.mk
include core/bus/local.mk
include core/frontend/local.mk
# dashboard/ before run/: it links before the run engine it uses (static archives resolve
# left to right).
include core/dashboard/local.mk
include core/run/local.mk
include core/scaffold/local.mk
include core/cli/local.mk
include core/dashboard/web/local.mk
