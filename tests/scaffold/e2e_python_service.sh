# The three-command path with the python-service template: create, add, setup, run, send, test.
. "$(dirname "$0")/common.sh"
e2e python-service
