/*
 * op_sort.c - ORDER BY (materialize, sort a row index, emit; with a small
 * LIMIT, keep only the best rows in a bounded heap), DISTINCT and
 * LIMIT BY (streaming, with an rs_keyset of the keys seen).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../types/value.h"
#include "exec.h"

#define RS_TOPN_MAX 100000	/* larger limits sort everything */

struct sort {
	struct rs_op op;
	struct rs_op *child;
	unsigned *keys;
	int *desc, *nf;
	unsigned nkeys;
	uint64_t limit;
	struct rs_col *all;
	struct rs_op *emit;
	int done;
	int64_t mem;
	/* top-N (limit > 0): a max-heap of the best rows kept in all[] */
	uint32_t *heap;
	size_t nheap;
	uint64_t seen;
	int *kcls;		/* per key: 1 int, 2 uint, 3 float, 4 string, 0 generic */
};

struct sctx {
	struct sort *s;
	int *cls;		/* per key: 0 generic, 1 int, 2 uint, 3 float, 4 string */
	int64_t **iv;
	double **fv;
};

static int row_cmp(const void *x, const void *y, void *arg)
{
	struct sctx *c = arg;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;

	for (unsigned k = 0; k < c->s->nkeys; k++) {
		const struct rs_col *col = &c->s->all[c->s->keys[k]];
		int r = 0, ni = rs_col_is_null(col, i), nj = rs_col_is_null(col, j);

		if (ni || nj) {
			if (ni == nj)
				continue;
			r = ni ? 1 : -1;	/* NULLS LAST by default, in both directions */
			if (c->s->nf[k] == 1)
				r = -r;
			return r;
		}
		switch (c->cls[k]) {
		case 1: r = (c->iv[k][i] > c->iv[k][j]) - (c->iv[k][i] < c->iv[k][j]); break;
		case 2: r = ((uint64_t)c->iv[k][i] > (uint64_t)c->iv[k][j]) -
			    ((uint64_t)c->iv[k][i] < (uint64_t)c->iv[k][j]); break;
		case 3: r = (c->fv[k][i] > c->fv[k][j]) - (c->fv[k][i] < c->fv[k][j]); break;
		case 4: {
			size_t la, lb;
			const char *a = rs_col_str(col, i, &la), *b = rs_col_str(col, j, &lb);
			r = memcmp(a, b, la < lb ? la : lb);
			if (!r)
				r = (la > lb) - (la < lb);
			break;
		}
		default: r = rs_value_cmp(col, i, col, j);
		}
		if (r)
			return c->s->desc[k] ? -r : r;
	}
	return (i > j) - (i < j);	/* stable */
}

static int sort_all(struct sort *s)
{
	struct rs_qctx *q = s->op.q;
	size_t n = s->op.ncols ? s->all[0].n : 0;
	uint32_t *idx = malloc((n + 1) * sizeof(*idx));
	struct sctx c = { s, NULL, NULL, NULL };
	struct rs_col *cols = NULL;
	int rc = 0;

	c.cls = xcalloc(s->nkeys + 1, sizeof(*c.cls));
	c.iv = xcalloc(s->nkeys + 1, sizeof(*c.iv));
	c.fv = xcalloc(s->nkeys + 1, sizeof(*c.fv));
	if (!idx)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	for (unsigned k = 0; k < s->nkeys; k++) {
		const struct rs_col *col = &s->all[s->keys[k]];
		struct rs_vec v = { col, 0 };

		switch (rs_ncls(col->type)) {
		case RS_NC_INT: case RS_NC_UINT:
			c.cls[k] = rs_ncls(col->type) == RS_NC_INT ? 1 : 2;
			if (!(c.iv[k] = malloc((n + 1) * 8)))
				goto nomem;
			rs_load_i64(&v, n, c.iv[k]);
			break;
		case RS_NC_FLOAT:
			c.cls[k] = 3;
			if (!(c.fv[k] = malloc((n + 1) * 8)))
				goto nomem;
			rs_load_f64(&v, n, c.fv[k]);
			break;
		case RS_NC_STR:
			c.cls[k] = rs_type_base(col->type)->id == RS_T_STRING ? 4 : 0;
			break;
		default:
			c.cls[k] = 0;
		}
	}
	qsort_r(idx, n, sizeof(*idx), row_cmp, &c);
	if (s->limit && s->limit < n) {
		q->rows_before_limit = (int64_t)(n - s->limit);	/* LIMIT adds the rest */
		n = s->limit;
	}
	cols = xcalloc(s->op.ncols + 1, sizeof(*cols));
	for (unsigned i = 0; i < s->op.ncols; i++) {
		rs_col_init(&cols[i], s->op.types[i]);
		if (rs_col_gather(&cols[i], &s->all[i], idx, n))
			goto nomem;
	}
	s->emit = rs_op_values(q, cols, s->op.ncols, s->op.types);
	cols = NULL;
	goto out;
nomem:
	rc = rs_errf(q->err, -ENOMEM, "out of memory sorting %zu rows", n);
	if (cols)
		for (unsigned i = 0; i < s->op.ncols; i++)
			rs_col_release(&cols[i]);
	free(cols);
out:
	for (unsigned k = 0; k < s->nkeys; k++) {
		free(c.iv[k]);
		free(c.fv[k]);
	}
	free(c.cls);
	free(c.iv);
	free(c.fv);
	free(idx);
	return rc;
}

