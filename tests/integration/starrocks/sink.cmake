# The starrocks sink in whole jobs against the real sr-endpoint binary (integration label).
if(TARGET sr-endpoint AND TARGET sluice_starrocks)
  # The endpoint process and SQL on its query port, shared with tests/integration/schema_evolution.
  add_library(sluice_test_sr_endpoint STATIC ${CMAKE_CURRENT_LIST_DIR}/sr_test_endpoint.c)
  target_link_libraries(sluice_test_sr_endpoint PUBLIC sluice_test_harness PkgConfig::MARIADB
                        PRIVATE PkgConfig::JANSSON)
  target_compile_definitions(sluice_test_sr_endpoint PRIVATE
                             SR_ENDPOINT_BIN="$<TARGET_FILE:sr-endpoint>")
  add_dependencies(sluice_test_sr_endpoint sr-endpoint)
  sluice_test(test_starrocks_sink
              SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sink.c
              LIBS sluice_operators sluice_starrocks sluice_test_sr_endpoint PkgConfig::MARIADB
                   PkgConfig::JANSSON
              LABELS integration)
endif()
