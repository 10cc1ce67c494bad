#!/bin/bash
# tests/plugin-sdk/abi_1_0.sh - a plugin built against the previous headers still works.
#
# A third party's backend, written and built out of tree with plain gcc against the plugin
# API exactly as released at ABI 1.0 (tests/fixtures/abi-1.0/exo, frozen), is put on
# EXO_PLUGIN_PATH. The current core must list it as ok at ABI 1.0, must not read descriptor
# members 1.0 did not have (its declared keys show as null), and must run units on it:
# `exo test` of a tiny app whose backend it is runs the test command through it.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
CC=${CC:-gcc}
PY=/usr/bin/python3
exo=${EXO_BIN:?EXO_BIN not set}
headers="${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}/tests/fixtures/abi-1.0"
built="${EXO_TOP_BUILDDIR:?EXO_TOP_BUILDDIR not set}/plugins/.libs"
[ -f "$headers/exo/plugin.h" ] || fail "no frozen headers in $headers"
grep -q '^#define EXO_PLUGIN_ABI_MINOR 0$' "$headers/exo/version.h" || fail "headers are not 1.0"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-abi10.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/plugins" "$tmp/src"
cat >"$tmp/src/abiten.c" <<'CEOF'
/* backend "abiten": runs each unit as `/bin/sh -c COMMAND` in its own process group, its
 * output through a pipe watched with the host's loop, its exit read when the pipe closes.
 * Every unit gets RAN_BY=abiten in its environment, so a test can tell who ran it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/backend.h>

typedef struct run {
    const exo_host_t *host;
} run_t;

struct exo_unit {
    run_t *run;
    pid_t pid;
    int fd, watch, timer;
    char line[4096];
    size_t len;
    void (*on_output)(void *arg, int stream, const char *line, size_t len);
    void (*on_exit)(void *arg, int status, int signal);
    void *arg;
};

static int ab_open(const exo_host_t *host, const exo_run_spec_t *spec, void **inst,
                   exo_error_t *err)
{
    run_t *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    r->host = host;
    *inst = r;
    return 0;
}

static void flush_line(exo_unit_t *u)
{
    if (u->on_output != NULL) {
        u->on_output(u->arg, EXO_STREAM_STDOUT, u->line, u->len);
    }
    u->len = 0;
}

static void on_readable(int fd, unsigned events, void *arg)
{
    exo_unit_t *u = arg;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || u->len == sizeof u->line) {
            flush_line(u);
        }
        if (buf[i] != '\n') {
            u->line[u->len++] = buf[i];
        }
    }
    if (n > 0) {
        return;
    }
    /* End of output: the command is gone or going. */
    if (u->len > 0) {
        flush_line(u);
    }
    u->run->host->unwatch(u->run->host, u->watch);
    close(u->fd);
    u->fd = -1;
    int st = 0;
    while (waitpid(u->pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (u->timer > 0) {
        u->run->host->timer_cancel(u->run->host, u->timer);
        u->timer = 0;
    }
    u->on_exit(u->arg, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
               WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static char **with_marker(const char *const *env)
{
    size_t n = 0;
    while (env != NULL && env[n] != NULL) {
        n++;
    }
    char **out = calloc(n + 2, sizeof *out);
    for (size_t i = 0; out != NULL && i < n; i++) {
        out[i] = (char *)env[i];
    }
    if (out != NULL) {
        out[n] = "RAN_BY=abiten";
    }
    return out;
}

static int ab_start(void *inst, const exo_unit_spec_t *spec, exo_unit_t **unit, exo_error_t *err)
{
    run_t *r = inst;
    if (spec->command == NULL) {
        return exo_error_set(err, EXO_ERR_INVALID, "%s has no command", spec->name);
    }
    int p[2];
    char **env = with_marker(spec->env);
    if (env == NULL || pipe(p) < 0) {
        free(env);
        return exo_error_set(err, EXO_ERR_IO, "pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        if (spec->dir != NULL && chdir(spec->dir) < 0) {
            _exit(126);
        }
        execle("/bin/sh", "sh", "-c", spec->command, (char *)NULL, env);
        _exit(127);
    }
    free(env);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return exo_error_set(err, EXO_ERR_IO, "fork: %s", strerror(errno));
    }
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    exo_unit_t *u = calloc(1, sizeof *u);
    u->run = r;
    u->pid = pid;
    u->fd = p[0];
    u->on_output = spec->on_output;
    u->on_exit = spec->on_exit;
    u->arg = spec->arg;
    u->watch = r->host->watch_fd(r->host, u->fd, EXO_EV_READ, on_readable, u);
    exo_log_debug(r->host, "started %s as pid %d", spec->name, (int)pid);
    *unit = u;
    return 0;
}

static void kill_now(void *arg)
{
    exo_unit_t *u = arg;
    u->timer = 0;
    kill(-u->pid, SIGKILL);
}

static int ab_stop(void *inst, exo_unit_t *u, unsigned grace_ms, exo_error_t *err)
{
    kill(-u->pid, SIGTERM);
    if (u->timer == 0) {
        u->timer = u->run->host->timer_add(u->run->host, grace_ms, false, kill_now, u);
    }
    return 0;
}

static int ab_kill(void *inst, exo_unit_t *u, exo_error_t *err)
{
    kill(-u->pid, SIGKILL);
    return 0;
}

static void ab_release(void *inst, exo_unit_t *u)
{
    if (u->timer > 0) {
        u->run->host->timer_cancel(u->run->host, u->timer);
    }
    free(u);
}

static const char *ab_unit_host(void *inst, const char *name)
{
    return "127.0.0.1";
}

static const char *ab_host_address(void *inst)
{
    return "127.0.0.1";
}

static void ab_close(void *inst)
{
    free(inst);
}

static int ab_cleanup(const exo_host_t *host, const char *app, const char *state_dir,
                      exo_error_t *err)
{
    return 0;
}

static const exo_backend_ops_t ops = {
    .size = sizeof ops, .open = ab_open, .start = ab_start, .stop = ab_stop, .kill = ab_kill,
    .release = ab_release, .unit_host = ab_unit_host, .host_address = ab_host_address,
    .close = ab_close, .cleanup = ab_cleanup,
};

EXO_BACKEND_PLUGIN("abiten", "0.1.0", "built out of tree against ABI 1.0", EXO_CAP_NONE, NULL,
                   NULL, &ops)
CEOF
# shellcheck disable=SC2046
$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Werror -fPIC -shared \
    -fvisibility=hidden -I"$headers" $(pkg-config --cflags jansson) \
    -o "$tmp/plugins/backend_abiten.so" "$tmp/src/abiten.c" \
    || fail "building the plugin against the 1.0 headers"
export EXO_PLUGIN_PATH="$tmp/plugins:$built"

# Listed as a working plugin of ABI 1.0, with no declared keys read from it.
"$exo" plugins >"$tmp/list.txt" 2>"$tmp/err.txt" || fail "exo plugins: $(cat "$tmp/err.txt")"
grep -q "^abiten  *backend  *0.1.0  *1.0  *ok  *$tmp/plugins/backend_abiten.so" "$tmp/list.txt" \
    || fail "abiten not listed ok at ABI 1.0: $(cat "$tmp/list.txt")"
"$exo" plugins --json >"$tmp/list.json" 2>"$tmp/err.txt" || fail "exo plugins --json"
"$PY" - "$tmp/list.json" <<'PYEOF' || fail "abiten in --json"
import json, sys
p = [p for p in json.load(open(sys.argv[1])) if p["name"] == "abiten"]
assert len(p) == 1, p
p = p[0]
assert (p["abi"], p["status"], p["config"], p["config_section"]) == ("1.0", "ok", None, None), p
PYEOF

# An app that runs on it: exo check accepts it, exo test runs the test command through it.
app="$tmp/app"
mkdir -p "$app/web"
printf 'name: abi10\nbackend: abiten\nservices:\n  web:\n    location: web\n' \
    >"$app/application.yml"
cat >"$app/web/service.yml" <<'EOF'
startup:
  command: sleep 30
test: echo "test ran by $RAN_BY in $(basename "$PWD")" && echo done >ran.txt
EOF
(cd "$app" && "$exo" check) >"$tmp/out.txt" 2>&1 || fail "exo check: $(cat "$tmp/out.txt")"
(cd "$app" && timeout 60 "$exo" test web) >"$tmp/out.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "exo test on the 1.0 backend exited $rc: $(cat "$tmp/out.txt")"
grep -q "test ran by abiten in web" "$tmp/out.txt" || fail "test output: $(cat "$tmp/out.txt")"
[ -f "$app/web/ran.txt" ] || fail "the test command did not run in the service directory"
# A failing test is reported as such through the same backend.
sed -i 's/^test: .*/test: echo "failing on $RAN_BY"; exit 3/' "$app/web/service.yml"
(cd "$app" && timeout 60 "$exo" test web) >"$tmp/out.txt" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "a failing test on the 1.0 backend exited $rc: $(cat "$tmp/out.txt")"
grep -q "failing on abiten" "$tmp/out.txt" || fail "failing test output: $(cat "$tmp/out.txt")"
echo "abi_1_0.sh: a plugin built against the ABI 1.0 headers loads and runs units"
