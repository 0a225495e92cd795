/*
 * svclog.c - the service data sources of svclog.h: schemas, open (with
 * the CSV rebuilt from the table), append (one part + commit + CSV line).
 */
#include "svclog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "../output/export.h"
#include "opslog.h"

/* The columns of Tinybird's service data sources (reference 8) that roost
 * fills; Map columns are Strings here (a query string for parameters). */
static const char *const ops_cols[] = {
	"timestamp", "DateTime", "event_type", "String", "datasource_id", "String",
	"datasource_name", "String", "result", "String", "elapsed_time", "Float32",
	"error", "Nullable(String)", "request_id", "String", "import_id", "Nullable(String)",
	"job_id", "Nullable(String)", "rows", "Nullable(UInt64)", "rows_quarantine",
	"Nullable(UInt64)", "blocks_ids", "Array(String)", "Options.Names", "Array(String)",
	"Options.Values", "Array(String)", "user", "String", NULL,
};
static const char *const rt_cols[] = {
	"start_datetime", "DateTime", "request_id", "String", "pipe_id", "String", "pipe_name",
	"String", "duration", "Float32", "read_bytes", "UInt64", "read_rows", "UInt64",
	"result_rows", "UInt64", "url", "Nullable(String)", "error", "UInt8", "status_code",
	"Int32", "parameters", "String", "user", "String", NULL,
};
static const char *const err_cols[] = {
	"start_datetime", "DateTime", "request_id", "String", "pipe_id", "String", "pipe_name",
	"String", "params", "String", "url", "Nullable(String)", "status_code", "Int32", "error",
	"String", "user", "String", NULL,
};

static const struct {
	const char *name;	/* as in tinybird.<name> */
	const char *dir;	/* under service/ */
	const char *const *cols;
} svcs[RS_SVC_N] = {
	[RS_SVC_OPS_LOG] = { "datasources_ops_log", "ops_log", ops_cols },
	[RS_SVC_PIPE_STATS_RT] = { "pipe_stats_rt", "pipe_stats_rt", rt_cols },
	[RS_SVC_ENDPOINT_ERRORS] = { "endpoint_errors", "endpoint_errors", err_cols },
};

static struct rs_schema schemas[RS_SVC_N];
static pthread_once_t schemas_once = PTHREAD_ONCE_INIT;

static void schemas_init(void)
{
	for (int i = 0; i < RS_SVC_N; i++) {
		rs_schema_init(&schemas[i]);
		for (unsigned k = 0; svcs[i].cols[k]; k += 2) {
			struct rs_type *t = NULL;
			rs_type_parse(svcs[i].cols[k + 1], &t, NULL);
			rs_schema_add(&schemas[i], svcs[i].cols[k], t);
		}
	}
}

const char *rs_svc_name(enum rs_svc id)
{
	return svcs[id].name;
}

int rs_svc_from_name(const char *name)
{
	for (int i = 0; i < RS_SVC_N; i++)
		if (!strcmp(svcs[i].name, name))
			return i;
	return -1;
}

const struct rs_schema *rs_svc_schema(enum rs_svc id)
{
	pthread_once(&schemas_once, schemas_init);
	return &schemas[id];
}

void rs_svc_csv_path(struct rs_ws *ws, enum rs_svc id, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/service/%s.csv", ws->dir, svcs[id].dir);
}

struct rs_table *rs_svc_table(struct rs_ws *ws, enum rs_svc id)
{
	return ws->svc[id];
}

/* Render the whole table into the CSV file (tmp + rename). */
static int rebuild_csv(struct rs_ws *ws, enum rs_svc id, struct rs_err *err)
{
	char path[PATH_MAX];
	struct rs_snapshot *snap = rs_table_snapshot(ws->svc[id]);
	struct rs_export *ex = NULL;
	struct rs_buf out = RS_BUF_INIT;
	int rc;

	rc = rs_export_new(rs_svc_schema(id), NULL, snap, RS_FMT_CSV, &ex, err);
	while (!rc && (rc = rs_export_next(ex, &out, 1 << 20, err)) > 0)
		rc = 0;
	rs_export_free(ex);
	rs_snapshot_unref(snap);
	if (rc < 0) {
		rs_buf_release(&out);
		return rc;
	}
	rs_svc_csv_path(ws, id, path, sizeof(path));
	rc = rs_write_file_atomic(path, out.data ? out.data : "", out.len);
	ws->svc_size[id] = out.len;
	rs_buf_release(&out);
	return rc ? rs_errf(err, rc, "cannot write '%s'", path) : 0;
}

int rs_svc_open_all(struct rs_ws *ws, struct rs_err *err)
{
	char path[PATH_MAX];
	int rc;

	for (int i = 0; i < RS_SVC_N; i++) {
		snprintf(path, sizeof(path), "%s/service/%s", ws->dir, svcs[i].dir);
		if ((rc = rs_mkdir_p(path, 0755)))
			return rs_errf(err, rc, "cannot create '%s'", path);
		if ((rc = rs_table_open(path, &ws->svc[i], err)) || (rc = rebuild_csv(ws, i, err)))
			return rc;
	}
	ws->ops_log = ws->svc[RS_SVC_OPS_LOG];
	return 0;
}

