# plugins/resource-redis: build rules (none yet).
