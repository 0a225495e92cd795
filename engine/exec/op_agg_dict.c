/*
 * op_agg_dict.c - hash aggregation over dictionary codes: group ids from
 * the codes of dictionary key columns (each distinct combination of a
 * chunk looked up once), aggregate arguments evaluated once per dictionary
 * entry, and uniq/uniqExact hashed once per entry and added once per run
 * of a group.
 */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "op_agg_int.h"

/*
 * Group ids from the dictionary codes when every key is a column that has a
 * dictionary view with few combinations: each distinct combination of the
 * chunk is looked up once (in order of first appearance, like the row path).
 * Returns 1 when done, 0 when not applicable, <0 on error.
 */
int rs_agg_dict_keys(struct agg *a, struct rs_chunk *in, size_t n)
{
	const struct rs_dcol *dc[8];
	size_t prod = 1, nl = 0, stride[8];
	int rc;

	if (!in->dcols || !a->nkeys || a->nkeys > 8 || !n)
		return 0;
	for (unsigned k = 0; k < a->nkeys; k++) {
		const struct rs_expr *e = a->keys[k];

		if (e->kind != RS_X_COL || !in->dcols[*e->pos].codes)
			return 0;
		dc[k] = &in->dcols[*e->pos];
		if (!dc[k]->dict->n || (prod *= dc[k]->dict->n) > 65536)
			return 0;
	}
	if (n > a->tmp_cap) {
		size_t cap = n > RS_CHUNK_MAX ? n : RS_CHUNK_MAX;

		free(a->ctmp);
		free(a->dlist);
		free(a->dids);
		a->ctmp = xmalloc(cap * sizeof(*a->ctmp));
		a->dlist = xmalloc(cap * sizeof(*a->dlist));
		a->dids = xmalloc(cap * sizeof(*a->dids));
		a->tmp_cap = cap;
	}
	if (prod > a->cmap_cap) {
		free(a->cmap);
		a->cmap = xmalloc(prod * sizeof(*a->cmap));
		memset(a->cmap, 0xff, prod * sizeof(*a->cmap));
		a->cmap_cap = prod;
	}
	if (!a->dk) {
		a->dk = xcalloc(a->nkeys, sizeof(*a->dk));
		for (unsigned k = 0; k < a->nkeys; k++)
			rs_col_init(&a->dk[k], a->op.types[k]);
	}
	if (a->nkeys == 1 && dc[0]->whole) {
		/* a whole granule's codes: its dictionary is the list of
		 * distinct keys in order of first appearance, as the loop below
		 * would find them (the scan says so, for our encoder's granules) */
		const uint32_t *restrict codes = dc[0]->codes;
		uint32_t *restrict gid = a->gid, *restrict ids = a->dids;
		size_t nd = dc[0]->dict->n;

		if (nd > a->tmp_cap)
			return 0;
		a->kv[0].c = dc[0]->dict;
		a->kv[0].is_const = 0;
		rs_hash_vec(&a->kv[0], nd, a->h, 1);
		if ((rc = rs_keyset_add(&a->ks, a->kv, nd, a->h, a->dids, NULL)))
			return rc;
		for (size_t i = 0; i < n; i++)
			gid[i] = ids[codes[i]];
		a->ngroups = a->ks.n;
		return 1;
	}
	stride[a->nkeys - 1] = 1;
	for (unsigned k = a->nkeys - 1; k > 0; k--)
		stride[k - 1] = stride[k] * dc[k]->dict->n;
	if (a->nkeys == 1) {	/* the codes are the combinations */
		const uint32_t *restrict codes = dc[0]->codes;
		uint32_t *restrict cmap = a->cmap, *restrict dlist = a->dlist;

		for (size_t i = 0; i < n; i++) {
			uint32_t c = codes[i];

			if (cmap[c] == UINT32_MAX) {
				cmap[c] = (uint32_t)nl;
				dlist[nl++] = c;
			}
		}
	} else if (a->nkeys == 2) {
		const uint32_t *restrict c0 = dc[0]->codes, *restrict c1 = dc[1]->codes;
		uint32_t *restrict cmap = a->cmap, *restrict dlist = a->dlist, *restrict ctmp = a->ctmp;
		uint32_t n1 = (uint32_t)dc[1]->dict->n;

		for (size_t i = 0; i < n; i++) {
			uint32_t c = c0[i] * n1 + c1[i];

			ctmp[i] = c;
			if (cmap[c] == UINT32_MAX) {
				cmap[c] = (uint32_t)nl;
				dlist[nl++] = c;
			}
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			uint32_t c = dc[0]->codes[i];

			for (unsigned k = 1; k < a->nkeys; k++)
				c = c * (uint32_t)dc[k]->dict->n + dc[k]->codes[i];
			a->ctmp[i] = c;
			if (a->cmap[c] == UINT32_MAX) {
				a->cmap[c] = (uint32_t)nl;
				a->dlist[nl++] = c;
			}
		}
	}
	int whole = a->nkeys == 1 && nl == dc[0]->dict->n;

	for (size_t j = 0; j < nl && whole; j++)
		whole = a->dlist[j] == j;
	for (unsigned k = 0; k < a->nkeys; k++) {
		if (whole) {
			/* the chunk meets every entry, in dictionary order (as our
			 * encoder numbers them: by first appearance): the
			 * dictionary itself is the list of distinct keys */
			a->kv[0].c = dc[0]->dict;
			a->kv[0].is_const = 0;
			rs_hash_vec(&a->kv[0], nl, a->h, 1);
			break;
		}
		for (size_t j = 0; j < nl; j++)
			a->dids[j] = (uint32_t)(a->dlist[j] / stride[k] % dc[k]->dict->n);
		rs_col_reset(&a->dk[k]);
		if (rs_gather_fast(&a->dk[k], dc[k]->dict, a->dids, nl))
			return rs_errf(a->op.q->err, -ENOMEM, "out of memory");
		a->kv[k].c = &a->dk[k];
		a->kv[k].is_const = 0;
		rs_hash_vec(&a->kv[k], nl, a->h, k == 0);
	}
	if ((rc = rs_keyset_add(&a->ks, a->kv, nl, a->h, a->dids, NULL)))
		return rc;
	if (a->nkeys == 1) {
		const uint32_t *restrict codes = dc[0]->codes;
		uint32_t *restrict cmap = a->cmap, *restrict gid = a->gid;

		for (size_t j = 0; j < nl; j++)	/* code -> group id */
			cmap[a->dlist[j]] = a->dids[j];
		for (size_t i = 0; i < n; i++)
			gid[i] = cmap[codes[i]];
	} else {
		const uint32_t *restrict ctmp = a->ctmp;
		uint32_t *restrict cmap = a->cmap, *restrict gid = a->gid;

		for (size_t j = 0; j < nl; j++)	/* combination -> group id */
			cmap[a->dlist[j]] = a->dids[j];
		for (size_t i = 0; i < n; i++)
			gid[i] = cmap[ctmp[i]];
	}
	for (size_t j = 0; j < nl; j++)
		a->cmap[a->dlist[j]] = UINT32_MAX;
	a->ngroups = a->ks.n;
	return 1;
}

