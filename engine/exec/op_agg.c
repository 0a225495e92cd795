/*
 * op_agg.c - hash aggregation. Group keys are mapped to dense group ids by
 * an rs_keyset (no keys: one group); every aggregate keeps a state array
 * indexed by group id and is updated a chunk at a time. The result (keys,
 * then aggregates) is emitted in chunks once the input is exhausted.
 * The paths over dictionary codes are in op_agg_dict.c; on enough granules
 * a worker thread aggregates half of them and its groups are merged.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "op_agg_int.h"

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

	if (a->count_only) {
		if ((rc = grow_states(a, 1)))
			return rc;
		a->ngroups = 1;
		for (unsigned i = 0; i < a->naggs; i++)
			*(uint64_t *)a->states[i] += n;
		return 0;
	}
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
	if (a->nkeys && (rc = rs_agg_dict_keys(a, in, n))) {
		if (rc < 0)
			return rc;
	} else if (a->nkeys) {
		size_t nnew;
		int lazy;

		for (unsigned k = 0; k < a->nkeys; k++) {
			const struct rs_expr *e = a->keys[k];

			if ((rc = rs_expr_eval(q, a->keys[k], in, &a->kv[k])))
				return rc;
			if (e->kind == RS_X_COL && a->kv[k].c->n < n && in->dcols &&
			    in->dcols[*e->pos].codes) {
				/* a key column left as codes (too many combinations for
				 * rs_agg_dict_keys): its values now */
				if (!a->dk) {
					a->dk = xcalloc(a->nkeys, sizeof(*a->dk));
					for (unsigned j = 0; j < a->nkeys; j++)
						rs_col_init(&a->dk[j], a->op.types[j]);
				}
				rs_col_reset(&a->dk[k]);
				if (rs_gather_fast(&a->dk[k], in->dcols[*e->pos].dict,
						   in->dcols[*e->pos].codes, n))
					return rs_errf(q->err, -ENOMEM, "out of memory");
				a->kv[k].c = &a->dk[k];
			}
		}
		lazy = rs_keyset_lazy_hash(&a->ks, &a->kv[0]);
		for (unsigned k = 0; k < a->nkeys && !lazy; k++)
			rs_hash_vec(&a->kv[k], n, a->h, k == 0);
		if ((rc = rs_keyset_add(&a->ks, a->kv, n, lazy ? NULL : a->h, a->gid, &nnew)))
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
		int hashed = rs_agg_uniq_rowh(a, i, in);	/* argument 0 done */

		if (hashed < 0)
			return hashed;
		for (unsigned k = hashed; k < na; k++) {
			if ((rc = rs_agg_dict_arg(a, i, k, in, &a->av[k])) < 0)
				return rc;
			if (!rc && (rc = rs_expr_eval(q, s->args[k], in, &a->av[k])))
				return rc;
		}
		if (hashed && !s->agg.is_if && !s->agg.nullable) {
			ns = rs_agg_uniq_dedup(a, n);
			sel = a->sel;
		} else if (s->agg.is_if) {
			const struct rs_vec *cv = &a->av[na - 1];
			uint32_t *restrict out = a->sel;

			ns = 0;
			if (!cv->is_const && !cv->c->nulls && cv->c->width == 1) {
				const uint8_t *restrict t = cv->c->data;

				for (size_t r = 0; r < n; r++) {	/* branch-free */
					out[ns] = (uint32_t)r;
					ns += t[r] != 0;
				}
			} else {
				for (size_t r = 0; r < n; r++)
					if (rs_vtrue(cv, r))
						out[ns++] = (uint32_t)r;
			}
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
		s->agg.rowh = hashed ? a->rowh : NULL;
		s->agg.ngroups = a->ngroups;
		rc = s->agg.vt->update(&s->agg, a->states[i], a->gid, a->av, sel, ns);
		s->agg.rowh = NULL;
		s->agg.ngroups = 0;
		if (rc)
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

struct want_ctx { int *w; int mode; };

static void mark_col(unsigned pos, void *ctx)
{
	struct want_ctx *c = ctx;

	if (c->w[pos] < c->mode)
		c->w[pos] = c->mode;
}

struct one_col { int col, many; };

static void note_one(unsigned pos, void *ctx)
{
	struct one_col *o = ctx;

	if (o->col >= 0 && o->col != (int)pos)
		o->many = 1;
	o->col = (int)pos;
}

/* Tell the scan below which columns are read, and which only as keys. */
static void tell_scan(struct agg *a)
{
	unsigned nc = a->child->ncols;
	int *w = xcalloc(nc + 1, sizeof(*w)), all = 0;
	struct want_ctx c = { w, 2 };

	for (unsigned k = 0; k < a->nkeys; k++) {
		if (a->keys[k]->kind == RS_X_COL)
			mark_col(*a->keys[k]->pos, &(struct want_ctx){ w, 1 });
		else if (rs_expr_cols(a->keys[k], mark_col, &c))
			all = 1;
	}
	a->acol = xcalloc(a->naggs + 1, sizeof(*a->acol));
	a->atmp = xcalloc(a->naggs + 1, sizeof(*a->atmp));
	a->dview = xcalloc(nc + 1, sizeof(*a->dview));
	for (unsigned i = 0; i < a->naggs; i++) {
		unsigned na = a->aggs[i].agg.nargs + (unsigned)a->aggs[i].agg.is_if;

		a->acol[i] = xcalloc(na + 1, sizeof(**a->acol));
		a->atmp[i] = xcalloc(na + 1, sizeof(**a->atmp));
		for (unsigned k = 0; k < na; k++) {
			struct rs_expr *e = a->aggs[i].args[k];
			struct one_col oc = { -1, 0 };
			const struct rs_type *t;

			a->acol[i][k] = -1;
			if ((e->kind != RS_X_COL || rs_agg_uniq_by_dict(&a->aggs[i].agg, k)) &&
			    !rs_expr_cols(e, note_one, &oc) && oc.col >= 0 &&
			    !oc.many && (t = a->child->types[oc.col]) &&
			    rs_type_phys(t) == RS_PHYS_STRING && !rs_type_is_nullable(t)) {
				a->acol[i][k] = oc.col;
				mark_col((unsigned)oc.col, &(struct want_ctx){ w, 1 });
			} else if (rs_expr_cols(e, mark_col, &c)) {
				all = 1;
			}
		}
	}
	for (unsigned j = 0; j < nc; j++)
		w[j] = all ? 2 : w[j];
	if (rs_op_is_join(a->child))
		rs_join_want(a->child, w);
	else
		for (unsigned j = 0; j < nc; j++)
			rs_scan_want(a->child, j, w[j]);
	free(w);
}

/* A worker: its own query context, scan share, expressions and states. */
struct worker {
	struct rs_qctx q;
	struct rs_err err;
	struct rs_arena ar;
	struct agg *a;
	volatile int stop;
	int rc;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct rs_chunk *in;
	int rc;

	while (!w->stop && (rc = rs_op_next(w->a->child, &in)) > 0)
		if ((rc = consume(w->a, in)))
			break;
	w->rc = w->stop ? 0 : rc;
	return NULL;
}

static int mergeable(const struct rs_agg *g)
{
	int k = rs_agg_kind(g);

	return g->comb == 0 && k != A_GROUPARRAY && k != A_USET;
}

static struct worker *worker_new(struct agg *a)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	struct rs_expr **keys;
	struct rs_agg_spec *specs;
	struct rs_op *scan, *op;

	w->q = *a->op.q;
	w->q.err = &w->err;
	w->q.a = &w->ar;
	w->q.mem_used = 0;
	w->q.rows_read = w->q.bytes_read = 0;
	scan = rs_op_is_join(a->child) ? rs_join_clone(a->child, &w->q, &w->ar) :
		rs_scan_clone(a->child, &w->q, &w->ar);
	if (!scan)
		goto fail;
	keys = rs_arena_alloc(&w->ar, (a->nkeys + 1) * sizeof(*keys));
	specs = rs_arena_alloc(&w->ar, (a->naggs + 1) * sizeof(*specs));
	for (unsigned k = 0; k < a->nkeys; k++)
		if (!(keys[k] = rs_expr_clone(&w->ar, a->keys[k])))
			goto fail_scan;
	for (unsigned i = 0; i < a->naggs; i++) {
		const struct rs_agg_spec *sp = &a->aggs[i];
		unsigned na = sp->agg.nargs + (unsigned)sp->agg.is_if;

		specs[i].agg = sp->agg;
		specs[i].agg.q = &w->q;
		specs[i].agg.ext = NULL;
		specs[i].agg.mem = 0;
		specs[i].args = rs_arena_alloc(&w->ar, (na + 1) * sizeof(*specs[i].args));
		for (unsigned k = 0; k < na; k++)
			if (!(specs[i].args[k] = rs_expr_clone(&w->ar, sp->args[k])))
				goto fail_scan;
		if (rs_agg_kind(&sp->agg) == A_UNIQ)
			specs[i].agg.ext = xcalloc(1, sizeof(struct uset));
	}
	op = rs_op_agg(&w->q, scan, keys, a->nkeys, specs, a->naggs);
	w->a = container_of(op, struct agg, op);
	w->a->par_tried = 1;
	return w;
fail_scan:
	/* expressions cloned so far hold no buffers yet */
	rs_op_free(scan);
fail:
	rs_arena_release(&w->ar);
	free(w);
	return NULL;
}

