/*
 * bind_expr.c - binding AST expressions to executable rs_expr trees:
 * columns, literals, functions (with INTERVAL arithmetic, IN sets,
 * lambdas), scalar subqueries; after GROUP BY, subtrees equal to a key or
 * an aggregate become references to the aggregation output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "../exec/fn_int.h"
#include "bind_int.h"

char *rs_bind_canon(struct bctx *b, const struct rs_ast *e)
{
	struct rs_buf buf = RS_BUF_INIT;
	char *s;

	if (rs_ast_print(e, &buf))
		abort();	/* small */
	s = rs_arena_strdup(&b->q->a, buf.data ? buf.data : "");
	rs_buf_release(&buf);
	return s;
}

static int lit(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	struct rs_qctx *q = b->qc;
	struct rs_col c;
	const struct rs_type *t;

	switch (e->lit) {
	case RS_L_NULL:
		t = rs_qtype_nullable(q, rs_qtype(q, RS_T_NOTHING));
		break;
	case RS_L_BOOL:
		t = rs_qtype(q, RS_T_BOOL);
		break;
	case RS_L_FLOAT:
		t = rs_qtype(q, RS_T_FLOAT64);
		break;
	case RS_L_STR:
		t = rs_qtype(q, RS_T_STRING);
		break;
	default:
		if (!e->neg)
			t = rs_qtype(q, e->u <= 0xff ? RS_T_UINT8 : e->u <= 0xffff ? RS_T_UINT16 :
				     e->u <= 0xffffffffULL ? RS_T_UINT32 : RS_T_UINT64);
		else
			t = rs_qtype(q, e->u <= 0x80 ? RS_T_INT8 : e->u <= 0x8000 ? RS_T_INT16 :
				     e->u <= 0x80000000ULL ? RS_T_INT32 : RS_T_INT64);
	}
	rs_col_init(&c, t);
	if (e->lit == RS_L_NULL) {
		if (rs_col_push_null(&c))
			abort();
	} else if (e->lit == RS_L_STR) {
		if (rs_col_push_str(&c, e->s, e->slen))
			abort();
	} else if (e->lit == RS_L_FLOAT) {
		if (rs_store_f64(&c, &e->f, 1))
			abort();
	} else {
		int64_t v = e->neg ? (int64_t)(0 - e->u) : (int64_t)e->u;
		if (rs_store_i64(&c, &v, 1))
			abort();
	}
	*out = rs_expr_const(q, &c, 0);
	rs_col_release(&c);
	return 0;
}

struct src_col *rs_src_find(const struct source *s, const char *tab, const char *name)
{
	struct src_col *c = NULL;

	for (unsigned i = 0; i < s->ncols; i++) {
		struct src_col *d = &s->cols[i];

		if (strcmp(d->name, name))
			continue;
		if (tab && !(d->tab && !strcmp(d->tab, tab)) && !(d->tab2 && !strcmp(d->tab2, tab)))
			continue;
		if (d->aj)
			return d;
		if (!c || d->ukey)
			c = d;
	}
	return c;
}

static int ident(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	const char *name = e->parts[e->nparts - 1];
	const char *tab = e->nparts > 1 ? e->parts[e->nparts - 2] : NULL;

	if (!tab)
		for (unsigned i = b->nlparams; i-- > 0;)
			if (!strcmp(b->lparams[i], name)) {
				struct rs_expr *x = rs_expr_new(b->qc->a, RS_X_PARAM);
				x->col = i;
				x->type = b->ltypes[i];
				*out = x;
				return 0;
			}
	if (b->post) {
		char *c = rs_bind_canon(b, e);
		return rs_errf(b->qc->err, -EINVAL,
			       "column '%s' is not under aggregate function and not in GROUP BY keys", c);
	}
	if (b->nlparams)
		return rs_errf(b->qc->err, -EINVAL,
			       "lambda bodies can only use their parameters ('%s') yet", name);
	if (b->src) {
		struct src_col *c = rs_src_find(b->src, tab, name);

		if (c) {
			struct rs_expr *x = rs_expr_new(b->qc->a, RS_X_COL);
			x->type = c->type;
			x->pos = b->local ? &c->lpos : &c->pos;
			c->used = 1;
			if (b->where)
				c->in_pred = 1;
			*out = x;
			return 0;
		}
	}
	if (tab)
		return rs_errf(b->qc->err, -EINVAL, "unknown column '%s.%s'", tab, name);
	return rs_errf(b->qc->err, -EINVAL, "unknown column '%s'", name);
}

