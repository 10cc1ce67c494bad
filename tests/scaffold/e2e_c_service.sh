# The three-command path with the c-service template: create, add, setup, run, send, test.
. "$(dirname "$0")/common.sh"
e2e c-service
