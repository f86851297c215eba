/* sr_http_load: Stream Load options and body parsing (notes §1.2, §3, §7). The `columns` header
 * supports what sinks use: a list of file columns, `target=file_column` and `target='constant'`
 * (so `__op=tmp` and `__op='delete'`); other expressions are refused by name. CSV takes the
 * `enclose` and `escape` headers of StarRocks 3.0+ (notes §7.1). */
#include "tests/sr_endpoint/sr_http_load.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#define MAX_ERRLOG_LINES 50

enum src_kind { SRC_NONE, SRC_FILE, SRC_CONST };
struct src {
    enum src_kind kind;
    int file; /* SRC_FILE: index into file columns */
    char *text; /* SRC_CONST */
};

struct sr_http_load_opts {
    bool json;
    bool strip_outer_array;
    char colsep[64];
    size_t colsep_len;
    char rowdelim[64];
    size_t rowdelim_len;
    int enclose; /* the `enclose` byte, or -1 */
    int escape;  /* the `escape` byte, or -1 */
    bool has_columns; /* a `columns` header was given */
    char **files;     /* file column names */
    size_t nfiles;
    struct src *map; /* per table column */
    struct src op;   /* __op */
    double max_filter_ratio;
    bool strict;
    bool partial;
    int timeout;
};

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    RT_ASSERT(d);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void sr_http_load_opts_free(sr_http_load_opts *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->nfiles; i++)
        free(o->files[i]);
    free(o->files);
    free(o->op.text);
    free(o->map);
    free(o);
}

double sr_http_load_opts_max_filter_ratio(const sr_http_load_opts *o) { return o->max_filter_ratio; }
int sr_http_load_opts_timeout(const sr_http_load_opts *o) { return o->timeout; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "\x01", "\x0D0A" (hex bytes), "\n"/"\t" escapes, else the literal text. */
static int parse_sep(const char *v, char *out, size_t *outlen, const char *what, rt_err *err)
{
    size_t n = strlen(v);
    if (n == 0 || n > 50)
        return rt_err_set(err, RT_EINVAL, "%s is empty or too long", what);
    if (n > 2 && v[0] == '\\' && (v[1] == 'x' || v[1] == 'X') && (n - 2) % 2 == 0) {
        size_t k = 0;
        bool ok = true;
        for (size_t i = 2; i < n; i += 2) {
            int a = hexval(v[i]), b = hexval(v[i + 1]);
            if (a < 0 || b < 0)
                ok = false;
            else
                out[k++] = (char)(a << 4 | b);
        }
        if (ok) {
            *outlen = k;
            return 0;
        }
    }
    if (!strcmp(v, "\\n")) {
        out[0] = '\n';
        *outlen = 1;
    } else if (!strcmp(v, "\\t")) {
        out[0] = '\t';
        *outlen = 1;
    } else {
        memcpy(out, v, n);
        *outlen = n;
    }
    return 0;
}

/* `enclose` / `escape`: one byte (notes §1.2); an empty value sets none. */
static int parse_byte(const char *v, int *out, const char *what, rt_err *err)
{
    size_t n = strlen(v);
    if (n > 1)
        return rt_err_set(err, RT_EINVAL, "Invalid %s: '%s', it must be a single byte", what, v);
    *out = n ? (unsigned char)v[0] : -1;
    return 0;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "true")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(v, "false")) {
        *out = false;
        return true;
    }
    return false;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
    if (*n >= 2 && (*s)[0] == '`' && (*s)[*n - 1] == '`') {
        (*s)++;
        *n -= 2;
    }
}

static int find_file(const sr_http_load_opts *o, const char *name, size_t n)
{
    for (size_t i = 0; i < o->nfiles; i++)
        if (strlen(o->files[i]) == n && strncasecmp(o->files[i], name, n) == 0)
            return (int)i;
    return -1;
}

