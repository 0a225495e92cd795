/*
 * op_util.c - chunk helpers and the simple operators: filter, project,
 * narrow, union, values (materialized rows), limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "exec.h"

void rs_chunk_init(struct rs_chunk *c, unsigned ncols, const struct rs_type **types)
{
	c->ncols = ncols;
	c->n = 0;
	c->dcols = NULL;
	c->cols = xcalloc(ncols ? ncols : 1, sizeof(*c->cols));
	for (unsigned i = 0; i < ncols; i++)
		rs_col_init(&c->cols[i], types[i]);
}

void rs_chunk_release(struct rs_chunk *c)
{
	if (c->cols)
		for (unsigned i = 0; i < c->ncols; i++)
			rs_col_release(&c->cols[i]);
	free(c->cols);
	c->cols = NULL;
	c->n = 0;
}

void rs_chunk_reset(struct rs_chunk *c)
{
	for (unsigned i = 0; i < c->ncols; i++)
		rs_col_reset(&c->cols[i]);
	c->n = 0;
}

int rs_chunk_gather(struct rs_chunk *dst, const struct rs_chunk *src, const uint32_t *sel,
		    size_t n)
{
	for (unsigned i = 0; i < dst->ncols; i++)
		if (rs_col_gather(&dst->cols[i], &src->cols[i], sel, n))
			return -ENOMEM;
	dst->n += n;
	return 0;
}

/* ---- filter ---- */

struct filter {
	struct rs_op op;
	struct rs_op *child;
	struct rs_expr *pred;
	struct rs_chunk out;
	uint32_t *sel;
};

static int filter_next(struct rs_op *op, struct rs_chunk **out)
{
	struct filter *f = container_of(op, struct filter, op);
	struct rs_chunk *in;
	struct rs_vec v;
	int rc;

	for (;;) {
		size_t k = 0;

		if ((rc = rs_op_next(f->child, &in)) <= 0)
			return rc;
		if ((rc = rs_expr_eval(op->q, f->pred, in, &v)))
			return rc;
		if (!f->sel && !(f->sel = malloc(RS_CHUNK_MAX * sizeof(*f->sel))))
			return rs_errf(op->q->err, -ENOMEM, "out of memory");
		if (in->n > RS_CHUNK_MAX) {
			uint32_t *p = realloc(f->sel, in->n * sizeof(*p));
			if (!p)
				return rs_errf(op->q->err, -ENOMEM, "out of memory");
			f->sel = p;
		}
		for (size_t i = 0; i < in->n; i++)
			if (rs_vtrue(&v, i))
				f->sel[k++] = (uint32_t)i;
		if (k == in->n) {
			*out = in;
			return 1;
		}
		if (!k)
			continue;
		rs_chunk_reset(&f->out);
		if (rs_chunk_gather(&f->out, in, f->sel, k))
			return rs_errf(op->q->err, -ENOMEM, "out of memory");
		*out = &f->out;
		return 1;
	}
}

static void filter_free(struct rs_op *op)
{
	struct filter *f = container_of(op, struct filter, op);

	rs_op_free(f->child);
	rs_expr_free(f->pred);
	rs_chunk_release(&f->out);
	free(f->sel);
	free(f);
}

static const struct rs_op_vt filter_vt = { filter_next, filter_free };

struct rs_op *rs_op_filter(struct rs_qctx *q, struct rs_op *child, struct rs_expr *pred)
{
	struct filter *f = xcalloc(1, sizeof(*f));

	f->op.vt = &filter_vt;
	f->op.q = q;
	f->op.ncols = child->ncols;
	f->op.types = child->types;
	f->child = child;
	f->pred = pred;
	rs_chunk_init(&f->out, child->ncols, child->types);
	return &f->op;
}

/* ---- project ---- */

struct project {
	struct rs_op op;
	struct rs_op *child;
	struct rs_expr **ex;
	struct rs_chunk out;	/* constants repeated to the chunk's length */
	struct rs_chunk view;	/* what goes out: columns borrowed, not owned */
};

/*
 * A column an expression yields lives until its next evaluation, so the
 * output borrows it (struct copies in 'view', as a lookup join's view
 * does): a chunk is valid until the next call and nobody writes into one.
 * Only constants are materialized.
 */
static int project_next(struct rs_op *op, struct rs_chunk **out)
{
	struct project *p = container_of(op, struct project, op);
	struct rs_chunk *in;
	int rc;

	if ((rc = rs_op_next(p->child, &in)) <= 0)
		return rc;
	rs_chunk_reset(&p->out);
	for (unsigned i = 0; i < op->ncols; i++) {
		struct rs_vec v;
		struct rs_col *d = &p->out.cols[i];

		if ((rc = rs_expr_eval(op->q, p->ex[i], in, &v)))
			return rc;
		if (!v.is_const && v.c->n == in->n) {
			p->view.cols[i] = *v.c;
			p->view.cols[i].type = op->types[i];
			continue;
		}
		if (v.is_const) {
			for (size_t r = 0; r < in->n; r++)
				if (rs_col_append(d, v.c, 0, 1))
					return rs_errf(op->q->err, -ENOMEM, "out of memory");
		} else if (rs_col_append(d, v.c, 0, in->n)) {
			return rs_errf(op->q->err, -ENOMEM, "out of memory");
		}
		p->view.cols[i] = *d;
	}
	p->view.n = in->n;
	*out = &p->view;
	return 1;
}

