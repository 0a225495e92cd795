/*
 * op_agg.c - hash aggregation. Group keys are mapped to dense group ids by
 * an rs_keyset (no keys: one group); every aggregate keeps a state array
 * indexed by group id and is updated a chunk at a time. The result (keys,
 * then aggregates) is emitted in chunks once the input is exhausted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "exec.h"

struct agg {
	struct rs_op op;
	struct rs_op *child;
	struct rs_expr **keys;
	unsigned nkeys;
	struct rs_agg_spec *aggs;
	unsigned naggs;
	struct rs_keyset ks;
	uint8_t **states;	/* per aggregate */
	uint8_t **seen;		/* per Nullable aggregate: group saw a non-NULL value */
	size_t cap, ngroups;
	uint64_t *h;
	uint32_t *gid, *sel;
	struct rs_vec *kv, *av;
	struct rs_col *res;
	int done;
	struct rs_op *emit;
	int64_t mem;
};

static int grow_states(struct agg *a, size_t need)
{
	size_t cap = a->cap ? a->cap : 64;

	while (cap < need)
		cap *= 2;
	if (cap == a->cap)
		return 0;
	for (unsigned i = 0; i < a->naggs; i++) {
		size_t sz = a->aggs[i].agg.vt->state_size;
		uint8_t *p = realloc(a->states[i], cap * sz);

		if (!p)
			return rs_errf(a->op.q->err, -ENOMEM, "out of memory for %zu groups", need);
		memset(p + a->cap * sz, 0, (cap - a->cap) * sz);
		a->states[i] = p;
		if (a->aggs[i].agg.nullable) {
			uint8_t *s = realloc(a->seen[i], cap);

			if (!s)
				return rs_errf(a->op.q->err, -ENOMEM, "out of memory for %zu groups", need);
			memset(s + a->cap, 0, cap - a->cap);
			a->seen[i] = s;
		}
		if (rs_qctx_mem(a->op.q, (int64_t)((cap - a->cap) * sz)))
			return -ENOMEM;
		a->mem += (int64_t)((cap - a->cap) * sz);
	}
	a->cap = cap;
	return 0;
}

static int consume(struct agg *a, struct rs_chunk *in)
{
	struct rs_qctx *q = a->op.q;
	size_t n = in->n;
	int rc;

	if (n > RS_CHUNK_MAX) {
		free(a->h);
		free(a->gid);
		free(a->sel);
		a->h = malloc(n * sizeof(*a->h));
		a->gid = malloc(n * sizeof(*a->gid));
		a->sel = malloc(n * sizeof(*a->sel));
		if (!a->h || !a->gid || !a->sel)
			return rs_errf(q->err, -ENOMEM, "out of memory");
	}
	if (a->nkeys) {
		size_t nnew;

		for (unsigned k = 0; k < a->nkeys; k++) {
			if ((rc = rs_expr_eval(q, a->keys[k], in, &a->kv[k])))
				return rc;
			rs_hash_vec(&a->kv[k], n, a->h, k == 0);
		}
		if ((rc = rs_keyset_add(&a->ks, a->kv, n, a->h, a->gid, &nnew)))
			return rc;
		a->ngroups = a->ks.n;
	} else {
		memset(a->gid, 0, n * sizeof(*a->gid));
		a->ngroups = 1;
	}
	if ((rc = grow_states(a, a->ngroups)))
		return rc;
	for (unsigned i = 0; i < a->naggs; i++) {
		struct rs_agg_spec *s = &a->aggs[i];
		unsigned na = s->agg.nargs + (unsigned)s->agg.is_if;
		const uint32_t *sel = NULL;
		size_t ns = n;

		for (unsigned k = 0; k < na; k++)
			if ((rc = rs_expr_eval(q, s->args[k], in, &a->av[k])))
				return rc;
		if (s->agg.is_if) {
			ns = 0;
			for (size_t r = 0; r < n; r++)
				if (rs_vtrue(&a->av[na - 1], r))
					a->sel[ns++] = (uint32_t)r;
			sel = a->sel;
		}
		if (s->agg.nullable) {
			const struct rs_vec *v = &a->av[0];

			for (size_t j = 0; j < ns; j++) {
				size_t r = sel ? sel[j] : j;

				if (!rs_col_is_null(v->c, rs_vrow(v, r)))
					a->seen[i][a->gid[r]] = 1;
			}
		}
		if ((rc = s->agg.vt->update(&s->agg, a->states[i], a->gid, a->av, sel, ns)))
			return rc == -ENOMEM && !q->err->code ?
				rs_errf(q->err, -ENOMEM, "out of memory") : rc;
	}
	return 0;
}

