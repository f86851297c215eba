/* Labels (operators/starrocks/label.c): `{prefix}-{table}-{subtask}-{id}`, always within
 * ^[-\w]{1,128}$, deterministic, and distinct for distinct tables. */
#include "operators/starrocks/label.h"

#include "tests/harness/test.h"

TEST(plain_label)
{
    char out[OP_SR_LABEL_MAX + 1];
    rt_err err;
    CHECK_OK(op_sr_label_format("sluice_job1", "orders", 3, 42, out, sizeof out, &err), &err);
    CHECK_STR_EQ(out, "sluice_job1-orders-3-42");
    CHECK(op_sr_label_is_valid(out));
    CHECK_OK(op_sr_label_format("p", "a-b", 0, UINT64_MAX, out, sizeof out, &err), &err);
    CHECK_STR_EQ(out, "p-a-b-0-18446744073709551615");
}

TEST(validity)
{
    CHECK(op_sr_label_is_valid("a"));
    CHECK(op_sr_label_is_valid("A-z_09"));
    CHECK(!op_sr_label_is_valid(""));
    CHECK(!op_sr_label_is_valid(NULL));
    CHECK(!op_sr_label_is_valid("a b"));
    CHECK(!op_sr_label_is_valid("a.b"));
    CHECK(!op_sr_label_is_valid("caf\xc3\xa9")); /* Java's \w is ASCII by default */
    char l[200];
    memset(l, 'x', 128);
    l[128] = '\0';
    CHECK(op_sr_label_is_valid(l));
    l[128] = 'x';
    l[129] = '\0';
    CHECK(!op_sr_label_is_valid(l));
}

TEST(bad_prefix)
{
    char out[OP_SR_LABEL_MAX + 1];
    rt_err err;
    CHECK_INT_EQ(op_sr_label_format("", "t", 0, 1, out, sizeof out, &err), RT_EINVAL);
    CHECK_INT_EQ(op_sr_label_format("my job", "t", 0, 1, out, sizeof out, &err), RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "my job");
    CHECK_INT_EQ(op_sr_label_format(NULL, "t", 0, 1, out, sizeof out, &err), RT_EINVAL);
    CHECK_INT_EQ(op_sr_label_format("p", "", 0, 1, out, sizeof out, &err), RT_EINVAL);
    char prefix[120];
    memset(prefix, 'p', sizeof prefix - 1);
    prefix[sizeof prefix - 1] = '\0';
    CHECK_INT_EQ(op_sr_label_format(prefix, "t_with_a_long_name_here", 0, 1, out, sizeof out, &err),
                 RT_EINVAL);
    /* A short table still fits beside that prefix. */
    CHECK_OK(op_sr_label_format(prefix, "t", 0, 1, out, sizeof out, &err), &err);
    CHECK(op_sr_label_is_valid(out));
}

TEST(odd_table_names_are_sanitised_and_hashed)
{
    char a[OP_SR_LABEL_MAX + 1], b[OP_SR_LABEL_MAX + 1], a2[OP_SR_LABEL_MAX + 1];
    rt_err err;
    CHECK_OK(op_sr_label_format("p", "my table", 1, 5, a, sizeof a, &err), &err);
    CHECK_OK(op_sr_label_format("p", "my.table", 1, 5, b, sizeof b, &err), &err);
    CHECK_OK(op_sr_label_format("p", "my table", 1, 5, a2, sizeof a2, &err), &err);
    CHECK(op_sr_label_is_valid(a));
    CHECK(op_sr_label_is_valid(b));
    CHECK_STR_EQ(a, a2);      /* deterministic */
    CHECK(strcmp(a, b) != 0); /* both sanitise to my_table; the hash tells them apart */
    CHECK(strncmp(a, "p-my_table_", 11) == 0);
    CHECK(strcmp(a + strlen(a) - 4, "-1-5") == 0);
    /* "my_table" itself is valid and stays as it is: no collision with the hashed forms. */
    CHECK_OK(op_sr_label_format("p", "my_table", 1, 5, b, sizeof b, &err), &err);
    CHECK_STR_EQ(b, "p-my_table-1-5");
}

TEST(long_table_names_are_shortened)
{
    char t1[300], t2[300];
    memset(t1, 'a', 299);
    t1[299] = '\0';
    memcpy(t2, t1, sizeof t1);
    t2[298] = 'b'; /* differ only past the cut */
    char l1[OP_SR_LABEL_MAX + 1], l2[OP_SR_LABEL_MAX + 1];
    rt_err err;
    CHECK_OK(op_sr_label_format("sluice", t1, 12, 123456789, l1, sizeof l1, &err), &err);
    CHECK_OK(op_sr_label_format("sluice", t2, 12, 123456789, l2, sizeof l2, &err), &err);
    CHECK(op_sr_label_is_valid(l1));
    CHECK(op_sr_label_is_valid(l2));
    CHECK_UINT_EQ(strlen(l1), OP_SR_LABEL_MAX); /* uses the whole room */
    CHECK(strcmp(l1, l2) != 0);
    CHECK_STR_EQ(l1 + strlen(l1) - 13, "-12-123456789");
    /* Exactly at the limit the name is kept as it is. */
    char t3[200];
    size_t room = OP_SR_LABEL_MAX - strlen("sluice-") - strlen("-1-2");
    memset(t3, 'c', room);
    t3[room] = '\0';
    CHECK_OK(op_sr_label_format("sluice", t3, 1, 2, l1, sizeof l1, &err), &err);
    CHECK_UINT_EQ(strlen(l1), OP_SR_LABEL_MAX);
    CHECK(strstr(l1, t3) != NULL);
    t3[room] = 'c';
    t3[room + 1] = '\0';
    CHECK_OK(op_sr_label_format("sluice", t3, 1, 2, l2, sizeof l2, &err), &err);
    CHECK_UINT_EQ(strlen(l2), OP_SR_LABEL_MAX);
    CHECK(strstr(l2, t3) == NULL); /* one character more: hashed */
}

TEST_MAIN()
