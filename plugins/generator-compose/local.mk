# plugins/generator-compose: the `compose` generator (exo generate compose).
plugin_LTLIBRARIES += plugins/generator_compose.la
plugins_generator_compose_la_SOURCES = plugins/generator-compose/compose.c
plugins_generator_compose_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
plugins_generator_compose_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_generator_compose_la_LIBADD = $(EXO_GEN_PLUGIN_LIBS)

EXO_GENERATE_TESTS = tests/generate/compose.sh tests/generate/compose-prod.sh \
	tests/generate/compose-frontend.sh \
	tests/containers/compose.sh tests/containers/compose-prod.sh
TESTS += $(EXO_GENERATE_TESTS)
EXTRA_DIST += $(EXO_GENERATE_TESTS) tests/support/generated-todo.sh
