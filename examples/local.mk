# examples: the todo app. Its demo runs as a test so it keeps working.
EXTRA_DIST += examples/todo
TESTS += tests/run/example.sh
EXTRA_DIST += tests/run/example.sh
# The same example on process, docker and podman (a Debian base image built by debootstrap).
TESTS += tests/containers/todo.sh
EXTRA_DIST += tests/containers/todo.sh tests/support/debian-base.sh
EXTRA_DIST += examples/visits
# The out-of-tree generator example, built and run as a third party would.
TESTS += tests/plugin-sdk/generator_example.sh
EXTRA_DIST += tests/plugin-sdk/generator_example.sh examples/plugins/overview/overview.c \
	examples/plugins/overview/Makefile examples/plugins/overview/README.md
