/* flink_yaml_map: the text conversions between Flink CDC and Sluice that are more than a key
 * rename: table patterns, comma lists and durations.
 *
 * Table patterns follow Flink CDC's Selectors/Predicates (flink-cdc-common): the option text is
 * split on commas not escaped by '\', each part on dots not escaped by '\' (an unescaped '.'
 * separates database from table), parts are trimmed, then `\,` becomes ',' and `\.` becomes '.'
 * (so `\.` is the regex any-character dot); each part is a Java regex matched against the whole
 * name. Sluice takes one POSIX extended regex over the whole "db.table" name instead. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jobs/codegen/flink_yaml_int.h"

void gen_fy_strv_free(char **v, size_t count)
{
    if (!v)
        return;
    for (size_t i = 0; i < count; i++)
        free(v[i]);
    free(v);
}

/* Appends s (taking ownership) to the NULL-terminated array *v of *count strings. */
static int strv_push(char ***v, size_t *count, char *s, rt_err *err)
{
    char **p = s ? realloc(*v, (*count + 2) * sizeof *p) : NULL;
    if (!p) {
        free(s);
        return rt_err_set(err, RT_ENOMEM, "out of memory");
    }
    p[(*count)++] = s;
    p[*count] = NULL;
    *v = p;
    return 0;
}

/* Copy of s[0..n) without surrounding white space, with every `\<esc>` turned into <esc>. */
static char *trim_unescape(const char *s, size_t n, char esc)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == esc)
            i++;
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

/* Flink's RegExSplitterBy{Comma,Dot}: splits on unescaped sep (a backslash hides the next
 * character), trims, unescapes `\sep`, drops empty parts. */
static int flink_split(const char *s, char sep, char ***out, size_t *count, rt_err *err)
{
    size_t start = 0, i = 0, len = strlen(s);
    for (; i <= len; i++) {
        if (i < len && s[i] == '\\') {
            if (i + 1 == len)
                return rt_err_set(err, RT_EINVAL, "'%s': unterminated escape at the end", s);
            i++;
            continue;
        }
        if (i == len || s[i] == sep) {
            char *part = trim_unescape(s + start, i - start, sep);
            if (!part)
                return rt_err_set(err, RT_ENOMEM, "out of memory");
            if (!*part) {
                free(part);
            } else {
                int rc = strv_push(out, count, part, err);
                if (rc != 0)
                    return rc;
            }
            start = i + 1;
        }
    }
    return 0;
}

/* True when re has a '|' outside brackets and parentheses: it must be grouped before it is
 * concatenated with anything. */
static bool has_top_alternation(const char *re)
{
    int depth = 0;
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '[') {
            /* a ']' right after '[' or '[^' is a member, not the end */
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p && *p != ']')
                p++;
            if (!*p)
                return false;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if (*p == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

static void append_part(rt_buf *b, const char *part)
{
    bool group = has_top_alternation(part);
    if (group)
        rt_buf_append_char(b, '(');
    rt_buf_append_str(b, part);
    if (group)
        rt_buf_append_char(b, ')');
}

int gen_fy_tables_from_flink(const char *text, char ***out, size_t *count, rt_err *err)
{
    char **patterns = NULL;
    size_t n = 0;
    int rc = flink_split(text, ',', &patterns, &n, err);
    if (rc == 0 && n == 0)
        rc = rt_err_set(err, RT_EINVAL, "no table pattern in '%s'", text);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char **parts = NULL;
        size_t np = 0;
        rc = flink_split(patterns[i], '.', &parts, &np, err);
        if (rc == 0 && np != 2)
            rc = rt_err_set(err, RT_EINVAL,
                            "table pattern '%s': expected database.table (an unescaped '.' "
                            "separates them; write '\\.' for the regex any-character dot)",
                            patterns[i]);
        if (rc == 0) {
            rt_buf b;
            rt_buf_init(&b);
            append_part(&b, parts[0]);
            rt_buf_append_str(&b, "\\.");
            append_part(&b, parts[1]);
            rc = strv_push(out, count, rt_buf_take(&b), err);
        }
        gen_fy_strv_free(parts, np);
    }
    gen_fy_strv_free(patterns, n);
    return rc;
}

