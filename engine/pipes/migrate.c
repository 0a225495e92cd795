/*
 * migrate.c - FORWARD_QUERY (SPEC 3): a new definition that changes column
 * types carries a SELECT list mapping the old rows to the new schema, e.g.
 *   FORWARD_QUERY >
 *       SELECT timestamp, toUUID(session_id) AS session_id, action
 * The query runs over the stored rows (old definition), the new definition
 * is applied, and its result replaces every row in one commit; if anything
 * fails the old definition is put back and the rows are untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "../catalog/datafile.h"
#include "../catalog/opslog.h"
#include "../ingest/ingest.h"
#include "pipes.h"

int rs_ds_migrate(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *text,
		  size_t len, const char *user, struct rs_err *err)
{
	struct rs_ds_def def;
	struct rs_ds *ds = rs_ds_get(c, ws, name);
	struct rs_dsv *old = NULL;
	struct rs_pq *pq = NULL;
	struct rs_ingest *g = NULL;
	struct rs_buf sql = RS_BUF_INIT;
	const struct rs_col *cols;
	uint64_t t0 = rs_now_ns();
	size_t n;
	int rc;

	if (!ds)
		return rs_errf(err, -ENOENT, "no data source '%s'", name);
	if ((rc = rs_ds_parse(text, len, &def, err)))
		goto out;
	rs_buf_printf(&sql, "%s\nFROM %s", def.forward_query ? def.forward_query : "SELECT *",
		      name);
	rs_ds_def_release(&def);
	old = rs_ds_version(ds);
	/* 1: the query over the stored rows, as the old definition reads them */
	if ((rc = rs_sql_open(c, ws, sql.data, NULL, 0, &pq, err))) {
		size_t l = strlen(err->msg);
		snprintf(err->msg + l, sizeof(err->msg) - l, " (in FORWARD_QUERY)");
		goto out;
	}
	/* 2: the new definition */
	if ((rc = rs_ds_apply_ex(c, ws, name, text, len, user, RS_APPLY_RETYPE | RS_APPLY_QUIET,
				 NULL, err)))
		goto out;
	/* 3: its rows: the query's result replaces them all */
	g = rs_ingest_new(c, ds, RS_IN_CSV, 1, user);
	rs_ingest_set_event(g, "alter");
	while ((rc = rs_query_next(rs_pq_query(pq), &cols, &n, err)) > 0)
		if ((rc = rs_ingest_add_cols(g, rs_query_schema(rs_pq_query(pq)), cols, n, err)))
			break;
	if (!rc)
		rc = rs_ingest_commit(g, NULL, err);
	if (rc) {
		/* put the old definition back: the stored rows were not touched */
		rs_ds_apply_ex(c, ws, name, old->text, old->len, user,
			       RS_APPLY_RETYPE | RS_APPLY_QUIET, NULL, NULL);
	}
out:
	if (rc) {
		struct rs_opslog_entry e = {
			.event_type = "alter", .ds_id = ds->id, .ds_name = name, .ok = 0,
			.elapsed = (double)(rs_now_ns() - t0) / 1e9, .error = err->msg,
			.rows = -1, .rows_quarantine = -1, .user = user,
		};
		rs_opslog_append(ws, &e);
	}
	rs_ingest_free(g);
	rs_pq_close(pq);
	rs_dsv_unref(old);
	rs_buf_release(&sql);
	rs_ds_unref(c, ds);
	return rc;
}
