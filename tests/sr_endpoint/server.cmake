# sr-endpoint (a StarRocks-compatible test double): the FE/BE HTTP ports, transactions, faults
# and the program. Links the MySQL-protocol port (sr_sql, from sql.cmake) when it exists.
add_library(sr_http STATIC
  ${CMAKE_CURRENT_LIST_DIR}/sr_http.c ${CMAKE_CURRENT_LIST_DIR}/sr_http_load.c
  ${CMAKE_CURRENT_LIST_DIR}/sr_txn.c ${CMAKE_CURRENT_LIST_DIR}/sr_txn_reply.c ${CMAKE_CURRENT_LIST_DIR}/sr_fault.c)
target_link_libraries(sr_http PUBLIC sr_store sluice_base PkgConfig::JANSSON PkgConfig::LIBEVENT)

add_executable(sr-endpoint ${CMAKE_CURRENT_LIST_DIR}/sr_endpoint.c)
target_link_libraries(sr-endpoint PRIVATE sr_http sr_store sluice_base PkgConfig::LIBEVENT)
if(TARGET sr_sql)
  target_link_libraries(sr-endpoint PRIVATE sr_sql)
  target_compile_definitions(sr-endpoint PRIVATE SR_ENDPOINT_HAVE_SQL=1)
endif()

add_test(NAME sr_endpoint_http COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_sr_http.sh
         $<TARGET_FILE:sr-endpoint>)
set_tests_properties(sr_endpoint_http PROPERTIES LABELS integration TIMEOUT 300)
