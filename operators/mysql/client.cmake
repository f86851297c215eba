# sluice_mysql_client: the client side of the mysql_cdc source (MariaDB Connector/C stays inside
# it): connections with TLS, backoff and error mapping, the connection and table-selection
# config, the table filter, the schema reader over information_schema, the server checks and
# the server_time_zone (time_zone.h, loaded when a connection opens).
add_library(sluice_mysql_client STATIC
  connection.c
  source_config.c
  table_filter.c
  schema_reader.c
  server_check.c
  time_zone.c)
# sluice_operators for op_sql_type (operators/basic/sql_type.h).
target_link_libraries(sluice_mysql_client PUBLIC sluice_operators sluice_runtime
                      PRIVATE PkgConfig::MARIADB PkgConfig::JANSSON)
