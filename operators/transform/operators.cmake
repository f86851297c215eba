# The transform operators (project, filter, rename, cast, route) and what they share (tf_tables.c).
target_sources(sluice_transform PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/tf_tables.c
  ${CMAKE_CURRENT_LIST_DIR}/project.c
  ${CMAKE_CURRENT_LIST_DIR}/filter.c
  ${CMAKE_CURRENT_LIST_DIR}/rename.c
  ${CMAKE_CURRENT_LIST_DIR}/cast.c
  ${CMAKE_CURRENT_LIST_DIR}/route.c)
