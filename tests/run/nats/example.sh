#!/bin/bash
# tests/run/example.sh (examples/todo) on the nats transport (docs/bus-nats.md).
EXO_BUS_TRANSPORT=nats exec bash "$EXO_TOP_SRCDIR/tests/run/example.sh"
