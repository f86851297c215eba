/* Helpers of the transform unit tests (tf_test.h). */
#include "tests/unit/transform/tf_test.h"

#include <stdlib.h>
#include <string.h>

#include "operators/basic/changelog.h"
#include "runtime/base/buf.h"
#include "tests/harness/test.h"

op_tf *tf_make(const op_type *type, op_tf_make_fn make, const char *json, rt_catalog *cat,
               rt_err *err)
{
    void *cfg = calloc(1, type->info.config_size);
    op_tf *tf = NULL;
    if (rt_config_apply(type->info.config, cfg, json, TF_PATH, err) == 0 &&
        make(cfg, TF_PATH, &tf, err) == 0)
        op_tf_bind(tf, cat, NULL);
    rt_config_free(type->info.config, cfg);
    free(cfg);
    return tf;
}

int tf_validate(const op_type *type, const char *json, rt_err *err)
{
    void *cfg = calloc(1, type->info.config_size);
    int rc = rt_config_apply(type->info.config, cfg, json, TF_PATH, err);
    if (rc == 0 && type->info.validate)
        rc = type->info.validate(cfg, TF_PATH, err);
    rt_config_free(type->info.config, cfg);
    free(cfg);
    return rc;
}

const rt_table *tf_table(rt_catalog *cat, const char *db, const char *name, const rt_column *cols,
                         size_t n)
{
    rt_err err = {0};
    rt_table *t = rt_table_new(db, name, cols, n, &err);
    if (!t) {
        test_fail(__FILE__, __LINE__, "rt_table_new: %s", err.msg);
        return NULL;
    }
    return rt_catalog_intern(cat, t);
}

rt_record *tf_row(rt_batch *b, rt_rowkind kind, const rt_table *t, const char *vals)
{
    rt_record *r = rt_batch_add(b, kind, t);
    const char *p = vals;
    for (size_t i = 0; i < rt_table_column_count(t); i++) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char tok[256];
        snprintf(tok, sizeof tok, "%.*s", (int)len, p);
        rt_value *v = &r->values[i];
        rt_type type = rt_table_column(t, i)->type;
        if (strcmp(tok, "null") == 0)
            *v = (rt_value){.type = RT_TYPE_NULL};
        else if (type == RT_TYPE_INT)
            *v = (rt_value){.type = RT_TYPE_INT, .i = strtoll(tok, NULL, 10)};
        else if (type == RT_TYPE_UINT)
            *v = (rt_value){.type = RT_TYPE_UINT, .u = strtoull(tok, NULL, 10)};
        else if (type == RT_TYPE_DOUBLE)
            *v = (rt_value){.type = RT_TYPE_DOUBLE, .d = strtod(tok, NULL)};
        else
            rt_batch_set_str(b, v, type, tok, strlen(tok));
        p = end ? end + 1 : p + len;
    }
    return r;
}

char *tf_lines(const rt_batch *b)
{
    op_changelog *c = op_changelog_new();
    rt_buf out;
    rt_buf_init(&out);
    rt_err err = {0};
    CHECK_OK(op_changelog_format(c, b, &out, &err), &err);
    op_changelog_free(c);
    rt_buf_append_char(&out, '\0');
    return rt_buf_take(&out);
}

char *tf_run(op_tf *tf, const rt_batch *in, bool *forward, rt_err *err)
{
    rt_batch *out = rt_batch_new(NULL);
    char *lines = NULL;
    if (op_tf_apply(tf, in, out, forward, err) == 0)
        lines = tf_lines(out);
    rt_batch_unref(out);
    return lines;
}
