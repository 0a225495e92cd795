/*
 * pipes.h - running pipes and SQL over a workspace's tables.
 *
 * A pipe's endpoint node (TYPE endpoint, else the last node) runs with the
 * request's parameters: every node is rendered with Tinybird's templating
 * (engine/template), the earlier nodes it reads become CTEs, and the query
 * runs on the SQL engine (engine/sql) over the workspace's tables:
 *   <ds>, <ds>_quarantine            the workspace's data sources
 *   <origin>.<ds>                    data sources shared with it
 *   tinybird.datasources_ops_log     its service data source
 * q=<SQL> in the parameters runs that SQL over the endpoint's result as _.
 *
 * This is the layer a second backend would replace: given the same
 * requests it would send the composed SQL to ClickHouse.
 */
#ifndef RS_PIPES_PIPES_H
#define RS_PIPES_PIPES_H

#include <stddef.h>
#include <time.h>

#include "../catalog/catalog.h"
#include "../sql/query.h"

struct rs_pipe_req {
	struct rs_catalog *cat;
	struct rs_ws *ws;
	const char *name;		/* pipe name, for messages */
	const char *text;		/* the .pipe datafile */
	size_t len;
	const char *query;		/* "a=1&b=2" after '?', or NULL */
	const volatile int *cancel;	/* set to cancel (may be NULL) */
	/* materialized views: the table 'only_table' reads just these parts
	 * (a snapshot of one ingestion's new parts) instead of all its rows */
	const char *only_table;
	struct rs_snapshot *only_snap;
	int node_type;			/* run the node of this RS_NODE_* type (0: endpoint) */
	int org_admin;			/* the caller may read organization.<view> */
};

/* An open pipe or SQL query with its table resolver (rs_pq_close frees). */
struct rs_pq;
struct rs_query *rs_pq_query(struct rs_pq *pq);
void rs_pq_close(struct rs_pq *pq);	/* NULL ok */

/* Compose and open the pipe's query. -EINVAL with Tinybird's template
 * messages, "unknown table 'x' in node 'n'", SQL errors naming the node;
 * -ENOENT when the pipe has no node. */
int rs_pipe_open(const struct rs_pipe_req *req, struct rs_pq **out, struct rs_err *err);

/* Open plain SQL (a playground query) over the workspace's tables. */
int rs_sql_open(struct rs_catalog *cat, struct rs_ws *ws, const char *sql,
		const volatile int *cancel, int org_admin, struct rs_pq **out, struct rs_err *err);

/* Validate a .pipe at close: datafile grammar, each node's template and
 * SQL syntax (tables are not looked up: they may come later). -EINVAL with
 * "node 'n', line L: ..." */
int rs_pipe_validate(const char *text, size_t len, struct rs_err *err);

/*
 * Materialized views (SPEC 4): every block committed into a data source
 * runs through the materialized pipes that read it, and the result is
 * appended to their DATASOURCE (which may cascade). rs_mv_on_commit is the
 * catalog's commit hook; rs_mv_backfill runs a new materialized pipe over
 * the rows already there.
 */
void rs_mv_on_commit(struct rs_catalog *c, struct rs_ds *ds, struct rs_part **parts, unsigned n,
		     const char *user);
int rs_mv_backfill(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *text,
		   size_t len, const char *user, struct rs_err *err);

/* Copy pipes (copy.c): run one now (touch), and the COPY_SCHEDULE thread. */
int rs_copy_run(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *text,
		size_t len, const char *user, struct rs_err *err);
int rs_cron_match(const char *expr, time_t t);	/* 1 if minute t matches */
int rs_copy_scheduler_start(struct rs_catalog *c);
void rs_copy_scheduler_stop(void);

/* Change data source 'name' to a definition whose FORWARD_QUERY maps the
 * stored rows to its new types (migrate.c). */
int rs_ds_migrate(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *text,
		  size_t len, const char *user, struct rs_err *err);

/* Run the cases of a tests/<pipe>.yaml (ptest.c) and append the report. */
int rs_pipe_tests_run(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *pipe,
		      size_t plen, const char *yaml, size_t ylen, struct rs_buf *out,
		      struct rs_err *err);

#endif
