# tests/browser/: real Chromium (Debian's), headless, driven by playwright-core from npm
# (pinned in package-lock.json; tests/browser/setup.sh runs `npm ci`). Screenshots go to
# tests/browser/artifacts/ of the build tree.
TESTS += tests/browser/harness.sh tests/browser/fullstack.sh tests/browser/fullstack-docker.sh
# exo run's dashboard (docs/dashboard.md) on examples/todo
TESTS += tests/browser/dashboard.sh tests/browser/dashboard-docker.sh
EXTRA_DIST += \
	tests/browser/app-lib.sh \
	tests/browser/dashboard-docker.sh \
	tests/browser/dashboard-lib.sh \
	tests/browser/dashboard.mjs \
	tests/browser/dashboard.sh \
	tests/browser/fullstack-docker.sh \
	tests/browser/fullstack.mjs \
	tests/browser/fullstack.sh \
	tests/browser/harness.mjs \
	tests/browser/harness.sh \
	tests/browser/lib.mjs \
	tests/browser/package-lock.json \
	tests/browser/package.json \
	tests/browser/setup.sh \
	tests/browser/fixtures/static/greeting.js \
	tests/browser/fixtures/static/index.html

# What tests/browser/setup.sh puts into the build tree: the npm install and its log, the
# screenshots, and (in a build tree apart from the sources) its copies of the sources.
clean-local: exo-clean-browser
exo-clean-browser:
	-rm -rf tests/browser/node_modules tests/browser/artifacts tests/browser/npm-ci.log \
	  tests/browser/.npm-ci.lock
	-if test "$(abs_srcdir)" != "$(abs_builddir)"; then \
	  rm -f tests/browser/package.json tests/browser/package-lock.json tests/browser/*.mjs; \
	fi
.PHONY: exo-clean-browser
