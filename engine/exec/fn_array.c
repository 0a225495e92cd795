/*
 * fn_array.c - arrays: array literal, has, range, arrayElement,
 * arrayStringConcat, arrayEnumerate, arrayMap and arrayFilter (lambdas).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../types/value.h"
#include "fn_int.h"

static const struct rs_type *elem_type(const struct rs_expr *x)
{
	const struct rs_type *t = rs_type_base(x->type);

	return t->id == RS_T_ARRAY ? t->sub : NULL;
}

static int arr_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *t = e->nargs ? e->args[0]->type : rs_qtype(q, RS_T_NOTHING);

	for (unsigned i = 1; i < e->nargs; i++)
		if (!(t = rs_supertype(q, t, e->args[i]->type)))
			return rs_fn_bad_args(q, e);
	if (rs_type_base(t)->id == RS_T_LOWCARD)
		t = rs_type_base(t);
	e->type = rs_qtype_array(q, t);
	return 0;
}

static int arr_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	const struct rs_type *et = rs_type_base(e->type)->sub;

	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		for (unsigned k = 0; k < e->nargs; k++) {
			int rc;

			if (rs_type_equal(a[k].c->type, et))
				rc = rs_col_append(out->child, a[k].c, rs_vrow(&a[k], i), 1);
			else {
				struct rs_col tmp;
				rs_col_init(&tmp, a[k].c->type);
				rc = rs_col_append(&tmp, a[k].c, rs_vrow(&a[k], i), 1);
				if (!rc) {
					struct rs_vec tv = { &tmp, 1 };
					rc = rs_cast(q, &tv, 1, et, 0, out->child);
				}
				rs_col_release(&tmp);
			}
			if (rc)
				return rc == -ENOMEM ? rs_fn_nomem(q) : rc;
		}
		if (rs_col_array_close(out))
			return rs_fn_nomem(q);
	}
	return 0;
}

static int has_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *et = elem_type(e->args[0]);

	if (!et)
		return rs_fn_bad_args(q, e);
	e->mode = rs_type_equal(rs_type_base(et), rs_type_base(e->args[1]->type));
	if (!e->mode && !(rs_type_is_num(et) && rs_type_is_num(e->args[1]->type)))
		return rs_fn_bad_args(q, e);
	e->type = rs_qtype(q, RS_T_UINT8);
	return 0;
}

static int has_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	int64_t *t = rs_scratch(e, 0, n * 8 + 8);

	if (!t)
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		size_t r = rs_vrow(&a[0], i), x = rs_vrow(&a[1], i);
		const struct rs_col *ch = a[0].c->child;

		t[i] = 0;
		for (uint64_t k = a[0].c->offs[r]; k < a[0].c->offs[r + 1] && !t[i]; k++)
			t[i] = e->mode ? rs_row_eq(ch, k, a[1].c, x) :
				rs_get_f64(ch, k) == rs_get_f64(a[1].c, x);
	}
	return rs_store_i64(out, t, n) ? rs_fn_nomem(q) : 0;
}

static int range_bind(struct rs_qctx *q, struct rs_expr *e)
{
	for (unsigned i = 0; i < e->nargs; i++)
		if (!rs_type_is_num(e->args[i]->type))
			return rs_fn_bad_args(q, e);
	e->type = rs_qtype_array(q, rs_qtype(q, RS_T_UINT64));
	return 0;
}

static int range_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		      struct rs_col *out)
{
	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		int64_t lo = 0, hi, step = 1;

		hi = rs_get_i64(a[0].c, rs_vrow(&a[0], i));
		if (e->nargs >= 2) {
			lo = hi;
			hi = rs_get_i64(a[1].c, rs_vrow(&a[1], i));
		}
		if (e->nargs == 3)
			step = rs_get_i64(a[2].c, rs_vrow(&a[2], i));
		if (step <= 0)
			return rs_errf(q->err, -EINVAL, "step of function 'range' must be positive");
		if (hi - lo > 100000000 / (step ? step : 1))
			return rs_errf(q->err, -EINVAL, "function 'range' would make too many elements");
		for (int64_t v = lo; v < hi; v += step) {
			uint64_t u = (uint64_t)v;
			if (rs_col_push_fixed(out->child, &u))
				return rs_fn_nomem(q);
		}
		if (rs_col_array_close(out))
			return rs_fn_nomem(q);
	}
	return 0;
}

static int elem_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *et = elem_type(e->args[0]);

	if (!et || !rs_type_is_num(e->args[1]->type))
		return rs_fn_bad_args(q, e);
	e->type = et;
	return 0;
}

static int elem_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		     struct rs_col *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t r = rs_vrow(&a[0], i);
		int64_t k = rs_get_i64(a[1].c, rs_vrow(&a[1], i));
		int64_t len = (int64_t)(a[0].c->offs[r + 1] - a[0].c->offs[r]);
		int rc;

		if (k < 0)
			k = len + k + 1;
		if (k >= 1 && k <= len)
			rc = rs_col_append(out, a[0].c->child, a[0].c->offs[r] + (uint64_t)k - 1, 1);
		else
			rc = out->nulls ? rs_col_push_null(out) : rs_col_push_zero(out);
		if (rc)
			return rs_fn_nomem(q);
	}
	return 0;
}

static int concat_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *et = elem_type(e->args[0]);

	if (!et || (e->nargs > 1 && rs_ncls(e->args[1]->type) != RS_NC_STR))
		return rs_fn_bad_args(q, e);
	e->type = rs_qtype(q, RS_T_STRING);
	return 0;
}

static int concat_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		       struct rs_col *out)
{
	struct rs_buf b = RS_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		size_t r = rs_vrow(&a[0], i), sl = 0;
		const char *sep = e->nargs > 1 ? rs_col_str(a[1].c, rs_vrow(&a[1], i), &sl) : "";

		rs_buf_reset(&b);
		for (uint64_t k = a[0].c->offs[r]; k < a[0].c->offs[r + 1] && !rc; k++) {
			if (k > a[0].c->offs[r])
				rc = rs_buf_add(&b, sep, sl);
			rc = rc ?: rs_value_render(a[0].c->child, k, RS_RENDER_TEXT, &b);
		}
		rc = rc ?: rs_col_push_str(out, b.data ? b.data : "", b.len);
	}
	rs_buf_release(&b);
	return rc ? rs_fn_nomem(q) : 0;
}

/* arrayMap(x -> f(x), arr), arrayFilter(x -> cond(x), arr): one array argument */
static int map_bind(struct rs_qctx *q, struct rs_expr *e)
{
	if (e->args[0]->kind != RS_X_LAMBDA || e->nargs != 2 || !elem_type(e->args[1]))
		return rs_fn_bad_args(q, e);
	e->mode = !strcmp(e->fn->name, "arrayFilter");
	e->type = e->mode ? rs_type_base(e->args[1]->type) :
		rs_qtype_array(q, e->args[0]->args[0]->type);
	return 0;
}

