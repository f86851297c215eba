/* The datagen source: the value rules of the row generator (pure), and whole jobs that check
 * every id is emitted exactly once and the rows do not depend on the parallelism. */
#include "operators/basic/datagen_rows.h"
#include "tests/harness/test.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "graph/codec.h"
#include "graph/plan.h"
#include "operators/registry.h"
#include "runtime/base/clock.h"
#include "runtime/job.h"

static op_datagen_schema *schema_ok(const char *columns, int64_t seed)
{
    op_datagen_schema *s = NULL;
    rt_err err = {0};
    int rc = op_datagen_schema_new(columns, seed, "$.columns", &s, &err);
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "schema %s -> %d: %s", columns ? columns : "(default)", rc,
                  err.msg);
    return s;
}

/* One generated row: its values and the text they point into. */
typedef struct row {
    rt_value v[64];
    char *text;
    size_t used;
} row;

static void gen_row(const op_datagen_schema *s, uint64_t id, row *r)
{
    /* Exactly the promised room, so that ASan catches a writer that goes past it. */
    r->text = realloc(r->text, op_datagen_row_max_size(s) ? op_datagen_row_max_size(s) : 1);
    r->used = op_datagen_row(s, id, r->v, r->text);
    CHECK(r->used <= op_datagen_row_max_size(s));
}

static bool is_decimal_text(const rt_value *v, unsigned int_digits, unsigned scale, bool sign)
{
    const char *p = v->s.ptr, *end = p + v->s.len;
    if (p < end && *p == '-') {
        if (!sign)
            return false;
        p++;
    }
    const char *ip = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    size_t n = (size_t)(p - ip);
    if (n == 0 || n > (int_digits ? int_digits : 1) || (n > 1 && *ip == '0'))
        return false;
    if (scale == 0)
        return p == end;
    if (p == end || *p++ != '.')
        return false;
    if ((size_t)(end - p) != scale)
        return false;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
    }
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static bool is_valid_date(const rt_temporal *t, int from_year, int to_year)
{
    return t->year >= from_year && t->year <= to_year && t->month >= 1 && t->month <= 12 &&
           t->day >= 1 && t->day <= days_in_month(t->year, t->month);
}

static bool is_valid_datetime(const rt_temporal *t, uint32_t usec_step)
{
    return is_valid_date(t, 2000, 2037) && t->hour < 24 && t->minute < 60 && t->second < 60 &&
           t->usec < 1000000 && t->usec % usec_step == 0 && !t->neg;
}

static bool is_printable(const rt_value *v)
{
    for (uint32_t i = 0; i < v->s.len; i++) {
        if (v->s.ptr[i] <= 0x20 || v->s.ptr[i] > 0x7e)
            return false;
    }
    return true;
}

