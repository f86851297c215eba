/* The leveled logger: one line per call on stderr (or a chosen fd), secrets redacted.
 * The log level is one of the two pieces of global mutable state allowed (set at start-up). */
#ifndef SLUICE_RUNTIME_BASE_LOG_H
#define SLUICE_RUNTIME_BASE_LOG_H

#include <stddef.h>

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
