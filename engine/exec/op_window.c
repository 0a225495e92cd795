/*
 * op_window.c - window functions. The child arrives sorted by partition
 * then order keys; the operator materializes it, finds partitions and peer
 * groups (rows equal on the order keys), computes each function's column
 * with ClickHouse frame rules and emits child columns + results.
 *
 * Frames: ROWS counts rows; RANGE CURRENT ROW extends to the peers;
 * RANGE n PRECEDING/FOLLOWING compares the (single, numeric) order key.
 * count/sum/avg use per-partition prefix sums (exact, sequential when the
 * frame starts at the partition start); min/max keep a running best for
 * frames starting at the partition start and scan the frame otherwise.
 * row_number/rank/dense_rank ignore the frame; lagInFrame/leadInFrame and
 * first_value/last_value look inside it (default value outside).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../sql/ast.h"
#include "../types/value.h"
#include "exec.h"

struct window {
	struct rs_op op;
	struct rs_op *child;
	unsigned *part, *order;
	unsigned npart, norder;
	int desc0;
	struct rs_wframe fr;
	struct rs_wfunc *f;
	unsigned nf;
	struct rs_col *all;		/* child columns, materialized */
	struct rs_op *emit;
	int done;
	/* per row, computed once */
	uint32_t *ps, *pe, *gs, *ge;	/* partition [ps, pe), peer group [gs, ge) */
	double *key;			/* order[0] as double (RANGE offsets) */
};

/* First row in [lo, hi) whose key is not "before" v (asc: key >= v; desc: key <= v). */
static size_t key_lower(const struct window *w, size_t lo, size_t hi, double v, int strict)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		double k = w->key[mid];
		int before = w->desc0 ? (strict ? k >= v : k > v) : (strict ? k <= v : k < v);

		if (before)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Frame of row r as [*a, *b) (empty when *a >= *b). */
static void frame_of(const struct window *w, size_t r, size_t *a, size_t *b)
{
	const struct rs_wframe *f = &w->fr;
	size_t ps = w->ps[r], pe = w->pe[r];
	int64_t s, e;

	if (f->rows) {
		switch (f->fs) {
		case RS_FB_UNB_PREC: s = (int64_t)ps; break;
		case RS_FB_PREC: s = (int64_t)r - (int64_t)f->fs_off; break;
		case RS_FB_CURRENT: s = (int64_t)r; break;
		default: s = (int64_t)r + (int64_t)f->fs_off; break;
		}
		switch (f->fe) {
		case RS_FB_PREC: e = (int64_t)r - (int64_t)f->fe_off + 1; break;
		case RS_FB_CURRENT: e = (int64_t)r + 1; break;
		case RS_FB_FOLL: e = (int64_t)r + (int64_t)f->fe_off + 1; break;
		default: e = (int64_t)pe; break;
		}
	} else {
		double v = w->key ? w->key[r] : 0, sg = w->desc0 ? -1 : 1;

		switch (f->fs) {
		case RS_FB_UNB_PREC: s = (int64_t)ps; break;
		case RS_FB_CURRENT: s = (int64_t)w->gs[r]; break;
		case RS_FB_PREC: s = (int64_t)key_lower(w, ps, pe, v - sg * (double)f->fs_off, 0); break;
		default: s = (int64_t)key_lower(w, ps, pe, v + sg * (double)f->fs_off, 0); break;
		}
		switch (f->fe) {
		case RS_FB_UNB_FOLL: e = (int64_t)pe; break;
		case RS_FB_CURRENT: e = (int64_t)w->ge[r]; break;
		case RS_FB_PREC: e = (int64_t)key_lower(w, ps, pe, v - sg * (double)f->fe_off, 1); break;
		default: e = (int64_t)key_lower(w, ps, pe, v + sg * (double)f->fe_off, 1); break;
		}
	}
	if (s < (int64_t)ps)
		s = (int64_t)ps;
	if (e > (int64_t)pe)
		e = (int64_t)pe;
	*a = (size_t)s;
	*b = e > s ? (size_t)e : (size_t)s;
}

