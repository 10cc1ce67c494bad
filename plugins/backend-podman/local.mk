# plugins/backend-podman: build rules (none yet).
