/*
 * bind_window.c - window functions: f(args) OVER (PARTITION BY .. ORDER BY
 * .. frame) in the SELECT list and ORDER BY. They are computed after
 * aggregation and HAVING: functions sharing a window make one operator,
 * fed by a projection (the layout so far + partition/order keys + function
 * arguments) sorted by partition then order keys. The default frame is
 * ClickHouse's: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW with an
 * ORDER BY, the whole partition without.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "bind_int.h"

struct win_fn {
	char *canon;
	unsigned group;
	unsigned pos;			/* result column, fixed by rs_build_windows */
	struct rs_wfunc wf;
	struct rs_expr *arg, *def;
};

struct win_group {
	char *key;
	struct rs_window *w;
	struct rs_expr **part, **order;
};

struct win_list {
	struct win_fn *f;
	unsigned nf;
	struct win_group *g;
	unsigned ng;
};

static const struct { const char *name; enum rs_wkind kind; int min, max; } kinds[] = {
	{ "row_number", RS_W_ROW_NUMBER, 0, 0 }, { "rank", RS_W_RANK, 0, 0 },
	{ "dense_rank", RS_W_DENSE_RANK, 0, 0 }, { "count", RS_W_COUNT, 0, 1 },
	{ "sum", RS_W_SUM, 1, 1 }, { "avg", RS_W_AVG, 1, 1 }, { "min", RS_W_MIN, 1, 1 },
	{ "max", RS_W_MAX, 1, 1 }, { "lagInFrame", RS_W_LAG, 1, 3 },
	{ "leadInFrame", RS_W_LEAD, 1, 3 }, { "first_value", RS_W_FIRST, 1, 1 },
	{ "last_value", RS_W_LAST, 1, 1 }, { "any", RS_W_FIRST, 1, 1 },
	{ "anyLast", RS_W_LAST, 1, 1 },
};

