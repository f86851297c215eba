/* Error codes (the RT_ERR_MAP table), the rt_err record and the bug handler. */
#include "runtime/base/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rt_err_code_name(int code)
{
    switch (code) {
#define NAME_CASE_(name, value, transient, desc)                                                   \
    case (value):                                                                                  \
        return #name;
        RT_ERR_MAP(NAME_CASE_)
#undef NAME_CASE_
    }
    return "E?";
}

const char *rt_err_code_desc(int code)
{
    switch (code) {
#define DESC_CASE_(name, value, transient, desc)                                                   \
    case (value):                                                                                  \
        return desc;
        RT_ERR_MAP(DESC_CASE_)
#undef DESC_CASE_
    }
    return "unknown error";
}

bool rt_err_is_transient(int code)
{
    switch (code) {
#define TRANSIENT_CASE_(name, value, transient, desc)                                              \
    case (value):                                                                                  \
        return (transient);
        RT_ERR_MAP(TRANSIENT_CASE_)
#undef TRANSIENT_CASE_
    }
    return false;
}

void rt_err_clear(rt_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

int rt_err_set(rt_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    /* vsnprintf truncates and always terminates; a long message loses its tail, not the process. */
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

int rt_err_prefix(rt_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    char ctx[RT_ERR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);

    /* Build into a scratch buffer: the old message is an input and must not be overwritten
     * while it is being read. When the whole does not fit, the innermost cause loses its tail. */
    const char *cause = err->msg[0] ? err->msg : rt_err_code_desc(code);
    char out[RT_ERR_MSG_SIZE];
    size_t n = 0;
    const char *parts[] = {ctx, ": ", cause};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t len = strlen(parts[i]);
        if (len > sizeof out - 1 - n)
            len = sizeof out - 1 - n;
        memcpy(out + n, parts[i], len);
        n += len;
    }
    out[n] = '\0';
    memcpy(err->msg, out, n + 1);
    err->code = code;
    return code;
}

_Noreturn void rt_panic(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "BUG at %s:%d: %s\n", file, line, msg);
    fflush(stderr);
    abort();
}
