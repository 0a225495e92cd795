/*
 * ds_int.h - catalog internals shared by catalog.c, datasource.c and
 * dsv.c. On disk a data source is ds/<id>/ with:
 *   name         its current name (rename rewrites this file only)
 *   definition   the datafile text
 *   data/ quarantine/   tables
 * A data source exists once both 'definition' and 'name' exist; 'name' is
 * written last on create and removed first on delete.
 */
#ifndef RS_CATALOG_DS_INT_H
#define RS_CATALOG_DS_INT_H

#include "catalog.h"

int rs_ds_load_all(struct rs_catalog *c, struct rs_ws *w, struct rs_err *err);

/* roles.c */
int rs_org_load_admins(struct rs_catalog *c, struct rs_org *o);
int rs_ws_load_members(struct rs_ws *ws);

/* Build a definition version from datafile text (validates everything). */
int rs_dsv_build(const char *text, size_t len, const struct rs_limits *lim,
		 struct rs_dsv **out, struct rs_err *err);

/*
 * Evaluate the DEFAULT of every column at time 'now' into defs[i] (one row
 * each; defs[i] initialised by this function on v->schema types; caller
 * releases with rs_col_release). Columns without DEFAULT get the type's
 * zero (or NULL for Nullable).
 */
int rs_dsv_eval_defaults(const struct rs_dsv *v, int64_t now, struct rs_col *defs,
			 struct rs_err *err);

#endif
