/*
 * op_join.c - hash join (ALL/ANY; INNER, LEFT, RIGHT, FULL, CROSS). The
 * right side is materialized and its keys put in an rs_keyset with row
 * chains; left chunks probe it. Unmatched LEFT/FULL left rows get the right
 * side's default values, and RIGHT/FULL right rows that no left row matched
 * come after the left side with the left side's defaults (ClickHouse
 * join_use_nulls = 0; NULL for Nullable columns). The merged keys of a
 * RIGHT/FULL USING join follow the right side's columns: the left row's key,
 * or the right row's for a right row without a left row. ANY RIGHT: the
 * first left row of a key takes all the key's right rows, later ones none
 * (ClickHouse's RIGHT ANY).
 *
 * Output is produced incrementally: each call emits at most RS_CHUNK_MAX
 * (left row, right row) pairs and keeps its place (left row, and the next
 * right row of a CROSS join or of the key's chain), so a join with a large
 * fan-out runs in bounded memory, stops early under LIMIT and sees a cancel
 * between output chunks. The materialized right side (columns, key values,
 * chains) is counted against query_memory; the key set's slots count
 * themselves (hash.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../sql/ast.h"
#include "par_int.h"

struct join {
	struct rs_op op;
	struct rs_op *left, *right;
	int kind, any;
	struct rs_expr **lk, **rk;
	unsigned nk;
	struct rs_col *rcols;	/* materialized right side */
	size_t rn;
	struct rs_keyset ks;
	uint32_t *first, *next;	/* chains: first[id], next[row] (row + 1; 0 = end) */
	int64_t mem;		/* bytes of rcols/first/next counted in query_memory */
	struct rs_chunk out;
	struct rs_chunk view;	/* emit()'s output when the left rows pass as they
				 * are: shallow copies of their columns and of
				 * out's right columns (owns only the array) */
	int built;
	int shared;		/* a clone: rcols, ks, first, next belong to the original */
	int f_ident;		/* of the pairs fill_keys made: pair k is left
				 * row k (-1: not known) */
	uint32_t *li, *ri;	/* pairs of one output chunk: RS_CHUNK_MAX each */
	/* place in the current left chunk (NULL: pull the next one) */
	struct rs_chunk *in;
	size_t lpos;		/* next left row */
	size_t rpos;		/* CROSS: next right row; keys: next chain entry
				 * (row + 1) of row lpos, 0 = from its start */
	int unmatched;		/* the pairs include LEFT rows without a match */
	uint8_t *rhit;		/* RIGHT/FULL: right rows that found a left row */
	int tail;		/* RIGHT/FULL: left side done, emitting the rest */
	size_t rtail;		/* next right row to look at in the tail */
	uint32_t *ids;		/* key ids of the left chunk's rows */
	size_t ids_cap;
	struct rs_vec *kv;
	struct rs_dcol *dc;	/* dictionary views of the output */
	uint32_t *lcodes;	/* left codes gathered, per left column */
	struct rs_col dkey;	/* dictionary probe: key values */
	int *rdict;		/* right column can be a dictionary view */
	int *want;		/* per output column (rs_join_want) */
	struct rs_join_merge *merge;	/* merged USING keys, after the right columns */
	unsigned nmerge;
	uint32_t *midx;		/* merge_col: dictionary rows, RS_CHUNK_MAX */
};

/* A left key column of type a probes keys of type b by its dictionary:
 * the same type, or both plain strings (LowCardinality(String) against
 * String hash and compare alike). */
static int same_key_values(const struct rs_type *a, const struct rs_type *b)
{
	return rs_type_equal(a, b) ||
	       (rs_type_phys(a) == RS_PHYS_STRING && rs_type_phys(b) == RS_PHYS_STRING &&
		!rs_type_is_nullable(a) && !rs_type_is_nullable(b) &&
		rs_type_base(a)->id != RS_T_ARRAY && rs_type_base(b)->id != RS_T_ARRAY);
}

static size_t col_mem(const struct rs_col *c)
{
	size_t m = c->cap * c->width + c->bytes_cap;

	if (c->nulls)
		m += c->cap;
	if (c->offs)
		m += (c->cap + 1) * sizeof(*c->offs);
	if (c->child)
		m += col_mem(c->child);
	return m;
}

