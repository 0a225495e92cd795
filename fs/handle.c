/*
 * handle.c - opening nodes: which handle kind serves which node and mode,
 * and the document handles' apply step (definitions, members, admins).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "../engine/catalog/datafile.h"
#include "../engine/catalog/ds_int.h"
#include "../engine/catalog/opslog.h"
#include "../engine/catalog/svclog.h"
#include "../engine/ingest/ingest.h"
#include "../engine/output/export.h"
#include "../engine/pipes/pipes.h"
#include "handle.h"
#include "hops.h"

struct rsfs_handle *rsfs_handle_new(enum rsfs_hkind kind, const char *path)
{
	struct rsfs_handle *h = xcalloc(1, sizeof(*h));

	h->kind = kind;
	h->fd = -1;
	pthread_mutex_init(&h->lock, NULL);
	snprintf(h->path, sizeof(h->path), "%s", path);
	return h;
}

void rsfs_handle_free(struct rsfs *fs, struct rsfs_handle *h)
{
	if (!h)
		return;
	if (h->pending)
		rsfs_pending_del(fs, h->path);
	if (h->fd >= 0)
		close(h->fd);
	h->cancel = 1;
	if (h->kind == H_QUERY && h->pq && h->node.p.kind == K_PIPE_RESULT && h->node.ws)
		rsfs_log_request(h, h->qerr.code, &h->qerr);
	if (h->counted)
		__atomic_sub_fetch(&h->node.ws->running_queries, 1, __ATOMIC_SEQ_CST);
	rs_pq_close(h->pq);
	if (h->qw_on)
		rs_writer_release(&h->qw);
	rs_ingest_free(h->ing);
	rs_export_free(h->ex);
	if (h->snap)
		rs_snapshot_unref(h->snap);
	if (h->defs) {
		for (unsigned i = 0; i < h->schema->ncols; i++)
			rs_col_release(&h->defs[i]);
		free(h->defs);
	}
	rs_dsv_unref(h->dsv);
	rs_buf_release(&h->buf);
	rs_buf_release(&h->spool);
	rsfs_node_release(fs, &h->node);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int rsfs_export_start(struct rsfs_handle *h, struct rs_err *err)
{
	struct rsfs_node *n = &h->node;
	struct rs_table *t = NULL;
	int rc;

	switch (n->p.kind) {
	case K_DS_DATA:
		h->dsv = rs_ds_version(n->ds);
		h->schema = &h->dsv->schema;
		h->defs = xcalloc(h->schema->ncols ? h->schema->ncols : 1, sizeof(*h->defs));
		if ((rc = rs_dsv_eval_defaults(h->dsv, rs_wall_time(), h->defs, err))) {
			free(h->defs);
			h->defs = NULL;
			return rc;
		}
		t = n->ds->data;
		break;
	case K_DS_QUAR:
		h->dsv = rs_ds_version(n->ds);
		h->schema = &h->dsv->qschema;
		pthread_mutex_lock(&n->ds->lock);
		t = n->ds->quarantine;
		pthread_mutex_unlock(&n->ds->lock);
		break;
	case K_SERVICE:
		h->schema = rs_svc_schema(rs_svc_from_name(n->p.base));
		t = rs_svc_table(n->ws, rs_svc_from_name(n->p.base));
		break;
	default:
		return -EINVAL;
	}
	if (!t)
		return rs_errf(err, -ENOENT, "no quarantine for '%s'", n->p.base);
	h->snap = rs_table_snapshot(t);
	h->fmt = n->p.fmt;
	return rs_export_new(h->schema, h->defs, h->snap, (enum rs_format)h->fmt, &h->ex, err);
}

/* ---- documents ---- */

/*
 * Pipe names are one namespace across the four pipe folders (SPEC 2). A
 * pipe may share its name with a data source: the example project's
 * materialization daily_pages.pipe writes into daily_pages.datasource, and
 * it must load unchanged (README, "Decisions").
 */
int rsfs_pipe_name_taken(struct rsfs *fs, struct rs_ws *ws, const char *base,
			 enum rsfs_folder except)
{
	char dir[PATH_MAX], file[PATH_MAX + 300];
	for (int f = F_PIPES; f <= F_COPIES; f++) {
		if ((enum rsfs_folder)f == except)
			continue;
		if (rs_ws_files_dir(ws, rsfs_folder_names[f], dir, sizeof(dir)))
			continue;
		snprintf(file, sizeof(file), "%s/%s.pipe", dir, base);
		if (access(file, F_OK) == 0)
			return 1;
	}
	return 0;
}

static int same_list(char **a, unsigned na, char **b, unsigned nb)
{
	for (unsigned i = 0; i < na; i++) {
		unsigned j;
		for (j = 0; j < nb && strcmp(a[i], b[j]); j++)
			;
		if (j == nb)
			return 0;
	}
	for (unsigned j = 0; j < nb; j++) {
		unsigned i;
		for (i = 0; i < na && strcmp(a[i], b[j]); i++)
			;
		if (i == na)
			return 0;
	}
	return 1;
}

