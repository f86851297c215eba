/* Tests of sr_fault: rule parsing, matching by op/when/table, counts, clearing. */
#include "tests/harness/test.h"
#include "tests/sr_endpoint/sr_fault.h"

TEST(rules_match_and_count_down)
{
    sr_fault_set *s = sr_fault_set_new();
    rt_err err;
    CHECK_INT_EQ(sr_fault_set_add_json(s, "[{\"op\":\"commit\",\"when\":\"after\",\"action\":\"drop\"},"
                                          "{\"op\":\"load\",\"action\":\"delay\",\"ms\":250,\"count\":2,\"table\":\"t\"}]",
                                       &err), 0);
    int ms = -1;
    CHECK_INT_EQ(sr_fault_set_match(s, "commit", SR_FAULT_BEFORE, NULL, &ms), SR_FAULT_NONE);
    CHECK_INT_EQ(sr_fault_set_match(s, "commit", SR_FAULT_AFTER, NULL, &ms), SR_FAULT_DROP);
    CHECK_INT_EQ(sr_fault_set_match(s, "commit", SR_FAULT_AFTER, NULL, &ms), SR_FAULT_NONE); /* count 1 */
    CHECK_INT_EQ(sr_fault_set_match(s, "load", SR_FAULT_BEFORE, "other", &ms), SR_FAULT_NONE);
    CHECK_INT_EQ(sr_fault_set_match(s, "load", SR_FAULT_BEFORE, "t", &ms), SR_FAULT_DELAY);
    CHECK_INT_EQ(ms, 250);
    CHECK_INT_EQ(sr_fault_set_match(s, "load", SR_FAULT_BEFORE, "t", &ms), SR_FAULT_DELAY);
    CHECK_INT_EQ(sr_fault_set_match(s, "load", SR_FAULT_BEFORE, "t", &ms), SR_FAULT_NONE);
    CHECK_INT_EQ(sr_fault_set_add_json(s, "{\"op\":\"commit\",\"when\":\"after\",\"action\":\"publish_timeout\",\"count\":0}", &err), 0);
    /* publish timeouts are decided before the commit runs, whatever `when` says */
    for (int i = 0; i < 3; i++)
        CHECK_INT_EQ(sr_fault_set_match(s, "commit", SR_FAULT_BEFORE, NULL, &ms), SR_FAULT_PUBLISH_TIMEOUT);
    sr_fault_set_clear(s);
    CHECK_INT_EQ(sr_fault_set_match(s, "commit", SR_FAULT_BEFORE, NULL, &ms), SR_FAULT_NONE);
    sr_fault_set_free(s);
}

TEST(bad_rules_add_nothing)
{
    sr_fault_set *s = sr_fault_set_new();
    rt_err err;
    CHECK_INT_EQ(sr_fault_set_add_json(s, "[{\"op\":\"commit\",\"action\":\"http500\"},{\"op\":\"x\",\"action\":\"drop\"}]", &err),
                 RT_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "unknown op 'x'");
    int ms;
    CHECK_INT_EQ(sr_fault_set_match(s, "commit", SR_FAULT_BEFORE, NULL, &ms), SR_FAULT_NONE);
    CHECK_INT_EQ(sr_fault_set_add_json(s, "{\"op\":\"commit\",\"action\":\"explode\"}", &err), RT_EINVAL);
    CHECK_INT_EQ(sr_fault_set_add_json(s, "{\"op\":\"commit\",\"when\":\"during\",\"action\":\"fail\"}", &err), RT_EINVAL);
    CHECK_INT_EQ(sr_fault_set_add_json(s, "not json", &err), RT_EINVAL);
    sr_fault_set_free(s);
}

TEST_MAIN()
