/*
 * ops_dir.c - names: lookup, attributes, directories, unlink, rename.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "fs.h"

#define FS(req) ((struct rsfs *)fuse_req_userdata(req))

/* Is the caller in Unix group 'name'? Its groups are fetched once. */
static int caller_in_group(void *ctx, const char *name)
{
	struct rsfs_caller *c = ctx;
	struct group gr, *res = NULL;
	char buf[4096];

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) || !res)
		return 0;
	if (gr.gr_gid == c->gid)
		return 1;
	if (c->ngroups < 0) {
		int n = c->req ? fuse_req_getgroups(c->req, 64, c->groups) : 0;
		c->ngroups = n < 0 ? 0 : (n > 64 ? 64 : n);
	}
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gr.gr_gid)
			return 1;
	return 0;
}

void rsfs_caller_get(struct rsfs *fs, fuse_req_t req, struct rsfs_caller *c)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	c->uid = ctx->uid;
	c->gid = ctx->gid;
	c->pid = ctx->pid;
	c->req = req;
	c->ngroups = -1;
	c->is_operator = c->uid == 0 || c->uid == fs->operator_uid;
	rsfs_user_name(c->uid, c->user, sizeof(c->user));
	c->id.user = c->user;
	c->id.in_group = caller_in_group;
	c->id.ctx = c;
}

int rsfs_child_path(struct rsfs *fs, fuse_ino_t parent, const char *name, char *out,
		    size_t outsz)
{
	char dir[PATH_MAX];
	int rc;

	if ((rc = rsfs_ino_path(fs, parent, dir, sizeof(dir))))
		return rc;
	if (strchr(name, '/'))
		return -EINVAL;
	if (snprintf(out, outsz, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) >= (int)outsz)
		return -ENAMETOOLONG;
	return 0;
}

/* path components: "/" 0, "/acme" 1, "/acme/web" 2 ... */
static int depth_of(const char *path)
{
	int d = 0;

	for (const char *s = path; *s; s++)
		if (*s != '/' && (s == path || s[-1] == '/'))
			d++;
	return d;
}

void rsfs_reply_entry(fuse_req_t req, struct rsfs *fs, const char *path,
		      const struct stat *st)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.attr = *st;
	e.ino = rsfs_ino_ref(fs, path);
	e.attr.st_ino = e.ino;
	/* modes depend on the caller and names come and go server-side:
	 * nothing is cached, except the names of organization and workspace
	 * directories (and organization/). Those exist for every caller alike
	 * (a non-member's workspace is d---------, the checks are one level
	 * down, on every lookup there) and only mkdir/rmdir through this mount
	 * change them, which the kernel sees. Every request to a pipe then
	 * walks /org/ws without two lookups. Attributes stay uncached. */
	e.attr_timeout = 0;
	e.entry_timeout = S_ISDIR(st->st_mode) && depth_of(path) <= 2 ? 1.0 : 0;
	if (fuse_reply_entry(req, &e))
		rsfs_ino_forget(fs, e.ino, 1);
}

void rsfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct rsfs *fs = FS(req);
	struct rsfs_caller c;
	struct rsfs_node n;
	char path[PATH_MAX];
	struct stat st;
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_child_path(fs, parent, name, path, sizeof(path))))
		goto out_err;
	if ((rc = rsfs_node_resolve(fs, path, &c, &n))) {
		rsfs_node_release(fs, &n);
		goto out_err;
	}
	rsfs_node_stat(fs, &n, &c, &st);
	rsfs_node_release(fs, &n);
	rsfs_reply_entry(req, fs, path, &st);
	return;
out_err:
	fuse_reply_err(req, -rc);
}

void rsfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	rsfs_ino_forget(FS(req), ino, nlookup);
	fuse_reply_none(req);
}

void rsfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		rsfs_ino_forget(FS(req), forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

void rsfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rsfs *fs = FS(req);
	struct rsfs_caller c;
	struct rsfs_node n;
	char path[PATH_MAX];
	struct stat st;
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_ino_path(fs, ino, path, sizeof(path))) ||
	    (rc = rsfs_node_resolve(fs, path, &c, &n))) {
		if (!rc)
			rsfs_node_release(fs, &n);
		fuse_reply_err(req, -rc);
		return;
	}
	rsfs_node_stat(fs, &n, &c, &st);
	rsfs_node_release(fs, &n);
	st.st_ino = ino;
	fuse_reply_attr(req, &st, 0);
}

