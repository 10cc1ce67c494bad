# plugins/backend-docker: build rules (none yet).
