# sluice_mysql_snapshot: the snapshot half of the mysql_cdc source: text-protocol values
# (text_value.h) and their conformance to the schema type, shared with the binlog phase
# (value_conform.h), splits and the splitter (snapshot_split.h), split reads (snapshot_chunk.h)
# and the watermark merge (snapshot_merge.h). Included by CMakeLists.txt of this directory.
add_library(sluice_mysql_snapshot STATIC
  text_value.c
  value_conform.c
  snapshot_split.c
  snapshot_chunk.c
  snapshot_merge.c)
target_link_libraries(sluice_mysql_snapshot PUBLIC sluice_mysql_client sluice_mysql_decode)