static int push_default(struct rs_col *out)
{
	return out->nulls ? rs_col_push_null(out) : rs_col_push_zero(out);
}

static int compute(struct window *w, const struct rs_wfunc *f, size_t n, struct rs_col *out)
{
	const struct rs_col *x = f->has_arg ? &w->all[f->arg] : NULL;
	int flt = x && rs_ncls(x->type) == RS_NC_FLOAT;
	double *pf = NULL;
	int64_t *pi = NULL;
	uint64_t *pc = NULL, dense = 0;
	uint32_t *best = NULL;
	int rc = 0;

	if (rs_col_reserve(out, n))
		return -ENOMEM;
	if (f->kind == RS_W_COUNT || f->kind == RS_W_SUM || f->kind == RS_W_AVG) {
		/* prefix sums restarting at each partition: p[r + 1] = sum over [ps, r] */
		pc = calloc(n + 1, sizeof(*pc));
		pf = calloc(n + 1, sizeof(*pf));
		pi = calloc(n + 1, sizeof(*pi));
		if (!pc || !pf || !pi) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t r = 0; r < n; r++) {
			int ok = !x || !rs_col_is_null(x, r), first = r == w->ps[r];

			pc[r + 1] = (first ? 0 : pc[r]) + (uint64_t)ok;
			pf[r + 1] = (first ? 0 : pf[r]) + (ok && x ? rs_get_f64(x, r) : 0);
			pi[r + 1] = (int64_t)((uint64_t)(first ? 0 : pi[r]) +
					      (uint64_t)(ok && x ? rs_get_i64(x, r) : 0));
		}
	}
	if (f->kind == RS_W_MIN || f->kind == RS_W_MAX) {
		int sign = f->kind == RS_W_MIN ? 1 : -1;

		if (!(best = malloc((n + 1) * sizeof(*best)))) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t r = 0; r < n; r++) {	/* running best from the partition start */
			uint32_t pb = r == w->ps[r] ? UINT32_MAX : best[r - 1];

			if (rs_col_is_null(x, r))
				best[r] = pb;
			else if (pb == UINT32_MAX || sign * rs_value_cmp(x, r, x, pb) < 0)
				best[r] = (uint32_t)r;
			else
				best[r] = pb;
		}
	}
	for (size_t r = 0; r < n && !rc; r++) {
		size_t a, b, ps = w->ps[r];
		uint64_t u;
		int64_t t;

		if (r == ps)
			dense = 0;
		if (r == w->gs[r])
			dense++;
		frame_of(w, r, &a, &b);
		switch (f->kind) {
		case RS_W_ROW_NUMBER: u = r - ps + 1; rc = rs_col_push_fixed(out, &u); break;
		case RS_W_RANK: u = w->gs[r] - ps + 1; rc = rs_col_push_fixed(out, &u); break;
		case RS_W_DENSE_RANK: rc = rs_col_push_fixed(out, &dense); break;
		case RS_W_COUNT:
			u = a < b ? pc[b] - (a > ps ? pc[a] : 0) : 0;
			rc = rs_col_push_fixed(out, &u);
			break;
		case RS_W_SUM: case RS_W_AVG: {
			uint64_t c = a < b ? pc[b] - (a > ps ? pc[a] : 0) : 0;
			double s = a < b ? pf[b] - (a > ps ? pf[a] : 0) : 0;
			int64_t si = a < b ? (int64_t)((uint64_t)pi[b] - (uint64_t)(a > ps ? pi[a] : 0)) : 0;

			if (f->kind == RS_W_AVG) {
				double v = c ? (flt ? s : (double)si) / (double)c : NAN;
				rc = rs_store_f64(out, &v, 1);
			} else if (flt) {
				rc = rs_store_f64(out, &s, 1);
			} else {
				rc = rs_store_i64(out, &si, 1);
			}
			break;
		}
		case RS_W_MIN: case RS_W_MAX: {
			int sign = f->kind == RS_W_MIN ? 1 : -1;
			uint32_t bi = UINT32_MAX;

			if (a < b && a == ps) {
				bi = best[b - 1];
			} else {
				for (size_t k = a; k < b; k++)
					if (!rs_col_is_null(x, k) &&
					    (bi == UINT32_MAX || sign * rs_value_cmp(x, k, x, bi) < 0))
						bi = (uint32_t)k;
			}
			if (bi == UINT32_MAX)
				rc = push_default(out);
			else if (x->nulls) {	/* result is the base type */
				struct rs_col v = *x;
				v.nulls = NULL;
				v.type = out->type;
				rc = rs_col_append(out, &v, bi, 1);
			} else {
				rc = rs_col_append(out, x, bi, 1);
			}
			break;
		}
		case RS_W_LAG: case RS_W_LEAD: case RS_W_FIRST: case RS_W_LAST:
			if (f->kind == RS_W_LAG)
				t = (int64_t)r - (int64_t)f->off;
			else if (f->kind == RS_W_LEAD)
				t = (int64_t)r + (int64_t)f->off;
			else
				t = f->kind == RS_W_FIRST ? (int64_t)a : (int64_t)b - 1;
			if (t >= (int64_t)a && t < (int64_t)b)
				rc = rs_col_append(out, x, (size_t)t, 1);
			else if (f->has_def)
				rc = rs_col_append(out, &w->all[f->def], r, 1);
			else
				rc = push_default(out);
			break;
		}
	}
