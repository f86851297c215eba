/* The starrocks sink's schema evolution, without a server: the schema_change config and its
 * validation; the decision of every change type under every behaviour (the target operations,
 * or the failure); a primary-key change; the projection of queued operations; the SQL and the
 * idempotence check of each operation; the queue and its checkpoint-state codec (round trip,
 * binary bodies, corrupt states); the MySQL type text -> StarRocks type mapping; table_meta's
 * nullability and edits. */
#include "tests/harness/test.h"

#include <stdlib.h>

#include "operators/starrocks/sink_config.h"
#include "operators/starrocks/sink_ddl.h"
#include "operators/starrocks/sink_pending.h"
#include "operators/starrocks/sink_schema.h"
#include "operators/starrocks/source_ddl.h"
#include "operators/starrocks/sr_type_map.h"
#include "runtime/batch.h"

/* --- The config --- */

static int config_check(const char *extra, rt_err *err)
{
    char json[1024];
    snprintf(json, sizeof json, "{\"load_url\":\"h:1\",\"query_url\":\"h:2\",\"database\":\"d\"%s}",
             extra);
    op_sr_sink_config c;
    memset(&c, 0, sizeof c);
    int rc = rt_config_apply(op_sr_sink_config_fields, &c, json, "$.c", err);
    if (rc == 0)
        rc = op_sr_sink_config_validate(&c, "$.c", err);
    rt_config_free(op_sr_sink_config_fields, &c);
    return rc;
}

