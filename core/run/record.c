/* core/run/record.c - .exo/run.json. See runstate.h. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "model/statedir.h"
#include "record.h"

unsigned long long exo_record_proc_start(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    char *s = exo_read_file(path, NULL);
    if (s == NULL) {
        return 0;
    }
    unsigned long long start = 0;
    char *p = strrchr(s, ')');
    if (p != NULL) {
        p += 2;
        int field = 3;
        char *save = NULL;
        for (char *t = strtok_r(p, " ", &save); t; t = strtok_r(NULL, " ", &save), field++) {
            if (field == 22) {
                start = strtoull(t, NULL, 10);
                break;
            }
        }
    }
    free(s);
    return start;
}

int exo_record_write(const char *exo_dir, const char *run_id, const char *command,
                       const exo_strv_t *backends)
{
    if (exo_statedir_mkdir(exo_dir) < 0) {
        return -1;
    }
    json_t *be = json_array();
    for (size_t i = 0; i < backends->n; i++) {
        json_array_append_new(be, json_string(backends->v[i]));
    }
    json_t *j = json_pack("{s:i, s:I, s:s, s:s, s:o}", "pid", (int)getpid(), "start",
                          (json_int_t)exo_record_proc_start(getpid()), "run_id", run_id,
                          "command", command, "backends", be);
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    char *path = exo_statedir_run_record(exo_dir);
    int rc = exo_write_file_mode(path, text, strlen(text), EXO_STATEDIR_FILE_MODE);
    free(path);
    free(text);
    return rc;
}

bool exo_record_read(const char *exo_dir, exo_record_t *rs)
{
    memset(rs, 0, sizeof *rs);
    char *path = exo_statedir_run_record(exo_dir);
    json_t *j = json_load_file(path, 0, NULL);
    free(path);
    if (j == NULL) {
        return false;
    }
    rs->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
    rs->start = (unsigned long long)json_integer_value(json_object_get(j, "start"));
    const char *id = json_string_value(json_object_get(j, "run_id"));
    const char *cmd = json_string_value(json_object_get(j, "command"));
    rs->run_id = exo_xstrdup(id ? id : "");
    rs->command = exo_xstrdup(cmd ? cmd : "run");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "backends"), i, v) {
        if (json_is_string(v)) {
            exo_strv_push(&rs->backends, json_string_value(v));
        }
    }
    json_decref(j);
    return rs->pid > 0;
}

bool exo_record_alive(const exo_record_t *rs)
{
    return rs->pid > 0 && rs->start != 0 && exo_record_proc_start(rs->pid) == rs->start;
}

int exo_record_set_endpoints(const char *exo_dir, json_t *endpoints)
{
    return exo_record_set(exo_dir, "endpoints", endpoints);
}

json_t *exo_record_get(const char *exo_dir, const char *key)
{
    char *path = exo_statedir_run_record(exo_dir);
    json_t *j = json_load_file(path, 0, NULL);
    free(path);
    json_t *v = json_incref(json_object_get(j, key));
    json_decref(j);
    return v;
}

int exo_record_set(const char *exo_dir, const char *key, json_t *endpoints)
{
    char *path = exo_statedir_run_record(exo_dir);
    json_t *j = json_load_file(path, 0, NULL);
    int rc = -1;
    if (json_is_object(j)) {
        json_object_set(j, key, endpoints);
        char *text = json_dumps(j, JSON_INDENT(2));
        rc = exo_write_file_mode(path, text, strlen(text), EXO_STATEDIR_FILE_MODE);
        free(text);
    }
    json_decref(j);
    json_decref(endpoints);
    free(path);
    return rc;
}

void exo_record_remove(const char *exo_dir)
{
    char *path = exo_statedir_run_record(exo_dir);
    unlink(path);
    free(path);
}

void exo_record_free(exo_record_t *rs)
{
    free(rs->run_id);
    free(rs->command);
    exo_strv_free(&rs->backends);
    memset(rs, 0, sizeof *rs);
}

char *exo_record_new_id(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long v = ((unsigned long long)ts.tv_sec << 20) ^
                           ((unsigned long long)ts.tv_nsec >> 10) ^
                           ((unsigned long long)getpid() << 40);
    return exo_strdupf("%012llx", v & 0xffffffffffffull);
}
