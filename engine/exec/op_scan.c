/*
 * op_scan.c - table scan: granule by granule over the snapshot's parts,
 * only the needed columns; min/max skipping for range conditions; the
 * predicate's columns are read first and the others only when some row of
 * the granule matches (PREWHERE style).
 *
 * String columns are read through their granule dictionary when the granule
 * has one (rs_part_read_codes): a conjunct of the predicate that reads one
 * such column is evaluated once per dictionary entry and applied through the
 * codes, and the column's values are only built when the consumer needs
 * them (rs_scan_want); the chunk carries the codes (rs_chunk.dcols).
 *
 * The scan walks a work list of (part, granule) items built on the first
 * call; rs_scan_share restricts it to a contiguous share for parallel
 * aggregation (par_int.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../output/export.h"
#include "../storage/table.h"
#include "../types/value.h"
#include "par_int.h"

struct scan {
	struct rs_op op;
	struct rs_snapshot *snap;
	struct rs_scan_col *cols;
	unsigned npred;
	struct rs_expr *pred;
	struct rs_skip *skip;
	unsigned nskip;
	struct rs_expr **conj;		/* conjuncts of pred */
	int *conj_col;			/* the one column a conjunct reads, or -1 */
	unsigned nconj;
	int *want;			/* per column: 0, 1, 2 (rs_scan_want) */
	int *strc;			/* per column: may be read as codes */
	uint32_t (*items)[2];		/* (part, granule) */
	size_t nitems, cur, end;
	int built;
	struct rs_schema *one;		/* one-column schema per column */
	struct rs_col *defs;		/* default per column (or NULL) */
	int anydef;
	int *st;			/* per column: 0 unread, 1 values, 2 codes, 3 both */
	uint32_t **codes, **ocodes;
	struct rs_col *dict;
	struct rs_col *dview;		/* chunk columns for dictionary evaluation */
	struct rs_dcol *rdc, *odc;
	struct rs_chunk raw, out;
	uint32_t *sel;
	uint8_t *mask;
	size_t mask_cap;
	int bulk;			/* no columns, no predicate: one chunk per share */
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

static void build_items(struct scan *s)
{
	size_t n = 0, cap = 0;

	if (s->built)
		return;
	s->built = 1;
	for (unsigned i = 0; i < s->snap->nparts; i++)
		cap += rs_part_ngranules(s->snap->parts[i]);
	s->items = xmalloc((cap + 1) * sizeof(*s->items));
	for (unsigned i = 0; i < s->snap->nparts; i++) {
		struct rs_part *p = s->snap->parts[i];

		for (unsigned g = 0; g < rs_part_ngranules(p); g++) {
			if (s->nskip && skip_granule(s, p, g))
				continue;
			s->items[n][0] = i;
			s->items[n][1] = g;
			n++;
		}
	}
	s->nitems = s->end = n;
	s->cur = 0;
}

/* Read column j of granule g of p: codes when possible, else values. */
static int read_col(struct scan *s, struct rs_part *p, unsigned g, unsigned j)
{
	struct rs_qctx *q = s->op.q;
	int rc;

	if (s->st[j])
		return 0;
	if (s->strc[j]) {
		const struct rs_schema *ps = rs_part_schema(p);
		int pj = rs_schema_find(ps, s->cols[j].name);

		if (pj >= 0 && rs_type_equal(ps->cols[pj].type, s->cols[j].type)) {
			rc = rs_part_read_codes(p, (unsigned)pj, g, s->codes[j], &s->dict[j], q->err);
			if (rc < 0)
				return rc;
			if (rc == 1) {
				s->st[j] = 2;
				return 0;
			}
			/* plain granule: dict holds the values */
			struct rs_col t = s->raw.cols[j];
			s->raw.cols[j] = s->dict[j];
			s->dict[j] = t;
			s->st[j] = 1;
			return 0;
		}
	}
	if ((rc = rs_read_granule_as(p, g, &s->one[j], s->anydef ? &s->defs[j] : NULL,
				     &s->raw.cols[j], 1, q->err)))
		return rc;
	s->st[j] = 1;
	return 0;
}

