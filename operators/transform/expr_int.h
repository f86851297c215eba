/* Private structures of the expression language shared by its files: tokens (expr_lex.c), the
 * syntax tree (expr_parse.c), cast types (expr_type.c), the bound tree (expr_bind.c), evaluation
 * values and the numeric, temporal and cast helpers (expr_num.c, expr_cast.c, expr_func.c,
 * expr_eval.c). */
#ifndef SLUICE_OPERATORS_TRANSFORM_EXPR_INT_H
#define SLUICE_OPERATORS_TRANSFORM_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/transform/expr.h"

/* ---- tokens ---- */

typedef enum tok_kind {
    TK_EOF = 0,
    TK_INT,    /* digits only */
    TK_DEC,    /* digits with a '.' */
    TK_FLOAT,  /* with an exponent */
    TK_STRING, /* '...' (value unescaped into tok.str) */
    TK_IDENT,  /* bare word (keywords too) */
    TK_QIDENT, /* `quoted` (value unescaped into tok.str) */
    TK_LPAREN,
    TK_RPAREN,
    TK_COMMA,
    TK_PLUS,
    TK_MINUS,
    TK_STAR,
    TK_SLASH,
    TK_PERCENT,
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
} tok_kind;

typedef struct tok {
    uint8_t kind;
    size_t pos, end; /* byte range in the text */
    char *str;       /* TK_STRING / TK_QIDENT: unescaped, malloc'd, NUL-terminated */
    size_t str_len;
} tok;

/* Splits text into tokens ending with TK_EOF. 0, or RT_EINVAL with *err_pos and err set.
 * *out (malloc'd array; strings inside) is freed with expr_toks_free. */
int expr_lex(const char *text, tok **out, size_t *count, size_t *err_pos, rt_err *err);
void expr_toks_free(tok *toks, size_t count);

/* ---- cast types ---- */

typedef enum cast_kind {
    CT_BOOLEAN,
    CT_TINYINT,
    CT_SMALLINT,
    CT_INT,
    CT_BIGINT,
    CT_LARGEINT,
    CT_FLOAT,
    CT_DOUBLE,
    CT_DECIMAL,
    CT_CHAR,
    CT_VARCHAR,
    CT_STRING,
    CT_DATE,
    CT_DATETIME,
    CT_JSON,
} cast_kind;

typedef struct cast_type {
    uint8_t kind; /* cast_kind */
    uint8_t p, s; /* DECIMAL precision and scale */
    uint32_t n;   /* CHAR / VARCHAR length in characters */
} cast_type;

/* Parses a cast type from toks[*i] on; advances *i. 0 or RT_EINVAL (*err_pos, err set). */
int expr_parse_cast_type(const char *text, const tok *toks, size_t *i, cast_type *ct,
                         size_t *err_pos, rt_err *err);
/* The rt_type and MySQL type text ("decimal(10,2)") of a cast's result; buf >= 32 bytes. */
rt_type expr_cast_value_type(const cast_type *ct);
void expr_cast_sql_type(const cast_type *ct, char *buf, size_t size);
/* The type as CAST spells it, for messages: "DECIMAL(10,2)", "DATETIME". */
void expr_cast_type_name(const cast_type *ct, char *buf, size_t size);
/* Parses a whole text as a cast type: 0 or RT_EINVAL "unknown type 'x'" (+ detail). */
int expr_cast_type_from_text(const char *text, cast_type *ct, rt_err *err);

/* ---- syntax tree ---- */

typedef enum node_kind {
    N_LIT,     /* literal: lit */
    N_COL,     /* column: name */
    N_META,    /* metadata name: meta */
    N_NEG,     /* unary minus: kids[0] */
    N_NOT,     /* kids[0] */
    N_ARITH,   /* op in + - * / %: kids[0..1] */
    N_CMP,     /* op in = != < <= > >=: kids[0..1] */
    N_AND,     /* kids[0..1] */
    N_OR,      /* kids[0..1] */
    N_ISNULL,  /* kids[0]; negated = IS NOT NULL */
    N_IN,      /* kids[0] IN kids[1..] ; negated = NOT IN */
    N_LIKE,    /* kids[0] LIKE kids[1] ; negated */
    N_BETWEEN, /* kids[0] BETWEEN kids[1] AND kids[2] ; negated */
    N_FUNC,    /* func(kids...) */
    N_CAST,    /* CAST(kids[0] AS ct) */
} node_kind;

typedef enum meta_kind {
    META_SCHEMA,     /* __schema_name__ / __database_name__ */
    META_TABLE,      /* __table_name__ */
    META_EVENT_TYPE, /* __data_event_type__ */
    META_OP_TS,      /* __op_ts__ */
    META_NAMESPACE,  /* __namespace_name__ */
} meta_kind;

typedef enum func_id {
    F_UPPER,
    F_LOWER,
    F_CONCAT,
    F_SUBSTR,
    F_CHAR_LENGTH,
    F_TRIM,
    F_COALESCE,
    F_IF,
    F_ABS,
} func_id;

/* A literal as parsed: INT (i), DECIMAL (dec, scale, prec digits), DOUBLE (d), STRING (str),
 * NULL; booleans are INT with is_bool. */
typedef struct expr_lit {
    uint8_t type; /* rt_type */
    bool is_bool;
    uint8_t scale, prec;
    int64_t i;
    double d;
    __int128 dec;
    const char *str; /* the token's unescaped string (owned by the node) */
    size_t str_len;
} expr_lit;

