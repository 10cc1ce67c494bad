# plugins/backend-process: build rules (none yet).
