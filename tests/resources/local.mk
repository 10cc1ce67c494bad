# tests/resources: resource plugins against real servers (PostgreSQL, Redis, memcached),
# driven by reshost, a small stand-in for the core's resource lifecycle.
check_PROGRAMS += tests/resources/reshost
tests_resources_reshost_SOURCES = tests/resources/reshost.c
tests_resources_reshost_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_resources_reshost_LDADD = core/libexocore.la $(JANSSON_LIBS)

RESOURCE_TESTS = \
	tests/resources/postgres.sh \
	tests/resources/postgres_failures.sh \
	tests/resources/redis.sh \
	tests/resources/out_of_tree.sh \
	tests/resources/e2e.sh \
	tests/resources/valgrind.sh
TESTS += $(RESOURCE_TESTS)
EXTRA_DIST += $(RESOURCE_TESTS) tests/resources/common.sh
EXTRA_DIST += examples/plugins/memcached/memcached.c examples/plugins/memcached/Makefile
# The same resources as containers on the docker backend (a Debian base built by debootstrap).
TESTS += tests/resources/e2e-container.sh
EXTRA_DIST += tests/resources/e2e-container.sh
