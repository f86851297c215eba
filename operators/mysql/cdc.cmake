# sluice_mysql_cdc: the mysql_cdc source operator (mysql_cdc.c), its binlog phase
# (cdc_binlog_reader.c), its snapshot phase (cdc_snapshot.c) with the split coordinator its
# parallel readers share (snapshot_coordinator.c) and its checkpoint state (cdc_state.c).
# Included by CMakeLists.txt of this directory. It links sluice_operators (op.h's context,
# sql_type.h) and sluice_operators links it back for the registry: a cycle between static
# libraries, which CMake resolves by repeating them on the link line (see operators/CMakeLists.txt).
add_library(sluice_mysql_cdc STATIC
  mysql_cdc.c
  cdc_binlog_reader.c
  cdc_tables.c
  cdc_tables_ddl.c
  cdc_state.c
  cdc_snapshot.c
  snapshot_coordinator.c
  snapshot_progress.c)
target_link_libraries(sluice_mysql_cdc PUBLIC sluice_mysql_binlog sluice_mysql_client
                      sluice_mysql_snapshot sluice_mysql_ddl sluice_operators sluice_runtime PRIVATE PkgConfig::JANSSON)
