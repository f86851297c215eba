/* sr_http_load: the Stream Load body parser of sr-endpoint's BE port: load headers (notes §1.2)
 * into options, and a JSON or CSV body into a batch of rows converted and filtered like
 * StarRocks' loaders (notes §3, §7). */
#ifndef SLUICE_TESTS_SR_ENDPOINT_SR_HTTP_LOAD_H
#define SLUICE_TESTS_SR_ENDPOINT_SR_HTTP_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "tests/sr_endpoint/sr_store.h"

typedef struct sr_http_load_opts sr_http_load_opts;

/* Returns the value of a request header (case-insensitive name) or NULL. */
typedef const char *(*sr_http_header_fn)(void *ctx, const char *name);

/* Parses the load headers (format, strip_outer_array, columns, column_separator, row_delimiter
 * incl. \xHH.. forms, enclose, escape, max_filter_ratio, strict_mode, timeout, partial_update)
 * against the table schema def. Returns 0 and *out (free with sr_http_load_opts_free), or
 * RT_EINVAL with the BE's message ("unknown data format, format=x", "Invalid timeout format",
 * ...). */
int sr_http_load_opts_parse(sr_http_header_fn get, void *ctx, const sr_table_def *def,
                            sr_http_load_opts **out, rt_err *err);
void sr_http_load_opts_free(sr_http_load_opts *o);
double sr_http_load_opts_max_filter_ratio(const sr_http_load_opts *o);
/* The `timeout` header in seconds, or 0 when absent. */
int sr_http_load_opts_timeout(const sr_http_load_opts *o);

/* Counts of one load (notes §1.3). */
typedef struct sr_http_load_counts {
    int64_t total;
    int64_t loaded;
    int64_t filtered;
    int64_t unselected;
} sr_http_load_counts;

/* Parses body[len] and appends the rows that convert to out (a batch of def's columns), adds to
 * *counts, and appends one line per filtered row to errlog ("Error: <reason>. Row: <row>"), at
 * most 50 lines per call. CSV with `enclose`: a field starting with the enclose byte runs to the
 * closing one over separators and line ends; inside it escape+X is X and a doubled enclose byte
 * is one; such a field is text, never the NULL \N. Returns 0, or RT_EINVAL for a body that fails
 * as a whole (e.g. "JSON data is an array, strip_outer_array must be set true"), with nothing
 * appended. */
int sr_http_load_parse(const sr_http_load_opts *o, const sr_table_def *def, const char *body,
                       size_t len, sr_batch *out, sr_http_load_counts *counts, rt_buf *errlog,
                       rt_err *err);

#endif
