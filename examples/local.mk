# examples: build rules (none yet).
