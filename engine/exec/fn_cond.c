/*
 * fn_cond.c - conditionals and NULL handling: if, multiIf, coalesce,
 * ifNull, nullIf, isNull, isNotNull, assumeNotNull; and IN sets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fn_int.h"

/* Append row r of src (same base layout as out) to out. */
static int put_row(struct rs_col *out, const struct rs_col *src, size_t r)
{
	if (src->nulls && src->nulls[r])
		return out->nulls ? rs_col_push_null(out) : rs_col_push_zero(out);
	if (rs_type_phys(out->type) == RS_PHYS_FIXED) {
		if (out->n >= out->cap && rs_col_reserve(out, out->cap ? out->cap : 16))
			return -ENOMEM;
		memcpy(out->data + out->n * out->width, src->data + r * src->width, out->width);
		if (out->nulls)
			out->nulls[out->n] = 0;
		out->n++;
		return 0;
	}
	if (rs_type_phys(out->type) == RS_PHYS_STRING) {
		size_t len;
		const char *s = rs_col_str(src, r, &len);
		return rs_col_push_str(out, s, len);
	}
	return rs_col_append(out, src, r, 1);
}

struct branches {
	struct rs_col *tmp;	/* per argument: converted column (or unused) */
	unsigned n;
};

static void br_free(void *p)
{
	struct branches *b = p;

	if (!b)
		return;
	for (unsigned i = 0; i < b->n; i++)
		rs_col_release(&b->tmp[i]);
	free(b->tmp);
	free(b);
}

/* Result values of argument k converted to e->type; returns the column to read. */
static int conv(struct rs_qctx *q, struct rs_expr *e, unsigned k, struct rs_vec *v, size_t n,
		const struct rs_col **res, int *is_const)
{
	struct branches *b = e->st;

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b || !(b->tmp = calloc(e->nargs, sizeof(*b->tmp)))) {
			free(b);
			return rs_fn_nomem(q);
		}
		b->n = e->nargs;
		for (unsigned i = 0; i < e->nargs; i++)
			rs_col_init(&b->tmp[i], e->type);
		e->st = b;
		e->st_free = br_free;
	}
	*is_const = v->is_const;
	if (rs_type_equal(v->c->type, e->type) || (rs_type_equal(rs_type_base(v->c->type),
	    rs_type_base(e->type)) && (!v->c->nulls || e->type->id == RS_T_NULLABLE))) {
		*res = v->c;
		return 0;
	}
	rs_col_reset(&b->tmp[k]);
	*res = &b->tmp[k];
	return rs_cast(q, v, v->is_const ? 1 : n, e->type, 0, &b->tmp[k]);
}

static int if_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *t = NULL;
	int multi = !strcmp(e->fn->name, "multiIf");

	if (!multi && e->nargs != 3)
		return rs_fn_bad_args(q, e);
	if (e->nargs % 2 == 0)
		return rs_errf(q->err, -EINVAL, "function 'multiIf' needs an odd number of arguments");
	for (unsigned i = 0; i < e->nargs; i++) {
		const struct rs_type *a = e->args[i]->type;

		if (i % 2 == 0 && i + 1 < e->nargs) {
			if (!rs_type_is_num(a) && rs_type_base(a)->id != RS_T_NOTHING)
				return rs_fn_bad_args(q, e);
			continue;
		}
		t = t ? rs_supertype(q, t, a) : a;
		if (!t)
			return rs_fn_bad_args(q, e);
	}
	if (t->id == RS_T_NOTHING)
		t = rs_qtype_nullable(q, rs_qtype(q, RS_T_NOTHING));
	e->type = t;
	return 0;
}

static int if_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		   struct rs_col *out)
{
	const struct rs_col *vals[64];
	int cst[64], rc;
	unsigned nv = e->nargs / 2 + 1;

	if (e->nargs > 127)
		return rs_errf(q->err, -EINVAL, "too many branches in 'multiIf'");
	for (unsigned k = 0; k < nv; k++) {
		unsigned ai = k * 2 + 1 < e->nargs ? k * 2 + 1 : e->nargs - 1;
		if ((rc = conv(q, e, ai, &a[ai], n, &vals[k], &cst[k])))
			return rc;
	}
	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		unsigned k = 0;

		while (k + 1 < nv && !rs_vtrue(&a[k * 2], i))
			k++;
		if (put_row(out, vals[k], cst[k] ? 0 : i))
			return rs_fn_nomem(q);
	}
	return 0;
}

