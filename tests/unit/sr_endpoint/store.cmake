# Unit tests of sr-endpoint's store and values (sr_store is defined in tests/sr_endpoint, added
# after this directory; target names resolve at generate time).
sluice_test(test_sr_value SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_value.c LIBS sr_store LABELS unit)
sluice_test(test_sr_store SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_store.c LIBS sr_store LABELS unit)
sluice_test(test_sr_store_alter SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_store_alter.c LIBS sr_store
            LABELS unit)
