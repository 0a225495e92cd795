/*
 * ops_open.c - open and create: a path becomes a handle of the right kind
 * (document, ingest, export, fixture, query result). Reads, writes and
 * commits are in ops_file.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "../engine/catalog/svclog.h"
#include "../engine/catalog/views.h"
#include "../engine/ingest/ingest.h"
#include "../engine/output/export.h"
#include "../engine/pipes/pipes.h"
#include "hops.h"

#define FS(req) ((struct rsfs *)fuse_req_userdata(req))
#define HANDLE(fi) ((struct rsfs_handle *)(uintptr_t)(fi)->fh)
#define DOC_MAX (16u << 20)
#define SPOOL_KEEP (4u << 20)

static int is_fixture(const struct rsfs_node *n, struct rsfs *fs, struct rs_ds **ds, int *fmt)
{
	char base[256];
	const char *dot;

	if (n->p.kind != K_PLAIN || n->p.folder != F_FIXTURES)
		return 0;
	dot = strrchr(n->p.name, '.');
	if (!dot || (strcmp(dot, ".csv") && strcmp(dot, ".ndjson")) ||
	    (size_t)(dot - n->p.name) >= sizeof(base))
		return 0;
	memcpy(base, n->p.name, (size_t)(dot - n->p.name));
	base[dot - n->p.name] = 0;
	*fmt = strcmp(dot, ".csv") ? 2 : 0;
	*ds = rs_ds_get(fs->cat, n->ws, base);
	return 1;
}

/* tests/<pipe>.result: run the cases of tests/<pipe>.yaml against the pipe,
 * wherever among the pipe folders it lives */
static int run_tests(struct rsfs *fs, struct rsfs_node *n, struct rs_buf *out, struct rs_err *err)
{
	char dir[PATH_MAX], file[PATH_MAX + 300], *yaml = NULL, *pipe = NULL;
	size_t ylen, plen;
	int rc;

	if ((rc = rs_read_file(n->backing, &yaml, &ylen)))
		return rs_errf(err, rc, "cannot read tests/%s.yaml", n->p.base);
	rc = -ENOENT;
	for (int f = F_PIPES; f <= F_COPIES && rc; f++) {
		if (rs_ws_files_dir(n->ws, rsfs_folder_names[f], dir, sizeof(dir)))
			continue;
		snprintf(file, sizeof(file), "%s/%s.pipe", dir, n->p.base);
		rc = rs_read_file(file, &pipe, &plen);
	}
	if (rc) {
		free(yaml);
		return rs_errf(err, -ENOENT, "no pipe '%s' to test", n->p.base);
	}
	rc = rs_pipe_tests_run(fs->cat, n->ws, n->p.base, pipe, plen, yaml, ylen, out, err);
	free(yaml);
	free(pipe);
	return rc;
}

/* tinybird.pipe_stats: the daily aggregate of pipe_stats_rt */
#define PIPE_STATS_SQL \
	"SELECT toDate(start_datetime) AS date, pipe_id, pipe_name, count() AS view_count, " \
	"countIf(error = 1) AS error_count, avg(duration) AS avg_duration, " \
	"sum(read_bytes) AS read_bytes_sum, sum(read_rows) AS read_rows_sum " \
	"FROM tinybird.pipe_stats_rt GROUP BY date, pipe_id, pipe_name ORDER BY date, pipe_name"

static int render_sql(struct rsfs *fs, struct rsfs_node *n, const char *sql, struct rs_buf *out,
		      struct rs_err *err)
{
	struct rs_pq *pq = NULL;
	struct rs_writer w;
	struct rs_query_stats qs;
	struct rs_fmt_stats st;
	const struct rs_col *cols;
	size_t rows;
	int rc;

	if ((rc = rs_sql_open(fs->cat, n->ws, sql, NULL, 0, &pq, err)))
		return rc;
	rc = rs_writer_init(&w, (enum rs_format)n->p.fmt, rs_query_schema(rs_pq_query(pq)), err);
	if (!rc) {
		rc = rs_writer_header(&w, out);
		while (!rc && (rc = rs_query_next(rs_pq_query(pq), &cols, &rows, err)) > 0)
			rc = rs_writer_rows(&w, cols, 0, rows, out);
		if (!rc) {
			rs_query_stats(rs_pq_query(pq), &qs);
			st.elapsed = qs.elapsed;
			st.rows_read = qs.rows_read;
			st.bytes_read = qs.bytes_read;
			st.rows_before_limit = qs.rows_before_limit;
			rc = rs_writer_footer(&w, &st, out);
		}
		rs_writer_release(&w);
	}
	rs_pq_close(pq);
	return rc;
}

