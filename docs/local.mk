# docs: build rules (none yet).
