/*
 * bind_from.c - the FROM clause: tables, subqueries and CTEs as sources,
 * table scans over the used columns, min/max skip conditions, join keys.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "bind_int.h"

int rs_src_from_op(struct rs_query *q, struct source *s, struct rs_op *op, char **names,
			    const char *tab)
{
	s->op = op;
	s->ncols = op->ncols;
	s->cols = rs_arena_alloc(&q->a, (op->ncols + 1) * sizeof(*s->cols));
	for (unsigned i = 0; i < op->ncols; i++) {
		s->cols[i].name = names[i];
		s->cols[i].type = op->types[i];
		s->cols[i].tab = tab;
		s->cols[i].pos = s->cols[i].lpos = i;
	}
	return 0;
}

int rs_src_table(struct rs_query *q, struct rs_tref *r, struct rs_with *with,
			unsigned nwith, struct source *s)
{
	struct rs_table_info ti = { 0 };
	int rc;

	if (r->sub || r->func) {
		struct rs_op *op;
		char **names;

		if (r->func)
			return rs_errf(&q->err, -EINVAL, "table functions are not supported yet");
		if ((rc = rs_plan_select(q, r->sub, with, nwith, &op, &names)))
			return rc;
		return rs_src_from_op(q, s, op, names, r->alias);
	}
	if (!r->db)
		for (unsigned i = nwith; i-- > 0;)
			if (with[i].sel && !strcmp(with[i].name, r->name)) {
				struct rs_op *op;
				char **names;

				if ((rc = rs_plan_select(q, with[i].sel, with, i, &op, &names)))
					return rc;
				return rs_src_from_op(q, s, op, names, r->alias ? r->alias : r->name);
			}
	if (!q->env.resolve)
		return rs_errf(&q->err, -ENOENT, "unknown table '%s'", r->name);
	rc = q->env.resolve(q->env.ctx, r->db, r->name, &ti, &q->err);
	if (rc == -ENOENT && !q->err.code)
		return rs_errf_at(&q->err, -EINVAL, r->line, r->col, "unknown table '%s'", r->name);
	if (rc)
		return q->err.code ? rc : rs_errf(&q->err, rc, "cannot open table '%s'", r->name);
	*(struct rs_table_info *)rs_arena_push(&q->a, &q->tables, &q->ntables, sizeof(ti)) = ti;
	s->snap = ti.snap;
	s->ncols = ti.schema->ncols;
	s->cols = rs_arena_alloc(&q->a, (s->ncols + 1) * sizeof(*s->cols));
	for (unsigned i = 0; i < s->ncols; i++) {
		s->cols[i].name = ti.schema->cols[i].name;
		s->cols[i].type = ti.schema->cols[i].type;
		s->cols[i].tab = r->alias ? r->alias : r->name;
		s->cols[i].tab2 = r->name;
		s->cols[i].def = ti.defaults ? &ti.defaults[i] : NULL;
	}
	return 0;
}

/* Make the scan of a table source: used columns, predicate ones first. */
struct rs_op *rs_src_scan(struct bctx *b, struct source *s, struct rs_expr *pred,
			       struct rs_skip *skip, unsigned nskip)
{
	struct rs_scan_col *sc = rs_arena_alloc(&b->q->a, (s->ncols + 1) * sizeof(*sc));
	unsigned n = 0, npred = 0;

	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < s->ncols; i++) {
			struct src_col *c = &s->cols[i];

			if (!c->used || (pass == 0) != (pred && c->in_pred))
				continue;
			c->pos = c->lpos = n;
			sc[n].name = c->name;
			sc[n].type = c->type;
			sc[n].def = c->def;
			n++;
			if (pass == 0)
				npred++;
		}
	for (unsigned k = 0; k < nskip; k++)	/* skip[].col held the source index */
		skip[k].col = s->cols[skip[k].col].pos;
	return rs_op_scan(b->qc, s->snap, sc, n, npred, pred, skip, nskip);
}

/* Min/max skipping: conjuncts "col op constant" on table columns. */
void rs_find_skips(struct bctx *b, struct source *s, struct rs_ast *w, struct rs_skip **sk,
		       unsigned *nsk)
{
	static const char *ops[] = { "equals", "less", "lessOrEquals", "greater", "greaterOrEquals" };
	static const int flip[] = { 0, 3, 4, 1, 2 };

	if (!w || w->kind != RS_A_FUNC)
		return;
	if (!strcmp(w->name, "and")) {
		for (unsigned i = 0; i < w->nargs; i++)
			rs_find_skips(b, s, w->args[i], sk, nsk);
		return;
	}
	for (int op = 0; op < 5; op++) {
		if (strcmp(w->name, ops[op]) || w->nargs != 2)
			continue;
		for (int side = 0; side < 2; side++) {
			struct rs_ast *c = w->args[side], *v = w->args[1 - side];
			struct rs_expr *x;
			struct rs_err save = *b->qc->err;
			int rc;

			if (c->kind != RS_A_IDENT)
				continue;
			for (unsigned i = 0; i < s->ncols; i++) {
				const struct rs_type *bt = rs_type_base(s->cols[i].type);

				if (strcmp(s->cols[i].name, c->parts[c->nparts - 1]) ||
				    (!rs_type_is_num(bt) && !rs_type_is_date(bt)))
					continue;
				rc = rs_bind_expr(b, v, &x);
				if (rc || x->kind != RS_X_CONST || rs_col_is_null(&x->cv, 0)) {
					*b->qc->err = save;
					break;
				}
				{
					struct rs_skip *k = rs_arena_push(&b->q->a, sk, nsk, sizeof(**sk));
					struct rs_vec vv = { &x->cv, 1 };

					k->col = i;
					k->op = side == 0 ? op : flip[op];
					rs_col_init(&k->val, bt);
					if (rs_cast(b->qc, &vv, 1, bt, 0, &k->val) || k->val.n != 1) {
						rs_col_release(&k->val);
						(*nsk)--;
						*b->qc->err = save;
					}
				}
				rs_expr_free(x);
				break;
			}
		}
	}
}

