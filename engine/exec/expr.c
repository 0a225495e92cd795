/*
 * expr.c - binding helpers and evaluation of expression trees: NULL
 * propagation around functions, constant folding, lambdas.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "par_int.h"

struct rs_expr *rs_expr_new(struct rs_arena *a, enum rs_xkind k)
{
	struct rs_expr *e = rs_arena_alloc(a, sizeof(*e));

	e->kind = k;
	return e;
}

void rs_expr_free(struct rs_expr *e)
{
	if (!e)
		return;
	for (unsigned i = 0; i < e->nargs; i++)
		rs_expr_free(e->args[i]);
	if (e->out.type)
		rs_col_release(&e->out);
	free(e->nulls);
	free(e->argv);
	for (int i = 0; i < 3; i++) {
		free(e->scr[i]);
		e->scr[i] = NULL;
		e->scr_cap[i] = 0;
	}
	if (e->st_free)
		e->st_free(e->st);
	e->st_free = NULL;
	e->nulls = NULL;
	e->argv = NULL;
}

void rs_qctx_release_consts(struct rs_qctx *q)
{
	for (unsigned i = 0; i < q->nconsts; i++)
		rs_col_release(q->consts[i]);
	q->nconsts = 0;
}

void *rs_scratch(struct rs_expr *e, int slot, size_t bytes)
{
	if (bytes > e->scr_cap[slot]) {
		void *p = realloc(e->scr[slot], bytes);

		if (!p)
			return NULL;
		e->scr[slot] = p;
		e->scr_cap[slot] = bytes;
	}
	return e->scr[slot];
}

struct rs_expr *rs_expr_const(struct rs_qctx *q, const struct rs_col *c, size_t row)
{
	struct rs_expr *e = rs_expr_new(q->a, RS_X_CONST);

	e->type = c->type;
	rs_col_init(&e->cv, c->type);
	/* the value belongs to the query: released by rs_qctx_release_consts */
	*(struct rs_col **)rs_arena_push(q->a, &q->consts, &q->nconsts, sizeof(void *)) = &e->cv;
	if (rs_col_append(&e->cv, c, row, 1))
		abort();	/* one value */
	return e;
}

static int eval_func(struct rs_qctx *q, struct rs_expr *e, const struct rs_chunk *in,
		     struct rs_vec *out)
{
	size_t n = in->n;
	int all_const = 1, rc;

	if (!e->argv)
		e->argv = xcalloc(e->nargs ? e->nargs : 1, sizeof(*e->argv));
	for (unsigned i = 0; i < e->nargs; i++) {
		if (e->args[i]->kind == RS_X_LAMBDA) {
			e->argv[i].c = NULL;
			e->argv[i].is_const = 0;
			all_const = 0;
			continue;
		}
		if ((rc = rs_expr_eval(q, e->args[i], in, &e->argv[i])))
			return rc;
		all_const &= e->argv[i].is_const;
	}
	if (all_const && (e->nargs || (e->fn->flags & RS_FN_NOFOLD)))
		n = 1;
	else
		all_const = 0;
	rs_col_reset(&e->out);
	if ((rc = e->fn->exec(q, e, e->argv, n, &e->out)))
		return rc;
	if (e->out.n != n)
		return rs_errf(q->err, -EINVAL, "internal error in function '%s'", e->fn->name);
	out->c = &e->out;
	out->is_const = all_const;
	if (e->wrap_null) {
		uint8_t *nl;

		if (n > e->nulls_cap) {
			uint8_t *p = realloc(e->nulls, n);
			if (!p)
				return rs_errf(q->err, -ENOMEM, "out of memory");
			e->nulls = p;
			e->nulls_cap = n;
		}
		nl = e->nulls;
		memset(nl, 0, n);
		for (unsigned i = 0; i < e->nargs; i++) {
			const struct rs_vec *a = &e->argv[i];

			if (!a->c || !a->c->nulls)
				continue;
			if (a->is_const) {
				if (a->c->nulls[0])
					memset(nl, 1, n);
			} else {
				for (size_t r = 0; r < n; r++)
					nl[r] |= a->c->nulls[r];
			}
		}
		e->res = e->out;
		e->res.type = e->type;
		e->res.nulls = nl;
		out->c = &e->res;
	}
	return 0;
}

int rs_expr_eval(struct rs_qctx *q, struct rs_expr *e, const struct rs_chunk *in,
		 struct rs_vec *out)
{
	switch (e->kind) {
	case RS_X_COL:
		out->c = &in->cols[*e->pos];
		out->is_const = 0;
		return 0;
	case RS_X_PARAM:
		out->c = &in->cols[e->col];
		out->is_const = 0;
		return 0;
	case RS_X_CONST:
		out->c = &e->cv;
		out->is_const = 1;
		return 0;
	case RS_X_FUNC:
		return eval_func(q, e, in, out);
	case RS_X_LAMBDA:
		break;
	}
	return rs_errf(q->err, -EINVAL, "lambda used outside a higher-order function");
}

int rs_expr_func(struct rs_qctx *q, const char *name, struct rs_expr **args, unsigned nargs,
		 struct rs_expr **out)
{
	const struct rs_fn *fn = rs_fn_find(name);
	struct rs_expr *e;
	int rc, any_null = 0, nothing = 0, all_const = 1;

