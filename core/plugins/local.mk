# core/plugins/: the plugin registry (finding, opening, checking plugins) and the host table.
core_libexocore_la_SOURCES += core/plugins/registry.h core/plugins/registry.c \
	core/plugins/host.h core/plugins/host.c core/plugins/settings.h core/plugins/settings.c \
	core/plugins/scan.h core/plugins/scan.c core/plugins/isolate.h core/plugins/isolate.c \
	core/plugins/crashguard.h core/plugins/crashguard.c \
	core/plugins/generator.h core/plugins/generator.c

# ---- Fixture plugins: each directory is an EXO_PLUGIN_PATH entry of its own. ----
# -rpath forces a shared module although they are never installed.
EXO_FIXTURE_LINK = -module -avoid-version -shared -no-undefined -rpath /nowhere
EXO_FIXTURE_CCFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(JANSSON_CFLAGS)
check_LTLIBRARIES += \
	tests/fixtures/plugins/good.la \
	tests/fixtures/plugins/wrong_major.la \
	tests/fixtures/plugins/newer_minor.la \
	tests/fixtures/plugins/no_symbol.la \
	tests/fixtures/plugins/small_desc.la \
	tests/fixtures/plugins/null_op.la \
	tests/fixtures/plugins/init_fails.la \
	tests/fixtures/plugins/null_desc.la \
	tests/fixtures/plugins-dup/dup.la
tests_fixtures_plugins_good_la_SOURCES = tests/fixtures/plugins/good.c
tests_fixtures_plugins_good_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_good_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_wrong_major_la_SOURCES = tests/fixtures/plugins/wrong_major.c
tests_fixtures_plugins_wrong_major_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_wrong_major_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_newer_minor_la_SOURCES = tests/fixtures/plugins/newer_minor.c
tests_fixtures_plugins_newer_minor_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_newer_minor_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_no_symbol_la_SOURCES = tests/fixtures/plugins/no_symbol.c
tests_fixtures_plugins_no_symbol_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_no_symbol_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_small_desc_la_SOURCES = tests/fixtures/plugins/small_desc.c
tests_fixtures_plugins_small_desc_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_small_desc_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_null_op_la_SOURCES = tests/fixtures/plugins/null_op.c
tests_fixtures_plugins_null_op_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_null_op_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_init_fails_la_SOURCES = tests/fixtures/plugins/init_fails.c
tests_fixtures_plugins_init_fails_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_init_fails_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_null_desc_la_SOURCES = tests/fixtures/plugins/null_desc.c
tests_fixtures_plugins_null_desc_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_null_desc_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_dup_dup_la_SOURCES = tests/fixtures/plugins-dup/dup.c
tests_fixtures_plugins_dup_dup_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_dup_dup_la_LDFLAGS = $(EXO_FIXTURE_LINK)
EXTRA_DIST += tests/fixtures/plugins/fixture.h

# Hostile fixtures (crash in describe or init, a constructor that leaves a mark): a directory
# of their own, since they break every command that loads them; tests copy the one they need.
check_LTLIBRARIES += \
	tests/fixtures/plugins-hostile/crash_describe.la \
	tests/fixtures/plugins-hostile/crash_init.la \
	tests/fixtures/plugins-hostile/exit_init.la \
	tests/fixtures/plugins-hostile/ctor_marker.la
tests_fixtures_plugins_hostile_crash_describe_la_SOURCES = \
	tests/fixtures/plugins-hostile/crash_describe.c
tests_fixtures_plugins_hostile_crash_describe_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_hostile_crash_describe_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_hostile_crash_init_la_SOURCES = tests/fixtures/plugins-hostile/crash_init.c
tests_fixtures_plugins_hostile_crash_init_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_hostile_crash_init_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_hostile_exit_init_la_SOURCES = tests/fixtures/plugins-hostile/exit_init.c
tests_fixtures_plugins_hostile_exit_init_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_hostile_exit_init_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_hostile_ctor_marker_la_SOURCES = tests/fixtures/plugins-hostile/ctor_marker.c
tests_fixtures_plugins_hostile_ctor_marker_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_hostile_ctor_marker_la_LDFLAGS = $(EXO_FIXTURE_LINK)

