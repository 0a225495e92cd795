/*
 * views.h - computed tables of the catalog (SPEC 2, 7): an organization's
 * workspaces, members, data source storage and ops logs, and a
 * workspace's datasources_storage. Each view is built at once as column
 * vectors (rs_view) and rendered by the output writers.
 */
#ifndef RS_CATALOG_VIEWS_H
#define RS_CATALOG_VIEWS_H

#include "catalog.h"

struct rs_view {
	struct rs_schema schema;
	struct rs_col *cols;	/* schema.ncols columns of nrows rows */
	size_t nrows;
};

/* org views: "workspaces", "members", "datasources_storage",
 * "datasources_ops_log", "pipe_stats", "pipe_stats_rt". -ENOENT for others. */
int rs_org_view(struct rs_catalog *c, const char *org, const char *name, struct rs_view *out,
		struct rs_err *err);
/* workspace views: "datasources_storage" (the ops log is a stored table). */
int rs_ws_view(struct rs_catalog *c, struct rs_ws *ws, const char *name, struct rs_view *out,
	       struct rs_err *err);
void rs_view_release(struct rs_view *v);

#endif
