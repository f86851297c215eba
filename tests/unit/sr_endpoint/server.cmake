# Unit tests of sr-endpoint's load parser, transactions and faults (libraries from
# tests/sr_endpoint/server.cmake; target names resolve at generate time).
sluice_test(test_sr_http_load SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_http_load.c LIBS sr_http LABELS unit)
sluice_test(test_sr_txn SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_txn.c LIBS sr_http LABELS unit)
sluice_test(test_sr_fault SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_fault.c LIBS sr_http LABELS unit)