static void worker_free(struct worker *w)
{
	rs_op_free(&w->a->op);
	rs_arena_release(&w->ar);
	free(w);
}

/* Fold the worker's groups and states into a's (its groups come later). */
static int merge_worker(struct agg *a, struct agg *b)
{
	struct rs_qctx *q = a->op.q;
	size_t ng = b->ngroups;
	uint32_t *map;
	int rc = 0;

	if (!ng)
		return 0;
	map = xmalloc(ng * sizeof(*map));
	if (a->nkeys) {
		uint64_t *h = xmalloc(ng * sizeof(*h));
		struct rs_vec *v = xcalloc(a->nkeys, sizeof(*v));

		for (unsigned k = 0; k < a->nkeys; k++) {
			v[k].c = &b->ks.keys[k];
			rs_hash_vec(&v[k], ng, h, k == 0);
		}
		/* lookups and a copy of the new keys: nothing is inserted */
		rc = rs_keyset_absorb(&a->ks, &b->ks, h, map);
		free(h);
		free(v);
		a->ngroups = a->ks.n;
	} else {
		map[0] = 0;
		a->ngroups = 1;
	}
	if (!rc)
		rc = grow_states(a, a->ngroups);
	for (unsigned i = 0; i < a->naggs && !rc; i++) {
		if ((rc = rs_agg_merge(&a->aggs[i].agg, a->states[i], &b->aggs[i].agg, b->states[i],
				       map, ng)))
			rc = rc == -ENOMEM ? rs_errf(q->err, -ENOMEM, "out of memory") : rc;
		if (a->aggs[i].agg.nullable)
			for (size_t g = 0; g < ng; g++)
				a->seen[i][map[g]] |= b->seen[i][g];
	}
	free(map);
	return rc;
}