typedef struct enode {
    uint8_t kind; /* node_kind */
    uint8_t op;   /* tok_kind of the operator (N_ARITH, N_CMP) */
    uint8_t meta; /* meta_kind */
    uint8_t func; /* func_id */
    bool negated;
    size_t pos, end; /* the node's text: text[pos, end) */
    size_t op_pos;   /* where the operator / keyword is, for bind errors */
    unsigned depth;  /* height of the subtree (a leaf is 0) */
    struct enode **kids;
    size_t nkids;
    char *name; /* N_COL: the column name, malloc'd */
    expr_lit lit;
    char *lit_str; /* N_LIT STRING: owned copy */
    cast_type ct;
} enode;

struct op_expr {
    char *text;
    enode *root;
};

/* Frees a syntax node and its subtree (expr_tree.c). NULL is a no-op. */
void expr_node_free(enode *n);

/* ---- evaluation values ---- */

/* A value during evaluation: like rt_value, but DECIMAL is an exact scaled 128-bit integer
 * (|dec| < 10^38) so arithmetic neither parses nor allocates. */
typedef struct xv {
    uint8_t type;  /* rt_type; RT_TYPE_NULL for NULL */
    uint8_t scale; /* DECIMAL */
    union {
        int64_t i;
        uint64_t u;
        double d;
        __int128 dec;
        struct {
            const char *p;
            size_t len;
        } s;
        rt_temporal t;
    };
} xv;

/* ---- bound tree ---- */

typedef struct bnode {
    const enode *syn;
    uint8_t type; /* result rt_type (RT_TYPE_NULL: the NULL literal) */
    bool nullable;
    bool is_bool;
    uint8_t prec, scale; /* DECIMAL result */
    long len;            /* STRING result: the most characters it can have, -1 unknown */
    long col;            /* N_COL: column index */
    char *sql_type;      /* malloc'd */
    xv lit;              /* N_LIT: the value (strings point into the syntax node) */
    struct bnode **kids;
    size_t nkids;
} bnode;

struct op_expr_bound {
    const op_expr *e;
    bnode *root;
};

/* Scratch memory of one evaluation: a stack area first, then malloc'd blocks freed at the end,
 * so a predicate needs no output batch and numeric work touches no heap. */
typedef struct scratch_blk {
    struct scratch_blk *next;
} scratch_blk;

typedef struct ectx {
    const op_expr_bound *b;
    const rt_record *r;
    rt_err *err;
    _Alignas(16) char area[1024];
    size_t used;
    scratch_blk *heap;
} ectx;

void expr_ectx_init(ectx *c, const op_expr_bound *b, const rt_record *r, rt_err *err);
void *expr_scratch(ectx *c, size_t n);
void expr_scratch_fini(ectx *c);
/* Evaluates a bound node. 0, or RT_EINVAL / RT_ENOMEM with the error naming the expression. */
int expr_eval_node(ectx *c, const bnode *n, xv *out);
/* Sets err to "<expression text>: <message>" and returns RT_EINVAL. */
int expr_eval_fail(ectx *c, const bnode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int expr_eval_func(ectx *c, const bnode *n, xv *out);
int expr_eval_cast(ectx *c, const bnode *n, xv *out);

/* ---- numbers and temporals (expr_num.c) ---- */

#define DEC_MAX_DIGITS 38
extern const __int128 expr_pow10[DEC_MAX_DIGITS + 1];

/* Parses "[ ][+-]digits[.digits][ ]" exactly: 0; -1 not such a number; -2 more than 38 digits. */
int expr_dec_parse(const char *s, size_t len, __int128 *v, uint8_t *scale);
/* Parses any number text (decimal digits or with an exponent) into a DECIMAL or DOUBLE xv;
 * surrounding spaces are allowed. 0 or -1 when the text is not a whole number. */
int expr_num_parse(const char *s, size_t len, xv *out);
/* Writes v/10^scale as text; returns its length (buf >= 48 bytes). */
size_t expr_dec_format(__int128 v, int scale, char *buf);
/* Changes the scale, rounding half away from zero when it shrinks. 0 or -1 on overflow. */
int expr_dec_rescale(__int128 v, int from, int to, __int128 *out);
double expr_dec_to_double(__int128 v, int scale);
/* Digits of |v| (1 for 0). */
int expr_dec_digits(__int128 v);
/* Numeric xv (INT, UINT, DECIMAL) as DECIMAL. */
void expr_to_dec(const xv *v, __int128 *d, uint8_t *scale);
double expr_to_double(const xv *v);

/* Parses a date ("YYYY-MM-DD"), datetime ("YYYY-MM-DD[ T]hh:mm[:ss[.ffffff]]", or a bare date as
 * midnight) or time ("[-]hh:mm[:ss[.ffffff]]") into t. 0 or -1. */
int expr_temporal_parse(const char *s, size_t len, rt_type want, rt_temporal *t);
/* A totally ordered key for DATE/DATETIME (dates as midnight) and TIME values. */
int64_t expr_temporal_key(rt_type type, const rt_temporal *t);

/* Renders a value as text, as the changelog writes it but without JSON quoting (strings raw).
 * Result points at buf (>= 64 bytes) or at the value's own text. */
void expr_to_text(const xv *v, char *buf, const char **p, size_t *len);
/* Number of UTF-8 characters in s (a byte that starts no valid sequence counts as one). */
size_t expr_utf8_count(const char *s, size_t len);

/* rt_value <-> xv. xv_from_value fails (-1) only for a DECIMAL text that is not a number. */
int expr_xv_from_value(const rt_value *v, xv *out);
/* Copies a result out (text into out_batch's arena). 0 or RT_ENOMEM. */
int expr_xv_to_value(const xv *v, rt_batch *out_batch, rt_value *out);

/* CAST of a value (expr_cast.c). On failure writes a message (no expression prefix) to msg. */
int expr_cast_xv(ectx *c, const cast_type *ct, const xv *in, xv *out, char *msg, size_t msgsz);

#endif
