/* A fake operator catalog for the graph tests (datagen source, map and route transforms, print
 * sink), so
 * that they do not depend on operators/, plus helpers to parse jobs written with single quotes. */
#ifndef SLUICE_TESTS_UNIT_GRAPH_TEST_CATALOG_H
#define SLUICE_TESTS_UNIT_GRAPH_TEST_CATALOG_H

#include "graph/codec.h"

/* Types: datagen (source: rows INT ≥ 0, rate INT ≥ 0, table STRING default "gen.rows"),
 * map (transform, no config), route (transform: rules JSON, ratio DOUBLE), print (sink: path
 * STRING, must not be empty when given). */
const graph_catalog *test_catalog(void);

/* Returns a malloc'd copy of s with every ' replaced by ": job text without C escapes. */
char *test_json(const char *s);

/* Parses the single-quoted job text; records a failure (with the error) if it does not parse. */
graph_job *test_parse(const char *file, int line, const char *job);
/* Records a failure unless parsing fails with RT_EINVAL and a message that starts with '$' and
 * contains `needle`. */
void test_parse_fails(const char *file, int line, const char *job, const char *needle);

#define PARSE_OK(job) test_parse(__FILE__, __LINE__, (job))
#define CHECK_PARSE_FAILS(job, needle) test_parse_fails(__FILE__, __LINE__, (job), (needle))

#endif
