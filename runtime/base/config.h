/* Config tables: apply a JSON object to a C struct, with defaults, ranges and errors that name
 * the JSON path. Durations ("5s") and sizes ("64MiB") are read with units.h, included here so
 * that callers of the config types have both. */
#ifndef SLUICE_RUNTIME_BASE_CONFIG_H
#define SLUICE_RUNTIME_BASE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/errors.h"
#include "runtime/base/units.h"

/* The C type each config type is stored as, at `offset` in the struct. */
typedef enum rt_cfg_type {
    RT_CFG_BOOL,     /* bool */
    RT_CFG_INT,      /* int64_t; JSON integer */
    RT_CFG_DOUBLE,   /* double; JSON number */
    RT_CFG_STRING,   /* char * (owned, freed by rt_config_free; NULL when absent and no default) */
    RT_CFG_ENUM,     /* int: index into `choices`; JSON string equal to one choice */
    RT_CFG_DURATION, /* int64_t milliseconds; JSON "5s" / "250ms" / "1m30s", or an integer (ms) */
    RT_CFG_SIZE,     /* uint64_t bytes; JSON "64MiB" / "512KB" / "1GiB", or an integer (bytes) */
    RT_CFG_JSON,     /* char * (owned): compact JSON text of any value; NULL when absent */
    RT_CFG_STRLIST,  /* rt_strlist; JSON array of strings, or a single string (one item) */
} rt_cfg_type;

/* Storage of RT_CFG_STRLIST. Owned by the struct it lives in. */
typedef struct rt_strlist {
    char **items;
    size_t count;
} rt_strlist;

enum rt_cfg_flags {
    RT_CFG_REQUIRED = 1u << 0, /* absent is an error */
    RT_CFG_SECRET = 1u << 1,   /* printed as "***" by rt_config_format */
    RT_CFG_RANGE = 1u << 2,    /* INT, DURATION (ms), SIZE (bytes): min <= value <= max */
};

/* One row of a config table. Tables are static arrays ended by a row with key == NULL. */
typedef struct rt_config_field {
    const char *key;
    rt_cfg_type type;
    const char *def; /* the default as JSON text ("5", "\"5s\"", "true"); NULL: zero / NULL */
    size_t offset;   /* offsetof(struct, member) */
    unsigned flags;
    int64_t min, max; /* with RT_CFG_RANGE; for SIZE compared as uint64_t */
    const char *const *choices; /* RT_CFG_ENUM: NULL-terminated names */
    const char *help;
} rt_config_field;

/* Sets every field of obj from the JSON object json_text (NULL or "" means {}), applying defaults
 * to the absent ones. `path` is the JSON path of the object for messages ("$.operators[1].config");
 * errors read `$.operators[1].config.rows: expected an integer ≥ 0, got "ten"`.
 * Rejects unknown keys, wrong types, out-of-range values, unknown enum names and missing required
 * keys, with RT_EINVAL. obj must be zeroed before the first apply. On failure obj may hold some
 * applied fields: call rt_config_free() either way. */
int rt_config_apply(const rt_config_field *table, void *obj, const char *json_text,
                    const char *path, rt_err *err);
/* Frees the owned members (STRING, JSON, STRLIST) and zeroes them. */
void rt_config_free(const rt_config_field *table, void *obj);
/* Returns the effective config as compact JSON text (durations and sizes in their text form,
 * secrets as "***"). Caller frees with free(). */
char *rt_config_format(const rt_config_field *table, const void *obj);
/* Finds a row by key; NULL if none. */
const rt_config_field *rt_config_find(const rt_config_field *table, const char *key);

#endif
