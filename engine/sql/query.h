/*
 * query.h - run one ClickHouse-dialect SELECT over roost tables.
 *
 *   struct rs_query_env env = { .resolve = my_resolver, .ctx = ws, .timeout_ms = 10000 };
 *   struct rs_query *q;
 *   if (rs_query_open(&env, "SELECT count() FROM events", &q, &err)) ...   // parse+bind+plan
 *   const struct rs_schema *s = rs_query_schema(q);      // result names and types
 *   const struct rs_col *cols; size_t n;
 *   while ((rc = rs_query_next(q, &cols, &n, &err)) > 0) ...  // s->ncols columns of n rows
 *   rs_query_close(q);
 *
 * Result columns are struct rs_col vectors typed as ClickHouse would type
 * them, so the writers of output/format.h render what ClickHouse prints.
 * Errors: -EINVAL for SQL errors (syntax with line/column, "unknown column
 * 'x'", "unknown function 'foo'", "unknown table 'x'", bad argument types),
 * -ECANCELED when *env.cancel becomes nonzero, -ETIMEDOUT past the deadline
 * ("query exceeded query_timeout (10 s)"), -ENOMEM past max_memory
 * ("query exceeded query_memory (N MiB)"), -EIO for corrupt storage.
 * A query is used by one thread at a time.
 */
#ifndef RS_SQL_QUERY_H
#define RS_SQL_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../storage/table.h"
#include "../types/column.h"
#include "../types/schema.h"

/* What a resolver gives for a table name. */
struct rs_table_info {
	const struct rs_schema *schema;	/* borrowed until release() */
	const struct rs_col *defaults;	/* one row per column, or NULL (zero values) */
	struct rs_snapshot *snap;	/* borrowed: the query takes its own reference */
	void *handle;			/* passed back to release() */
};

/*
 * Resolve (db or NULL, name). Return 0 and fill *out, or -ENOENT (the
 * query then reports "unknown table 'name'" unless err was set), or another
 * negative errno with a message in err.
 */
typedef int (*rs_query_resolve_fn)(void *ctx, const char *db, const char *name,
				   struct rs_table_info *out, struct rs_err *err);
/* Called once per resolved table at rs_query_close (may be NULL). */
typedef void (*rs_query_release_fn)(void *ctx, struct rs_table_info *info);

struct rs_query_env {
	rs_query_resolve_fn resolve;
	rs_query_release_fn release;
	void *ctx;
	const volatile int *cancel;	/* checked between granules/chunks; may be NULL */
	uint64_t timeout_ms;		/* 0 = none */
	uint64_t max_memory;		/* bytes for hash tables/sorts; 0 = none */
	int64_t now;			/* now() in unix seconds; 0 = wall clock */
};

struct rs_query_stats {
	uint64_t rows_read, bytes_read;
	int64_t rows_before_limit;	/* -1 when the query has no LIMIT */
	double elapsed;			/* seconds since open */
};

struct rs_query;

int rs_query_open(const struct rs_query_env *env, const char *sql, struct rs_query **out,
		  struct rs_err *err);
const struct rs_schema *rs_query_schema(const struct rs_query *q);
/*
 * Next chunk of results: 1 with *cols (schema->ncols columns) of *n rows,
 * valid until the next call; 0 at the end; <0 on error (message in err).
 */
int rs_query_next(struct rs_query *q, const struct rs_col **cols, size_t *n, struct rs_err *err);
void rs_query_stats(const struct rs_query *q, struct rs_query_stats *st);
void rs_query_close(struct rs_query *q);	/* NULL is a no-op */

#endif
