/* Error codes, the rt_err record that names what failed, and the bug macros.
 * Every fallible Sluice function returns 0 or a negative RT_E* code and takes an optional
 * rt_err *err as its last parameter. */
#ifndef SLUICE_RUNTIME_BASE_ERRORS_H
#define SLUICE_RUNTIME_BASE_ERRORS_H

#include <stdbool.h>
#include <stddef.h>

/* X(name, value, transient, description). The transient column is policy: a transient failure
 * drives the restart strategy, anything else fails the job (or the request) for good. */
#define RT_ERR_MAP(X)                                                                              \
    X(OK, 0, false, "success")                                                                     \
    X(EINVAL, -1, false, "invalid input")                                                          \
    X(ENOMEM, -2, false, "out of memory")                                                          \
    X(EIO, -3, true, "I/O error")                                                                  \
    X(ETIMEDOUT, -4, true, "timed out")                                                            \
    X(EUNAVAIL, -5, true, "peer unavailable")                                                      \
    X(ECORRUPT, -6, false, "corrupt data")                                                         \
    X(ECANCELED, -7, false, "canceled")                                                            \
    X(ENOTFOUND, -8, false, "not found")                                                           \
    X(EEXIST, -9, false, "already exists")                                                         \
    X(EUNSUPPORTED, -10, false, "unsupported")                                                     \
    X(ESTATE, -11, false, "incompatible state")                                                    \
    X(EINTERNAL, -12, false, "internal error")                                                     \
    X(EBUSY, -13, false, "busy")

enum rt_err_code {
#define RT_ERR_ENUM_(name, value, transient, desc) RT_##name = (value),
    RT_ERR_MAP(RT_ERR_ENUM_)
#undef RT_ERR_ENUM_
};

#define RT_ERR_MSG_SIZE 512

/* Caller-allocated. msg holds "context: context: cause", outermost context first. */
typedef struct rt_err {
    int code;
    char msg[RT_ERR_MSG_SIZE];
} rt_err;

/* "EINVAL"; "E?" for a code outside the table. Never NULL. */
const char *rt_err_code_name(int code);
/* "invalid input". Never NULL. */
const char *rt_err_code_desc(int code);
/* True when retrying (restarting) may succeed: I/O, timeouts, unavailable peers. */
bool rt_err_is_transient(int code);

/* Clears err (code 0, empty message). err may be NULL. */
void rt_err_clear(rt_err *err);
/* Sets err to code and the printf-formatted message, replacing what it held. err may be NULL.
 * Returns code, so that `return rt_err_set(err, RT_EINVAL, "...")` reads naturally. */
int rt_err_set(rt_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Puts "context: " in front of the message already in err (callers add context, never overwrite).
 * If err holds no message yet, the message becomes the context plus the code's description.
 * Sets err->code to code. err may be NULL. Returns code. */
int rt_err_prefix(rt_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Broken invariants are bugs: print file:line and the message to stderr, then abort.
 * Never use these on input, network or disk data. */
_Noreturn void rt_panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define RT_BUG(...) rt_panic(__FILE__, __LINE__, __VA_ARGS__)
#define RT_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            rt_panic(__FILE__, __LINE__, "assertion failed: %s", #cond);                          \
    } while (0)

#endif
