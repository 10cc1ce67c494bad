# plugins/backend-docker: the docker backend (Engine API over its Unix socket: libcurl for
# HTTP, libarchive for the build context; optional at build time).
if PLUGIN_DOCKER
plugin_LTLIBRARIES += plugins/backend_docker.la
plugins_backend_docker_la_SOURCES = plugins/backend-docker/docker.c \
	plugins/backend-docker/engine.c plugins/backend-docker/engine.h \
	plugins/backend-docker/context.c plugins/backend-docker/context.h
plugins_backend_docker_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(DOCKER_CFLAGS)
plugins_backend_docker_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_backend_docker_la_LIBADD = $(EXO_CTR_PLUGIN_LIBS) $(DOCKER_LIBS)

# The build context writer alone: long names, symlinks, .exo/ left out, read back with
# libarchive.
check_PROGRAMS += tests/unit/test_docker_context
tests_unit_test_docker_context_SOURCES = tests/unit/test_docker_context.c \
	plugins/backend-docker/context.c plugins/backend-docker/context.h tests/support/cunit_main.h
tests_unit_test_docker_context_CFLAGS = $(EXO_TEST_CCFLAGS) $(DOCKER_CFLAGS)
tests_unit_test_docker_context_LDADD = core/base/libexobase.la $(CUNIT_LIBS) $(DOCKER_LIBS)
TESTS += tests/unit/test_docker_context

# The HTTP layer against a fake engine on a Unix socket, driven by the core loop.
check_PROGRAMS += tests/unit/test_docker_engine
tests_unit_test_docker_engine_SOURCES = tests/unit/test_docker_engine.c \
	plugins/backend-docker/engine.c plugins/backend-docker/engine.h \
	tests/support/test_host.c tests/support/test_host.h tests/support/cunit_main.h
tests_unit_test_docker_engine_CFLAGS = $(EXO_TEST_CCFLAGS) $(DOCKER_CFLAGS)
tests_unit_test_docker_engine_LDADD = $(EXO_TEST_LINK) $(DOCKER_LIBS) -ldl -lpthread
TESTS += tests/unit/test_docker_engine

TESTS += tests/containers/docker.sh
# End to end: exo run / exo test --backend docker, the same app on all three backends, and
# services.<role>.options on both engines.
TESTS += tests/containers/run-docker.sh tests/containers/same-app.sh \
	tests/containers/start-order.sh tests/containers/options.sh
# Public endpoints (services.<role>.public) on both engines.
TESTS += tests/containers/public.sh
endif
EXTRA_DIST += tests/containers/public.sh
EXTRA_DIST += tests/containers/docker.sh tests/support/engines.sh \
	tests/containers/run-docker.sh tests/containers/same-app.sh \
	tests/containers/e2e-lib.sh tests/containers/run-e2e.sh bench/containers-up.sh \
	tests/containers/start-order.sh tests/containers/options.sh

# Tests: the container backend driver (docker and podman) against a real engine.
check_PROGRAMS += tests/containers/test_container_backend
tests_containers_test_container_backend_SOURCES = tests/containers/test_container_backend.c \
	tests/support/test_host.c tests/support/test_host.h tests/support/cunit_main.h \
	core/run/unitstats.c core/run/unitstats.h
tests_containers_test_container_backend_CFLAGS = $(EXO_TEST_CCFLAGS) -I$(top_srcdir)/tests/support
tests_containers_test_container_backend_LDADD = $(EXO_TEST_LINK) -ldl
