# plugins/backend-docker: the docker backend (Engine API over its Unix socket).
plugin_LTLIBRARIES += plugins/backend_docker.la
plugins_backend_docker_la_SOURCES = plugins/backend-docker/docker.c plugins/backend-common/ctrutil.h \
	plugins/backend-common/ctrunit.h
plugins_backend_docker_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
plugins_backend_docker_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_backend_docker_la_LIBADD = $(JANSSON_LIBS)

# Tests: the container backend driver (shared with backend-podman) against a real dockerd.
check_PROGRAMS += tests/containers/test_container_backend
tests_containers_test_container_backend_SOURCES = tests/containers/test_container_backend.c \
	tests/support/test_host.c tests/support/test_host.h tests/support/cunit_main.h
tests_containers_test_container_backend_CFLAGS = $(EXO_TEST_CCFLAGS) -I$(top_srcdir)/tests/support
tests_containers_test_container_backend_LDADD = $(EXO_TEST_LINK) -ldl
TESTS += tests/containers/docker.sh
EXTRA_DIST += tests/containers/docker.sh tests/support/engines.sh

# End to end: exo run / exo test --backend docker, and the same app on all three backends.
TESTS += tests/containers/run-docker.sh tests/containers/same-app.sh \
	tests/containers/start-order.sh
EXTRA_DIST += tests/containers/run-docker.sh tests/containers/same-app.sh \
	tests/containers/e2e-lib.sh tests/containers/run-e2e.sh bench/containers-up.sh \
	tests/containers/start-order.sh
