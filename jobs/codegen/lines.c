/* gen_lines: a list of malloc'd lines. */
#include "jobs/codegen/lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/errors.h"

int gen_lines_addf(gen_lines *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return RT_ENOMEM;
    char **items = realloc(l->items, (l->count + 1) * sizeof *items);
    if (!items) {
        free(s);
        return RT_ENOMEM;
    }
    l->items = items;
    l->items[l->count++] = s;
    return 0;
}

void gen_lines_add_cb(void *arg, const char *text)
{
    gen_lines_addf(arg, "%s", text);
}

bool gen_lines_has(const gen_lines *l, const char *text)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], text) == 0)
            return true;
    return false;
}

void gen_lines_fini(gen_lines *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}