/* coalesce / ifNull / assumeNotNull */
static int coal_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *t = NULL;
	int all_null = 1;

	for (unsigned i = 0; i < e->nargs; i++) {
		t = t ? rs_supertype(q, t, e->args[i]->type) : e->args[i]->type;
		if (!t)
			return rs_fn_bad_args(q, e);
		if (!rs_type_is_nullable(e->args[i]->type) && e->args[i]->type->id != RS_T_NOTHING)
			all_null = 0;
	}
	if (t->id == RS_T_NOTHING)
		t = rs_qtype_nullable(q, t);
	else if (!all_null || !strcmp(e->fn->name, "assumeNotNull"))
		t = rs_type_base(t)->id == RS_T_ARRAY ? t : rs_type_base(t);
	e->type = t;
	return 0;
}

static int coal_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		     struct rs_col *out)
{
	const struct rs_col *vals[64];
	struct rs_col views[64];
	int cst[64], rc;

	if (e->nargs > 64)
		return rs_errf(q->err, -EINVAL, "too many arguments");
	for (unsigned k = 0; k < e->nargs; k++) {
		struct rs_vec v = a[k];

		if (v.c->nulls && !rs_type_is_nullable(e->type)) {
			views[k] = *v.c;	/* read values; NULL rows are skipped below */
			views[k].type = rs_type_base(v.c->type);
			views[k].nulls = NULL;
			v.c = &views[k];
			if ((rc = conv(q, e, k, &v, n, &vals[k], &cst[k])))
				return rc;
			continue;
		}
		if ((rc = conv(q, e, k, &a[k], n, &vals[k], &cst[k])))
			return rc;
	}
	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		unsigned k = 0;

		while (k + 1 < e->nargs && rs_col_is_null(a[k].c, rs_vrow(&a[k], i)))
			k++;
		if (rs_col_is_null(a[k].c, rs_vrow(&a[k], i)) && !out->nulls)
			rc = rs_col_push_zero(out);
		else
			rc = put_row(out, vals[k], cst[k] ? 0 : i);
		if (rc)
			return rs_fn_nomem(q);
	}
	return 0;
}

static int isnull_bind(struct rs_qctx *q, struct rs_expr *e)
{
	e->type = rs_qtype(q, RS_T_UINT8);
	e->mode = !strcmp(e->fn->name, "isNotNull");
	return 0;
}

static int isnull_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		       struct rs_col *out)
{
	int64_t *t = rs_scratch(e, 0, n * 8 + 8);

	if (!t)
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++)
		t[i] = (rs_col_is_null(a[0].c, rs_vrow(&a[0], i)) ||
			a[0].c->type->id == RS_T_NOTHING) ^ e->mode;
	return rs_store_i64(out, t, n) ? rs_fn_nomem(q) : 0;
}

static int nullif_bind(struct rs_qctx *q, struct rs_expr *e)
{
	int rc = rs_cmp_coerce(q, e);

	if (rc)
		return rc;
	e->type = rs_qtype_nullable(q, e->args[0]->type);
	return 0;
}

static int nullif_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		       struct rs_col *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t r0 = rs_vrow(&a[0], i), r1 = rs_vrow(&a[1], i);
		int eq = rs_type_equal(rs_type_base(a[0].c->type), rs_type_base(a[1].c->type)) ?
			rs_row_eq(a[0].c, r0, a[1].c, r1) :
			rs_get_f64(a[0].c, r0) == rs_get_f64(a[1].c, r1);
		int rc = eq ? rs_col_push_null(out) : put_row(out, a[0].c, r0);

		if (rc)
			return rs_fn_nomem(q);
	}
	return 0;
}

/* ---- IN ---- */

