# sluice_mysql_ddl: schema tracking for the mysql_cdc source: the table-DDL parser of QUERY events
# (ddl_parse.h) and the schema history kept in checkpoint state (schema_history.h). Included by
# CMakeLists.txt of this directory. sluice_operators gives it op_sql_type (operators/basic/
# sql_type.h); sluice_mysql_binlog the order of binlog file names (binlog_position.h).
add_library(sluice_mysql_ddl STATIC
  ddl_parse.c
  ddl_stmt.c
  ddl_origin.c
  schema_history.c
  schema_history_codec.c)
target_link_libraries(sluice_mysql_ddl PUBLIC sluice_operators sluice_runtime
                      PRIVATE sluice_mysql_binlog)
