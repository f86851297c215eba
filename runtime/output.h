/* A task's outputs (internal to the runtime): one writer per out-edge of the task's chain tail,
 * each over that edge's channels in target order, which routes batches by the edge's
 * distribution (forward, rebalance, broadcast, hash by primary key). Used only from the task's
 * own thread. */
#ifndef SLUICE_RUNTIME_OUTPUT_H
#define SLUICE_RUNTIME_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "graph/job_graph.h"
#include "graph/plan.h"
#include "runtime/base/errors.h"
#include "runtime/batch.h"
#include "runtime/channel.h"

typedef struct rt_output rt_output;

/* Builds the writers of plan task `task` from the plan's channels. gates[t] is the input gate of
 * task t (borrowed, must outlive the output); pool (may be NULL) provides the batches that hash
 * distribution splits into. *out: free with rt_output_free. */
int rt_output_new(const graph_job *graph, const graph_plan *plan, size_t task,
                  rt_gate *const *gates, rt_batch_pool *pool, rt_output **out, rt_err *err);
void rt_output_free(rt_output *o);

/* Number of out-edges (writers) and of channels over all of them. */
size_t rt_output_edge_count(const rt_output *o);
size_t rt_output_channel_count(const rt_output *o);

/* Sends batch to every out-edge by its distribution (one reference per edge). Takes ownership of
 * the caller's reference in every case. May block on a full channel. Returns 0, RT_ECANCELED once
 * a target gate is canceled, or RT_ENOMEM. */
int rt_output_emit(rt_output *o, rt_batch *batch, rt_err *err);
/* Sends an event (barrier, end of input) to every channel of every edge. 0 or RT_ECANCELED. */
int rt_output_event(rt_output *o, rt_elem_kind kind, uint64_t checkpoint_id, rt_err *err);

#endif