out:
	free(pc);
	free(pf);
	free(pi);
	free(best);
	return rc;
}

static int run(struct window *w)
{
	struct rs_qctx *q = w->op.q;
	unsigned nc = w->child->ncols;
	size_t n = nc ? w->all[0].n : 0;
	struct rs_col *cols;
	int rc = 0;

	w->ps = malloc((n + 1) * sizeof(*w->ps));
	w->pe = malloc((n + 1) * sizeof(*w->pe));
	w->gs = malloc((n + 1) * sizeof(*w->gs));
	w->ge = malloc((n + 1) * sizeof(*w->ge));
	if (!w->ps || !w->pe || !w->gs || !w->ge)
		return rs_errf(q->err, -ENOMEM, "out of memory");
	for (size_t r = 0; r < n; r++) {
		int np = r == 0, ng;

		for (unsigned k = 0; k < w->npart && !np; k++)
			np = !rs_row_eq(&w->all[w->part[k]], r - 1, &w->all[w->part[k]], r);
		ng = np;
		for (unsigned k = 0; k < w->norder && !ng; k++)
			ng = !rs_row_eq(&w->all[w->order[k]], r - 1, &w->all[w->order[k]], r);
		w->ps[r] = np ? (uint32_t)r : w->ps[r - 1];
		w->gs[r] = ng ? (uint32_t)r : w->gs[r - 1];
	}
	for (size_t r = n; r-- > 0;) {
		w->pe[r] = r + 1 == n || w->ps[r + 1] != w->ps[r] ? (uint32_t)r + 1 : w->pe[r + 1];
		w->ge[r] = r + 1 == n || w->gs[r + 1] != w->gs[r] ? (uint32_t)r + 1 : w->ge[r + 1];
	}
	if (!w->fr.rows && (w->fr.fs == RS_FB_PREC || w->fr.fs == RS_FB_FOLL ||
			    w->fr.fe == RS_FB_PREC || w->fr.fe == RS_FB_FOLL)) {
		struct rs_vec v;

		if (w->norder != 1 || rs_ncls(w->all[w->order[0]].type) == RS_NC_STR ||
		    rs_ncls(w->all[w->order[0]].type) == RS_NC_OTHER)
			return rs_errf(q->err, -EINVAL,
				       "RANGE frame with an offset needs one numeric ORDER BY key");
		if (!(w->key = malloc((n + 1) * sizeof(*w->key))))
			return rs_errf(q->err, -ENOMEM, "out of memory");
		v.c = &w->all[w->order[0]];
		v.is_const = 0;
		rs_load_f64(&v, n, w->key);
	}
	cols = xcalloc(nc + w->nf + 1, sizeof(*cols));
	for (unsigned i = 0; i < w->nf && !rc; i++) {
		rs_col_init(&cols[nc + i], w->f[i].type);
		if ((rc = compute(w, &w->f[i], n, &cols[nc + i])))
			rc = rc == -ENOMEM ? rs_errf(q->err, -ENOMEM, "out of memory") : rc;
	}
	if (rc) {
		for (unsigned i = nc; i < nc + w->nf; i++)
			rs_col_release(&cols[i]);
		free(cols);
		return rc;
	}
	memcpy(cols, w->all, nc * sizeof(*cols));	/* the child columns move */
	free(w->all);
	w->all = NULL;
	w->emit = rs_op_values(q, cols, nc + w->nf, w->op.types);
	return 0;
}

