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
	rs_svc_flush(ws);	/* readers see every request logged so far */
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

/* Write rows [0, n) of cols as one part of the table and commit it
 * (fsynced). Caller holds ws->log_lock. */
static int write_part(struct rs_ws *ws, enum rs_svc id, const struct rs_col *cols, size_t n,
		      struct rs_err *err)
{
	struct rs_part_writer *pw = NULL;
	char dir[PATH_MAX];
	char *dirs[1] = { dir };
	int rc;

	rs_table_new_part_dir(ws->svc[id], dir, sizeof(dir));
	rc = rs_part_writer_open(dir, rs_svc_schema(id), &pw, err);
	if (!rc)
		rc = rs_part_writer_add(pw, cols, 0, n, err);
	if (rc) {
		rs_part_writer_abort(pw);
		return rc;
	}
	if ((rc = rs_part_writer_finish(pw, err)))
		return rc;
	return rs_table_commit(ws->svc[id], dirs, 1, 0, err);
}

/* The CSV line of row r of cols (with the header first when the file is
 * still empty). */
static int csv_line(struct rs_ws *ws, enum rs_svc id, const struct rs_col *cols, size_t r,
		    struct rs_buf *line, struct rs_err *err)
{
	struct rs_writer w;
	int rc;

	if ((rc = rs_writer_init(&w, RS_FMT_CSV, rs_svc_schema(id), err)))
		return rc;
	if (ws->svc_size[id] == 0)
		rc = rs_writer_header(&w, line);
	if (!rc)
		rc = rs_writer_rows(&w, cols, r, 1, line);
	rs_writer_release(&w);
	return rc;
}

static void report(struct rs_ws *ws, enum rs_svc id, int rc, const struct rs_err *err)
{
	if (rc)
		fprintf(stderr, "roost: cannot append to %s of '%s': %s\n", svcs[id].name, ws->name,
			err->msg[0] ? err->msg : strerror(-rc));
}

int rs_svc_append(struct rs_ws *ws, enum rs_svc id, const struct rs_col *cols)
{
	struct rs_buf line = RS_BUF_INIT;
	struct rs_err err = { 0 };
	char path[PATH_MAX];
	int rc = 0, fd;

	pthread_mutex_lock(&ws->log_lock);
	if (ws->svc[id] && !ws->deleted) {
		rc = write_part(ws, id, cols, 1, &err);
		if (!rc)
			rc = csv_line(ws, id, cols, 0, &line, &err);
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
	pthread_mutex_unlock(&ws->log_lock);
	report(ws, id, rc, &err);
	rs_buf_release(&line);
	return rc;
}

/* ---- batched appends (pipe_stats_rt, endpoint_errors) ----
 *
 * A request must not wait for a part (a dozen fsyncs) to be written. Its
 * row goes to the CSV at once (tail -f and grep see it) and into memory;
 * rs_svc_flush() writes what is pending as one part. Flushes happen when a
 * reader takes the table (rs_svc_table), when SVC_BATCH rows are pending,
 * on the background merger's tick (about a second) and when the workspace
 * closes. A crash loses at most those pending rows, and the CSV, rebuilt
 * from the table at open, loses them too: the two still agree.
 */
#define SVC_BATCH 4096

struct rs_svc_pend {
	pthread_mutex_t mu;		/* the queues; never held while taking log_lock */
	unsigned npending;		/* rows in the queues (atomic read outside mu) */
	struct {
		struct rs_col cols[16];
		size_t n;
		int fd;			/* the CSV, opened O_APPEND on first use */
	} q[RS_SVC_N];
};

static struct rs_svc_pend *pend_new(void)
{
	struct rs_svc_pend *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->mu, NULL);
	for (int id = 0; id < RS_SVC_N; id++) {
		const struct rs_schema *s = rs_svc_schema(id);
		for (unsigned i = 0; i < s->ncols; i++)
			rs_col_init(&p->q[id].cols[i], s->cols[i].type);
		p->q[id].fd = -1;
	}
	return p;
}