static int bind_fn(struct bctx *b, struct win_list *l, struct rs_ast *e, char *canon)
{
	struct rs_qctx *q = b->qc;
	struct win_fn *f;
	struct rs_ast key;
	char *k;
	unsigned i, g;
	int rc;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcasecmp(kinds[i].name, e->name))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return rs_errf(q->err, -EINVAL, "window function '%s' is not supported yet", e->name);
	if ((int)e->nargs < kinds[i].min || (int)e->nargs > kinds[i].max || e->distinct)
		return rs_errf(q->err, -EINVAL, "wrong arguments for window function '%s'", e->name);
	/* the window itself: its text (without the function) names the group */
	key = *e;
	key.name = "";
	key.nargs = 0;
	key.alias = NULL;
	k = rs_bind_canon(b, &key);
	for (g = 0; g < l->ng; g++)
		if (!strcmp(l->g[g].key, k))
			break;
	if (g == l->ng) {
		struct win_group *wg = rs_arena_push(&b->q->a, &l->g, &l->ng, sizeof(*wg));
		struct rs_window *w = e->over;

		wg->key = k;
		wg->w = w;
		wg->part = rs_arena_alloc(&b->q->a, (w->npart + 1) * sizeof(void *));
		wg->order = rs_arena_alloc(&b->q->a, (w->norder + 1) * sizeof(void *));
		for (unsigned j = 0; j < w->npart; j++)
			if ((rc = rs_bind_expr(b, w->part[j], &wg->part[j])))
				return rc;
		for (unsigned j = 0; j < w->norder; j++)
			if ((rc = rs_bind_expr(b, w->order[j].e, &wg->order[j])))
				return rc;
	}
	f = rs_arena_push(&b->q->a, &l->f, &l->nf, sizeof(*f));
	f->canon = canon;
	f->group = g;
	f->wf.kind = kinds[i].kind;
	if (e->nargs) {
		if ((rc = rs_bind_expr(b, e->args[0], &f->arg)))
			return rc;
		f->wf.has_arg = 1;
	}
	switch (f->wf.kind) {
	case RS_W_ROW_NUMBER: case RS_W_RANK: case RS_W_DENSE_RANK: case RS_W_COUNT:
		f->wf.type = rs_qtype(q, RS_T_UINT64);
		break;
	case RS_W_SUM: case RS_W_AVG: {
		enum rs_ncls c = rs_ncls(f->arg->type);

		if (!rs_type_is_num(rs_type_base(f->arg->type)))
			return rs_errf(q->err, -EINVAL, "illegal type of argument of window function '%s'",
				       e->name);
		f->wf.type = rs_qtype(q, f->wf.kind == RS_W_AVG || c == RS_NC_FLOAT ? RS_T_FLOAT64 :
				      c == RS_NC_INT ? RS_T_INT64 : RS_T_UINT64);
		break;
	}
	case RS_W_MIN: case RS_W_MAX:
		f->wf.type = rs_type_base(f->arg->type);
		break;
	default:
		f->wf.type = f->arg->type;
	}
	if (f->wf.kind == RS_W_LAG || f->wf.kind == RS_W_LEAD) {
		struct rs_expr *o;

		f->wf.off = 1;
		if (e->nargs > 1) {
			if ((rc = rs_bind_expr(b, e->args[1], &o)))
				return rc;
			if (o->kind != RS_X_CONST || !rs_type_is_int(o->type) ||
			    rs_get_i64(&o->cv, 0) < 0)
				return rs_errf(q->err, -EINVAL,
					       "offset of '%s' must be a non-negative integer constant",
					       e->name);
			f->wf.off = (uint64_t)rs_get_i64(&o->cv, 0);
		}
		if (e->nargs > 2) {
			if ((rc = rs_bind_expr(b, e->args[2], &f->def)))
				return rc;
			if (!rs_type_equal(f->def->type, f->arg->type)) {
				struct rs_buf nb = RS_BUF_INIT;
				struct rs_col tn;
				struct rs_expr *ca[2], *c;

				rs_col_init(&tn, rs_qtype(q, RS_T_STRING));
				rs_type_name(f->arg->type, &nb);
				rc = rs_col_push_str(&tn, nb.data ? nb.data : "", nb.len);
				rs_buf_release(&nb);
				ca[0] = f->def;
				ca[1] = rs_expr_const(q, &tn, 0);
				rs_col_release(&tn);
				if (rc || (rc = rs_expr_func(q, "CAST", ca, 2, &c)))
					return rc ? rc : -ENOMEM;
				f->def = c;
			}
			f->wf.has_def = 1;
		}
	}
	return 0;
}

static int collect(struct bctx *b, struct win_list *l, struct rs_ast *e, int inside)
{
	int rc;

	if (e->kind != RS_A_FUNC)
		return 0;
	if (e->over) {
		char *c;

		if (inside)
			return rs_errf(b->qc->err, -EINVAL,
				       "window function '%s' is found inside another window function",
				       e->name);
		c = rs_bind_canon(b, e);
		for (unsigned i = 0; i < l->nf; i++)
			if (!strcmp(l->f[i].canon, c))
				return 0;
		for (unsigned i = 0; i < e->nargs; i++)
			if ((rc = collect(b, l, e->args[i], 1)))
				return rc;
		return bind_fn(b, l, e, c);
	}
	for (unsigned i = 0; i < e->nargs; i++)
		if ((rc = collect(b, l, e->args[i], inside)))
			return rc;
	return 0;
}

int rs_bind_windows(struct bctx *b, struct rs_ast **ex, unsigned n, struct rs_ast **ex2,
		    unsigned n2)
{
	struct win_list *l = rs_arena_alloc(&b->q->a, sizeof(*l));
	int rc;

	for (unsigned i = 0; i < n + n2; i++)
		if ((rc = collect(b, l, i < n ? ex[i] : ex2[i - n], 0)))
			return rc;
	b->win = l->nf ? l : NULL;
	return 0;
}

