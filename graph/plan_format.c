/* Text and Graphviz renderings of a physical plan (what `sluice plan` and `--dot` print). */
#include "graph/plan.h"

#include "runtime/base/buf.h"

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "gen -> map": the vertex ids of a chain, head first. */
static void append_chain_name(rt_buf *b, const graph_job *job, const graph_plan_chain *chain)
{
    for (size_t k = 0; k < chain->vertex_count; k++) {
        if (k > 0)
            rt_buf_append_str(b, " -> ");
        rt_buf_append_str(b, graph_job_vertex(job, chain->vertices[k])->id);
    }
}

char *graph_plan_format_text(const graph_job *job, const graph_plan *plan)
{
    rt_buf b;
    rt_buf_init(&b);
    size_t chains = graph_plan_chain_count(plan), tasks = graph_plan_task_count(plan);
    size_t channels = graph_plan_channel_count(plan);
    rt_buf_appendf(&b, "job %s: %zu %s, %zu %s, %zu %s\n", graph_job_name(job), chains,
                   plural(chains, "chain", "chains"), tasks, plural(tasks, "task", "tasks"),
                   channels, plural(channels, "channel", "channels"));
    for (size_t c = 0; c < chains; c++) {
        const graph_plan_chain *chain = graph_plan_chain_at(plan, c);
        size_t first = graph_plan_task_index(plan, c, 0);
        rt_buf_appendf(&b, "chain %zu [", c);
        append_chain_name(&b, job, chain);
        rt_buf_appendf(&b, "] parallelism %u: tasks %zu..%zu\n", (unsigned)chain->parallelism,
                       first, first + chain->parallelism - 1);
    }
    /* A channel is named by the vertices its edge joins (the producer chain's tail and the
     * consumer chain's head) and the subtasks at either end. */
    for (size_t i = 0; i < channels; i++) {
        const graph_plan_channel *ch = graph_plan_channel_at(plan, i);
        const graph_edge *edge = graph_job_edge(job, ch->edge);
        rt_buf_appendf(&b, "channel %s#%u -> %s#%u (%s, gate input %zu)\n",
                       graph_job_vertex(job, edge->from)->id,
                       (unsigned)graph_plan_task_at(plan, ch->from_task)->subtask,
                       graph_job_vertex(job, edge->to)->id,
                       (unsigned)graph_plan_task_at(plan, ch->to_task)->subtask,
                       graph_distribution_name(edge->distribution), ch->gate_index);
    }
    return rt_buf_take(&b);
}

/* Appends s inside a dot double-quoted string (only '"' and '\\' need escaping there). */
static void append_dot_escaped(rt_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            rt_buf_append_char(b, '\\');
        rt_buf_append_char(b, *s);
    }
}

char *graph_plan_format_dot(const graph_job *job, const graph_plan *plan)
{
    rt_buf b;
    rt_buf_init(&b);
    rt_buf_append_str(&b, "digraph \"");
    append_dot_escaped(&b, graph_job_name(job));
    rt_buf_append_str(&b, "\" {\n  rankdir=LR;\n  node [shape=box];\n");
    for (size_t c = 0; c < graph_plan_chain_count(plan); c++) {
        const graph_plan_chain *chain = graph_plan_chain_at(plan, c);
        rt_buf_appendf(&b, "  subgraph cluster_%zu {\n    label=\"chain %zu (parallelism %u)\";\n",
                       c, c, (unsigned)chain->parallelism);
        rt_buf name;
        rt_buf_init(&name);
        append_chain_name(&name, job, chain);
        for (uint32_t st = 0; st < chain->parallelism; st++) {
            rt_buf_appendf(&b, "    t%zu [label=\"", graph_plan_task_index(plan, c, st));
            append_dot_escaped(&b, name.data);
            rt_buf_appendf(&b, " #%u\"];\n", (unsigned)st);
        }
        rt_buf_fini(&name);
        rt_buf_append_str(&b, "  }\n");
    }
    for (size_t i = 0; i < graph_plan_channel_count(plan); i++) {
        const graph_plan_channel *ch = graph_plan_channel_at(plan, i);
        const graph_edge *edge = graph_job_edge(job, ch->edge);
        rt_buf_appendf(&b, "  t%zu -> t%zu [label=\"%s\"];\n", ch->from_task, ch->to_task,
                       graph_distribution_name(edge->distribution));
    }
    rt_buf_append_str(&b, "}\n");
    return rt_buf_take(&b);
}
