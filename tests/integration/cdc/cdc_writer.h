/* Shared by the mysql_cdc integration tests: a thread that writes to a table while a job reads it
 * (inserts, updates and deletes at split boundaries and elsewhere). */
#ifndef SLUICE_TESTS_INTEGRATION_CDC_CDC_WRITER_H
#define SLUICE_TESTS_INTEGRATION_CDC_CDC_WRITER_H

#include <pthread.h>

/* Caller-allocated. Set the fields above `stop`, then cdc_writer_start(). */
typedef struct cdc_writer {
    const char *db;           /* writes db.t (id INT PRIMARY KEY, v INT, s VARCHAR(20)) */
    int next_id;              /* of the rows it inserts */
    unsigned seed;            /* of its choices: the same seed, the same statements */
    int split_rows;           /* keys at split boundaries: multiples of it, give or take one, */
    int splits;               /* ... below splits * split_rows */
    int rows;                 /* other keys: 1..rows */
    int pause_ms;             /* after each statement; 0: none */
    volatile int stop;        /* set by cdc_writer_stop() */
    int statements, failures; /* valid after cdc_writer_stop() */
    pthread_t thread;
} cdc_writer;

/* Starts the thread: it runs one small transaction or statement after the other until stopped. */
void cdc_writer_start(cdc_writer *w);

/* Stops the thread and joins it; then statements and failures count what it ran. */
void cdc_writer_stop(cdc_writer *w);

#endif
