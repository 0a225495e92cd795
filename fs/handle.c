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
#include "../engine/ingest/ingest.h"
#include "../engine/output/export.h"
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
		h->schema = rs_opslog_schema();
		t = n->ws->ops_log;
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
			rc = rs_ds_apply(fs->cat, n->ws, n->p.base, text, len, c->user, NULL, err);
		break;
	case K_PIPE_DEF: {
		struct rs_pipe_def pd;
		if (h->pending && rsfs_pipe_name_taken(fs, n->ws, n->p.base, n->p.folder)) {
			rc = rs_errf(err, -EEXIST, "a pipe named '%s' already exists", n->p.base);
			break;
		}
		rc = rs_pipe_parse(text, len, &pd, err);
		if (rc)
			break;
		rs_pipe_def_release(&pd);
		rc = rs_write_file_atomic(n->backing, text, len);
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