/* Values for IN: the AST right side as a column of type t. */
static int in_values(struct bctx *b, struct rs_ast *r, const struct rs_type *t, struct rs_col *vals)
{
	struct rs_qctx *q = b->qc;
	int rc;

	if (r->kind == RS_A_SUBQ) {
		struct rs_col tmp;
		struct rs_vec v;

		memset(&tmp, 0, sizeof(tmp));
		if ((rc = rs_run_subquery(b, r->sel, &tmp)))
			return rc;
		v.c = &tmp;
		v.is_const = 0;
		rc = rs_cast(q, &v, tmp.n, t, 1, vals);
		rs_col_release(&tmp);
		return rc;
	}
	if (r->kind == RS_A_FUNC && (!strcmp(r->name, "tuple") || !strcmp(r->name, "array"))) {
		for (unsigned i = 0; i < r->nargs; i++)
			if ((rc = in_values(b, r->args[i], t, vals)))
				return rc;
		return 0;
	}
	{
		struct rs_expr *x;
		struct rs_vec v;

		if ((rc = rs_bind_expr(b, r, &x)))
			return rc;
		if (x->kind != RS_X_CONST)
			return rs_errf(q->err, -EINVAL, "right side of IN must be constant or a subquery");
		if (rs_col_is_null(&x->cv, 0))
			return 0;
		v.c = &x->cv;
		v.is_const = 1;
		rc = rs_cast(q, &v, 1, t, 0, vals);
		rs_expr_free(x);
		return rc;
	}
}

static int bind_in(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	struct rs_expr *l;
	struct rs_col vals;
	int rc;

	if (e->nargs != 2)
		return rs_errf(b->qc->err, -EINVAL, "function '%s' takes 2 arguments", e->name);
	if ((rc = rs_bind_expr(b, e->args[0], &l)))
		return rc;
	rs_col_init(&vals, rs_type_base(l->type));
	rc = in_values(b, e->args[1], rs_type_base(l->type), &vals);
	if (!rc)
		rc = rs_expr_in(b->qc, l, &vals, !strcmp(e->name, "notIn"), out);
	rs_col_release(&vals);
	return rc;
}

static int scalar_subq(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	struct rs_col c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = rs_run_subquery(b, e->sel, &c)))
		return rc;
	if (c.n > 1) {
		rs_col_release(&c);
		return rs_errf(b->qc->err, -EINVAL, "scalar subquery returned more than one row");
	}
	if (c.n == 0 && rs_col_push_zero(&c)) {
		rs_col_release(&c);
		return rs_errf(b->qc->err, -ENOMEM, "out of memory");
	}
	*out = rs_expr_const(b->qc, &c, 0);
	rs_col_release(&c);
	return 0;
}

