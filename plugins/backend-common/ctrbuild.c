/* plugins/backend-common/ctrbuild.c - see ctrbuild.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#include "ctrbuild.h"
#include "ctrsettings.h"

void ctr_build_open(ctr_build_t *b, const ctr_run_t *run, const exo_unit_spec_t *spec)
{
    memset(b, 0, sizeof *b);
    b->spec = spec;
    b->log_path = exo_strdupf("%s/build-%s.log", run->log_dir, spec->name);
    b->log = fopen(b->log_path, "w");
}

void ctr_build_line(void *arg, int stream, const char *line, size_t len)
{
    ctr_build_t *b = arg;
    if (len >= 5 && (strncmp(line, "Step ", 5) == 0 || strncmp(line, "STEP ", 5) == 0)) {
        snprintf(b->step, sizeof b->step, "%.*s", (int)len, line);
    }
    if (b->log) {
        fprintf(b->log, "%.*s\n", (int)len, line);
    }
    if (b->spec->on_output) {
        b->spec->on_output(b->spec->arg, stream, line, len);
    }
}

void ctr_build_error(ctr_build_t *b, const char *msg, size_t len)
{
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r')) {
        len--;
    }
    snprintf(b->error, sizeof b->error, "%.*s", (int)len, msg);
}

int ctr_build_failed(const ctr_build_t *b, const char *fallback, exo_error_t *err)
{
    return exo_error_set(err, EXO_ERR_IO,
                         "service %s: image build failed at %s: %s (full log: %s)",
                         b->spec->name, b->step[0] ? b->step : "the start",
                         b->error[0] ? b->error : fallback, b->log_path);
}

void ctr_build_close(ctr_build_t *b)
{
    if (b->log) {
        fclose(b->log);
        b->log = NULL;
    }
    free(b->log_path);
    b->log_path = NULL;
}

const char *ctr_build_tag(const exo_unit_spec_t *spec)
{
    return EXO_HAS(spec, exo_unit_spec_t, build_tag) ? spec->build_tag : NULL;
}

char *ctr_built_image(const ctr_run_t *run, const exo_unit_spec_t *spec)
{
    const char *tag = ctr_build_tag(spec);
    return tag != NULL ? exo_xstrdup(tag) : ctr_image_tag(run, spec->name);
}

int ctr_prepare(const char *engine, const ctr_image_ops_t *ops, void *inst,
                const exo_unit_spec_t *spec, exo_error_t *err)
{
    ctr_settings_t set;
    int rc = ctr_settings_read(engine, spec, &set, err);
    if (rc < 0) {
        return rc;
    }
    const char *tag = ctr_build_tag(spec);
    if (set.image != NULL) {
        if (tag != NULL) {
            return exo_error_set(err, EXO_ERR_EXISTS, "service %s runs the image %s: nothing "
                                 "to build", spec->name, set.image);
        }
        return ops->check(spec->name, set.image, err);
    }
    const char *dockerfile = set.dockerfile;
    if (tag != NULL) {
        /* exo build: the production Dockerfile when the service has one. */
        char *prod = exo_path_join(spec->dir, set.dockerfile_prod);
        dockerfile = exo_path_is_file(prod) ? set.dockerfile_prod : set.dockerfile;
        free(prod);
    }
    char *dfpath = ctr_dockerfile_path(spec, dockerfile, err);
    if (dfpath == NULL) {
        return EXO_ERR_NOTFOUND;
    }
    rc = ops->build(inst, spec, dockerfile, dfpath, err);
    free(dfpath);
    return rc;
}
