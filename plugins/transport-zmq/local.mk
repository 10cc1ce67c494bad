# plugins/transport-zmq: build rules (none yet).
