/*
 * rewrite.c - rewrite one part keeping some of its rows (TTL).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"
#include "../base/util.h"
#include "part_int.h"
#include "table.h"

int rs_table_rewrite(struct rs_table *t, struct rs_part *p, rs_row_keep_fn keep, void *ctx,
		     struct rs_err *err)
{
	const struct rs_schema *s = rs_part_schema(p);
	struct rs_col *cols = xcalloc(s->ncols ? s->ncols : 1, sizeof(*cols));
	struct rs_col *tmp = xcalloc(s->ncols ? s->ncols : 1, sizeof(*tmp));
	uint32_t *idx = xmalloc(RS_GRANULE_ROWS * sizeof(*idx));
	struct rs_part_writer *w = NULL;
	struct rs_part *np = NULL;
	uint64_t kept = 0;
	char dir[PATH_MAX];
	int rc;

	for (unsigned c = 0; c < s->ncols; c++) {
		rs_col_init(&cols[c], s->cols[c].type);
		rs_col_init(&tmp[c], s->cols[c].type);
	}
	rs_table_new_part_dir(t, dir, sizeof(dir));
	if ((rc = rs_part_writer_open(dir, s, &w, err)))
		goto out;
	for (unsigned g = 0; g < rs_part_ngranules(p) && !rc; g++) {
		size_t n, k = 0;
		for (unsigned c = 0; c < s->ncols && !rc; c++) {
			rs_col_reset(&cols[c]);
			rc = rs_part_read(p, c, g, &cols[c], err);
		}
		if (rc)
			break;
		n = s->ncols ? cols[0].n : 0;
		for (size_t r = 0; r < n && k < RS_GRANULE_ROWS; r++)
			if (keep(ctx, s, cols, r))
				idx[k++] = (uint32_t)r;
		for (unsigned c = 0; c < s->ncols && !rc; c++) {
			rs_col_reset(&tmp[c]);
			rc = rs_col_gather(&tmp[c], &cols[c], idx, k);
		}
		if (!rc && k)
			rc = rs_part_writer_add(w, tmp, 0, k, err);
		kept += k;
	}
	if (rc || kept == rs_part_rows(p)) {
		rs_part_writer_abort(w);
		w = NULL;
		goto out;	/* nothing to drop (or an error) */
	}
	if (kept == 0) {
		rs_part_writer_abort(w);
		w = NULL;
		rc = rs_table_swap(t, &p, 1, NULL, err);
		goto out;
	}
	rc = rs_part_writer_finish(w, err);
	w = NULL;
	if (!rc)
		rc = rs_part_open(dir, &np, err);
	if (rc) {
		rs_rm_rf(dir);
		goto out;
	}
	rc = rs_table_swap(t, &p, 1, np, err);
	if (rc <= 0) {
		rs_part_doom(np);
		rs_part_unref(np);
	}
out:
	for (unsigned c = 0; c < s->ncols; c++) {
		rs_col_release(&cols[c]);
		rs_col_release(&tmp[c]);
	}
	free(cols);
	free(tmp);
	free(idx);
	return rc;
}
