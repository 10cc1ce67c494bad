# templates/: the shipped scaffolding templates, installed to $(pkgdatadir)/templates/NAME/.
# Paths keep their templates/ prefix (nobase), so the install root is $(pkgdatadir).
# Keep the list in sync with the tree: tests/scaffold/templates.sh checks it.
exotemplatesdir = $(pkgdatadir)
nobase_dist_exotemplates_DATA = \
	templates/app/files/.gitignore \
	templates/app/files/README.md \
	templates/app/files/application.yml \
	templates/app/template.yml \
	templates/client/files/client.py \
	templates/client/files/service.yml \
	templates/client/template.yml \
	templates/c-service/files/.gitignore \
	templates/c-service/files/Dockerfile \
	templates/c-service/files/Dockerfile.prod \
	templates/c-service/files/Makefile \
	templates/c-service/files/README.md \
	templates/c-service/files/service.yml \
	templates/c-service/files/src/handlers.c \
	templates/c-service/files/src/handlers.h \
	templates/c-service/files/src/main.c \
	templates/c-service/files/tests/test_handlers.c \
	templates/c-service/template.yml \
	templates/fullstack/files/.gitignore \
	templates/fullstack/files/README.md \
	templates/fullstack/files/application.yml \
	templates/fullstack/files/db/migrations/001_todos.sql \
	templates/fullstack/files/todos/.gitignore \
	templates/fullstack/files/todos/Dockerfile \
	templates/fullstack/files/todos/Dockerfile.prod \
	templates/fullstack/files/todos/Makefile \
	templates/fullstack/files/todos/service.yml \
	templates/fullstack/files/todos/src/handlers.c \
	templates/fullstack/files/todos/src/handlers.h \
	templates/fullstack/files/todos/src/main.c \
	templates/fullstack/files/todos/src/store.c \
	templates/fullstack/files/todos/src/store.h \
	templates/fullstack/files/todos/tests/check.h \
	templates/fullstack/files/todos/tests/test_handlers.c \
	templates/fullstack/files/todos/tests/test_store.c \
	templates/fullstack/files/web/public/app.js \
	templates/fullstack/files/web/public/index.html \
	templates/fullstack/files/web/public/style.css \
	templates/fullstack/template.yml \
	templates/python-service/files/.gitignore \
	templates/python-service/files/Dockerfile \
	templates/python-service/files/Dockerfile.prod \
	templates/python-service/files/README.md \
	templates/python-service/files/handlers.py \
	templates/python-service/files/service.py \
	templates/python-service/files/service.yml \
	templates/python-service/files/tests/__init__.py \
	templates/python-service/files/tests/test_handlers.py \
	templates/python-service/template.yml \
	templates/worker/files/README.md \
	templates/worker/files/service.yml \
	templates/worker/template.yml

# An app made from the c-service and python-service templates on docker: the development
# Dockerfiles through exo run, the production ones (Dockerfile.prod) next to exo bus.
TESTS += tests/containers/templates.sh
EXTRA_DIST += tests/containers/templates.sh

# The fullstack template's service without a browser (tests/browser has the page's tests).
TESTS += tests/scaffold/fullstack.sh
EXTRA_DIST += tests/scaffold/fullstack.sh
