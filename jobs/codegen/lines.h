/* A growable list of text lines: the lossy list and the notes `sluice generate` reports. */
#ifndef SLUICE_JOBS_CODEGEN_LINES_H
#define SLUICE_JOBS_CODEGEN_LINES_H

#include <stdbool.h>
#include <stddef.h>

/* Caller-allocated; zero-initialised is empty. Owns its lines. */
typedef struct gen_lines {
    char **items;
    size_t count;
} gen_lines;

/* Appends a printf-formatted line. Returns 0 or RT_ENOMEM (the line is then lost). */
int gen_lines_addf(gen_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adapter for callbacks: adds text to the gen_lines at arg. */
void gen_lines_add_cb(void *arg, const char *text);
/* True when l holds a line equal to text. */
bool gen_lines_has(const gen_lines *l, const char *text);
void gen_lines_fini(gen_lines *l);

#endif
