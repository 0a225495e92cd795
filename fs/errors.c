/*
 * errors.c - every failure's message reaches the user who caused it: a
 * line in their .errors (of the workspace, or the root one) and in the
 * daemon's log (SPEC 8).
 */
#include <string.h>

#include "../engine/catalog/opslog.h"
#include "fs.h"

void rsfs_fail(struct rsfs *fs, const struct rsfs_caller *c, const char *path,
	       const char *op, int code, const struct rs_err *err)
{
	struct rsfs_path p;
	struct rs_ws *ws = NULL;
	const char *rel = path;

	if (rsfs_path_parse(path, &p) == 0 && p.depth >= 2 && p.ws[0] &&
	    p.kind != K_ORGDIR && p.kind != K_ORG_ADMINS)
		ws = rs_ws_get(fs->cat, p.org, p.ws);
	if (ws) {
		/* paths inside a workspace are shown relative to it */
		size_t skip = 1 + strlen(p.org) + 1 + strlen(p.ws);
		rel = path[skip] == '/' ? path + skip + 1 : path + skip;
		if (!*rel)
			rel = ".";
	}
	else if (rel[0] == '/' && rel[1])
		rel++;		/* outside workspaces: relative to the mount */
	rs_errlog_append(fs->cat, ws, c->uid, op, rel, code,
			 err && err->msg[0] ? err->msg : NULL);
	if (ws && code == -EACCES) {
		/* a denied operation is audited in the workspace's ops log */
		struct rs_opslog_entry e = {
			.event_type = op,
			.ds_id = "",
			.ds_name = rel,
			.ok = 0,
			.error = err && err->msg[0] ? err->msg : "permission denied",
			.rows = -1,
			.rows_quarantine = -1,
			.user = c->user,
		};
		rs_opslog_append(ws, &e);
	}
	rs_ws_unref(fs->cat, ws);
}