static void pend_free(struct rs_svc_pend *p)
{
	if (!p)
		return;
	for (int id = 0; id < RS_SVC_N; id++) {
		const struct rs_schema *s = rs_svc_schema(id);
		for (unsigned i = 0; i < s->ncols; i++)
			rs_col_release(&p->q[id].cols[i]);
		if (p->q[id].fd >= 0)
			close(p->q[id].fd);
	}
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Queue one row (cols as the schema, one row each). */
static int svc_queue(struct rs_ws *ws, enum rs_svc id, const struct rs_col *cols)
{
	struct rs_svc_pend *p = ws->svc_pend;
	const struct rs_schema *s = rs_svc_schema(id);
	struct rs_buf line = RS_BUF_INIT;
	struct rs_err err = { 0 };
	char path[PATH_MAX];
	int rc = 0, full = 0;

	if (!p)
		return rs_svc_append(ws, id, cols);
	pthread_mutex_lock(&p->mu);
	/* deleted is set under log_lock, which requests do not take: a
	 * request that races a delete writes into an unlinked file at worst */
	if (!ws->svc[id] || __atomic_load_n(&ws->deleted, __ATOMIC_ACQUIRE))
		goto out;
	/* the CSV line first: a row in the table always has its line */
	if ((rc = csv_line(ws, id, cols, 0, &line, &err)))
		goto out;
	if (p->q[id].fd < 0) {
		rs_svc_csv_path(ws, id, path, sizeof(path));
		p->q[id].fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (p->q[id].fd < 0) {
			if (!__atomic_load_n(&ws->deleted, __ATOMIC_ACQUIRE))
				rc = rs_errf(&err, -errno, "cannot open '%s'", path);
			goto out;
		}
	}
	if (rs_write_all(p->q[id].fd, line.data, line.len) < 0) {
		rc = rs_errf(&err, -EIO, "cannot append to the CSV");
		goto out;
	}
	for (unsigned i = 0; !rc && i < s->ncols; i++)
		rc = rs_col_append(&p->q[id].cols[i], &cols[i], 0, 1);
	if (!rc) {
		ws->svc_size[id] += line.len;
		p->q[id].n++;
		full = __atomic_add_fetch(&p->npending, 1, __ATOMIC_SEQ_CST) >= SVC_BATCH;
	}
out:
	pthread_mutex_unlock(&p->mu);
	report(ws, id, rc, &err);
	rs_buf_release(&line);
	if (full)
		rs_svc_flush(ws);
	return rc;
}

void rs_svc_flush(struct rs_ws *ws)
{
	struct rs_svc_pend *p = ws->svc_pend;
	struct rs_col taken[RS_SVC_N][16];
	size_t n[RS_SVC_N];

	if (!p || !__atomic_load_n(&p->npending, __ATOMIC_SEQ_CST))
		return;
	/* log_lock first: a reader that flushes after a concurrent flusher
	 * took the rows waits here until they are committed */
	pthread_mutex_lock(&ws->log_lock);
	pthread_mutex_lock(&p->mu);
	for (int id = 0; id < RS_SVC_N; id++) {
		const struct rs_schema *s = rs_svc_schema(id);
		n[id] = p->q[id].n;
		for (unsigned i = 0; i < s->ncols; i++) {
			taken[id][i] = p->q[id].cols[i];
			if (n[id])
				rs_col_init(&p->q[id].cols[i], s->cols[i].type);
		}
		p->q[id].n = 0;
	}
	__atomic_store_n(&p->npending, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&p->mu);
	for (int id = 0; id < RS_SVC_N; id++) {
		struct rs_err err = { 0 };
		int rc = 0;
		if (!n[id])
			continue;
		if (ws->svc[id] && !ws->deleted)
			rc = write_part(ws, id, taken[id], n[id], &err);
		report(ws, id, rc, &err);
		for (unsigned i = 0; i < rs_svc_schema(id)->ncols; i++)
			rs_col_release(&taken[id][i]);
	}
	pthread_mutex_unlock(&ws->log_lock);
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
	if (!ws->svc_pend)
		ws->svc_pend = pend_new();
	return 0;
}

void rs_svc_close_all(struct rs_ws *ws)
{
	rs_svc_flush(ws);
	pend_free(ws->svc_pend);
	ws->svc_pend = NULL;
	for (int i = 0; i < RS_SVC_N; i++) {
		rs_table_close(ws->svc[i]);
		ws->svc[i] = NULL;
	}
	ws->ops_log = NULL;
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
	rc = svc_queue(ws, RS_SVC_PIPE_STATS_RT, c);
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
	rc = svc_queue(ws, RS_SVC_ENDPOINT_ERRORS, e);
	for (unsigned i = 0; i < es->ncols; i++)
		rs_col_release(&e[i]);
	return rc;
}
