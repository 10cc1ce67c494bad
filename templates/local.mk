# templates: build rules (none yet).
