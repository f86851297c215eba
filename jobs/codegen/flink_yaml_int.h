/* Private to the flink_yaml module: the YAML tree the reader builds (with each node's position, so
 * that every error names a line and column), the Flink <-> Sluice table-pattern conversions, and
 * the small text helpers the reader and the writer share. No libyaml or jansson type here. */
#ifndef SLUICE_JOBS_CODEGEN_FLINK_YAML_INT_H
#define SLUICE_JOBS_CODEGEN_FLINK_YAML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"

/* Transform rules a pipeline may hold (filter + project vertex pairs in a job). */
#define GEN_FY_MAX_RULES 16

typedef enum gen_fy_kind { GEN_FY_SCALAR, GEN_FY_MAP, GEN_FY_SEQ } gen_fy_kind;

/* One YAML node. A mapping keeps its pairs in document order (keys are scalars). */
typedef struct gen_fy_node gen_fy_node;
struct gen_fy_node {
    gen_fy_kind kind;
    int line, col; /* 1-based position of the node's first character */
    char *text;    /* scalar value (owned) */
    bool plain;    /* scalar written without quotes: `null`, `~`, and numbers keep their meaning */
    size_t count;  /* pairs of a mapping, items of a sequence */
    size_t cap;
    gen_fy_node **keys;  /* mapping keys (scalars) */
    gen_fy_node **items; /* mapping values or sequence items */
};

/* Parses the first (and only) document of yaml into a tree. RT_EINVAL "line L column C: ..." for
 * a syntax error, an alias, a non-scalar key, a duplicate key or a second document. *root: free
 * with gen_fy_node_free. */
int gen_fy_tree_parse(const char *yaml, size_t len, gen_fy_node **root, rt_err *err);
/* Frees n and everything under it. NULL is a no-op. */
void gen_fy_node_free(gen_fy_node *n);
/* The value of key in map (borrowed), or NULL. map must be a mapping. */
const gen_fy_node *gen_fy_map_get(const gen_fy_node *map, const char *key);
/* True for a plain `null`, `Null`, `NULL`, `~` or empty plain scalar. */
bool gen_fy_is_null(const gen_fy_node *n);

/* Sets err to code with "line L column C: " (n's position) in front of the message. Returns code.
 */