void rsfs_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct rsfs *fs = FS(req);
	struct rsfs_caller c;
	struct rsfs_node n;
	char path[PATH_MAX];
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_ino_path(fs, ino, path, sizeof(path))) ||
	    (rc = rsfs_node_resolve(fs, path, &c, &n))) {
		if (!rc)
			rsfs_node_release(fs, &n);
		fuse_reply_err(req, -rc);
		return;
	}
	rc = rsfs_perm(fs, &n, &c, mask & 7);
	rsfs_node_release(fs, &n);
	fuse_reply_err(req, -rc);
}

void rsfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct rsfs *fs = FS(req);
	struct statvfs sv;

	if (statvfs(fs->cat->root, &sv) < 0)
		memset(&sv, 0, sizeof(sv));
	sv.f_namemax = 255;
	fuse_reply_statfs(req, &sv);
}

/* ---- directories ---- */

struct dirlist {
	char **names;
	unsigned char *types;
	unsigned n, cap;
};

static void dl_add(struct dirlist *d, const char *name, int isdir)
{
	for (unsigned i = 0; i < d->n; i++)
		if (!strcmp(d->names[i], name))
			return;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->names = xrealloc(d->names, d->cap * sizeof(char *));
		d->types = xrealloc(d->types, d->cap);
	}
	d->names[d->n] = xstrdup(name);
	d->types[d->n++] = isdir;
}

static void dl_add_names(struct dirlist *d, char **names, unsigned n, int isdir)
{
	for (unsigned i = 0; i < n; i++) {
		dl_add(d, names[i], isdir);
		free(names[i]);
	}
	free(names);
}

/* The files of a folder; with 'runs' (".pipe" or ".sql"), each runnable
 * file also lists its results as .json and .csv. */
static void dl_add_files(struct dirlist *d, const char *dir, const char *runs, int tests)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	char buf[300];

	if (!dh)
		return;
	while ((e = readdir(dh))) {
		size_t l = strlen(e->d_name), rl = runs ? strlen(runs) : 0;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || e->d_type == DT_DIR ||
		    strstr(e->d_name, ".roost-tmp"))
			continue;
		dl_add(d, e->d_name, 0);
		if (tests && l > 5 && !strcmp(e->d_name + l - 5, ".yaml") && l < 250) {
			snprintf(buf, sizeof(buf), "%.*s.result", (int)(l - 5), e->d_name);
			dl_add(d, buf, 0);
		}
		if (runs && l > rl && !strcmp(e->d_name + l - rl, runs) && l - rl < 250) {
			snprintf(buf, sizeof(buf), "%.*s.json", (int)(l - rl), e->d_name);
			dl_add(d, buf, 0);
			snprintf(buf, sizeof(buf), "%.*s.csv", (int)(l - rl), e->d_name);
			dl_add(d, buf, 0);
		}
	}
	closedir(dh);
}

/* data sources other workspaces of the organization share with this one */
static void list_shared(struct rsfs *fs, struct rsfs_node *n, struct dirlist *d)
{
	char **wsn, **dsn, buf[600];
	unsigned nws, nds;

	if (rs_ws_list(fs->cat, n->p.org, &wsn, &nws))
		return;
	for (unsigned i = 0; i < nws; i++) {
		struct rs_ws *o = strcmp(wsn[i], n->p.ws) ? rs_ws_get(fs->cat, n->p.org, wsn[i]) : NULL;
		if (o && rs_ds_list(fs->cat, o, &dsn, &nds) == 0) {
			for (unsigned k = 0; k < nds; k++) {
				struct rs_ds *ds = rs_ds_get(fs->cat, o, dsn[k]);
				if (ds && rsfs_ds_shared_with(ds, n->p.ws)) {
					static const char *const ext[] = { "datasource", "csv", "ndjson" };
					for (int e = 0; e < 3; e++) {
						snprintf(buf, sizeof(buf), "%s.%s.%s", wsn[i], dsn[k], ext[e]);
						dl_add(d, buf, 0);
					}
				}
				rs_ds_unref(fs->cat, ds);
				free(dsn[k]);
			}
			free(dsn);
		}
		rs_ws_unref(fs->cat, o);
		free(wsn[i]);
	}
	free(wsn);
}

