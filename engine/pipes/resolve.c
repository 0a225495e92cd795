/*
 * resolve.c - table names of a workspace for the SQL engine (pipes.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"
#include "../base/util.h"
#include "../catalog/ds_int.h"
#include "../catalog/opslog.h"
#include "../catalog/views.h"
#include "pipes_int.h"

struct handle {
	struct rs_ds *ds;
	struct rs_dsv *v;
	struct rs_col *defs;
	struct rs_snapshot *snap;
	struct rs_view *view;		/* organization.<view>: its rows ... */
	char *tmpdir;			/* ... written as a temporary part here */
};

/* organization.<view> (org admins only, SPEC 5): the computed view is
 * written as one temporary part, so the engine scans it like a table. */
static int from_view(struct rs_pipe_ctx *pc, const char *name, struct rs_table_info *out,
		     struct rs_err *err)
{
	struct handle *h = xcalloc(1, sizeof(*h));
	struct rs_part_writer *w = NULL;
	struct rs_part *p = NULL;
	char dir[PATH_MAX];
	int rc;

	if (!pc->org_admin)
		return rs_errf(err, -EACCES, "organization.%s is for organization admins", name);
	h->view = xcalloc(1, sizeof(*h->view));
	if ((rc = rs_org_view(pc->cat, pc->ws->org->name, name, h->view, err))) {
		free(h->view);
		free(h);
		return rc == -ENOENT ? rs_errf(err, -EINVAL, "unknown table 'organization.%s'", name)
				     : rc;
	}
	snprintf(dir, sizeof(dir), "%s/tmp", pc->cat->root);
	rs_mkdir_p(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/tmp/view-%llx-%p", pc->cat->root,
		 (unsigned long long)rs_now_ns(), (void *)h);
	rc = rs_part_writer_open(dir, &h->view->schema, &w, err);
	if (!rc && h->view->nrows)
		rc = rs_part_writer_add(w, h->view->cols, 0, h->view->nrows, err);
	if (!rc) {
		rc = rs_part_writer_finish(w, err);
		w = NULL;
	}
	if (!rc)
		rc = rs_part_open(dir, &p, err);
	if (rc) {
		rs_part_writer_abort(w);
		rs_rm_rf(dir);
		rs_view_release(h->view);
		free(h->view);
		free(h);
		return rc;
	}
	h->tmpdir = xstrdup(dir);
	h->snap = xcalloc(1, sizeof(*h->snap));
	h->snap->parts = xcalloc(1, sizeof(*h->snap->parts));
	h->snap->parts[0] = p;
	h->snap->nparts = 1;
	h->snap->rows = rs_part_rows(p);
	h->snap->bytes = rs_part_bytes(p);
	h->snap->refs = 1;
	out->schema = &h->view->schema;
	out->snap = h->snap;
	out->handle = h;
	return 0;
}

static int from_ds(struct rs_pipe_ctx *pc, struct rs_ds *ds, int quarantine,
		   struct rs_table_info *out, struct rs_err *err)
{
	struct handle *h = xcalloc(1, sizeof(*h));
	struct rs_table *t;
	int rc;

	h->ds = ds;
	h->v = rs_ds_version(ds);
	if (quarantine) {
		pthread_mutex_lock(&ds->lock);
		t = ds->quarantine;
		pthread_mutex_unlock(&ds->lock);
		if (!t) {
			rs_dsv_unref(h->v);
			free(h);
			rs_ds_unref(pc->cat, ds);
			return -ENOENT;
		}
		out->schema = &h->v->qschema;
		out->defaults = NULL;
	} else {
		t = ds->data;
		h->defs = xcalloc(h->v->schema.ncols ? h->v->schema.ncols : 1, sizeof(*h->defs));
		if ((rc = rs_dsv_eval_defaults(h->v, rs_wall_time(), h->defs, err))) {
			free(h->defs);
			rs_dsv_unref(h->v);
			free(h);
			rs_ds_unref(pc->cat, ds);
			return rc;
		}
		out->schema = &h->v->schema;
		out->defaults = h->defs;
	}
	if (!quarantine && pc->only_table && !strcmp(pc->only_table, ds->name))
		h->snap = rs_snapshot_ref(pc->only_snap);
	else
		h->snap = rs_table_snapshot(t);
	out->snap = h->snap;
	out->handle = h;
	return 0;
}

static int ends_with(const char *s, const char *suf, char *prefix, size_t n)
{
	size_t l = strlen(s), m = strlen(suf);

	if (l <= m || strcmp(s + l - m, suf) || l - m >= n)
		return 0;
	memcpy(prefix, s, l - m);
	prefix[l - m] = 0;
	return 1;
}

int rs_pipe_resolve(void *ctx, const char *db, const char *name, struct rs_table_info *out,
		    struct rs_err *err)
{
	struct rs_pipe_ctx *pc = ctx;
	struct rs_ds *ds;
	char base[256];

	memset(out, 0, sizeof(*out));
	if (db && !strcmp(db, "organization"))
		return from_view(pc, name, out, err);
	if (db && !strcmp(db, "tinybird")) {
		int id = rs_svc_from_name(name);
		if (id >= 0 && rs_svc_table(pc->ws, id)) {
			struct handle *h = xcalloc(1, sizeof(*h));
			h->snap = rs_table_snapshot(rs_svc_table(pc->ws, id));
			out->schema = rs_svc_schema(id);
			out->snap = h->snap;
			out->handle = h;
			return 0;
		}
		return rs_errf(err, -EINVAL, "unknown table 'tinybird.%s'", name);
	}
	if (db) {
		/* <origin>.<ds>: shared with this workspace */
		struct rs_ws *origin = strcmp(db, pc->ws->name) ?
					       rs_ws_get(pc->cat, pc->ws->org->name, db) : NULL;
		int shared = 0;
		ds = origin ? rs_ds_get(pc->cat, origin, name) : NULL;
		if (ds) {
			struct rs_dsv *v = rs_ds_version(ds);
			for (unsigned i = 0; i < v->def.nshared && !shared; i++)
				shared = !strcmp(v->def.shared_with[i], pc->ws->name);
			rs_dsv_unref(v);
		}
		rs_ws_unref(pc->cat, origin);
		if (!shared) {
			rs_ds_unref(pc->cat, ds);
			return rs_errf(err, -EINVAL, "unknown table '%s.%s'", db, name);
		}
		return from_ds(pc, ds, 0, out, err);
	}
	ds = rs_ds_get(pc->cat, pc->ws, name);
	if (ds)
		return from_ds(pc, ds, 0, out, err);
	if (ends_with(name, "_quarantine", base, sizeof(base)) &&
	    (ds = rs_ds_get(pc->cat, pc->ws, base)))
		return from_ds(pc, ds, 1, out, err);
	return -ENOENT;
}

void rs_pipe_release(void *ctx, struct rs_table_info *info)
{
	struct rs_pipe_ctx *pc = ctx;
	struct handle *h = info->handle;

	if (!h)
		return;
	if (h->view) {
		rs_snapshot_unref(h->snap);	/* the part's files go with the directory */
		rs_rm_rf(h->tmpdir);
		free(h->tmpdir);
		rs_view_release(h->view);
		free(h->view);
		free(h);
		return;
	}
	if (h->defs) {
		for (unsigned i = 0; i < h->v->schema.ncols; i++)
			rs_col_release(&h->defs[i]);
		free(h->defs);
	}
	rs_snapshot_unref(h->snap);
	rs_dsv_unref(h->v);
	rs_ds_unref(pc->cat, h->ds);
	free(h);
}
