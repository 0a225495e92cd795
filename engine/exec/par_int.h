/*
 * par_int.h - executor internals for the parallel and dictionary paths:
 * cloning bound expressions for a worker thread, scan clones over a share
 * of the granules, and what a scan's consumer needs of each column.
 */
#ifndef RS_EXEC_PAR_INT_H
#define RS_EXEC_PAR_INT_H

#include "exec.h"

/* Worker threads used by parallel aggregation (the machine has 2 cores). */
#define RS_PAR_THREADS 2
/* Below this many granules a query runs on one thread. */
#define RS_PAR_MIN_GRANULES 8

/*
 * Deep copy of a bound expression with fresh evaluation buffers, nodes from
 * arena a. Read-only function state (LIKE patterns) is shared; NULL when
 * some node holds state that cannot be shared (IN sets, regexes, lambdas).
 */
struct rs_expr *rs_expr_clone(struct rs_arena *a, const struct rs_expr *e);
/* Calls f(pos, ctx) for every input column an expression reads; returns -1
 * when it has lambdas or non-deterministic functions, else 0. */
int rs_expr_cols(const struct rs_expr *e, void (*f)(unsigned pos, void *ctx), void *ctx);

/* op_scan.c */
/* rs_col_gather with typed loops for plain fixed and String columns. */
int rs_gather_fast(struct rs_col *dst, const struct rs_col *src, const uint32_t *idx, size_t n);
int rs_op_is_scan(const struct rs_op *op);
/* The scan reads no column and has no predicate: it only counts rows. */
int rs_scan_trivial(const struct rs_op *op);
/* Granules the scan would read (after min/max skipping); builds its work list. */
size_t rs_scan_items(struct rs_op *op);
/* A scan over the same table and columns for worker q (NULL: not clonable). */
struct rs_op *rs_scan_clone(struct rs_op *op, struct rs_qctx *q, struct rs_arena *a);
/* Restrict the scan to share 'idx' of 'of' contiguous shares of its work list. */
void rs_scan_share(struct rs_op *op, unsigned idx, unsigned of);
/* What the consumer needs of column col: 0 nothing, 1 the dictionary view
 * when there is one, 2 the values (default). */
void rs_scan_want(struct rs_op *op, unsigned col, int mode);

/* op_join.c: a join's consumer needs output column c as want[c] (as
 * rs_scan_want); passed on to a scan on the left. */
int rs_op_is_join(const struct rs_op *op);
void rs_join_want(struct rs_op *op, const int *want);
/* The join's left input (a scan for parallel aggregation). */
struct rs_op *rs_join_left(struct rs_op *op);
/* Build the right side now (before workers clone the join). */
int rs_join_prepare(struct rs_op *op);
/* A join for worker q sharing the prepared right side (read-only), over a
 * clone of the left scan; NULL when the left side or its keys cannot be
 * cloned. The clone must be freed before the original. */
struct rs_op *rs_join_clone(struct rs_op *op, struct rs_qctx *q, struct rs_arena *a);

#endif
