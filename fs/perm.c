/*
 * perm.c - what a caller may do, shown as POSIX modes (SPEC 6).
 *
 * The operator (the mounting user, and root) may do everything. In a
 * workspace a caller's role is the highest its members lines give (org
 * admins are admins of every workspace of their organization):
 *
 *   node                        viewer  guest   admin   non-member
 *   workspace dir               r-x     r-x     r-x     ---
 *   members                     r--     r--     rw-     ---
 *   .errors, tinybird files, exports  r--  r--  r--  ---
 *   folders                     r-x     rwx     rwx     ---  (tinybird r-x; playground rwx)
 *   definitions, scratch files  r--     rw-     rw-     ---  (playground: rw- for all)
 *   <ds>.csv/.ndjson, quarantine r--    rw-     rw-     ---
 *
 * organization/ and its admins file: org admins only. Modes are shown with
 * the caller as owner; group and other bits are the owner's without 'w'.
 * Every operation checks with rsfs_perm, so modes and errors agree.
 */
#include <errno.h>
#include <sys/stat.h>

#include "fs.h"

/* the rights (rwx as 0..7) of a role on a node inside a workspace */
static mode_t ws_rights(const struct rsfs_node *n, enum rs_role r)
{
	int writer = r >= RS_ROLE_GUEST;

	if (r == RS_ROLE_NONE)
		return 0;
	if (n->p.origin[0])
		return 4;	/* shared from another workspace: read-only here */
	switch (n->p.kind) {
	case K_WS:
		return 5;
	case K_WS_MEMBERS:
		return r == RS_ROLE_ADMIN ? 6 : 4;
	case K_WS_ERRORS:
	case K_SERVICE:
	case K_PIPE_RESULT:
	case K_PLAY_RESULT:
	case K_TEST_RESULT:
		return 4;
	case K_FOLDER:
		if (n->p.folder == F_TINYBIRD)
			return 5;
		if (n->p.folder == F_PLAYGROUND)
			return 7;
		return writer ? 7 : 5;
	case K_DS_DATA:
		return (n->p.fmt == 0 || n->p.fmt == 2) && writer ? 6 : 4;
	case K_DS_QUAR:
		return n->p.fmt == 0 && writer ? 6 : 4;
	case K_PLAIN:
		if (n->p.folder == F_PLAYGROUND)
			return 6;
		return writer ? 6 : 4;
	default:	/* definitions */
		return writer ? 6 : 4;
	}
}

/* the operator's rights: everything the node allows at all */
static mode_t full_rights(const struct rsfs_node *n)
{
	switch (n->p.kind) {
	case K_ROOT:
	case K_ORG:
	case K_ORGDIR:
		return 7;
	case K_ROOT_ERRORS:
		return 4;
	case K_ORG_ADMINS:
		return 6;
	case K_ORGVIEW:
		return 4;
	default:
		return ws_rights(n, RS_ROLE_ADMIN) | (n->p.kind == K_WS ? 2 : 0);
	}
}

enum rs_role rsfs_role(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c)
{
	if (c->is_operator)
		return RS_ROLE_ADMIN;
	if (n->ws)
		return rs_ws_role(fs->cat, n->ws, &c->id);
	if (n->p.org[0] && rs_org_is_admin(fs->cat, n->p.org, &c->id))
		return RS_ROLE_ADMIN;
	return RS_ROLE_NONE;
}

static mode_t rights(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c)
{
	if (c->is_operator)
		return full_rights(n);
	switch (n->p.kind) {
	case K_ROOT:
	case K_ORG:
		/* everyone may look for their workspaces; org admins create them */
		if (n->p.kind == K_ORG && rs_org_is_admin(fs->cat, n->p.org, &c->id))
			return 7;
		return 5;
	case K_ROOT_ERRORS:
		return 4;
	case K_ORGDIR:
		return rs_org_is_admin(fs->cat, n->p.org, &c->id) ? 5 : 0;
	case K_ORG_ADMINS:
		return rs_org_is_admin(fs->cat, n->p.org, &c->id) ? 6 : 0;
	case K_ORGVIEW:
		return rs_org_is_admin(fs->cat, n->p.org, &c->id) ? 4 : 0;
	default:
		if (!n->ws)
			return 0;
		return ws_rights(n, rs_ws_role(fs->cat, n->ws, &c->id));
	}
}

mode_t rsfs_mode(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c)
{
	mode_t r = rights(fs, n, c);

	return r << 6 | (r & 5) << 3 | (r & 5);
}

int rsfs_perm(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c,
	      int what)
{
	mode_t r = rights(fs, n, c);

	return ((mode_t)what & ~r) ? -EACCES : 0;
}

int rsfs_perm_parent(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c)
{
	struct rsfs_node parent;

	rsfs_node_parent(n, &parent);
	return rsfs_perm(fs, &parent, c, A_WRITE | A_EXEC);
}