/* Join keys of different base types are compared as their supertype
 * (ClickHouse: UInt32 = Int8 compares as Int64): both sides get a CAST. */
static int common_type(struct rs_qctx *q, struct rs_expr **x, struct rs_expr **y)
{
	const struct rs_type *t;
	struct rs_expr *cx, *cy;
	struct rs_buf nb = { 0 };
	struct rs_col tn;
	int rc;

	if (rs_type_equal(rs_type_base((*x)->type), rs_type_base((*y)->type)))
		return 0;
	t = rs_supertype(q, rs_type_base((*x)->type), rs_type_base((*y)->type));
	if (!t)
		return rs_errf(q->err, -EINVAL, "JOIN keys have incompatible types");
	rs_col_init(&tn, rs_qtype(q, RS_T_STRING));
	rs_type_name(t, &nb);
	rs_col_push_str(&tn, nb.data, nb.len);
	free(nb.data);
	struct rs_expr *ta[2] = { *x, rs_expr_const(q, &tn, 0) };
	struct rs_expr *tb[2] = { *y, rs_expr_const(q, &tn, 0) };
	rs_col_release(&tn);
	if ((rc = rs_expr_func(q, "CAST", ta, 2, &cx)) || (rc = rs_expr_func(q, "CAST", tb, 2, &cy)))
		return rc;
	*x = cx;
	*y = cy;
	return 0;
}

int rs_bind_join(struct bctx *b, struct rs_tref *r, struct source *l, struct source *rt,
		     struct rs_expr ***lk, struct rs_expr ***rk, unsigned *nk)
{
	struct rs_qctx *q = b->qc;
	struct rs_ast **conj = NULL;
	unsigned nc = 0;
	int rc;

	b->local = 1;
	if (r->nusing) {
		for (unsigned i = 0; i < r->nusing; i++) {
			struct rs_ast id = { .kind = RS_A_IDENT, .nparts = 1, .parts = &r->using[i] };
			struct rs_expr *x, *y;

			b->src = l;
			b->local = 0;
			if ((rc = rs_bind_expr(b, &id, &x)))
				return rc;
			b->src = rt;
			b->local = 1;
			if ((rc = rs_bind_expr(b, &id, &y)) || (rc = common_type(q, &x, &y)))
				return rc;
			*(struct rs_expr **)rs_arena_push(&b->q->a, lk, nk, sizeof(x)) = x;
			(*nk)--;
			*(struct rs_expr **)rs_arena_push(&b->q->a, rk, nk, sizeof(y)) = y;
		}
		b->local = 0;
		return 0;
	}
	if (!r->on) {
		b->local = 0;
		return 0;
	}
	if (r->on->kind == RS_A_FUNC && !strcmp(r->on->name, "and")) {
		conj = r->on->args;
		nc = r->on->nargs;
	} else {
		conj = &r->on;
		nc = 1;
	}
	for (unsigned i = 0; i < nc; i++) {
		struct rs_ast *c = conj[i];
		struct rs_expr *x = NULL, *y = NULL;

		if (c->kind != RS_A_FUNC || strcmp(c->name, "equals") || c->nargs != 2)
			return rs_errf(q->err, -EINVAL,
				       "JOIN ON supports only equalities joined by AND yet");
		for (int sw = 0; sw < 2; sw++) {
			struct rs_err save = *q->err;

			b->src = l;
			b->local = 0;
			rc = rs_bind_expr(b, c->args[sw], &x);
			if (!rc) {
				b->src = rt;
				b->local = 1;
				rc = rs_bind_expr(b, c->args[1 - sw], &y);
			}
			if (!rc)
				break;
			if (sw == 0)
				*q->err = save;
		}
		if (rc)
			return rc;
		if ((rc = common_type(q, &x, &y)))
			return rc;
		*(struct rs_expr **)rs_arena_push(&b->q->a, lk, nk, sizeof(x)) = x;
		(*nk)--;
		*(struct rs_expr **)rs_arena_push(&b->q->a, rk, nk, sizeof(y)) = y;
	}
	b->local = 0;
	return 0;
}

/* Build the operator of a source after binding (positions get fixed). */
