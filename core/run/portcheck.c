/* core/run/portcheck.c - is a TCP port free to listen on? See portcheck.h. */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portcheck.h"
#include "base/util.h"

/* The inode of a socket listening on @p port in /proc/net/tcp or tcp6, 0 when none. */
static unsigned long listener_inode(const char *table, unsigned port)
{
    FILE *f = fopen(table, "r");
    if (f == NULL) {
        return 0;
    }
    char line[512];
    unsigned long found = 0;
    while (found == 0 && fgets(line, sizeof line, f) != NULL) {
        char local[64];
        unsigned st;
        unsigned long inode;
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
        if (sscanf(line, " %*s %63s %*s %x %*s %*s %*s %*s %*s %lu", local, &st, &inode) != 3) {
            continue; /* the header */
        }
        const char *colon = strrchr(local, ':');
        if (st == 0x0A /* LISTEN */ && colon != NULL &&
            strtoul(colon + 1, NULL, 16) == port) {
            found = inode;
        }
    }
    fclose(f);
    return found;
}

/* "NAME (pid N)" of a process holding socket @p inode, when /proc lets us see it. */
static char *socket_holder(unsigned long inode)
{
    char want[64];
    snprintf(want, sizeof want, "socket:[%lu]", inode);
    DIR *proc = opendir("/proc");
    char *who = NULL;
    for (struct dirent *p; who == NULL && proc != NULL && (p = readdir(proc)) != NULL;) {
        if (strspn(p->d_name, "0123456789") != strlen(p->d_name)) {
            continue;
        }
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
        DIR *fds = opendir(path);
        for (struct dirent *fd; who == NULL && fds != NULL && (fd = readdir(fds)) != NULL;) {
            char link[300], target[64];
            snprintf(link, sizeof link, "/proc/%s/fd/%s", p->d_name, fd->d_name);
            ssize_t n = readlink(link, target, sizeof target - 1);
            if (n > 0 && (target[n] = '\0', strcmp(target, want) == 0)) {
                snprintf(path, sizeof path, "/proc/%s/comm", p->d_name);
                char *comm = exo_read_file(path, NULL);
                if (comm != NULL) {
                    comm[strcspn(comm, "\n")] = '\0';
                }
                who = exo_strdupf("%s (pid %s)", comm != NULL ? comm : "?", p->d_name);
                free(comm);
            }
        }
        if (fds != NULL) {
            closedir(fds);
        }
    }
    if (proc != NULL) {
        closedir(proc);
    }
    return who;
}

static int in_use(const char *address, unsigned port, exo_error_t *err)
{
    unsigned long inode = listener_inode("/proc/net/tcp", port);
    if (inode == 0) {
        inode = listener_inode("/proc/net/tcp6", port);
    }
    char *who = inode != 0 ? socket_holder(inode) : NULL;
    int rc;
    if (who != NULL) {
        rc = exo_error_set(err, EXO_ERR_EXISTS, "port %u on %s is in use by %s; stop it, or "
                           "pin another port", port, address, who);
    } else {
        rc = exo_error_set(err, EXO_ERR_EXISTS, "port %u on %s is in use (try `ss -ltnp "
                           "'sport = :%u'` to see by what); stop it, or pin another port",
                           port, address, port);
    }
    free(who);
    return rc;
}

int exo_portcheck_listen(const char *address, unsigned port, exo_error_t *err)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, address, &sa.sin_addr) != 1) {
        return exo_error_set(err, EXO_ERR_INVALID, "'%s' is not an IPv4 address", address);
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return exo_error_set(err, EXO_ERR_IO, "socket: %s", strerror(errno));
    }
    /* As a server does: a closed server's connections in TIME_WAIT do not count. */
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = EXO_OK;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
        int e = errno;
        if (e == EADDRINUSE) {
            rc = in_use(address, port, err);
        } else if (e == EACCES) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "port %u needs privileges to listen "
                               "on (ports below 1024 do); pin a port from 1024 up", port);
        } else if (e == EADDRNOTAVAIL) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "%s is not an address of this machine; "
                               "bind 127.0.0.1, 0.0.0.0 or one of its interfaces' addresses",
                               address);
        } else {
            rc = exo_error_set(err, EXO_ERR_IO, "cannot listen on %s:%u: %s", address, port,
                               strerror(e));
        }
    }
    close(fd);
    return rc;
}
