/* The mysql_cdc source's connection and table-selection config: rows, cross-field validation,
 * password resolution and server id ranges. Messages name JSON paths and never a password. */
#include "operators/mysql/source_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"
#include "runtime/base/json_text.h"

const rt_config_field op_mysql_source_config_fields[] = {
    OP_MYSQL_SOURCE_CONFIG_FIELDS(0),
    {0},
};

/* A password line longer than this is not a password but a wrong file. */
#define PASSWORD_FILE_MAX 4096

static bool is_set(const char *s)
{
    return s != NULL;
}

static bool env_name_ok(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* "UTC", "SYSTEM", "+08:00" / "-03:30", or a tz database name ("Asia/Shanghai"). The zone is
 * not looked up: the server's time zone tables decide which names it knows. */
static bool time_zone_ok(const char *s)
{
    if ((s[0] == '+' || s[0] == '-') && strlen(s) == 6) {
        return isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) && s[3] == ':' &&
               isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
               (s[1] - '0') * 10 + (s[2] - '0') <= 14 && (s[4] - '0') * 10 + (s[5] - '0') < 60;
    }
    if (!isalpha((unsigned char)s[0]))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("/_+-", *s))
            return false;
    return true;
}

/* Parses one id "5400" (1..4294967295) from s up to end. */
static bool parse_id(const char *s, const char *end, uint32_t *out)
{
    if (s == end || end - s > 10)
        return false;
    uint64_t v = 0;
    for (const char *p = s; p < end; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v == 0 || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

int op_mysql_source_config_server_ids(const op_mysql_source_config *c, const char *path,
                                      uint32_t *first, uint32_t *last, rt_err *err)
{
    if (!c->server_id) {
        *first = *last = 0;
        return 0;
    }
    json_error_t je;
    json_t *v = json_loads(c->server_id, JSON_DECODE_ANY, &je);
    uint32_t a = 0, b = 0;
    bool ok = false;
    if (v && json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        ok = i >= 1 && i <= (json_int_t)UINT32_MAX;
        a = b = (uint32_t)i;
    } else if (v && json_is_string(v)) {
        const char *s = json_string_value(v);
        const char *dash = strchr(s, '-');
        const char *end = s + strlen(s);
        if (dash)
            ok = parse_id(s, dash, &a) && parse_id(dash + 1, end, &b) && a <= b;
        else
            ok = parse_id(s, end, &a) && (b = a, true);
    }
    int rc = 0;
    if (!ok) {
        rt_buf got;
        rt_buf_init(&got);
        if (v)
            rt_json_text_append_excerpt(&got, v);
        else
            rt_buf_append_str(&got, c->server_id);
        rc = rt_err_set(err, RT_EINVAL,
                        "%s.server_id: expected an id 1..4294967295 or a range \"5400-5408\" "
                        "(first <= last), got %s",
                        path, got.data);
        rt_buf_fini(&got);
    } else {
        *first = a;
        *last = b;
    }
    json_decref(v);
    return rc;
}

int op_mysql_source_config_validate(const void *cfg, const char *path, rt_err *err)
{
    const op_mysql_source_config *c = cfg;
    int sources = is_set(c->password) + is_set(c->password_env) + is_set(c->password_file);
    if (sources == 0)
        return rt_err_set(err, RT_EINVAL,
                          "%s: set one of password, password_env (an environment variable) or "
                          "password_file (a file whose first line is the password)",
                          path);
    if (sources > 1)
        return rt_err_set(
            err, RT_EINVAL,
            "%s: set only one of password, password_env and password_file (got %s%s%s)", path,
            is_set(c->password) ? "password " : "", is_set(c->password_env) ? "password_env " : "",
            is_set(c->password_file) ? "password_file" : "");
    if (c->password_env && !env_name_ok(c->password_env))
        return rt_err_set(err, RT_EINVAL,
                          "%s.password_env: \"%s\" is not an environment variable name "
                          "(letters, digits and _, not starting with a digit)",
                          path, c->password_env);
    if (c->password_file && !*c->password_file)
        return rt_err_set(err, RT_EINVAL, "%s.password_file: empty file name", path);
    if (!c->host || !*c->host)
        return rt_err_set(err, RT_EINVAL, "%s.host: empty host name", path);
    if (!c->user || !*c->user)
        return rt_err_set(err, RT_EINVAL, "%s.user: empty user name", path);

    op_mysql_ssl_mode mode = (op_mysql_ssl_mode)c->ssl_mode;
    if ((mode == OP_MYSQL_SSL_VERIFY_CA || mode == OP_MYSQL_SSL_VERIFY_IDENTITY) &&
        !(c->ssl_ca && *c->ssl_ca))
        return rt_err_set(err, RT_EINVAL,
                          "%s.ssl_ca: ssl_mode %s verifies the server certificate against a CA: "
                          "set ssl_ca to the CA's PEM file",
                          path, op_mysql_ssl_mode_name(mode));
    if (is_set(c->ssl_cert) != is_set(c->ssl_key))
        return rt_err_set(err, RT_EINVAL, "%s.%s: ssl_cert and ssl_key go together: set both", path,
                          c->ssl_cert ? "ssl_key" : "ssl_cert");
    if (mode == OP_MYSQL_SSL_DISABLED && (c->ssl_ca || c->ssl_cert))
        return rt_err_set(err, RT_EINVAL,
                          "%s.ssl_mode: \"disabled\" with %s set: the file would be ignored; "
                          "choose another ssl_mode or drop the file",
                          path, c->ssl_ca ? "ssl_ca" : "ssl_cert");
    if (!c->server_time_zone || !time_zone_ok(c->server_time_zone))
        return rt_err_set(err, RT_EINVAL,
                          "%s.server_time_zone: expected UTC, an offset like \"+08:00\" or a zone "
                          "name like \"Asia/Shanghai\", got \"%s\"",
                          path, c->server_time_zone ? c->server_time_zone : "");
    uint32_t first, last;
    int rc = op_mysql_source_config_server_ids(c, path, &first, &last, err);
    if (rc != 0)
        return rc;
    op_mysql_table_filter *f;
    if ((rc = op_mysql_source_config_table_filter(c, path, &f, err)) != 0)
        return rc;
    op_mysql_table_filter_free(f);
    return 0;
}

/* Reads the first line of path (without \n or \r\n) into a new string. */
static int read_first_line(const char *file, const char *path, char **out, rt_err *err)
{
    FILE *fp = fopen(file, "r");
    if (!fp)
        return rt_err_set(err, errno == ENOENT || errno == EACCES ? RT_EINVAL : RT_EIO,
                          "%s.password_file: cannot open \"%s\": %s", path, file, strerror(errno));
    char *line = calloc(1, PASSWORD_FILE_MAX + 2);
    if (!line) {
        fclose(fp);
        return rt_err_set(err, RT_ENOMEM, "%s.password_file: out of memory", path);
    }
    int rc = 0;
    if (!fgets(line, PASSWORD_FILE_MAX + 2, fp)) {
        if (ferror(fp))
            rc = rt_err_set(err, RT_EIO, "%s.password_file: cannot read \"%s\"", path, file);
        else
            rc = rt_err_set(err, RT_EINVAL, "%s.password_file: \"%s\" is empty", path, file);
    } else {
        size_t n = strcspn(line, "\r\n");
        if (n > PASSWORD_FILE_MAX)
            rc = rt_err_set(err, RT_EINVAL,
                            "%s.password_file: the first line of \"%s\" is longer than %d bytes",
                            path, file, PASSWORD_FILE_MAX);
        line[n] = '\0';
    }
    fclose(fp);
    if (rc != 0) {
        op_mysql_source_config_password_free(line);
        return rc;
    }
    *out = line;
    return 0;
}

int op_mysql_source_config_password(const op_mysql_source_config *c, const char *path, char **out,
                                    rt_err *err)
{
    if (c->password_file)
        return read_first_line(c->password_file, path, out, err);
    const char *pw = c->password;
    if (c->password_env) {
        pw = getenv(c->password_env);
        if (!pw)
            return rt_err_set(err, RT_EINVAL, "%s.password_env: environment variable %s is not set",
                              path, c->password_env);
    }
    char *copy = strdup(pw ? pw : "");
    if (!copy)
        return rt_err_set(err, RT_ENOMEM, "%s: out of memory", path);
    *out = copy;
    return 0;
}

void op_mysql_source_config_password_free(char *password)
{
    if (!password)
        return;
    /* Volatile stores cannot be dropped as dead writes before free(). */
    volatile char *p = password;
    while (*p)
        *p++ = '\0';
    free(password);
}

void op_mysql_source_config_conn_params(const op_mysql_source_config *c, const char *password,
                                        op_mysql_conn_params *out)
{
    *out = (op_mysql_conn_params){
        .host = c->host,
        .port = (unsigned)c->port,
        .user = c->user,
        .password = password,
        .ssl_mode = (op_mysql_ssl_mode)c->ssl_mode,
        .ssl_ca = c->ssl_ca,
        .ssl_cert = c->ssl_cert,
        .ssl_key = c->ssl_key,
        .connect_timeout_ms = c->connect_timeout_ms,
        .server_time_zone = c->server_time_zone,
    };
}

int op_mysql_source_config_table_filter(const op_mysql_source_config *c, const char *path,
                                        op_mysql_table_filter **out, rt_err *err)
{
    return op_mysql_table_filter_new(&c->tables, &c->exclude_tables, c->columns,
                                     c->chunk_key_column, path, out, err);
}
