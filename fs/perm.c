/*
 * perm.c - what a caller may do, shown as POSIX modes (SPEC 6).
 *
 * NEEDSWORK (roles issue): membership and roles. Until then the operator
 * (the mounting user, and root) may do everything and every other user may
 * read everything and change nothing, so the modes other users see are the
 * operator's with the write bits removed.
 */
#include <errno.h>
#include <sys/stat.h>

#include "fs.h"

/* the operator's view */
static mode_t full_mode(const struct rsfs_node *n)
{
	switch (n->p.kind) {
	case K_ROOT:
	case K_ORG:
	case K_WS:
		return 0755;
	case K_ORGDIR:
		return 0750;
	case K_FOLDER:
		return n->p.folder == F_TINYBIRD ? 0555 : 0755;
	case K_ROOT_ERRORS:
	case K_WS_ERRORS:
		return 0444;
	case K_DS_DATA:
		return (n->p.fmt == 0 || n->p.fmt == 2) ? 0644 : 0444;	/* csv, ndjson ingest */
	case K_DS_QUAR:
		return n->p.fmt == 0 ? 0644 : 0444;	/* truncate to clear */
	case K_SERVICE:
		return 0444;
	default:
		return 0644;
	}
}

mode_t rsfs_mode(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c)
{
	mode_t m = full_mode(n);

	if (!c->is_operator)
		m &= ~(mode_t)0222;
	return m;
}

int rsfs_perm(struct rsfs *fs, const struct rsfs_node *n, const struct rsfs_caller *c,
	      int what)
{
	mode_t m = rsfs_mode(fs, n, c);

	if ((what & A_READ) && !(m & 0400))
		return -EACCES;
	if ((what & A_WRITE) && !(m & 0200))
		return -EACCES;
	if ((what & A_EXEC) && !(m & 0100))
		return -EACCES;
	return 0;
}
