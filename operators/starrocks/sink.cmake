# sluice_starrocks: the starrocks sink operator. row_format.c (rows -> JSON lines / CSV with
# __op) and sink_txn.c (labels, transaction ledger, checkpoint state) are pure; table_meta.c asks
# the FE's MySQL port for a table's model and columns (libmariadb); sink_config.c is the config
# table; starrocks_sink.c the operator (sink_restore.c its restore), over sluice_starrocks_client
# (stream_load.h). Schema evolution: sr_type_map.c (MySQL -> StarRocks types, also codegen's),
# sink_schema.c (decisions), source_ddl.c (DEFAULT from the source DDL), sink_pending.c (the
# queue and its state) are pure; sink_ddl.c runs target DDL over the MySQL port; sink_evolve.c
# ties them into the operator.
add_library(sluice_starrocks STATIC
  ${CMAKE_CURRENT_LIST_DIR}/starrocks_sink.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_config.c
  ${CMAKE_CURRENT_LIST_DIR}/row_format.c
  ${CMAKE_CURRENT_LIST_DIR}/table_meta.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_txn.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_sender.c
  ${CMAKE_CURRENT_LIST_DIR}/sr_type_map.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_schema.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_ddl.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_pending.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_evolve.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_restore.c
  ${CMAKE_CURRENT_LIST_DIR}/source_ddl.c)
# sluice_operators for op.h; sluice_mysql_client for the password helper (source_config.h).
target_link_libraries(sluice_starrocks PUBLIC sluice_starrocks_client sluice_operators
                      sluice_mysql_client sluice_runtime
                      PRIVATE PkgConfig::MARIADB PkgConfig::JANSSON)
