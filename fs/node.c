/*
 * node.c - does a classified path exist, and what are its attributes as a
 * given caller sees them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/catalog/opslog.h"
#include "fs.h"

static int backing_of(struct rsfs_node *n, const struct rsfs_caller *c)
{
	char dir[4096];
	int rc;

	if (n->p.folder == F_PLAYGROUND) {
		char sub[64];
		snprintf(sub, sizeof(sub), "playground/%u", (unsigned)c->uid);
		rc = rs_ws_files_dir(n->ws, sub, dir, sizeof(dir));
	} else {
		rc = rs_ws_files_dir(n->ws, rsfs_folder_names[n->p.folder], dir, sizeof(dir));
	}
	if (rc)
		return rc;
	if (snprintf(n->backing, sizeof(n->backing), "%s/%s", dir, n->p.name) >=
	    (int)sizeof(n->backing))
		return -ENAMETOOLONG;
	return 0;
}

static int has_suffix(const char *s, const char *suf, char *prefix, size_t prefsz)
{
	size_t n = strlen(s), m = strlen(suf);

	if (n <= m || strcmp(s + n - m, suf) || n - m >= prefsz)
		return 0;
	memcpy(prefix, s, n - m);
	prefix[n - m] = 0;
	return 1;
}

/* Is data source ds (of another workspace) shared with workspace 'dest'? */
int rsfs_ds_shared_with(struct rs_ds *ds, const char *dest)
{
	struct rs_dsv *v = rs_ds_version(ds);
	int yes = 0;

	for (unsigned i = 0; i < v->def.nshared && !yes; i++)
		yes = !strcmp(v->def.shared_with[i], dest);
	rs_dsv_unref(v);
	return yes;
}

/* <origin>.<ds>: exists while the origin shares it with this workspace */
static int shared_ds(struct rsfs *fs, struct rsfs_node *n)
{
	struct rs_ws *origin;

	if (!strcmp(n->p.origin, n->p.ws))
		return -ENOENT;
	origin = rs_ws_get(fs->cat, n->p.org, n->p.origin);
	if (!origin)
		return -ENOENT;
	n->ds = rs_ds_get(fs->cat, origin, n->p.base);
	rs_ws_unref(fs->cat, origin);
	if (!n->ds || !rsfs_ds_shared_with(n->ds, n->p.ws))
		return -ENOENT;
	return 0;
}

static int resolve(struct rsfs *fs, const char *path, const struct rsfs_caller *c,
		   struct rsfs_node *n)
{
	int rc;

	memset(n, 0, sizeof(*n));
	if ((rc = rsfs_path_parse(path, &n->p)))
		return rc;
	switch (n->p.kind) {
	case K_ROOT:
		return 0;
	case K_ROOT_ERRORS:
		rs_errlog_path(fs->cat, NULL, c->uid, n->backing, sizeof(n->backing));
		return 0;
	case K_ORG:
	case K_ORGDIR:
	case K_ORG_ADMINS:
	case K_ORGVIEW:
		if (!rs_org_exists(fs->cat, n->p.org, NULL))
			return -ENOENT;
		if (n->p.kind == K_ORGVIEW && !rsfs_is_org_view(n->p.base))
			return -ENOENT;
		if (n->p.kind == K_ORG_ADMINS)
			snprintf(n->backing, sizeof(n->backing), "%s/orgs/%s/admins",
				 fs->cat->root, n->p.org);
		return 0;
	default:
		break;
	}
	n->ws = rs_ws_get(fs->cat, n->p.org, n->p.ws);
	if (!n->ws)
		return -ENOENT;
	switch (n->p.kind) {
	case K_WS:
	case K_FOLDER:
		return 0;
	case K_WS_MEMBERS:
		snprintf(n->backing, sizeof(n->backing), "%s/members", n->ws->dir);
		return 0;
	case K_WS_ERRORS:
		rs_errlog_path(fs->cat, n->ws, c->uid, n->backing, sizeof(n->backing));
		return 0;
	case K_DS_DEF:
		if (n->p.origin[0])
			return shared_ds(fs, n);
		n->ds = rs_ds_get(fs->cat, n->ws, n->p.base);
		if (n->ds || rsfs_pending_has(fs, path))
			return 0;
		return -ENOENT;
	case K_DS_DATA: {
		if (n->p.origin[0])
			return shared_ds(fs, n);
		char prefix[256];
		n->ds = rs_ds_get(fs->cat, n->ws, n->p.base);
		if (n->ds)
			return 0;
		if (has_suffix(n->p.base, "_quarantine", prefix, sizeof(prefix))) {
			n->ds = rs_ds_get(fs->cat, n->ws, prefix);
			if (n->ds && rs_ds_has_quarantine(n->ds)) {
				n->p.kind = K_DS_QUAR;
				snprintf(n->p.base, sizeof(n->p.base), "%s", prefix);
				return 0;
			}
		}
		return -ENOENT;
	}
	case K_PIPE_DEF:
	case K_PLAIN:
		if ((rc = backing_of(n, c)))
			return rc;
		if (access(n->backing, F_OK) == 0 || rsfs_pending_has(fs, path))
			return 0;
		return -ENOENT;
	case K_TEST_RESULT: {
		/* exists while tests/<pipe>.yaml does */
		char name[sizeof(n->p.name)];
		memcpy(name, n->p.name, sizeof(name));
		if (strlen(n->p.base) + 6 > sizeof(n->p.name))
			return -ENAMETOOLONG;
		strcpy(n->p.name, n->p.base);
		strcat(n->p.name, ".yaml");
		rc = backing_of(n, c);
		memcpy(n->p.name, name, sizeof(name));
		if (rc)
			return rc;
		return access(n->backing, F_OK) == 0 ? 0 : -ENOENT;
	}
	case K_PIPE_RESULT:
	case K_PLAY_RESULT: {
		/* the definition it runs: <folder>/<pipe>.pipe or playground/<q>.sql */
		char name[sizeof(n->p.name)];
		memcpy(name, n->p.name, sizeof(name));
		if (strlen(n->p.base) + 6 > sizeof(n->p.name))
			return -ENAMETOOLONG;
		strcpy(n->p.name, n->p.base);
		strcat(n->p.name, n->p.kind == K_PIPE_RESULT ? ".pipe" : ".sql");
		rc = backing_of(n, c);
		memcpy(n->p.name, name, sizeof(name));
		if (rc)
			return rc;
		return access(n->backing, F_OK) == 0 ? 0 : -ENOENT;
	}
	case K_SERVICE:
		if (rs_svc_from_name(n->p.base) >= 0) {
			rs_svc_csv_path(n->ws, rs_svc_from_name(n->p.base), n->backing,
					sizeof(n->backing));
			return 0;
		}
		if (!strcmp(n->p.base, "datasources_storage") || !strcmp(n->p.base, "pipe_stats"))
			return 0;
		return -ENOENT;
	default:
		return -ENOENT;
	}
}

