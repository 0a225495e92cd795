/*
 * fn_ops.c - operators as functions: arithmetic (plus minus multiply
 * divide intDiv modulo negate abs), comparisons (equals notEquals less
 * greater lessOrEquals greaterOrEquals) and logic (and or not xor).
 * Result types follow ClickHouse: integer + integer widens to the next size,
 * '/' is Float64, comparisons and logic are UInt8.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../types/value.h"
#include "fn_int.h"

static int int_width(enum rs_type_id id, int *sgn)
{
	switch (id) {
	case RS_T_UINT8: case RS_T_BOOL: *sgn = 0; return 1;
	case RS_T_UINT16: *sgn = 0; return 2;
	case RS_T_UINT32: *sgn = 0; return 4;
	case RS_T_UINT64: *sgn = 0; return 8;
	case RS_T_INT8: *sgn = 1; return 1;
	case RS_T_INT16: *sgn = 1; return 2;
	case RS_T_INT32: *sgn = 1; return 4;
	case RS_T_INT64: *sgn = 1; return 8;
	default: *sgn = 0; return 0;
	}
}

enum rs_type_id rs_int_type(int width, int sgn)
{
	static const enum rs_type_id s[] = { RS_T_INT8, RS_T_INT16, RS_T_INT32, RS_T_INT64 };
	static const enum rs_type_id u[] = { RS_T_UINT8, RS_T_UINT16, RS_T_UINT32, RS_T_UINT64 };
	int k = width <= 1 ? 0 : width <= 2 ? 1 : width <= 4 ? 2 : 3;

	return sgn ? s[k] : u[k];
}

/* ---- arithmetic ---- */

enum { OP_PLUS, OP_MINUS, OP_MUL, OP_DIV, OP_IDIV, OP_MOD };

static int op_of(const char *name)
{
	if (!strcmp(name, "plus")) return OP_PLUS;
	if (!strcmp(name, "minus")) return OP_MINUS;
	if (!strcmp(name, "multiply")) return OP_MUL;
	if (!strcmp(name, "divide")) return OP_DIV;
	if (!strcmp(name, "intDiv")) return OP_IDIV;
	return OP_MOD;
}

static int arith_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *a = rs_type_base(e->args[0]->type), *b = rs_type_base(e->args[1]->type);
	int op = op_of(e->fn->name), sa, sb, wa = int_width(a->id, &sa), wb = int_width(b->id, &sb);

	e->mode = op;
	if (op == OP_DIV) {
		if (!rs_type_is_num(a) || !rs_type_is_num(b))
			goto bad;
		e->type = rs_qtype(q, RS_T_FLOAT64);
		return 0;
	}
	if ((op == OP_PLUS || op == OP_MINUS) && rs_type_is_date(a) && wb) {
		e->type = a;
		return 0;
	}
	if (op == OP_PLUS && rs_type_is_date(b) && wa) {
		e->type = b;
		return 0;
	}
	if (op == OP_MINUS && rs_type_is_date(a) && rs_type_is_date(b)) {
		e->type = rs_qtype(q, RS_T_INT64);
		return 0;
	}
	if (!rs_type_is_num(a) || !rs_type_is_num(b))
		goto bad;
	if (!wa || !wb) {
		e->type = rs_qtype(q, RS_T_FLOAT64);
		return 0;
	}
	if (op == OP_IDIV) {
		e->type = rs_qtype(q, rs_int_type(wa, sa || sb));
		return 0;
	}
	if (op == OP_MOD) {
		e->type = rs_qtype(q, rs_int_type(wb, sa || sb));
		return 0;
	}
	{
		int w = RS_MAX(wa, wb), sg = sa || sb || op == OP_MINUS;
		e->type = rs_qtype(q, rs_int_type(w * 2 > 8 ? 8 : w * 2, sg));
	}
	return 0;
bad:
	return rs_fn_bad_args(q, e);
}