/* Count the right side's columns, key values and chains in query_memory. */
static int account(struct join *j)
{
	int64_t m = (int64_t)((j->rn + 1) * sizeof(*j->next)), d;

	if (j->nk)
		m += (int64_t)((j->ks.n + 1) * sizeof(*j->first));
	for (unsigned c = 0; c < j->right->ncols; c++)
		m += (int64_t)col_mem(&j->rcols[c]);
	for (unsigned k = 0; k < j->nk; k++)	/* the key set counts its slots itself */
		m += (int64_t)col_mem(&j->ks.keys[k]);
	d = m - j->mem;
	j->mem = m;
	return d ? rs_qctx_mem(j->op.q, d) : 0;
}

static int build(struct join *j)
{
	struct rs_qctx *q = j->op.q;
	struct rs_chunk *in;
	unsigned rc_n = j->right->ncols;
	int rc;

	while ((rc = rs_op_next(j->right, &in)) > 0) {
		uint64_t *h = malloc((in->n + 1) * sizeof(*h));
		uint32_t *ids = malloc((in->n + 1) * sizeof(*ids));
		uint32_t *nx;

		rc = 0;
		if (!h || !ids) {
			free(h);
			free(ids);
			return rs_errf(q->err, -ENOMEM, "out of memory");
		}
		for (unsigned k = 0; k < j->nk; k++) {
			if ((rc = rs_expr_eval(q, j->rk[k], in, &j->kv[k])))
				break;
			rs_hash_vec(&j->kv[k], in->n, h, k == 0);
		}
		if (!rc && j->nk)
			rc = rs_keyset_add(&j->ks, j->kv, in->n, h, ids, NULL);
		if (rc) {
			free(h);
			free(ids);
			return rc;
		}
		nx = realloc(j->next, (j->rn + in->n + 1) * sizeof(*nx));
		if (!nx) {
			free(h);
			free(ids);
			return rs_errf(q->err, -ENOMEM, "out of memory");
		}
		j->next = nx;
		if (j->nk) {
			uint32_t *f = realloc(j->first, (j->ks.n + 1) * sizeof(*f));
			if (!f) {
				free(h);
				free(ids);
				return rs_errf(q->err, -ENOMEM, "out of memory");
			}
			j->first = f;
		}
		free(h);
		for (unsigned c = 0; c < rc_n; c++)
			if (rs_col_append(&j->rcols[c], &in->cols[c], 0, in->n)) {
				free(ids);
				return rs_errf(q->err, -ENOMEM, "out of memory");
			}
		/* keep each row's key id in next[] until the chains are linked */
		for (size_t i = 0; i < in->n && j->nk; i++)
			j->next[j->rn + i] = ids[i];
		free(ids);
		j->rn += in->n;
		if ((rc = account(j)) || (rc = rs_qctx_check(q)))
			return rc;
	}
	if (rc < 0)
		return rc;
	if (j->nk) {	/* link chains from the stored ids, back to front */
		uint32_t *ids = j->next;
		uint32_t *nx = malloc((j->rn + 1) * sizeof(*nx));

		if (!j->first)	/* no right rows came */
			j->first = calloc(1, sizeof(*j->first));
		if (!nx || !j->first) {
			free(nx);
			return rs_errf(q->err, -ENOMEM, "out of memory");
		}
		memset(j->first, 0, (j->ks.n + 1) * sizeof(*j->first));
		for (size_t r = j->rn; r-- > 0;) {
			nx[r] = j->first[ids[r]];
			j->first[ids[r]] = (uint32_t)r + 1;
		}
		free(ids);
		j->next = nx;
	}
	j->built = 1;
	return 0;
}

/* Right column of a CROSS chunk: runs of consecutive right rows, copied as ranges. */
static int cross_runs(struct join *j, struct rs_col *d, const struct rs_col *src, size_t np)
{
	for (size_t i = 0; i < np;) {
		size_t len = RS_MIN(np - i, j->rn - j->ri[i]);

		if (rs_col_append(d, src, j->ri[i], len))
			return -ENOMEM;
		i += len;
	}
	return 0;
}

/* The default value of a row without a match (join_use_nulls = 0): NULL
 * for a Nullable column, else the type's zero. Asked of the type: a column
 * has no null bitmap until its first row. */