# Fixtures that declare configuration keys (the settings check), one directory of their own so
# that every backend in it has a table; and one built against the frozen ABI 1.0 headers.
check_LTLIBRARIES += \
	tests/fixtures/plugins-keys/resource_keyed.la \
	tests/fixtures/plugins-keys/resource_bare.la \
	tests/fixtures/plugins-keys/backend_boxed.la \
	tests/fixtures/plugins-keys/backend_crate.la \
	tests/fixtures/plugins-keys/backend_plain.la \
	tests/fixtures/plugins-keys/transport_keybus.la \
	tests/fixtures/plugins-keys/resource_badkeys.la \
	tests/fixtures/plugins-abi10/backend_old.la
tests_fixtures_plugins_keys_resource_keyed_la_SOURCES = tests/fixtures/plugins-keys/resource_keyed.c
tests_fixtures_plugins_keys_resource_keyed_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_keys_resource_keyed_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_keys_resource_bare_la_SOURCES = tests/fixtures/plugins-keys/resource_bare.c
tests_fixtures_plugins_keys_resource_bare_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_keys_resource_bare_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_keys_backend_boxed_la_SOURCES = tests/fixtures/plugins-keys/backend_boxed.c
tests_fixtures_plugins_keys_backend_boxed_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_keys_backend_boxed_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_keys_backend_crate_la_SOURCES = tests/fixtures/plugins-keys/backend_crate.c
tests_fixtures_plugins_keys_backend_crate_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_keys_backend_crate_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_keys_backend_plain_la_SOURCES = tests/fixtures/plugins-keys/backend_plain.c
tests_fixtures_plugins_keys_backend_plain_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_keys_backend_plain_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_keys_transport_keybus_la_SOURCES = \
	tests/fixtures/plugins-keys/transport_keybus.c
tests_fixtures_plugins_keys_transport_keybus_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_keys_transport_keybus_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_keys_resource_badkeys_la_SOURCES = \
	tests/fixtures/plugins-keys/resource_badkeys.c
tests_fixtures_plugins_keys_resource_badkeys_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_keys_resource_badkeys_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_abi10_backend_old_la_SOURCES = tests/fixtures/plugins-abi10/backend_old.c
tests_fixtures_plugins_abi10_backend_old_la_CPPFLAGS = -I$(top_srcdir)/tests/fixtures/abi-1.0
tests_fixtures_plugins_abi10_backend_old_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_abi10_backend_old_la_LDFLAGS = $(EXO_FIXTURE_LINK)
EXTRA_DIST += tests/fixtures/plugins-keys/stubs.h tests/fixtures/abi-1.0

# ---- Tests ----
check_PROGRAMS += tests/unit/test_loader
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c tests/support/cunit_main.h
tests_unit_test_loader_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_loader_LDADD = $(EXO_TEST_LINK)

check_PROGRAMS += tests/unit/test_generator
tests_unit_test_generator_SOURCES = tests/unit/test_generator.c tests/support/cunit_main.h
tests_unit_test_generator_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_generator_LDADD = $(EXO_TEST_LINK)

TESTS += tests/unit/test_loader tests/unit/test_generator tests/cli/plugins.sh \
	tests/plugin-sdk/headers.sh tests/plugin-sdk/out_of_tree.sh tests/plugin-sdk/abi_1_0.sh \
	tests/plugin-sdk/generator.sh tests/cli/plugin_crash.sh tests/cli/plugin_trust.sh
EXTRA_DIST += tests/cli/plugins.sh tests/plugin-sdk/headers.sh tests/plugin-sdk/out_of_tree.sh \
	tests/plugin-sdk/abi_1_0.sh tests/plugin-sdk/generator.sh tests/cli/plugin_crash.sh \
	tests/cli/plugin_trust.sh

# The plugin directory exists after `make install` even before any plugin is installed there,
# so third parties can install into what `pkg-config --variable=plugindir exo-plugin` names.
# A prerequisite-only rule, so other fragments can hook install-data-local too.
install-data-local: exo-install-plugindir
exo-install-plugindir:
	$(MKDIR_P) '$(DESTDIR)$(plugindir)'
.PHONY: exo-install-plugindir

# configure's exit trap runs `rm -f core ... && rm -f confdefs*`; our core/ directory makes the
# first rm fail, so confdefs.h survives every configure run and would fail distcleancheck.
distclean-local: exo-distclean-confdefs
exo-distclean-confdefs:
	rm -f confdefs.h
.PHONY: exo-distclean-confdefs
