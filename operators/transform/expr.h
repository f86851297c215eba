/* The expression language of the transforms (filter conditions, computed and cast columns): a
 * small SQL subset parsed once, bound to each table schema it meets, and evaluated per record.
 *
 *   literals     42  -7  3.25  1e3  'text' (quotes doubled inside: 'it''s')  TRUE  FALSE  NULL
 *   columns      name  `quoted name`   (case-insensitive, as MySQL column names)
 *   metadata     __schema_name__ / __database_name__ (source database), __table_name__,
 *                __data_event_type__ ('+I' '-U' '+U' '-D'), __op_ts__ (the record's ts_ms as
 *                DATETIME(3) UTC; NULL for snapshot rows), __namespace_name__ (always NULL)
 *   arithmetic   + - * / %  unary -   (integer overflow and division by zero are errors)
 *   comparison   = != <> < <= > >=   expr [NOT] IN (v, ...)   expr [NOT] LIKE 'pat%_'
 *                expr IS [NOT] NULL   expr [NOT] BETWEEN a AND b
 *   logic        AND OR NOT (SQL three-valued: NULL AND FALSE = FALSE, NULL OR TRUE = TRUE)
 *   functions    CAST(expr AS type), UPPER, LOWER, CONCAT, SUBSTR/SUBSTRING(s, pos[, len]),
 *                CHAR_LENGTH, TRIM, COALESCE, IF(c, a, b), ABS
 *   cast types   BOOLEAN TINYINT SMALLINT INT INTEGER BIGINT LARGEINT FLOAT DOUBLE
 *                DECIMAL(p[,s]) CHAR(n) VARCHAR(n) STRING DATE DATETIME JSON
 *
 * Precedence, loosest first: OR, AND, NOT, comparison/IN/LIKE/IS/BETWEEN, + -, * / %, unary -.
 * Keywords are case-insensitive. Booleans are INT 0/1 values with SQL type "boolean".
 * Thread safety: a parsed or bound expression is immutable; evaluating from several threads at
 * once is fine (evaluation state lives on the stack and in the output batch). */
#ifndef SLUICE_OPERATORS_TRANSFORM_EXPR_H
#define SLUICE_OPERATORS_TRANSFORM_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"
#include "runtime/batch.h"
#include "runtime/table.h"
#include "runtime/value.h"

typedef struct op_expr op_expr;             /* parsed: syntax only, no schema */
typedef struct op_expr_bound op_expr_bound; /* resolved against one table schema */

/* Parses text. On a syntax error returns RT_EINVAL, sets *err_pos (may be NULL) to the 0-based
 * byte offset of the offending character (text length for an unexpected end) and writes a message
 * that names the position and what was expected:
 *     at 7: expected an expression after 'AND', got ')'
 *     at 12: unterminated string literal
 *     at 0: unknown function 'FOO'
 * *out: free with op_expr_free. */
int op_expr_parse(const char *text, op_expr **out, size_t *err_pos, rt_err *err);
/* NULL is a no-op. */
void op_expr_free(op_expr *e);
/* The text it was parsed from. Borrowed. */
const char *op_expr_text(const op_expr *e);
/* True when the expression is a plain column reference; *name (borrowed) is the column. */
bool op_expr_is_column(const op_expr *e, const char **name);
/* Calls fn for every column name it references (metadata names excluded), for checks that want
 * to know which columns an expression reads before a schema is seen. */
void op_expr_columns(const op_expr *e, void (*fn)(const char *name, void *arg), void *arg);

/* Resolves column references against t and infers the static type. RT_EINVAL for an unknown
 * column (message "at N: unknown column 'x' in db.t") or a type error found statically
 * ("at N: cannot compare a date with a number"). *out: free with op_expr_bound_free; it borrows
 * e (keep e alive) but not t beyond the call. */
int op_expr_bind(const op_expr *e, const rt_table *t, op_expr_bound **out, rt_err *err);
void op_expr_bound_free(op_expr_bound *b);
/* The result's value type (RT_TYPE_INT for booleans and integers, RT_TYPE_UINT only for a column
 * of that type passed through, alone or via ABS / IF / COALESCE (arithmetic on it is DECIMAL),
 * DOUBLE, DECIMAL, STRING, BYTES, DATE, TIME, DATETIME, JSON). A bare NULL literal reports
 * STRING ("longtext"). Every non-NULL value op_expr_eval returns has exactly this type. */
rt_type op_expr_bound_type(const op_expr_bound *b);
/* The result as MySQL column type text, for the output column's sql_type (and so for generated
 * DDL): "bigint", "double", "decimal(38,4)", "varchar(255)", "longtext", "date", "datetime(6)",
 * "boolean", "json", or a passed-through column's own sql_type. Borrowed from b. */
const char *op_expr_bound_sql_type(const op_expr_bound *b);
/* False only when the result is never NULL (a NOT NULL column, a non-NULL literal, ...). */
bool op_expr_bound_nullable(const op_expr_bound *b);

/* Evaluates b on r (a row record of the table b was bound to). Text results (STRING, BYTES,
 * JSON and DECIMAL digits) are copied into out_batch's arena (the batch the result will live in),
 * so *out stays valid as long as that batch; out_batch may be NULL only for other types. RT_EINVAL with a message naming the expression for a runtime error (overflow, division
 * by zero, a value CAST cannot convert: "CAST('abc' AS INT): not a number"). */
int op_expr_eval(const op_expr_bound *b, const rt_record *r, rt_batch *out_batch, rt_value *out,
                 rt_err *err);
/* Evaluates a condition: *pass is true only when the result is true (NULL and false fail). */
int op_expr_test(const op_expr_bound *b, const rt_record *r, bool *pass, rt_err *err);

/* Converts v to the type named by type_text (the cast types above, case-insensitive) as CAST
 * does, into out_batch's arena. RT_EINVAL for an unknown type name or a value that does not
 * convert. The output column's MySQL type text comes from op_expr_cast_type (this call has no
 * sql_type parameter). For the cast operator, which converts columns without writing
 * expressions; it re-reads type_text on every call, so check the name once with
 * op_expr_cast_type first. */
int op_expr_cast_value(const rt_value *v, const char *type_text, rt_batch *out_batch, rt_value *out,
                       rt_err *err);
/* Checks a cast type name without a value: 0, or RT_EINVAL "unknown type 'x'". *value_type and
 * *sql_type (may be NULL; sql_type malloc'd, caller frees) describe the result column. */
int op_expr_cast_type(const char *type_text, rt_type *value_type, char **sql_type, rt_err *err);

#endif