/*
 * Sharing (SHARED_WITH) is for admins of the origin workspace only (SPEC 6):
 * a definition that changes the list, written by anyone else, is refused
 * with Tinybird's message.
 */
int rsfs_check_share(struct rsfs *fs, const struct rsfs_caller *c, const struct rsfs_node *n,
		     const char *text, size_t len, struct rs_err *err)
{
	struct rs_ds_def def;
	struct rs_dsv *old = n->ds ? rs_ds_version(n->ds) : NULL;
	int same, rc = 0;

	if (rs_ds_parse(text, len, &def, NULL)) {
		rs_dsv_unref(old);
		return 0;	/* invalid: rs_ds_apply says why */
	}
	same = old ? same_list(old->def.shared_with, old->def.nshared, def.shared_with, def.nshared)
		   : def.nshared == 0;
	if (!same && rsfs_role(fs, n, c) != RS_ROLE_ADMIN)
		rc = rs_errf(err, -EACCES, "invalid permissions to share a datasource as guest");
	rs_ds_def_release(&def);
	rs_dsv_unref(old);
	return rc;
}

/* A definition: types that change go through its FORWARD_QUERY (SPEC 3) */
int rsfs_apply_def(struct rsfs *fs, struct rsfs_node *n, const char *text, size_t len,
		   const char *user, struct rs_err *err)
{
	if (n->ds && strstr(text, "FORWARD_QUERY") &&
	    rs_ds_schema_changes_types(n->ds, text, len))
		return rs_ds_migrate(fs->cat, n->ws, n->p.base, text, len, user, err);
	return rs_ds_apply(fs->cat, n->ws, n->p.base, text, len, user, NULL, err);
}

int rsfs_doc_apply(struct rsfs *fs, struct rsfs_handle *h, const struct rsfs_caller *c,
		   struct rs_err *err)
{
	struct rsfs_node *n = &h->node;
	const char *text = h->buf.data ? h->buf.data : "";
	size_t len = h->buf.len;
	int rc;

	switch (n->p.kind) {
	case K_DS_DEF:
		rc = rsfs_check_share(fs, c, n, text, len, err);
		if (!rc)
			rc = rsfs_apply_def(fs, n, text, len, c->user, err);
		break;
	case K_PIPE_DEF: {
		if (h->pending && rsfs_pipe_name_taken(fs, n->ws, n->p.base, n->p.folder)) {
			rc = rs_errf(err, -EEXIST, "a pipe named '%s' already exists", n->p.base);
			break;
		}
		rc = rs_pipe_validate(text, len, err);
		if (rc)
			break;
		rc = rs_write_file_atomic(n->backing, text, len);
		if (!rc && h->pending) {
			/* a new materialized pipe starts from the rows already there */
			struct rs_err berr = { 0 };
			if (rs_mv_backfill(fs->cat, n->ws, n->p.base, text, len, c->user, &berr))
				rsfs_fail(fs, c, h->path, "backfill", berr.code, &berr);
		}
		break;
	}
	case K_WS_MEMBERS:
		rc = rs_ws_set_members(fs->cat, n->ws, text, len, err);
		break;
	case K_ORG_ADMINS:
		rc = rs_org_set_admins(fs->cat, n->p.org, text, len, err);
		break;
	default:
		rc = -EINVAL;
	}
	if (!rc) {
		h->dirty = 0;
		if (h->pending) {
			rsfs_pending_del(fs, h->path);
			h->pending = 0;
		}
	}
	return rc;
}

/* Ingest a whole file (rename-over, SPEC 3): an atomic replace. */
int rsfs_ingest_file(struct rsfs *fs, struct rs_ds *ds, int fmt, const char *file,
		     const char *user, struct rs_err *err)
{
	struct rs_ingest *g = rs_ingest_new(fs->cat, ds, fmt == 2 ? RS_IN_NDJSON : RS_IN_CSV, 1,
					    user);
	char *buf = malloc(1 << 20);
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t r;

	if (!buf || fd < 0) {
		rc = rs_errf(err, fd < 0 ? -errno : -ENOMEM, "cannot read '%s'", file);
		goto out;
	}
	while ((r = read(fd, buf, 1 << 20)) > 0)
		if ((rc = rs_ingest_write(g, buf, (size_t)r, err)))
			break;
	if (r < 0 && !rc)
		rc = rs_errf(err, -EIO, "cannot read '%s'", file);
	if (!rc)
		rc = rs_ingest_commit(g, NULL, err);
	else
		rs_ingest_commit(g, NULL, NULL);	/* logs the failure, discards */
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	rs_ingest_free(g);
	return rc;
}

static int status_of(int code)
{
	switch (code) {
	case 0: return 200;
	case -EINVAL: return 400;
	case -EACCES: return 403;
	case -ENOENT: return 404;
	case -ETIMEDOUT: return 408;
	case -EFBIG: return 400;
	default: return 500;
	}
}

/* A request to a pipe: a row in tinybird.pipe_stats_rt, and in
 * tinybird.endpoint_errors when it failed (SPEC 4). */
