/* plugins/resource-common/helper.c - running helper programs; see helper.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "helper.h"

/* In the child: become @p cred; false when the kernel refused. */
static bool become(const res_cred_t *cred)
{
    return cred == NULL || !cred->drop ||
           (setgroups(1, &cred->gid) == 0 && setgid(cred->gid) == 0 && setuid(cred->uid) == 0);
}

static int wait_status(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void exec_child(char *const argv[], const res_cred_t *cred, int out)
{
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, 0);
    }
    dup2(out, 1);
    dup2(out, 2);
    if (!become(cred)) {
        dprintf(2, "cannot switch to uid %u: %s\n", (unsigned)cred->uid, strerror(errno));
        _exit(126);
    }
    execv(argv[0], argv);
    dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int res_helper_run(char *const argv[], const res_cred_t *cred, char **output)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(out[0]);
        close(out[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        exec_child(argv, cred, out[1]);
    }
    close(out[1]);
    exo_buf_t buf = {0};
    exo_buf_puts(&buf, "");
    char chunk[4096];
    for (;;) {
        ssize_t n = read(out[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        exo_buf_append(&buf, chunk, (size_t)n);
    }
    close(out[0]);
    int status = wait_status(pid);
    if (status >= 0 && output != NULL) {
        *output = buf.data;
    } else {
        exo_buf_free(&buf);
    }
    return status;
}

bool res_helper_can_use_dir(const res_cred_t *cred, const char *dir)
{
    if (cred == NULL || !cred->drop) {
        return access(dir, W_OK | X_OK) == 0;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        if (!become(cred)) {
            _exit(2);
        }
        _exit(access(dir, W_OK | X_OK) == 0 ? 0 : 1);
    }
    return wait_status(pid) == 0;
}
