# Unit tests of the starrocks sink's pure modules: row_format (+ table_meta's parser) and
# sink_txn (labels, ledger, checkpoint state).
if(TARGET sluice_starrocks)
  sluice_test(test_row_format SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_row_format.c
              LIBS sluice_starrocks LABELS unit)
  sluice_test(test_sink_txn SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sink_txn.c
              LIBS sluice_starrocks LABELS unit)
endif()
# Schema evolution's pure parts: config, decisions, SQL, idempotence, queue codec, type map.
if(TARGET sluice_starrocks)
  sluice_test(test_sink_schema SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sink_schema.c
              LIBS sluice_starrocks LABELS unit)
endif()
