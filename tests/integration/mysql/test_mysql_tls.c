/* Integration tests of the TLS modes against a private MariaDB server with certificates made by
 * openssl here: required encrypts; verify_ca accepts the right CA and refuses another;
 * verify_identity refuses a certificate that does not name the host and accepts one that does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/mysql/connection.h"
#include "tests/harness/test.h"
#include "tests/integration/mysql/mysql_it.h"

static char dir[512];
static unsigned port;

/* Makes a CA (name.pem/.key) or, with ca, a server certificate it signs with subjectAltName
 * san. */
static int make_cert(const char *name, const char *ca, const char *san)
{
    char cmd[4096];
    if (!ca)
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                 "-nodes -keyout %s.key -out %s.pem -days 2 -subj /CN=%s >/dev/null 2>&1",
                 dir, name, name, name);
    else
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && printf 'subjectAltName=%s\\n' >%s.ext && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                 "-keyout %s.key -out %s.csr -subj /CN=%s >/dev/null 2>&1 && "
                 "openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key -CAcreateserial "
                 "-out %s.pem -days 2 -extfile %s.ext >/dev/null 2>&1",
                 dir, san, name, name, name, name, name, ca, ca, name, name);
    return system(cmd) == 0 ? 0 : -1;
}

/* (Re)starts the private server with the server certificate `cert`. */
static int run_with(const char *cert)
{
    it_server_stop(dir);
    char args[2048];
    snprintf(args, sizeof args, "--ssl-ca='%s/ca.pem' --ssl-cert='%s/%s.pem' --ssl-key='%s/%s.key'",
             dir, dir, cert, dir, cert);
    return it_server_run(dir, port, args);
}

static int open_tls(op_mysql_ssl_mode mode, const char *ca, op_mysql_conn **c, rt_err *err)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return RT_EINTERNAL;
    char ca_path[600];
    snprintf(ca_path, sizeof ca_path, "%s/%s.pem", dir, ca ? ca : "");
    p.port = port;
    p.ssl_mode = mode;
    p.ssl_ca = ca ? ca_path : NULL;
    *c = NULL;
    return op_mysql_conn_open(&p, c, err);
}

TEST(tls_modes)
{
    snprintf(dir, sizeof dir, "%s/maria", test_tmpdir());
    port = it_free_port();
    if (it_server_start(dir, port) != 0) {
        test_fail(__FILE__, __LINE__, "cannot start a private server");
        it_server_stop(dir);
        return;
    }
    if (make_cert("ca", NULL, NULL) != 0 || make_cert("other_ca", NULL, NULL) != 0 ||
        make_cert("by_name", "ca", "DNS:db.example.test") != 0 ||
        make_cert("by_ip", "ca", "IP:127.0.0.1") != 0) {
        test_fail(__FILE__, __LINE__, "openssl could not make the certificates");
        it_server_stop(dir);
        return;
    }
    op_mysql_conn *c;
    rt_err err;
    if (run_with("by_name") != 0) {
        test_fail(__FILE__, __LINE__, "cannot restart the private server with TLS");
        it_server_stop(dir);
        return;
    }
    CHECK_OK(open_tls(OP_MYSQL_SSL_REQUIRED, NULL, &c, &err), &err);
    if (c)
        CHECK(op_mysql_conn_is_tls(c));
    op_mysql_conn_close(c);
    CHECK_OK(open_tls(OP_MYSQL_SSL_PREFERRED, NULL, &c, &err), &err);
    if (c)
        CHECK(op_mysql_conn_is_tls(c));
    op_mysql_conn_close(c);
    CHECK_OK(open_tls(OP_MYSQL_SSL_DISABLED, NULL, &c, &err), &err);
    if (c)
        CHECK(!op_mysql_conn_is_tls(c));
    op_mysql_conn_close(c);

    CHECK_OK(open_tls(OP_MYSQL_SSL_VERIFY_CA, "ca", &c, &err), &err);
    if (c)
        CHECK(op_mysql_conn_is_tls(c));
    op_mysql_conn_close(c);
    CHECK_INT_EQ(open_tls(OP_MYSQL_SSL_VERIFY_CA, "other_ca", &c, &err), RT_EINVAL);
    fprintf(stderr, "  wrong CA: %s\n", err.msg);
    CHECK_STR_CONTAINS(err.msg, "error 2026");
    /* The certificate names db.example.test, not 127.0.0.1. */
    CHECK_INT_EQ(open_tls(OP_MYSQL_SSL_VERIFY_IDENTITY, "ca", &c, &err), RT_EINVAL);
    fprintf(stderr, "  wrong name: %s\n", err.msg);
    CHECK_STR_CONTAINS(err.msg, "error 2026");

    if (run_with("by_ip") != 0) {
        test_fail(__FILE__, __LINE__, "cannot restart the private server with TLS");
    } else {
        CHECK_OK(open_tls(OP_MYSQL_SSL_VERIFY_IDENTITY, "ca", &c, &err), &err);
        if (c)
            CHECK(op_mysql_conn_is_tls(c));
        op_mysql_conn_close(c);
        CHECK_INT_EQ(open_tls(OP_MYSQL_SSL_VERIFY_IDENTITY, "other_ca", &c, &err), RT_EINVAL);
    }
    it_server_stop(dir);
}

TEST_MAIN()
