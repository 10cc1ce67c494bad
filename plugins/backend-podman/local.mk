# plugins/backend-podman: the podman backend (the podman command, machine-readable output).
plugin_LTLIBRARIES += plugins/backend_podman.la
plugins_backend_podman_la_SOURCES = plugins/backend-podman/podman.c
plugins_backend_podman_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
plugins_backend_podman_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_backend_podman_la_LIBADD = $(EXO_CTR_PLUGIN_LIBS)

# Tests: the same driver as backend-docker (built by its local.mk), against podman.
TESTS += tests/containers/podman.sh
EXTRA_DIST += tests/containers/podman.sh
TESTS += tests/containers/run-podman.sh
EXTRA_DIST += tests/containers/run-podman.sh
