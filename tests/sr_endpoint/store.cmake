# sr_store: sr-endpoint's tables, values and durable commits (a test double of StarRocks storage).
add_library(sr_store STATIC ${CMAKE_CURRENT_LIST_DIR}/sr_value.c ${CMAKE_CURRENT_LIST_DIR}/sr_store.c
            ${CMAKE_CURRENT_LIST_DIR}/sr_store_record.c ${CMAKE_CURRENT_LIST_DIR}/sr_store_table.c
            ${CMAKE_CURRENT_LIST_DIR}/sr_store_ddl.c ${CMAKE_CURRENT_LIST_DIR}/sr_store_alter.c)
target_link_libraries(sr_store PUBLIC sluice_base PkgConfig::JANSSON Threads::Threads)
