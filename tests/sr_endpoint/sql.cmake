# sr_sql: sr-endpoint's MySQL-protocol port: the wire protocol (sr_mysql_wire, sr_mysql_sha1),
# the SQL lexer and parser (sr_sql_lex, sr_sql_parse with sr_sql_parse_query), and the statements
# run against the store (sr_sql, sr_sql_select, sr_sql_show).
add_library(sr_sql STATIC
            ${CMAKE_CURRENT_LIST_DIR}/sr_mysql_sha1.c ${CMAKE_CURRENT_LIST_DIR}/sr_mysql_wire.c
            ${CMAKE_CURRENT_LIST_DIR}/sr_sql_lex.c ${CMAKE_CURRENT_LIST_DIR}/sr_sql_parse.c
            ${CMAKE_CURRENT_LIST_DIR}/sr_sql_parse_query.c ${CMAKE_CURRENT_LIST_DIR}/sr_sql_parse_alter.c
            ${CMAKE_CURRENT_LIST_DIR}/sr_sql_show.c
            ${CMAKE_CURRENT_LIST_DIR}/sr_sql_select.c ${CMAKE_CURRENT_LIST_DIR}/sr_sql_alter.c
            ${CMAKE_CURRENT_LIST_DIR}/sr_sql.c)
target_link_libraries(sr_sql PUBLIC sr_store sluice_base PkgConfig::LIBEVENT)
