# Unit tests of sr-endpoint's SQL parser and SHOW output (sr_sql is defined in tests/sr_endpoint,
# added after this directory; target names resolve at generate time).
sluice_test(test_sr_sql_parse SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_sql_parse.c LIBS sr_sql
            LABELS unit)
sluice_test(test_sr_sql_show SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_sql_show.c LIBS sr_sql
            LABELS unit)
