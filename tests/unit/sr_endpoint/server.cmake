# Unit tests of sr-endpoint's load parser, transactions and faults (libraries from
# tests/sr_endpoint/server.cmake; target names resolve at generate time).
sluice_test(test_sr_http_load SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_http_load.c LIBS sr_http LABELS unit)
sluice_test(test_sr_txn SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_txn.c LIBS sr_http LABELS unit)
sluice_test(test_sr_fault SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_fault.c LIBS sr_http LABELS unit)
# Schema evolution through the sr-endpoint program with the `mariadb` client and curl.
add_test(NAME test_sr_alter COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_sr_alter.sh
         $<TARGET_FILE:sr-endpoint>)
set_tests_properties(test_sr_alter PROPERTIES LABELS integration TIMEOUT 300)
