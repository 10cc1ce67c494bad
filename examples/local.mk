# examples: the todo app. Its demo runs as a test so it keeps working.
EXTRA_DIST += examples/todo
TESTS += tests/run/example.sh
EXTRA_DIST += tests/run/example.sh
# The same example on process, docker and podman (a Debian base image built by debootstrap).
TESTS += tests/containers/todo.sh
EXTRA_DIST += tests/containers/todo.sh tests/support/debian-base.sh
EXTRA_DIST += examples/visits