static int finish(struct agg *a)
{
	struct rs_qctx *q = a->op.q;
	unsigned nc = a->op.ncols;
	struct rs_col *cols = xcalloc(nc ? nc : 1, sizeof(*cols));
	int rc = 0;

	if (!a->nkeys && a->ngroups == 0) {	/* no rows: one row of empty states */
		a->ngroups = 1;
		if ((rc = grow_states(a, 1)))
			goto fail;
	}
	for (unsigned k = 0; k < a->nkeys; k++) {
		cols[k] = a->ks.keys[k];	/* take the key columns */
		rs_col_init(&a->ks.keys[k], a->op.types[k]);
	}
	for (unsigned i = 0; i < a->naggs; i++) {
		struct rs_col *c = &cols[a->nkeys + i];

		rs_col_init(c, a->aggs[i].agg.nullable ? rs_type_base(a->op.types[a->nkeys + i]) :
			    a->op.types[a->nkeys + i]);
		if (rs_col_reserve(c, a->ngroups)) {
			rc = rs_errf(q->err, -ENOMEM, "out of memory");
			goto fail;
		}
		if ((rc = a->aggs[i].agg.vt->final(&a->aggs[i].agg, a->states[i], a->ngroups, c))) {
			rc = rc == -ENOMEM ? rs_errf(q->err, -ENOMEM, "out of memory") : rc;
			goto fail;
		}
		if (a->aggs[i].agg.nullable) {	/* groups without a value are NULL */
			c->nulls = xmalloc(c->cap + 1);
			for (size_t g = 0; g < c->n; g++)
				c->nulls[g] = !a->seen[i][g];
			c->type = a->op.types[a->nkeys + i];
		}
	}
	a->emit = rs_op_values(q, cols, nc, a->op.types);
	return 0;
fail:
	for (unsigned i = 0; i < nc; i++)
		rs_col_release(&cols[i]);
	free(cols);
	return rc;
}

static int agg_next(struct rs_op *op, struct rs_chunk **out)
{
	struct agg *a = container_of(op, struct agg, op);
	struct rs_chunk *in;
	int rc;

	if (!a->done) {
		while ((rc = rs_op_next(a->child, &in)) > 0)
			if ((rc = consume(a, in)))
				return rc;
		if (rc < 0)
			return rc;
		a->done = 1;
		if ((rc = finish(a)))
			return rc;
	}
	return rs_op_next(a->emit, out);
}

static void agg_free(struct rs_op *op)
{
	struct agg *a = container_of(op, struct agg, op);

	rs_op_free(a->child);
	rs_op_free(a->emit);
	for (unsigned k = 0; k < a->nkeys; k++)
		rs_expr_free(a->keys[k]);
	for (unsigned i = 0; i < a->naggs; i++) {
		struct rs_agg_spec *s = &a->aggs[i];

		if (s->agg.vt->destroy)
			s->agg.vt->destroy(&s->agg, a->states[i], a->ngroups < a->cap ? a->ngroups : a->cap);
		for (unsigned k = 0; k < s->agg.nargs + (unsigned)s->agg.is_if; k++)
			rs_expr_free(s->args[k]);
		free(a->states[i]);
		free(a->seen[i]);
	}
	rs_qctx_mem(op->q, -a->mem);
	rs_keyset_release(&a->ks);
	free(a->states);
	free(a->seen);
	free(a->h);
	free(a->gid);
	free(a->sel);
	free(a->kv);
	free(a->av);
	free(op->types);
	free(a);
}

static const struct rs_op_vt agg_vt = { agg_next, agg_free };

struct rs_op *rs_op_agg(struct rs_qctx *q, struct rs_op *child, struct rs_expr **keys,
			unsigned nkeys, struct rs_agg_spec *aggs, unsigned naggs)
{
	struct agg *a = xcalloc(1, sizeof(*a));
	const struct rs_type **types = xcalloc(nkeys + naggs + 1, sizeof(*types));
	unsigned maxa = 1;

	for (unsigned k = 0; k < nkeys; k++)
		types[k] = keys[k]->type;
	for (unsigned i = 0; i < naggs; i++) {
		types[nkeys + i] = aggs[i].agg.type;
		maxa = RS_MAX(maxa, aggs[i].agg.nargs + 1);
	}
	a->op.vt = &agg_vt;
	a->op.q = q;
	a->op.ncols = nkeys + naggs;
	a->op.types = types;
	a->child = child;
	a->keys = keys;
	a->nkeys = nkeys;
	a->aggs = aggs;
	a->naggs = naggs;
	rs_keyset_init(&a->ks, q, nkeys, types);
	a->states = xcalloc(naggs + 1, sizeof(*a->states));
	a->seen = xcalloc(naggs + 1, sizeof(*a->seen));
	a->h = xmalloc(RS_CHUNK_MAX * sizeof(*a->h));
	a->gid = xmalloc(RS_CHUNK_MAX * sizeof(*a->gid));
	a->sel = xmalloc(RS_CHUNK_MAX * sizeof(*a->sel));
	a->kv = xcalloc(nkeys + 1, sizeof(*a->kv));
	a->av = xcalloc(maxa, sizeof(*a->av));
	return &a->op;
}
