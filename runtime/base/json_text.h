/* JSON values as text: jansson values written compact or indented, with the shortest doubles that
 * read back exactly, and the cut "got ..." excerpt that error messages quote.
 *
 * The one Sluice header that names a third-party type (json_t), on purpose: it is the bridge for
 * the .c files that already parse JSON with jansson (runtime/base/config.c, graph/codec.c), so
 * that they print it one way. Include it only from such a .c file, never from another header;
 * everything else stays behind the jansson-free APIs of config.h and codec.h. */
#ifndef SLUICE_RUNTIME_BASE_JSON_TEXT_H
#define SLUICE_RUNTIME_BASE_JSON_TEXT_H

#include <jansson.h>

#include "runtime/base/buf.h"

/* The longest excerpt of a value that rt_json_text_append_excerpt writes, in bytes, before "…":
 * short enough that the path and the expectation around it always fit in an rt_err. */
#define RT_JSON_TEXT_EXCERPT_MAX 100

/* Appends the JSON text of v, keys in document order: compact when indent is 0, else one item a
 * line with `indent` spaces per level. Reals are written as by rt_json_text_append_double (not
 * json_dumps, which prints 0.1 as 0.10000000000000001). Recursion is bounded by the depth
 * jansson's parser allows. v is borrowed. Any thread. */
void rt_json_text_append(rt_buf *b, const json_t *v, int indent);
/* Returns the JSON text of v as rt_json_text_append writes it. Caller frees with free(). */
char *rt_json_text_format(const json_t *v, int indent);
/* Appends the shortest %g text that reads back as the same double, always with a '.' or an
 * exponent so that it reads back as a real ("3.0"); inf and nan as null (JSON has neither). */
void rt_json_text_append_double(rt_buf *b, double v);
/* Appends v as compact JSON for the "got ..." part of a message: cut after at most
 * RT_JSON_TEXT_EXCERPT_MAX bytes, on a UTF-8 character boundary, and then followed by "…", so
 * that a misplaced array cannot flood the message. v is borrowed. */
void rt_json_text_append_excerpt(rt_buf *b, const json_t *v);

#endif
