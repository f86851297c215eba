# sluice_codegen: `sluice generate` as a library (codegen.h): information_schema -> StarRocks DDL
# and the job graph, --create-tables over StarRocks' MySQL port. MariaDB Connector/C stays inside
# the .c files (schema reads go through op_mysql_conn, DDL through create_tables.c).
add_library(sluice_codegen STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lines.c
  ${CMAKE_CURRENT_LIST_DIR}/source_url.c
  ${CMAKE_CURRENT_LIST_DIR}/schema_scan.c
  ${CMAKE_CURRENT_LIST_DIR}/type_map.c
  ${CMAKE_CURRENT_LIST_DIR}/shard_merge.c
  ${CMAKE_CURRENT_LIST_DIR}/collision.c
  ${CMAKE_CURRENT_LIST_DIR}/ddl.c
  ${CMAKE_CURRENT_LIST_DIR}/job_gen.c
  ${CMAKE_CURRENT_LIST_DIR}/create_tables.c
  ${CMAKE_CURRENT_LIST_DIR}/codegen.c)
target_link_libraries(sluice_codegen PUBLIC sluice_operators sluice_mysql_client sluice_runtime
                      PRIVATE PkgConfig::MARIADB PkgConfig::JANSSON)
# The Flink CDC YAML codec (flink_yaml.h), when it is built: `generate --format flink-cdc` and
# `generate --from pipeline.yaml` need it.
if(TARGET sluice_flink_yaml)
  target_link_libraries(sluice_codegen PUBLIC sluice_flink_yaml)
  target_compile_definitions(sluice_codegen PUBLIC SLUICE_HAVE_FLINK_YAML=1)
endif()
