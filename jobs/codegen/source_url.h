/* The endpoints `sluice generate` takes as URLs: mysql://USER@HOST[:PORT][?ssl_mode=MODE] for
 * the source and starrocks://USER@FE_HOST[:HTTP_PORT]/DB[?query_port=N] for the target.
 * Passwords never travel in a URL (they would show in process lists and shell history). Pure. */
#ifndef SLUICE_JOBS_CODEGEN_SOURCE_URL_H
#define SLUICE_JOBS_CODEGEN_SOURCE_URL_H

#include "runtime/base/errors.h"

/* A parsed URL. Caller-allocated; strings owned, freed by gen_url_fini. */
typedef struct gen_url {
    char *user;
    char *host;
    unsigned port;       /* mysql: 3306 by default; starrocks: the FE HTTP port, 8030 */
    char *database;      /* starrocks only: required */
    unsigned query_port; /* starrocks only: the FE MySQL port, 9030 by default */
    char *ssl_mode;      /* mysql only: NULL unless ?ssl_mode= was given */
} gen_url;

/* Parses a mysql:// URL. RT_EINVAL with a message that names the option and never repeats a
 * password: "--source: a password in the URL is refused: set SLUICE_SOURCE_PASSWORD ...". */
int gen_url_parse_mysql(const char *text, gen_url *out, rt_err *err);
/* Parses a starrocks:// URL, likewise ("--target: ..."). */
int gen_url_parse_starrocks(const char *text, gen_url *out, rt_err *err);
void gen_url_fini(gen_url *u);

#endif
