# sluice_starrocks_client: the StarRocks load client of the starrocks sink. sr_reply.c parses the
# reply bodies (pure), label.c builds labels (pure), sr_http.c is the one file that uses libcurl,
# stream_load.c is the client (plain Stream Load, the transaction interface, failover, retries).
add_library(sluice_starrocks_client STATIC
  ${CMAKE_CURRENT_LIST_DIR}/sr_reply.c
  ${CMAKE_CURRENT_LIST_DIR}/label.c
  ${CMAKE_CURRENT_LIST_DIR}/sr_http.c
  ${CMAKE_CURRENT_LIST_DIR}/stream_load.c)
target_link_libraries(sluice_starrocks_client PUBLIC sluice_base
                      PRIVATE PkgConfig::CURL PkgConfig::JANSSON)