TEST(policy_defaults_overrides_and_errors)
{
    op_sr_sc_policy p;
    rt_err err = {0};
    CHECK_OK(op_sr_sc_policy_parse(NULL, "$.s", &p, &err), &err);
    CHECK_INT_EQ(p.behavior, OP_SR_SC_LENIENT);
    CHECK_INT_EQ(p.timeout_ms, 600000);
    for (int c = 0; c < OP_SR_SC_CHANGE_COUNT; c++)
        CHECK_INT_EQ(p.per_change[c], OP_SR_SC_LENIENT);
    CHECK_OK(op_sr_sc_policy_parse("{\"behavior\":\"evolve\",\"overrides\":{\"drop_column\":"
                                   "\"ignore\",\"truncate_table\":\"exception\"},\"timeout\":"
                                   "\"30s\"}",
                                   "$.s", &p, &err),
             &err);
    CHECK_INT_EQ(p.behavior, OP_SR_SC_EVOLVE);
    CHECK_INT_EQ(p.per_change[OP_SR_SC_ADD_COLUMN], OP_SR_SC_EVOLVE);
    CHECK_INT_EQ(p.per_change[OP_SR_SC_DROP_COLUMN], OP_SR_SC_IGNORE);
    CHECK_INT_EQ(p.per_change[OP_SR_SC_TRUNCATE_TABLE], OP_SR_SC_EXCEPTION);
    CHECK_INT_EQ(p.timeout_ms, 30000);

    CHECK_INT_EQ(op_sr_sc_policy_parse("{\"behavior\":\"bold\"}", "$.s", &p, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.s.behavior: expected lenient, evolve, try_evolve");
    CHECK_INT_EQ(
        op_sr_sc_policy_parse("{\"overrides\":{\"add_index\":\"ignore\"}}", "$.s", &p, &err),
        RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.s.overrides.add_index: unknown change type");
    CHECK_INT_EQ(
        op_sr_sc_policy_parse("{\"overrides\":{\"add_column\":\"maybe\"}}", "$.s", &p, &err),
        RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.s.overrides.add_column: expected lenient");
    CHECK_INT_EQ(op_sr_sc_policy_parse("{\"mode\":\"evolve\"}", "$.s", &p, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.s.mode: unknown key");
    CHECK_INT_EQ(op_sr_sc_policy_parse("{\"timeout\":\"soon\"}", "$.s", &p, &err), RT_EINVAL);

    /* Job validation sees the same errors with the sink's path. */
    CHECK_OK(config_check(",\"schema_change\":{\"behavior\":\"try_evolve\"}", &err), &err);
    CHECK_INT_EQ(config_check(",\"schema_change\":{\"behavior\":\"evolv\"}", &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.c.schema_change.behavior");
    CHECK_INT_EQ(config_check(",\"schema_change\":{\"overrides\":{\"drop\":\"ignore\"}}", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "$.c.schema_change.overrides.drop");
    CHECK_INT_EQ(config_check(",\"create_properties\":[1]", &err), RT_EINVAL);
    CHECK_OK(config_check(",\"create_properties\":{\"replication_num\":\"3\"},"
                          "\"create_buckets\":4",
                          &err),
             &err);
}

/* --- Schemas and records --- */

/* The source table before every change: id BIGINT key, name VARCHAR(20) NOT NULL, amount
 * DECIMAL(10,2), note VARCHAR(10). */
static const rt_column base_cols[] = {
    {.name = "id", .type = RT_TYPE_INT, .sql_type = "bigint", .primary_key = true},
    {.name = "name", .type = RT_TYPE_STRING, .sql_type = "varchar(20)"},
    {.name = "amount", .type = RT_TYPE_DECIMAL, .sql_type = "decimal(10,2)", .nullable = true},
    {.name = "note", .type = RT_TYPE_STRING, .sql_type = "varchar(10)", .nullable = true},
};

/* The target as generate made it. */
#define TARGET_DDL                                                                                 \
    "CREATE TABLE `t` (\n  `id` bigint(20) NOT NULL COMMENT \"\",\n  `name` varchar(80) NOT "      \
    "NULL,\n  `amount` decimal(10, 2) NULL,\n  `note` varchar(40) NULL DEFAULT \"x\"\n) "          \
    "ENGINE=OLAP PRIMARY KEY(`id`) DISTRIBUTED BY HASH(`id`) BUCKETS 1"

static op_sr_table_meta *target_meta(void)
{
    op_sr_table_meta *m = NULL;
    rt_err err = {0};
    CHECK_OK(op_sr_table_meta_parse(TARGET_DDL, strlen(TARGET_DDL), &m, &err), &err);
    return m;
}

typedef struct sc_case {
    rt_batch *b;
    rt_table *before, *after;
    const rt_record *r;
} sc_case;

static rt_table *table_of(const char *name, const rt_column *cols, size_t n)
{
    rt_err err = {0};
    rt_table *t = rt_table_new("src", name, cols, n, &err);
    CHECK(t != NULL);
    return t;
}

/* An SC record of kind k: before = base (NULL for CREATE), after = cols with origin map. */
static void sc_make(sc_case *c, rt_schema_change_kind k, const char *after_name,
                    const rt_column *cols, size_t n, const int32_t *origin)
{
    memset(c, 0, sizeof *c);
    c->b = rt_batch_new(NULL);
    c->before = k == RT_SCHEMA_CREATE_TABLE ? NULL : table_of("t", base_cols, 4);
    c->after = table_of(after_name, cols, n);
    rt_record *r =
        rt_batch_add_schema_change(c->b, k, c->after, c->before, "ALTER TABLE t ...", 17);
    if (origin)
        CHECK_INT_EQ(rt_batch_set_schema_origin(c->b, r, origin, n), 0);
    c->r = r;
}

static void sc_free(sc_case *c)
{
    rt_batch_unref(c->b);
    rt_table_free(c->before);
    rt_table_free(c->after);
}

/* Plans c under behaviour b for every change type; "ops" joined with "; " into out, or "ERR:"
 * and the code name. */
static void plan_text(const sc_case *c, op_sr_sc_behavior b, const op_sr_table_meta *meta,
                      const char *target, char *out, size_t size, rt_err *err)
{
    op_sr_sc_policy pol;
    CHECK_OK(op_sr_sc_policy_parse(NULL, "$", &pol, err), err);
    for (int k = 0; k < OP_SR_SC_CHANGE_COUNT; k++)
        pol.per_change[k] = b;
    op_sr_sc_plan p;
    int rc = op_sr_sc_plan_make(&pol, c->r, "d", target, false, meta, NULL, &p, err);
    if (rc != 0) {
        snprintf(out, size, "ERR:%s", rt_err_code_name(rc));
        return;
    }
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p.op_count; i++) {
        char d[400];
        op_sr_ddl_describe(&p.ops[i], d, sizeof d);
        o += (size_t)snprintf(out + o, size - o, "%s%s", i ? "; " : "", d);
    }
    op_sr_sc_plan_fini(&p);
}

/* The expected operations of one change under lenient, evolve, try_evolve, ignore, exception. */
typedef struct expect {
    const char *what;
    const char *by[5];
} expect;

static void check_matrix(const sc_case *c, const expect *e, const op_sr_table_meta *meta,
                         const char *target)
{
    for (int b = 0; b < 5; b++) {
        char got[1024];
        rt_err err = {0};
        plan_text(c, (op_sr_sc_behavior)b, meta, target, got, sizeof got, &err);
        if (strcmp(got, e->by[b]) != 0)
            test_fail(__FILE__, __LINE__, "%s under %s: got \"%s\", want \"%s\" (%s)", e->what,
                      op_sr_sc_behavior_name((op_sr_sc_behavior)b), got, e->by[b], err.msg);
        if (b == OP_SR_SC_EXCEPTION) {
            CHECK_STR_CONTAINS(err.msg, "d.");
            CHECK_STR_CONTAINS(err.msg, "exception");
        }
    }
}

TEST(every_change_type_under_every_behavior)
{
    op_sr_table_meta *meta = target_meta();
    sc_case c;
    /* ADD extra INT after amount. */
    {
        rt_column cols[] = {
            base_cols[0],
            base_cols[1],
            base_cols[2],
            {.name = "extra", .type = RT_TYPE_INT, .sql_type = "int", .nullable = true},
            base_cols[3]};
        int32_t origin[] = {0, 1, 2, -1, 3};
        sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 5, origin);
        expect e = {"add_column",
                    {"ADD COLUMN extra INT NULL AFTER amount",
                     "ADD COLUMN extra INT NULL AFTER amount",
                     "ADD COLUMN extra INT NULL AFTER amount", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t");
        sc_free(&c);
    }
    /* DROP name (NOT NULL in the target). */
    {
        rt_column cols[] = {base_cols[0], base_cols[2], base_cols[3]};
        int32_t origin[] = {0, 2, 3};
        sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 3, origin);
        expect e = {"drop_column",
                    {"MODIFY COLUMN name varchar(80) NULL", "DROP COLUMN name", "DROP COLUMN name",
                     "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t");
        sc_free(&c);
    }
    /* RENAME note TO memo. */
    {
        rt_column memo = base_cols[3];
        memo.name = "memo";
        rt_column cols[] = {base_cols[0], base_cols[1], base_cols[2], memo};
        int32_t origin[] = {0, 1, 2, 3};
        sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 4, origin);
        expect e = {"rename_column",
                    {"ADD COLUMN memo VARCHAR(40) NULL AFTER amount", "RENAME COLUMN note TO memo",
                     "RENAME COLUMN note TO memo", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t");
        sc_free(&c);
    }
    /* MODIFY amount DECIMAL(10,2) -> DECIMAL(12,2): a widening. */
    {
        rt_column amount = base_cols[2];
        amount.sql_type = "decimal(12,2)";
        rt_column cols[] = {base_cols[0], base_cols[1], amount, base_cols[3]};
        int32_t origin[] = {0, 1, 2, 3};
        sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 4, origin);
        expect e = {"modify_column (widening)",
                    {"MODIFY COLUMN amount DECIMAL(12,2) NULL",
                     "MODIFY COLUMN amount DECIMAL(12,2) NULL",
                     "MODIFY COLUMN amount DECIMAL(12,2) NULL", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t");
        sc_free(&c);
    }
    /* MODIFY note VARCHAR(10) -> VARCHAR(5) -> VARCHAR(20) in StarRocks, narrower than the
     * target's VARCHAR(40): evolve refuses, the rest keep the column. */
    {
        rt_column note = base_cols[3];
        note.sql_type = "varchar(5)";
        rt_column cols[] = {base_cols[0], base_cols[1], base_cols[2], note};
        int32_t origin[] = {0, 1, 2, 3};
        sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 4, origin);
        expect e = {"modify_column (narrowing)",
                    {"", "ERR:EUNSUPPORTED", "", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t");
        sc_free(&c);
    }
    /* MODIFY amount DECIMAL(10,2) -> VARCHAR(30): no common type for lenient. */
    {
        rt_column amount = base_cols[2];
        amount.sql_type = "varchar(30)";
        amount.type = RT_TYPE_STRING;
        rt_column cols[] = {base_cols[0], base_cols[1], amount, base_cols[3]};
        int32_t origin[] = {0, 1, 2, 3};
        sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 4, origin);
        expect e = {"modify_column (other type)",
                    {"", "ERR:EUNSUPPORTED", "", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t");
        sc_free(&c);
    }
    /* CREATE TABLE t2 (absent in the target). */
    {
        sc_make(&c, RT_SCHEMA_CREATE_TABLE, "t2", base_cols, 4, NULL);
        expect e = {
            "create_table",
            {"CREATE TABLE t2", "CREATE TABLE t2", "CREATE TABLE t2", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, NULL, "t2");
        /* It exists already: nothing to do (but exception still refuses). */
        expect e2 = {"create_table (exists)", {"", "", "", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e2, meta, "t2");
        sc_free(&c);
    }
    /* TRUNCATE and DROP TABLE: only evolve and try_evolve delete rows. */
    {
        sc_make(&c, RT_SCHEMA_TRUNCATE_TABLE, "t", base_cols, 4, NULL);
        expect e = {"truncate_table",
                    {"", "TRUNCATE TABLE t", "TRUNCATE TABLE t", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t");
        sc_free(&c);
        sc_make(&c, RT_SCHEMA_DROP_TABLE, "t", base_cols, 4, NULL);
        expect d = {"drop_table", {"", "DROP TABLE t", "DROP TABLE t", "", "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &d, meta, "t");
        sc_free(&c);
    }
    /* RENAME TABLE t TO t3 (meta: the old table's). */
    {
        sc_make(&c, RT_SCHEMA_RENAME_TABLE, "t3", base_cols, 4, NULL);
        expect e = {"rename_table",
                    {"RENAME TABLE t TO t3", "RENAME TABLE t TO t3", "RENAME TABLE t TO t3", "",
                     "ERR:EUNSUPPORTED"}};
        check_matrix(&c, &e, meta, "t3");
        sc_free(&c);
    }
    op_sr_table_meta_free(meta);
}

TEST(primary_key_change_fails_with_what_to_do)
{
    op_sr_table_meta *meta = target_meta();
    rt_column id = base_cols[0], name = base_cols[1];
    name.primary_key = true;
    rt_column cols[] = {id, name, base_cols[2], base_cols[3]};
    int32_t origin[] = {0, 1, 2, 3};
    sc_case c;
    sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 4, origin);
    for (int b = 0; b < 5; b++) {
        char got[256];
        rt_err err = {0};
        plan_text(&c, (op_sr_sc_behavior)b, meta, "t", got, sizeof got, &err);
        CHECK_STR_EQ(got, "ERR:EUNSUPPORTED");
        CHECK_STR_CONTAINS(err.msg, "d.t: the source's primary key changed");
        CHECK_STR_CONTAINS(err.msg, "startup \"initial\"");
    }
    sc_free(&c);
    op_sr_table_meta_free(meta);
}

TEST(plan_projects_the_target_and_composes)
{
    /* Rename note -> memo and widen it in one change: RENAME then MODIFY of the new name. */
    op_sr_table_meta *meta = target_meta();
    rt_column memo = base_cols[3];
    memo.name = "memo";
    memo.sql_type = "varchar(100)";
    rt_column cols[] = {base_cols[0], base_cols[1], base_cols[2], memo};
    int32_t origin[] = {0, 1, 2, 3};
    sc_case c;
    sc_make(&c, RT_SCHEMA_ALTER_TABLE, "t", cols, 4, origin);
    char got[512];
    rt_err err = {0};
    plan_text(&c, OP_SR_SC_EVOLVE, meta, "t", got, sizeof got, &err);
    CHECK_STR_EQ(got, "RENAME COLUMN note TO memo; MODIFY COLUMN memo VARCHAR(400) NULL");

    op_sr_sc_policy pol;
    CHECK_OK(op_sr_sc_policy_parse("{\"behavior\":\"evolve\"}", "$", &pol, &err), &err);
    op_sr_sc_plan p;
    CHECK_OK(op_sr_sc_plan_make(&pol, c.r, "d", "t", false, meta, NULL, &p, &err), &err);
    CHECK(p.after != NULL);
    if (p.after) {
        CHECK_INT_EQ(op_sr_table_meta_column_index(p.after, "note"), -1);
        long i = op_sr_table_meta_column_index(p.after, "memo");
        CHECK_INT_EQ(i, 3);
        if (i >= 0)
            CHECK_STR_EQ(op_sr_table_meta_column_type(p.after, (size_t)i), "varchar(400)");
    }
    /* The same ops replayed on the live target give the same table (the restore's projection). */
    op_sr_table_meta *m = NULL;
    CHECK_OK(op_sr_table_meta_copy(meta, &m, &err), &err);
    for (size_t k = 0; k < p.op_count; k++)
        CHECK_OK(op_sr_sc_project(&p.ops[k], &m, NULL, &err), &err);
    CHECK_INT_EQ(op_sr_table_meta_column_index(m, "memo"), 3);
    CHECK_STR_EQ(op_sr_table_meta_column_type(m, 3), "varchar(400)");
    op_sr_table_meta_free(m);
    op_sr_sc_plan_fini(&p);
    sc_free(&c);
    op_sr_table_meta_free(meta);
}

TEST(create_table_statement)
{
    rt_err err = {0};
    rt_table *t = table_of("orders", base_cols, 4);
    rt_buf b;
    rt_buf_init(&b);
    op_sr_table_meta *m = NULL;
    const char *names[] = {"replication_num", "compression"};
    const char *values[] = {"3", "LZ4"};
    op_sr_sc_create cr = {
        .buckets = 2, .property_names = names, .property_values = values, .property_count = 2};
    CHECK_OK(op_sr_ddl_create_sql(t, "dw", "orders", &cr, &b, &m, &err), &err);
    CHECK_STR_EQ(b.data, "CREATE TABLE IF NOT EXISTS `dw`.`orders` (\n"
                         "    `id` BIGINT NOT NULL,\n"
                         "    `name` VARCHAR(80) NOT NULL,\n"
                         "    `amount` DECIMAL(10,2) NULL,\n"
                         "    `note` VARCHAR(40) NULL\n"
                         ")\nENGINE=OLAP\nPRIMARY KEY (`id`)\nDISTRIBUTED BY HASH(`id`) BUCKETS 2\n"
                         "PROPERTIES (\"replication_num\" = \"3\", \"compression\" = \"LZ4\")");
    CHECK_INT_EQ(op_sr_table_meta_model(m), OP_SR_MODEL_PRIMARY_KEY);
    CHECK_UINT_EQ(op_sr_table_meta_column_count(m), 4);
    op_sr_table_meta_free(m);
    /* The statement parses back as the same table (what a restore projects from it). */
    op_sr_table_meta *back = NULL;
    CHECK_OK(op_sr_table_meta_parse(b.data, b.len, &back, &err), &err);
    CHECK_UINT_EQ(back ? op_sr_table_meta_column_count(back) : 0, 4);
    CHECK(back && op_sr_table_meta_column_is_key(back, 0));
    CHECK(back && !op_sr_table_meta_column_is_nullable(back, 1));
    CHECK(back && op_sr_table_meta_column_is_nullable(back, 2));
    op_sr_table_meta_free(back);
    rt_table_free(t);
    /* Without a key: DUPLICATE KEY on the first column, replication_num 1 by default. */
    rt_column nokey[] = {
        {.name = "ts", .type = RT_TYPE_DATETIME, .sql_type = "datetime(6)"},
        {.name = "msg", .type = RT_TYPE_STRING, .sql_type = "text", .nullable = true}};
    t = table_of("log", nokey, 2);
    rt_buf_reset(&b);
    CHECK_OK(op_sr_ddl_create_sql(t, "dw", "log", NULL, &b, &m, &err), &err);
    CHECK_STR_CONTAINS(b.data, "`ts` DATETIME NOT NULL,\n    `msg` STRING NULL\n");
    CHECK_STR_CONTAINS(b.data, "DUPLICATE KEY (`ts`)\nDISTRIBUTED BY HASH(`ts`)\n"
                               "PROPERTIES (\"replication_num\" = \"1\")");
    CHECK_INT_EQ(op_sr_table_meta_model(m), OP_SR_MODEL_DUPLICATE_KEY);
    op_sr_table_meta_free(m);
    rt_table_free(t);
    rt_buf_fini(&b);
}

TEST(default_of_an_added_column_from_the_source_ddl)
{
    struct {
        const char *ddl, *column, *want; /* want NULL: none */
    } cases[] = {
        {"ALTER TABLE t1 ADD COLUMN g INT NOT NULL DEFAULT 7, ALGORITHM=INSTANT", "g", "\"7\""},
        {"alter table t add `G` varchar(10) default 'a''b\\\"c'", "g", "\"a'b\\\"c\""},
        {"ALTER TABLE t ADD COLUMN e VARCHAR(10) NULL AFTER v, ADD COLUMN f INT NULL", "f", NULL},
        {"ALTER TABLE t ADD COLUMN h DATETIME DEFAULT CURRENT_TIMESTAMP", "h", "CURRENT_TIMESTAMP"},
        {"ALTER TABLE t ADD COLUMN n DECIMAL(5,2) DEFAULT -1.5 COMMENT 'x'", "n", "\"-1.5\""},
        {"ALTER TABLE t ADD COLUMN x INT DEFAULT NULL", "x", NULL},
        {"ALTER TABLE t ADD COLUMN y INT, ADD COLUMN z INT DEFAULT 3", "y", NULL},
        {"ALTER TABLE t ADD COLUMN y INT, ADD COLUMN z INT DEFAULT 3", "z", "\"3\""},
        {"ALTER TABLE t ADD COLUMN d INT DEFAULT (1 + 1)", "d", NULL},
        {"ALTER TABLE t ADD COLUMN s VARCHAR(5) DEFAULT _utf8mb4'hi'", "s", "\"hi\""},
        {"ALTER TABLE t MODIFY COLUMN g INT DEFAULT 7", "g", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64] = "";
        bool found = op_sr_source_ddl_default(cases[i].ddl, strlen(cases[i].ddl), cases[i].column,
                                              out, sizeof out);
        if (found != (cases[i].want != NULL) || (found && strcmp(out, cases[i].want) != 0))
            test_fail(__FILE__, __LINE__, "%s (%s): got %s%s, want %s", cases[i].ddl,
                      cases[i].column, found ? "" : "none ", out,
                      cases[i].want ? cases[i].want : "none");
    }
    /* The plan carries it to the ADD, and the SQL renders it. */
    op_sr_table_meta *meta = target_meta();
    rt_column cols[] = {base_cols[0],
                        base_cols[1],
                        base_cols[2],
                        base_cols[3],
                        {.name = "g", .type = RT_TYPE_INT, .sql_type = "int"}};
    int32_t origin[] = {0, 1, 2, 3, -1};
    sc_case c;
    memset(&c, 0, sizeof c);
    c.b = rt_batch_new(NULL);
    c.before = table_of("t", base_cols, 4);
    c.after = table_of("t", cols, 5);
    const char *ddl = "ALTER TABLE t ADD COLUMN g INT NOT NULL DEFAULT 7";
    rt_record *r =
        rt_batch_add_schema_change(c.b, RT_SCHEMA_ALTER_TABLE, c.after, c.before, ddl, strlen(ddl));
    rt_batch_set_schema_origin(c.b, r, origin, 5);
    c.r = r;
    char got[256];
    rt_err err = {0};
    plan_text(&c, OP_SR_SC_EVOLVE, meta, "t", got, sizeof got, &err);
    CHECK_STR_EQ(got, "ADD COLUMN g INT NULL DEFAULT \"7\" AFTER note");
    sc_free(&c);
    op_sr_table_meta_free(meta);
    rt_buf b;
    rt_buf_init(&b);
    op_sr_ddl_op op = {.kind = OP_SR_DDL_ADD_COLUMN,
                       .table = "t",
                       .column = "g",
                       .type = "INT",
                       .nullable = true,
                       .def = "\"7\""};
    op_sr_ddl_render("d", &op, &b);
    CHECK_STR_EQ(b.data, "ALTER TABLE `d`.`t` ADD COLUMN `g` INT NULL DEFAULT \"7\"");
    rt_buf_fini(&b);
}

/* --- SQL and idempotence --- */

TEST(render_and_idempotence_checks)
{
    rt_buf b;
    rt_buf_init(&b);
    struct {
        op_sr_ddl_op op;
        const char *sql;
    } cases[] = {
        {{.kind = OP_SR_DDL_ADD_COLUMN,
          .table = "t",
          .column = "c",
          .type = "INT",
          .nullable = true,
          .after = "b"},
         "ALTER TABLE `d`.`t` ADD COLUMN `c` INT NULL AFTER `b`"},
        {{.kind = OP_SR_DDL_DROP_COLUMN, .table = "t", .column = "c`x"},
         "ALTER TABLE `d`.`t` DROP COLUMN `c``x`"},
        {{.kind = OP_SR_DDL_MODIFY_COLUMN,
          .table = "t",
          .column = "c",
          .type = "BIGINT",
          .nullable = false},
         "ALTER TABLE `d`.`t` MODIFY COLUMN `c` BIGINT NOT NULL"},
        {{.kind = OP_SR_DDL_RENAME_COLUMN, .table = "t", .column = "a", .new_name = "b"},
         "ALTER TABLE `d`.`t` RENAME COLUMN `a` TO `b`"},
        {{.kind = OP_SR_DDL_RENAME_TABLE, .table = "t", .new_name = "u"},
         "ALTER TABLE `d`.`t` RENAME `u`"},
        {{.kind = OP_SR_DDL_TRUNCATE_TABLE, .table = "t"}, "TRUNCATE TABLE `d`.`t`"},
        {{.kind = OP_SR_DDL_DROP_TABLE, .table = "t"}, "DROP TABLE IF EXISTS `d`.`t`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rt_buf_reset(&b);
        op_sr_ddl_render("d", &cases[i].op, &b);
        rt_buf_append_str(&b, "");
        CHECK_STR_EQ(b.data, cases[i].sql);
    }
    rt_buf_fini(&b);

    op_sr_table_meta *m = target_meta(); /* id, name varchar(80) NOT NULL, amount, note */
    op_sr_table_meta *u = target_meta();
    op_sr_ddl_target live = {.meta = m}, absent = {0};
    op_sr_ddl_op add = {.kind = OP_SR_DDL_ADD_COLUMN,
                        .table = "t",
                        .column = "extra",
                        .type = "INT",
                        .nullable = true};
    CHECK(!op_sr_ddl_is_applied(&add, &live));
    add.column = "NOTE"; /* column names are case-insensitive */
    CHECK(op_sr_ddl_is_applied(&add, &live));
    op_sr_ddl_op drop = {.kind = OP_SR_DDL_DROP_COLUMN, .table = "t", .column = "note"};
    CHECK(!op_sr_ddl_is_applied(&drop, &live));
    drop.column = "gone";
    CHECK(op_sr_ddl_is_applied(&drop, &live));
    op_sr_ddl_op ren = {
        .kind = OP_SR_DDL_RENAME_COLUMN, .table = "t", .column = "note", .new_name = "memo"};
    CHECK(!op_sr_ddl_is_applied(&ren, &live));
    ren.column = "memo0";
    CHECK(op_sr_ddl_is_applied(&ren, &live)); /* the old name is gone: it ran */
    ren.column = "note";
    ren.new_name = "amount";
    CHECK(op_sr_ddl_is_applied(&ren, &live)); /* the new name is there */
    op_sr_ddl_op mod = {.kind = OP_SR_DDL_MODIFY_COLUMN,
                        .table = "t",
                        .column = "amount",
                        .type = "DECIMAL(12,2)",
                        .nullable = true};
    CHECK(!op_sr_ddl_is_applied(&mod, &live));
    mod.type = "DECIMAL(10,2)"; /* "decimal(10, 2)" in SHOW CREATE TABLE */
    CHECK(op_sr_ddl_is_applied(&mod, &live));
    mod.nullable = false;
    CHECK(!op_sr_ddl_is_applied(&mod, &live));
    op_sr_ddl_op mname = {.kind = OP_SR_DDL_MODIFY_COLUMN,
                          .table = "t",
                          .column = "name",
                          .type = "VARCHAR(80)",
                          .nullable = true};
    CHECK(!op_sr_ddl_is_applied(&mname, &live)); /* NOT NULL -> NULL still to do */
    op_sr_ddl_op create = {.kind = OP_SR_DDL_CREATE_TABLE, .table = "t", .create = "x"};
    CHECK(op_sr_ddl_is_applied(&create, &live));
    CHECK(!op_sr_ddl_is_applied(&create, &absent));
    op_sr_ddl_op dropt = {.kind = OP_SR_DDL_DROP_TABLE, .table = "t"};
    CHECK(!op_sr_ddl_is_applied(&dropt, &live));
    CHECK(op_sr_ddl_is_applied(&dropt, &absent));
    op_sr_ddl_op rent = {.kind = OP_SR_DDL_RENAME_TABLE, .table = "t", .new_name = "u"};
    CHECK(!op_sr_ddl_is_applied(&rent, &live));
    op_sr_ddl_target both = {.meta = m, .new_meta = u};
    CHECK(op_sr_ddl_is_applied(&rent, &both));
    CHECK(op_sr_ddl_is_applied(&rent, &absent));
    op_sr_ddl_op trunc = {.kind = OP_SR_DDL_TRUNCATE_TABLE, .table = "t"};
    CHECK(!op_sr_ddl_is_applied(&trunc, &live));
    op_sr_ddl_target empty = {.meta = m, .empty = true};
    CHECK(op_sr_ddl_is_applied(&trunc, &empty));
    op_sr_table_meta_free(m);
    op_sr_table_meta_free(u);
}

/* --- The queue and its state --- */

TEST(queue_state_round_trip)
{
    rt_err err = {0};
    op_sr_queue *q = NULL;
    CHECK_OK(op_sr_queue_new(&q, &err), &err);
    op_sr_ddl_op ops[] = {
        {.kind = OP_SR_DDL_ADD_COLUMN,
         .change = OP_SR_SC_ADD_COLUMN,
         .behavior = OP_SR_SC_EVOLVE,
         .table = "t",
         .column = "c",
         .type = "INT",
         .nullable = true,
         .after = "b",
         .def = "\"7\""},
        {.kind = OP_SR_DDL_CREATE_TABLE,
         .change = OP_SR_SC_CREATE_TABLE,
         .behavior = OP_SR_SC_LENIENT,
         .table = "t",
         .create = "CREATE TABLE `t` (`a` INT)"},
    };
    CHECK_OK(op_sr_queue_push_ddl(q, 7, ops, 2, "src.t", "ALTER TABLE t ADD c INT", 23, &err),
             &err);
    const char bin[] = "1\t\x00\xff\"x\n2\t\\N\n";
    rt_buf *body;
    CHECK_OK(op_sr_queue_body(q, "a,c,__op", &body, &err), &err);
    rt_buf_append(body, bin, sizeof bin - 1);
    op_sr_queue_rows_added(q, 2);
    CHECK_OK(op_sr_queue_body(q, "a,c,__op", &body, &err), &err); /* same columns: same item */
    rt_buf_append(body, "3\t4\n", 4);
    op_sr_queue_rows_added(q, 1);
    CHECK_OK(op_sr_queue_push_ddl(q, 9, ops, 1, "src.t", "ALTER 2", 7, &err), &err);
    CHECK_OK(op_sr_queue_body(q, "a,__op", &body, &err), &err);
    rt_buf_append(body, "5\n", 2);
    op_sr_queue_rows_added(q, 1);
    CHECK_UINT_EQ(op_sr_queue_count(q), 4);
    CHECK_UINT_EQ(op_sr_queue_ddl_count(q), 2);
    CHECK_UINT_EQ(op_sr_queue_size(q), sizeof bin - 1 + 4 + 2);

    const char *tables[] = {"t"};
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(op_sr_queue_encode(tables, &q, 1, &text, &len, &err), &err);
    op_sr_queue_set set = {0};
    CHECK_OK(op_sr_queue_decode(text, len, &set, &err), &err);
    CHECK_UINT_EQ(set.count, 1);
    if (set.count == 1) {
        CHECK_STR_EQ(set.tables[0], "t");
        op_sr_queue *r = set.queues[0];
        CHECK_UINT_EQ(op_sr_queue_count(r), 4);
        const op_sr_item *it = op_sr_queue_at(r, 0);
        CHECK_INT_EQ(it->kind, OP_SR_ITEM_DDL);
        CHECK_UINT_EQ(it->checkpoint, 7);
        CHECK_UINT_EQ(it->op_count, 2);
        CHECK_STR_EQ(it->ddl, "ALTER TABLE t ADD c INT");
        CHECK_STR_EQ(it->source, "src.t");
        CHECK_STR_EQ(it->ops[0].after, "b");
        CHECK_STR_EQ(it->ops[0].def, "\"7\"");
        CHECK_STR_EQ(it->ops[0].type, "INT");
        CHECK(it->ops[0].nullable);
        CHECK_INT_EQ(it->ops[0].behavior, OP_SR_SC_EVOLVE);
        CHECK_INT_EQ(it->ops[1].kind, OP_SR_DDL_CREATE_TABLE);
        CHECK_STR_EQ(it->ops[1].create, "CREATE TABLE `t` (`a` INT)");
        it = op_sr_queue_at(r, 1);
        CHECK_INT_EQ(it->kind, OP_SR_ITEM_BODY);
        CHECK_STR_EQ(it->columns, "a,c,__op");
        CHECK_UINT_EQ(it->rows, 3);
        CHECK_UINT_EQ(it->body.len, sizeof bin - 1 + 4);
        CHECK(it->body.len >= sizeof bin - 1 && memcmp(it->body.data, bin, sizeof bin - 1) == 0);
        it = op_sr_queue_at(r, 3);
        CHECK_STR_EQ(it->columns, "a,__op");
        CHECK_UINT_EQ(it->body.len, 2);
        /* Popping keeps the order and the counts. */
        op_sr_queue_pop(r);
        CHECK_UINT_EQ(op_sr_queue_ddl_count(r), 1);
        CHECK_INT_EQ(op_sr_queue_head(r)->kind, OP_SR_ITEM_BODY);
        op_sr_queue_pop(r);
        CHECK_UINT_EQ(op_sr_queue_head(r)->checkpoint, 9);
    }
    op_sr_queue_set_free(&set);

    /* Corrupt states: every one refused as RT_ECORRUPT, nothing read out of bounds. */
    char *bad = malloc(len);
    memcpy(bad, text, len);
    char *off = strstr(bad, "\"size\":");
    if (off)
        off[7] = '9'; /* a body longer than the bytes there are */
    CHECK_INT_EQ(op_sr_queue_decode(bad, len, &set, &err), RT_ECORRUPT);
    CHECK_INT_EQ(op_sr_queue_decode(text, strlen(text) / 2, &set, &err), RT_ECORRUPT);
    const char *bads[] = {
        "{\"v\":2,\"targets\":[]}",
        "{\"v\":1}",
        "{\"v\":1,\"targets\":[{\"table\":\"t\",\"items\":[{\"kind\":\"what\"}]}]}",
        "{\"v\":1,\"targets\":[{\"table\":\"t\",\"items\":[{\"kind\":\"ddl\",\"checkpoint\":1,"
        "\"ddl\":\"x\",\"ops\":[{\"kind\":\"add_column\",\"change\":\"add_column\","
        "\"behavior\":\"evolve\",\"table\":\"t\"}]}]}]}",
        "{\"v\":1,\"targets\":[{\"table\":\"t\",\"items\":[{\"kind\":\"body\",\"columns\":\"a\","
        "\"rows\":1,\"offset\":0,\"size\":1}]}]}",
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++)
        CHECK_INT_EQ(op_sr_queue_decode(bads[i], strlen(bads[i]), &set, &err), RT_ECORRUPT);
    free(bad);
    free(text);
    op_sr_queue_free(q);
}

TEST(queued_rows_fit_a_target_that_refused_a_change)
{
    rt_err err = {0};
    op_sr_table_meta *m = target_meta(); /* id, name, amount, note: no extra */
    op_sr_queue *q = NULL;
    CHECK_OK(op_sr_queue_new(&q, &err), &err);
    rt_buf *b;
    const char *rows = "{\"id\":1,\"extra\":10,\"note\":\"a\",\"__op\":0}\n"
                       "{\"id\":2,\"extra\":null,\"note\":\"b\",\"__op\":1}\n";
    CHECK_OK(op_sr_queue_body(q, "id,extra,note,__op", &b, &err), &err);
    rt_buf_append_str(b, rows);
    op_sr_queue_rows_added(q, 2);
    bool changed = false;
    CHECK_OK(op_sr_queue_fit_head(q, m, true, &changed, &err), &err);
    CHECK(changed);
    const op_sr_item *it = op_sr_queue_head(q);
    rt_buf_append_str((rt_buf *)&it->body, "");
    CHECK_STR_EQ(it->body.data, "{\"id\":1,\"note\":\"a\",\"__op\":0}\n"
                                "{\"id\":2,\"note\":\"b\",\"__op\":1}\n");
    CHECK_UINT_EQ(op_sr_queue_size(q), it->body.len);
    op_sr_queue_pop(q);
    CHECK_UINT_EQ(op_sr_queue_size(q), 0);
    /* CSV: the header skips the field. */
    CHECK_OK(op_sr_queue_body(q, "id,extra,note,__op", &b, &err), &err);
    rt_buf_append_str(b, "1\t10\ta\t0\n");
    op_sr_queue_rows_added(q, 1);
    CHECK_OK(op_sr_queue_fit_head(q, m, false, &changed, &err), &err);
    CHECK(changed);
    CHECK_STR_EQ(op_sr_queue_head(q)->columns, "id,__sluice_skip_1,note,__op");
    /* Rows the table takes as they are stay untouched. */
    op_sr_queue_pop(q);
    CHECK_OK(op_sr_queue_body(q, "id,NAME,__op", &b, &err), &err);
    rt_buf_append_str(b, "1\tx\t0\n");
    op_sr_queue_rows_added(q, 1);
    CHECK_OK(op_sr_queue_fit_head(q, m, false, &changed, &err), &err);
    CHECK(!changed);
    op_sr_queue_free(q);
    op_sr_table_meta_free(m);
}

/* --- Types --- */

TEST(mysql_type_text_to_starrocks)
{
    struct {
        const char *sql;
        bool key;
        const char *want;
    } cases[] = {
        {"int", false, "INT"},
        {"int(11) unsigned", false, "BIGINT"},
        {"bigint unsigned", false, "LARGEINT"},
        {"tinyint(1)", false, "TINYINT"},
        {"varchar(20)", false, "VARCHAR(80)"},
        {"varchar(20) character set latin1", false, "VARCHAR(60)"},
        {"char(10)", false, "CHAR(40)"},
        {"char(10)", true, "VARCHAR(40)"},
        {"decimal(12,2)", false, "DECIMAL(12,2)"},
        {"decimal(12,2)", true, "VARCHAR(14)"},
        {"decimal(50,2)", false, "VARCHAR(52)"},
        {"datetime(6)", false, "DATETIME"},
        {"timestamp", false, "DATETIME"},
        {"time(3)", false, "VARCHAR(17)"},
        {"text", false, "STRING"},
        {"json", false, "JSON"},
        {"enum('a','bcd')", false, "VARCHAR(3)"},
        {"blob", false, "VARBINARY(65535)"},
        {"year", false, "SMALLINT"},
        {"bit(1)", false, "BOOLEAN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_sr_type t;
        rt_err err = {0};
        char got[64] = "";
        if (op_sr_type_from_sql("c", cases[i].sql, cases[i].key, &t, NULL, &err) == 0)
            op_sr_type_format(&t, got, sizeof got);
        if (strcmp(got, cases[i].want) != 0)
            test_fail(__FILE__, __LINE__, "%s: got %s, want %s (%s)", cases[i].sql, got,
                      cases[i].want, err.msg);
    }
    op_sr_type t;
    rt_err err = {0};
    CHECK_INT_EQ(op_sr_type_from_sql("c", "frobnicate", false, &t, NULL, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "column c");

    /* StarRocks' own spelling back. */
    op_sr_type a, b;
    CHECK_OK(op_sr_type_parse("bigint(20)", &a, &err), &err);
    CHECK_INT_EQ(a.kind, OP_SR_TYPE_BIGINT);
    CHECK_OK(op_sr_type_parse("DECIMAL64(12, 2)", &a, &err), &err);
    CHECK(a.kind == OP_SR_TYPE_DECIMAL && a.precision == 12 && a.scale == 2);
    CHECK_OK(op_sr_type_parse("string", &a, &err), &err);
    CHECK_OK(op_sr_type_parse("varchar(65533)", &b, &err), &err);
    CHECK(op_sr_type_equivalent(&a, &b));
    CHECK(!op_sr_type_equal(&a, &b));
    CHECK_INT_EQ(op_sr_type_parse("geometry", &a, &err), RT_EINVAL);

    /* Widening is what MODIFY COLUMN takes. */
    op_sr_type i32 = {.kind = OP_SR_TYPE_INT}, i64 = {.kind = OP_SR_TYPE_BIGINT};
    op_sr_type v20 = {.kind = OP_SR_TYPE_VARCHAR, .len = 20},
               v40 = {.kind = OP_SR_TYPE_VARCHAR, .len = 40};
    op_sr_type d102 = {.kind = OP_SR_TYPE_DECIMAL, .precision = 10, .scale = 2};
    op_sr_type d122 = {.kind = OP_SR_TYPE_DECIMAL, .precision = 12, .scale = 2};
    CHECK(op_sr_type_is_widening(&i32, &i64));
    CHECK(!op_sr_type_is_widening(&i64, &i32));
    CHECK(op_sr_type_is_widening(&v20, &v40));
    CHECK(!op_sr_type_is_widening(&v40, &v20));
    CHECK(op_sr_type_is_widening(&d102, &d122));
    CHECK(!op_sr_type_is_widening(&d122, &d102));
    CHECK(!op_sr_type_is_widening(&i32, &v40));
}

TEST(table_meta_nullability_and_edits)
{
    op_sr_table_meta *m = target_meta();
    rt_err err = {0};
    CHECK(!op_sr_table_meta_column_is_nullable(m, 0));
    CHECK(!op_sr_table_meta_column_is_nullable(m, 1));
    CHECK(op_sr_table_meta_column_is_nullable(m, 2));
    CHECK(op_sr_table_meta_column_is_nullable(m, 3)); /* DEFAULT "x" is not NOT NULL */
    CHECK_OK(op_sr_table_meta_add_column(m, "c", "INT", true, false, "id", &err), &err);
    CHECK_STR_EQ(op_sr_table_meta_column_name(m, 1), "c");
    CHECK_STR_EQ(op_sr_table_meta_column_type(m, 1), "int");
    CHECK_OK(op_sr_table_meta_add_column(m, "z", "INT", true, false, NULL, &err), &err);
    CHECK_STR_EQ(op_sr_table_meta_column_name(m, 5), "z");
    op_sr_table_meta_drop_column(m, 1);
    CHECK_INT_EQ(op_sr_table_meta_column_index(m, "c"), -1);
    CHECK_OK(op_sr_table_meta_rename_column(m, 1, "title", &err), &err);
    CHECK_INT_EQ(op_sr_table_meta_column_index(m, "title"), 1);
    CHECK_OK(op_sr_table_meta_modify_column(m, 1, "VARCHAR(99)", true, &err), &err);
    CHECK(op_sr_table_meta_column_is_nullable(m, 1));
    CHECK_STR_EQ(op_sr_table_meta_column_type(m, 1), "varchar(99)");
    op_sr_table_meta_free(m);
}

TEST_MAIN()
