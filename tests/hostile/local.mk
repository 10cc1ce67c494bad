# tests/hostile/: the hostile-client suite of issue 18 (docs/security.md). Each script runs a
# reproducer against `exo bus` or `exo run`, asserts the defence, checks that legitimate
# traffic still flows and, for the broker, that its peak RSS stays under a stated bound; each
# is bounded in time and the whole suite takes under two minutes:
#   make check TESTS="$(echo tests/hostile/*.sh)"
HOSTILE_TESTS = tests/hostile/auth.sh tests/hostile/false-ready.sh tests/hostile/sticky-replies.sh tests/hostile/observers.sh tests/hostile/queues.sh \
	tests/hostile/descriptors.sh tests/hostile/secrets.sh tests/hostile/files.sh \
	tests/hostile/grace.sh tests/hostile/logs.sh
TESTS += $(HOSTILE_TESTS)
EXTRA_DIST += $(HOSTILE_TESTS) tests/hostile/hostile-lib.sh tests/hostile/sticky.py \
	tests/hostile/rawclient.py tests/hostile/badframes.py
