/* The web console's files, served by sluiced from one directory (--web-dir): GET / is index.html
 * and GET /web/<path> a file under the directory. They hold no secrets, so they need no token;
 * the page asks for the token and sends it on its API calls. */
#ifndef SLUICE_RUNTIME_REST_STATIC_FILES_H
#define SLUICE_RUNTIME_REST_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/errors.h"
#include "runtime/rest/rest_routes.h"

/* Files above this size are not served (the console is a few small files). */
#define RT_STATIC_MAX_FILE ((size_t)8 << 20)

/* True for the paths this module answers: GET "/" and GET "/web/...". */
bool rt_static_is_path(const char *method, const char *path);

/* Maps a request path to the file name under the web directory ("/" -> "index.html",
 * "/web/js/app.js" -> "js/app.js") into out (size bytes). Every segment must be 1+ characters of
 * A-Z a-z 0-9 _ - . and not start with '.', so "..", hidden files and percent-escapes never
 * reach the file system. RT_ENOTFOUND for a path outside "/" and "/web/", RT_EINVAL for an unsafe
 * or too long one. Pure. */
int rt_static_resolve(const char *path, char *out, size_t size, rt_err *err);

/* The Content-Type for a file name by its extension (.html .js .css .svg .png .json, plus
 * .ico .txt .map); "application/octet-stream" otherwise. Static string. */
const char *rt_static_content_type(const char *name);

/* Answers a GET for path from web_dir (NULL: no directory configured): 200 with the file, its
 * content type and Cache-Control no-cache; 404 for a missing file, a missing directory ("web
 * console not found: ...") or a symlink that leads out of web_dir (checked with realpath); 400 for
 * an unsafe path. Reads the file on the calling thread (small local files). */
void rt_static_serve(const char *web_dir, const char *path, rt_rest_reply *r);

#endif