TEST(default_schema)
{
    op_datagen_schema *s = schema_ok(NULL, 0);
    if (!s)
        return;
    CHECK_UINT_EQ(op_datagen_schema_column_count(s), 8);
    CHECK_UINT_EQ(op_datagen_schema_max_id(s), INT64_MAX);
    rt_err err = {0};
    rt_table *t = op_datagen_schema_table(s, "gen", "rows", &err);
    CHECK(t != NULL);
    static const struct {
        const char *name, *sql;
        rt_type type;
    } cols[] = {
        {"id", "bigint", RT_TYPE_INT},
        {"k", "int", RT_TYPE_INT},
        {"name", "varchar(64)", RT_TYPE_STRING},
        {"price", "decimal(18,4)", RT_TYPE_DECIMAL},
        {"ratio", "double", RT_TYPE_DOUBLE},
        {"created", "datetime(6)", RT_TYPE_DATETIME},
        {"payload", "varchar(255)", RT_TYPE_STRING},
        {"flag", "tinyint", RT_TYPE_INT},
    };
    if (t) {
        CHECK_STR_EQ(rt_table_qualified(t), "gen.rows");
        CHECK_UINT_EQ(rt_table_column_count(t), 8);
        for (size_t i = 0; i < 8 && i < rt_table_column_count(t); i++) {
            const rt_column *c = rt_table_column(t, i);
            CHECK_STR_EQ(c->name, cols[i].name);
            CHECK_STR_EQ(c->sql_type, cols[i].sql);
            CHECK_INT_EQ(c->type, cols[i].type);
            CHECK_INT_EQ(c->nullable, i != 0);
            CHECK_INT_EQ(c->primary_key, i == 0);
        }
        CHECK_UINT_EQ(rt_table_pk_count(t), 1);
        rt_table_free(t);
    }

    row r = {0};
    uint64_t nulls[8] = {0}, payload_total = 0;
    uint32_t payload_max = 0;
    bool negative_price = false;
    for (uint64_t id = 1; id <= 20000; id++) {
        gen_row(s, id, &r);
        CHECK_INT_EQ(r.v[0].type, RT_TYPE_INT);
        CHECK_INT_EQ(r.v[0].i, (int64_t)id);
        for (int c = 0; c < 8; c++)
            nulls[c] += r.v[c].type == RT_TYPE_NULL;
        if (r.v[1].type != RT_TYPE_NULL) {
            CHECK_INT_EQ(r.v[1].type, RT_TYPE_INT);
            CHECK(r.v[1].i >= INT32_MIN && r.v[1].i <= INT32_MAX);
        }
        if (r.v[2].type != RT_TYPE_NULL) {
            char want[32];
            snprintf(want, sizeof want, "name-%llu", (unsigned long long)id);
            CHECK_INT_EQ(r.v[2].type, RT_TYPE_STRING);
            CHECK(r.v[2].s.len == strlen(want) && memcmp(r.v[2].s.ptr, want, r.v[2].s.len) == 0);
        }
        if (r.v[3].type != RT_TYPE_NULL) {
            CHECK_INT_EQ(r.v[3].type, RT_TYPE_DECIMAL);
            if (!is_decimal_text(&r.v[3], 14, 4, true))
                test_fail(__FILE__, __LINE__, "price '%.*s'", (int)r.v[3].s.len, r.v[3].s.ptr);
            negative_price |= r.v[3].s.ptr[0] == '-';
        }
        if (r.v[4].type != RT_TYPE_NULL) {
            CHECK_INT_EQ(r.v[4].type, RT_TYPE_DOUBLE);
            CHECK(r.v[4].d >= 0 && r.v[4].d < 1);
        }
        if (r.v[5].type != RT_TYPE_NULL) {
            CHECK_INT_EQ(r.v[5].type, RT_TYPE_DATETIME);
            CHECK(is_valid_datetime(&r.v[5].t, 1));
        }
        if (r.v[6].type != RT_TYPE_NULL) {
            CHECK_INT_EQ(r.v[6].type, RT_TYPE_STRING);
            CHECK(r.v[6].s.len <= 255);
            CHECK(is_printable(&r.v[6]));
            payload_total += r.v[6].s.len;
            payload_max = r.v[6].s.len > payload_max ? r.v[6].s.len : payload_max;
        }
        if (r.v[7].type != RT_TYPE_NULL) {
            CHECK_INT_EQ(r.v[7].type, RT_TYPE_INT);
            CHECK(r.v[7].i >= -128 && r.v[7].i <= 127);
        }
    }
    CHECK_UINT_EQ(nulls[0], 0);
    /* About one value in 97 of every nullable column is NULL. */
    for (int c = 1; c < 8; c++)
        CHECK(nulls[c] > 20000 / 97 / 2 && nulls[c] < 20000 / 97 * 2);
    CHECK(negative_price);
    CHECK(payload_max == 255);
    CHECK(payload_total / 20000 > 100 && payload_total / 20000 < 155);
    free(r.text);
    op_datagen_schema_free(s);
}

