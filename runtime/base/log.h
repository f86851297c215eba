/* The leveled logger: one line per call on stderr (or a chosen fd), secrets redacted.
 * The log level is one of the two pieces of global mutable state allowed (set at start-up). */
#ifndef SLUICE_RUNTIME_BASE_LOG_H
#define SLUICE_RUNTIME_BASE_LOG_H

#include <stddef.h>

#include "runtime/base/errors.h"

typedef enum rt_log_level {
    RT_LOG_ERROR = 0,
    RT_LOG_WARN = 1,
    RT_LOG_INFO = 2,
    RT_LOG_DEBUG = 3,
} rt_log_level;

/* The current level; read by the LOG_* macros. Write it only through rt_log_set_level(). */
extern int rt_log_level_current;

/* "error", "warn", "info", "debug". */
const char *rt_log_level_name(rt_log_level level);
/* Parses a level name (case-insensitive). Returns 0 or RT_EINVAL. */
int rt_log_level_parse(const char *name, rt_log_level *out);
void rt_log_set_level(rt_log_level level);
/* Where log lines go (default 2, stderr). Call at start-up or from tests only. */
void rt_log_set_fd(int fd);

typedef enum rt_log_format {
    RT_LOG_FORMAT_TEXT = 0, /* 2026-11-26T10:00:00.123Z INFO  file.c:42 message */
    RT_LOG_FORMAT_JSON = 1, /* {"ts":"...Z","level":"info","file":"file.c","line":42,"msg":"..."} */
} rt_log_format;

/* "text", "json". */
const char *rt_log_format_name(rt_log_format format);
/* Parses "text" or "json" (case-insensitive). Returns 0 or RT_EINVAL. */
int rt_log_format_parse(const char *name, rt_log_format *out);
/* One JSON object per line (same redaction) or the text line. Call at start-up only. */
void rt_log_set_format(rt_log_format format);

/* Appends log lines to the file at path (created 0640 if missing) from now on. Returns 0, or
 * RT_EIO with the reason in err. Call at start-up only; the path is copied. */
int rt_log_open_file(const char *path, rt_err *err);
/* Opens the file at the path given to rt_log_open_file again (after logrotate renamed it): new
 * lines land in the new file. The switch is one dup2(2), so a line written concurrently goes
 * whole to the old or the new file. Safe from any thread (not from a signal handler: it opens a
 * file and may log). Returns 0 (also when no file is open) or RT_EIO, keeping the old file. */
int rt_log_reopen(rt_err *err);
/* Closes the log file and goes back to stderr (tests). */
void rt_log_close_file(void);

/* Formats one line "2026-11-26T10:00:00.123Z INFO  file.c:42 message\n", redacts secrets
 * (rt_log_redact) and writes it with a single write(2), so lines of concurrent threads never mix.
 * Thread-safe. Prefer the LOG_* macros. */
void rt_log_write(rt_log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replaces, in place, the value that follows a secret-looking key with "***". Keys (case-
 * insensitive, matched as a suffix of a longer key too: "sr_password"): password, passwd, pwd,
 * secret, token. Forms: "key":"value" (JSON), key=value (URLs, DSNs, until & ; space or quote),
 * key: value (until end of word). Also user:password@ in URLs. The string may shrink, never grow.
 * Returns the new length. */
size_t rt_log_redact(char *s);

#define LOG_AT_(lvl, ...)                                                                          \
    do {                                                                                           \
        if ((int)(lvl) <= rt_log_level_current)                                                    \
            rt_log_write((lvl), __FILE__, __LINE__, __VA_ARGS__);                                  \
    } while (0)
#define LOG_ERROR(...) LOG_AT_(RT_LOG_ERROR, __VA_ARGS__)
#define LOG_WARN(...) LOG_AT_(RT_LOG_WARN, __VA_ARGS__)
#define LOG_INFO(...) LOG_AT_(RT_LOG_INFO, __VA_ARGS__)
#define LOG_DEBUG(...) LOG_AT_(RT_LOG_DEBUG, __VA_ARGS__)

#endif