static int push_default(struct rs_col *d)
{
	return rs_type_is_nullable(d->type) ? rs_col_push_null(d) : rs_col_push_zero(d);
}

/* Merged USING key m of np pairs into d: the left row's key, or the right
 * row's for right rows without a left row (in NULL), cast to d's type. */
static int merge_col(struct join *j, struct rs_chunk *in, size_t np, unsigned m,
		     struct rs_col *d)
{
	const struct rs_join_merge *k = &j->merge[m];
	const struct rs_col *src = in ? &in->cols[k->lcol] : &j->rcols[k->rcol];
	const uint32_t *idx = in ? j->li : j->ri;
	struct rs_col tmp;
	int rc;

	if (in && src->n < in->n && in->dcols && in->dcols[k->lcol].codes) {
		const uint32_t *codes = in->dcols[k->lcol].codes;

		for (size_t i = 0; i < np; i++)	/* only codes came: read the dictionary */
			j->midx[i] = codes[j->li[i]];
		src = in->dcols[k->lcol].dict;
		idx = j->midx;
	}
	if (rs_type_equal(src->type, d->type))
		return rs_gather_fast(d, src, idx, np) ? -ENOMEM : 0;
	rs_col_init(&tmp, src->type);
	rc = rs_gather_fast(&tmp, src, idx, np) ? -ENOMEM :
		rs_cast(j->op.q, &(struct rs_vec){ &tmp, 0 }, np, d->type, 0, d);
	rs_col_release(&tmp);
	return rc;
}

/* The output chunk of np pairs (in NULL: right rows without a left row);
 * *res is j->out, or j->view when the left rows pass as they are. Returns 0,
 * -ENOMEM, or a merged key's cast error (in the query's error). */
static int emit(struct join *j, struct rs_chunk *in, size_t np, struct rs_chunk **res)
{
	unsigned nl = j->left->ncols, nr = j->right->ncols;
	int matched = !j->unmatched, ident = in ? j->f_ident : 0;

	rs_chunk_reset(&j->out);
	if (ident < 0) {	/* fill_cross: find out */
		ident = 1;
		for (size_t i = 0; i < np && ident; i++)
			ident = j->li[i] == i;
	}
	ident = ident && np == in->n;
	j->out.dcols = j->dc;
	*res = &j->out;
	if (ident) {
		/* each left row once, in order (a lookup join): the left columns
		 * and codes go out as they came, in a view beside the right ones */
		*res = &j->view;
		j->view.ncols = nl + nr;
		j->view.n = np;
		j->view.dcols = j->dc;
		for (unsigned c = 0; c < nl; c++) {
			j->view.cols[c] = in->cols[c];
			j->dc[c].codes = in->dcols ? in->dcols[c].codes : NULL;
			j->dc[c].dict = in->dcols ? in->dcols[c].dict : NULL;
			j->dc[c].whole = in->dcols ? in->dcols[c].whole : 0;
		}
		nl = 0;		/* the loop below has no left column to do */
	}
	for (unsigned c = 0; c < nl; c++) {
		j->dc[c].codes = NULL;
		j->dc[c].whole = 0;
		if (!in) {	/* right rows without a left row: default values */
			struct rs_col *d = &j->out.cols[c];

			for (size_t i = 0; i < np && j->want[c]; i++)
				if (push_default(d))
					return -ENOMEM;
			continue;
		}
		if ((in->cols[c].n < in->n && in->dcols && in->dcols[c].codes) || !j->want[c]) {
			/* only present as codes, or not needed: no values */
		} else if (rs_gather_fast(&j->out.cols[c], &in->cols[c], j->li, np)) {
			return -ENOMEM;
		}
		if (in->dcols && in->dcols[c].codes) {
			uint32_t *lc = j->lcodes + (size_t)c * RS_CHUNK_MAX;

			for (size_t i = 0; i < np; i++)
				lc[i] = in->dcols[c].codes[j->li[i]];
			j->dc[c].codes = lc;
			j->dc[c].dict = in->dcols[c].dict;
		}
	}
	nl = j->left->ncols;
	for (unsigned c = 0; c < nr; c++) {
		struct rs_col *d = &j->out.cols[nl + c];

		j->dc[nl + c].codes = matched && j->rdict[c] ? j->ri : NULL;
		j->dc[nl + c].whole = 0;
		j->dc[nl + c].dict = &j->rcols[c];
		if (!j->want[nl + c] || (j->want[nl + c] == 1 && j->dc[nl + c].codes))
			goto next;
		if (matched && (j->kind == RS_J_CROSS || !j->nk) && j->rn >= 64) {
			if (cross_runs(j, d, &j->rcols[c], np))
				return -ENOMEM;
			goto next;
		}
		if (matched) {
			if (rs_gather_fast(d, &j->rcols[c], j->ri, np))
				return -ENOMEM;
			goto next;
		}
		for (size_t i = 0; i < np; i++) {
			int rc = j->ri[i] == UINT32_MAX ?
				push_default(d) :
				rs_col_append(d, &j->rcols[c], j->ri[i], 1);
			if (rc)
				return -ENOMEM;
		}
next:
		j->view.cols[nl + c] = *d;	/* shallow: j->out owns it */
	}
	for (unsigned m = 0, c = nl + nr; m < j->nmerge; m++, c++) {
		struct rs_col *d = &j->out.cols[c];
		int rc;

		j->dc[c].codes = NULL;
		j->dc[c].dict = NULL;
		if (j->want[c] && (rc = merge_col(j, in, np, m, d)))
			return rc;
		j->view.cols[c] = *d;
	}
	j->out.n = np;
	return 0;
}