static const char *all_types =
    "{\"id\": \"INT UNSIGNED\", \"ti\": \"tinyint unsigned\", \"si\": \"smallint\","
    " \"mi\": \"mediumint\", \"bu\": \"bigint unsigned\", \"wide\": \"decimal(65,30)\","
    " \"frac\": \"decimal(5,5) unsigned\", \"whole\": \"decimal(3)\", \"f\": \"float\","
    " \"dm\": \"double(6,3)\", \"ch\": \"char(3)\", \"vc\": \"varchar(1000)\", \"tx\": \"text\","
    " \"bin\": \"binary(4)\", \"vb\": \"varbinary(10)\", \"bl\": \"blob\", \"d\": \"date\","
    " \"t\": \"time(2)\", \"dt\": \"datetime\", \"ts\": \"timestamp(3)\", \"y\": \"year\","
    " \"j\": \"json\", \"e\": \"enum('x','y''s','z')\", \"st\": \"set('a','b','c')\","
    " \"bits\": \"bit(5)\", \"nn\": \"int not null\", \"explicit null\": \"int NULL\"}";

/* FNV-1a over the JSON text of rows 1..n, one line each: pins every value of every row. */
static uint64_t rows_digest(const char *columns, int64_t seed, uint64_t n, char *first3,
                            size_t size)
{
    op_datagen_schema *s = schema_ok(columns, seed);
    if (!s)
        return 0;
    size_t ncols = op_datagen_schema_column_count(s);
    row r = {0};
    rt_buf b;
    rt_buf_init(&b);
    uint64_t h = 14695981039346656037ull;
    for (uint64_t id = 1; id <= n; id++) {
        gen_row(s, id, &r);
        rt_buf_reset(&b);
        for (size_t c = 0; c < ncols; c++) {
            if (c)
                rt_buf_append_char(&b, '|');
            rt_value_format_json(&r.v[c], &b);
        }
        if (id == 3 && first3)
            snprintf(first3, size, "%s", b.data);
        rt_buf_append_char(&b, '\n');
        for (size_t i = 0; i < b.len; i++)
            h = (h ^ (unsigned char)b.data[i]) * 1099511628211ull;
    }
    rt_buf_fini(&b);
    free(r.text);
    op_datagen_schema_free(s);
    return h;
}

/* The exact values: the generator's formulas are part of its contract (the README documents
 * them, and tests elsewhere compare against them), so a change must be deliberate. When one is,
 * print the new figures with SLUICE_PRINT_DIGESTS=1 and update them here and in the README. */
TEST(fixed_values)
{
    char line3[1024] = "";
    uint64_t d0 = rows_digest(NULL, 0, 1000, line3, sizeof line3);
    uint64_t d42 = rows_digest(NULL, 42, 1000, NULL, 0);
    uint64_t dall = rows_digest(all_types, 3, 1000, NULL, 0);
    if (getenv("SLUICE_PRINT_DIGESTS"))
        printf("row 3: %s\ndigests: 0x%016llx 0x%016llx 0x%016llx\n", line3, (unsigned long long)d0,
               (unsigned long long)d42, (unsigned long long)dall);
    CHECK_STR_EQ(line3, "3|-1729280784|\"name-3\"|\"-517435153.8590\"|0.98254198601324017|"
                        "\"2016-11-09 22:43:50.291002\"|\"s&3gx0\"|105");
    CHECK_UINT_EQ(d0, 0xe31c809364f06cd6ull);
    CHECK_UINT_EQ(d42, 0x5663aaa0ff1cfc12ull);
    CHECK_UINT_EQ(dall, 0xfb237d1d466b04a1ull);
}

TEST(deterministic_and_seeded)
{
    op_datagen_schema *a = schema_ok(NULL, 7), *b = schema_ok(NULL, 7), *c = schema_ok(NULL, 8);
    if (!a || !b || !c)
        return;
    row ra = {0}, rb = {0}, rc = {0};
    size_t differ = 0, compared = 0;
    for (uint64_t id = 1; id <= 2000; id++) {
        /* Out of order and repeated: a value depends on (seed, id, column) only. */
        uint64_t other = 2001 - id;
        gen_row(a, id, &ra);
        gen_row(b, other, &rb);
        gen_row(b, id, &rb);
        gen_row(c, id, &rc);
        for (int col = 0; col < 8; col++) {
            CHECK(rt_value_equal(&ra.v[col], &rb.v[col]));
            if (col > 0 && col != 2) {
                compared++;
                differ += !rt_value_equal(&ra.v[col], &rc.v[col]);
            }
        }
        CHECK(rt_value_equal(&ra.v[0], &rc.v[0]));
    }
    CHECK(differ > compared * 9 / 10);
    free(ra.text);
    free(rb.text);
    free(rc.text);
    op_datagen_schema_free(a);
    op_datagen_schema_free(b);
    op_datagen_schema_free(c);
}

