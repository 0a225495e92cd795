/*
 * test_sql_exec.h - shared harness of the test_sql_exec*.c files: a temp
 * catalog with small tables loaded from CSV text, and sq(sql), which runs a
 * query and returns its result as TSV rows joined by '\n' (no trailing
 * newline) or "ERR <code>: <message>". The returned string is valid until
 * the next sq() call.
 */
#ifndef RS_TEST_SQL_EXEC_H
#define RS_TEST_SQL_EXEC_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/util.h"
#include "../../engine/catalog/catalog.h"
#include "../../engine/ingest/ingest.h"
#include "../../engine/sql/query.h"
#include "../../engine/types/value.h"
#include "t.h"

static struct rs_catalog *cat;
static struct rs_ws *ws;
static char tmpdir[256];
static struct rs_buf sq_out = RS_BUF_INIT;
static struct rs_query_stats sq_stats;

static int sq_resolve(void *ctx, const char *db, const char *name, struct rs_table_info *out,
		      struct rs_err *err)
{
	struct rs_ds *ds = rs_ds_get(cat, ws, name);
	struct rs_dsv *v;

	if (!ds)
		return -ENOENT;
	v = rs_ds_version(ds);
	out->schema = &v->schema;
	out->defaults = v->defaults;
	out->snap = rs_table_snapshot(ds->data);
	out->handle = v;
	rs_ds_unref(cat, ds);
	return 0;
}

static void sq_release(void *ctx, struct rs_table_info *ti)
{
	rs_snapshot_unref(ti->snap);
	rs_dsv_unref(ti->handle);
}

/* Create data source 'name' from a .datasource text and load CSV text. */
static inline int sq_load(const char *name, const char *def, const char *csv)
{
	struct rs_err err = { 0 };
	struct rs_ds *ds;
	struct rs_ingest *g;
	int rc;

	if ((rc = rs_ds_apply(cat, ws, name, def, strlen(def), "test", NULL, &err))) {
		fprintf(stderr, "apply %s: %s\n", name, err.msg);
		return rc;
	}
	ds = rs_ds_get(cat, ws, name);
	g = rs_ingest_new(cat, ds, RS_IN_CSV, 1, "test");
	rc = rs_ingest_write(g, csv, strlen(csv), &err);
	if (!rc)
		rc = rs_ingest_commit(g, NULL, &err);
	if (rc)
		fprintf(stderr, "ingest %s: %s\n", name, err.msg);
	rs_ingest_free(g);
	rs_ds_unref(cat, ds);
	return rc;
}

static inline const char *sq(const char *sql)
{
	struct rs_query_env env = { sq_resolve, sq_release, NULL, NULL, 10000, 0, 1700000000 };
	struct rs_err err = { 0 };
	struct rs_query *q;
	const struct rs_col *cols;
	size_t n, rows = 0;
	int rc;

	rs_buf_reset(&sq_out);
	memset(&sq_stats, 0, sizeof(sq_stats));
	if ((rc = rs_query_open(&env, sql, &q, &err))) {
		rs_buf_printf(&sq_out, "ERR %d: %s", rc, err.msg);
		return sq_out.data;
	}
	while ((rc = rs_query_next(q, &cols, &n, &err)) > 0)
		for (size_t r = 0; r < n; r++, rows++) {
			if (rows)
				rs_buf_addc(&sq_out, '\n');
			for (unsigned c = 0; c < rs_query_schema(q)->ncols; c++) {
				if (c)
					rs_buf_addc(&sq_out, '\t');
				rs_value_render(&cols[c], r, RS_RENDER_TSV, &sq_out);
			}
		}
	if (rc) {
		rs_buf_reset(&sq_out);
		rs_buf_printf(&sq_out, "ERR %d: %s", rc, err.msg);
	}
	rs_query_stats(q, &sq_stats);
	rs_query_close(q);
	if (!sq_out.data)
		rs_buf_reserve(&sq_out, 1);
	return sq_out.data ? sq_out.data : "";
}

/* Result column names and types, "name Type" joined by ", ". */
static inline const char *sq_schema(const char *sql)
{
	struct rs_query_env env = { sq_resolve, sq_release, NULL, NULL, 10000, 0, 1700000000 };
	struct rs_err err = { 0 };
	struct rs_query *q;
	int rc;

	rs_buf_reset(&sq_out);
	if ((rc = rs_query_open(&env, sql, &q, &err))) {
		rs_buf_printf(&sq_out, "ERR %d: %s", rc, err.msg);
		return sq_out.data;
	}
	for (unsigned c = 0; c < rs_query_schema(q)->ncols; c++) {
		if (c)
			rs_buf_adds(&sq_out, ", ");
		rs_buf_adds(&sq_out, rs_query_schema(q)->cols[c].name);
		rs_buf_addc(&sq_out, ' ');
		rs_type_name(rs_query_schema(q)->cols[c].type, &sq_out);
	}
	rs_query_close(q);
	return sq_out.data ? sq_out.data : "";
}

static const char *t_def =
	"SCHEMA >\n    id UInt32,\n    name String,\n    city Nullable(String),\n"
	"    score Nullable(Int32),\n    ts DateTime,\n    tags Array(String)\n\n"
	"ENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"id\"\n";
static const char *t_csv =
	"1,alice,Paris,10,2024-01-01 10:00:00,\"['a','b']\"\n"
	"2,bob,\\N,20,2024-01-02 11:30:00,[]\n"
	"3,carol,Berlin,\\N,2024-01-15 23:59:59,\"['c']\"\n"
	"4,dave,Paris,40,2024-02-01 00:00:00,\"['d','e','f']\"\n"
	"5,eve,Berlin,20,2024-02-29 12:00:00,[]\n";
static const char *u_def =
	"SCHEMA >\n    uid UInt32,\n    amount Int64,\n    note String\n";
static const char *u_csv = "1,100,x\n1,50,y\n3,7,z\n9,1,w\n";

static inline int sq_setup(const char *tag)
{
	struct rs_err err = { 0 };

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rs_sql_%s.XXXXXX", tag);
	if (!mkdtemp(tmpdir))
		return -errno;
	if (rs_catalog_open(tmpdir, NULL, &cat, &err) || rs_org_create(cat, "o", &err) ||
	    rs_ws_create(cat, "o", "w", "test", &err)) {
		fprintf(stderr, "catalog: %s\n", err.msg);
		return -EIO;
	}
	ws = rs_ws_get(cat, "o", "w");
	if (sq_load("t", t_def, t_csv) || sq_load("u", u_def, u_csv))
		return -EIO;
	return 0;
}

static inline void sq_teardown(void)
{
	char cmd[300];

	rs_ws_unref(cat, ws);
	rs_catalog_close(cat);
	rs_buf_release(&sq_out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

#endif