static int window_next(struct rs_op *op, struct rs_chunk **out)
{
	struct window *w = container_of(op, struct window, op);
	struct rs_chunk *in;
	int rc;

	if (!w->done) {
		while ((rc = rs_op_next(w->child, &in)) > 0) {
			for (unsigned i = 0; i < w->child->ncols; i++)
				if (rs_col_append(&w->all[i], &in->cols[i], 0, in->n))
					return rs_errf(op->q->err, -ENOMEM, "out of memory");
			if ((rc = rs_qctx_check(op->q)))
				return rc;
		}
		if (rc < 0)
			return rc;
		w->done = 1;
		if ((rc = run(w)))
			return rc;
	}
	return rs_op_next(w->emit, out);
}

static void window_free(struct rs_op *op)
{
	struct window *w = container_of(op, struct window, op);

	if (w->all) {
		for (unsigned i = 0; i < w->child->ncols; i++)
			rs_col_release(&w->all[i]);
		free(w->all);
	}
	rs_op_free(w->child);
	rs_op_free(w->emit);
	free(w->part);
	free(w->order);
	free(w->f);
	free(w->ps);
	free(w->pe);
	free(w->gs);
	free(w->ge);
	free(w->key);
	free(op->types);
	free(w);
}

static const struct rs_op_vt window_vt = { window_next, window_free };

struct rs_op *rs_op_window(struct rs_qctx *q, struct rs_op *child, const unsigned *part,
			   unsigned npart, const unsigned *order, unsigned norder, int desc0,
			   const struct rs_wframe *fr, const struct rs_wfunc *f, unsigned nf)
{
	struct window *w = xcalloc(1, sizeof(*w));
	const struct rs_type **types = xcalloc(child->ncols + nf + 1, sizeof(*types));

	memcpy(types, child->types, child->ncols * sizeof(*types));
	for (unsigned i = 0; i < nf; i++)
		types[child->ncols + i] = f[i].type;
	w->op.vt = &window_vt;
	w->op.q = q;
	w->op.ncols = child->ncols + nf;
	w->op.types = types;
	w->child = child;
	w->part = xcalloc(npart + 1, sizeof(*part));
	memcpy(w->part, part, npart * sizeof(*part));
	w->npart = npart;
	w->order = xcalloc(norder + 1, sizeof(*order));
	memcpy(w->order, order, norder * sizeof(*order));
	w->norder = norder;
	w->desc0 = desc0;
	w->fr = *fr;
	w->f = xcalloc(nf + 1, sizeof(*f));
	memcpy(w->f, f, nf * sizeof(*f));
	w->nf = nf;
	w->all = xcalloc(child->ncols + 1, sizeof(*w->all));
	for (unsigned i = 0; i < child->ncols; i++)
		rs_col_init(&w->all[i], child->types[i]);
	return &w->op;
}