int rs_bind_window_ref(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	char *c = rs_bind_canon(b, e);

	for (unsigned i = 0; b->win && i < b->win->nf; i++)
		if (!strcmp(b->win->f[i].canon, c)) {
			struct rs_expr *x = rs_expr_new(b->qc->a, RS_X_COL);

			x->pos = &b->win->f[i].pos;
			x->type = b->win->f[i].wf.type;
			*out = x;
			return 0;
		}
	return rs_errf(b->qc->err, -EINVAL, "window function '%s' is found in %s", e->name,
		       b->where ? b->where : "wrong place in query");
}

static struct rs_expr *pass(struct bctx *b, struct rs_op *op, unsigned *pos, unsigned k)
{
	struct rs_expr *x = rs_expr_new(b->qc->a, RS_X_COL);

	pos[k] = k;
	x->pos = &pos[k];
	x->type = op->types[k];
	return x;
}

struct rs_op *rs_build_windows(struct bctx *b, struct rs_op *op)
{
	struct win_list *l = b->win;

	for (unsigned g = 0; l && g < l->ng; g++) {
		struct win_group *wg = &l->g[g];
		struct rs_window *w = wg->w;
		unsigned p = op->ncols, nx = w->npart + w->norder, nfn = 0, k;
		struct rs_expr **ex;
		unsigned *pos, *keys;
		int *desc, *nf;
		struct rs_wfunc *wf;
		struct rs_wframe fr = { 0, RS_FB_UNB_PREC, RS_FB_CURRENT, 0, 0 };

		for (unsigned i = 0; i < l->nf; i++)
			if (l->f[i].group == g)
				nfn++;
		ex = rs_arena_alloc(&b->q->a, (p + nx + 2 * nfn + 1) * sizeof(*ex));
		pos = rs_arena_alloc(&b->q->a, (p + 1) * sizeof(*pos));
		keys = rs_arena_alloc(&b->q->a, (nx + 1) * sizeof(*keys));
		desc = rs_arena_alloc(&b->q->a, (nx + 1) * sizeof(*desc));
		nf = rs_arena_alloc(&b->q->a, (nx + 1) * sizeof(*nf));
		wf = rs_arena_alloc(&b->q->a, (nfn + 1) * sizeof(*wf));
		for (k = 0; k < p; k++)
			ex[k] = pass(b, op, pos, k);
		for (unsigned j = 0; j < w->npart; j++, k++) {
			ex[k] = wg->part[j];
			keys[j] = k;
			nf[j] = -1;
		}
		for (unsigned j = 0; j < w->norder; j++, k++) {
			ex[k] = wg->order[j];
			keys[w->npart + j] = k;
			desc[w->npart + j] = w->order[j].desc;
			nf[w->npart + j] = w->order[j].nulls_first;
		}
		nfn = 0;
		for (unsigned i = 0; i < l->nf; i++) {
			struct win_fn *f = &l->f[i];

			if (f->group != g)
				continue;
			wf[nfn] = f->wf;
			if (f->wf.has_arg) {
				wf[nfn].arg = k;
				ex[k++] = f->arg;
			}
			if (f->wf.has_def) {
				wf[nfn].def = k;
				ex[k++] = f->def;
			}
			nfn++;
		}
		op = rs_op_project(b->qc, op, ex, k);
		if (nx)
			op = rs_op_sort(b->qc, op, keys, desc, nf, nx, 0);
		if (w->has_frame) {
			fr.rows = w->frame_rows;
			fr.fs = (int)w->fs;
			fr.fe = (int)w->fe;
			fr.fs_off = w->fs_off;
			fr.fe_off = w->fe_off;
		} else if (!w->norder) {
			fr.fe = RS_FB_UNB_FOLL;
		}
		op = rs_op_window(b->qc, op, keys, w->npart, keys + w->npart, w->norder,
				  w->norder ? w->order[0].desc : 0, &fr, wf, nfn);
		nfn = 0;
		for (unsigned i = 0; i < l->nf; i++)
			if (l->f[i].group == g)
				l->f[i].pos = k + nfn++;
	}
	return op;
}