/* ---- top-N: ORDER BY ... LIMIT n keeps the n best rows in a bounded heap ---- */

static int key_class(const struct rs_type *t)
{
	switch (rs_ncls(t)) {
	case RS_NC_INT: return 1;
	case RS_NC_UINT: return 2;
	case RS_NC_FLOAT: return 3;
	case RS_NC_STR: return rs_type_base(t)->id == RS_T_STRING ? 4 : 0;
	default: return 0;
	}
}

/* Order of row i of columns a against row j of columns b (same layout). */
static int key_cmp(const struct sort *s, const struct rs_col *a, size_t i, const struct rs_col *b,
		   size_t j)
{
	for (unsigned k = 0; k < s->nkeys; k++) {
		const struct rs_col *ca = &a[s->keys[k]], *cb = &b[s->keys[k]];
		int r = 0, ni = rs_col_is_null(ca, i), nj = rs_col_is_null(cb, j);

		if (ni || nj) {
			if (ni == nj)
				continue;
			r = ni ? 1 : -1;
			return s->nf[k] == 1 ? -r : r;
		}
		switch (s->kcls[k]) {
		case 1: {
			int64_t x = rs_get_i64(ca, i), y = rs_get_i64(cb, j);
			r = (x > y) - (x < y);
			break;
		}
		case 2: {
			uint64_t x = (uint64_t)rs_get_i64(ca, i), y = (uint64_t)rs_get_i64(cb, j);
			r = (x > y) - (x < y);
			break;
		}
		case 3: {
			double x = rs_get_f64(ca, i), y = rs_get_f64(cb, j);
			r = (x > y) - (x < y);
			break;
		}
		case 4: {
			size_t la, lb;
			const char *x = rs_col_str(ca, i, &la), *y = rs_col_str(cb, j, &lb);
			r = memcmp(x, y, la < lb ? la : lb);
			if (!r)
				r = (la > lb) - (la < lb);
			break;
		}
		default: r = rs_value_cmp(ca, i, cb, j);
		}
		if (r)
			return s->desc[k] ? -r : r;
	}
	return 0;
}

/* Heap order: stored rows x before y (ties: the earlier row is better). */
static int heap_worse(const struct sort *s, uint32_t x, uint32_t y)
{
	int r = key_cmp(s, s->all, x, s->all, y);

	return r ? r > 0 : x > y;
}

static void sift_down(struct sort *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;

		if (l < s->nheap && heap_worse(s, s->heap[l], s->heap[w]))
			w = l;
		if (r < s->nheap && heap_worse(s, s->heap[r], s->heap[w]))
			w = r;
		if (w == i)
			return;
		uint32_t tmp = s->heap[i];
		s->heap[i] = s->heap[w];
		s->heap[w] = tmp;
		i = w;
	}
}

static void sift_up(struct sort *s, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!heap_worse(s, s->heap[i], s->heap[p]))
			return;
		uint32_t tmp = s->heap[i];
		s->heap[i] = s->heap[p];
		s->heap[p] = tmp;
		i = p;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Keep only the heap's rows in all[] (in their old order), renumbering the heap. */
