# core/scaffold.mk: exo create / add / templates / template check, the template renderer and
# the application.yml text editor, with their tests.
core_libexocore_la_SOURCES += \
	core/yamledit.h core/yamledit.c

check_PROGRAMS += tests/unit/test_yamledit
tests_unit_test_yamledit_SOURCES = tests/unit/test_yamledit.c tests/support/cunit_main.h
tests_unit_test_yamledit_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_yamledit_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_yamledit