static void project_free(struct rs_op *op)
{
	struct project *p = container_of(op, struct project, op);

	rs_op_free(p->child);
	for (unsigned i = 0; i < op->ncols; i++)
		rs_expr_free(p->ex[i]);
	rs_chunk_release(&p->out);
	free(p->view.cols);	/* borrowed columns */
	free(op->types);
	free(p);
}

static const struct rs_op_vt project_vt = { project_next, project_free };

struct rs_op *rs_op_project(struct rs_qctx *q, struct rs_op *child, struct rs_expr **exprs,
			    unsigned n)
{
	struct project *p = xcalloc(1, sizeof(*p));
	const struct rs_type **types = xcalloc(n ? n : 1, sizeof(*types));

	for (unsigned i = 0; i < n; i++)
		types[i] = exprs[i]->type;
	p->op.vt = &project_vt;
	p->op.q = q;
	p->op.ncols = n;
	p->op.types = types;
	p->child = child;
	p->ex = exprs;
	rs_chunk_init(&p->out, n, types);
	p->view.ncols = n;
	p->view.cols = xcalloc(n ? n : 1, sizeof(*p->view.cols));
	return &p->op;
}

/* ---- narrow ---- */

struct narrow {
	struct rs_op op;
	struct rs_op *child;
	struct rs_chunk view;
};

static int narrow_next(struct rs_op *op, struct rs_chunk **out)
{
	struct narrow *w = container_of(op, struct narrow, op);
	struct rs_chunk *in;
	int rc;

	if ((rc = rs_op_next(w->child, &in)) <= 0)
		return rc;
	w->view.cols = in->cols;
	w->view.n = in->n;
	w->view.ncols = op->ncols;
	*out = &w->view;
	return 1;
}

static void narrow_free(struct rs_op *op)
{
	struct narrow *w = container_of(op, struct narrow, op);

	rs_op_free(w->child);
	free(w);
}

static const struct rs_op_vt narrow_vt = { narrow_next, narrow_free };

struct rs_op *rs_op_narrow(struct rs_qctx *q, struct rs_op *child, unsigned n)
{
	struct narrow *w = xcalloc(1, sizeof(*w));

	w->op.vt = &narrow_vt;
	w->op.q = q;
	w->op.ncols = n;
	w->op.types = child->types;
	w->child = child;
	return &w->op;
}

/* ---- union ---- */

struct onion {
	struct rs_op op;
	struct rs_op **kids;
	unsigned n, cur;
};

static int union_next(struct rs_op *op, struct rs_chunk **out)
{
	struct onion *u = container_of(op, struct onion, op);
	int rc;

	while (u->cur < u->n) {
		if ((rc = rs_op_next(u->kids[u->cur], out)) != 0)
			return rc;
		u->cur++;
	}
	return 0;
}

static void union_free(struct rs_op *op)
{
	struct onion *u = container_of(op, struct onion, op);

	for (unsigned i = 0; i < u->n; i++)
		rs_op_free(u->kids[i]);
	free(u->kids);
	free(u);
}

static const struct rs_op_vt union_vt = { union_next, union_free };

struct rs_op *rs_op_union(struct rs_qctx *q, struct rs_op **kids, unsigned n)
{
	struct onion *u = xcalloc(1, sizeof(*u));

	u->op.vt = &union_vt;
	u->op.q = q;
	u->op.ncols = kids[0]->ncols;
	u->op.types = kids[0]->types;
	u->kids = xcalloc(n, sizeof(*kids));
	memcpy(u->kids, kids, n * sizeof(*kids));
	u->n = n;
	return &u->op;
}

/* ---- values: materialized columns, emitted in chunks ---- */

struct values {
	struct rs_op op;
	struct rs_col *cols;
	struct rs_chunk out;	/* copies (columns of arrays) */
	struct rs_chunk view;	/* what goes out: v->cols or slices of them */
	struct rs_col *slices;
	size_t pos, n;
};

/*
 * A slice of rows [pos, pos + k) of a column without copying: pointers
 * moved to its first row. String offsets stay absolute into the same bytes
 * (every reader goes through offs[i], offs[i + 1]); nbytes is the slice's.
 */
static void slice_view(struct rs_col *d, const struct rs_col *c, size_t pos, size_t k)
{
	*d = *c;
	d->n = d->cap = k;
	if (c->nulls)
		d->nulls = c->nulls + pos;
	if (rs_type_phys(c->type) == RS_PHYS_FIXED) {
		d->data = c->data + pos * c->width;
	} else {
		d->offs = c->offs + pos;
		d->nbytes = (size_t)(c->offs[pos + k] - c->offs[pos]);
		d->bytes_cap = d->nbytes;
	}
}

