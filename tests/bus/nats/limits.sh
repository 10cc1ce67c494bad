#!/bin/bash
# tests/bus/limits.sh on the nats transport (tests/bus/bus-lib.sh, docs/bus-nats.md).
EXO_BUS_TRANSPORT=nats exec bash "$EXO_TOP_SRCDIR/tests/bus/limits.sh"