/* Index just past the bracket expression that starts at re[i] == '[' (POSIX rules: a leading
 * ']' is a member), or 0 when it is not closed. */
static size_t bracket_end(const char *re, size_t i)
{
    size_t j = i + 1;
    if (re[j] == '^')
        j++;
    if (re[j] == ']')
        j++;
    while (re[j] && re[j] != ']')
        j++;
    return re[j] ? j + 1 : 0;
}

/* Strips one pair of parentheses that wraps all of s[0..n) when what they hold is an
 * alternation: the group gen_fy_tables_from_flink added. */
static void strip_group(const char *s, size_t *start, size_t *n)
{
    if (*n < 2 || s[*start] != '(' || s[*start + *n - 1] != ')' || s[*start + 1] == '?')
        return;
    int depth = 0;
    for (size_t i = *start; i < *start + *n; i++) {
        if (s[i] == '\\' && i + 1 < *start + *n) {
            i++;
        } else if (s[i] == '[') {
            size_t e = bracket_end(s, i);
            if (!e)
                return;
            i = e - 1;
        } else if (s[i] == '(') {
            depth++;
        } else if (s[i] == ')' && --depth == 0 && i != *start + *n - 1) {
            return; /* "(a)|(b)": the first group closes early */
        }
    }
    char *inner = strndup(s + *start + 1, *n - 2);
    bool alt = inner && has_top_alternation(inner);
    free(inner);
    if (alt) {
        (*start)++;
        *n -= 2;
    }
}

/* One database or table part of a Sluice branch -> Flink text: an unescaped '.' (any character)
 * becomes `\.`; a literal dot `\.` becomes `[\.]` (Flink unescapes it to the class [.]). */
static int part_to_flink(const char *re, size_t start, size_t n, const char *whole, rt_buf *out,
                         rt_err *err)
{
    strip_group(re, &start, &n);
    if (n == 0)
        return rt_err_set(err, RT_EUNSUPPORTED, "table regex '%s': empty database or table part",
                          whole);
    for (size_t i = start; i < start + n; i++) {
        char c = re[i];
        if (c == ',')
            return rt_err_set(err, RT_EUNSUPPORTED,
                              "table regex '%s': a ',' cannot be written in Flink CDC's "
                              "comma-separated table list",
                              whole);
        if (c == '\\' && i + 1 < start + n) {
            if (re[i + 1] == '.')
                rt_buf_append_str(out, "[\\.]");
            else
                rt_buf_append(out, re + i, 2);
            i++;
        } else if (c == '[') {
            size_t e = bracket_end(re, i);
            if (!e || e > start + n)
                return rt_err_set(err, RT_EINVAL, "table regex '%s': unclosed '['", whole);
            for (size_t j = i; j < e; j++) {
                if (re[j] == '\\')
                    return rt_err_set(err, RT_EUNSUPPORTED,
                                      "table regex '%s': a '\\' inside brackets means itself in "
                                      "POSIX and an escape in Java",
                                      whole);
                if (re[j] == ',')
                    return rt_err_set(err, RT_EUNSUPPORTED,
                                      "table regex '%s': a ',' cannot be written in Flink CDC's "
                                      "comma-separated table list",
                                      whole);
                if (re[j] == '.')
                    rt_buf_append_str(out, "\\.");
                else
                    rt_buf_append_char(out, re[j]);
            }
            i = e - 1;
        } else if (c == '.') {
            rt_buf_append_str(out, "\\.");
        } else {
            rt_buf_append_char(out, c);
        }
    }
    return 0;
}