static void add_file(sr_http_load_opts *o, const char *name, size_t n)
{
    o->files = realloc(o->files, (o->nfiles + 1) * sizeof(char *));
    RT_ASSERT(o->files);
    o->files[o->nfiles++] = dupn(name, n);
}

/* mapping: the item is `target=...`; a plain item names a file column, which may be one the
 * table does not have (StarRocks reads it and uses it in no column), while a mapping's target
 * must be a table column. */
static int set_target(sr_http_load_opts *o, const sr_table_def *def, const char *t, size_t tn,
                      struct src s, bool mapping, rt_err *err)
{
    if (tn == 4 && strncasecmp(t, "__op", 4) == 0) {
        free(o->op.text);
        o->op = s;
        return 0;
    }
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)tn, t);
    int c = sr_table_def_find(def, name);
    if (c < 0) {
        free(s.text);
        if (!mapping)
            return 0; /* a file column the table does not have: read and ignored */
        return rt_err_set(err, RT_EINVAL, "Unknown column '%s' in '%s'", name, def->name);
    }
    free(o->map[c].text);
    o->map[c] = s;
    return 0;
}

static int parse_columns(sr_http_load_opts *o, const sr_table_def *def, const char *v, rt_err *err)
{
    o->has_columns = true;
    /* first pass: the file columns (items without '='), in order */
    const char *p = v;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *it = p;
        size_t in = n;
        trim(&it, &in);
        if (in && !memchr(it, '=', in))
            add_file(o, it, in);
        p = e ? e + 1 : p + n;
    }
    p = v;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *it = p;
        size_t in = n;
        trim(&it, &in);
        p = e ? e + 1 : p + n;
        if (!in)
            continue;
        const char *eq = memchr(it, '=', in);
        if (!eq) {
            if (set_target(o, def, it, in, (struct src){.kind = SRC_FILE, .file = find_file(o, it, in)}, false,
                           err))
                return RT_EINVAL;
            continue;
        }
        const char *t = it, *x = eq + 1;
        size_t tn = (size_t)(eq - it), xn = in - tn - 1;
        trim(&t, &tn);
        trim(&x, &xn);
        struct src s;
        if (xn >= 2 && (x[0] == '\'' || x[0] == '"') && x[xn - 1] == x[0]) {
            s = (struct src){.kind = SRC_CONST, .text = dupn(x + 1, xn - 2)};
        } else {
            int f = find_file(o, x, xn);
            if (f < 0)
                return rt_err_set(err, RT_EINVAL,
                                  "sr-endpoint supports only column references and constants in "
                                  "columns, got '%.*s'", (int)xn, x);
            s = (struct src){.kind = SRC_FILE, .file = f};
        }
        if (set_target(o, def, t, tn, s, true, err))
            return RT_EINVAL;
    }
    return 0;
}

