# plugins/resource-postgres: the postgres resource plugin (needs libpq; optional at build time).
EXTRA_DIST += plugins/resource-common/resutil.h
if PLUGIN_POSTGRES
plugin_LTLIBRARIES += plugins/resource_postgres.la
plugins_resource_postgres_la_SOURCES = plugins/resource-postgres/postgres.c \
	plugins/resource-common/resutil.h
plugins_resource_postgres_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(LIBPQ_CFLAGS)
plugins_resource_postgres_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_resource_postgres_la_LIBADD = $(LIBPQ_LIBS) $(JANSSON_LIBS)
endif