static int arith_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		      struct rs_col *out)
{
	int op = e->mode;

	if (rs_ncls(e->type) == RS_NC_FLOAT) {
		double *x = rs_scratch(e, 0, n * 8 + 8), *y = rs_scratch(e, 1, n * 8 + 8);

		if (!x || !y)
			return rs_fn_nomem(q);
		rs_load_f64(&a[0], n, x);
		rs_load_f64(&a[1], n, y);
		switch (op) {
		case OP_PLUS: for (size_t i = 0; i < n; i++) x[i] += y[i]; break;
		case OP_MINUS: for (size_t i = 0; i < n; i++) x[i] -= y[i]; break;
		case OP_MUL: for (size_t i = 0; i < n; i++) x[i] *= y[i]; break;
		case OP_DIV: for (size_t i = 0; i < n; i++) x[i] /= y[i]; break;
		case OP_MOD: for (size_t i = 0; i < n; i++) x[i] = fmod(x[i], y[i]); break;
		case OP_IDIV:
			for (size_t i = 0; i < n; i++) {
				if (y[i] == 0)
					return rs_errf(q->err, -EINVAL, "division by zero");
				x[i] = floor(x[i] / y[i]);
			}
			break;
		}
		return rs_store_f64(out, x, n) ? rs_fn_nomem(q) : 0;
	}
	{
		int64_t *x = rs_scratch(e, 0, n * 8 + 8), *y = rs_scratch(e, 1, n * 8 + 8);
		int date_days = 0;

		if (!x || !y)
			return rs_fn_nomem(q);
		rs_load_i64(&a[0], n, x);
		rs_load_i64(&a[1], n, y);
		if (op == OP_MINUS && rs_type_is_date(a[0].c->type) && rs_type_is_date(a[1].c->type)) {
			int da = rs_type_base(a[0].c->type)->id != RS_T_DATETIME;
			int db = rs_type_base(a[1].c->type)->id != RS_T_DATETIME;
			if (da != db)
				for (size_t i = 0; i < n; i++) {
					if (da) x[i] *= 86400;
					else y[i] *= 86400;
				}
		}
		(void)date_days;
		switch (op) {
		case OP_PLUS: for (size_t i = 0; i < n; i++) x[i] = (int64_t)((uint64_t)x[i] + (uint64_t)y[i]); break;
		case OP_MINUS: for (size_t i = 0; i < n; i++) x[i] = (int64_t)((uint64_t)x[i] - (uint64_t)y[i]); break;
		case OP_MUL: for (size_t i = 0; i < n; i++) x[i] = (int64_t)((uint64_t)x[i] * (uint64_t)y[i]); break;
		case OP_IDIV:
		case OP_MOD: {
			int uns = rs_ncls(a[0].c->type) == RS_NC_UINT && rs_ncls(a[1].c->type) == RS_NC_UINT;

			for (size_t i = 0; i < n; i++) {
				if (y[i] == 0)
					return rs_errf(q->err, -EINVAL, "division by zero");
				if (y[i] == -1 && !uns) {
					x[i] = op == OP_IDIV ? (int64_t)(0 - (uint64_t)x[i]) : 0;
					continue;
				}
				if (uns)
					x[i] = (int64_t)(op == OP_IDIV ? (uint64_t)x[i] / (uint64_t)y[i] :
							 (uint64_t)x[i] % (uint64_t)y[i]);
				else
					x[i] = op == OP_IDIV ? x[i] / y[i] : x[i] % y[i];
			}
			break;
		}
		default: break;
		}
		return rs_store_i64(out, x, n) ? rs_fn_nomem(q) : 0;
	}
}

static int neg_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *a = rs_type_base(e->args[0]->type);
	int sg, w = int_width(a->id, &sg);

	if (!rs_type_is_num(a))
		return rs_fn_bad_args(q, e);
	if (!strcmp(e->fn->name, "abs"))
		e->type = w ? rs_qtype(q, rs_int_type(w, 0)) : rs_qtype(q, RS_T_FLOAT64);
	else
		e->type = w ? rs_qtype(q, rs_int_type(sg ? w : (w * 2 > 8 ? 8 : w * 2), 1)) :
			rs_qtype(q, RS_T_FLOAT64);
	if (a->id == RS_T_FLOAT32)
		e->type = a;
	return 0;
}

static int neg_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	int absf = !strcmp(e->fn->name, "abs");

	if (rs_ncls(e->type) == RS_NC_FLOAT) {
		double *x = rs_scratch(e, 0, n * 8 + 8);
		if (!x)
			return rs_fn_nomem(q);
		rs_load_f64(&a[0], n, x);
		for (size_t i = 0; i < n; i++)
			x[i] = absf ? fabs(x[i]) : -x[i];
		return rs_store_f64(out, x, n) ? rs_fn_nomem(q) : 0;
	} else {
		int64_t *x = rs_scratch(e, 0, n * 8 + 8);
		if (!x)
			return rs_fn_nomem(q);
		rs_load_i64(&a[0], n, x);
		for (size_t i = 0; i < n; i++)
			x[i] = absf ? (x[i] < 0 ? (int64_t)(0 - (uint64_t)x[i]) : x[i]) :
				(int64_t)(0 - (uint64_t)x[i]);
		return rs_store_i64(out, x, n) ? rs_fn_nomem(q) : 0;
	}
}

