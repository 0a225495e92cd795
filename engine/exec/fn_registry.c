/*
 * fn_registry.c - function lookup, shared helpers of the fn_*.c files and
 * lambda evaluation.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "fn_int.h"

static const struct rs_fn *const tables[] = {
	rs_fns_ops, rs_fns_date, rs_fns_string, rs_fns_cond, rs_fns_conv, rs_fns_math,
	rs_fns_array, rs_fns_regex,
};

static const struct { const char *alias, *name; } aliases[] = {
	{ "date_diff", "dateDiff" }, { "DATEDIFF", "dateDiff" }, { "timestampDiff", "dateDiff" },
	{ "date_add", "dateAdd" }, { "timestampAdd", "dateAdd" }, { "date_sub", "dateSub" },
	{ "timestampSub", "dateSub" }, { "substr", "substring" }, { "mid", "substring" },
	{ "lcase", "lower" }, { "ucase", "upper" }, { "ceiling", "ceil" }, { "truncate", "trunc" },
	{ "IFNULL", "ifNull" }, { "NULLIF", "nullIf" }, { "COALESCE", "coalesce" },
	{ "pow", "power" }, { "mod", "modulo" }, { "DATE", "toDate" },
	{ "char_length", "length" }, { "CHAR_LENGTH", "length" },
};

const struct rs_fn *rs_fn_find(const char *name)
{
	for (unsigned i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(name, aliases[i].alias)) {
			name = aliases[i].name;
			break;
		}
	for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct rs_fn *f = tables[t]; f->name; f++)
			if (!strcmp(f->name, name))
				return f;
	for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct rs_fn *f = tables[t]; f->name; f++)
			if (!strcasecmp(f->name, name))
				return f;
	return NULL;
}

int rs_fn_bad_args(struct rs_qctx *q, struct rs_expr *e)
{
	struct rs_buf b = RS_BUF_INIT;
	int rc;

	for (unsigned i = 0; i < e->nargs; i++) {
		if (i)
			rs_buf_adds(&b, ", ");
		if (e->args[i]->kind == RS_X_LAMBDA)
			rs_buf_adds(&b, "lambda");
		else
			rs_type_name(e->args[i]->type, &b);
	}
	rc = rs_errf(q->err, -EINVAL, "illegal types of arguments (%s) of function '%s'",
		     b.data ? b.data : "", e->fn->name);
	rs_buf_release(&b);
	return rc;
}

int rs_fn_nomem(struct rs_qctx *q)
{
	return rs_errf(q->err, -ENOMEM, "out of memory");
}

int rs_fn_const_str(struct rs_qctx *q, struct rs_expr *e, unsigned k, const char **s, size_t *len)
{
	if (k >= e->nargs || e->args[k]->kind != RS_X_CONST ||
	    rs_ncls(e->args[k]->type) != RS_NC_STR || rs_col_is_null(&e->args[k]->cv, 0))
		return rs_errf(q->err, -EINVAL, "argument %u of function '%s' must be a constant string",
			       k + 1, e->fn->name);
	*s = rs_col_str(&e->args[k]->cv, 0, len);
	return 0;
}

int rs_fn_const_f64(struct rs_qctx *q, struct rs_expr *e, unsigned k, double *out)
{
	if (k >= e->nargs || e->args[k]->kind != RS_X_CONST || !rs_type_is_num(e->args[k]->type))
		return rs_errf(q->err, -EINVAL, "argument %u of function '%s' must be a constant number",
			       k + 1, e->fn->name);
	*out = rs_get_f64(&e->args[k]->cv, 0);
	return 0;
}

int rs_lambda_eval(struct rs_qctx *q, struct rs_expr *l, const struct rs_col *params,
		   unsigned nparams, size_t n, struct rs_vec *out)
{
	struct rs_col cols[8];
	struct rs_chunk ch = { nparams, cols, n, NULL };

	if (nparams != l->nparams || nparams > 8)
		return rs_errf(q->err, -EINVAL, "lambda takes %u parameters, %u given", l->nparams,
			       nparams);
	memcpy(cols, params, nparams * sizeof(*cols));
	return rs_expr_eval(q, l->args[0], &ch, out);
}
