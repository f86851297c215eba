# sluice_daemon: the job manager (job_manager.c; its worker thread and savepoint triggers in
# job_worker.c), its durable store (job_store.c, RocksDB), the job texts (job_text.c), the JSON
# views (job_view.c) and the merged metrics (job_metrics.c).
add_library(sluice_daemon STATIC
  ${CMAKE_CURRENT_LIST_DIR}/job_manager.c
  ${CMAKE_CURRENT_LIST_DIR}/job_worker.c
  ${CMAKE_CURRENT_LIST_DIR}/job_store.c
  ${CMAKE_CURRENT_LIST_DIR}/job_text.c
  ${CMAKE_CURRENT_LIST_DIR}/job_view.c
  ${CMAKE_CURRENT_LIST_DIR}/job_metrics.c)
target_link_libraries(sluice_daemon PUBLIC sluice_operators
                      PRIVATE RocksDB::rocksdb PkgConfig::JANSSON Threads::Threads)
