/* The parsed expression as an object: freeing it and the syntax-only queries (its text, whether
 * it is a bare column, which columns it reads) that need no schema. */
#include <stdlib.h>

#include "operators/transform/expr_int.h"

void expr_node_free(enode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        expr_node_free(n->kids[i]);
    free(n->kids);
    free(n->name);
    free(n->lit_str);
    free(n);
}

void op_expr_free(op_expr *e)
{
    if (!e)
        return;
    expr_node_free(e->root);
    free(e->text);
    free(e);
}

const char *op_expr_text(const op_expr *e)
{
    return e->text;
}

bool op_expr_is_column(const op_expr *e, const char **name)
{
    if (e->root->kind != N_COL)
        return false;
    if (name)
        *name = e->root->name;
    return true;
}

static void walk_columns(const enode *n, void (*fn)(const char *, void *), void *arg)
{
    if (n->kind == N_COL)
        fn(n->name, arg);
    for (size_t i = 0; i < n->nkids; i++)
        walk_columns(n->kids[i], fn, arg);
}

void op_expr_columns(const op_expr *e, void (*fn)(const char *name, void *arg), void *arg)
{
    walk_columns(e->root, fn, arg);
}
