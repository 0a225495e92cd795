/*
 * query.c - the public query API (query.h): parse, plan, pull chunks,
 * statistics, limits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/mem.h"
#include "../base/util.h"
#include "bind_int.h"

int rs_query_open(const struct rs_query_env *env, const char *sql, struct rs_query **out,
		  struct rs_err *err)
{
	struct rs_query *q = xcalloc(1, sizeof(*q));
	struct rs_sel *s;
	char **names;
	int rc;

	rs_mem_busy(1);		/* rs_query_close says -1, on every path */
	q->env = *env;
	q->t0 = rs_now_ns();
	q->qc.err = &q->err;
	q->qc.a = &q->a;
	q->qc.cancel = env->cancel;
	q->qc.timeout_ms = env->timeout_ms;
	q->qc.deadline_ns = env->timeout_ms ? q->t0 + env->timeout_ms * 1000000ULL : 0;
	q->qc.mem_limit = env->max_memory;
	q->qc.rows_before_limit = -1;
	q->qc.now = env->now ? env->now : (int64_t)time(NULL);
	rs_schema_init(&q->schema);
	if ((rc = rs_sql_parse(sql, &q->a, &s, &q->err)) ||
	    (rc = rs_plan_select(q, s, NULL, 0, &q->root, &names))) {
		if (err)
			*err = q->err;
		rs_query_close(q);
		return rc;
	}
	for (unsigned i = 0; i < q->root->ncols; i++)
		rs_schema_add(&q->schema, names[i], rs_type_clone(q->root->types[i]));
	*out = q;
	return 0;
}

const struct rs_schema *rs_query_schema(const struct rs_query *q)
{
	return &q->schema;
}

int rs_query_next(struct rs_query *q, const struct rs_col **cols, size_t *n, struct rs_err *err)
{
	struct rs_chunk *c;
	int rc;

	if (q->done)
		return 0;
	for (;;) {
		if ((rc = rs_qctx_check(&q->qc)) == 0)
			rc = rs_op_next(q->root, &c);
		if (rc < 0) {
			if (!q->err.code)
				rs_errf(&q->err, rc, "query failed");
			if (err)
				*err = q->err;
			return rc;
		}
		if (rc == 0) {
			q->done = 1;
			return 0;
		}
		if (c->n == 0)
			continue;
		*cols = c->cols;
		*n = c->n;
		return 1;
	}
}

void rs_query_stats(const struct rs_query *q, struct rs_query_stats *st)
{
	st->rows_read = q->qc.rows_read;
	st->bytes_read = q->qc.bytes_read;
	st->rows_before_limit = q->qc.rows_before_limit;
	st->elapsed = (double)(rs_now_ns() - q->t0) / 1e9;
}

void rs_query_close(struct rs_query *q)
{
	if (!q)
		return;
	rs_op_free(q->root);
	rs_qctx_release_consts(&q->qc);
	for (unsigned i = 0; i < q->ntables; i++)
		if (q->env.release)
			q->env.release(q->env.ctx, &q->tables[i]);
	rs_schema_release(&q->schema);
	for (unsigned i = 0; i < q->qc.ntypes; i++)
		rs_type_free(q->qc.types[i]);
	rs_arena_release(&q->a);
	free(q);
	rs_mem_busy(-1);
}