/* ---- comparisons ---- */

enum { C_EQ, C_NE, C_LT, C_GT, C_LE, C_GE };
enum { CM_INT, CM_UINT, CM_FLT, CM_STR, CM_GEN };

static int cmp_op(const char *name)
{
	if (!strcmp(name, "equals")) return C_EQ;
	if (!strcmp(name, "notEquals")) return C_NE;
	if (!strcmp(name, "less")) return C_LT;
	if (!strcmp(name, "greater")) return C_GT;
	if (!strcmp(name, "lessOrEquals")) return C_LE;
	return C_GE;
}

/* Convert a constant string argument to the other side's type (dates, numbers). */
static int coerce_const(struct rs_qctx *q, struct rs_expr *e, unsigned k, const struct rs_type *to)
{
	struct rs_expr *c = e->args[k];
	struct rs_vec v = { &c->cv, 1 };
	struct rs_col out;
	int rc;

	rs_col_init(&out, rs_type_base(to));
	if ((rc = rs_cast(q, &v, 1, rs_type_base(to), 0, &out))) {
		rs_col_release(&out);
		return rc;
	}
	e->args[k] = rs_expr_const(q, &out, 0);
	rs_col_release(&out);
	return 0;
}

int rs_cmp_coerce(struct rs_qctx *q, struct rs_expr *e)
{
	for (unsigned k = 0; k < 2; k++) {
		const struct rs_type *me = rs_type_base(e->args[k]->type);
		const struct rs_type *other = rs_type_base(e->args[1 - k]->type);

		if (e->args[k]->kind == RS_X_CONST && rs_ncls(me) == RS_NC_STR &&
		    rs_ncls(other) != RS_NC_STR && rs_ncls(other) != RS_NC_OTHER)
			return coerce_const(q, e, k, other);
	}
	return 0;
}

static int cmp_mode(const struct rs_type *a, const struct rs_type *b)
{
	enum rs_ncls ca = rs_ncls(a), cb = rs_ncls(b);

	if (ca == RS_NC_STR && cb == RS_NC_STR)
		return CM_STR;
	if (ca == RS_NC_OTHER || cb == RS_NC_OTHER || ca == RS_NC_STR || cb == RS_NC_STR)
		return CM_GEN;
	if (ca == RS_NC_FLOAT || cb == RS_NC_FLOAT)
		return CM_FLT;
	if (ca == RS_NC_UINT && cb == RS_NC_UINT)
		return CM_UINT;
	return CM_INT;
}

static int cmp_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *a, *b;
	int rc;

	if ((rc = rs_cmp_coerce(q, e)))
		return rc;
	a = rs_type_base(e->args[0]->type);
	b = rs_type_base(e->args[1]->type);
	e->mode = cmp_mode(a, b) | cmp_op(e->fn->name) << 4;
	if ((e->mode & 15) == CM_GEN && !rs_type_equal(a, b)) {
		if (a->id == RS_T_ARRAY && b->id == RS_T_ARRAY)
			;
		else if (!(rs_type_is_date(a) && rs_type_is_date(b)))
			return rs_fn_bad_args(q, e);
	}
	e->type = rs_qtype(q, RS_T_UINT8);
	return 0;
}

static inline int apply(int op, int c)
{
	switch (op) {
	case C_EQ: return c == 0;
	case C_NE: return c != 0;
	case C_LT: return c < 0;
	case C_GT: return c > 0;
	case C_LE: return c <= 0;
	default: return c >= 0;
	}
}

