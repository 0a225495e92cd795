/*
 * test_sql_bench.c - the 16 benchmark queries at 1M rows (seed 42) must give
 * exactly ClickHouse's answers (shared/bench/results/1000000/answers/
 * ch_mergetree/<q>.tsv). Skipped when RS_SKIP_SLOW=1 (valgrind runs).
 * SHARED = $ROOST_SHARED, else ../shared, else /work/shared. The generator is
 * $ROOST_BENCH_GEN or built from $SHARED/bench/gen_events.c with cc.
 * RS_BENCH_ROWS=10000000 runs another size (answers of that size);
 * RS_BENCH_RUNS=3 prints the median of 3 timed runs after a warm-up.
 */
#include <dirent.h>
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
static char shared[512], tmpdir[256];

static int resolve(void *ctx, const char *db, const char *name, struct rs_table_info *out,
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

static void release(void *ctx, struct rs_table_info *ti)
{
	rs_snapshot_unref(ti->snap);
	rs_dsv_unref(ti->handle);
}

static int load(const char *name, const char *def, const char *cmd)
{
	struct rs_err err = { 0 };
	struct rs_ds *ds;
	struct rs_ingest *g;
	char buf[1 << 16];
	size_t n;
	FILE *f;
	int rc;

	if ((rc = rs_ds_apply(cat, ws, name, def, strlen(def), "test", NULL, &err))) {
		fprintf(stderr, "apply %s: %s\n", name, err.msg);
		return rc;
	}
	ds = rs_ds_get(cat, ws, name);
	g = rs_ingest_new(cat, ds, RS_IN_CSV, 1, "test");
	if (!(f = popen(cmd, "r")))
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if ((rc = rs_ingest_write(g, buf, n, &err)))
			break;
	pclose(f);
	if (!rc)
		rc = rs_ingest_commit(g, NULL, &err);
	if (rc)
		fprintf(stderr, "ingest %s: %s\n", name, err.msg);
	rs_ingest_free(g);
	rs_ds_unref(cat, ds);
	return rc;
}

static int run(const char *sql, struct rs_buf *out, double *secs)
{
	struct rs_query_env env = { resolve, release, NULL, NULL, 10000, 0, 0 };
	struct rs_err err = { 0 };
	struct rs_query *q;
	const struct rs_col *cols;
	size_t n;
	int rc;
	uint64_t t0 = rs_now_ns();

	if ((rc = rs_query_open(&env, sql, &q, &err))) {
		fprintf(stderr, "open: %s\n", err.msg);
		return rc;
	}
	while ((rc = rs_query_next(q, &cols, &n, &err)) > 0)
		for (size_t r = 0; r < n; r++)
			for (unsigned c = 0; c < rs_query_schema(q)->ncols; c++) {
				if (c)
					rs_buf_addc(out, '\t');
				rs_value_render(&cols[c], r, RS_RENDER_TSV, out);
				if (c + 1 == rs_query_schema(q)->ncols)
					rs_buf_addc(out, '\n');
			}
	if (rc)
		fprintf(stderr, "next: %s\n", err.msg);
	rs_query_close(q);
	*secs = (double)(rs_now_ns() - t0) / 1e9;
	return rc;
}

static const char *events_def =
	"SCHEMA >\n"
	"    timestamp DateTime,\n    session_id String,\n    user_id UInt64,\n"
	"    action LowCardinality(String),\n    country LowCardinality(String),\n"
	"    device LowCardinality(String),\n    browser LowCardinality(String),\n"
	"    pathname String,\n    referrer String,\n    duration_ms UInt32,\n    revenue Float64\n\n"
	"ENGINE \"MergeTree\"\nENGINE_PARTITION_KEY \"toYYYYMM(timestamp)\"\n"
	"ENGINE_SORTING_KEY \"timestamp\"\n";
static const char *countries_def =
	"SCHEMA >\n    code String,\n    name String,\n    region String\n";

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void test_sql_bench__answers(void)
{
	long rows = getenv("RS_BENCH_ROWS") ? atol(getenv("RS_BENCH_ROWS")) : 1000000;
	int runs = getenv("RS_BENCH_RUNS") ? atoi(getenv("RS_BENCH_RUNS")) : 1;

	char gen[700], cmd[4096], path[1200];
	struct rs_err err = { 0 };
	struct dirent **ents;
	int n, pass = 0;

	if (getenv("ROOST_BENCH_GEN")) {
		snprintf(gen, sizeof(gen), "%s", getenv("ROOST_BENCH_GEN"));
	} else {
		snprintf(gen, sizeof(gen), "%s/gen_events", tmpdir);
		snprintf(cmd, sizeof(cmd), "cc -O2 -o %s %s/bench/gen_events.c", gen, shared);
		T_EQ_INT(system(cmd), 0);
	}
	T_EQ_INT(rs_catalog_open(tmpdir, NULL, &cat, &err), 0);
	T_EQ_INT(rs_org_create(cat, "o", &err), 0);
	T_EQ_INT(rs_ws_create(cat, "o", "w", "test", &err), 0);
	ws = rs_ws_get(cat, "o", "w");
	snprintf(cmd, sizeof(cmd), "%s %ld csv 42", gen, rows);
	T_EQ_INT(load("events", events_def, cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s --countries", gen);
	T_EQ_INT(load("countries", countries_def, cmd), 0);
	snprintf(path, sizeof(path), "%s/bench/queries/clickhouse", shared);
	n = scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char *sql, *want, *dot;
		size_t len;
		struct rs_buf got = RS_BUF_INIT;
		double secs = 0;

		if ((dot = strstr(ents[i]->d_name, ".sql")) && dot[4] == 0) {
			snprintf(cmd, sizeof(cmd), "%s/%s", path, ents[i]->d_name);
			if (rs_read_file(cmd, &sql, &len) == 0) {
				*dot = 0;
				snprintf(cmd, sizeof(cmd), "%s/bench/results/%ld/answers/ch_mergetree/%s.tsv",
					 shared, rows, ents[i]->d_name);
				int rc = run(sql, &got, &secs);
				if (runs > 1) {	/* median of 'runs' timed runs after that warm-up */
					double ts[16];

					for (int k = 0; k < runs && k < 16; k++) {
						struct rs_buf tmp = RS_BUF_INIT;
						run(sql, &tmp, &ts[k]);
						rs_buf_release(&tmp);
					}
					qsort(ts, runs < 16 ? runs : 16, sizeof(double), dbl_cmp);
					secs = ts[(runs < 16 ? runs : 16) / 2];
				}
				if (rs_read_file(cmd, &want, &len) == 0) {
					int ok = rc == 0 && got.data && !strcmp(got.data, want);
					printf("%-36s %s %7.3f s\n", ents[i]->d_name, ok ? "OK  " : "FAIL", secs);
					if (!ok)
						fprintf(stderr, "%s: got:\n%.600s\nwant:\n%.600s\n", ents[i]->d_name,
							got.data ? got.data : "", want);
					T_OK(ok);
					pass += ok;
					free(want);
				}
				free(sql);
			}
		}
		rs_buf_release(&got);
		free(ents[i]);
	}
	free(ents);
	T_EQ_INT(pass, 16);
	rs_ws_unref(cat, ws);
	rs_catalog_close(cat);
}

int main(void)
{
	const char *s = getenv("ROOST_SHARED");
	char cmd[400];

	if (getenv("RS_SKIP_SLOW") && atoi(getenv("RS_SKIP_SLOW"))) {
		printf("%s: skipped (RS_SKIP_SLOW)\n", __FILE__);
		return 0;
	}
	if (s)
		snprintf(shared, sizeof(shared), "%s", s);
	else if (access("../shared/bench/gen_events.c", R_OK) == 0)
		snprintf(shared, sizeof(shared), "../shared");
	else
		snprintf(shared, sizeof(shared), "/work/shared");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rs_sql_bench.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	T_RUN(test_sql_bench__answers);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		return 1;
	return T_DONE();
}