/* One branch (no top-level '|') -> "db.table" in Flink's convention. */
static int branch_to_flink(const char *re, size_t start, size_t end, const char *whole, rt_buf *out,
                           rt_err *err)
{
    if (end - start == 2 && strncmp(re + start, ".*", 2) == 0) {
        rt_buf_append_str(out, "\\.*.\\.*");
        return 0;
    }
    size_t sep = 0, seps = 0;
    int depth = 0;
    for (size_t i = start; i < end; i++) {
        if (re[i] == '\\' && i + 1 < end) {
            if (re[i + 1] == '.' && depth == 0) {
                sep = i;
                seps++;
            }
            i++;
        } else if (re[i] == '[') {
            size_t e = bracket_end(re, i);
            if (!e || e > end)
                return rt_err_set(err, RT_EINVAL, "table regex '%s': unclosed '['", whole);
            i = e - 1;
        } else if (re[i] == '(') {
            depth++;
        } else if (re[i] == ')') {
            depth--;
        }
    }
    if (seps != 1)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "table regex '%s': Flink CDC needs database and table apart: expected "
                          "exactly one '\\.' outside brackets and groups, found %zu",
                          whole, seps);
    int rc = part_to_flink(re, start, sep - start, whole, out, err);
    if (rc == 0) {
        rt_buf_append_char(out, '.');
        rc = part_to_flink(re, sep + 2, end - sep - 2, whole, out, err);
    }
    return rc;
}

int gen_fy_table_to_flink(const char *regex, rt_buf *out, rt_err *err)
{
    size_t len = strlen(regex), start = 0;
    int depth = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && regex[i] == '\\' && i + 1 < len) {
            i++;
            continue;
        }
        if (i < len && regex[i] == '[') {
            size_t e = bracket_end(regex, i);
            if (!e)
                return rt_err_set(err, RT_EINVAL, "table regex '%s': unclosed '['", regex);
            i = e - 1;
            continue;
        }
        if (i < len && regex[i] == '(')
            depth++;
        if (i < len && regex[i] == ')')
            depth--;
        if (i == len || (regex[i] == '|' && depth == 0)) {
            if (out->len)
                rt_buf_append_str(out, ", ");
            int rc = branch_to_flink(regex, start, i, regex, out, err);
            if (rc != 0)
                return rc;
            start = i + 1;
        }
    }
    return 0;
}

int gen_fy_split_top_commas(const char *s, char ***out, size_t *count, rt_err *err)
{
    int depth = 0;
    char quote = 0;
    size_t start = 0, len = strlen(s);
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '\0';
        if (quote) {
            if (c == quote)
                quote = 0;
            else if (c == '\0')
                return rt_err_set(err, RT_EINVAL, "'%s': unclosed quote", s);
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            quote = c;
        } else if (c == '(' || c == '[') {
            depth++;
        } else if (c == ')' || c == ']') {
            depth--;
        } else if (c == '\0' || (c == ',' && depth == 0)) {
            const char *p = s + start;
            size_t n = i - start;
            while (n && isspace((unsigned char)*p))
                p++, n--;
            while (n && isspace((unsigned char)p[n - 1]))
                n--;
            if (n == 0)
                return rt_err_set(err, RT_EINVAL, "'%s': empty item in the comma-separated list",
                                  s);
            int rc = strv_push(out, count, strndup(p, n), err);
            if (rc != 0)
                return rc;
            start = i + 1;
        }
    }
    return 0;
}

/* Flink's TimeUtils units (singular, plural and short forms). */
static const struct {
    const char *name;
    int64_t ms;
} units[] = {
    {"ms", 1},           {"milli", 1},       {"millis", 1},      {"millisecond", 1},
    {"milliseconds", 1}, {"s", 1000},        {"sec", 1000},      {"secs", 1000},
    {"second", 1000},    {"seconds", 1000},  {"m", 60000},       {"min", 60000},
    {"mins", 60000},     {"minute", 60000},  {"minutes", 60000}, {"h", 3600000},
    {"hour", 3600000},   {"hours", 3600000}, {"d", 86400000},    {"day", 86400000},
    {"days", 86400000},
};

int gen_fy_flink_duration_parse(const char *s, int64_t *ms, rt_err *err)
{
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p))
        return rt_err_set(err, RT_EINVAL, "'%s': expected a duration like 30s, 5min, 500ms", s);
    int64_t v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (INT64_MAX - 9) / 10)
            return rt_err_set(err, RT_EINVAL, "'%s': duration out of range", s);
        v = v * 10 + (*p - '0');
    }
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    int64_t unit = 0;
    if (n == 0) {
        unit = 1; /* Flink reads a bare number as milliseconds */
    } else {
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            if (strlen(units[i].name) == n && strncasecmp(p, units[i].name, n) == 0)
                unit = units[i].ms;
        }
    }
    if (!unit)
        return rt_err_set(err, RT_EINVAL, "'%s': unknown duration unit", s);
    if (v > INT64_MAX / unit)
        return rt_err_set(err, RT_EINVAL, "'%s': duration out of range", s);
    *ms = v * unit;
    return 0;
}

