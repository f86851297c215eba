/* The test-only job manager of fake_job_manager.c: two jobs (one RUNNING, one FINISHED), submit
 * outcomes chosen by words in the body ("bogus_op" 400, "dup" 409, "busy" 429). */
#ifndef SLUICE_TESTS_UNIT_REST_FAKE_JOB_MANAGER_H
#define SLUICE_TESTS_UNIT_REST_FAKE_JOB_MANAGER_H

#include <stdbool.h>
#include <stdio.h>

#include "runtime/daemon/job_manager.h"

#define FAKE_RUNNING "00000000000000000000000000000001"
#define FAKE_FINISHED "00000000000000000000000000000002"
#define FAKE_NEW "00000000000000000000000000000003"
#define FAKE_TRIGGER "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* What the server last asked of the fake. */
typedef struct fake_calls {
    int submits;
    size_t body_len;
    char canceled[80];
    int savepoints;
    bool stop;
} fake_calls;
extern fake_calls fake_last;

#endif
