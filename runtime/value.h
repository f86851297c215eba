/* Typed column values carried by change records. Values are small by-value structs; text and
 * bytes point into the arena of the batch that holds the record. */
#ifndef SLUICE_RUNTIME_VALUE_H
#define SLUICE_RUNTIME_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/base/buf.h"

typedef enum rt_type {
    RT_TYPE_NULL = 0, /* SQL NULL (any column type) */
    RT_TYPE_INT,      /* signed 64-bit */
    RT_TYPE_UINT,     /* unsigned 64-bit */
    RT_TYPE_DOUBLE,   /* FLOAT and DOUBLE */
    RT_TYPE_DECIMAL,  /* exact digits as text: "-123.4500" (s) */
    RT_TYPE_STRING,   /* text, UTF-8 (s) */
    RT_TYPE_BYTES,    /* binary (s) */
    RT_TYPE_DATE,     /* t: year, month, day (zero dates allowed, as MySQL does) */
    RT_TYPE_TIME,     /* t: neg, hour (0..838), minute, second, usec */
    RT_TYPE_DATETIME, /* t: date and time of day with microseconds (DATETIME and TIMESTAMP) */
    RT_TYPE_JSON,     /* JSON document as text (s) */
} rt_type;

/* "null", "int", "uint", "double", "decimal", "string", "bytes", "date", "time", "datetime",
 * "json". */
const char *rt_type_name(rt_type t);

typedef struct rt_temporal {
    int16_t year;
    uint8_t month, day;
    uint16_t hour; /* TIME allows up to 838 */
    uint8_t minute, second;
    uint8_t neg; /* TIME only: negative interval */
    uint32_t usec;
} rt_temporal;

typedef struct rt_value {
    uint8_t type; /* rt_type */
    union {
        int64_t i;
        uint64_t u;
        double d;
        struct {
            const char *ptr; /* borrowed from the batch arena (or the caller's memory) */
            uint32_t len;
        } s;
        rt_temporal t;
    };
} rt_value;

/* Appends v in the changelog's exact JSON form: integers as numbers while |v| <= 2^53 and as
 * strings beyond; DECIMAL as a string of its digits; DOUBLE with 17 significant digits (NaN and
 * infinities as strings "NaN", "Infinity", "-Infinity"); STRING as a JSON string; BYTES as a
 * base64 string; DATE "YYYY-MM-DD"; TIME "[-]hh:mm:ss.ffffff"; DATETIME
 * "YYYY-MM-DD hh:mm:ss.ffffff"; JSON as a string holding the document text; NULL as null. */
void rt_value_format_json(const rt_value *v, rt_buf *out);

/* Equality of two values (same type and same content). */
bool rt_value_equal(const rt_value *a, const rt_value *b);
/* A 64-bit hash of the value's content, stable across runs and platforms (for hash
 * distribution): equal values hash equally. */
uint64_t rt_value_hash(const rt_value *v, uint64_t seed);

#endif