static void list_dir(struct rsfs *fs, struct rsfs_node *n, const struct rsfs_caller *c,
		     struct dirlist *d)
{
	char **names;
	unsigned cnt;
	char dir[PATH_MAX], buf[300];

	dl_add(d, ".", 1);
	dl_add(d, "..", 1);
	switch (n->p.kind) {
	case K_ROOT:
		dl_add(d, ".errors", 0);
		rs_org_list(fs->cat, &names, &cnt);
		dl_add_names(d, names, cnt, 1);
		break;
	case K_ORG:
		dl_add(d, "organization", 1);
		if (rs_ws_list(fs->cat, n->p.org, &names, &cnt) == 0)
			dl_add_names(d, names, cnt, 1);
		break;
	case K_ORGDIR:
		dl_add(d, "admins", 0);
		dl_add(d, "workspaces.csv", 0);
		dl_add(d, "members.csv", 0);
		dl_add(d, "datasources_storage.csv", 0);
		dl_add(d, "datasources_ops_log.csv", 0);
		dl_add(d, "pipe_stats.csv", 0);
		dl_add(d, "pipe_stats_rt.csv", 0);
		break;
	case K_WS:
		dl_add(d, "members", 0);
		dl_add(d, ".errors", 0);
		for (int f = 0; f < F_NFOLDERS; f++)
			dl_add(d, rsfs_folder_names[f], 1);
		break;
	case K_FOLDER:
		if (n->p.folder == F_DATASOURCES) {
			rs_ds_list(fs->cat, n->ws, &names, &cnt);
			for (unsigned i = 0; i < cnt; i++) {
				struct rs_ds *ds = rs_ds_get(fs->cat, n->ws, names[i]);
				snprintf(buf, sizeof(buf), "%s.datasource", names[i]);
				dl_add(d, buf, 0);
				snprintf(buf, sizeof(buf), "%s.csv", names[i]);
				dl_add(d, buf, 0);
				snprintf(buf, sizeof(buf), "%s.ndjson", names[i]);
				dl_add(d, buf, 0);
				if (ds && rs_ds_has_quarantine(ds)) {
					snprintf(buf, sizeof(buf), "%s_quarantine.csv", names[i]);
					dl_add(d, buf, 0);
				}
				rs_ds_unref(fs->cat, ds);
				free(names[i]);
			}
			free(names);
			list_shared(fs, n, d);
		}
		if (n->p.folder == F_TINYBIRD) {
			dl_add(d, "datasources_ops_log.csv", 0);
			dl_add(d, "datasources_storage.csv", 0);
			dl_add(d, "pipe_stats_rt.csv", 0);
			dl_add(d, "pipe_stats.csv", 0);
			dl_add(d, "endpoint_errors.csv", 0);
			break;
		}
		if (n->p.folder == F_PLAYGROUND) {
			char sub[64];
			snprintf(sub, sizeof(sub), "playground/%u", (unsigned)c->uid);
			if (rs_ws_files_dir(n->ws, sub, dir, sizeof(dir)) == 0)
				dl_add_files(d, dir, ".sql", 0);
			break;
		}
		if (rs_ws_files_dir(n->ws, rsfs_folder_names[n->p.folder], dir, sizeof(dir)) == 0)
			dl_add_files(d, dir, rsfs_is_pipe_folder(n->p.folder) ? ".pipe" : NULL,
				     n->p.folder == F_TESTS);
		break;
	default:
		break;
	}
}

static void dl_free(struct dirlist *d)
{
	for (unsigned i = 0; i < d->n; i++)
		free(d->names[i]);
	free(d->names);
	free(d->types);
	free(d);
}

void rsfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rsfs *fs = FS(req);
	struct rsfs_caller c;
	struct rsfs_node n;
	char path[PATH_MAX];
	struct dirlist *d;
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_ino_path(fs, ino, path, sizeof(path))) ||
	    (rc = rsfs_node_resolve(fs, path, &c, &n))) {
		if (!rc)
			rsfs_node_release(fs, &n);
		fuse_reply_err(req, -rc);
		return;
	}
	if ((rc = rsfs_perm(fs, &n, &c, A_READ))) {
		rsfs_node_release(fs, &n);
		fuse_reply_err(req, -rc);
		return;
	}
	d = xcalloc(1, sizeof(*d));
	list_dir(fs, &n, &c, d);
	rsfs_node_release(fs, &n);
	fi->fh = (uintptr_t)d;
	fuse_reply_open(req, fi);
}

void rsfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi)
{
	struct dirlist *d = (struct dirlist *)(uintptr_t)fi->fh;
	char *buf = malloc(size);
	size_t used = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (off_t i = off; i < (off_t)d->n; i++) {
		/* glibc skips entries whose inode number is 0; the number is
		 * informative only, lookup gives the real one */
		struct stat st = { .st_mode = d->types[i] ? S_IFDIR : S_IFREG,
				   .st_ino = (ino_t)i + 2 };
		size_t need = fuse_add_direntry(req, buf + used, size - used, d->names[i], &st,
						i + 1);
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

void rsfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	dl_free((struct dirlist *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

void rsfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct rsfs *fs = FS(req);
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	struct rsfs_path p;
	char path[PATH_MAX];
	struct rsfs_node n;
	struct stat st;
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_child_path(fs, parent, name, path, sizeof(path))))
		goto out;
	rc = rsfs_node_resolve(fs, path, &c, &n);
	if (rc == 0 || rc == -EACCES) {
		rsfs_node_release(fs, &n);
		if (rc == 0)
			rc = rs_errf(&err, -EEXIST, "'%s' already exists", name);
		goto fail;
	}
	rsfs_node_release(fs, &n);
	rc = rsfs_path_parse(path, &p);
	if (rc == 0 && p.kind == K_ORG) {
		if (!c.is_operator)
			rc = rs_errf(&err, -EACCES, "only the operator creates organizations");
		else
			rc = rs_org_create(fs->cat, name, &err);
	} else if (rc == 0 && p.kind == K_WS) {
		if (!rs_org_exists(fs->cat, p.org, NULL))
			rc = -ENOENT;
		else if (!c.is_operator && !rs_org_is_admin(fs->cat, p.org, &c.id))
			rc = rs_errf(&err, -EACCES, "only org admins create workspaces");
		else
			rc = rs_ws_create(fs->cat, p.org, name, c.user, &err);
	} else {
		rc = rs_errf(&err, -EPERM, "directories cannot be created here");
	}
	if (rc)
		goto fail;
	if ((rc = rsfs_node_resolve(fs, path, &c, &n))) {
		rsfs_node_release(fs, &n);
		goto out;
	}
	rsfs_node_stat(fs, &n, &c, &st);
	rsfs_node_release(fs, &n);
	rsfs_reply_entry(req, fs, path, &st);
	return;
fail:
	rsfs_fail(fs, &c, path, "mkdir", rc, &err);
out:
	fuse_reply_err(req, -rc);
}

void rsfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct rsfs *fs = FS(req);
	struct rs_err err = { 0 };
	struct rsfs_caller c;
	struct rsfs_node n;
	char path[PATH_MAX];
	int rc;

	rsfs_caller_get(fs, req, &c);
	if ((rc = rsfs_child_path(fs, parent, name, path, sizeof(path))))
		goto out;
	rc = rsfs_node_resolve(fs, path, &c, &n);
	if (rc) {
		rsfs_node_release(fs, &n);
		goto out;
	}
	if (n.p.kind == K_WS) {
		if (rsfs_role(fs, &n, &c) != RS_ROLE_ADMIN)
			rc = rs_errf(&err, -EACCES, "only admins delete a workspace");
		else
			rc = rs_ws_delete(fs->cat, n.p.org, n.p.ws, &err);
	} else if (n.p.kind == K_ORG) {
		if (!c.is_operator)
			rc = rs_errf(&err, -EACCES, "only the operator deletes organizations");
		else
			rc = rs_org_delete(fs->cat, n.p.org, &err);
	} else if (n.p.kind == K_FOLDER || n.p.kind == K_ORGDIR) {
		rc = rs_errf(&err, -EPERM, "'%s' is part of every workspace", name);
	} else {
		rc = -ENOTDIR;
	}
	rsfs_node_release(fs, &n);
	if (rc)
		rsfs_fail(fs, &c, path, "rmdir", rc, &err);
out:
	fuse_reply_err(req, -rc);
}

void rsfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	fuse_reply_err(req, EPERM);
}

void rsfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

void rsfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	fuse_reply_err(req, EPERM);
}
