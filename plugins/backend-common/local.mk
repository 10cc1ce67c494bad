# plugins/backend-common: what the container backends (docker, podman) share, built once as a
# convenience library linked into both, with hidden visibility so that each plugin still
# exports only exo_plugin_describe. Generic helpers come from core/base/libexobase.la.
noinst_LTLIBRARIES += plugins/backend-common/libctrcommon.la
plugins_backend_common_libctrcommon_la_SOURCES = \
	plugins/backend-common/ctrbuild.c plugins/backend-common/ctrbuild.h \
	plugins/backend-common/ctrclean.c plugins/backend-common/ctrclean.h \
	plugins/backend-common/ctrlines.c plugins/backend-common/ctrlines.h \
	plugins/backend-common/ctrqueue.c plugins/backend-common/ctrqueue.h \
	plugins/backend-common/ctrrun.c plugins/backend-common/ctrrun.h \
	plugins/backend-common/ctrsettings.c plugins/backend-common/ctrsettings.h \
	plugins/backend-common/ctrunit.c plugins/backend-common/ctrunit.h
plugins_backend_common_libctrcommon_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)

# What a container backend plugin links: the shared parts, then the generic helpers.
EXO_CTR_PLUGIN_LIBS = plugins/backend-common/libctrcommon.la core/base/libexobase.la \
	$(JANSSON_LIBS)

# What cleanup() finds and says it removed, without an engine.
check_PROGRAMS += tests/unit/test_ctrclean
tests_unit_test_ctrclean_SOURCES = tests/unit/test_ctrclean.c \
	plugins/backend-common/ctrclean.c plugins/backend-common/ctrclean.h tests/support/cunit_main.h
tests_unit_test_ctrclean_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_ctrclean_LDADD = core/base/libexobase.la $(CUNIT_LIBS) $(JANSSON_LIBS)
TESTS += tests/unit/test_ctrclean

# `exo build` on both container backends (production images under the generated names).
TESTS += tests/containers/build.sh
EXTRA_DIST += tests/containers/build.sh