/* A computed view (organization/, tinybird/datasources_storage) rendered
 * whole at open: these are small. */
static int render_view(struct rsfs *fs, struct rsfs_node *n, struct rs_buf *out,
		       struct rs_err *err)
{
	struct rs_view v;
	struct rs_writer w;
	struct rs_fmt_stats st = { .rows_before_limit = -1 };
	uint64_t t0 = rs_now_ns();
	int rc;

	if (n->p.kind == K_SERVICE && !strcmp(n->p.base, "pipe_stats"))
		return render_sql(fs, n, PIPE_STATS_SQL, out, err);
	if (n->p.kind == K_ORGVIEW)
		rc = rs_org_view(fs->cat, n->p.org, n->p.base, &v, err);
	else
		rc = rs_ws_view(fs->cat, n->ws, n->p.base, &v, err);
	if (rc)
		return rc;
	rc = rs_writer_init(&w, (enum rs_format)n->p.fmt, &v.schema, err);
	if (!rc) {
		rc = rs_writer_header(&w, out);
		if (!rc)
			rc = rs_writer_rows(&w, v.cols, 0, v.nrows, out);
		st.elapsed = (double)(rs_now_ns() - t0) / 1e9;
		st.rows_read = v.nrows;
		if (!rc)
			rc = rs_writer_footer(&w, &st, out);
		rs_writer_release(&w);
	}
	rs_view_release(&v);
	return rc;
}

/*
 * Build the handle for an existing node opened with flags. On error
 * returns -errno (err may say why); the node is consumed either way.
 */
static int open_node(struct rsfs *fs, const struct rsfs_caller *c, const char *path,
		     struct rsfs_node *n, int flags, struct rsfs_handle **out,
		     struct rs_err *err)
{
	int acc = flags & O_ACCMODE, wr = acc != O_RDONLY, rc = 0;
	struct rsfs_handle *h = NULL;
	struct rs_ds *fds = NULL;
	int ffmt;

