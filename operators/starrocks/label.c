/* Labels of the starrocks sink: `{prefix}-{table}-{subtask}-{id}` within ^[-\w]{1,128}$. */
#include "operators/starrocks/label.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Java's \w without UNICODE_CHARACTER_CLASS (FeNameFormat [S17]): ASCII letters, digits, '_'.
 * Not isalnum(): that follows the C locale's idea of a letter. */
static bool is_label_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

static bool all_label_chars(const char *s)
{
    for (; *s; s++)
        if (!is_label_char((unsigned char)*s))
            return false;
    return true;
}

bool op_sr_label_is_valid(const char *label)
{
    if (!label)
        return false;
    size_t n = strlen(label);
    return n >= 1 && n <= OP_SR_LABEL_MAX && all_label_chars(label);
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The hashed form: 16 hex digits of the hash after '_', the sanitised name cut in front. */
#define HASH_SUFFIX_LEN 17

int op_sr_label_format(const char *prefix, const char *table, unsigned subtask, uint64_t id,
                       char *out, size_t out_size, rt_err *err)
{
    if (!prefix || !*prefix || !all_label_chars(prefix))
        return rt_err_set(err, RT_EINVAL,
                          "label prefix '%s': must be 1 or more of the characters [-_A-Za-z0-9]",
                          prefix ? prefix : "");
    if (!table || !*table)
        return rt_err_set(err, RT_EINVAL, "label: empty table name");
    if (out_size < OP_SR_LABEL_MAX + 1)
        RT_BUG("label buffer of %zu bytes", out_size);

    char tail[48];
    int tail_len = snprintf(tail, sizeof tail, "-%u-%" PRIu64, subtask, id);
    size_t fixed = strlen(prefix) + 1 + (size_t)tail_len;
    size_t room = fixed < OP_SR_LABEL_MAX ? OP_SR_LABEL_MAX - fixed : 0;
    size_t table_len = strlen(table);

    if (table_len <= room && all_label_chars(table)) {
        snprintf(out, out_size, "%s-%s%s", prefix, table, tail);
        return 0;
    }
    if (room < HASH_SUFFIX_LEN + 1)
        return rt_err_set(err, RT_EINVAL,
                          "label prefix '%s': too long to leave room for table '%.64s' within "
                          "%d characters",
                          prefix, table, OP_SR_LABEL_MAX);
    /* Sanitised and cut, then the hash of the *original* name: names that sanitise or cut to the
     * same text still differ by the hash. */
    char part[OP_SR_LABEL_MAX + 1];
    size_t keep = room - HASH_SUFFIX_LEN;
    if (keep > table_len)
        keep = table_len;
    for (size_t i = 0; i < keep; i++)
        part[i] = is_label_char((unsigned char)table[i]) ? table[i] : '_';
    snprintf(part + keep, sizeof part - keep, "_%016" PRIx64, fnv1a64(table));
    snprintf(out, out_size, "%s-%s%s", prefix, part, tail);
    return 0;
}
