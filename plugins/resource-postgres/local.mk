# plugins/resource-postgres: build rules (none yet).