void gen_fy_flink_duration_format(int64_t ms, char *buf, size_t size)
{
    static const struct {
        int64_t ms;
        const char *unit;
    } order[] = {{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (ms > 0 && ms % order[i].ms == 0) {
            snprintf(buf, size, "%lld%s", (long long)(ms / order[i].ms), order[i].unit);
            return;
        }
    }
    snprintf(buf, size, "%lldms", (long long)ms);
}

/* A Flink name -> a Sluice identifier: runs of other characters become one '-'. */
void gen_fy_identifier(const char *s, char *out, size_t size, bool dots)
{
    size_t o = 0;
    bool dash = false;
    for (; *s && o + 1 < size; s++) {
        if (isalnum((unsigned char)*s) || *s == '_' || *s == '-' || (dots && *s == '.')) {
            out[o++] = *s;
            dash = false;
        } else if (!dash && o > 0) {
            out[o++] = '-';
            dash = true;
        }
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = '\0';
}

/* The database part of a Sluice "db\.table" regex when it is a plain name, else NULL (static). */
const char *gen_fy_literal_db(const char *re, char *buf, size_t size)
{
    const char *sep = strstr(re, "\\.");
    size_t n = sep ? (size_t)(sep - re) : 0;
    if (!n || n >= size)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(isalnum((unsigned char)re[i]) || re[i] == '_' || re[i] == '$' || re[i] == '-'))
            return NULL;
    }
    memcpy(buf, re, n);
    buf[n] = '\0';
    return buf;
}

/* Replaces every occurrence of sym in s with "{table}" (Flink's replace-symbol stands for the
 * source table's name). Returns a malloc'd string. */
char *gen_fy_replace_symbol(const char *s, const char *sym)
{
    rt_buf b;
    rt_buf_init(&b);
    size_t n = sym && *sym ? strlen(sym) : 0;
    while (*s) {
        if (n && strncmp(s, sym, n) == 0) {
            rt_buf_append_str(&b, "{table}");
            s += n;
        } else {
            rt_buf_append_char(&b, *s++);
        }
    }
    if (!b.data)
        rt_buf_append_str(&b, "");
    return rt_buf_take(&b);
}

/* "expr AS alias" -> alias when expr is more than the bare column alias (a computed column). */
bool gen_fy_computed_alias(const char *item, char *alias, size_t size)
{
    const char *as = NULL;
    for (const char *p = item; (p = strcasestr(p, " as ")) != NULL; p++)
        as = p;
    if (!as)
        return false;
    const char *a = as + 4;
    while (isspace((unsigned char)*a))
        a++;
    size_t n = strlen(a);
    if (!n || n >= size)
        return false;
    memcpy(alias, a, n + 1);
    size_t e = (size_t)(as - item);
    return !(e == n && strncasecmp(item, alias, n) == 0);
}

/* Sluice filters before it projects: a filter that names a computed column cannot run there. */
int gen_fy_filter_uses(const char *where, char **cols, size_t count, const char **hit)
{
    char alias[128];
    for (const char *p = where; *p;) {
        if (*p == '\'') {
            for (p++; *p && *p != '\''; p++)
                ;
            if (*p)
                p++;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            for (size_t i = 0; i < count; i++) {
                if (gen_fy_computed_alias(cols[i], alias, sizeof alias) &&
                    strlen(alias) == (size_t)(p - s) &&
                    strncasecmp(alias, s, (size_t)(p - s)) == 0) {
                    *hit = cols[i];
                    return 1;
                }
            }
        } else {
            p++;
        }
    }
    return 0;
}

/* Calls fn for each top-level branch of re (split at '|' outside brackets and groups); stops
 * early when fn returns true and returns that. */
static bool each_branch(const char *re, bool (*fn)(const char *b, size_t n, const void *arg),
                        const void *arg)
{
    size_t start = 0, len = strlen(re);
    int depth = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && re[i] == '\\' && i + 1 < len) {
            i++;
        } else if (i < len && re[i] == '[') {
            size_t e = bracket_end(re, i);
            if (!e)
                return false;
            i = e - 1;
        } else if (i < len && (re[i] == '(' || re[i] == ')')) {
            depth += re[i] == '(' ? 1 : -1;
        } else if (i == len || (re[i] == '|' && depth == 0)) {
            if (fn(re + start, i - start, arg))
                return true;
            start = i + 1;
        }
    }
    return false;
}