/*
 * Aggregate over a scan with RS_PAR_THREADS threads: each takes a
 * contiguous share of the granules, the worker's groups are merged after
 * the main thread's, so group ids (and float sums up to rounding) come out
 * as on one thread. Returns 1 when done, 0 when not applicable.
 */
static int run_parallel(struct agg *a)
{
	struct rs_qctx *q = a->op.q;
	struct worker *w;
	struct rs_chunk *in;
	pthread_t th;
	int rc;

	/* the granules split between the threads: of the scan below, or of the
	 * scan on the left of a join (both threads probe its one right side) */
	struct rs_op *scan = rs_op_is_join(a->child) ? rs_join_left(a->child) : a->child;

	/* a scan that reads nothing (count() alone) only adds up granule
	 * sizes: a second thread would cost more (its start, and a scheduler
	 * tick when the cores are busy) */
	if (!rs_op_is_scan(scan) || rs_scan_trivial(scan) ||
	    rs_scan_items(scan) < RS_PAR_MIN_GRANULES)
		return 0;
	for (unsigned i = 0; i < a->naggs; i++)
		if (!mergeable(&a->aggs[i].agg))
			return 0;
	if (scan != a->child && (rc = rs_join_prepare(a->child)))
		return rc;
	if (!(w = worker_new(a)))
		return 0;
	rs_scan_share(scan, 0, 2);
	rs_scan_share(scan == a->child ? w->a->child : rs_join_left(w->a->child), 1, 2);
	if (pthread_create(&th, NULL, worker_main, w)) {
		worker_free(w);
		rs_scan_share(scan, 0, 1);
		return 0;
	}
	while ((rc = rs_op_next(a->child, &in)) > 0)
		if ((rc = consume(a, in)))
			break;
	if (rc < 0)
		w->stop = 1;
	pthread_join(th, NULL);
	if (!rc && w->rc < 0)
		rc = rs_errf(q->err, w->rc, "%s", w->err.msg);
	q->rows_read += w->q.rows_read;
	q->bytes_read += w->q.bytes_read;
	if (!rc)
		rc = merge_worker(a, w->a);
	worker_free(w);
	return rc < 0 ? rc : 1;
}

static int agg_next(struct rs_op *op, struct rs_chunk **out)
{
	struct agg *a = container_of(op, struct agg, op);
	struct rs_chunk *in;
	int rc;

	if (!a->done) {
		rc = 0;
		if (!a->par_tried) {
			a->par_tried = 1;
			rc = run_parallel(a);
		}
		if (!rc) {
			while ((rc = rs_op_next(a->child, &in)) > 0)
				if ((rc = consume(a, in)))
					return rc;
		}
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
	free(a->ctmp);
	free(a->dlist);
	free(a->dids);
	free(a->cmap);
	free(a->dh);
	free(a->rowh);
	free(a->stamp);
	if (a->dk)
		for (unsigned k = 0; k < a->nkeys; k++)
			rs_col_release(&a->dk[k]);
	free(a->dk);
	for (unsigned i = 0; a->acol && i < a->naggs; i++) {
		for (unsigned k = 0; k < a->aggs[i].agg.nargs + (unsigned)a->aggs[i].agg.is_if; k++)
			if (a->atmp[i][k].type)
				rs_col_release(&a->atmp[i][k]);
		free(a->acol[i]);
		free(a->atmp[i]);
	}
	free(a->acol);
	free(a->atmp);
	free(a->dview);
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
	if (rs_op_is_scan(child) || rs_op_is_join(child))
		tell_scan(a);
	a->count_only = !nkeys && naggs > 0;
	for (unsigned i = 0; i < naggs; i++)
		if (rs_agg_kind(&aggs[i].agg) != A_COUNT || aggs[i].agg.nargs || aggs[i].agg.is_if ||
		    aggs[i].agg.comb == 2)
			a->count_only = 0;
	if (a->count_only && rs_op_is_scan(child) && !child->ncols)
		rs_scan_want(child, 0, 3);	/* 0 columns: whole shares as one chunk */
	return &a->op;
}