/* Key ids of every row of the left chunk in j->ids (UINT32_MAX: no match). */
static int probe(struct join *j, struct rs_chunk *in)
{
	struct rs_qctx *q = j->op.q;
	size_t n = in->n, hn = n;
	const struct rs_dcol *d = NULL;
	uint64_t *h;
	int rc = 0;

	if (n > j->ids_cap) {
		uint32_t *ids = realloc(j->ids, n * sizeof(*ids));

		if (!ids)
			return rs_errf(q->err, -ENOMEM, "out of memory");
		j->ids = ids;
		j->ids_cap = n;
	}
	if (j->nk == 1 && j->lk[0]->kind == RS_X_COL && in->dcols &&
	    in->dcols[*j->lk[0]->pos].codes) {
		hn = RS_MAX(n, in->dcols[*j->lk[0]->pos].dict->n);
		if (same_key_values(in->dcols[*j->lk[0]->pos].dict->type, j->ks.keys[0].type))
			d = &in->dcols[*j->lk[0]->pos];
	}
	if (!(h = malloc((hn + 1) * sizeof(*h))))
		return rs_errf(q->err, -ENOMEM, "out of memory");
	if (d) {	/* once per dictionary entry */
		uint32_t *dids = malloc((d->dict->n + 1) * sizeof(*dids));

		if (!dids) {
			free(h);
			return rs_errf(q->err, -ENOMEM, "out of memory");
		}
		j->kv[0].c = d->dict;
		j->kv[0].is_const = 0;
		rs_hash_vec(&j->kv[0], d->dict->n, h, 1);
		rs_keyset_find(&j->ks, j->kv, d->dict->n, h, dids);
		for (size_t i = 0; i < n; i++)
			j->ids[i] = dids[d->codes[i]];
		free(dids);
	} else {
		for (unsigned k = 0; k < j->nk && !rc; k++)
			if (!(rc = rs_expr_eval(q, j->lk[k], in, &j->kv[k])))
				rs_hash_vec(&j->kv[k], n, h, k == 0);
		if (!rc)
			rs_keyset_find(&j->ks, j->kv, n, h, j->ids);
	}
	free(h);
	return rc;
}

/* CROSS (or no keys): the next pairs of left rows x all right rows. */
static size_t fill_cross(struct join *j, size_t n)
{
	uint32_t *restrict li = j->li, *restrict ri = j->ri;
	size_t np = 0;

	if (!j->rn)
		j->lpos = n;
	while (np < RS_CHUNK_MAX && j->lpos < n) {
		size_t take = RS_MIN(j->rn - j->rpos, RS_CHUNK_MAX - np);
		uint32_t l = (uint32_t)j->lpos, r = (uint32_t)j->rpos;

		for (size_t k = 0; k < take; k++) {
			li[np + k] = l;
			ri[np + k] = r + (uint32_t)k;
		}
		np += take;
		j->rpos += take;
		if (j->rpos == j->rn) {
			j->rpos = 0;
			j->lpos++;
		}
	}
	j->f_ident = -1;
	return np;
}

