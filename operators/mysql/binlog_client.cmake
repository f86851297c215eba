# sluice_mysql_binlog: the replication connection of the mysql_cdc source (binlog_client.h: login,
# session setup, COM_BINLOG_DUMP / COM_BINLOG_DUMP_GTID, raw events, reconnection) and the binlog
# positions it streams from (binlog_position.h), over MariaDB Connector/C. Included by
# CMakeLists.txt of this directory; sluice_mysql_client gives it the connection (connection.h).
add_library(sluice_mysql_binlog STATIC
  binlog_position.c
  binlog_client.c
  binlog_client_conn.c)
target_link_libraries(sluice_mysql_binlog PUBLIC sluice_mysql_decode sluice_mysql_client
                      PRIVATE PkgConfig::MARIADB Threads::Threads)
