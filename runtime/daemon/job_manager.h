/* The job manager of sluiced: hosts many jobs in one process (one rt_job_master each), keeps the
 * submitted jobs and their desired state in DIR/daemon.db (RocksDB) so that every job that was
 * running resumes from its latest completed checkpoint when the daemon starts again (after a clean
 * stop, a crash or kill -9), and renders what the REST API shows as JSON text (Flink's shapes).
 *
 * Every call returns quickly: slow work (starting a job's first attempt, stop-with-savepoint,
 * savepoints) runs on the manager's worker thread(s) and is observed through trigger ids, so the
 * REST event loop never blocks on RocksDB, MySQL or curl. All functions are thread-safe.
 *
 * Layout of DIR: daemon.db (the store: per job its id, name, submitted text as given, start
 * savepoint, desired state running|canceled|stopped|finished|failed, times, last failure,
 * savepoints; a 0700 directory, since a job text may hold a literal password) and jobs/<id>/ (the
 * job master's data directory: state/ with its checkpoints, savepoints/). A job's restart
 * strategy is its own; a job without a "checkpoint" section still gets its data directory.
 *
 * JSON views (every *_json function writes malloc'd NUL-terminated text to *json; caller frees):
 *   list          {"jobs": [{"id": ID, "status": "RUNNING"}, ...]}
 *   overview      {"jobs": [{"jid", "name", "state", "start-time" (ms), "end-time" (ms or -1),
 *                  "duration" (ms), "restarts"}, ...]}
 *   job           {"jid", "name", "state", "start-time", "end-time", "duration", "restarts",
 *                  "restored-checkpoint" (id or null), "last-failure" (why it failed, or why
 *                  its latest attempt failed before a restart; text or null), "savepoint" (the
 *                  savepoint that stopped it, or null),
 *                  "plan": {"chains": [{"vertices": [ID, ...], "parallelism"}], "tasks": N}
 *                  (null for a job stored by an older sluiced whose text no longer validates),
 *                  "vertices": [{"id", "type",
 *                  "parallelism", "metrics": {"read-records", "write-records", "read-batches",
 *                  "write-batches"}} (sums over every attempt)], "job": the submitted text with the
 *                  value of every key named password/token/secret, at any depth, "***"}
 *   checkpoints   {"counts": {"completed", "failed", "in_progress", "total"},
 *                  "latest": {"completed": C|null, "savepoint": C|null, "failed": C|null,
 *                  "restored": {"id"}|null}, "history": [C, ...] (newest first, the last 32
 *                  across restarts; empty for a job that ended before this sluiced started)}
 *                  C = {"id", "status", "is_savepoint", "trigger_timestamp", "end_to_end_duration",
 *                  "state_size", "alignment_duration", "failure_message"}
 *   trigger       {"status": {"id": "IN_PROGRESS"|"COMPLETED"}, "operation": {"location": PATH}
 *                  | {"failure-cause": {"message": TEXT}}}
 * Job ids and trigger ids are 32 lower-case hex digits (Flink's JobID). States are the job
 * master's names (CREATED RUNNING RESTARTING FINISHED FAILED CANCELED STOPPED). */
#ifndef SLUICE_RUNTIME_DAEMON_JOB_MANAGER_H
#define SLUICE_RUNTIME_DAEMON_JOB_MANAGER_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/buf.h"
#include "runtime/base/errors.h"
#include "runtime/job.h"

#define RT_JOB_ID_LEN 32 /* hex digits; buffers are RT_JOB_ID_LEN + 1 */

typedef struct rt_job_manager rt_job_manager;

typedef struct rt_job_manager_options {
    const char *data_dir; /* DIR: daemon.db and jobs/<id>/ (each job's state backend); copied */
    rt_op_lookup lookup;  /* the operator registry */
    size_t max_jobs;      /* non-terminal jobs at most (0: 64); a submit beyond is RT_EBUSY */
} rt_job_manager_options;