/* Keys: the next pairs along each left row's chain of matching right rows. */
static size_t fill_keys(struct join *j, size_t n)
{
	const uint32_t *ids = j->ids, *first = j->first, *next = j->next;
	uint32_t *li = j->li, *ri = j->ri;
	size_t np = 0, i = j->lpos;
	uint32_t r = (uint32_t)j->rpos;
	int left = j->kind == RS_J_LEFT || j->kind == RS_J_FULL, ident = 1;
	int rany = j->any && j->kind == RS_J_RIGHT;	/* all the key's rows, once */
	int any = j->any && !rany;			/* one row of the key */

	for (; i < n; i++, r = 0) {
		if (!r) {
			r = ids[i] == UINT32_MAX ? 0 : first[ids[i]];
			if (r && rany && j->rhit[r - 1])
				r = 0;	/* an earlier left row took the key's right rows */
			if (!r) {
				if (left) {
					if (np == RS_CHUNK_MAX)
						break;
					ident &= i == np;
					li[np] = (uint32_t)i;
					ri[np++] = UINT32_MAX;
					j->unmatched = 1;
				}
				continue;
			}
		}
		for (; r; r = any ? 0 : next[r - 1]) {
			if (np == RS_CHUNK_MAX)
				goto full;
			ident &= i == np;	/* row i is pair i: so far one pair a row */
			li[np] = (uint32_t)i;
			ri[np++] = r - 1;
			if (rany)
				j->rhit[r - 1] = 1;	/* seen by the next left rows */
		}
	}
full:
	j->lpos = i;
	j->rpos = r;
	j->f_ident = ident;
	return np;
}

/* RIGHT/FULL after the left side: the right rows no left row matched. */
static size_t fill_tail(struct join *j)
{
	size_t np = 0;

	for (; j->rtail < j->rn && np < RS_CHUNK_MAX; j->rtail++)
		if (!j->rhit[j->rtail]) {
			j->li[np] = UINT32_MAX;
			j->ri[np++] = (uint32_t)j->rtail;
		}
	return np;
}

static int join_next(struct rs_op *op, struct rs_chunk **out)
{
	struct join *j = container_of(op, struct join, op);
	struct rs_qctx *q = op->q;
	int rc;

	if (!j->built && (rc = build(j)))
		return rc;
	if (!j->rn && j->kind != RS_J_LEFT && j->kind != RS_J_FULL)
		return 0;	/* no right rows: no pairs, the left side is not read */
	if ((j->kind == RS_J_RIGHT || j->kind == RS_J_FULL) && !j->rhit)
		j->rhit = xcalloc(j->rn + 1, 1);
	for (;;) {
		struct rs_chunk *in = j->in;
		size_t np;

		if (j->tail) {
			j->unmatched = 0;
			if (!(np = fill_tail(j)))
				return 0;
			if ((rc = emit(j, NULL, np, out)))
				return rs_errf(q->err, rc, "out of memory");
			if ((rc = rs_qctx_check(q)))
				return rc;
			return 1;
		}
		if (!in) {
			if ((rc = rs_op_next(j->left, &in)) < 0)
				return rc;
			if (!rc) {
				if (!j->rhit)
					return 0;
				j->tail = 1;
				continue;
			}
			if (!in->n)
				continue;
			j->lpos = j->rpos = 0;
			if (j->kind != RS_J_CROSS && j->nk && (rc = probe(j, in)))
				return rc;
			j->in = in;
		}
		j->unmatched = 0;
		np = j->kind == RS_J_CROSS || !j->nk ? fill_cross(j, in->n) : fill_keys(j, in->n);
		if (j->lpos >= in->n)
			j->in = NULL;	/* the next call pulls the next left chunk */
		if (j->rhit)
			for (size_t k = 0; k < np; k++)
				if (j->ri[k] != UINT32_MAX)
					j->rhit[j->ri[k]] = 1;
		if (!np)
			continue;
		if ((rc = emit(j, in, np, out)))
			return rs_errf(q->err, rc, "out of memory");
		if ((rc = rs_qctx_check(q)))
			return rc;
		return 1;
	}
}

