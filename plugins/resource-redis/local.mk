# plugins/resource-redis: the redis resource plugin (needs hiredis; optional at build time).

# The resource tests (all resource plugins and the out-of-tree example) live here too.
include tests/resources/local.mk
