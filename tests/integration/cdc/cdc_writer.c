/* Shared by the mysql_cdc integration tests: see cdc_writer.h. */
#include "tests/integration/cdc/cdc_writer.h"

#include <stdio.h>
#include <stdlib.h>

#include "runtime/base/clock.h"
#include "tests/harness/mariadb.h"

static void *write_loop(void *arg)
{
    cdc_writer *w = arg;
    unsigned seed = w->seed;
    int next_id = w->next_id;
    while (!w->stop) {
        int k = (int)(rand_r(&seed) % (unsigned)w->splits) * w->split_rows +
                (int)(rand_r(&seed) % 3) - 1;
        int any = (int)(rand_r(&seed) % (unsigned)w->rows) + 1;
        char sql[1024];
        switch (rand_r(&seed) % 4) {
        case 0:
            snprintf(sql, sizeof sql,
                     "BEGIN; INSERT INTO %s.t VALUES (%d, %d, 'new') ON DUPLICATE KEY UPDATE "
                     "v = v + 1; UPDATE %s.t SET v = v + 10, s = 'upd' WHERE id = %d; COMMIT",
                     w->db, next_id++, k, w->db, any);
            break;
        case 1:
            snprintf(sql, sizeof sql, "UPDATE %s.t SET v = v - 1, s = 'edge' WHERE id = %d", w->db,
                     k);
            break;
        case 2:
            snprintf(sql, sizeof sql, "DELETE FROM %s.t WHERE id = %d", w->db, k);
            break;
        default:
            snprintf(sql, sizeof sql,
                     "INSERT INTO %s.t VALUES (%d, 0, 'back') ON DUPLICATE KEY UPDATE s = 'dup'",
                     w->db, k);
            break;
        }
        if (test_mysql_exec(sql) != 0)
            w->failures++;
        w->statements++;
        if (w->pause_ms > 0)
            rt_sleep_ms(w->pause_ms);
    }
    return NULL;
}

void cdc_writer_start(cdc_writer *w)
{
    w->stop = 0;
    w->statements = w->failures = 0;
    pthread_create(&w->thread, NULL, write_loop, w);
}

void cdc_writer_stop(cdc_writer *w)
{
    w->stop = 1;
    pthread_join(w->thread, NULL);
}