static bool branch_equals(const char *b, size_t n, const void *arg)
{
    const char *want = arg;
    return strlen(want) == n && strncmp(b, want, n) == 0;
}

static bool branch_not_literal(const char *b, size_t n, const void *arg)
{
    (void)arg;
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\\' && i + 1 < n)
            i++;
        else if (!(isalnum((unsigned char)b[i]) || b[i] == '_' || b[i] == '-'))
            return true;
    }
    return n == 0;
}

bool gen_fy_regex_has_branch(const char *re, const char *branch)
{
    return each_branch(re, branch_equals, branch);
}

bool gen_fy_regex_is_literal(const char *re)
{
    return !each_branch(re, branch_not_literal, NULL);
}

/* Flink's configuration keys for what a Sluice job says in `checkpoint` and `restart` (Flink's
 * CheckpointingOptions, RestartStrategyOptions). A restart key belongs to one strategy. */
const gen_fy_conf_key gen_fy_conf_keys[] = {
    {"checkpoint", "interval", "execution.checkpointing.interval", GEN_FY_DURATION, NULL},
    {"checkpoint", "timeout", "execution.checkpointing.timeout", GEN_FY_DURATION, NULL},
    {"checkpoint", "min_pause", "execution.checkpointing.min-pause", GEN_FY_DURATION, NULL},
    {"checkpoint", "max_concurrent", "execution.checkpointing.max-concurrent-checkpoints",
     GEN_FY_INT, NULL},
    {"checkpoint", "retain", "state.checkpoints.num-retained", GEN_FY_INT, NULL},
    {"restart", "strategy", "restart-strategy.type", GEN_FY_TEXT, NULL},
    {"restart", "attempts", "restart-strategy.fixed-delay.attempts", GEN_FY_INT, "fixed-delay"},
    {"restart", "delay", "restart-strategy.fixed-delay.delay", GEN_FY_DURATION, "fixed-delay"},
    {"restart", "initial", "restart-strategy.exponential-delay.initial-backoff", GEN_FY_DURATION,
     "exponential-delay"},
    {"restart", "max", "restart-strategy.exponential-delay.max-backoff", GEN_FY_DURATION,
     "exponential-delay"},
    {"restart", "multiplier", "restart-strategy.exponential-delay.backoff-multiplier", GEN_FY_REAL,
     "exponential-delay"},
    {"restart", "reset", "restart-strategy.exponential-delay.reset-backoff-threshold",
     GEN_FY_DURATION, "exponential-delay"},
    {"restart", "max_failures", "restart-strategy.failure-rate.max-failures-per-interval",
     GEN_FY_INT, "failure-rate"},
    {"restart", "interval", "restart-strategy.failure-rate.failure-rate-interval", GEN_FY_DURATION,
     "failure-rate"},
    {"restart", "delay", "restart-strategy.failure-rate.delay", GEN_FY_DURATION, "failure-rate"},
    {0},
};

static bool branch_in(const char *b, size_t n, const void *arg)
{
    char *copy = strndup(b, n);
    bool hit = copy && gen_fy_regex_has_branch(arg, copy);
    free(copy);
    return hit;
}

bool gen_fy_regex_share_branch(const char *a, const char *b)
{
    return each_branch(a, branch_in, b);
}

/* Flink restart-strategy.type names (and their aliases) -> Sluice's. */
const char *gen_fy_restart_name(const char *t)
{
    static const char *const names[][2] = {
        {"none", "none"},
        {"off", "none"},
        {"disable", "none"},
        {"fixed-delay", "fixed-delay"},
        {"fixeddelay", "fixed-delay"},
        {"exponential-delay", "exponential-delay"},
        {"exponentialdelay", "exponential-delay"},
        {"failure-rate", "failure-rate"},
        {"failurerate", "failure-rate"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(names[i][0], t) == 0)
            return names[i][1];
    }
    return NULL;
}
