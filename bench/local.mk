# bench: build rules (none yet).
