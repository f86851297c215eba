/* Hand-built source tables for the codegen unit tests (what schema_scan.c reads from a server). */
#ifndef SLUICE_TESTS_UNIT_CODEGEN_FIXTURE_H
#define SLUICE_TESTS_UNIT_CODEGEN_FIXTURE_H

#include <stdbool.h>

#include "jobs/codegen/schema_scan.h"

/* Fills *c (owned strings; freed by gen_table_fini of the table it joins). is_unsigned follows
 * column_type as the scanner does; charset maxlen: 4 for utf8mb4, 1 for latin1, 3 otherwise. */
void fx_column(gen_column *c, const char *name, const char *data_type, const char *column_type,
               const char *charset, unsigned long long char_length, unsigned precision,
               unsigned scale, bool nullable);

/* Starts table db.name with room for 16 columns; add with fx_add, key with fx_key. */
void fx_table(gen_table *t, const char *db, const char *name, const char *comment);
gen_column *fx_add(gen_table *t);
void fx_key(gen_table *t, const char *column);

#endif
