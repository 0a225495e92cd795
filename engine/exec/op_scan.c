/*
 * op_scan.c - table scan: granule by granule over the snapshot's parts,
 * only the needed columns; min/max skipping for range conditions; the
 * predicate's columns are read first and the others only when some row of
 * the granule matches (PREWHERE style).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../output/export.h"
#include "../storage/table.h"
#include "../types/value.h"
#include "exec.h"

struct scan {
	struct rs_op op;
	struct rs_snapshot *snap;
	struct rs_scan_col *cols;
	unsigned npred;
	struct rs_expr *pred;
	struct rs_skip *skip;
	unsigned nskip;
	unsigned part, gran;
	struct rs_schema s1, s2;	/* predicate columns, other columns */
	struct rs_col *d1, *d2;		/* defaults for s1, s2 */
	struct rs_chunk raw, out;
	uint32_t *sel;
};

static int skip_granule(struct scan *s, struct rs_part *p, unsigned g)
{
	for (unsigned i = 0; i < s->nskip; i++) {
		struct rs_skip *k = &s->skip[i];
		const struct rs_schema *ps = rs_part_schema(p);
		int j = rs_schema_find(ps, s->cols[k->col].name), rc, has_null = 0, lo, hi;
		struct rs_col mn, mx;

		if (j < 0 || !rs_type_equal(ps->cols[j].type, s->cols[k->col].type))
			continue;
		rs_col_init(&mn, k->val.type);
		rs_col_init(&mx, k->val.type);
		rc = rs_part_minmax(p, (unsigned)j, g, &mn, &mx, &has_null);
		if (rc == 1 && mn.n == 1 && mx.n == 1) {
			lo = rs_value_cmp(&k->val, 0, &mn, 0);	/* val vs min */
			hi = rs_value_cmp(&k->val, 0, &mx, 0);	/* val vs max */
			rs_col_release(&mn);
			rs_col_release(&mx);
			switch (k->op) {
			case 0: if (lo < 0 || hi > 0) return 1; break;	/* col = val */
			case 1: if (lo <= 0) return 1; break;		/* col < val */
			case 2: if (lo < 0) return 1; break;		/* col <= val */
			case 3: if (hi >= 0) return 1; break;		/* col > val */
			case 4: if (hi > 0) return 1; break;		/* col >= val */
			}
			continue;
		}
		rs_col_release(&mn);
		rs_col_release(&mx);
	}
	return 0;
}

static int scan_next(struct rs_op *op, struct rs_chunk **out)
{
	struct scan *s = container_of(op, struct scan, op);
	struct rs_qctx *q = op->q;
	int rc;

	for (;;) {
		struct rs_part *p;
		unsigned g, ncol = op->ncols;
		struct rs_chunk c1;
		size_t n, k;

		if (s->part >= s->snap->nparts)
			return 0;
		p = s->snap->parts[s->part];
		if (s->gran >= rs_part_ngranules(p)) {
			s->part++;
			s->gran = 0;
			continue;
		}
		g = s->gran++;
		if ((rc = rs_qctx_check(q)))
			return rc;
		if (s->nskip && skip_granule(s, p, g))
			continue;
		n = rs_part_granule_rows(p, g);
		q->rows_read += n;
		if ((rc = rs_read_granule_as(p, g, &s->s1, s->d1, s->raw.cols, q->err)))
			return rc;
		s->raw.n = n;
		k = n;
		if (s->pred) {
			struct rs_vec v;

			c1 = s->raw;
			c1.ncols = s->npred;
			if ((rc = rs_expr_eval(q, s->pred, &c1, &v)))
				return rc;
			k = 0;
			for (size_t i = 0; i < n; i++)
				if (rs_vtrue(&v, i))
					s->sel[k++] = (uint32_t)i;
			if (!k)
				continue;
		}
		if (ncol > s->npred &&
		    (rc = rs_read_granule_as(p, g, &s->s2, s->d2, s->raw.cols + s->npred, q->err)))
			return rc;
		for (unsigned i = 0; i < ncol; i++)
			q->bytes_read += s->raw.cols[i].nbytes + s->raw.cols[i].n * s->raw.cols[i].width;
		if (k == n) {
			*out = &s->raw;
			return 1;
		}
		rs_chunk_reset(&s->out);
		if (rs_chunk_gather(&s->out, &s->raw, s->sel, k))
			return rs_errf(q->err, -ENOMEM, "out of memory");
		*out = &s->out;
		return 1;
	}
}

static void scan_free(struct rs_op *op)
{
	struct scan *s = container_of(op, struct scan, op);

	rs_snapshot_unref(s->snap);
	rs_expr_free(s->pred);
	for (unsigned i = 0; i < s->nskip; i++)
		rs_col_release(&s->skip[i].val);
	free(s->skip);
	free(s->s1.cols);
	free(s->s2.cols);
	free(s->d1);
	free(s->d2);
	rs_chunk_release(&s->raw);
	rs_chunk_release(&s->out);
	free(s->sel);
	free(op->types);
	free(s);
}

static const struct rs_op_vt scan_vt = { scan_next, scan_free };

struct rs_op *rs_op_scan(struct rs_qctx *q, struct rs_snapshot *snap, struct rs_scan_col *cols,
			 unsigned ncols, unsigned npred, struct rs_expr *pred,
			 struct rs_skip *skip, unsigned nskip)
{
	struct scan *s = xcalloc(1, sizeof(*s));
	const struct rs_type **types = xcalloc(ncols ? ncols : 1, sizeof(*types));
	int anydef = ncols > 0;

	s->op.vt = &scan_vt;
	s->op.q = q;
	s->op.ncols = ncols;
	s->op.types = types;
	s->snap = rs_snapshot_ref(snap);
	s->cols = cols;
	s->npred = npred;
	s->pred = pred;
	s->skip = skip;
	s->nskip = nskip;
	s->s1.ncols = npred;
	s->s2.ncols = ncols - npred;
	s->s1.cols = xcalloc(ncols + 1, sizeof(*s->s1.cols));
	s->s2.cols = xcalloc(ncols + 1, sizeof(*s->s2.cols));
	s->d1 = xcalloc(ncols + 1, sizeof(*s->d1));
	s->d2 = xcalloc(ncols + 1, sizeof(*s->d2));
	for (unsigned i = 0; i < ncols; i++) {
		struct rs_colspec *cs = i < npred ? &s->s1.cols[i] : &s->s2.cols[i - npred];
		struct rs_col *d = i < npred ? &s->d1[i] : &s->d2[i - npred];

		types[i] = cols[i].type;
		cs->name = (char *)cols[i].name;
		cs->type = (struct rs_type *)cols[i].type;
		if (cols[i].def)
			*d = *cols[i].def;
		else
			anydef = 0;
	}
	if (!anydef) {
		free(s->d1);
		free(s->d2);
		s->d1 = s->d2 = NULL;
	}
	rs_chunk_init(&s->raw, ncols, types);
	rs_chunk_init(&s->out, ncols, types);
	s->sel = xmalloc((RS_GRANULE_ROWS + 1) * sizeof(*s->sel));
	return &s->op;
}