	if ((rc = rsfs_perm(fs, n, c, (wr ? A_WRITE : 0) | (acc != O_WRONLY ? A_READ : 0)))) {
		rs_errf(err, rc, "permission denied");
		rsfs_node_release(fs, n);
		return rc;
	}
	switch (n->p.kind) {
	case K_ORGVIEW:
	case K_ROOT_ERRORS:
	case K_WS_ERRORS:
	case K_SERVICE:
		if (wr) {
			rc = rs_errf(err, -EACCES, "'%s' is read-only", n->p.name[0] ? n->p.name : ".errors");
			break;
		}
		if (n->p.kind == K_ORGVIEW ||
		    (n->p.kind == K_SERVICE && rs_svc_from_name(n->p.base) < 0)) {
			h = rsfs_handle_new(H_BUF, path);
			rc = render_view(fs, n, &h->buf, err);
			break;
		}
		if (n->p.kind == K_SERVICE && n->p.fmt != 0) {
			h = rsfs_handle_new(H_EXPORT, path);
			break;
		}
		h = rsfs_handle_new(H_FILE, path);
		h->fd = open(n->backing, O_RDONLY | O_CLOEXEC);
		if (h->fd < 0 && errno != ENOENT)
			rc = -errno;
		break;
	case K_WS_MEMBERS:
	case K_ORG_ADMINS:
	case K_DS_DEF:
	case K_PIPE_DEF:
		h = rsfs_handle_new(wr ? H_DOC : H_BUF, path);
		if (!(wr && (flags & O_TRUNC))) {
			if (n->p.kind == K_DS_DEF) {
				if (n->ds) {
					struct rs_dsv *v = rs_ds_version(n->ds);
					rc = rs_buf_add(&h->buf, v->text, v->len);
					rs_dsv_unref(v);
				}
			} else {
				char *text = NULL;
				size_t len = 0;
				int r = rs_read_file(n->backing, &text, &len);
				if (r == 0)
					rc = rs_buf_add(&h->buf, text, len);
				else if (r != -ENOENT)
					rc = r;
				free(text);
			}
		}
		if (wr && (flags & O_TRUNC))
			h->dirty = 1;
		break;
	case K_DS_DATA:
		if (!wr) {
			h = rsfs_handle_new(H_EXPORT, path);
			break;
		}
		if (n->p.fmt != 0 && n->p.fmt != 2) {
			rc = rs_errf(err, -EACCES, "'%s' is read-only: write CSV to %s.csv or NDJSON to %s.ndjson",
				     n->p.name, n->p.base, n->p.base);
			break;
		}
		h = rsfs_handle_new(H_INGEST, path);
		h->ing = rs_ingest_new(fs->cat, n->ds, n->p.fmt == 2 ? RS_IN_NDJSON : RS_IN_CSV,
				       (flags & O_TRUNC) != 0, c->user);
		break;
	case K_TEST_RESULT:
		if (wr) {
			rc = rs_errf(err, -EACCES, "'%s' is a test report", n->p.name);
			break;
		}
		h = rsfs_handle_new(H_BUF, path);
		rc = run_tests(fs, n, &h->buf, err);
		break;
	case K_PIPE_RESULT:
	case K_PLAY_RESULT:
		if (wr) {
			rc = rs_errf(err, -EACCES, "'%s' is a result: write %s.%s to change it", n->p.name,
				     n->p.base, n->p.kind == K_PIPE_RESULT ? "pipe" : "sql");
			break;
		}
		h = rsfs_handle_new(H_QUERY, path);
		h->node = *n;
		n->ws = NULL;
		n->ds = NULL;
		snprintf(h->user, sizeof(h->user), "%s", c->user);
		h->org_admin = c->is_operator || rs_org_is_admin(fs->cat, h->node.p.org, &c->id);
		rc = rsfs_query_start(fs, h, err);
		if (rc) {
			if (h->node.p.kind == K_PIPE_RESULT)
				rsfs_log_request(h, rc, err);
			rsfs_handle_free(fs, h);
			return rc;
		}
		h->append = 0;
		*out = h;
		return 0;
	case K_DS_QUAR:
		if (wr) {
			if (!(flags & O_TRUNC)) {
				rc = rs_errf(err, -EACCES,
					     "'%s' can only be emptied (: > %s), not written",
					     n->p.name, n->p.name);
				break;
			}
			rc = rs_ds_truncate(fs->cat, n->ds, 1, c->user, err);
			if (!rc)
				h = rsfs_handle_new(H_BUF, path);
			break;
		}
		h = rsfs_handle_new(H_EXPORT, path);
		break;
	case K_PLAIN:
		if (wr && is_fixture(n, fs, &fds, &ffmt)) {
			if (!fds) {
				rc = rs_errf(err, -ENOENT, "fixture '%s' names no data source", n->p.name);
				break;
			}
			h = rsfs_handle_new(H_FIXTURE, path);
			h->ing = rs_ingest_new(fs->cat, fds, ffmt == 2 ? RS_IN_NDJSON : RS_IN_CSV, 1,
					       c->user);
			rs_ds_unref(fs->cat, fds);
		} else {
			h = rsfs_handle_new(H_FILE, path);
		}
		h->fd = open(n->backing, (flags & (O_ACCMODE | O_TRUNC | O_APPEND)) | O_CLOEXEC);
		if (h->fd < 0)
			rc = -errno;
		break;
	default:
		rc = -EISDIR;
	}
	if (!rc && h && h->kind == H_EXPORT) {
		h->node = *n;
		n->ws = NULL;
		n->ds = NULL;
		rc = rsfs_export_start(h, err);
	}
	if (rc) {
		if (h && h->kind != H_EXPORT)
			rsfs_node_release(fs, n);
		rsfs_handle_free(fs, h);
		if (!h)
			rsfs_node_release(fs, n);
		return rc;
	}
	if (h->kind != H_EXPORT) {
		h->node = *n;
		n->ws = NULL;
		n->ds = NULL;
	}
	h->append = (flags & O_APPEND) != 0;
	*out = h;
	return 0;
}

static void set_fi(struct fuse_file_info *fi, struct rsfs_handle *h)
{
	fi->fh = (uintptr_t)h;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	if (h->kind == H_INGEST)
		fi->nonseekable = 1;
	if (h->kind == H_BUF || h->kind == H_EXPORT || h->kind == H_QUERY)
		fi->noflush = 1;
}

void rsfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rsfs *fs = FS(req);
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	struct rsfs_handle *h;
	struct rsfs_node n;
	char path[PATH_MAX];
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_ino_path(fs, ino, path, sizeof(path)))) {
		fuse_reply_err(req, -rc);
		return;
	}
	if ((rc = rsfs_node_resolve(fs, path, &c, &n))) {
		rsfs_node_release(fs, &n);
		fuse_reply_err(req, -rc);
		return;
	}
	if ((rc = open_node(fs, &c, path, &n, fi->flags, &h, &err))) {
		rsfs_fail(fs, &c, path, "open", rc, &err);
		fuse_reply_err(req, -rc);
		return;
	}
	set_fi(fi, h);
	if (fuse_reply_open(req, fi))
		rsfs_handle_free(fs, h);
}

void rsfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		 struct fuse_file_info *fi)
{
	struct rsfs *fs = FS(req);
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	struct rsfs_handle *h = NULL;
	struct rsfs_node n;
	struct fuse_entry_param e;
	char path[PATH_MAX];
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_child_path(fs, parent, name, path, sizeof(path)))) {
		fuse_reply_err(req, -rc);
		return;
	}
	rc = rsfs_node_resolve(fs, path, &c, &n);
	if (rc == 0) {
		/* it exists after all (a race with another creator) */
		if (fi->flags & O_EXCL) {
			rsfs_node_release(fs, &n);
			fuse_reply_err(req, EEXIST);
			return;
		}
		rc = open_node(fs, &c, path, &n, fi->flags, &h, &err);
		goto reply;
	}
	if (rc != -ENOENT || !n.ws) {
		rsfs_node_release(fs, &n);
		if (rc == -ENOENT && n.p.kind != K_NONE && n.p.depth <= 3)
			rc = -EACCES;
		goto fail;
	}
	/* the workspace exists, the name does not: may the caller create it? */
	rc = 0;
	if (rsfs_perm_parent(fs, &n, &c)) {
		rsfs_node_release(fs, &n);
		rc = rs_errf(&err, -EACCES, "permission denied: your role cannot create files here");
		goto fail;
	}
	switch (n.p.kind) {
	case K_DS_DEF:
	case K_PIPE_DEF:
		if (n.p.kind == K_PIPE_DEF &&
		    rsfs_pipe_name_taken(fs, n.ws, n.p.base, n.p.folder)) {
			rsfs_node_release(fs, &n);
			rc = rs_errf(&err, -EEXIST, "a pipe named '%s' already exists", n.p.base);
			goto fail;
		}
		rsfs_pending_add(fs, path);
		h = rsfs_handle_new(H_DOC, path);
		h->pending = 1;
		h->node = n;
		break;
	case K_PLAIN: {
		char backing[sizeof(n.backing)];
		int fd = open(n.backing, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
		if (fd < 0) {
			rc = -errno;
			rsfs_node_release(fs, &n);
			goto fail;
		}
		close(fd);
		memcpy(backing, n.backing, sizeof(backing));
		rc = open_node(fs, &c, path, &n, fi->flags & ~(O_CREAT | O_EXCL), &h, &err);
		if (rc)
			unlink(backing);	/* e.g. a fixture of no data source */
		goto reply;
	}
	case K_DS_DATA:
		rsfs_node_release(fs, &n);
		rc = rs_errf(&err, -ENOENT, "no data source '%s': create %s.datasource first",
			     n.p.base, n.p.base);
		goto fail;
	default:
		rsfs_node_release(fs, &n);
		rc = rs_errf(&err, -EACCES, "'%s' cannot be created", name);
		goto fail;
	}
reply:
	if (rc)
		goto fail;
	{
		struct rsfs_node sn;
		struct stat st;
		if (rsfs_node_resolve(fs, path, &c, &sn) == 0)
			rsfs_node_stat(fs, &sn, &c, &st);
		else
			memset(&st, 0, sizeof(st)), st.st_mode = S_IFREG | 0644;
		rsfs_node_release(fs, &sn);
		memset(&e, 0, sizeof(e));
		e.attr = st;
		e.ino = rsfs_ino_ref(fs, path);
		e.attr.st_ino = e.ino;
	}
	h->append = (fi->flags & O_APPEND) != 0;
	set_fi(fi, h);
	if (fuse_reply_create(req, &e, fi)) {
		rsfs_ino_forget(fs, e.ino, 1);
		rsfs_handle_free(fs, h);
	}
	return;
fail:
	rsfs_fail(fs, &c, path, "create", rc, &err);
	fuse_reply_err(req, -rc);
}