/* Evaluate argument k of aggregate i once per dictionary entry when it
 * reads one column that has a dictionary view. 1 done, 0 not, <0 error. */
int rs_agg_dict_arg(struct agg *a, unsigned i, unsigned k, struct rs_chunk *in, struct rs_vec *out)
{
	struct rs_qctx *q = a->op.q;
	struct rs_expr *e = a->aggs[i].args[k];
	int j = a->acol ? a->acol[i][k] : -1, rc;
	const struct rs_dcol *d;
	struct rs_chunk dc;
	struct rs_col *t;
	struct rs_vec v;

	if (j < 0 || !in->dcols || !in->dcols[j].codes)
		return 0;
	d = &in->dcols[j];
	a->dview[j] = *d->dict;
	dc = (struct rs_chunk){ in->ncols, a->dview, d->dict->n, NULL };
	if ((rc = rs_expr_eval(q, e, &dc, &v)))
		return rc;
	if (v.is_const) {
		*out = v;
		return 1;
	}
	t = &a->atmp[i][k];
	if (t->type != v.c->type) {
		if (t->type)
			rs_col_release(t);
		rs_col_init(t, v.c->type);
	}
	rs_col_reset(t);
	if (rs_gather_fast(t, v.c, d->codes, in->n))
		return rs_errf(q->err, -ENOMEM, "out of memory");
	out->c = t;
	out->is_const = 0;
	return 1;
}

