/*
 * op_join.c - hash join (ALL/ANY; INNER, LEFT, CROSS). The right side is
 * materialized and its keys put in an rs_keyset with row chains; left
 * chunks probe it. Unmatched LEFT rows get the right side's default values
 * (ClickHouse join_use_nulls = 0; NULL for Nullable columns).
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
	struct rs_chunk out;
	int built;
	uint32_t *li, *ri;
	size_t pcap;
	struct rs_vec *kv;
	struct rs_dcol *dc;	/* dictionary views of the output */
	uint32_t *lcodes;	/* left codes gathered, per left column */
	struct rs_col dkey;	/* dictionary probe: key values */
	int *rdict;		/* right column can be a dictionary view */
	int *want;		/* per output column (rs_join_want) */
};

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
		if ((rc = rs_qctx_check(q)))
			return rc;
	}
	if (rc < 0)
		return rc;
	if (j->nk) {	/* link chains from the stored ids, back to front */
		uint32_t *ids = j->next;
		uint32_t *nx = malloc((j->rn + 1) * sizeof(*nx));

		if (!nx)
			return rs_errf(q->err, -ENOMEM, "out of memory");
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

static int emit(struct join *j, struct rs_chunk *in, size_t np)
{
	unsigned nl = j->left->ncols, nr = j->right->ncols;
	int matched = 1;

	rs_chunk_reset(&j->out);
	for (size_t i = 0; i < np && matched; i++)
		matched = j->ri[i] != UINT32_MAX;
	if (np > j->pcap)
		return -ENOMEM;
	j->lcodes = xrealloc(j->lcodes, (nl + 1) * j->pcap * sizeof(*j->lcodes));
	j->out.dcols = j->dc;
	for (unsigned c = 0; c < nl; c++) {
		j->dc[c].codes = NULL;
		if ((in->cols[c].n < in->n && in->dcols && in->dcols[c].codes) || !j->want[c]) {
			/* only present as codes, or not needed: no values */
		} else if (rs_gather_fast(&j->out.cols[c], &in->cols[c], j->li, np)) {
			return -ENOMEM;
		}
		if (in->dcols && in->dcols[c].codes) {
			uint32_t *lc = j->lcodes + (size_t)c * j->pcap;

			for (size_t i = 0; i < np; i++)
				lc[i] = in->dcols[c].codes[j->li[i]];
			j->dc[c].codes = lc;
			j->dc[c].dict = in->dcols[c].dict;
		}
	}
	for (unsigned c = 0; c < nr; c++) {
		struct rs_col *d = &j->out.cols[nl + c];

		j->dc[nl + c].codes = matched && j->rdict[c] ? j->ri : NULL;
		j->dc[nl + c].dict = &j->rcols[c];
		if (!j->want[nl + c] || (j->want[nl + c] == 1 && j->dc[nl + c].codes))
			continue;
		if (matched) {
			if (rs_gather_fast(d, &j->rcols[c], j->ri, np))
				return -ENOMEM;
			continue;
		}
		for (size_t i = 0; i < np; i++) {
			int rc = j->ri[i] == UINT32_MAX ?
				(d->nulls ? rs_col_push_null(d) : rs_col_push_zero(d)) :
				rs_col_append(d, &j->rcols[c], j->ri[i], 1);
			if (rc)
				return -ENOMEM;
		}
	}
	j->out.n = np;
	return 0;
}

static int pairs_room(struct join *j, size_t need)
{
	if (need <= j->pcap)
		return 0;
	size_t cap = j->pcap ? j->pcap : 8192;
	while (cap < need)
		cap *= 2;
	uint32_t *a = realloc(j->li, cap * sizeof(*a));
	if (!a)
		return -ENOMEM;
	j->li = a;
	uint32_t *b = realloc(j->ri, cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	j->ri = b;
	j->pcap = cap;
	return 0;
}

static int join_next(struct rs_op *op, struct rs_chunk **out)
{
	struct join *j = container_of(op, struct join, op);
	struct rs_qctx *q = op->q;
	struct rs_chunk *in;
	int rc;

	if (!j->built && (rc = build(j)))
		return rc;
	for (;;) {
		size_t np = 0, n;

		if ((rc = rs_op_next(j->left, &in)) <= 0)
			return rc;
		n = in->n;
		if (j->kind == RS_J_CROSS || !j->nk) {
			if (pairs_room(j, n * (j->rn ? j->rn : 1)))
				return rs_errf(q->err, -ENOMEM, "out of memory");
			for (size_t i = 0; i < n; i++)
				for (size_t r = 0; r < j->rn; r++) {
					j->li[np] = (uint32_t)i;
					j->ri[np++] = (uint32_t)r;
				}
		} else {
			size_t hn = n;
			uint64_t *h;
			uint32_t *ids = malloc((n + 1) * sizeof(*ids));

			if (j->nk == 1 && j->lk[0]->kind == RS_X_COL && in->dcols &&
			    in->dcols[*j->lk[0]->pos].codes)
				hn = RS_MAX(n, in->dcols[*j->lk[0]->pos].dict->n);
			h = malloc((hn + 1) * sizeof(*h));

			if (!h || !ids) {
				free(h);
				free(ids);
				return rs_errf(q->err, -ENOMEM, "out of memory");
			}
			if (j->nk == 1 && j->lk[0]->kind == RS_X_COL && in->dcols &&
			    in->dcols[*j->lk[0]->pos].codes &&
			    rs_type_equal(in->dcols[*j->lk[0]->pos].dict->type, j->ks.keys[0].type)) {
				/* once per dictionary entry */
				const struct rs_dcol *d = &in->dcols[*j->lk[0]->pos];
				uint32_t *dids = malloc((d->dict->n + 1) * sizeof(*dids));

				if (!dids) {
					free(h);
					free(ids);
					return rs_errf(q->err, -ENOMEM, "out of memory");
				}
				j->kv[0].c = d->dict;
				j->kv[0].is_const = 0;
				rs_hash_vec(&j->kv[0], d->dict->n, h, 1);
				rs_keyset_find(&j->ks, j->kv, d->dict->n, h, dids);
				for (size_t i = 0; i < n; i++)
					ids[i] = dids[d->codes[i]];
				free(dids);
			} else {
				for (unsigned k = 0; k < j->nk; k++) {
					if ((rc = rs_expr_eval(q, j->lk[k], in, &j->kv[k]))) {
						free(h);
						free(ids);
						return rc;
					}
					rs_hash_vec(&j->kv[k], n, h, k == 0);
				}
				rs_keyset_find(&j->ks, j->kv, n, h, ids);
			}
			free(h);
			for (size_t i = 0; i < n && !rc; i++) {
				uint32_t r = ids[i] == UINT32_MAX ? 0 : j->first[ids[i]];

				if (!r) {
					if (j->kind == RS_J_LEFT) {
						if (pairs_room(j, np + 1))
							rc = -ENOMEM;
						else {
							j->li[np] = (uint32_t)i;
							j->ri[np++] = UINT32_MAX;
						}
					}
					continue;
				}
				for (; r; r = j->next[r - 1]) {
					if (pairs_room(j, np + 1)) {
						rc = -ENOMEM;
						break;
					}
					j->li[np] = (uint32_t)i;
					j->ri[np++] = r - 1;
					if (j->any)
						break;
				}
			}
			free(ids);
			if (rc)
				return rs_errf(q->err, -ENOMEM, "out of memory");
		}
		if (!np)
			continue;
		if (emit(j, in, np))
			return rs_errf(q->err, -ENOMEM, "out of memory");
		*out = &j->out;
		return 1;
	}
}

static void join_free(struct rs_op *op)
{
	struct join *j = container_of(op, struct join, op);

	rs_op_free(j->left);
	for (unsigned k = 0; k < j->nk; k++) {
		rs_expr_free(j->lk[k]);
		rs_expr_free(j->rk[k]);
	}
	if (j->rcols)
		for (unsigned c = 0; c < j->right->ncols; c++)
			rs_col_release(&j->rcols[c]);
	rs_op_free(j->right);
	free(j->rcols);
	rs_keyset_release(&j->ks);
	free(j->first);
	free(j->next);
	free(j->li);
	free(j->ri);
	free(j->kv);
	free(j->dc);
	free(j->lcodes);
	free(j->rdict);
	free(j->want);
	rs_chunk_release(&j->out);
	free(op->types);
	free(j);
}

static const struct rs_op_vt join_vt = { join_next, join_free };

struct rs_op *rs_op_join(struct rs_qctx *q, struct rs_op *left, struct rs_op *right, int kind,
			 int any, struct rs_expr **lkeys, struct rs_expr **rkeys, unsigned nkeys)
{
	struct join *j = xcalloc(1, sizeof(*j));
	unsigned nc = left->ncols + right->ncols;
	const struct rs_type **types = xcalloc(nc + 1, sizeof(*types));
	const struct rs_type **kt = xcalloc(nkeys + 1, sizeof(*kt));

	memcpy(types, left->types, left->ncols * sizeof(*types));
	memcpy(types + left->ncols, right->types, right->ncols * sizeof(*types));
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
	j->dc = xcalloc(nc + 1, sizeof(*j->dc));
	j->rdict = xcalloc(right->ncols + 1, sizeof(*j->rdict));
	for (unsigned c = 0; c < right->ncols; c++)
		j->rdict[c] = rs_type_phys(right->types[c]) == RS_PHYS_STRING &&
			!rs_type_is_nullable(right->types[c]);
	j->want = xcalloc(nc + 1, sizeof(*j->want));
	for (unsigned c = 0; c < nc; c++)
		j->want[c] = 2;
	rs_chunk_init(&j->out, nc, types);
	return &j->op;
}

int rs_op_is_join(const struct rs_op *op)
{
	return op && op->vt == &join_vt;
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
	for (unsigned k = 0; k < j->nk; k++) {
		struct rs_expr *e = j->lk[k];

		if (j->nk == 1 && e->kind == RS_X_COL && *e->pos < nl &&
		    rs_type_equal(j->left->types[*e->pos], j->ks.keys[0].type)) {
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