TEST(every_type_family)
{
    op_datagen_schema *s = schema_ok(all_types, 3);
    if (!s)
        return;
    CHECK_UINT_EQ(op_datagen_schema_column_count(s), 27);
    CHECK_UINT_EQ(op_datagen_schema_max_id(s), UINT32_MAX);
    rt_table *t = op_datagen_schema_table(s, "db", "all", NULL);
    CHECK(t != NULL);
    if (t) {
        /* The document's order is the column order. */
        CHECK_STR_EQ(rt_table_column(t, 0)->name, "id");
        CHECK_STR_EQ(rt_table_column(t, 26)->name, "explicit null");
        CHECK_STR_EQ(rt_table_column(t, 22)->sql_type, "enum('x','y''s','z')");
        CHECK(!rt_table_column(t, 25)->nullable);
        CHECK(rt_table_column(t, 26)->nullable);
        rt_table_free(t);
    }
    row r = {0};
    unsigned seen_set_masks = 0, seen_enum = 0;
    bool neg_time = false;
    for (uint64_t id = 1; id <= 5000; id++) {
        gen_row(s, id, &r);
        const rt_value *v = r.v;
        CHECK(v[0].type == RT_TYPE_UINT && v[0].u == id);
        CHECK(v[25].type == RT_TYPE_INT);
        if (v[1].type)
            CHECK(v[1].type == RT_TYPE_UINT && v[1].u <= 255);
        if (v[2].type)
            CHECK(v[2].type == RT_TYPE_INT && v[2].i >= -32768 && v[2].i <= 32767);
        if (v[3].type)
            CHECK(v[3].type == RT_TYPE_INT && v[3].i >= -8388608 && v[3].i <= 8388607);
        if (v[4].type)
            CHECK(v[4].type == RT_TYPE_UINT);
        if (v[5].type)
            CHECK(is_decimal_text(&v[5], 35, 30, true));
        if (v[6].type)
            CHECK(is_decimal_text(&v[6], 0, 5, false));
        if (v[7].type)
            CHECK(is_decimal_text(&v[7], 3, 0, true));
        if (v[8].type) {
            CHECK(v[8].type == RT_TYPE_DOUBLE && v[8].d >= 0 && v[8].d < 1);
            CHECK(v[8].d == (double)(float)v[8].d);
        }
        if (v[9].type) {
            CHECK(v[9].d >= 0 && v[9].d <= 1);
            CHECK(fabs(v[9].d * 1000 - round(v[9].d * 1000)) < 1e-6);
        }
        if (v[10].type)
            CHECK(v[10].type == RT_TYPE_STRING && v[10].s.len <= 3 && is_printable(&v[10]));
        if (v[11].type)
            CHECK(v[11].type == RT_TYPE_STRING && v[11].s.len <= 255 && is_printable(&v[11]));
        if (v[12].type)
            CHECK(v[12].type == RT_TYPE_STRING && v[12].s.len <= 255);
        if (v[13].type)
            CHECK(v[13].type == RT_TYPE_BYTES && v[13].s.len == 4);
        if (v[14].type)
            CHECK(v[14].type == RT_TYPE_BYTES && v[14].s.len <= 10);
        if (v[15].type)
            CHECK(v[15].type == RT_TYPE_BYTES && v[15].s.len <= 255);
        if (v[16].type)
            CHECK(v[16].type == RT_TYPE_DATE && is_valid_date(&v[16].t, 1970, 2037));
        if (v[17].type) {
            CHECK(v[17].type == RT_TYPE_TIME && v[17].t.hour < 838 && v[17].t.minute < 60 &&
                  v[17].t.second < 60 && v[17].t.usec % 10000 == 0);
            neg_time |= v[17].t.neg;
        }
        if (v[18].type)
            CHECK(v[18].type == RT_TYPE_DATETIME && is_valid_datetime(&v[18].t, 1000000));
        if (v[19].type)
            CHECK(v[19].type == RT_TYPE_DATETIME && is_valid_datetime(&v[19].t, 1000));
        if (v[20].type)
            CHECK(v[20].type == RT_TYPE_INT && v[20].i >= 1901 && v[20].i <= 2155);
        if (v[21].type) {
            char want[40];
            int n = snprintf(want, sizeof want, "{\"id\":%llu,", (unsigned long long)id);
            CHECK(v[21].type == RT_TYPE_JSON && memcmp(v[21].s.ptr, want, (size_t)n) == 0);
            CHECK(v[21].s.ptr[v[21].s.len - 1] == '}');
        }
        if (v[22].type) {
            CHECK(v[22].type == RT_TYPE_STRING);
            static const char *const members[] = {"x", "y's", "z"};
            for (unsigned m = 0; m < 3; m++) {
                if (v[22].s.len == strlen(members[m]) &&
                    memcmp(v[22].s.ptr, members[m], v[22].s.len) == 0)
                    seen_enum |= 1u << m;
            }
        }
        if (v[23].type) {
            unsigned mask = 0;
            const char *p = v[23].s.ptr, *end = p + v[23].s.len;
            while (p < end) {
                CHECK(*p >= 'a' && *p <= 'c');
                mask |= 1u << (*p - 'a');
                p++;
                CHECK(p == end || *p++ == ',');
            }
            seen_set_masks |= 1u << mask;
        }
        if (v[24].type)
            CHECK(v[24].type == RT_TYPE_UINT && v[24].u < 32);
    }
    CHECK(neg_time);
    CHECK_UINT_EQ(seen_enum, 7);
    CHECK_UINT_EQ(seen_set_masks, 0xFF);
    free(r.text);
    op_datagen_schema_free(s);
}

