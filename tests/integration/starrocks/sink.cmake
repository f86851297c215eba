# The starrocks sink in whole jobs against the real sr-endpoint binary (integration label).
if(TARGET sr-endpoint AND TARGET sluice_starrocks)
  sluice_test(test_starrocks_sink
              SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sink.c
              LIBS sluice_operators sluice_starrocks PkgConfig::MARIADB PkgConfig::JANSSON
              LABELS integration)
  target_compile_definitions(test_starrocks_sink PRIVATE
                             SR_ENDPOINT_BIN="$<TARGET_FILE:sr-endpoint>")
  add_dependencies(test_starrocks_sink sr-endpoint)
endif()
