# The sluiced executable (runtime/daemon/sluiced.c): the job manager behind the REST API.
if(TARGET sluice_daemon AND EXISTS ${CMAKE_SOURCE_DIR}/runtime/rest/CMakeLists.txt)
  add_executable(sluiced ${CMAKE_CURRENT_LIST_DIR}/sluiced.c)
  target_link_libraries(sluiced PRIVATE sluice_rest sluice_daemon sluice_operators sluice_base)
endif()
