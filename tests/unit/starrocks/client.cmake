# Tests of the StarRocks load client (operators/starrocks/client.cmake).
sluice_test(test_sr_reply SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sr_reply.c
            LIBS sluice_starrocks_client LABELS unit)
sluice_test(test_label SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_label.c
            LIBS sluice_starrocks_client LABELS unit)
# The client against scripted FE/BE servers on loopback, inside the test process.
sluice_test(test_stream_load SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stream_load.c
            LIBS sluice_starrocks_client Threads::Threads LABELS unit)
# The client against sr-endpoint, started by the test itself.
if(TARGET sr-endpoint)
  sluice_test(test_stream_load_endpoint
              SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stream_load_endpoint.c
              LIBS sluice_starrocks_client sluice_test_mysql PkgConfig::JANSSON Threads::Threads
              LABELS integration)
  set_property(TEST test_stream_load_endpoint APPEND PROPERTY ENVIRONMENT
               "SR_ENDPOINT_BIN=$<TARGET_FILE:sr-endpoint>")
  add_dependencies(test_stream_load_endpoint sr-endpoint)
endif()