void rs_svc_close_all(struct rs_ws *ws)
{
	for (int i = 0; i < RS_SVC_N; i++) {
		rs_table_close(ws->svc[i]);
		ws->svc[i] = NULL;
	}
	ws->ops_log = NULL;
}

int rs_svc_append(struct rs_ws *ws, enum rs_svc id, const struct rs_col *cols)
{
	const struct rs_schema *s = rs_svc_schema(id);
	struct rs_part_writer *pw = NULL;
	struct rs_writer w;
	struct rs_buf line = RS_BUF_INIT;
	struct rs_err err = { 0 };
	char dir[PATH_MAX], path[PATH_MAX];
	char *dirs[1] = { dir };
	int rc = 0, fd;

	pthread_mutex_lock(&ws->log_lock);
	if (ws->svc[id] && !ws->deleted) {
		rs_table_new_part_dir(ws->svc[id], dir, sizeof(dir));
		rc = rs_part_writer_open(dir, s, &pw, &err);
		if (!rc)
			rc = rs_part_writer_add(pw, cols, 0, 1, &err);
		if (!rc) {
			rc = rs_part_writer_finish(pw, &err);
			pw = NULL;
		}
		if (!rc)
			rc = rs_table_commit(ws->svc[id], dirs, 1, 0, &err);
		if (!rc && !(rc = rs_writer_init(&w, RS_FMT_CSV, s, &err))) {
			if (ws->svc_size[id] == 0)
				rc = rs_writer_header(&w, &line);
			if (!rc)
				rc = rs_writer_rows(&w, cols, 0, 1, &line);
			rs_writer_release(&w);
		}
		if (!rc) {
			rs_svc_csv_path(ws, id, path, sizeof(path));
			fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
			if (fd < 0 || rs_write_all(fd, line.data, line.len) < 0)
				rc = -EIO;
			else
				ws->svc_size[id] += line.len;
			if (fd >= 0)
				close(fd);
		}
	}
	if (pw)
		rs_part_writer_abort(pw);
	pthread_mutex_unlock(&ws->log_lock);
	if (rc)
		fprintf(stderr, "roost: cannot append to %s of '%s': %s\n", svcs[id].name, ws->name,
			err.msg[0] ? err.msg : strerror(-rc));
	rs_buf_release(&line);
	return rc;
}

static void put_s(struct rs_col *c, const char *s)
{
	if (s)
		rs_col_push_str(c, s, strlen(s));
	else
		rs_col_push_null(c);
}

int rs_pipe_request_log(struct rs_ws *ws, const struct rs_pipe_request *r)
{
	const struct rs_schema *rt = rs_svc_schema(RS_SVC_PIPE_STATS_RT);
	const struct rs_schema *es = rs_svc_schema(RS_SVC_ENDPOINT_ERRORS);
	struct rs_col c[16], e[16];
	uint32_t ts = (uint32_t)r->start;
	float dur = (float)r->duration;
	uint8_t is_err = r->error != NULL;
	int32_t status = r->status_code;
	char id[27];
	int rc;

	rs_new_import_id(id);	/* a request id: same ULID shape */
	for (unsigned i = 0; i < rt->ncols; i++)
		rs_col_init(&c[i], rt->cols[i].type);
	rs_col_push_fixed(&c[0], &ts);
	put_s(&c[1], id);
	put_s(&c[2], r->pipe_id);
	put_s(&c[3], r->pipe_name);
	rs_col_push_fixed(&c[4], &dur);
	rs_col_push_fixed(&c[5], &r->read_bytes);
	rs_col_push_fixed(&c[6], &r->read_rows);
	rs_col_push_fixed(&c[7], &r->result_rows);
	put_s(&c[8], NULL);
	rs_col_push_fixed(&c[9], &is_err);
	rs_col_push_fixed(&c[10], &status);
	put_s(&c[11], r->parameters ? r->parameters : "");
	put_s(&c[12], r->user ? r->user : "");
	rc = rs_svc_append(ws, RS_SVC_PIPE_STATS_RT, c);
	for (unsigned i = 0; i < rt->ncols; i++)
		rs_col_release(&c[i]);
	if (!r->error)
		return rc;
	for (unsigned i = 0; i < es->ncols; i++)
		rs_col_init(&e[i], es->cols[i].type);
	rs_col_push_fixed(&e[0], &ts);
	put_s(&e[1], id);
	put_s(&e[2], r->pipe_id);
	put_s(&e[3], r->pipe_name);
	put_s(&e[4], r->parameters ? r->parameters : "");
	put_s(&e[5], NULL);
	rs_col_push_fixed(&e[6], &status);
	put_s(&e[7], r->error);
	put_s(&e[8], r->user ? r->user : "");
	rc = rs_svc_append(ws, RS_SVC_ENDPOINT_ERRORS, e);
	for (unsigned i = 0; i < es->ncols; i++)
		rs_col_release(&e[i]);
	return rc;
}