static int compact(struct sort *s)
{
	size_t n = s->nheap;
	uint32_t *idx = malloc((n + 1) * sizeof(*idx));
	struct rs_col *cols = xcalloc(s->op.ncols + 1, sizeof(*cols));
	int rc = 0;

	if (!idx)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < n; i++)
		idx[i] = s->heap[i];
	if (!rc)
		qsort(idx, n, sizeof(*idx), cmp_u32);
	for (unsigned c = 0; c < s->op.ncols; c++) {
		rs_col_init(&cols[c], s->op.types[c]);
		if (!rc && rs_col_gather(&cols[c], &s->all[c], idx, n))
			rc = -ENOMEM;
	}
	if (rc) {
		for (unsigned c = 0; c < s->op.ncols; c++)
			rs_col_release(&cols[c]);
		free(cols);
		free(idx);
		return rs_errf(s->op.q->err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {	/* old index -> position in idx */
		uint32_t *p = bsearch(&s->heap[i], idx, n, sizeof(*idx), cmp_u32);
		s->heap[i] = (uint32_t)(p - idx);
	}
	for (unsigned c = 0; c < s->op.ncols; c++) {
		rs_col_release(&s->all[c]);
		s->all[c] = cols[c];
	}
	free(cols);
	free(idx);
	return 0;
}

static int topn_add(struct sort *s, struct rs_chunk *in)
{
	for (size_t i = 0; i < in->n; i++) {
		uint32_t row;

		if (s->nheap == s->limit && key_cmp(s, in->cols, i, s->all, s->heap[0]) >= 0)
			continue;	/* not better than the worst kept row */
		row = (uint32_t)s->all[0].n;
		for (unsigned c = 0; c < s->op.ncols; c++)
			if (rs_col_append(&s->all[c], &in->cols[c], i, 1))
				return rs_errf(s->op.q->err, -ENOMEM, "out of memory");
		if (s->nheap < s->limit) {
			s->heap[s->nheap++] = row;
			sift_up(s, s->nheap - 1);
		} else {
			s->heap[0] = row;
			sift_down(s, 0);
		}
	}
	if (s->all[0].n > 2 * s->limit + RS_CHUNK_MAX)
		return compact(s);
	return 0;
}

static int sort_next(struct rs_op *op, struct rs_chunk **out)
{
	struct sort *s = container_of(op, struct sort, op);
	struct rs_chunk *in;
	int rc;

	if (!s->done && s->heap) {
		while ((rc = rs_op_next(s->child, &in)) > 0) {
			s->seen += in->n;
			if ((rc = topn_add(s, in)) || (rc = rs_qctx_check(op->q)))
				return rc;
		}
		if (rc < 0)
			return rc;
		s->done = 1;
		if (op->ncols && (rc = compact(s)))
			return rc;
		s->limit = 0;
		if ((rc = sort_all(s)))
			return rc;
		/* the LIMIT above counts the rows it sees: make the total the input's */
		op->q->rows_before_limit = (int64_t)(s->seen - s->nheap);
		for (unsigned i = 0; i < op->ncols; i++)
			rs_col_release(&s->all[i]);
	}
	if (!s->done) {
		while ((rc = rs_op_next(s->child, &in)) > 0) {
			int64_t m = 0;

			for (unsigned i = 0; i < op->ncols; i++) {
				if (rs_col_append(&s->all[i], &in->cols[i], 0, in->n))
					return rs_errf(op->q->err, -ENOMEM, "out of memory");
				m += (int64_t)(in->cols[i].nbytes + in->n * (in->cols[i].width + 8));
			}
			s->mem += m;
			if ((rc = rs_qctx_mem(op->q, m)) || (rc = rs_qctx_check(op->q)))
				return rc;
		}
		if (rc < 0)
			return rc;
		s->done = 1;
		if ((rc = sort_all(s)))
			return rc;
		for (unsigned i = 0; i < op->ncols; i++)
			rs_col_release(&s->all[i]);
	}
	return rs_op_next(s->emit, out);
}

static void sort_free(struct rs_op *op)
{
	struct sort *s = container_of(op, struct sort, op);

	rs_op_free(s->child);
	rs_op_free(s->emit);
	for (unsigned i = 0; i < op->ncols; i++)
		rs_col_release(&s->all[i]);
	rs_qctx_mem(op->q, -s->mem);
	free(s->all);
	free(s->heap);
	free(s->kcls);
	free(s->keys);
	free(s->desc);
	free(s->nf);
	free(s);
}

static const struct rs_op_vt sort_vt = { sort_next, sort_free };

struct rs_op *rs_op_sort(struct rs_qctx *q, struct rs_op *child, const unsigned *keys,
			 const int *desc, const int *nulls_first, unsigned nkeys, uint64_t limit)
{
	struct sort *s = xcalloc(1, sizeof(*s));

	s->op.vt = &sort_vt;
	s->op.q = q;
	s->op.ncols = child->ncols;
	s->op.types = child->types;
	s->child = child;
	s->keys = xcalloc(nkeys + 1, sizeof(*keys));
	s->desc = xcalloc(nkeys + 1, sizeof(int));
	s->nf = xcalloc(nkeys + 1, sizeof(int));
	memcpy(s->keys, keys, nkeys * sizeof(*keys));
	memcpy(s->desc, desc, nkeys * sizeof(int));
	memcpy(s->nf, nulls_first, nkeys * sizeof(int));
	s->nkeys = nkeys;
	s->limit = limit;
	s->all = xcalloc(child->ncols + 1, sizeof(*s->all));
	for (unsigned i = 0; i < child->ncols; i++)
		rs_col_init(&s->all[i], child->types[i]);
	if (limit && limit <= RS_TOPN_MAX && child->ncols) {
		s->heap = xmalloc((limit + 1) * sizeof(*s->heap));
		s->kcls = xcalloc(nkeys + 1, sizeof(*s->kcls));
		for (unsigned k = 0; k < nkeys; k++)
			s->kcls[k] = key_class(child->types[keys[k]]);
	}
	return &s->op;
}

/* ---- DISTINCT and LIMIT BY ---- */

struct dedup {
	struct rs_op op;
	struct rs_op *child;
	unsigned *by;
	unsigned nby;
	uint64_t per;		/* rows kept per key (DISTINCT: 1) */
	struct rs_keyset ks;
	uint64_t *h, *count;
	size_t count_cap;
	uint32_t *ids, *sel;
	struct rs_vec *kv;
	struct rs_chunk out;
};

static int dedup_next(struct rs_op *op, struct rs_chunk **out)
{
	struct dedup *d = container_of(op, struct dedup, op);
	struct rs_chunk *in;
	int rc;

	for (;;) {
		size_t k = 0, n;

		if ((rc = rs_op_next(d->child, &in)) <= 0)
			return rc;
		n = in->n;
		free(d->h);
		free(d->ids);
		free(d->sel);
		d->h = malloc((n + 1) * sizeof(*d->h));
		d->ids = malloc((n + 1) * sizeof(*d->ids));
		d->sel = malloc((n + 1) * sizeof(*d->sel));
		if (!d->h || !d->ids || !d->sel)
			return rs_errf(op->q->err, -ENOMEM, "out of memory");
		for (unsigned i = 0; i < d->nby; i++) {
			d->kv[i].c = &in->cols[d->by[i]];
			d->kv[i].is_const = 0;
			rs_hash_vec(&d->kv[i], n, d->h, i == 0);
		}
		if (!d->nby)
			memset(d->h, 0, n * sizeof(*d->h));
		if ((rc = rs_keyset_add(&d->ks, d->kv, n, d->h, d->ids, NULL)))
			return rc;
		if (d->ks.n > d->count_cap) {
			size_t cap = d->ks.n * 2;
			uint64_t *p = realloc(d->count, cap * sizeof(*p));
			if (!p)
				return rs_errf(op->q->err, -ENOMEM, "out of memory");
			memset(p + d->count_cap, 0, (cap - d->count_cap) * sizeof(*p));
			d->count = p;
			d->count_cap = cap;
		}
		for (size_t i = 0; i < n; i++)
			if (d->count[d->ids[i]]++ < d->per)
				d->sel[k++] = (uint32_t)i;
		if (!k)
			continue;
		if (k == n) {
			*out = in;
			return 1;
		}
		rs_chunk_reset(&d->out);
		if (rs_chunk_gather(&d->out, in, d->sel, k))
			return rs_errf(op->q->err, -ENOMEM, "out of memory");
		*out = &d->out;
		return 1;
	}
}

static void dedup_free(struct rs_op *op)
{
	struct dedup *d = container_of(op, struct dedup, op);

	rs_op_free(d->child);
	rs_keyset_release(&d->ks);
	rs_chunk_release(&d->out);
	free(d->h);
	free(d->ids);
	free(d->sel);
	free(d->count);
	free(d->kv);
	free(d->by);
	free(d);
}

static const struct rs_op_vt dedup_vt = { dedup_next, dedup_free };

struct rs_op *rs_op_limit_by(struct rs_qctx *q, struct rs_op *child, const unsigned *by,
			     unsigned nby, uint64_t n)
{
	struct dedup *d = xcalloc(1, sizeof(*d));
	const struct rs_type **kt = xcalloc(nby + 1, sizeof(*kt));

	d->op.vt = &dedup_vt;
	d->op.q = q;
	d->op.ncols = child->ncols;
	d->op.types = child->types;
	d->child = child;
	d->by = xcalloc(nby + 1, sizeof(*by));
	memcpy(d->by, by, nby * sizeof(*by));
	d->nby = nby;
	d->per = n;
	for (unsigned i = 0; i < nby; i++)
		kt[i] = child->types[by[i]];
	rs_keyset_init(&d->ks, q, nby, kt);
	free(kt);
	d->kv = xcalloc(nby + 1, sizeof(*d->kv));
	rs_chunk_init(&d->out, child->ncols, child->types);
	return &d->op;
}

struct rs_op *rs_op_distinct(struct rs_qctx *q, struct rs_op *child, unsigned nkey)
{
	unsigned *by = xcalloc(nkey + 1, sizeof(*by));
	struct rs_op *op;

	for (unsigned i = 0; i < nkey; i++)
		by[i] = i;
	op = rs_op_limit_by(q, child, by, nkey, 1);
	free(by);
	return op;
}