void rsfs_log_request(struct rsfs_handle *h, int code, const struct rs_err *err)
{
	struct rs_query_stats qs = { 0 };
	struct rs_pipe_request r = {
		.pipe_id = h->node.p.base,
		.pipe_name = h->node.p.base,
		.start = h->started,
		.duration = rs_wall_time_f() - h->started,
		.status_code = status_of(code),
		.error = code ? (err && err->msg[0] ? err->msg : strerror(-code)) : NULL,
		.parameters = h->node.p.query,
		.user = h->user,
	};

	if (h->pq)
		rs_query_stats(rs_pq_query(h->pq), &qs);
	r.read_rows = qs.rows_read;
	r.read_bytes = qs.bytes_read;
	r.result_rows = h->qw_on ? h->qw.rows : 0;
	rs_pipe_request_log(h->node.ws, &r);
}

/* Start a pipe result or playground query: errors known before the first
 * byte (template, SQL, missing table) come back from open (fuse-notes 3). */
int rsfs_query_start(struct rsfs *fs, struct rsfs_handle *h, struct rs_err *err)
{
	struct rsfs_node *n = &h->node;
	char *text = NULL;
	size_t len = 0;
	int rc;

	h->started = rs_wall_time_f();
	/* max_concurrent_queries (SPEC 9): results open at once per workspace */
	if (__atomic_add_fetch(&n->ws->running_queries, 1, __ATOMIC_SEQ_CST) >
	    (int)n->ws->limits.max_concurrent_queries) {
		__atomic_sub_fetch(&n->ws->running_queries, 1, __ATOMIC_SEQ_CST);
		return rs_errf(err, -EAGAIN, "too many queries at once: max_concurrent_queries is %u",
			       n->ws->limits.max_concurrent_queries);
	}
	h->counted = 1;
	if ((rc = rs_read_file(n->backing, &text, &len)))
		return rs_errf(err, rc == -ENOENT ? -ENOENT : rc, "cannot read '%s'", n->p.base);
	if (n->p.kind == K_PIPE_RESULT) {
		struct rs_pipe_req req = {
			.cat = fs->cat,
			.ws = n->ws,
			.name = n->p.base,
			.text = text,
			.len = len,
			.query = n->p.query,
			.cancel = &h->cancel,
			.org_admin = h->org_admin,
		};
		rc = rs_pipe_open(&req, &h->pq, err);
	} else {
		rc = rs_sql_open(fs->cat, n->ws, text, &h->cancel, h->org_admin, &h->pq, err);
	}
	free(text);
	if (rc)
		return rc;
	rc = rs_writer_init(&h->qw, (enum rs_format)n->p.fmt, rs_query_schema(rs_pq_query(h->pq)),
			    err);
	if (rc)
		return rc;
	h->qw_on = 1;
	h->max_result = n->ws->limits.max_result;
	return rs_writer_header(&h->qw, &h->spool);
}

/* Produce result bytes until the spool holds 'upto' bytes or the end. */
/* The kernel interrupts a read whose reader got a signal (Ctrl-C): the
 * engine sees the flag at its next granule, so the CPU is freed at once. */
static void on_interrupt(fuse_req_t req, void *data)
{
	struct rsfs_handle *h = data;

	h->cancel = 1;
}

int rsfs_query_fill(struct rsfs_handle *h, uint64_t upto, fuse_req_t req, struct rs_err *err)
{
	struct rs_query *q = rs_pq_query(h->pq);
	const struct rs_col *cols;
	size_t n;
	int rc;

	if (req)
		fuse_req_interrupt_func(req, on_interrupt, h);

	while (!h->eof && h->spool.len < upto) {
		if (req && fuse_req_interrupted(req)) {
			h->cancel = 1;	/* the reader went away: stop the query */
			return -EINTR;
		}
		rc = rs_query_next(q, &cols, &n, err);
		if (rc == -ECANCELED)
			return -EINTR;
		if (rc < 0)
			return rc;
		if (rc == 0) {
			struct rs_query_stats qs;
			struct rs_fmt_stats st;
			rs_query_stats(q, &qs);
			st.elapsed = qs.elapsed;
			st.rows_read = qs.rows_read;
			st.bytes_read = qs.bytes_read;
			st.rows_before_limit = qs.rows_before_limit;
			if ((rc = rs_writer_footer(&h->qw, &st, &h->spool)))
				return rc;
			h->eof = 1;
			/* done running: it no longer counts against
			 * max_concurrent_queries (release comes later, async) */
			if (h->counted) {
				__atomic_sub_fetch(&h->node.ws->running_queries, 1, __ATOMIC_SEQ_CST);
				h->counted = 0;
			}
			break;
		}
		if ((rc = rs_writer_rows(&h->qw, cols, 0, n, &h->spool)))
			return rc;
		if (h->max_result && h->spool.len > h->max_result)
			return rs_errf(err, -EFBIG, "result larger than max_result (%llu bytes)",
				       (unsigned long long)h->max_result);
	}
	return 0;
}