struct inset {
	struct rs_keyset ks;
	uint64_t *h;
	uint32_t *ids;
	size_t cap;
};

static void in_free(void *p)
{
	struct inset *s = p;

	if (!s)
		return;
	rs_keyset_release(&s->ks);
	free(s->h);
	free(s->ids);
	free(s);
}

static int in_bind(struct rs_qctx *q, struct rs_expr *e)
{
	e->type = rs_qtype(q, RS_T_UINT8);
	return 0;
}

static int in_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		   struct rs_col *out)
{
	struct inset *s = e->st;
	struct rs_vec v = a[0];
	struct rs_col view;
	uint8_t *d;

	if (n > s->cap) {
		free(s->h);
		free(s->ids);
		s->h = malloc(n * sizeof(*s->h));
		s->ids = malloc(n * sizeof(*s->ids));
		if (!s->h || !s->ids) {
			s->cap = 0;
			return rs_fn_nomem(q);
		}
		s->cap = n;
	}
	if (v.c->nulls) {
		view = *v.c;
		view.nulls = NULL;
		view.type = rs_type_base(v.c->type);
		v.c = &view;
	}
	rs_hash_vec(&v, n, s->h, 1);
	rs_keyset_find(&s->ks, &v, n, s->h, s->ids);
	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	d = out->data;
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)((s->ids[i] != UINT32_MAX) ^ e->mode);
	out->n = n;
	return 0;
}

static const struct rs_fn in_fn = { "in", 2, 2, 0, in_bind, in_exec };

/*
 * x [NOT] IN set: vals holds the set's values already converted to x's base
 * type (NULLs dropped). Takes nothing from vals (copies).
 */
int rs_expr_in(struct rs_qctx *q, struct rs_expr *x, const struct rs_col *vals, int neg,
	       struct rs_expr **out)
{
	struct inset *s = calloc(1, sizeof(*s));
	const struct rs_type *t = rs_type_base(x->type);
	struct rs_expr *e;
	struct rs_vec v = { vals, 0 };
	uint64_t *h;
	uint32_t *ids;
	int rc;

	if (!s)
		return rs_fn_nomem(q);
	rs_keyset_init(&s->ks, q, 1, &t);
	h = malloc((vals->n + 1) * sizeof(*h));
	ids = malloc((vals->n + 1) * sizeof(*ids));
	if (!h || !ids) {
		free(h);
		free(ids);
		in_free(s);
		return rs_fn_nomem(q);
	}
	rs_hash_vec(&v, vals->n, h, 1);
	rc = rs_keyset_add(&s->ks, &v, vals->n, h, ids, NULL);
	free(h);
	free(ids);
	if (rc) {
		in_free(s);
		return rc;
	}
	e = rs_expr_new(q->a, RS_X_FUNC);
	e->fn = &in_fn;
	e->name = neg ? "notIn" : "in";
	e->nargs = 1;
	e->args = rs_arena_alloc(q->a, sizeof(*e->args));
	e->args[0] = x;
	e->st = s;
	e->st_free = in_free;
	e->mode = neg;
	e->type = rs_qtype(q, RS_T_UINT8);
	e->inner = e->type;
	rs_col_init(&e->out, e->type);
	*out = e;
	return 0;
}

const struct rs_fn rs_fns_cond[] = {
	{ "if", 3, 3, RS_FN_NULLS, if_bind, if_exec },
	{ "multiIf", 3, -1, RS_FN_NULLS, if_bind, if_exec },
	{ "coalesce", 1, -1, RS_FN_NULLS, coal_bind, coal_exec },
	{ "ifNull", 2, 2, RS_FN_NULLS, coal_bind, coal_exec },
	{ "assumeNotNull", 1, 1, RS_FN_NULLS, coal_bind, coal_exec },
	{ "isNull", 1, 1, RS_FN_NULLS, isnull_bind, isnull_exec },
	{ "isNotNull", 1, 1, RS_FN_NULLS, isnull_bind, isnull_exec },
	{ "nullIf", 2, 2, RS_FN_NULLS, nullif_bind, nullif_exec },
	{ NULL, 0, 0, 0, NULL, NULL },
};
