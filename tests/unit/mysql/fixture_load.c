/* Loading and feeding binlog fixtures (tests/fixtures/binlog/README.md, "JSON fixture format"). */
#include "tests/unit/mysql/fixture_load.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/test.h"
#include "tests/unit/mysql/fixture_canon.h"

char *fixture_path(const char *rel)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "tests/fixtures/binlog/%s", rel);
    return strdup(test_source_path(tmp));
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **fixture_names(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    size_t n = 0, cap = 16;
    char **names = calloc(cap + 1, sizeof *names);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        if (n == cap) {
            cap *= 2;
            names = realloc(names, (cap + 1) * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    names[n] = NULL;
    qsort(names, n, sizeof *names, cmp_names);
    return names;
}

void fixture_names_free(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *fixture_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2)
        return NULL;
    uint8_t *b = malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return b;
}

uint8_t *fixture_wrap_body(unsigned type, const uint8_t *body, size_t len, size_t *out_len)
{
    size_t n = OP_BINLOG_HEADER_SIZE + len;
    uint8_t *e = calloc(1, n);
    e[4] = (uint8_t)type;
    for (int i = 0; i < 4; i++)
        e[9 + i] = (uint8_t)(n >> (8 * i));
    memcpy(e + OP_BINLOG_HEADER_SIZE, body, len);
    *out_len = n;
    return e;
}

int fixture_type_code(const char *event_type)
{
    const char *p = event_type, *last = NULL;
    while ((p = strchr(p, '(')) != NULL) {
        if (p[1] >= '0' && p[1] <= '9')
            last = p + 1;
        p++;
    }
    return last ? atoi(last) : -1;
}

/* Decodes bytes as one event and throws the result away (context events). */
static int feed(op_binlog_decoder *d, const uint8_t *event, size_t len, rt_err *err)
{
    op_binlog_event ev;
    return op_binlog_decoder_decode(d, event, len, &ev, err);
}

int fixture_feed_context(op_binlog_decoder *d, const json_t *context, rt_err *err)
{
    const char *fx = json_string_value(json_object_get(context, "table_map_fixture"));
    const char *full = json_string_value(json_object_get(context, "table_map_hex"));
    const char *body = json_string_value(json_object_get(context, "table_map_body_hex"));
    char *path = NULL;
    json_t *other = NULL;
    if (fx) {
        char rel[512];
        snprintf(rel, sizeof rel, "events/%s.json", fx);
        path = fixture_path(rel);
        other = json_load_file(path, 0, NULL);
        full = json_string_value(json_object_get(other, "hex"));
        if (!full) {
            free(path);
            json_decref(other);
            return rt_err_set(err, RT_ENOTFOUND, "context fixture %s not found", fx);
        }
    }
    int rc = 0;
    size_t len;
    if (full) {
        uint8_t *b = fixture_unhex(full, &len);
        rc = b ? feed(d, b, len, err) : rt_err_set(err, RT_EINVAL, "bad hex");
        free(b);
    } else if (body) {
        uint8_t *b = fixture_unhex(body, &len);
        size_t elen;
        uint8_t *e = b ? fixture_wrap_body(OP_BINLOG_TABLE_MAP_EVENT, b, len, &elen) : NULL;
        rc = e ? feed(d, e, elen, err) : rt_err_set(err, RT_EINVAL, "bad hex");
        free(b);
        free(e);
    }
    free(path);
    json_decref(other);
    return rc;
}

json_t *fixture_decode(op_binlog_decoder *d, const char *framing, unsigned type,
                       const uint8_t *bytes, size_t len, rt_err *err)
{
    uint8_t *wrapped = NULL;
    const uint8_t *event = bytes;
    bool full = strncmp(framing, "full_event", 10) == 0;
    if (!full && strncmp(framing, "event_body", 10) == 0) {
        wrapped = fixture_wrap_body(type, bytes, len, &len);
        event = wrapped;
    } else if (!full) {
        rt_err_set(err, RT_EINVAL, "framing '%s' is not an event", framing);
        return NULL;
    }
    op_binlog_event ev;
    json_t *out = NULL;
    if (op_binlog_decoder_decode(d, event, len, &ev, err) == 0)
        out = canon_event(&ev, d, err);
    if (out && full)
        json_object_set_new(out, "crc32_valid", json_boolean(op_binlog_checksum_ok(event, len)));
    free(wrapped);
    return out;
}
