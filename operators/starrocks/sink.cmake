# sluice_starrocks: the starrocks sink operator. row_format.c (rows -> JSON lines / CSV with
# __op) and sink_txn.c (labels, transaction ledger, checkpoint state) are pure; table_meta.c asks
# the FE's MySQL port for a table's model and columns (libmariadb); sink_config.c is the config
# table; starrocks_sink.c the operator, over sluice_starrocks_client (stream_load.h).
add_library(sluice_starrocks STATIC
  ${CMAKE_CURRENT_LIST_DIR}/starrocks_sink.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_config.c
  ${CMAKE_CURRENT_LIST_DIR}/row_format.c
  ${CMAKE_CURRENT_LIST_DIR}/table_meta.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_txn.c
  ${CMAKE_CURRENT_LIST_DIR}/sink_sender.c)
# sluice_operators for op.h; sluice_mysql_client for the password helper (source_config.h).
target_link_libraries(sluice_starrocks PUBLIC sluice_starrocks_client sluice_operators
                      sluice_mysql_client sluice_runtime
                      PRIVATE PkgConfig::MARIADB PkgConfig::JANSSON)
