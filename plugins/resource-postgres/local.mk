# plugins/resource-postgres: the postgres resource plugin (needs libpq; optional at build time).
# resource-common is built here, before the resource plugins that link it.
include plugins/resource-common/local.mk

if PLUGIN_POSTGRES
plugin_LTLIBRARIES += plugins/resource_postgres.la
plugins_resource_postgres_la_SOURCES = plugins/resource-postgres/postgres.c
plugins_resource_postgres_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(LIBPQ_CFLAGS)
plugins_resource_postgres_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_resource_postgres_la_LIBADD = plugins/resource-common/libresource_common.la \
	core/base/libexobase.la $(LIBPQ_LIBS) $(JANSSON_LIBS)
endif
