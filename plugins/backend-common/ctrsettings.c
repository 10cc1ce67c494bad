/* plugins/backend-common/ctrsettings.c - see ctrsettings.h. */
#include "config.h"

#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ctrsettings.h"

const exo_config_key_t ctr_config_keys[] = {
    {"image", EXO_CONFIG_STRING, NULL,
     "run this image (already on the engine) instead of building one", 0},
    {"dockerfile", EXO_CONFIG_STRING, "Dockerfile",
     "the Dockerfile the image is built from, in the service directory", 0},
    {"dockerfile-prod", EXO_CONFIG_STRING, "Dockerfile.prod",
     "the Dockerfile of the production image, read by `exo build`", 0},
    {"cpus", EXO_CONFIG_NUMBER, NULL,
     "CPU limit: a number of CPUs from 0.01 to this machine's count (docker --cpus)", 0},
    {"memory", EXO_CONFIG_SIZE, NULL,
     "memory limit: at least 6MiB, in bytes or with a unit (B, KiB, MiB, GiB)", 0},
    {NULL, 0, NULL, NULL, 0},
};

bool ctr_parse_memory(const json_t *v, unsigned long long *out)
{
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) {
            return false;
        }
        *out = (unsigned long long)json_integer_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (s == NULL || *s < '0' || *s > '9') {
        return false;
    }
    char *end = NULL;
    double n = strtod(s, &end);
    while (*end == ' ') {
        end++;
    }
    static const struct { const char *unit; double mul; } units[] = {
        {"", 1},          {"b", 1},          {"k", 1024.0},     {"kb", 1024.0},
        {"kib", 1024.0},  {"m", 1048576.0},  {"mb", 1048576.0}, {"mib", 1048576.0},
        {"g", 1073741824.0}, {"gb", 1073741824.0}, {"gib", 1073741824.0},
    };
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double bytes = n * units[i].mul;
            if (!(bytes >= 0 && bytes < 1.8e19)) {
                return false;
            }
            *out = (unsigned long long)(bytes + 0.5);
            return true;
        }
    }
    return false;
}

/* A string setting: absent is fine, anything but a non-empty string is an error. */
static int read_string(const char *engine, const char *unit, const json_t *opts,
                       const char *key, const char **out, exo_error_t *err)
{
    const json_t *v = json_object_get(opts, key);
    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0') {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "%s: services.%s.options.%s must be a non-empty string", engine,
                             unit, key);
    }
    *out = s;
    return 0;
}

static int read_limits(const char *engine, const char *unit, const json_t *opts,
                       ctr_settings_t *out, exo_error_t *err)
{
    const json_t *v = json_object_get(opts, "cpus");
    if (v != NULL) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        double c = json_is_number(v) ? json_number_value(v) : -1;
        if (!(c >= 0.01 && c <= (double)(ncpu > 0 ? ncpu : 1))) {
            return exo_error_set(err, EXO_ERR_INVALID,
                                 "%s: services.%s.options.cpus must be a number from 0.01 "
                                 "to %ld (the CPUs of this machine), e.g. `cpus: 0.5`",
                                 engine, unit, ncpu > 0 ? ncpu : 1);
        }
        out->cpus = c;
    }
    v = json_object_get(opts, "memory");
    if (v != NULL && (!ctr_parse_memory(v, &out->memory) || out->memory < CTR_MIN_MEMORY)) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "%s: services.%s.options.memory must be a size of at least 6MiB, "
                             "in bytes or with a unit (B, KiB, MiB, GiB), e.g. "
                             "`memory: 512MiB`", engine, unit);
    }
    return 0;
}

int ctr_settings_read(const char *engine, const exo_unit_spec_t *spec, ctr_settings_t *out,
                      exo_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->image = spec->image;
    out->dockerfile = spec->dockerfile ? spec->dockerfile : "Dockerfile";
    out->dockerfile_prod = "Dockerfile.prod";
    const json_t *opts = spec->options;
    if (opts == NULL || json_is_null(opts)) {
        return 0;
    }
    if (!json_is_object(opts)) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "%s: services.%s.options must be a map (keys: image, dockerfile, "
                             "cpus, memory)", engine, spec->name);
    }
    int rc = read_string(engine, spec->name, opts, "image", &out->image, err);
    if (rc == 0) {
        rc = read_string(engine, spec->name, opts, "dockerfile", &out->dockerfile, err);
    }
    if (rc == 0) {
        rc = read_string(engine, spec->name, opts, "dockerfile-prod", &out->dockerfile_prod,
                         err);
    }
    if (rc == 0) {
        rc = read_limits(engine, spec->name, opts, out, err);
    }
    return rc;
}