TEST(narrow_keys)
{
    op_datagen_schema *s = schema_ok("{\"k\": \"tinyint\", \"v\": \"varchar(3)\"}", 0);
    if (s)
        CHECK_UINT_EQ(op_datagen_schema_max_id(s), 127);
    op_datagen_schema_free(s);
    s = schema_ok("{\"k\": \"smallint unsigned\"}", 0);
    if (s)
        CHECK_UINT_EQ(op_datagen_schema_max_id(s), 65535);
    op_datagen_schema_free(s);
}

static void check_schema_error(const char *columns, const char *needle)
{
    op_datagen_schema *s = (op_datagen_schema *)1;
    rt_err err = {0};
    CHECK_INT_EQ(op_datagen_schema_new(columns, 0, "$.operators[0].config.columns", &s, &err),
                 RT_EINVAL);
    CHECK(s == (op_datagen_schema *)1);
    CHECK_STR_CONTAINS(err.msg, needle);
}

TEST(schema_errors)
{
    check_schema_error("[]", "$.operators[0].config.columns: expected an object");
    check_schema_error("\"BIGINT\"", "$.operators[0].config.columns: expected an object");
    check_schema_error("{}", "expected an object of 1..");
    check_schema_error("{\"id\": 5}", "$.operators[0].config.columns.id: expected a MySQL type");
    check_schema_error("{\"id\": \"bigint\", \"v\": \"varchar\"}",
                       "$.operators[0].config.columns.v: column type 'varchar'");
    check_schema_error("{\"id\": \"bigint\", \"my col\": \"strng\"}",
                       "$.operators[0].config.columns[\"my col\"]: column type 'strng'");
    check_schema_error("{\"id\": \"varchar(10)\"}",
                       "columns.id: the first column is the primary key and must be an integer");
    check_schema_error("{\"id\": \"decimal(10,0)\"}", "must be an integer");
    check_schema_error("{\"id\": \"int\", \"ID\": \"int\"}", "columns.ID: duplicate column");
    check_schema_error("{\"id\": \"int\", \"\": \"int\"}", "1..64 characters");
    check_schema_error("{\"id\": \"int\", \"v\": \"not null\"}", "expected a type name");
    check_schema_error("{\"id\": \"int\", \"v\": \"int notnull\"}", "unexpected 'notnull'");
}

