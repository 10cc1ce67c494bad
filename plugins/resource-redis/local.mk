# plugins/resource-redis: the redis resource plugin (needs hiredis; optional at build time).
if PLUGIN_REDIS
plugin_LTLIBRARIES += plugins/resource_redis.la
plugins_resource_redis_la_SOURCES = plugins/resource-redis/redis.c
plugins_resource_redis_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(HIREDIS_CFLAGS)
plugins_resource_redis_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_resource_redis_la_LIBADD = plugins/resource-common/libresource_common.la \
	core/base/libexobase.la $(HIREDIS_LIBS) $(JANSSON_LIBS)
endif

# The resource tests (all resource plugins and the out-of-tree example) live here too.
include tests/resources/local.mk