#define CMP_LOOP(T, X, Y) do { \
	switch (op) { \
	case C_EQ: for (size_t i = 0; i < n; i++) d[i] = (T)X[i] == (T)Y[i]; break; \
	case C_NE: for (size_t i = 0; i < n; i++) d[i] = (T)X[i] != (T)Y[i]; break; \
	case C_LT: for (size_t i = 0; i < n; i++) d[i] = (T)X[i] < (T)Y[i]; break; \
	case C_GT: for (size_t i = 0; i < n; i++) d[i] = (T)X[i] > (T)Y[i]; break; \
	case C_LE: for (size_t i = 0; i < n; i++) d[i] = (T)X[i] <= (T)Y[i]; break; \
	default: for (size_t i = 0; i < n; i++) d[i] = (T)X[i] >= (T)Y[i]; break; \
	} } while (0)

static int cmp_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	int mode = e->mode & 15, op = e->mode >> 4;
	uint8_t *d;

	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	d = out->data;
	if (mode == CM_STR) {
		const struct rs_col *x = a[0].c, *y = a[1].c;

		if (a[1].is_const && !a[0].is_const && (op == C_EQ || op == C_NE)) {
			size_t lb;
			const char *sb = rs_col_str(y, 0, &lb);
			const uint64_t *o = x->offs;
			uint8_t want = op == C_EQ;

			if (lb && lb <= 16) {	/* short constant: inline compare, first byte first */
				for (size_t i = 0; i < n; i++) {
					const char *s = (const char *)x->bytes + o[i];
					size_t j = 0;

					if (o[i + 1] - o[i] == lb)
						while (j < lb && s[j] == sb[j])
							j++;
					d[i] = (o[i + 1] - o[i] == lb && j == lb) == want;
				}
			} else {
				for (size_t i = 0; i < n; i++)
					d[i] = ((o[i + 1] - o[i] == lb) &&
						!memcmp(x->bytes + o[i], sb, lb)) == want;
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				size_t la, lb;
				const char *sa = rs_col_str(x, rs_vrow(&a[0], i), &la);
				const char *sb = rs_col_str(y, rs_vrow(&a[1], i), &lb);
				int c = memcmp(sa, sb, la < lb ? la : lb);

				if (!c)
					c = la < lb ? -1 : la > lb;
				d[i] = (uint8_t)apply(op, c);
			}
		}
	} else if (mode == CM_GEN) {
		struct rs_col ca, cb;
		int conv = rs_type_is_date(a[0].c->type) && rs_type_is_date(a[1].c->type);

		for (size_t i = 0; i < n; i++) {
			if (conv) {
				int64_t x = rs_get_i64(a[0].c, rs_vrow(&a[0], i));
				int64_t y = rs_get_i64(a[1].c, rs_vrow(&a[1], i));
				if (rs_type_base(a[0].c->type)->id != RS_T_DATETIME) x *= 86400;
				if (rs_type_base(a[1].c->type)->id != RS_T_DATETIME) y *= 86400;
				d[i] = (uint8_t)apply(op, x < y ? -1 : x > y);
				continue;
			}
			ca = *a[0].c;
			cb = *a[1].c;
			d[i] = (uint8_t)apply(op, rs_value_cmp(&ca, rs_vrow(&a[0], i), &cb,
							       rs_vrow(&a[1], i)));
		}
	} else if (mode == CM_FLT) {
		double *x = rs_scratch(e, 0, n * 8 + 8), *y = rs_scratch(e, 1, n * 8 + 8);

		if (!x || !y)
			return rs_fn_nomem(q);
		rs_load_f64(&a[0], n, x);
		rs_load_f64(&a[1], n, y);
		CMP_LOOP(double, x, y);
	} else {
		int64_t *x = rs_scratch(e, 0, n * 8 + 8), *y = rs_scratch(e, 1, n * 8 + 8);

		if (!x || !y)
			return rs_fn_nomem(q);
		rs_load_i64(&a[0], n, x);
		rs_load_i64(&a[1], n, y);
		if (mode == CM_UINT)
			CMP_LOOP(uint64_t, x, y);
		else
			CMP_LOOP(int64_t, x, y);
	}
	out->n = n;
	return 0;
}

/* ---- logic ---- */

static int logic_bind(struct rs_qctx *q, struct rs_expr *e)
{
	for (unsigned i = 0; i < e->nargs; i++)
		if (!rs_type_is_num(e->args[i]->type) && e->args[i]->type->id != RS_T_NOTHING)
			return rs_fn_bad_args(q, e);
	e->type = rs_qtype(q, RS_T_UINT8);
	return 0;
}

