EXTRA_DIST += docs
# Installed to $(docdir) (usually /usr/local/share/doc/exo): the generated app README points
# there for the user's side of exo.
dist_doc_DATA += docs/README.md docs/cli.md docs/configuration.md docs/templates.md \
	docs/backends.md docs/bus.md docs/resources.md docs/protocol.md \
	docs/plugin-authoring.md docs/resource-plugins.md docs/generate.md docs/deploy.md \
	docs/frontends.md docs/dashboard.md docs/dashboard.png docs/bus-nats.md