static int func(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	struct rs_qctx *q = b->qc;
	struct rs_expr *args[64];
	const char *name = e->name;
	struct rs_ast **av = e->args;
	unsigned n = e->nargs;
	char fname[64];
	int rc;

	if (e->over)
		return rs_errf(q->err, -EINVAL, "window functions are not supported yet");
	if (rs_fn_is_agg(name) || e->distinct) {
		if (b->where)
			return rs_errf(q->err, -EINVAL, "aggregate function '%s' is found in %s",
				       name, b->where);
		return rs_errf(q->err, -EINVAL,
			       "aggregate function '%s' is found inside another aggregate function", name);
	}
	if (!strcmp(name, "in") || !strcmp(name, "notIn") || !strcmp(name, "globalIn"))
		return bind_in(b, e, out);
	if (!strcmp(name, "tuple") || !strcmp(name, "tupleElement"))
		return rs_errf(q->err, -EINVAL, "tuples are not supported yet");
	if (!strcmp(name, "arrayJoin"))
		return rs_bind_ajoin_fn(b, e, out);
	if (n > 64)
		return rs_errf(q->err, -EINVAL, "too many arguments for function '%s'", name);
	/* d +- INTERVAL n unit -> addUnits / subtractUnits */
	if ((!strcmp(name, "plus") || !strcmp(name, "minus")) && n == 2) {
		int k = -1;

		if (av[1]->kind == RS_A_FUNC && !strncmp(av[1]->name, "toInterval", 10))
			k = 1;
		else if (!strcmp(name, "plus") && av[0]->kind == RS_A_FUNC &&
			 !strncmp(av[0]->name, "toInterval", 10))
			k = 0;
		if (k >= 0 && av[k]->nargs == 1) {
			struct rs_ast *tmp[2] = { av[1 - k], av[k]->args[0] };

			snprintf(fname, sizeof(fname), "%s%ss", name[0] == 'p' ? "add" : "subtract",
				 av[k]->name + 10);
			name = fname;
			av = rs_arena_alloc(&b->q->a, sizeof(tmp));
			memcpy(av, tmp, sizeof(tmp));
		}
	}
	if (!strncmp(name, "toInterval", 10))
		return rs_errf(q->err, -EINVAL, "INTERVAL is only supported next to + and -");
	{
		const struct rs_fn *fn = rs_fn_find(name);

		if (fn && (fn->flags & RS_FN_LAMBDA) && n >= 2 && av[0]->kind == RS_A_LAMBDA) {
			struct rs_ast *lam = av[0];
			struct rs_expr *l, *body;
			unsigned save = b->nlparams;

			for (unsigned i = 1; i < n; i++)
				if ((rc = rs_bind_expr(b, av[i], &args[i])))
					return rc;
			if (lam->nparts != n - 1)
				return rs_errf(q->err, -EINVAL, "lambda of '%s' must take %u parameters",
					       name, n - 1);
			b->lparams = rs_arena_alloc(&b->q->a, (save + lam->nparts) * sizeof(char *));
			b->ltypes = rs_arena_alloc(&b->q->a, (save + lam->nparts) * sizeof(void *));
			if (save)
				return rs_errf(q->err, -EINVAL, "nested lambdas are not supported yet");
			for (unsigned i = 0; i < lam->nparts; i++) {
				const struct rs_type *at = rs_type_base(args[i + 1]->type);

				if (at->id != RS_T_ARRAY)
					return rs_errf(q->err, -EINVAL, "argument %u of '%s' must be an array",
						       i + 2, name);
				b->lparams[i] = lam->parts[i];
				b->ltypes[i] = at->sub;
			}
			b->nlparams = lam->nparts;
			rc = rs_bind_expr(b, lam->args[0], &body);
			b->nlparams = save;
			if (rc)
				return rc;
			l = rs_expr_new(q->a, RS_X_LAMBDA);
			l->nparams = lam->nparts;
			l->nargs = 1;
			l->args = rs_arena_alloc(&b->q->a, sizeof(*l->args));
			l->args[0] = body;
			l->type = body->type;
			args[0] = l;
			return rs_expr_func(q, name, args, n, out);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (av[i]->kind == RS_A_LAMBDA)
			return rs_errf(q->err, -EINVAL, "unexpected lambda in function '%s'", name);
		if ((rc = rs_bind_expr(b, av[i], &args[i])))
			return rc;
	}
	return rs_expr_func(q, name, args, n, out);
}

int rs_bind_expr(struct bctx *b, struct rs_ast *e, struct rs_expr **out)
{
	if (b->post && e->kind != RS_A_LIT) {
		char *c = rs_bind_canon(b, e);

		for (unsigned i = 0; i < b->nnames; i++)
			if (!strcmp(b->names[i], c)) {
				struct rs_expr *x = rs_expr_new(b->qc->a, RS_X_COL);
				x->pos = &b->pos[i];
				x->type = b->src->cols[i].type;
				*out = x;
				return 0;
			}
	}
	if (e->kind == RS_A_FUNC && e->over)
		return rs_bind_window_ref(b, e, out);
	switch (e->kind) {
	case RS_A_LIT: return lit(b, e, out);
	case RS_A_IDENT: return ident(b, e, out);
	case RS_A_FUNC: return func(b, e, out);
	case RS_A_SUBQ: return scalar_subq(b, e, out);
	case RS_A_STAR:
		return rs_errf(b->qc->err, -EINVAL, "'*' is not allowed here");
	case RS_A_LAMBDA:
		return rs_errf(b->qc->err, -EINVAL, "unexpected lambda");
	}
	return -EINVAL;
}