static int map_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	const struct rs_col *arr = a[1].c;
	struct rs_col elems;
	struct rs_vec res;
	int rc;

	if (a[1].is_const && n > 1)
		return rs_errf(q->err, -EINVAL, "constant array in '%s' is not supported yet",
			       e->fn->name);
	elems = *arr->child;
	if ((rc = rs_lambda_eval(q, e->args[0], &elems, 1, elems.n, &res)))
		return rc;
	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = arr->offs[i], en = arr->offs[i + 1];

		for (uint64_t k = b; k < en; k++) {
			if (e->mode) {
				if (rs_vtrue(&res, k) && rs_col_append(out->child, arr->child, k, 1))
					return rs_fn_nomem(q);
			} else if (rs_col_append(out->child, res.c, rs_vrow(&res, k), 1)) {
				return rs_fn_nomem(q);
			}
		}
		if (rs_col_array_close(out))
			return rs_fn_nomem(q);
	}
	return 0;
}

/* arrayEnumerate(arr) = [1, 2, ..., length(arr)] as Array(UInt32) */
static int enum_bind(struct rs_qctx *q, struct rs_expr *e)
{
	if (!elem_type(e->args[0]))
		return rs_fn_bad_args(q, e);
	e->type = rs_qtype_array(q, rs_qtype(q, RS_T_UINT32));
	return 0;
}

static int enum_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		     struct rs_col *out)
{
	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		size_t r = rs_vrow(&a[0], i);
		uint32_t len = (uint32_t)(a[0].c->offs[r + 1] - a[0].c->offs[r]);

		for (uint32_t k = 1; k <= len; k++)
			if (rs_col_push_fixed(out->child, &k))
				return rs_fn_nomem(q);
		if (rs_col_array_close(out))
			return rs_fn_nomem(q);
	}
	return 0;
}

const struct rs_fn rs_fns_array[] = {
	{ "arrayEnumerate", 1, 1, 0, enum_bind, enum_exec },
	{ "array", 0, -1, RS_FN_NULLS, arr_bind, arr_exec },
	{ "has", 2, 2, 0, has_bind, has_exec },
	{ "range", 1, 3, 0, range_bind, range_exec },
	{ "arrayElement", 2, 2, 0, elem_bind, elem_exec },
	{ "arrayStringConcat", 1, 2, 0, concat_bind, concat_exec },
	{ "arrayMap", 2, 2, RS_FN_LAMBDA, map_bind, map_exec },
	{ "arrayFilter", 2, 2, RS_FN_LAMBDA, map_bind, map_exec },
	{ NULL, 0, 0, 0, NULL, NULL },
};