int gen_fy_at(rt_err *err, int code, const gen_fy_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Puts "line L column C: what: " in front of the message a helper already set in err. */
int gen_fy_at_prefix(rt_err *err, int rc, const gen_fy_node *n, const char *what);
/* The text of a non-null scalar (borrowed); RT_EINVAL naming what and n's position otherwise. */
int gen_fy_scalar(const gen_fy_node *n, const char *what, const char **out, rt_err *err);
/* A scalar that is a decimal integer in [lo, hi]; RT_EINVAL naming what and n's position. */
int gen_fy_integer(const gen_fy_node *n, const char *what, long long lo, long long hi,
                   long long *out, rt_err *err);

/* The route rules read so far. Caller-allocated, zeroed; free with gen_fy_routes_fini. */
typedef struct gen_fy_routes {
    char *database; /* the sink database the rules name (one for all); NULL before a rule */
    int database_line;
    char **covered; /* Sluice regexes of every rule's source patterns */
    size_t covered_count;
    rt_buf rules; /* the Sluice rules as JSON objects separated by ", " (no brackets) */
    bool real;    /* a rule other than "the same name in the sink database" */
} gen_fy_routes;
void gen_fy_routes_fini(gen_fy_routes *r);
/* Adds one `route` rule. RT_EINVAL / RT_EUNSUPPORTED with the line and column of the key. */
int gen_fy_read_route(const gen_fy_node *rule, gen_fy_routes *r, rt_err *err);
/* One `transform` rule -> the filter and project configs as JSON text (malloc'd; NULL when the
 * rule has no filter / no projection or keys). */
int gen_fy_read_transform(const gen_fy_node *t, char **filter_json, char **project_json,
                          rt_err *err);

/* A YAML document being written (libyaml's emitter inside). The emit calls record the first
 * failure and gen_fy_emitter_finish reports it. */
typedef struct gen_fy_emitter gen_fy_emitter;
/* Starts the stream and its one document; NULL when out of memory. Free with
 * gen_fy_emitter_free. */
gen_fy_emitter *gen_fy_emitter_new(void);
void gen_fy_emitter_free(gen_fy_emitter *e);
/* A string, plain when YAML allows it, quoted otherwise ("", "null" always quoted). */
void gen_fy_emit_scalar(gen_fy_emitter *e, const char *s);
void gen_fy_emit_kv(gen_fy_emitter *e, const char *key, const char *value);
void gen_fy_emit_map_start(gen_fy_emitter *e);
void gen_fy_emit_map_end(gen_fy_emitter *e);
void gen_fy_emit_seq_start(gen_fy_emitter *e);
void gen_fy_emit_seq_end(gen_fy_emitter *e);
/* One Flink route rule mapping pattern to the Sluice route target in database db: sink-table
 * "db.table" with {table} written as the replace-symbol "<>". RT_EUNSUPPORTED naming vertex for
 * a target in another database or with {db}. */
int gen_fy_emit_route(gen_fy_emitter *e, const char *pattern, const char *target, const char *db,
                      const char *vertex, rt_err *err);
/* Ends the document; *yaml: the text (malloc'd). RT_EINTERNAL when an event was refused. */
int gen_fy_emitter_finish(gen_fy_emitter *e, char **yaml, rt_err *err);

/* Flink CDC `tables` / `source-table` text (comma-separated `db.table` patterns where an
 * unescaped '.' separates database from table and `\.` is the regex any-character dot) ->
 * Sluice regular expressions over whole "db.table" names, appended to *out (a NULL-terminated
 * malloc'd array of malloc'd strings, *count entries; both may start empty). RT_EINVAL naming
 * the pattern for one Sluice cannot take (not exactly two parts). */
int gen_fy_tables_from_flink(const char *text, char ***out, size_t *count, rt_err *err);
/* One Sluice "db.table" regular expression -> Flink CDC pattern text (several joined with ", "
 * when the regex is a top-level alternation), appended to out (", " first when out is not
 * empty). RT_EUNSUPPORTED naming the regex when a branch has no database separator (`\.`
 * outside brackets and groups) or more than one, or holds a comma. */
int gen_fy_table_to_flink(const char *regex, rt_buf *out, rt_err *err);
/* Frees an array from gen_fy_tables_from_flink. */
void gen_fy_strv_free(char **v, size_t count);

/* Splits s on commas outside parentheses, brackets and quotes, trimming each part: projection
 * lists and key lists. Same array convention as above. */
int gen_fy_split_top_commas(const char *s, char ***out, size_t *count, rt_err *err);

typedef enum gen_fy_value_kind {
    GEN_FY_TEXT,
    GEN_FY_INT,
    GEN_FY_REAL,
    GEN_FY_DURATION
} gen_fy_value_kind;

/* One row of the pipeline's `flink-conf` map: Sluice job section.key <-> Flink key. */
typedef struct gen_fy_conf_key {
    const char *section; /* "checkpoint" or "restart" */
    const char *key;     /* the Sluice key */
    const char *flink;   /* the Flink configuration key */
    gen_fy_value_kind kind;
    const char *strategy; /* a restart key of this strategy only; NULL: any */
} gen_fy_conf_key;
/* Ended by a row of NULLs. Restart's `delay` has two rows (fixed-delay, failure-rate). */
extern const gen_fy_conf_key gen_fy_conf_keys[];

/* A Flink restart-strategy.type value (aliases such as `off`, `fixeddelay` included) -> Sluice's
 * strategy name (static), or NULL. */
const char *gen_fy_restart_name(const char *type);

/* Flink duration text ("30s", "1 min", "500ms", "2h", "1d", bare integer = ms) -> milliseconds.
 * RT_EINVAL for anything else. */
int gen_fy_flink_duration_parse(const char *s, int64_t *ms, rt_err *err);
/* Milliseconds -> the Flink text with the largest exact unit: "1d", "2h", "5min", "30s", "250ms".
 */
void gen_fy_flink_duration_format(int64_t ms, char *buf, size_t size);

/* True when branch is one of the top-level alternatives of re, textually. */
bool gen_fy_regex_has_branch(const char *re, const char *branch);
/* True when a and b have a top-level alternative in common, textually. */
bool gen_fy_regex_share_branch(const char *a, const char *b);
/* True when every top-level alternative of re names one table exactly: letters, digits, '_',
 * '-' and escaped characters only. Two such regexes match the same table only if they share a
 * branch, which is what lets route rules be compared by text. */
bool gen_fy_regex_is_literal(const char *re);
/* A Flink name -> a Sluice identifier: letters, digits, '_' and '-' (and '.' when dots) kept,
 * every run of other characters one '-', none at the ends. out may come back empty. */
void gen_fy_identifier(const char *s, char *out, size_t size, bool dots);
/* The database part of a Sluice "db\.table" regex when it is a plain name (copied into buf),
 * else NULL. */
const char *gen_fy_literal_db(const char *re, char *buf, size_t size);
/* s with every occurrence of sym (none when sym is NULL or empty) replaced by "{table}".
 * malloc'd; NULL when out of memory. */
char *gen_fy_replace_symbol(const char *s, const char *sym);
/* True when the projection item is "expr AS alias" with expr other than the bare column alias
 * (a computed column); alias copied into alias. */
bool gen_fy_computed_alias(const char *item, char *alias, size_t size);
/* 1 when the filter text names (outside string literals) the alias of a computed column among
 * the projection items cols; *hit is that item. 0 otherwise. */
int gen_fy_filter_uses(const char *where, char **cols, size_t count, const char **hit);

#endif