/* --- Whole jobs: a collecting sink records what datagen emitted. --- */

static pthread_mutex_t collect_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint8_t *seen; /* per id: times seen */
    uint64_t max_id;
    uint64_t records;
    uint64_t bad;    /* ids out of range, wrong table */
    uint64_t digest; /* order-independent sum of the hashes of the rows' JSON text */
    size_t max_batch;
} col;

static void collect_reset(uint64_t max_id)
{
    free(col.seen);
    memset(&col, 0, sizeof col);
    col.seen = calloc(max_id + 1, 1);
    col.max_id = max_id;
}

static uint64_t hash_text(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static int collect_open(op_ctx *ctx, const void *config, void **self, rt_err *err)
{
    rt_buf *b = calloc(1, sizeof *b);
    rt_buf_init(b);
    *self = b;
    return 0;
}

static int collect_process(void *self, op_ctx *ctx, size_t input, rt_batch *batch, rt_err *err)
{
    rt_buf *b = self;
    size_t n = rt_batch_count(batch);
    pthread_mutex_lock(&collect_mu);
    col.max_batch = n > col.max_batch ? n : col.max_batch;
    for (size_t i = 0; i < n; i++) {
        const rt_record *r = rt_batch_at_const(batch, i);
        uint64_t id = r->values[0].u;
        col.records++;
        if (id == 0 || id > col.max_id || r->kind != RT_ROW_INSERT) {
            col.bad++;
            continue;
        }
        if (col.seen[id] < 255)
            col.seen[id]++;
        rt_buf_reset(b);
        rt_buf_append_str(b, rt_table_qualified(r->table));
        for (uint32_t c = 0; c < r->ncols; c++) {
            rt_buf_append_char(b, '|');
            rt_value_format_json(&r->values[c], b);
        }
        col.digest += hash_text(b->data, b->len);
    }
    pthread_mutex_unlock(&collect_mu);
    return 0;
}

static void collect_close(void *self, op_ctx *ctx)
{
    rt_buf_fini(self);
    free(self);
}

static const rt_config_field no_fields[] = {{0}};

static const op_type collect_type = {
    .info = {.name = "collect",
             .kind = GRAPH_KIND_SINK,
             .config = no_fields,
             .config_size = sizeof(int)},
    .open = collect_open,
    .process = collect_process,
    .close = collect_close,
};

static const graph_type_info *test_find(void *ctx, const char *type)
{
    if (strcmp(type, "collect") == 0)
        return &collect_type.info;
    const graph_catalog *reg = op_registry_catalog();
    return reg->find(reg->ctx, type);
}

static void test_list(void *ctx, char *buf, size_t size)
{
    const graph_catalog *reg = op_registry_catalog();
    reg->list(reg->ctx, buf, size);
}

static const graph_catalog test_catalog = {.find = test_find, .list = test_list};

static const op_type *test_lookup(const char *type)
{
    return strcmp(type, "collect") == 0 ? &collect_type : op_registry_find(type);
}

/* Parses, plans and runs a job to its end; returns its final status. */
static rt_job_status run_job(const char *json, size_t batch_rows)
{
    graph_job *g = NULL;
    graph_plan *plan = NULL;
    rt_job *job = NULL;
    rt_err err = {0};
    rt_job_status st = RT_JOB_FAILED;
    rt_job_options opts = {.batch_rows = batch_rows};
    if (graph_codec_parse(json, strlen(json), &test_catalog, &g, &err) != 0 ||
        graph_plan_build(g, &plan, &err) != 0 ||
        rt_job_new(g, plan, test_lookup, &opts, &job, &err) != 0 || rt_job_start(job, &err) != 0) {
        test_fail(__FILE__, __LINE__, "job: %s", err.msg);
    } else {
        st = rt_job_wait(job, 120000);
        if (st == RT_JOB_FAILED && rt_job_failure(job, &err) == 0)
            test_fail(__FILE__, __LINE__, "job failed: %s", err.msg);
    }
    rt_job_free(job);
    graph_plan_free(plan);
    graph_job_free(g);
    return st;
}

static uint64_t run_collect(const char *config, unsigned p, unsigned sink_p, const char *dist,
                            uint64_t max_id, size_t batch_rows)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\": \"t\", \"operators\": ["
             "{\"id\": \"gen\", \"type\": \"datagen\", \"parallelism\": %u, \"config\": %s},"
             "{\"id\": \"out\", \"type\": \"collect\", \"parallelism\": %u,"
             " \"inputs\": [{\"from\": \"gen\", \"distribution\": \"%s\"}]}]}",
             p, config, sink_p, dist);
    collect_reset(max_id);
    CHECK_INT_EQ(run_job(json, batch_rows), RT_JOB_FINISHED);
    return col.digest;
}

