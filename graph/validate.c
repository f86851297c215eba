/* Graph-level validation: input resolution into edges, vertex kinds, and the DAG check. */
#include "graph/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/buf.h"

void graph_input_decls_fini(graph_input_decls *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->items[i].from);
    free(d->items);
    d->items = NULL;
    d->count = 0;
}

/* The JSON path of the producer id of input `in` of operator `op`: a plain string names the id
 * itself, an object names it in its "from" member. */
static void from_path(char *buf, size_t size, size_t op, size_t in, bool is_object)
{
    snprintf(buf, size, "$.operators[%zu].inputs[%zu]%s", op, in, is_object ? ".from" : "");
}

static int resolve_input(const graph_job *job, const graph_input_decls *d, size_t op, size_t in,
                         graph_edge *edge, rt_err *err)
{
    const graph_vertex *consumer = &job->vertices[op];
    const graph_input_decl *decl = &d->items[in];
    char path[96];
    from_path(path, sizeof path, op, in, decl->is_object);

    long from = graph_job_find_vertex(job, decl->from);
    if (from < 0)
        return rt_err_set(err, RT_EINVAL, "%s: unknown operator id \"%s\"", path, decl->from);
    if ((size_t)from == op)
        return rt_err_set(err, RT_EINVAL, "%s: \"%s\" cannot read its own output", path,
                          decl->from);
    const graph_vertex *producer = &job->vertices[from];
    if (producer->kind == GRAPH_KIND_SINK)
        return rt_err_set(err, RT_EINVAL, "%s: \"%s\" is a sink (type %s) and has no outputs", path,
                          producer->id, producer->type);
    for (size_t k = 0; k < in; k++) {
        if (strcmp(d->items[k].from, decl->from) == 0)
            return rt_err_set(err, RT_EINVAL,
                              "$.operators[%zu].inputs[%zu]: duplicate input \"%s\" (first at "
                              "$.operators[%zu].inputs[%zu])",
                              op, in, decl->from, op, k);
    }

    graph_distribution dist;
    if (decl->has_distribution) {
        dist = decl->distribution;
        if (dist == GRAPH_DIST_FORWARD && producer->parallelism != consumer->parallelism)
            return rt_err_set(err, RT_EINVAL,
                              "$.operators[%zu].inputs[%zu].distribution: forward needs equal "
                              "parallelism (%s has %u, %s has %u)",
                              op, in, producer->id, (unsigned)producer->parallelism, consumer->id,
                              (unsigned)consumer->parallelism);
    } else {
        dist = producer->parallelism == consumer->parallelism ? GRAPH_DIST_FORWARD
                                                              : GRAPH_DIST_REBALANCE;
    }
    edge->from = (size_t)from;
    edge->to = op;
    edge->input_index = in;
    edge->distribution = dist;
    return 0;
}

static int check_kind(const graph_vertex *v, size_t op, size_t input_count, rt_err *err)
{
    if (v->kind == GRAPH_KIND_SOURCE && input_count > 0)
        return rt_err_set(err, RT_EINVAL,
                          "$.operators[%zu].inputs: \"%s\" is a source (type %s) and takes no "
                          "inputs",
                          op, v->id, v->type);
    if (v->kind != GRAPH_KIND_SOURCE && input_count == 0)
        return rt_err_set(err, RT_EINVAL,
                          "$.operators[%zu].inputs: \"%s\" is a %s (type %s) and needs at least "
                          "one input",
                          op, v->id, graph_vertex_kind_name(v->kind), v->type);
    return 0;
}

/* Depth-first search along the edges (producer to consumer). The DFS stack is the current path,
 * so an edge back to a vertex still on it closes a cycle made of the stack from that vertex up.
 * Iterative, so that a long pipeline cannot exhaust the C stack. */
static int check_acyclic(const graph_job *job, rt_err *err)
{
    size_t n = job->vertex_count, m = job->edge_count;
    size_t *out_start = calloc(n + 1, sizeof *out_start);
    size_t *out_edges = calloc(m ? m : 1, sizeof *out_edges);
    size_t *fill = calloc(n ? n : 1, sizeof *fill);
    size_t *stack = calloc(n ? n : 1, sizeof *stack);
    size_t *next = calloc(n ? n : 1, sizeof *next);
    unsigned char *color = calloc(n ? n : 1, 1); /* 0 unvisited, 1 on the path, 2 done */
    int rc = 0;
    if (!out_start || !out_edges || !fill || !stack || !next || !color) {
        rc = rt_err_set(err, RT_ENOMEM, "$.operators: out of memory");
        goto done;
    }
    for (size_t e = 0; e < m; e++)
        out_start[job->edges[e].from + 1]++;
    for (size_t v = 0; v < n; v++)
        out_start[v + 1] += out_start[v];
    for (size_t e = 0; e < m; e++) {
        size_t v = job->edges[e].from;
        out_edges[out_start[v] + fill[v]++] = e;
    }

    for (size_t root = 0; root < n && rc == 0; root++) {
        if (color[root])
            continue;
        size_t sp = 0;
        stack[sp] = root;
        next[sp++] = out_start[root];
        color[root] = 1;
        while (sp > 0 && rc == 0) {
            size_t v = stack[sp - 1];
            if (next[sp - 1] == out_start[v + 1]) {
                color[v] = 2;
                sp--;
                continue;
            }
            size_t w = job->edges[out_edges[next[sp - 1]++]].to;
            if (color[w] == 0) {
                color[w] = 1;
                stack[sp] = w;
                next[sp++] = out_start[w];
            } else if (color[w] == 1) {
                size_t k = 0;
                while (stack[k] != w)
                    k++;
                rt_buf b;
                rt_buf_init(&b);
                for (; k < sp; k++) {
                    rt_buf_append_str(&b, job->vertices[stack[k]].id);
                    rt_buf_append_str(&b, " -> ");
                }
                rt_buf_append_str(&b, job->vertices[w].id);
                rc = rt_err_set(err, RT_EINVAL, "$.operators: cycle %s", b.data);
                rt_buf_fini(&b);
            }
        }
    }
done:
    free(out_start);
    free(out_edges);
    free(fill);
    free(stack);
    free(next);
    free(color);
    return rc;
}

int graph_validate_edges(graph_job *job, const graph_input_decls *decls, rt_err *err)
{
    size_t total = 0;
    for (size_t i = 0; i < job->vertex_count; i++)
        total += decls[i].count;
    graph_edge *edges = calloc(total ? total : 1, sizeof *edges);
    if (!edges)
        return rt_err_set(err, RT_ENOMEM, "$.operators: out of memory");

    /* Walking consumers in order and their inputs in order yields the edge order the header
     * promises (consumer, then input_index) without a sort. */
    size_t n = 0;
    for (size_t i = 0; i < job->vertex_count; i++) {
        int rc = check_kind(&job->vertices[i], i, decls[i].count, err);
        for (size_t j = 0; j < decls[i].count && rc == 0; j++)
            rc = resolve_input(job, &decls[i], i, j, &edges[n++], err);
        if (rc != 0) {
            free(edges);
            return rc;
        }
    }
    job->edges = edges;
    job->edge_count = n;
    return check_acyclic(job, err);
}