/*
 * Resolve, then check that the caller may reach the node: inside a
 * workspace only members may (non-members see the workspace itself as
 * d---------), inside organization/ only org admins. Unreachable nodes are
 * EACCES whether or not they exist, so nothing leaks.
 */
int rsfs_node_resolve(struct rsfs *fs, const char *path, const struct rsfs_caller *c,
		      struct rsfs_node *n)
{
	int rc = resolve(fs, path, c, n), inside_ws, inside_org;

	if (c->is_operator || (rc && rc != -ENOENT))
		return rc;
	inside_ws = n->p.depth >= 3 && n->p.kind != K_ORG_ADMINS && n->p.kind != K_ORGVIEW;
	inside_org = n->p.kind == K_ORG_ADMINS || n->p.kind == K_ORGVIEW;
	if (inside_ws && (!n->ws || rs_ws_role(fs->cat, n->ws, &c->id) == RS_ROLE_NONE))
		return n->ws ? -EACCES : rc;
	if (inside_org && !rs_org_is_admin(fs->cat, n->p.org, &c->id))
		return -EACCES;
	return rc;
}

/* The folder (or workspace) that holds node n, for checks on its parent. */
void rsfs_node_parent(const struct rsfs_node *n, struct rsfs_node *parent)
{
	*parent = *n;
	parent->ds = NULL;
	parent->p.name[0] = 0;
	parent->p.base[0] = 0;
	parent->p.fmt = -1;
	parent->p.depth = n->p.depth - 1;
	switch (n->p.depth) {
	case 4:
		parent->p.kind = K_FOLDER;
		break;
	case 3:
		parent->p.kind = (n->p.kind == K_ORG_ADMINS || n->p.kind == K_ORGVIEW) ? K_ORGDIR : K_WS;
		parent->p.folder = F_NONE;
		break;
	case 2:
		parent->p.kind = K_ORG;
		parent->ws = NULL;
		break;
	default:
		parent->p.kind = K_ROOT;
		parent->ws = NULL;
	}
}

void rsfs_node_release(struct rsfs *fs, struct rsfs_node *n)
{
	if (n->ds)
		rs_ds_unref(fs->cat, n->ds);
	if (n->ws)
		rs_ws_unref(fs->cat, n->ws);
	n->ds = NULL;
	n->ws = NULL;
}

static off_t file_size(const char *path, struct timespec *mtime)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	if (mtime)
		*mtime = st.st_mtim;
	return st.st_size;
}

int rsfs_node_stat(struct rsfs *fs, struct rsfs_node *n, const struct rsfs_caller *c,
		   struct stat *st)
{
	mode_t bits = rsfs_mode(fs, n, c);
	struct timespec t = { .tv_sec = fs->mount_time };
	int dir = 0;

	memset(st, 0, sizeof(*st));
	st->st_uid = c->uid;
	st->st_gid = c->gid;
	st->st_blksize = 4096;
	st->st_nlink = 1;
	switch (n->p.kind) {
	case K_ROOT:
	case K_ORG:
	case K_ORGDIR:
	case K_WS:
	case K_FOLDER:
		dir = 1;
		if (n->ws)
			t.tv_sec = n->ws->created;
		break;
	case K_DS_DEF:
		if (n->ds) {
			struct rs_dsv *v = rs_ds_version(n->ds);
			st->st_size = (off_t)v->len;
			rs_dsv_unref(v);
		}
		break;
	case K_DS_DATA:
	case K_DS_QUAR:
		st->st_blksize = 1 << 20;	/* cp/cat then write 1 MiB at a time */
		break;
	case K_SERVICE:
		/* the ops log as CSV grows: its real size, so tail -f follows */
		if (n->p.fmt == 0 && n->backing[0])
			st->st_size = file_size(n->backing, &t);
		break;
	case K_ROOT_ERRORS:
	case K_WS_ERRORS:
	case K_WS_MEMBERS:
	case K_ORG_ADMINS:
	case K_PIPE_DEF:
	case K_PLAIN:
		st->st_size = file_size(n->backing, &t);
		break;
	default:
		break;
	}
	st->st_mode = (dir ? S_IFDIR : S_IFREG) | bits;
	if (dir)
		st->st_nlink = 2;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_atim = st->st_mtim = st->st_ctim = t;
	return 0;
}

int rsfs_is_org_view(const char *name)
{
	static const char *const views[] = { "workspaces", "members", "datasources_storage",
					     "datasources_ops_log", "pipe_stats", "pipe_stats_rt" };

	for (unsigned i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (!strcmp(name, views[i]))
			return 1;
	return 0;
}