/* Opens DIR (created if missing) and its job store, then restarts every job whose desired state
 * is running (from its latest completed checkpoint). RT_EBUSY when another process holds DIR (a
 * second sluiced refuses to start); RT_EIO / RT_ECORRUPT for a store that cannot be read. A job
 * that cannot be restarted (its file no longer validates) ends FAILED with the reason; the others
 * go on. *out: close with rt_job_manager_close. */
int rt_job_manager_open(const rt_job_manager_options *opts, rt_job_manager **out, rt_err *err);

/* Stops every job and frees the manager. with_savepoints: stop-with-savepoint each running job
 * (all at once; a job whose savepoint is not written within timeout_ms is canceled); else
 * cancel. Savepoints triggered through rt_job_manager_savepoint are waited for first. Either way the jobs that were running
 * keep desired state "running" in the store, so the next open resumes them (from the savepoint
 * when one was taken). NULL is a no-op. */
void rt_job_manager_close(rt_job_manager *m, bool with_savepoints, int64_t timeout_ms);

/* Submits a job: body is a job graph JSON; a top-level "savepoint": PATH (removed before the
 * graph is parsed) starts it from that savepoint directory. Validates (RT_EINVAL with the
 * validator's message, which names the JSON path; also "$.savepoint: ..." for a path that holds
 * no savepoint), stores it durably, and starts it on the worker
 * thread; returns the new id in id_out. RT_EEXIST when a non-terminal job has the same name
 * (metrics and logs are labelled by name); RT_EBUSY beyond max_jobs. */
int rt_job_manager_submit(rt_job_manager *m, const char *body, size_t len,
                          char id_out[RT_JOB_ID_LEN + 1], rt_err *err);
/* Cancels a job (PATCH /jobs/:id). RT_ENOTFOUND for an unknown id; a terminal job is left as it
 * is (0). Records desired state "canceled" durably before returning. */
int rt_job_manager_cancel(rt_job_manager *m, const char *id, rt_err *err);
/* Forgets a terminal job (DELETE /jobs/:id): removes it from the store and its data directory.
 * RT_ENOTFOUND; RT_ESTATE when it is not terminal. */
int rt_job_manager_forget(rt_job_manager *m, const char *id, rt_err *err);
/* Triggers a savepoint (stop false) or a stop-with-savepoint (stop true) on the worker thread;
 * returns its trigger id at once. RT_ENOTFOUND; RT_ESTATE when the job is not RUNNING. A job
 * stopped with a savepoint ends STOPPED and its desired state becomes "stopped". */
int rt_job_manager_savepoint(rt_job_manager *m, const char *id, bool stop,
                             char trigger_out[RT_JOB_ID_LEN + 1], rt_err *err);

/* The JSON views described above. RT_ENOTFOUND for an unknown job or trigger id. */
int rt_job_manager_list_json(rt_job_manager *m, char **json, rt_err *err);
int rt_job_manager_overview_json(rt_job_manager *m, char **json, rt_err *err);
int rt_job_manager_job_json(rt_job_manager *m, const char *id, char **json, rt_err *err);
int rt_job_manager_checkpoints_json(rt_job_manager *m, const char *id, char **json, rt_err *err);
int rt_job_manager_trigger_json(rt_job_manager *m, const char *id, const char *trigger,
                                char **json, rt_err *err);

/* One job's metrics (GET /jobs/:id/metrics), for the web console's charts:
 * {"series": [{"name", "labels": {"vertex", "subtask", <extra label>}, "value"}]} (an info
 * series' value is its text; a job with no running master has no series). RT_ENOTFOUND. */
int rt_job_manager_job_metrics_json(rt_job_manager *m, const char *id, char **json, rt_err *err);

/* Appends the Prometheus text exposition of every job's metrics (one HELP/TYPE header per family
 * across jobs; series labelled job="name" as registered) and the daemon's own series
 * (sluiced_jobs{state=...}, sluiced_submissions_total) to out. 0 or RT_ENOMEM. */
int rt_job_manager_metrics_text(rt_job_manager *m, rt_buf *out, rt_err *err);
/* Non-terminal jobs now. */
size_t rt_job_manager_active_count(rt_job_manager *m);

#endif
