# tests/browser/: real Chromium (Debian's), headless, driven by playwright-core from npm
# (pinned in package-lock.json; tests/browser/setup.sh runs `npm ci`). Screenshots go to
# tests/browser/artifacts/ of the build tree.
TESTS += tests/browser/harness.sh tests/browser/fullstack.sh tests/browser/fullstack-docker.sh
EXTRA_DIST += \
	tests/browser/app-lib.sh \
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
