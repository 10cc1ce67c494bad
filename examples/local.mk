# examples: the todo app. Its demo runs as a test so it keeps working.
EXTRA_DIST += examples/todo
TESTS += tests/run/example.sh
EXTRA_DIST += tests/run/example.sh