static void join_free(struct rs_op *op)
{
	struct join *j = container_of(op, struct join, op);

	rs_op_free(j->left);
	for (unsigned k = 0; k < j->nk; k++) {
		rs_expr_free(j->lk[k]);
		if (!j->shared)
			rs_expr_free(j->rk[k]);
	}
	if (!j->shared) {
		if (j->rcols)
			for (unsigned c = 0; c < j->right->ncols; c++)
				rs_col_release(&j->rcols[c]);
		rs_op_free(j->right);
		free(j->rcols);
		rs_keyset_release(&j->ks);
		free(j->first);
		free(j->next);
	}
	free(j->li);
	free(j->ri);
	free(j->ids);
	free(j->rhit);
	rs_qctx_mem(op->q, -j->mem);
	free(j->kv);
	free(j->dc);
	free(j->lcodes);
	free(j->rdict);
	free(j->want);
	free(j->merge);
	free(j->midx);
	rs_chunk_release(&j->out);
	free(j->view.cols);
	free(op->types);
	free(j);
}

static const struct rs_op_vt join_vt = { join_next, join_free };

struct rs_op *rs_op_join(struct rs_qctx *q, struct rs_op *left, struct rs_op *right, int kind,
			 int any, struct rs_expr **lkeys, struct rs_expr **rkeys, unsigned nkeys,
			 const struct rs_join_merge *merge, unsigned nmerge)
{
	struct join *j = xcalloc(1, sizeof(*j));
	unsigned nc = left->ncols + right->ncols + nmerge;
	const struct rs_type **types = xcalloc(nc + 1, sizeof(*types));
	const struct rs_type **kt = xcalloc(nkeys + 1, sizeof(*kt));

	memcpy(types, left->types, left->ncols * sizeof(*types));
	memcpy(types + left->ncols, right->types, right->ncols * sizeof(*types));
	j->merge = xcalloc(nmerge + 1, sizeof(*j->merge));
	for (unsigned m = 0; m < nmerge; m++) {
		j->merge[m] = merge[m];
		types[left->ncols + right->ncols + m] = merge[m].type;
	}
	j->nmerge = nmerge;
	j->midx = xcalloc(nmerge ? RS_CHUNK_MAX : 1, sizeof(*j->midx));
	j->op.vt = &join_vt;
	j->op.q = q;
	j->op.ncols = nc;
	j->op.types = types;
	j->left = left;
	j->right = right;
	j->kind = kind;
	j->any = any;
	j->lk = lkeys;
	j->rk = rkeys;
	j->nk = nkeys;
	for (unsigned k = 0; k < nkeys; k++)
		kt[k] = rkeys[k]->type;
	rs_keyset_init(&j->ks, q, nkeys, kt);
	free(kt);
	j->rcols = xcalloc(right->ncols + 1, sizeof(*j->rcols));
	for (unsigned c = 0; c < right->ncols; c++)
		rs_col_init(&j->rcols[c], right->types[c]);
	j->kv = xcalloc(nkeys + 1, sizeof(*j->kv));
	j->li = xcalloc(RS_CHUNK_MAX, sizeof(*j->li));
	j->ri = xcalloc(RS_CHUNK_MAX, sizeof(*j->ri));
	j->lcodes = xcalloc((size_t)(left->ncols + 1) * RS_CHUNK_MAX, sizeof(*j->lcodes));
	j->dc = xcalloc(nc + 1, sizeof(*j->dc));
	j->rdict = xcalloc(right->ncols + 1, sizeof(*j->rdict));
	for (unsigned c = 0; c < right->ncols; c++)
		j->rdict[c] = rs_type_phys(right->types[c]) == RS_PHYS_STRING &&
			!rs_type_is_nullable(right->types[c]);
	j->want = xcalloc(nc + 1, sizeof(*j->want));
	for (unsigned c = 0; c < nc; c++)
		j->want[c] = 2;
	rs_chunk_init(&j->out, nc, types);
	j->view.cols = xcalloc(nc + 1, sizeof(*j->view.cols));
	return &j->op;
}

int rs_op_is_join(const struct rs_op *op)
{
	return op && op->vt == &join_vt;
}

struct rs_op *rs_join_left(struct rs_op *op)
{
	return rs_op_is_join(op) ? container_of(op, struct join, op)->left : NULL;
}