/* uniq/uniqExact (not -State/-Merge) of one argument: its value hashes can
 * be computed once per dictionary entry (uniq_rowh), so even a bare String
 * column is read as codes. */
int rs_agg_uniq_by_dict(const struct rs_agg *g, unsigned k)
{
	return k == 0 && g->nargs == 1 && g->comb == 0 && g->vt->update == rs_agg_upd &&
	       (rs_agg_kind(g) == A_UNIQ || rs_agg_kind(g) == A_USET);
}

/*
 * uniq over a dictionary column: hash the argument once per dictionary
 * entry, then each row takes its entry's hash (a->rowh[r]), so neither
 * the strings nor their hashes are produced per row. 1 done, 0 not, <0.
 */
int rs_agg_uniq_rowh(struct agg *a, unsigned i, struct rs_chunk *in)
{
	struct rs_agg_spec *s = &a->aggs[i];
	int j = a->acol ? a->acol[i][0] : -1, rc;
	const struct rs_dcol *d;
	struct rs_chunk dc;

	if (j < 0 || !rs_agg_uniq_by_dict(&s->agg, 0) || !in->dcols || !in->dcols[j].codes)
		return 0;
	d = &in->dcols[j];
	a->dview[j] = *d->dict;
	dc = (struct rs_chunk){ in->ncols, a->dview, d->dict->n, NULL };
	if ((rc = rs_expr_eval(a->op.q, s->args[0], &dc, &a->av[0])))
		return rc;
	if (a->av[0].c->nulls)
		return 0;
	if (d->dict->n > a->dh_cap) {
		free(a->dh);
		a->dh_cap = d->dict->n > RS_CHUNK_MAX ? d->dict->n : RS_CHUNK_MAX;
		a->dh = xmalloc(a->dh_cap * sizeof(*a->dh));
	}
	if (in->n > a->rowh_cap) {
		free(a->rowh);
		a->rowh_cap = in->n > RS_CHUNK_MAX ? in->n : RS_CHUNK_MAX;
		a->rowh = xmalloc(a->rowh_cap * sizeof(*a->rowh));
	}
	for (size_t e = 0; e < d->dict->n; e++)
		a->dh[e] = rs_agg_row_hash(&s->agg, &a->av[0], e);
	for (size_t r = 0; r < in->n; r++)
		a->rowh[r] = a->dh[d->codes[r]];
	a->ucodes = d->codes;
	a->undict = d->dict->n;
	return 1;
}

/*
 * Rows worth adding to a uniq set after uniq_rowh: the first row of each
 * dictionary entry within each run of rows of one group (adding the same
 * value to the same group twice changes nothing). Fills a->sel; returns
 * how many. Runs are told apart by a stamp per entry, so nothing is cleared.
 */
size_t rs_agg_uniq_dedup(struct agg *a, size_t n)
{
	const uint32_t *codes = a->ucodes;
	size_t m = 0;
	uint32_t g = UINT32_MAX;

	if (a->undict > a->stamp_cap) {
		free(a->stamp);
		a->stamp_cap = a->undict > RS_CHUNK_MAX ? a->undict : RS_CHUNK_MAX;
		a->stamp = xcalloc(a->stamp_cap, sizeof(*a->stamp));
		a->run = 0;
	}
	if (a->run > UINT32_MAX - n - 2) {
		memset(a->stamp, 0, a->stamp_cap * sizeof(*a->stamp));
		a->run = 0;
	}
	a->run++;
	for (size_t r = 0; r < n; r++) {
		uint32_t c = codes[r];

		if (a->gid[r] != g) {
			g = a->gid[r];
			a->run++;
		}
		if (a->stamp[c] != a->run) {
			a->stamp[c] = a->run;
			a->sel[m++] = (uint32_t)r;
		}
	}
	return m;
}
