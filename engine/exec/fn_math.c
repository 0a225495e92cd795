/*
 * fn_math.c - round (banker's-free, as ClickHouse: x * 10^n rounded to
 * nearest even then divided), floor, ceil, trunc, sqrt, exp, log, log2,
 * log10, power, greatest, least.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "fn_int.h"

enum { M_ROUND, M_FLOOR, M_CEIL, M_TRUNC, M_SQRT, M_EXP, M_LOG, M_LOG2, M_LOG10, M_POW,
       M_GREATEST, M_LEAST };

static const char *mnames[] = { "round", "floor", "ceil", "trunc", "sqrt", "exp", "log",
				"log2", "log10", "power", "greatest", "least" };

static int m_bind(struct rs_qctx *q, struct rs_expr *e)
{
	for (int i = 0; i <= M_LEAST; i++)
		if (!strcmp(mnames[i], e->fn->name))
			e->mode = i;
	for (unsigned i = 0; i < e->nargs; i++)
		if (!rs_type_is_num(e->args[i]->type) && !(e->mode >= M_GREATEST &&
		    rs_type_is_date(e->args[i]->type)))
			return rs_fn_bad_args(q, e);
	if (e->mode <= M_TRUNC) {
		if (e->nargs > 1 && e->args[1]->kind != RS_X_CONST)
			return rs_errf(q->err, -EINVAL, "second argument of function '%s' must be constant",
				       e->fn->name);
		e->type = rs_type_base(e->args[0]->type);
		if (rs_type_base(e->type)->id == RS_T_BOOL)
			e->type = rs_qtype(q, RS_T_UINT8);
	} else if (e->mode >= M_GREATEST) {
		e->type = rs_supertype(q, e->args[0]->type, e->args[1]->type);
		if (!e->type)
			return rs_fn_bad_args(q, e);
	} else {
		e->type = rs_qtype(q, RS_T_FLOAT64);
	}
	return 0;
}

static int m_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		  struct rs_col *out)
{
	double *x = rs_scratch(e, 0, n * 8 + 8), *y = rs_scratch(e, 1, n * 8 + 8);
	int digits = 0;

	if (!x || !y)
		return rs_fn_nomem(q);
	if (e->mode <= M_TRUNC && rs_ncls(e->type) != RS_NC_FLOAT) {
		int64_t *t = (int64_t *)x;

		rs_load_i64(&a[0], n, t);
		if (e->nargs > 1 && (digits = (int)rs_get_i64(a[1].c, 0)) < 0) {
			int64_t p = 1;
			for (int i = 0; i < -digits && i < 18; i++)
				p *= 10;
			for (size_t i = 0; i < n; i++) {
				double v = (double)t[i] / (double)p;
				v = e->mode == M_ROUND ? nearbyint(v) : e->mode == M_FLOOR ? floor(v) :
				    e->mode == M_CEIL ? ceil(v) : trunc(v);
				t[i] = (int64_t)v * p;
			}
		}
		return rs_store_i64(out, t, n) ? rs_fn_nomem(q) : 0;
	}
	if (e->mode >= M_GREATEST && rs_ncls(e->type) != RS_NC_FLOAT) {
		int64_t *t = (int64_t *)x, *u = (int64_t *)y;
		int uns = rs_ncls(e->type) == RS_NC_UINT;

		rs_load_i64(&a[0], n, t);
		rs_load_i64(&a[1], n, u);
		for (size_t i = 0; i < n; i++) {
			int gt = uns ? (uint64_t)u[i] > (uint64_t)t[i] : u[i] > t[i];
			if (gt == (e->mode == M_GREATEST))
				t[i] = u[i];
		}
		return rs_store_i64(out, t, n) ? rs_fn_nomem(q) : 0;
	}
	rs_load_f64(&a[0], n, x);
	if (e->nargs > 1)
		rs_load_f64(&a[1], n, y);
	if (e->mode <= M_TRUNC && e->nargs > 1)
		digits = (int)rs_get_f64(a[1].c, 0);
	for (size_t i = 0; i < n; i++) {
		double v = x[i];

		switch (e->mode) {
		case M_ROUND: case M_FLOOR: case M_CEIL: case M_TRUNC: {
			double p = pow(10, digits < 0 ? -digits : digits);
			double s = digits >= 0 ? v * p : v / p;

			s = e->mode == M_ROUND ? nearbyint(s) : e->mode == M_FLOOR ? floor(s) :
			    e->mode == M_CEIL ? ceil(s) : trunc(s);
			v = digits >= 0 ? s / p : s * p;
			if (!isfinite(v) || (digits > 0 && !isfinite(x[i] * p)))
				v = x[i];
			break;
		}
		case M_SQRT: v = sqrt(v); break;
		case M_EXP: v = exp(v); break;
		case M_LOG: v = log(v); break;
		case M_LOG2: v = log2(v); break;
		case M_LOG10: v = log10(v); break;
		case M_POW: v = pow(v, y[i]); break;
		case M_GREATEST: v = v > y[i] ? v : y[i]; break;
		case M_LEAST: v = v < y[i] ? v : y[i]; break;
		}
		x[i] = v;
	}
	return rs_store_f64(out, x, n) ? rs_fn_nomem(q) : 0;
}

const struct rs_fn rs_fns_math[] = {
	{ "round", 1, 2, 0, m_bind, m_exec }, { "floor", 1, 2, 0, m_bind, m_exec },
	{ "ceil", 1, 2, 0, m_bind, m_exec }, { "trunc", 1, 2, 0, m_bind, m_exec },
	{ "sqrt", 1, 1, 0, m_bind, m_exec }, { "exp", 1, 1, 0, m_bind, m_exec },
	{ "log", 1, 1, 0, m_bind, m_exec }, 
	{ "log2", 1, 1, 0, m_bind, m_exec }, { "log10", 1, 1, 0, m_bind, m_exec },
	{ "power", 2, 2, 0, m_bind, m_exec }, { "greatest", 2, 2, 0, m_bind, m_exec },
	{ "least", 2, 2, 0, m_bind, m_exec },
	{ NULL, 0, 0, 0, NULL, NULL },
};
