# tests/hostile/: issue 18's hostile and careless cases against exo run and exo bus, each
# bounded in time (a few seconds to half a minute).
EXO_HOSTILE_RUN_TESTS = \
	tests/hostile/secrets.sh \
	tests/hostile/files.sh \
	tests/hostile/grace.sh \
	tests/hostile/logs.sh
TESTS += $(EXO_HOSTILE_RUN_TESTS)
EXTRA_DIST += $(EXO_HOSTILE_RUN_TESTS) tests/hostile/badframes.py
