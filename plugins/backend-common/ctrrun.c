/* plugins/backend-common/ctrrun.c - see ctrrun.h. */
#include "config.h"

#include <stdlib.h>

#include "base/util.h"

#include "ctrrun.h"

char *ctr_sanitize(const char *s)
{
    exo_buf_t b = {0};
    for (; s && *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
            exo_buf_append(&b, &c, 1);
        } else if (c == '_' || c == '.' || c == ' ') {
            exo_buf_append(&b, "-", 1);
        }
    }
    if (b.len == 0) {
        exo_buf_puts(&b, "app");
    }
    return b.data;
}

void ctr_run_init(ctr_run_t *r, const exo_host_t *host, const exo_run_spec_t *run)
{
    r->app = ctr_sanitize(run->app);
    r->app_raw = exo_xstrdup(run->app);
    r->run_id = exo_xstrdup(run->run_id);
    char *rid = ctr_sanitize(run->run_id);
    r->network = exo_strdupf("exo-%s-%s", r->app, rid);
    free(rid);
    const char *sd = host->state_dir ? host->state_dir(host) : NULL;
    r->log_dir = exo_xstrdup(sd ? sd : (run->state_dir ? run->state_dir : "."));
}

void ctr_run_free(ctr_run_t *r)
{
    free(r->app);
    free(r->app_raw);
    free(r->run_id);
    free(r->network);
    free(r->gateway);
    free(r->log_dir);
}

char *ctr_image_tag(const ctr_run_t *r, const char *unit)
{
    char *u = ctr_sanitize(unit);
    char *t = exo_strdupf("exo-%s-%s:latest", r->app, u);
    free(u);
    return t;
}

int ctr_unit_image(const ctr_run_t *r, const char *engine, const exo_unit_spec_t *spec,
                   ctr_settings_t *set, char **image, exo_error_t *err)
{
    int rc = ctr_settings_read(engine, spec, set, err);
    if (rc == 0) {
        *image = set->image ? exo_xstrdup(set->image) : ctr_image_tag(r, spec->name);
    }
    return rc;
}

char *ctr_container_name(ctr_run_t *r, const char *unit)
{
    char *uname = ctr_sanitize(unit), *rid = ctr_sanitize(r->run_id);
    char *cname = exo_strdupf("exo-%s-%s-%s-%u", r->app, rid, uname, ++r->starts);
    free(uname);
    free(rid);
    return cname;
}

const char *ctr_unit_host(void *inst, const char *name)
{
    return name;
}

const char *ctr_host_address(void *inst)
{
    return ((ctr_run_t *)inst)->gateway;
}

const char *ctr_host_bind_address(void *inst)
{
    const char *gw = ((ctr_run_t *)inst)->gateway;
    return gw != NULL && gw[0] != '\0' ? gw : NULL;
}

char *ctr_dockerfile_path(const exo_unit_spec_t *spec, const char *dockerfile,
                          exo_error_t *err)
{
    char *dfpath = exo_path_join(spec->dir, dockerfile);
    if (!exo_path_is_file(dfpath)) {
        exo_error_set(err, EXO_ERR_NOTFOUND,
                      "service %s: no %s to build its image from (%s); add one or name an "
                      "`image` in its service.yml", spec->name, dockerfile, dfpath);
        free(dfpath);
        return NULL;
    }
    return dfpath;
}
