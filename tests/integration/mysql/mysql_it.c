/* Integration-test helpers: see mysql_it.h. */
#include "tests/integration/mysql/mysql_it.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/base/log.h"
#include "tests/harness/mariadb.h"
#include "tests/harness/test.h"

bool it_params(op_mysql_conn_params *out)
{
    test_mysql_params tp;
    if (!test_mysql_params_get(&tp)) {
        test_fail(__FILE__, __LINE__, "no MariaDB test server in the environment");
        return false;
    }
    *out = (op_mysql_conn_params){
        .host = tp.host,
        .port = tp.port,
        .user = tp.user,
        .password = tp.password,
        .connect_timeout_ms = 5000,
    };
    return true;
}

op_mysql_conn *it_open(void)
{
    op_mysql_conn_params p;
    if (!it_params(&p))
        return NULL;
    op_mysql_conn *c = NULL;
    rt_err err;
    if (op_mysql_conn_open(&p, &c, &err) != 0) {
        test_fail(__FILE__, __LINE__, "open: %s", err.msg);
        return NULL;
    }
    return c;
}

const char *it_prefix(void)
{
    static char prefix[32];
    if (!prefix[0])
        snprintf(prefix, sizeof prefix, "it%ld", (long)getpid());
    return prefix;
}

unsigned it_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int shell(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc == 0 ? 0 : -1;
}

int it_server_start(const char *dir, unsigned port)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "bash '%s' start '%s' %u >/dev/null",
             test_source_path("tests/harness/mariadb.sh"), dir, port);
    return shell(cmd);
}

int it_server_run(const char *dir, unsigned port, const char *args)
{
    /* mariadb.sh's start line without its binlog options, on the datadir it installed, with the
     * pid where its stop expects it. */
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "mariadbd --no-defaults --user=\"$(id -un)\" --datadir='%s/data' "
             "--socket='%s/mysqld.sock' --port=%u --bind-address=127.0.0.1 "
             "--pid-file='%s/mariadbd.pid' --log-error='%s/error.log' --skip-name-resolve "
             "--tmpdir='%s/tmp' --server-id=1 --innodb-buffer-pool-size=64M "
             "--innodb-log-file-size=48M %s >/dev/null 2>&1 & echo $! >'%s/pid'",
             dir, dir, port, dir, dir, dir, args, dir);
    if (shell(cmd) != 0)
        return -1;
    for (int i = 0; i < 300; i++) {
        if (it_server_sql(dir, "SELECT 1") == 0)
            return 0;
        usleep(100 * 1000);
    }
    return -1;
}

int it_server_start_without_binlog(const char *dir, unsigned port)
{
    return it_server_run(dir, port, "--skip-log-bin");
}

void it_server_stop(const char *dir)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "bash '%s' stop '%s'", test_source_path("tests/harness/mariadb.sh"),
             dir);
    shell(cmd);
}

int it_server_sql(const char *dir, const char *sql)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "mariadb --no-defaults --protocol=socket --socket='%s/mysqld.sock' -uroot -e \"%s\" "
             ">/dev/null 2>&1",
             dir, sql);
    return system(cmd) == 0 ? 0 : -1;
}

static char log_path[512];
static int log_fd = -1;

void it_log_begin(void)
{
    snprintf(log_path, sizeof log_path, "%s/log.txt", test_tmpdir());
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    rt_log_set_fd(log_fd);
    rt_log_set_level(RT_LOG_DEBUG);
}

char *it_log_end(void)
{
    rt_log_set_fd(2);
    rt_log_set_level(RT_LOG_INFO);
    close(log_fd);
    log_fd = -1;
    char *text = test_read_file(log_path, NULL);
    return text ? text : strdup("");
}
