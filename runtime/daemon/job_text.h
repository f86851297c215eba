/* The submitted job text as the daemon handles it: the top-level "savepoint" key split off before
 * the graph is parsed, and the copy every view shows, with secrets masked. */
#ifndef SLUICE_RUNTIME_DAEMON_JOB_TEXT_H
#define SLUICE_RUNTIME_DAEMON_JOB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"

/* Splits body (a JSON object) into the job graph text without a top-level "savepoint" key
 * (*graph_text, malloc'd) and that key's string value (*savepoint, malloc'd, or NULL when absent).
 * RT_EINVAL for text that is not a JSON object ("$: ..." with line and column) or a savepoint that
 * is not a non-empty string ("$.savepoint: ..."). */
int rt_job_text_split(const char *body, size_t len, char **graph_text, char **savepoint,
                      rt_err *err);

/* True for a config key whose value is a secret wherever it appears: password, token, secret
 * (case-insensitive), also after a '_' or '-' ending a longer key ("db_password"). References such
 * as "password_env" name a variable, not the secret: they are shown. */
bool rt_job_text_is_secret_key(const char *key);

/* A copy of the JSON text with the value of every secret key, at any depth, replaced by "***"
 * (*out malloc'd, compact JSON). RT_EINVAL for text that is not JSON. */
int rt_job_text_mask(const char *text, size_t len, char **out, rt_err *err);

#endif