static void truth(const struct rs_vec *v, size_t n, uint8_t *t)
{
	const struct rs_col *c = v->c;

	if (v->is_const) {
		memset(t, rs_vtrue(v, 0), n);
		return;
	}
	if (c->width == 1) {
		for (size_t i = 0; i < n; i++)
			t[i] = c->data[i] != 0;
	} else {
		for (size_t i = 0; i < n; i++)
			t[i] = rs_get_f64(c, i) != 0;
	}
	if (c->nulls)
		for (size_t i = 0; i < n; i++)
			t[i] &= !c->nulls[i];
}

static int logic_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		      struct rs_col *out)
{
	const char *f = e->fn->name;
	uint8_t *d, *t = rs_scratch(e, 0, n + 1);

	if (!t || rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	d = out->data;
	truth(&a[0], n, d);
	if (!strcmp(f, "not")) {
		for (size_t i = 0; i < n; i++)
			d[i] = !d[i];
	}
	for (unsigned k = 1; k < e->nargs; k++) {
		truth(&a[k], n, t);
		if (f[0] == 'a')
			for (size_t i = 0; i < n; i++) d[i] &= t[i];
		else if (f[0] == 'o')
			for (size_t i = 0; i < n; i++) d[i] |= t[i];
		else
			for (size_t i = 0; i < n; i++) d[i] ^= t[i];
	}
	out->n = n;
	return 0;
}

/* and/or with three-valued logic: false AND NULL = false, true OR NULL = true */
static int kleene_bind(struct rs_qctx *q, struct rs_expr *e)
{
	int nul = 0;

	for (unsigned i = 0; i < e->nargs; i++) {
		const struct rs_type *b = rs_type_base(e->args[i]->type);

		if (!rs_type_is_num(b) && b->id != RS_T_NOTHING)
			return rs_fn_bad_args(q, e);
		nul |= rs_type_is_nullable(e->args[i]->type);
	}
	e->type = rs_qtype(q, RS_T_UINT8);
	if (nul)
		e->type = rs_qtype_nullable(q, e->type);
	return 0;
}

static int kleene_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		       struct rs_col *out)
{
	uint8_t dom = e->fn->name[0] == 'o';	/* the value that decides: or 1, and 0 */

	if (!rs_type_is_nullable(e->type))
		return logic_exec(q, e, a, n, out);
	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	for (size_t i = 0; i < n; i++) {
		int nul = 0, hit = 0;
		uint8_t v;

		for (unsigned k = 0; k < e->nargs && !hit; k++) {
			size_t r = rs_vrow(&a[k], i);

			if (a[k].c->nulls && a[k].c->nulls[r])
				nul = 1;
			else if (rs_vtrue(&a[k], i) == dom)
				hit = 1;
		}
		v = hit ? dom : !dom;
		if (!hit && nul ? rs_col_push_null(out) : rs_col_push_fixed(out, &v))
			return rs_fn_nomem(q);
	}
	return 0;
}

const struct rs_fn rs_fns_ops[] = {
	{ "plus", 2, 2, 0, arith_bind, arith_exec },
	{ "minus", 2, 2, 0, arith_bind, arith_exec },
	{ "multiply", 2, 2, 0, arith_bind, arith_exec },
	{ "divide", 2, 2, 0, arith_bind, arith_exec },
	{ "intDiv", 2, 2, 0, arith_bind, arith_exec },
	{ "modulo", 2, 2, 0, arith_bind, arith_exec },
	{ "negate", 1, 1, 0, neg_bind, neg_exec },
	{ "abs", 1, 1, 0, neg_bind, neg_exec },
	{ "equals", 2, 2, 0, cmp_bind, cmp_exec },
	{ "notEquals", 2, 2, 0, cmp_bind, cmp_exec },
	{ "less", 2, 2, 0, cmp_bind, cmp_exec },
	{ "greater", 2, 2, 0, cmp_bind, cmp_exec },
	{ "lessOrEquals", 2, 2, 0, cmp_bind, cmp_exec },
	{ "greaterOrEquals", 2, 2, 0, cmp_bind, cmp_exec },
	{ "and", 2, -1, RS_FN_NULLS, kleene_bind, kleene_exec },
	{ "or", 2, -1, RS_FN_NULLS, kleene_bind, kleene_exec },
	{ "xor", 2, -1, 0, logic_bind, logic_exec },
	{ "not", 1, 1, 0, logic_bind, logic_exec },
	{ NULL, 0, 0, 0, NULL, NULL },
};
