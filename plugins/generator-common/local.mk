# plugins/generator-common: what the generator plugins (compose, kubernetes) share, built once
# as a convenience library linked into each, with hidden visibility so that each plugin
# still exports only exo_plugin_describe.
noinst_LTLIBRARIES += plugins/generator-common/libgencommon.la
plugins_generator_common_libgencommon_la_SOURCES = \
	plugins/generator-common/gencommon.c plugins/generator-common/gencommon.h \
	plugins/generator-common/yamlout.c plugins/generator-common/yamlout.h
plugins_generator_common_libgencommon_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)

# What a generator plugin links: the shared parts, then the generic helpers.
EXO_GEN_PLUGIN_LIBS = plugins/generator-common/libgencommon.la core/base/libexobase.la \
	$(JANSSON_LIBS)
