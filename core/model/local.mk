# core/model/: the app model (application.yml / service.yml), its YAML nodes and diagnostics.
core_libexocore_la_SOURCES += core/model/app.h core/model/app.c core/model/yamlnode.h \
	core/model/yamlnode.c core/model/diag.h core/model/diag.c
core_libexocore_la_SOURCES += core/model/wiring.h core/model/wiring.c
core_libexocore_la_SOURCES += core/model/endpoint.h core/model/endpoint.c
TESTS += tests/cli/yaml_errors.sh
EXTRA_DIST += tests/cli/yaml_errors.sh

check_PROGRAMS += tests/unit/test_manifest
tests_unit_test_manifest_SOURCES = tests/unit/test_manifest.c tests/support/cunit_main.h
tests_unit_test_manifest_CPPFLAGS = $(AM_CPPFLAGS) \
	-DEXO_FIXTURES='"$(abs_top_srcdir)/tests/fixtures/apps"'
tests_unit_test_manifest_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_manifest_LDADD = $(EXO_TEST_LINK)

TESTS += tests/unit/test_manifest tests/cli/check.sh
EXTRA_DIST += tests/cli/check.sh tests/fixtures/apps

# The layout of an app's state directory (<app>/.exo).
core_libexocore_la_SOURCES += core/model/statedir.h core/model/statedir.c
check_PROGRAMS += tests/unit/test_statedir
tests_unit_test_statedir_SOURCES = tests/unit/test_statedir.c tests/support/cunit_main.h
tests_unit_test_statedir_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_statedir_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_statedir

# Public endpoints (services.<role>.public).
check_PROGRAMS += tests/unit/test_endpoint
tests_unit_test_endpoint_SOURCES = tests/unit/test_endpoint.c tests/support/cunit_main.h
tests_unit_test_endpoint_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_endpoint_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_endpoint
