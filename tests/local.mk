# tests/: unit test programs (CUnit, one per core module) and integration scripts.
# Areas may register more tests in their own local.mk.
EXO_TEST_CCFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS)
EXO_TEST_LINK = core/libexocore.la $(CUNIT_LIBS)

check_PROGRAMS += tests/unit/test_loop
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c tests/support/cunit_main.h
tests_unit_test_loop_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_loop_LDADD = $(EXO_TEST_LINK)

TESTS += tests/unit/test_loop

check_PROGRAMS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c tests/support/cunit_main.h
tests_unit_test_util_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_util_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_util
EXTRA_DIST += tests/support/run-test.sh