static int values_next(struct rs_op *op, struct rs_chunk **out)
{
	struct values *v = container_of(op, struct values, op);
	size_t k;
	int arrays = 0;

	if (v->pos >= v->n)
		return 0;
	k = v->n - v->pos < RS_CHUNK_MAX ? v->n - v->pos : RS_CHUNK_MAX;
	if (v->pos == 0 && k == v->n) {	/* one chunk: no copy */
		v->view.cols = v->cols;
		v->view.n = k;
		v->view.ncols = op->ncols;
		v->pos = k;
		*out = &v->view;
		return 1;
	}
	for (unsigned i = 0; i < op->ncols; i++)
		arrays |= rs_type_phys(v->cols[i].type) == RS_PHYS_ARRAY;
	if (arrays) {		/* array elements are not sliced: copies */
		if (!v->out.cols)
			rs_chunk_init(&v->out, op->ncols, op->types);
		rs_chunk_reset(&v->out);
		for (unsigned i = 0; i < op->ncols; i++)
			if (rs_col_append(&v->out.cols[i], &v->cols[i], v->pos, k))
				return rs_errf(op->q->err, -ENOMEM, "out of memory");
		v->out.n = k;
		v->pos += k;
		*out = &v->out;
		return 1;
	}
	if (!v->slices)
		v->slices = xcalloc(op->ncols ? op->ncols : 1, sizeof(*v->slices));
	for (unsigned i = 0; i < op->ncols; i++)
		slice_view(&v->slices[i], &v->cols[i], v->pos, k);
	v->view.cols = v->slices;
	v->view.ncols = op->ncols;
	v->view.n = k;
	v->pos += k;
	*out = &v->view;
	return 1;
}

static void values_free(struct rs_op *op)
{
	struct values *v = container_of(op, struct values, op);

	if (v->out.cols)
		rs_chunk_release(&v->out);
	free(v->slices);	/* views of v->cols */
	for (unsigned i = 0; i < op->ncols; i++)
		rs_col_release(&v->cols[i]);
	free(v->cols);
	free(v);
}

static const struct rs_op_vt values_vt = { values_next, values_free };

struct rs_op *rs_op_values(struct rs_qctx *q, struct rs_col *cols, unsigned ncols,
			   const struct rs_type **types)
{
	struct values *v = xcalloc(1, sizeof(*v));

	v->op.vt = &values_vt;
	v->op.q = q;
	v->op.ncols = ncols;
	v->op.types = types;
	v->cols = cols;
	v->n = ncols ? cols[0].n : 0;
	return &v->op;
}

/* ---- limit ---- */

struct limit {
	struct rs_op op;
	struct rs_op *child;
	uint64_t limit, offset, seen;
	struct rs_chunk out;
};

static int limit_next(struct rs_op *op, struct rs_chunk **out)
{
	struct limit *l = container_of(op, struct limit, op);
	struct rs_chunk *in;
	int rc;

	for (;;) {
		uint64_t from, to;

		if (l->seen >= l->offset + l->limit || l->limit == 0)
			return 0;
		if ((rc = rs_op_next(l->child, &in)) <= 0)
			return rc;
		from = l->seen;
		l->seen += in->n;
		op->q->rows_before_limit += (int64_t)in->n;
		if (l->seen <= l->offset)
			continue;
		to = l->seen < l->offset + l->limit ? l->seen : l->offset + l->limit;
		from = from < l->offset ? l->offset - from : 0;
		to -= l->seen - in->n;
		if (from == 0 && to == in->n) {
			*out = in;
			return 1;
		}
		rs_chunk_reset(&l->out);
		for (unsigned i = 0; i < op->ncols; i++)
			if (rs_col_append(&l->out.cols[i], &in->cols[i], from, to - from))
				return rs_errf(op->q->err, -ENOMEM, "out of memory");
		l->out.n = to - from;
		*out = &l->out;
		return 1;
	}
}

static void limit_free(struct rs_op *op)
{
	struct limit *l = container_of(op, struct limit, op);

	rs_op_free(l->child);
	rs_chunk_release(&l->out);
	free(l);
}

static const struct rs_op_vt limit_vt = { limit_next, limit_free };

struct rs_op *rs_op_limit(struct rs_qctx *q, struct rs_op *child, uint64_t limit,
			  uint64_t offset)
{
	struct limit *l = xcalloc(1, sizeof(*l));

	l->op.vt = &limit_vt;
	l->op.q = q;
	l->op.ncols = child->ncols;
	l->op.types = child->types;
	l->child = child;
	l->limit = limit;
	l->offset = offset;
	q->rows_before_limit = 0;
	rs_chunk_init(&l->out, child->ncols, child->types);
	return &l->op;
}
