/*
 * test_svclog.c - request rows of tinybird.pipe_stats_rt and
 * endpoint_errors: queued by requests, batched into the table, never lost
 * or doubled: every request is one CSV line at once and one table row for
 * any reader, from many threads, across batches, and after a reopen.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/base/err.h"
#include "../../engine/base/util.h"
#include "../../engine/catalog/catalog.h"
#include "../../engine/catalog/svclog.h"
#include "../../engine/storage/table.h"
#include "t.h"

#define THREADS 4
#define PER_THREAD 1500		/* 6000 requests: more than one batch (4096) */
#define ERR_EVERY 10

static char root[64];

static long lines_of(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int ch;

	if (!f)
		return -1;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static uint64_t table_rows(struct rs_ws *ws, enum rs_svc id)
{
	struct rs_table *t = rs_svc_table(ws, id);
	struct rs_snapshot *s;
	uint64_t n;

	if (!t)
		return 0;
	s = rs_table_snapshot(t);
	n = s->rows;
	rs_snapshot_unref(s);
	return n;
}

static struct rs_ws *the_ws;

static void *requester(void *arg)
{
	int k = (int)(intptr_t)arg;
	char params[32];

	for (int i = 0; i < PER_THREAD; i++) {
		int failed = i % ERR_EVERY == 0;
		struct rs_pipe_request r = {
			.pipe_id = "top", .pipe_name = "top", .start = rs_wall_time_f(),
			.duration = 0.001, .read_rows = 10, .read_bytes = 80, .result_rows = 1,
			.status_code = failed ? 400 : 200, .error = failed ? "bad param" : NULL,
			.parameters = params, .user = "alice",
		};
		snprintf(params, sizeof(params), "t=%d&i=%d", k, i);
		if (rs_pipe_request_log(the_ws, &r))
			return (void *)1;
	}
	return NULL;
}

static void open_ws(struct rs_catalog **c, struct rs_ws **ws, int create)
{
	struct rs_limits l;
	struct rs_err err = { 0 };

	rs_limits_default(&l);
	T_EQ_INT(rs_catalog_open(root, &l, c, &err), 0);
	if (create) {
		T_EQ_INT(rs_org_create(*c, "acme", &err), 0);
		T_EQ_INT(rs_ws_create(*c, "acme", "web", "alice", &err), 0);
	}
	*ws = rs_ws_get(*c, "acme", "web");
	T_OK(*ws != NULL);
}

static void test_every_request_is_one_row(void)
{
	struct rs_catalog *c = NULL;
	struct rs_ws *ws = NULL;
	pthread_t th[THREADS];
	char rt_csv[512], err_csv[512];
	const long want = THREADS * PER_THREAD, want_err = THREADS * (PER_THREAD / ERR_EVERY);

	open_ws(&c, &ws, 1);
	if (!ws)
		return;
	the_ws = ws;
	rs_svc_csv_path(ws, RS_SVC_PIPE_STATS_RT, rt_csv, sizeof(rt_csv));
	rs_svc_csv_path(ws, RS_SVC_ENDPOINT_ERRORS, err_csv, sizeof(err_csv));
	for (int k = 0; k < THREADS; k++)
		pthread_create(&th[k], NULL, requester, (void *)(intptr_t)k);
	for (int k = 0; k < THREADS; k++) {
		void *res;
		pthread_join(th[k], &res);
		T_OK(res == NULL);
	}
	/* the CSVs have every line (and their header) without any flush */
	T_EQ_INT(lines_of(rt_csv), want + 1);
	T_EQ_INT(lines_of(err_csv), want_err + 1);
	/* a reader of the table sees every request, once */
	T_EQ_U64(table_rows(ws, RS_SVC_PIPE_STATS_RT), (uint64_t)want);
	T_EQ_U64(table_rows(ws, RS_SVC_ENDPOINT_ERRORS), (uint64_t)want_err);
	/* not one part per request: the queue is written in batches */
	{
		struct rs_snapshot *s = rs_table_snapshot(rs_svc_table(ws, RS_SVC_PIPE_STATS_RT));
		T_CHECK(s->nparts <= 3, "%u parts for %ld requests", s->nparts, want);
		rs_snapshot_unref(s);
	}
	/* one more request, then close: the close writes it */
	requester((void *)(intptr_t)9);
	rs_ws_unref(c, ws);
	rs_catalog_close(c);

	open_ws(&c, &ws, 0);
	if (!ws)
		return;
	T_EQ_U64(table_rows(ws, RS_SVC_PIPE_STATS_RT), (uint64_t)(want + PER_THREAD));
	T_EQ_U64(table_rows(ws, RS_SVC_ENDPOINT_ERRORS), (uint64_t)(want_err + PER_THREAD / ERR_EVERY));
	/* the CSV rebuilt from the table at open agrees */
	T_EQ_INT(lines_of(rt_csv), want + PER_THREAD + 1);
	rs_ws_unref(c, ws);
	rs_catalog_close(c);
}

/* Rows still queued when the process dies are lost from the table, and the
 * CSV, rebuilt from the table at the next open, drops their lines too. */
static void test_unflushed_rows_and_csv_agree(void)
{
	struct rs_catalog *c = NULL;
	struct rs_ws *ws = NULL;
	char rt_csv[512];
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/orgs", root);
	T_EQ_INT(system(cmd), 0);
	open_ws(&c, &ws, 1);
	if (!ws)
		return;
	the_ws = ws;
	requester((void *)(intptr_t)0);		/* PER_THREAD rows: one batch or less */
	T_EQ_U64(table_rows(ws, RS_SVC_PIPE_STATS_RT), (uint64_t)PER_THREAD);	/* flushed */
	rs_svc_csv_path(ws, RS_SVC_PIPE_STATS_RT, rt_csv, sizeof(rt_csv));
	{
		/* queue 3 more, then "crash": copy the store as it is on disk */
		char crash[512];
		struct rs_pipe_request r = { .pipe_id = "p", .pipe_name = "p", .status_code = 200,
					     .parameters = "", .user = "bob" };
		for (int i = 0; i < 3; i++)
			rs_pipe_request_log(ws, &r);
		T_EQ_INT(lines_of(rt_csv), PER_THREAD + 3 + 1);
		snprintf(crash, sizeof(crash), "cp -a %s/orgs %s/crashed", root, root);
		T_EQ_INT(system(crash), 0);
	}
	rs_ws_unref(c, ws);
	rs_catalog_close(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/orgs && mv %s/crashed %s/orgs", root, root, root);
	T_EQ_INT(system(cmd), 0);
	open_ws(&c, &ws, 0);
	if (!ws)
		return;
	T_EQ_U64(table_rows(ws, RS_SVC_PIPE_STATS_RT), (uint64_t)PER_THREAD);
	T_EQ_INT(lines_of(rt_csv), PER_THREAD + 1);
	rs_ws_unref(c, ws);
	rs_catalog_close(c);
}

/* A workspace deleted while requests still come in (they hold a reference
 * to it): queued rows are dropped, later ones are not logged, no error. */
static void test_deleted_workspace(void)
{
	struct rs_catalog *c = NULL;
	struct rs_ws *ws = NULL;
	struct rs_err err = { 0 };
	struct rs_pipe_request r = { .pipe_id = "p", .pipe_name = "p", .status_code = 200,
				     .parameters = "", .user = "bob" };
	char cmd[512], dir[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/orgs", root);
	T_EQ_INT(system(cmd), 0);
	open_ws(&c, &ws, 1);
	if (!ws)
		return;
	snprintf(dir, sizeof(dir), "%s", ws->dir);
	T_EQ_INT(rs_pipe_request_log(ws, &r), 0);
	T_EQ_INT(rs_ws_delete(c, "acme", "web", &err), 0);
	T_EQ_INT(rs_pipe_request_log(ws, &r), 0);
	rs_svc_flush(ws);
	T_OK(access(dir, F_OK) != 0);
	rs_ws_unref(c, ws);
	rs_catalog_close(c);
}

int main(void)
{
	char cmd[512];
	int rc;

	snprintf(root, sizeof(root), "/tmp/rs-svclog-XXXXXX");
	if (!mkdtemp(root))
		return 2;
	T_RUN(test_every_request_is_one_row);
	T_RUN(test_unflushed_rows_and_csv_agree);
	T_RUN(test_deleted_workspace);
	rc = T_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		return 2;
	return rc;
}
