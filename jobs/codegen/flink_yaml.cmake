# sluice_flink_yaml: Flink CDC 3 pipeline YAML <-> Sluice job graph JSON (libyaml, jansson).
# _tree reads YAML into positioned nodes; _map converts table patterns, lists and durations;
# _read (gen_flink_yaml_parse) maps the source, sink and pipeline blocks, _rules the route and
# transform blocks; _write (gen_flink_yaml_format) goes the other way through _emit.
add_library(sluice_flink_yaml STATIC
            ${CMAKE_CURRENT_LIST_DIR}/flink_yaml_tree.c
            ${CMAKE_CURRENT_LIST_DIR}/flink_yaml_map.c
            ${CMAKE_CURRENT_LIST_DIR}/flink_yaml_read.c
            ${CMAKE_CURRENT_LIST_DIR}/flink_yaml_rules.c
            ${CMAKE_CURRENT_LIST_DIR}/flink_yaml_write.c
            ${CMAKE_CURRENT_LIST_DIR}/flink_yaml_emit.c)
target_link_libraries(sluice_flink_yaml PUBLIC sluice_base PRIVATE PkgConfig::YAML PkgConfig::JANSSON)