/* Append rows src[idx[i]], i < n, of a plain String column to dst. */
static int gather_str(struct rs_col *dst, const struct rs_col *src, const uint32_t *idx, size_t n)
{
	uint64_t total = 0, pos;

	if (rs_col_reserve(dst, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		total += src->offs[idx[i] + 1] - src->offs[idx[i]];
	if (dst->nbytes + total + 16 > dst->bytes_cap || !dst->bytes) {
		size_t cap = dst->bytes_cap ? dst->bytes_cap : 256;
		uint8_t *b;

		while (cap < dst->nbytes + total + 16)
			cap *= 2;
		if (!(b = realloc(dst->bytes, cap)))
			return -ENOMEM;
		dst->bytes = b;
		dst->bytes_cap = cap;
	}
	pos = dst->nbytes;
	for (size_t i = 0; i < n; i++) {
		uint64_t o = src->offs[idx[i]], len = src->offs[idx[i] + 1] - o;

		memcpy(dst->bytes + pos, src->bytes + o, (size_t)len);
		pos += len;
		dst->offs[dst->n + i + 1] = pos;
	}
	dst->nbytes = (size_t)pos;
	dst->n += n;
	return 0;
}

int rs_gather_fast(struct rs_col *dst, const struct rs_col *src, const uint32_t *idx, size_t n)
{
	if (rs_type_phys(src->type) == RS_PHYS_STRING && !src->nulls && !dst->nulls)
		return gather_str(dst, src, idx, n);
	if (rs_type_phys(src->type) == RS_PHYS_FIXED && !src->nulls && !dst->nulls) {
		size_t w = src->width;

		if (rs_col_reserve(dst, n))
			return -ENOMEM;
		/* local pointers: stores through uint8_t * would otherwise make
		 * the compiler reload dst->data and dst->n every row */
		uint8_t *restrict d = dst->data + dst->n * w;
		const uint8_t *restrict sd = src->data;

		switch (w) {
		case 1: for (size_t i = 0; i < n; i++) d[i] = sd[idx[i]]; break;
		case 2: for (size_t i = 0; i < n; i++) ((uint16_t *)d)[i] = ((const uint16_t *)sd)[idx[i]]; break;
		case 4: for (size_t i = 0; i < n; i++) ((uint32_t *)d)[i] = ((const uint32_t *)sd)[idx[i]]; break;
		case 8: for (size_t i = 0; i < n; i++) ((uint64_t *)d)[i] = ((const uint64_t *)sd)[idx[i]]; break;
		default: for (size_t i = 0; i < n; i++) memcpy(d + i * w, sd + (size_t)idx[i] * w, w);
		}
		dst->n += n;
		return 0;
	}
	return rs_col_gather(dst, src, idx, n);
}

/* Make sure column j has its values (read first). */
static int mat_col(struct scan *s, struct rs_part *p, unsigned g, unsigned j)
{
	int rc;

	if ((rc = read_col(s, p, g, j)))
		return rc;
	if (s->st[j] & 1)
		return 0;
	rs_col_reset(&s->raw.cols[j]);
	if (rs_gather_fast(&s->raw.cols[j], &s->dict[j], s->codes[j], s->raw.n))
		return rs_errf(s->op.q->err, -ENOMEM, "out of memory");
	s->st[j] |= 1;
	return 0;
}

/* Apply conjunct c to the selection sel[0..*k) (all rows when *k == n). */
static int apply_conj(struct scan *s, struct rs_part *p, unsigned g, unsigned c, size_t *k)
{
	struct rs_qctx *q = s->op.q;
	struct rs_expr *e = s->conj[c];
	int j = s->conj_col[c], rc;
	size_t n = s->raw.n, m = 0;
	struct rs_vec v;

	if (j >= 0 && (rc = read_col(s, p, g, (unsigned)j)))
		return rc;
	if (j >= 0 && s->st[j] == 2) {	/* once per dictionary entry */
		const struct rs_col *d = &s->dict[j];
		struct rs_chunk dc = { s->op.ncols, s->dview, d->n, NULL };
		const uint32_t *codes = s->codes[j];

		s->dview[j] = *d;
		if ((rc = rs_expr_eval(q, e, &dc, &v)))
			return rc;
		if (d->n > s->mask_cap) {
			free(s->mask);
			s->mask = xmalloc(d->n);
			s->mask_cap = d->n;
		}
		for (size_t i = 0; i < d->n; i++)
			s->mask[i] = (uint8_t)rs_vtrue(&v, i);
		if (*k == n) {
			for (size_t i = 0; i < n; i++) {
				s->sel[m] = (uint32_t)i;
				m += s->mask[codes[i]];
			}
		} else {
			for (size_t i = 0; i < *k; i++) {
				uint32_t r = s->sel[i];
				s->sel[m] = r;
				m += s->mask[codes[r]];
			}
		}
		*k = m;
		return 0;
	}
	for (unsigned i = 0; i < s->npred; i++)
		if ((rc = mat_col(s, p, g, i)))
			return rc;
	{
		struct rs_chunk c1 = s->raw;

		c1.ncols = s->npred;
		c1.dcols = NULL;
		if ((rc = rs_expr_eval(q, e, &c1, &v)))
			return rc;
	}
	if (*k == n) {
		for (size_t i = 0; i < n; i++)
			if (rs_vtrue(&v, i))
				s->sel[m++] = (uint32_t)i;
	} else {
		for (size_t i = 0; i < *k; i++)
			if (rs_vtrue(&v, s->sel[i]))
				s->sel[m++] = s->sel[i];
	}
	*k = m;
	return 0;
}

static int scan_next(struct rs_op *op, struct rs_chunk **out)
{
	struct scan *s = container_of(op, struct scan, op);
	struct rs_qctx *q = op->q;
	int rc;

	build_items(s);
	if (s->bulk && !s->pred && !op->ncols) {
		size_t n = 0;

		if (s->cur >= s->end)
			return 0;
		for (; s->cur < s->end && n < ((size_t)1 << 30); s->cur++) {
			if (!(s->cur & 1023) && (rc = rs_qctx_check(q)))
				return rc;
			n += rs_part_granule_rows(s->snap->parts[s->items[s->cur][0]],
						  s->items[s->cur][1]);
		}
		q->rows_read += n;
		s->raw.n = n;
		s->raw.dcols = NULL;
		*out = &s->raw;
		return 1;
	}
	for (;;) {
		struct rs_part *p;
		unsigned g, ncol = op->ncols;
		size_t n, k;

		if (s->cur >= s->end)
			return 0;
		p = s->snap->parts[s->items[s->cur][0]];
		g = s->items[s->cur][1];
		s->cur++;
		if ((rc = rs_qctx_check(q)))
			return rc;
		n = rs_part_granule_rows(p, g);
		q->rows_read += n;
		memset(s->st, 0, ncol * sizeof(*s->st));
		s->raw.n = n;
		k = n;
		for (unsigned c = 0; c < s->nconj && k; c++)
			if ((rc = apply_conj(s, p, g, c, &k)))
				return rc;
		if (!k)
			continue;
		for (unsigned i = 0; i < ncol; i++) {
			if ((rc = read_col(s, p, g, i)))
				return rc;
			if (s->want[i] == 2 || (s->want[i] == 1 && !(s->st[i] & 2)))
				if ((rc = mat_col(s, p, g, i)))
					return rc;
			if (!(s->st[i] & 1))
				rs_col_reset(&s->raw.cols[i]);
			s->rdc[i].codes = s->st[i] & 2 ? s->codes[i] : NULL;
			s->rdc[i].dict = &s->dict[i];
			s->rdc[i].whole = 1;	/* only read whole: rows go in s->sel */
			q->bytes_read += s->st[i] & 1 ? s->raw.cols[i].nbytes + n * s->raw.cols[i].width :
				s->dict[i].nbytes + n * 4;
		}
		s->raw.dcols = s->rdc;
		if (k == n) {
			*out = &s->raw;
			return 1;
		}
		for (unsigned i = 0; i < ncol; i++) {
			rs_col_reset(&s->out.cols[i]);
			if ((s->st[i] & 1) &&
			    rs_gather_fast(&s->out.cols[i], &s->raw.cols[i], s->sel, k))
				return rs_errf(q->err, -ENOMEM, "out of memory");
			s->odc[i] = s->rdc[i];
			s->odc[i].whole = 0;	/* some rows filtered out */
			if (s->rdc[i].codes) {
				for (size_t r = 0; r < k; r++)
					s->ocodes[i][r] = s->codes[i][s->sel[r]];
				s->odc[i].codes = s->ocodes[i];
			}
		}
		s->out.n = k;
		s->out.dcols = s->odc;
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
	for (unsigned i = 0; i < op->ncols; i++) {
		free(s->codes[i]);
		free(s->ocodes[i]);
		rs_col_release(&s->dict[i]);
		free(s->one[i].cols);
	}
	free(s->codes);
	free(s->ocodes);
	free(s->dict);
	free(s->dview);
	free(s->one);
	free(s->defs);
	free(s->st);
	free(s->want);
	free(s->strc);
	free(s->conj);
	free(s->conj_col);
	free(s->rdc);
	free(s->odc);
	free(s->items);
	rs_chunk_release(&s->raw);
	rs_chunk_release(&s->out);
	free(s->sel);
	free(s->mask);
	free(op->types);
	free(s);
}

static const struct rs_op_vt scan_vt = { scan_next, scan_free };

int rs_op_is_scan(const struct rs_op *op)
{
	return op && op->vt == &scan_vt;
}

static void add_conj(struct scan *s, struct rs_expr *e, unsigned *cap)
{
	if (e->kind == RS_X_FUNC && !strcmp(e->fn->name, "and") && !e->wrap_null) {
		for (unsigned i = 0; i < e->nargs; i++)
			add_conj(s, e->args[i], cap);
		return;
	}
	if (s->nconj == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		s->conj = xrealloc(s->conj, *cap * sizeof(*s->conj));
	}
	s->conj[s->nconj++] = e;
}

struct colset { int col; int many; };

static void note_col(unsigned pos, void *ctx)
{
	struct colset *c = ctx;

	if (c->col >= 0 && c->col != (int)pos)
		c->many = 1;
	c->col = (int)pos;
}

static void setup_pred(struct scan *s)
{
	unsigned cap = 0;

	if (!s->pred)
		return;
	add_conj(s, s->pred, &cap);
	s->conj_col = xcalloc(s->nconj + 1, sizeof(*s->conj_col));
	for (unsigned c = 0; c < s->nconj; c++) {
		struct colset cs = { -1, 0 };
		int rc = rs_expr_cols(s->conj[c], note_col, &cs);

		s->conj_col[c] = rc || cs.many || cs.col < 0 || cs.col >= (int)s->npred ||
			!s->strc[cs.col] ? -1 : cs.col;
	}
}

static struct scan *scan_new(struct rs_qctx *q, struct rs_snapshot *snap, struct rs_scan_col *cols,
			     unsigned ncols, unsigned npred, struct rs_expr *pred)
{
	struct scan *s = xcalloc(1, sizeof(*s));
	const struct rs_type **types = xcalloc(ncols ? ncols : 1, sizeof(*types));
	unsigned nc = ncols + 1;

	s->op.vt = &scan_vt;
	s->op.q = q;
	s->op.ncols = ncols;
	s->op.types = types;
	s->snap = rs_snapshot_ref(snap);
	s->cols = cols;
	s->npred = npred;
	s->pred = pred;
	s->one = xcalloc(nc, sizeof(*s->one));
	s->defs = xcalloc(nc, sizeof(*s->defs));
	s->st = xcalloc(nc, sizeof(*s->st));
	s->want = xcalloc(nc, sizeof(*s->want));
	s->strc = xcalloc(nc, sizeof(*s->strc));
	s->codes = xcalloc(nc, sizeof(*s->codes));
	s->ocodes = xcalloc(nc, sizeof(*s->ocodes));
	s->dict = xcalloc(nc, sizeof(*s->dict));
	s->dview = xcalloc(nc, sizeof(*s->dview));
	s->rdc = xcalloc(nc, sizeof(*s->rdc));
	s->odc = xcalloc(nc, sizeof(*s->odc));
	s->anydef = ncols > 0;
	for (unsigned i = 0; i < ncols; i++) {
		const struct rs_type *t = cols[i].type;

		types[i] = t;
		s->one[i].ncols = 1;
		s->one[i].cols = xcalloc(1, sizeof(*s->one[i].cols));
		s->one[i].cols[0].name = (char *)cols[i].name;
		s->one[i].cols[0].type = (struct rs_type *)t;
		if (cols[i].def)
			s->defs[i] = *cols[i].def;
		else
			s->anydef = 0;
		s->want[i] = 2;
		s->strc[i] = rs_type_phys(t) == RS_PHYS_STRING && !rs_type_is_nullable(t);
		rs_col_init(&s->dict[i], t);
		if (s->strc[i]) {
			s->codes[i] = xmalloc((RS_GRANULE_ROWS + 1) * sizeof(uint32_t));
			s->ocodes[i] = xmalloc((RS_GRANULE_ROWS + 1) * sizeof(uint32_t));
		}
	}
	rs_chunk_init(&s->raw, ncols, types);
	rs_chunk_init(&s->out, ncols, types);
	s->sel = xmalloc((RS_GRANULE_ROWS + 1) * sizeof(*s->sel));
	setup_pred(s);
	return s;
}

struct rs_op *rs_op_scan(struct rs_qctx *q, struct rs_snapshot *snap, struct rs_scan_col *cols,
			 unsigned ncols, unsigned npred, struct rs_expr *pred,
			 struct rs_skip *skip, unsigned nskip)
{
	struct scan *s = scan_new(q, snap, cols, ncols, npred, pred);

	s->skip = skip;
	s->nskip = nskip;
	return &s->op;
}

size_t rs_scan_items(struct rs_op *op)
{
	struct scan *s = container_of(op, struct scan, op);

	build_items(s);
	return s->nitems;
}

struct rs_op *rs_scan_clone(struct rs_op *op, struct rs_qctx *q, struct rs_arena *a)
{
	struct scan *s = container_of(op, struct scan, op), *c;
	struct rs_expr *pred = NULL;

	if (s->pred && !(pred = rs_expr_clone(a, s->pred)))
		return NULL;
	build_items(s);
	c = scan_new(q, s->snap, s->cols, op->ncols, s->npred, pred);
	c->built = 1;
	c->nitems = c->end = s->nitems;
	c->items = xmalloc((s->nitems + 1) * sizeof(*c->items));
	memcpy(c->items, s->items, s->nitems * sizeof(*c->items));
	memcpy(c->want, s->want, op->ncols * sizeof(*c->want));
	c->bulk = s->bulk;
	return &c->op;
}

void rs_scan_share(struct rs_op *op, unsigned idx, unsigned of)
{
	struct scan *s = container_of(op, struct scan, op);

	build_items(s);
	s->cur = s->nitems * idx / of;
	s->end = s->nitems * (idx + 1) / of;
}

int rs_scan_trivial(const struct rs_op *op)
{
	const struct scan *s = container_of(op, struct scan, op);

	return s->bulk && !s->pred && !op->ncols;
}

void rs_scan_want(struct rs_op *op, unsigned col, int mode)
{
	struct scan *s = container_of(op, struct scan, op);

	if (!op->ncols && mode == 3)
		s->bulk = 1;
	if (col < op->ncols)
		s->want[col] = mode;
}