int rs_join_prepare(struct rs_op *op)
{
	struct join *j = container_of(op, struct join, op);

	return j->built ? 0 : build(j);
}

struct rs_op *rs_join_clone(struct rs_op *op, struct rs_qctx *q, struct rs_arena *a)
{
	struct join *o = container_of(op, struct join, op), *j;
	struct rs_expr **lk;
	struct rs_op *left;
	unsigned nc = op->ncols;

	/* RIGHT/FULL remember which right rows any left row met: one
	 * left side only */
	if (!o->built || !rs_op_is_scan(o->left) || o->kind == RS_J_RIGHT || o->kind == RS_J_FULL ||
	    o->nmerge)
		return NULL;
	lk = rs_arena_alloc(a, (o->nk + 1) * sizeof(*lk));
	for (unsigned k = 0; k < o->nk; k++)
		if (!(lk[k] = rs_expr_clone(a, o->lk[k])))
			return NULL;
	if (!(left = rs_scan_clone(o->left, q, a)))
		return NULL;
	j = xcalloc(1, sizeof(*j));
	j->op = o->op;
	j->op.q = q;
	j->op.types = xcalloc(nc + 1, sizeof(*j->op.types));
	memcpy(j->op.types, op->types, nc * sizeof(*j->op.types));
	j->left = left;
	j->right = o->right;
	j->kind = o->kind;
	j->any = o->any;
	j->lk = lk;
	j->rk = o->rk;
	j->nk = o->nk;
	j->rcols = o->rcols;
	j->rn = o->rn;
	j->ks = o->ks;		/* read-only from here on (rs_keyset_find) */
	j->first = o->first;
	j->next = o->next;
	j->built = j->shared = 1;
	j->kv = xcalloc(o->nk + 1, sizeof(*j->kv));
	j->li = xcalloc(RS_CHUNK_MAX, sizeof(*j->li));
	j->ri = xcalloc(RS_CHUNK_MAX, sizeof(*j->ri));
	j->lcodes = xcalloc((size_t)(left->ncols + 1) * RS_CHUNK_MAX, sizeof(*j->lcodes));
	j->dc = xcalloc(nc + 1, sizeof(*j->dc));
	j->rdict = xcalloc(o->right->ncols + 1, sizeof(*j->rdict));
	memcpy(j->rdict, o->rdict, o->right->ncols * sizeof(*j->rdict));
	j->want = xcalloc(nc + 1, sizeof(*j->want));
	memcpy(j->want, o->want, nc * sizeof(*j->want));
	rs_chunk_init(&j->out, nc, j->op.types);
	j->view.cols = xcalloc(nc + 1, sizeof(*j->view.cols));
	return &j->op;
}

struct lwant { int *w; };

static void lmark(unsigned pos, void *ctx)
{
	((struct lwant *)ctx)->w[pos] = 2;
}

void rs_join_want(struct rs_op *op, const int *want)
{
	struct join *j = container_of(op, struct join, op);
	unsigned nl = j->left->ncols;
	int *lw;

	for (unsigned c = 0; c < op->ncols; c++)
		j->want[c] = want[c];
	if (!rs_op_is_scan(j->left))
		return;
	lw = xcalloc(nl + 1, sizeof(*lw));
	memcpy(lw, want, nl * sizeof(*lw));
	for (unsigned m = 0; m < j->nmerge; m++)
		if (want[nl + j->right->ncols + m])
			lw[j->merge[m].lcol] = 2;	/* merge_col reads its values */
	for (unsigned k = 0; k < j->nk; k++) {
		struct rs_expr *e = j->lk[k];

		if (j->nk == 1 && e->kind == RS_X_COL && *e->pos < nl &&
		    same_key_values(j->left->types[*e->pos], j->ks.keys[0].type)) {
			if (lw[*e->pos] < 1)
				lw[*e->pos] = 1;	/* the dictionary probe reads codes */
		} else if (rs_expr_cols(e, lmark, &(struct lwant){ lw })) {
			for (unsigned c = 0; c < nl; c++)
				lw[c] = 2;
		}
	}
	for (unsigned c = 0; c < nl; c++)
		rs_scan_want(j->left, c, lw[c]);
	free(lw);
}