/* Every id in 1..n exactly once, nothing else. */
static void check_ids_once(uint64_t n)
{
    uint64_t missing = 0, twice = 0;
    for (uint64_t id = 1; id <= col.max_id; id++) {
        if (id <= n) {
            missing += col.seen[id] == 0;
            twice += col.seen[id] > 1;
        } else {
            twice += col.seen[id] != 0;
        }
    }
    CHECK_UINT_EQ(missing, 0);
    CHECK_UINT_EQ(twice, 0);
    CHECK_UINT_EQ(col.bad, 0);
    CHECK_UINT_EQ(col.records, n);
}

TEST(ids_exactly_once_at_any_parallelism)
{
    const uint64_t n = 10007;
    uint64_t digest[4] = {0};
    for (unsigned p = 1; p <= 3; p++) {
        digest[p] = run_collect("{\"rows\": 10007, \"seed\": 5}", p, 1, "rebalance", n + 10, 100);
        check_ids_once(n);
        CHECK(col.max_batch <= 100);
    }
    CHECK_UINT_EQ(digest[1], digest[2]);
    CHECK_UINT_EQ(digest[1], digest[3]);
    /* Chained (forward) into parallel sinks: the same rows. */
    uint64_t chained = run_collect("{\"rows\": 10007, \"seed\": 5}", 3, 3, "forward", n + 10, 0);
    check_ids_once(n);
    CHECK_UINT_EQ(chained, digest[1]);
    CHECK(col.max_batch <= 1024);
    /* Another seed, other rows. */
    uint64_t other = run_collect("{\"rows\": 10007, \"seed\": 6}", 2, 1, "rebalance", n + 10, 0);
    check_ids_once(n);
    CHECK(other != digest[1]);
}

TEST(fewer_rows_than_subtasks)
{
    run_collect("{\"rows\": 2}", 3, 1, "rebalance", 10, 0);
    check_ids_once(2);
}

TEST(unbounded_stops_at_the_key_type)
{
    run_collect("{\"columns\": {\"k\": \"tinyint\", \"v\": \"varchar(8)\"}}", 2, 1, "rebalance",
                200, 0);
    check_ids_once(127);
    run_collect("{\"table\": \"a.b\", \"columns\": {\"k\": \"tinyint unsigned\"}}", 1, 1, "forward",
                300, 0);
    check_ids_once(255);
}

TEST(rate_limit)
{
    int64_t t0 = rt_clock_mono_ms();
    run_collect("{\"rows\": 300, \"rate\": 1000}", 2, 1, "rebalance", 400, 0);
    int64_t ms = rt_clock_mono_ms() - t0;
    check_ids_once(300);
    /* 300 rows at 1000 rows/s take 0.3 s; the bucket starts empty, so never much less. */
    CHECK(ms >= 250);
    CHECK(ms < 5000);
}

TEST_MAIN()
