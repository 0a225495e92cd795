/*
 * ops_rename.c - rename, as editors, sed -i, rsync and mv use it (SPEC 3,
 * fuse-notes 2): definitions renamed away stay (vim's f -> f~), scratch
 * files renamed onto a definition apply it, onto a data file replace the
 * rows atomically.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "../engine/catalog/datafile.h"
#include "../engine/pipes/pipes.h"
#include "hops.h"

#define FS(req) ((struct rsfs *)fuse_req_userdata(req))

static int read_text(const char *file, char **text, size_t *len, struct rs_err *err)
{
	int rc = rs_read_file(file, text, len);

	return rc ? rs_errf(err, rc, "cannot read '%s'", file) : 0;
}

static int do_rename(struct rsfs *fs, const struct rsfs_caller *c, struct rsfs_node *s,
		     struct rsfs_node *d, int dst_exists, unsigned flags, struct rs_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (strcmp(s->p.org, d->p.org) || strcmp(s->p.ws, d->p.ws) || !s->ws)
		return rs_errf(err, -EXDEV, "rename across workspaces");
	if (dst_exists && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (flags & RENAME_EXCHANGE)
		return rs_errf(err, -EINVAL, "exchanging names is not supported");
	if (s->p.origin[0] || d->p.origin[0])
		return rs_errf(err, -EACCES, "shared data sources are read-only here");
	if (rsfs_perm_parent(fs, s, c) || rsfs_perm_parent(fs, d, c) ||
	    (dst_exists && rsfs_perm(fs, d, c, A_WRITE)))
		return rs_errf(err, -EACCES, "permission denied: your role cannot rename here");

	/* a definition renamed: mv a.datasource b.datasource */
	if (s->p.kind == K_DS_DEF && d->p.kind == K_DS_DEF) {
		if (!s->ds)
			return rs_errf(err, -ENOENT, "no data source '%s'", s->p.base);
		if (dst_exists)
			return rs_errf(err, -EEXIST, "data source '%s' already exists", d->p.base);
		return rs_ds_rename(fs->cat, s->ws, s->p.base, d->p.base, c->user, err);
	}
	/* a definition renamed away (vim f -> f~): copy, keep the original */
	if ((s->p.kind == K_DS_DEF || s->p.kind == K_PIPE_DEF) && d->p.kind == K_PLAIN) {
		if (s->p.kind == K_DS_DEF) {
			struct rs_dsv *v;
			if (!s->ds)
				return -ENOENT;
			v = rs_ds_version(s->ds);
			rc = rs_write_file_atomic(d->backing, v->text, v->len);
			rs_dsv_unref(v);
		} else {
			if ((rc = read_text(s->backing, &text, &len, err)))
				return rc;
			rc = rs_write_file_atomic(d->backing, text, len);
			free(text);
		}
		return rc;
	}
	/* scratch onto a definition (sed -i, rsync): apply it */
	if (s->p.kind == K_PLAIN && d->p.kind == K_DS_DEF) {
		if ((rc = read_text(s->backing, &text, &len, err)))
			return rc;
		rc = rsfs_check_share(fs, c, d, text, len, err);
		if (!rc)
			rc = rsfs_apply_def(fs, d, text, len, c->user, err);
		free(text);
		if (!rc)
			unlink(s->backing);
		return rc;
	}
	/* scratch onto a data file (rsync, mv staged.csv events.csv): replace */
	if (s->p.kind == K_PLAIN && d->p.kind == K_DS_DATA) {
		if (d->p.fmt != 0 && d->p.fmt != 2)
			return rs_errf(err, -EACCES, "'%s' is read-only", d->p.name);
		if (!d->ds)
			return rs_errf(err, -ENOENT, "no data source '%s'", d->p.base);
		rc = rsfs_ingest_file(fs, d->ds, d->p.fmt, s->backing, c->user, err);
		if (!rc)
			unlink(s->backing);
		return rc;
	}
	/* pipes: scratch or another folder onto a .pipe */
	if ((s->p.kind == K_PLAIN || s->p.kind == K_PIPE_DEF) && d->p.kind == K_PIPE_DEF) {
		if (s->p.kind == K_PIPE_DEF && !strcmp(s->p.base, d->p.base) &&
		    s->p.folder == d->p.folder)
			return 0;
		if (rsfs_pipe_name_taken(fs, d->ws, d->p.base, d->p.folder) &&
		    !(s->p.kind == K_PIPE_DEF && !strcmp(s->p.base, d->p.base)))
			return rs_errf(err, -EEXIST, "a pipe named '%s' already exists", d->p.base);
		if ((rc = read_text(s->backing, &text, &len, err)))
			return rc;
		rc = rs_pipe_validate(text, len, err);
		free(text);
		if (rc)
			return rc;
		return rename(s->backing, d->backing) < 0 ? -errno : 0;
	}
	if (s->p.kind == K_PLAIN && d->p.kind == K_PLAIN)
		return rename(s->backing, d->backing) < 0 ? -errno : 0;
	return rs_errf(err, -EPERM, "'%s' cannot be renamed to '%s'", s->p.name, d->p.name);
}

void rsfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		 const char *newname, unsigned int flags)
{
	struct rsfs *fs = FS(req);
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	struct rsfs_node s, d;
	char from[PATH_MAX], to[PATH_MAX];
	int rc, dst_exists;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_child_path(fs, parent, name, from, sizeof(from))) ||
	    (rc = rsfs_child_path(fs, newparent, newname, to, sizeof(to)))) {
		fuse_reply_err(req, -rc);
		return;
	}
	if ((rc = rsfs_node_resolve(fs, from, &c, &s))) {
		rsfs_node_release(fs, &s);
		fuse_reply_err(req, -rc);
		return;
	}
	rc = rsfs_node_resolve(fs, to, &c, &d);
	dst_exists = rc == 0;
	if (rc && rc != -ENOENT) {
		rsfs_node_release(fs, &s);
		rsfs_node_release(fs, &d);
		fuse_reply_err(req, -rc);
		return;
	}
	if (!d.ws && !dst_exists) {
		/* the destination's workspace must exist */
		rc = -ENOENT;
	} else if (d.p.kind == K_DS_DATA && !d.ds && !dst_exists) {
		rc = rs_errf(&err, -ENOENT, "no data source '%s'", d.p.base);
	} else {
		rc = do_rename(fs, &c, &s, &d, dst_exists, flags, &err);
	}
	if (!rc)
		rsfs_ino_rename(fs, from, to);
	else
		rsfs_fail(fs, &c, from, "rename", rc, &err);
	rsfs_node_release(fs, &s);
	rsfs_node_release(fs, &d);
	fuse_reply_err(req, -rc);
}
