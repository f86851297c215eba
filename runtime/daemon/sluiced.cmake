# The sluiced executable (runtime/daemon/sluiced.c): the job manager behind the REST API.
# SLUICE_WEB_DIR is where --web-dir points by default: the source tree's web/ (set it to the
# installed location when packaging).
set(SLUICE_WEB_DIR ${CMAKE_SOURCE_DIR}/web CACHE PATH "default --web-dir of sluiced")
if(TARGET sluice_daemon AND EXISTS ${CMAKE_SOURCE_DIR}/runtime/rest/CMakeLists.txt)
  add_executable(sluiced ${CMAKE_CURRENT_LIST_DIR}/sluiced.c)
  target_link_libraries(sluiced PRIVATE sluice_rest sluice_daemon sluice_operators sluice_base)
  target_compile_definitions(sluiced PRIVATE SLUICE_WEB_DIR="${SLUICE_WEB_DIR}")
endif()
