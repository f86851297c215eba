# sr-endpoint's MySQL port (tests/sr_endpoint/sr_sql.c). test_sr_sql_endpoint: the port on a loop
# thread over a temp-dir store, driven with MariaDB Connector/C and the `mariadb` client.
# test_sr_sql_cli: the sr-endpoint program (tests/sr_endpoint/server.cmake) with the `mariadb`
# client, across a restart. Neither needs a fixture.
sluice_test(test_sr_sql_endpoint SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_sql_endpoint.c
            LIBS sr_sql PkgConfig::MARIADB LABELS integration)
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/sr_endpoint/server.cmake)
  add_test(NAME test_sr_sql_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_sr_sql_cli.sh
           $<TARGET_FILE:sr-endpoint>)
  set_tests_properties(test_sr_sql_cli PROPERTIES LABELS integration TIMEOUT 300)
endif()