	if (!fn) {
		if (rs_fn_is_agg(name))
			return rs_errf(q->err, -EINVAL,
				       "aggregate function '%s' is found in wrong place in query", name);
		return rs_errf(q->err, -EINVAL, "unknown function '%s'", name);
	}
	if ((int)nargs < fn->min_args || (fn->max_args >= 0 && (int)nargs > fn->max_args)) {
		if (fn->min_args == fn->max_args)
			return rs_errf(q->err, -EINVAL,
				       "function '%s' takes %d argument%s, %u given", fn->name,
				       fn->min_args, fn->min_args == 1 ? "" : "s", nargs);
		return rs_errf(q->err, -EINVAL, "wrong number of arguments for function '%s': %u",
			       fn->name, nargs);
	}
	e = rs_expr_new(q->a, RS_X_FUNC);
	e->fn = fn;
	e->name = fn->name;
	e->nargs = nargs;
	e->args = rs_arena_alloc(q->a, (nargs ? nargs : 1) * sizeof(*args));
	memcpy(e->args, args, nargs * sizeof(*args));
	for (unsigned i = 0; i < nargs; i++) {
		if (args[i]->kind == RS_X_LAMBDA) {
			all_const = 0;
			continue;
		}
		if (rs_type_base(args[i]->type)->id == RS_T_NOTHING)
			nothing = 1;
		else if (rs_type_is_nullable(args[i]->type))
			any_null = 1;
		if (args[i]->kind != RS_X_CONST)
			all_const = 0;
	}
	if (!(fn->flags & RS_FN_NULLS) && nothing) {
		struct rs_col c;
		struct rs_expr *k;

		rs_col_init(&c, rs_qtype_nullable(q, rs_qtype(q, RS_T_NOTHING)));
		if (rs_col_push_null(&c))
			abort();
		k = rs_expr_const(q, &c, 0);
		rs_col_release(&c);
		*out = k;
		return 0;
	}
	if ((rc = fn->bind(q, e)))
		return rc;
	e->inner = e->type;
	rs_col_init(&e->out, e->inner);
	if (!(fn->flags & RS_FN_NULLS) && any_null && rs_type_base(e->type)->id != RS_T_ARRAY &&
	    e->type->id != RS_T_NULLABLE) {
		e->wrap_null = 1;
		e->type = rs_qtype_nullable(q, e->type);
	}
	if (all_const && nargs && !(fn->flags & RS_FN_NOFOLD)) {
		struct rs_chunk one = { 0, NULL, 1, NULL };
		struct rs_vec v;
		struct rs_expr *k;

		if ((rc = rs_expr_eval(q, e, &one, &v))) {
			rs_expr_free(e);
			return rc;
		}
		k = rs_expr_const(q, v.c, 0);
		k->type = e->type;
		k->cv.type = e->type;
		rs_expr_free(e);
		*out = k;
		return 0;
	}
	*out = e;
	return 0;
}

/* Functions whose bind-time state is read-only during evaluation. */
static int shareable_state(const struct rs_expr *e)
{
	static const char *const ok[] = { "like", "notLike", "ilike", "notILike" };

	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(e->fn->name, ok[i]))
			return 1;
	return 0;
}

struct rs_expr *rs_expr_clone(struct rs_arena *a, const struct rs_expr *e)
{
	struct rs_expr *c;

	if (e->kind == RS_X_LAMBDA || e->kind == RS_X_PARAM)
		return NULL;
	if (e->kind == RS_X_FUNC && e->st && !shareable_state(e))
		return NULL;
	c = rs_expr_new(a, e->kind);
	c->type = e->type;
	c->pos = e->pos;
	c->col = e->col;
	c->cv = e->cv;		/* constant value: read-only, owned by the query */
	c->fn = e->fn;
	c->nargs = e->nargs;
	c->nparams = e->nparams;
	c->st = e->st;		/* shared, freed by the original */
	c->name = e->name;
	c->inner = e->inner;
	c->wrap_null = e->wrap_null;
	c->mode = e->mode;
	if (e->kind == RS_X_FUNC)
		rs_col_init(&c->out, e->inner);
	c->args = rs_arena_alloc(a, (e->nargs ? e->nargs : 1) * sizeof(*c->args));
	for (unsigned i = 0; i < e->nargs; i++)
		if (!(c->args[i] = rs_expr_clone(a, e->args[i]))) {
			for (unsigned j = 0; j < i; j++)
				rs_expr_free(c->args[j]);
			c->nargs = 0;
			rs_expr_free(c);
			return NULL;
		}
	return c;
}

int rs_expr_cols(const struct rs_expr *e, void (*f)(unsigned pos, void *ctx), void *ctx)
{
	switch (e->kind) {
	case RS_X_COL:
		f(*e->pos, ctx);
		return 0;
	case RS_X_CONST:
		return 0;
	case RS_X_FUNC:
		if (e->fn->flags & (RS_FN_NOFOLD | RS_FN_LAMBDA))
			return -1;
		for (unsigned i = 0; i < e->nargs; i++)
			if (rs_expr_cols(e->args[i], f, ctx))
				return -1;
		return 0;
	default:
		return -1;
	}
}
