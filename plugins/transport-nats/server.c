/* server.c - a local nats-server as a child process; see server.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"
#include "server.h"

#define START_TIMEOUT_MS 10000u
#define STOP_TIMEOUT_MS 2000u

struct exo_nserver {
    pid_t pid;
    char *dir, *conf, *log, *ports, *url;
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The child: its own process group, dies with exo, output to the log, exec the server. */
static void exec_server(const char *bin, const exo_nserver_t *s)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null = open("/dev/null", O_RDONLY);
    if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
        _exit(126);
    }
    execl(bin, "nats-server", "-c", s->conf, "--ports_file_dir", s->dir, (char *)NULL);
    fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
    _exit(127);
}

/* The last non-empty line of the server's log, for an error message. */
static char *last_log_line(const exo_nserver_t *s)
{
    char *text = exo_read_file(s->log, NULL);
    if (text == NULL) {
        return exo_xstrdup("(no log)");
    }
    exo_rtrim(text);
    char *nl = strrchr(text, '\n');
    char *line = exo_xstrdup(nl != NULL ? nl + 1 : text);
    free(text);
    return line;
}

/* The client URL from the ports file, once the server wrote it. */
static char *read_url(const exo_nserver_t *s)
{
    json_t *ports = json_load_file(s->ports, 0, NULL);
    const char *url = json_string_value(json_array_get(json_object_get(ports, "nats"), 0));
    char *copy = url != NULL ? exo_xstrdup(url) : NULL;
    json_decref(ports);
    return copy;
}

static int wait_listening(exo_nserver_t *s, exo_error_t *err)
{
    unsigned long long deadline = exo_now_ms() + START_TIMEOUT_MS;
    while ((s->url = read_url(s)) == NULL) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = -1;
            char *line = last_log_line(s);
            exo_error_set(err, EXO_ERR_UNAVAILABLE, "nats-server exited at start: %s (log: %s)",
                          line, s->log);
            free(line);
            return -1;
        }
        if (exo_now_ms() > deadline) {
            return exo_error_set(err, EXO_ERR_TIMEOUT, "nats-server did not listen within "
                                 "%u s (log: %s)", START_TIMEOUT_MS / 1000, s->log);
        }
        sleep_ms(10);
    }
    return 0;
}

static int write_conf(const exo_nserver_t *s, const char *config, exo_error_t *err)
{
    if (exo_write_file_mode(s->conf, config, strlen(config), 0600) != 0) {
        return exo_error_set(err, EXO_ERR_IO, "cannot write %s: %s", s->conf, strerror(errno));
    }
    return 0;
}

exo_nserver_t *exo_nserver_start(const char *dir, const char *config, exo_error_t *err)
{
    const char *given = getenv("EXO_NATS_SERVER");
    char *bin = given != NULL && given[0] != '\0' ? exo_xstrdup(given) : exo_which("nats-server");
    if (bin == NULL) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE, "nats-server not found on PATH: install it "
                      "(Debian: apt-get install nats-server) or set EXO_NATS_SERVER");
        return NULL;
    }
    exo_nserver_t *s = exo_xcalloc(1, sizeof *s);
    s->dir = exo_xstrdup(dir);
    s->conf = exo_path_join(dir, "server.conf");
    s->log = exo_path_join(dir, "server.log");
    s->pid = -1;
    if (exo_mkdir_p(dir, 0700) != 0) {
        exo_error_set(err, EXO_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    } else if (write_conf(s, config, err) == 0) {
        s->pid = fork();
        if (s->pid == 0) {
            exec_server(bin, s);
        }
        if (s->pid < 0) {
            exo_error_set(err, EXO_ERR_IO, "fork: %s", strerror(errno));
        } else {
            s->ports = exo_strdupf("%s/nats-server_%ld.ports", dir, (long)s->pid);
            if (wait_listening(s, err) == 0) {
                free(bin);
                return s;
            }
        }
    }
    free(bin);
    exo_nserver_stop(s);
    return NULL;
}

const char *exo_nserver_url(const exo_nserver_t *s)
{
    return s->url;
}

pid_t exo_nserver_pid(const exo_nserver_t *s)
{
    return s->pid;
}

int exo_nserver_reload(exo_nserver_t *s, const char *config, exo_error_t *err)
{
    if (write_conf(s, config, err) != 0) {
        return -1;
    }
    if (s->pid <= 0 || kill(s->pid, SIGHUP) != 0) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "nats-server is not running (log: %s)",
                             s->log);
    }
    return 0;
}

void exo_nserver_stop(exo_nserver_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        unsigned long long deadline = exo_now_ms() + STOP_TIMEOUT_MS;
        while (waitpid(s->pid, NULL, WNOHANG) == 0) {
            if (exo_now_ms() > deadline) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, NULL, 0);
                break;
            }
            sleep_ms(10);
        }
    }
    if (s->ports != NULL) {
        unlink(s->ports);
    }
    free(s->dir);
    free(s->conf);
    free(s->log);
    free(s->ports);
    free(s->url);
    free(s);
}