int sr_http_load_opts_parse(sr_http_header_fn get, void *ctx, const sr_table_def *def,
                            sr_http_load_opts **out, rt_err *err)
{
    sr_http_load_opts *o = calloc(1, sizeof(*o));
    RT_ASSERT(o);
    o->map = calloc(def->column_count ? def->column_count : 1, sizeof(struct src));
    RT_ASSERT(o->map);
    o->colsep[0] = '\t';
    o->colsep_len = 1;
    o->rowdelim[0] = '\n';
    o->rowdelim_len = 1;
    o->enclose = -1;
    o->escape = -1;
    int rc = 0;
    const char *v;
    if ((v = get(ctx, "format")) && *v) {
        if (!strcasecmp(v, "json"))
            o->json = true;
        else if (strcasecmp(v, "csv"))
            rc = rt_err_set(err, RT_EINVAL, "unknown data format, format=%s", v);
    }
    if (!rc && (v = get(ctx, "strip_outer_array")) && !parse_bool(v, &o->strip_outer_array))
        rc = rt_err_set(err, RT_EINVAL, "Invalid strip_outer_array: %s", v);
    if (!rc && (v = get(ctx, "column_separator")))
        rc = parse_sep(v, o->colsep, &o->colsep_len, "column_separator", err);
    if (!rc && (v = get(ctx, "row_delimiter")))
        rc = parse_sep(v, o->rowdelim, &o->rowdelim_len, "row_delimiter", err);
    if (!rc && (v = get(ctx, "enclose")))
        rc = parse_byte(v, &o->enclose, "enclose", err);
    if (!rc && (v = get(ctx, "escape")))
        rc = parse_byte(v, &o->escape, "escape", err);
    if (!rc && (v = get(ctx, "max_filter_ratio"))) {
        char *end;
        o->max_filter_ratio = strtod(v, &end);
        if (*end || o->max_filter_ratio < 0 || o->max_filter_ratio > 1)
            rc = rt_err_set(err, RT_EINVAL, "Invalid max_filter_ratio: %s", v);
    }
    if (!rc && (v = get(ctx, "strict_mode")) && !parse_bool(v, &o->strict))
        rc = rt_err_set(err, RT_EINVAL, "Invalid strict_mode: %s", v);
    if (!rc && (v = get(ctx, "partial_update")) && !parse_bool(v, &o->partial))
        rc = rt_err_set(err, RT_EINVAL, "Invalid partial_update: %s", v);
    if (!rc && (v = get(ctx, "partial_update_mode")) && strcasecmp(v, "row") && strcasecmp(v, "auto"))
        rc = rt_err_set(err, RT_EINVAL, "sr-endpoint supports only partial_update_mode row");
    if (!rc && (v = get(ctx, "timeout"))) {
        char *end;
        errno = 0;
        long t = strtol(v, &end, 10);
        if (!*v || *end || errno || t < 1 || t > 259200)
            rc = rt_err_set(err, RT_EINVAL, "Invalid timeout format");
        else
            o->timeout = (int)t;
    }
    if (!rc && (v = get(ctx, "jsonpaths")) && *v)
        rc = rt_err_set(err, RT_EINVAL, "sr-endpoint does not support jsonpaths");
    if (!rc && (v = get(ctx, "where")) && *v)
        rc = rt_err_set(err, RT_EINVAL, "sr-endpoint does not support where");
    if (!rc && (v = get(ctx, "columns")) && *v)
        rc = parse_columns(o, def, v, err);
    if (!rc && !o->has_columns) {
        /* simple mode: table columns in order (CSV), keys by name (JSON, plus `__op`) */
        for (size_t c = 0; c < def->column_count; c++) {
            add_file(o, def->columns[c].name, strlen(def->columns[c].name));
            o->map[c] = (struct src){.kind = SRC_FILE, .file = (int)c};
        }
        if (o->json) {
            add_file(o, "__op", 4);
            o->op = (struct src){.kind = SRC_FILE, .file = (int)o->nfiles - 1};
        }
    }
    for (size_t c = 0; !rc && c < def->column_count; c++) {
        const sr_column_def *cd = &def->columns[c];
        if (o->map[c].kind != SRC_NONE)
            continue;
        if (o->partial ? c < def->key_count
                       : (!cd->nullable && !cd->default_text && !cd->default_is_current_timestamp))
            rc = rt_err_set(err, RT_EINVAL, "Column has no default value. column: %s", cd->name);
    }
    if (rc) {
        sr_http_load_opts_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* ---- rows ---- */

enum fkind { F_MISSING, F_NULL, F_TEXT };
struct field {
    enum fkind kind;
    const char *p;
    size_t n;
};

static sr_value default_value(const sr_column_def *cd)
{
    sr_value v = {.kind = SR_VALUE_NULL};
    if (cd->default_text &&
        sr_value_convert(&cd->type, cd->name, cd->default_text, strlen(cd->default_text), &v, NULL) == 0)
        return v;
    if (cd->default_is_current_timestamp) {
        char buf[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(buf, sizeof(buf), cd->type.kind == SR_TYPE_DATE ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
        return sr_value_text(buf, strlen(buf));
    }
    return v;
}

static bool parse_op(const char *p, size_t n, sr_row_op *op)
{
    if ((n == 1 && p[0] == '0') || (n == 6 && !strncasecmp(p, "upsert", 6)))
        *op = SR_ROW_UPSERT;
    else if ((n == 1 && p[0] == '1') || (n == 6 && !strncasecmp(p, "delete", 6)))
        *op = SR_ROW_DELETE;
    else
        return false;
    return true;
}

/* Builds one row from fields[nfiles]; on a filtered row writes the reason and returns false. */
static bool build_row(const sr_http_load_opts *o, const sr_table_def *def, const struct field *fields,
                      sr_value *vals, sr_row_op *op, char *reason, size_t rsize)
{
    *op = SR_ROW_UPSERT;
    if (o->op.kind == SRC_CONST) {
        if (!parse_op(o->op.text, strlen(o->op.text), op)) {
            snprintf(reason, rsize, "Invalid __op value '%s'", o->op.text);
            return false;
        }
    } else if (o->op.kind == SRC_FILE && o->op.file >= 0 && fields[o->op.file].kind == F_TEXT) {
        const struct field *f = &fields[o->op.file];
        if (!parse_op(f->p, f->n, op)) {
            snprintf(reason, rsize, "Invalid __op value '%.*s'", (int)(f->n > 64 ? 64 : f->n), f->p);
            return false;
        }
    }
    for (size_t c = 0; c < def->column_count; c++) {
        const sr_column_def *cd = &def->columns[c];
        const struct src *s = &o->map[c];
        bool key = c < def->key_count;
        const char *why = NULL;
        rt_err e;
        rt_err_clear(&e);
        struct field f = {.kind = F_MISSING};
        if (s->kind == SRC_CONST)
            f = (struct field){.kind = F_TEXT, .p = s->text, .n = strlen(s->text)};
        else if (s->kind == SRC_FILE && s->file >= 0)
            f = fields[s->file];
        if (*op == SR_ROW_DELETE && !key && def->model == SR_MODEL_PRIMARY_KEY) {
            vals[c] = (sr_value){.kind = SR_VALUE_ABSENT}; /* a delete needs only the key */
            continue;
        }
        if (f.kind == F_MISSING) {
            vals[c] = o->partial ? (sr_value){.kind = SR_VALUE_ABSENT} : default_value(cd);
        } else if (f.kind == F_NULL) {
            vals[c] = (sr_value){.kind = SR_VALUE_NULL};
        } else {
            int rc = sr_value_convert(&cd->type, cd->name, f.p, f.n, &vals[c], &e);
            if (rc == RT_EUNSUPPORTED || (rc && o->strict)) {
                snprintf(reason, rsize, "%s", e.msg);
                return false;
            }
            if (rc) {
                vals[c] = (sr_value){.kind = SR_VALUE_NULL};
                why = e.msg;
            }
        }
        if (vals[c].kind == SR_VALUE_NULL && !cd->nullable) {
            if (why)
                snprintf(reason, rsize, "%s", why);
            else
                snprintf(reason, rsize, "NULL value in non-nullable column '%s'", cd->name);
            return false;
        }
    }
    return true;
}

struct ctx {
    const sr_http_load_opts *o;
    const sr_table_def *def;
    sr_batch *out;
    sr_http_load_counts *counts;
    rt_buf *errlog;
    int lines;
    sr_value *vals;
};

static void reject(struct ctx *x, const char *reason, const char *row, size_t rowlen)
{
    x->counts->filtered++;
    if (x->lines++ >= MAX_ERRLOG_LINES)
        return;
    rt_buf_appendf(x->errlog, "Error: %s. Row: %.*s\n", reason, (int)(rowlen > 1024 ? 1024 : rowlen), row);
}

static void one_row(struct ctx *x, const struct field *fields, const char *row, size_t rowlen)
{
    char reason[600];
    sr_row_op op;
    size_t nc = x->def->column_count;
    x->counts->total++;
    memset(x->vals, 0, nc * sizeof(sr_value));
    if (!build_row(x->o, x->def, fields, x->vals, &op, reason, sizeof(reason))) {
        for (size_t c = 0; c < nc; c++)
            sr_value_fini(&x->vals[c]);
        reject(x, reason, row, rowlen);
        return;
    }
    x->counts->loaded++;
    if (x->out)
        sr_batch_add(x->out, op, x->vals);
    for (size_t c = 0; c < nc; c++)
        sr_value_fini(&x->vals[c]);
}

static bool at(const char *body, size_t len, size_t pos, const char *sep, size_t sep_len)
{
    return len - pos >= sep_len && body[pos] == sep[0] && memcmp(body + pos, sep, sep_len) == 0;
}

/* The end of an unenclosed stretch from pos: the next row delimiter or column separator (the
 * row delimiter wins where both match, as when records are split first), or len. */
static size_t plain_end(const sr_http_load_opts *o, const char *body, size_t len, size_t pos)
{
    char c0 = o->colsep[0], r0 = o->rowdelim[0];
    for (; pos < len; pos++) {
        char c = body[pos];
        if ((c == r0 && at(body, len, pos, o->rowdelim, o->rowdelim_len)) ||
            (c == c0 && at(body, len, pos, o->colsep, o->colsep_len)))
            return pos;
    }
    return len;
}

/* An enclosed field (notes §7.1, StarRocks 3.0+) from body[pos], which is the enclose byte:
 * its text runs to the closing enclose byte, over separators and line ends; inside it the escape
 * byte makes the next byte literal and a doubled enclose byte is one literal enclose byte (the
 * RFC 4180 form the StarRocks docs allow; the sluice sink escapes instead). Bytes between the
 * closing enclose and the next separator are kept as they are; an enclose never closed runs to
 * the end of the body. Appends the text to out and returns the position after it. */
static size_t enclosed_field(const sr_http_load_opts *o, const char *body, size_t len,
                             size_t pos, rt_buf *out)
{
    char enc = (char)o->enclose;
    /* An escape byte equal to the enclose byte is the doubled form, handled below. */
    bool esc_on = o->escape >= 0 && o->escape != o->enclose;
    char esc = (char)o->escape;
    size_t from = ++pos;
    while (pos < len) {
        char c = body[pos];
        if (esc_on && c == esc && pos + 1 < len) {
            rt_buf_append(out, body + from, pos - from);
            from = pos + 1; /* the escaped byte starts the next run */
            pos += 2;
        } else if (c == enc && pos + 1 < len && body[pos + 1] == enc) {
            rt_buf_append(out, body + from, pos + 1 - from);
            pos += 2;
            from = pos;
        } else if (c == enc) {
            rt_buf_append(out, body + from, pos - from);
            pos++;
            size_t e = plain_end(o, body, len, pos);
            rt_buf_append(out, body + pos, e - pos);
            return e;
        } else {
            pos++;
        }
    }
    rt_buf_append(out, body + from, len - from);
    return len;
}

/* Non-UTF-8 bytes are not checked here: a string column filters its row with StarRocks'
 * "Invalid UTF-8 row" when it converts (sr_value_convert), while a VARBINARY column takes any
 * bytes, which a whole-record check would refuse. */
static void parse_csv(struct ctx *x, const char *body, size_t len)
{
    const sr_http_load_opts *o = x->o;
    struct field *fields = calloc(o->nfiles + 1, sizeof(struct field));
    size_t *offs = calloc(o->nfiles + 1, sizeof(size_t)); /* enclosed: offset into text, */
    bool *decoded = calloc(o->nfiles + 1, sizeof(bool));  /* which moves as it grows */
    RT_ASSERT(fields && offs && decoded);
    rt_buf text;
    rt_buf_init(&text);
    size_t pos = 0;
    while (pos < len) {
        if (at(body, len, pos, o->rowdelim, o->rowdelim_len)) {
            pos += o->rowdelim_len; /* blank records are skipped */
            continue;
        }
        size_t rec = pos, rec_end = len, nf = 0;
        rt_buf_reset(&text);
        for (;;) {
            struct field f;
            bool enc = false;
            size_t off = 0;
            if (o->enclose >= 0 && pos < len && body[pos] == (char)o->enclose) {
                off = text.len;
                pos = enclosed_field(o, body, len, pos, &text);
                f = (struct field){.kind = F_TEXT, .n = text.len - off};
                enc = true;
            } else {
                size_t e = plain_end(o, body, len, pos);
                bool isnull = e - pos == 2 && body[pos] == '\\' && body[pos + 1] == 'N';
                f = (struct field){.kind = isnull ? F_NULL : F_TEXT, .p = body + pos, .n = e - pos};
                pos = e;
            }
            if (nf < o->nfiles) {
                fields[nf] = f;
                offs[nf] = off;
                decoded[nf] = enc;
            }
            nf++;
            if (pos < len && at(body, len, pos, o->rowdelim, o->rowdelim_len)) {
                rec_end = pos;
                pos += o->rowdelim_len;
                break;
            }
            if (pos >= len)
                break;
            pos += o->colsep_len; /* plain_end stopped at a column separator */
        }
        size_t rn = rec_end - rec;
        if (nf != o->nfiles) {
            char reason[128];
            snprintf(reason, sizeof(reason), "Value count does not match column count. Expect %zu, but got %zu",
                     o->nfiles, nf);
            x->counts->total++;
            reject(x, reason, body + rec, rn);
            continue;
        }
        for (size_t i = 0; i < nf; i++)
            if (decoded[i])
                fields[i].p = text.data ? text.data + offs[i] : "";
        one_row(x, fields, body + rec, rn);
    }
    rt_buf_fini(&text);
    free(decoded);
    free(offs);
    free(fields);
}

static void format_real(double d, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static void json_row(struct ctx *x, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t tl = text ? strlen(text) : 0;
    if (!json_is_object(obj)) {
        x->counts->total++;
        reject(x, "JSON data is not an object", text ? text : "", tl);
        free(text);
        return;
    }
    const sr_http_load_opts *o = x->o;
    struct field *fields = calloc(o->nfiles + 1, sizeof(struct field));
    char (*nums)[64] = calloc(o->nfiles + 1, 64);
    char **dumps = calloc(o->nfiles + 1, sizeof(char *));
    RT_ASSERT(fields && nums && dumps);
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        int f = find_file(o, key, strlen(key));
        if (f < 0)
            continue;
        if (json_is_null(val)) {
            fields[f] = (struct field){.kind = F_NULL};
        } else if (json_is_string(val)) {
            fields[f] = (struct field){.kind = F_TEXT, .p = json_string_value(val), .n = json_string_length(val)};
        } else if (json_is_integer(val)) {
            snprintf(nums[f], 64, "%" JSON_INTEGER_FORMAT, json_integer_value(val));
            fields[f] = (struct field){.kind = F_TEXT, .p = nums[f], .n = strlen(nums[f])};
        } else if (json_is_real(val)) {
            format_real(json_real_value(val), nums[f], 64);
            fields[f] = (struct field){.kind = F_TEXT, .p = nums[f], .n = strlen(nums[f])};
        } else if (json_is_boolean(val)) {
            snprintf(nums[f], 64, "%d", json_is_true(val) ? 1 : 0);
            fields[f] = (struct field){.kind = F_TEXT, .p = nums[f], .n = 1};
        } else {
            dumps[f] = json_dumps(val, JSON_COMPACT);
            fields[f] = (struct field){.kind = F_TEXT, .p = dumps[f], .n = strlen(dumps[f])};
        }
    }
    one_row(x, fields, text ? text : "", tl);
    for (size_t i = 0; i < o->nfiles; i++)
        free(dumps[i]);
    free(dumps);
    free(nums);
    free(fields);
    free(text);
}

/* Discard mode (benchmarks): a structural scan of a stream of JSON objects, counting each as a
 * loaded row without building it. Checks what delimits documents (strings and their escapes,
 * balanced braces and brackets, a top-level object), not each value: jansson builds a
 * hashtable per object, which made the endpoint, not the client under test, the limit. */
static int scan_json_stream(struct ctx *x, const char *body, size_t len, rt_err *err)
{
    size_t depth = 0;
    bool in_str = false;
    int64_t docs = 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (depth == 0 && c == '[')
                return rt_err_set(err, RT_EINVAL,
                                  "JSON data is an array, strip_outer_array must be set true");
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return rt_err_set(err, RT_EINVAL, "Failed to parse JSON: unbalanced '%c'", c);
            if (--depth == 0)
                docs++;
        } else if (depth == 0 && !isspace((unsigned char)c)) {
            return rt_err_set(err, RT_EINVAL, "Failed to parse JSON: '%c' outside an object", c);
        }
    }
    if (depth != 0 || in_str)
        return rt_err_set(err, RT_EINVAL, "Failed to parse JSON: truncated document");
    x->counts->total += docs;
    x->counts->loaded += docs;
    return 0;
}

static int parse_json(struct ctx *x, const char *body, size_t len, rt_err *err)
{
    json_error_t jerr;
    if (!x->out && !x->o->strip_outer_array)
        return scan_json_stream(x, body, len, err);
    if (x->o->strip_outer_array) {
        json_t *a = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
        if (!a)
            return rt_err_set(err, RT_EINVAL, "Failed to parse JSON: %s", jerr.text);
        if (!json_is_array(a)) {
            json_decref(a);
            return rt_err_set(err, RT_EINVAL,
                              "JSON data is not an array-object, strip_outer_array must be set false");
        }
        size_t i;
        json_t *el;
        json_array_foreach(a, i, el) json_row(x, el);
        json_decref(a);
        return 0;
    }
    /* a stream of JSON documents: parse the whole body first so a bad one fails the load whole */
    json_t *docs = json_array();
    size_t pos = 0;
    int rc = 0;
    while (!rc) {
        while (pos < len && isspace((unsigned char)body[pos]))
            pos++;
        if (pos >= len)
            break;
        json_t *d = json_loadb(body + pos, len - pos, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
        if (!d)
            rc = rt_err_set(err, RT_EINVAL, "Failed to parse JSON: %s", jerr.text);
        else if (json_is_array(d))
            rc = rt_err_set(err, RT_EINVAL, "JSON data is an array, strip_outer_array must be set true");
        else
            pos += (size_t)jerr.position;
        if (d)
            json_array_append_new(docs, d);
    }
    if (!rc) {
        size_t i;
        json_t *el;
        json_array_foreach(docs, i, el) json_row(x, el);
    }
    json_decref(docs);
    return rc;
}

int sr_http_load_parse(const sr_http_load_opts *o, const sr_table_def *def, const char *body,
                       size_t len, sr_batch *out, sr_http_load_counts *counts, rt_buf *errlog,
                       rt_err *err)
{
    struct ctx x = {.o = o, .def = def, .out = out, .counts = counts, .errlog = errlog};
    x.vals = calloc(def->column_count + 1, sizeof(sr_value));
    RT_ASSERT(x.vals);
    int rc = 0;
    if (o->json)
        rc = parse_json(&x, body ? body : "", len, err);
    else
        parse_csv(&x, body ? body : "", len);
    free(x.vals);
    return rc;
}
