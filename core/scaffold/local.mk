# core/scaffold/: templates and their renderer, the application.yml text editor and prompts
# behind exo create / add / templates / template check, with their tests.
core_libexocore_la_SOURCES += \
	core/scaffold/yamledit.h core/scaffold/yamledit.c \
	core/scaffold/template.h core/scaffold/template.c core/scaffold/template_render.c \
	core/scaffold/scaffold.h core/scaffold/scaffold.c \
	core/scaffold/prompt.h core/scaffold/prompt.c

check_PROGRAMS += tests/unit/test_yamledit tests/unit/test_template
tests_unit_test_yamledit_SOURCES = tests/unit/test_yamledit.c tests/support/cunit_main.h
tests_unit_test_yamledit_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_yamledit_LDADD = $(EXO_TEST_LINK)
tests_unit_test_template_SOURCES = tests/unit/test_template.c tests/support/cunit_main.h
tests_unit_test_template_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_template_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_yamledit tests/unit/test_template

EXTRA_DIST += tests/scaffold/common.sh
SCAFFOLD_TESTS = \
	tests/scaffold/create.sh \
	tests/scaffold/add.sh \
	tests/scaffold/templates.sh \
	tests/scaffold/escape.sh \
	tests/scaffold/template_check.sh \
	tests/scaffold/e2e_c_service.sh \
	tests/scaffold/e2e_python_service.sh
TESTS += $(SCAFFOLD_TESTS)
EXTRA_DIST += $(SCAFFOLD_TESTS)
