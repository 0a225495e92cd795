/*
 * eval.c - evaluation of expression trees with Python semantics: names,
 * containers, calls, indexing, arithmetic, comparisons, and/or/not.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include "tmpl_int.h"
#include "../base/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_EVAL_DEPTH 400

int rs_tmpl_fail(struct rs_tctx *c, const char *fmt, ...)
{
	char msg[sizeof(c->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rs_errf_at(c->err, -EINVAL, c->line, 0, "%s", msg);
}

int rs_tmpl_nomem(struct rs_tctx *c)
{
	if (c->a->failed)
		return rs_errf(c->err, -ENOMEM, "Template Syntax Error: the template uses too much memory");
	return rs_errf(c->err, -ENOMEM, "out of memory");
}

unsigned rs_tmpl_param_values(struct rs_tctx *c, const char *name, const char **vals,
			      unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->nparams; i++) {
		if (!c->params[i].name || strcmp(c->params[i].name, name))
			continue;
		if (n < max)
			vals[n] = c->params[i].value ? c->params[i].value : "";
		n++;
	}
	return n;
}

static struct rs_tvar *findvar(struct rs_tctx *c, const char *name)
{
	for (unsigned i = 0; i < c->nvars; i++)
		if (!strcmp(c->vars[i].name, name))
			return &c->vars[i];
	return NULL;
}

int rs_tmpl_lookup_is_var(struct rs_tctx *c, const char *name)
{
	return findvar(c, name) != NULL;
}

struct rs_tv *rs_tmpl_lookup(struct rs_tctx *c, const char *name)
{
	struct rs_tvar *v = findvar(c, name);
	const char *last = NULL;

	if (v)
		return v->v;
	for (unsigned i = 0; i < c->npcache; i++)
		if (!strcmp(c->pcache[i].name, name))
			return c->pcache[i].v;
	for (unsigned i = 0; i < c->nparams; i++)
		if (c->params[i].name && !strcmp(c->params[i].name, name))
			last = c->params[i].value ? c->params[i].value : "";
	if (!last)
		return &rs_tmpl_none;
	struct rs_tv *val = rs_tmpl_str(c, last, strlen(last));
	/* remember it: loops must not copy a big value again and again */
	if (val && c->npcache < RS_ARRAY_SIZE(c->pcache)) {
		c->pcache[c->npcache].name = name;
		c->pcache[c->npcache++].v = val;
	}
	return val;
}

int rs_tmpl_setvar(struct rs_tctx *c, const char *name, struct rs_tv *val)
{
	struct rs_tvar *v = findvar(c, name);

	if (v) {
		v->v = val;
		return 0;
	}
	if (c->nvars == c->capvars) {
		unsigned cap = c->capvars ? c->capvars * 2 : 16;
		struct rs_tvar *nv = rs_tmpl_alloc(c->a, cap * sizeof(*nv));

		if (!nv)
			return rs_tmpl_nomem(c);
		if (c->nvars)
			memcpy(nv, c->vars, c->nvars * sizeof(*nv));
		c->vars = nv;
		c->capvars = cap;
	}
	c->vars[c->nvars].name = name;
	c->vars[c->nvars++].v = val;
	return 0;
}

int rs_tmpl_add_missing(struct rs_tctx *c, const char *name)
{
	const char **m;

	for (unsigned i = 0; i < c->nmissing; i++)
		if (!strcmp(c->missing[i], name))
			return 0;
	if (c->nmissing >= 64)
		return 0;
	if (!(m = rs_tmpl_alloc(c->a, (c->nmissing + 1) * sizeof(*m))))
		return rs_tmpl_nomem(c);
	if (c->nmissing)
		memcpy(m, c->missing, c->nmissing * sizeof(*m));
	m[c->nmissing++] = name;
	c->missing = m;
	return 0;
}

static int type_err(struct rs_tctx *c, const char *op, const struct rs_tv *a, const struct rs_tv *b)
{
	return rs_tmpl_fail(c, "Template Syntax Error: unsupported operand type(s) for %s: '%s' and '%s'",
			    op, rs_tmpl_type_name(a), rs_tmpl_type_name(b));
}

static int is_intlike(const struct rs_tv *v)
{
	return v->kind == TV_INT || v->kind == TV_BOOL;
}

static int is_num(const struct rs_tv *v)
{
	return is_intlike(v) || v->kind == TV_FLOAT;
}

static double fnum(const struct rs_tv *v)
{
	return v->kind == TV_FLOAT ? v->f : (double)v->i;
}

static int repeat(struct rs_tctx *c, const struct rs_tv *seq, int64_t times, struct rs_tv **out)
{
	size_t n = seq->kind == TV_STR ? seq->len : seq->n;

	if (times < 0)
		times = 0;
	if (n && (uint64_t)times > (seq->kind == TV_STR ? RS_TMPL_MAX_STR : RS_TMPL_MAX_LIST) / n)
		return rs_tmpl_fail(c, "Template Syntax Error: value too large");
	if (seq->kind == TV_STR) {
		char *s = rs_tmpl_alloc(c->a, n * (size_t)times + 1);
		struct rs_tv *v;

		if (!s)
			return rs_tmpl_nomem(c);
		for (int64_t i = 0; i < times; i++)
			memcpy(s + i * (int64_t)n, seq->s, n);
		if (!(v = rs_tmpl_str(c, s, n * (size_t)times)))
			return rs_tmpl_nomem(c);
		*out = v;
		return 0;
	}
	struct rs_tv *l = rs_tmpl_list(c, seq->kind, n * (size_t)times);
	if (!l)
		return rs_tmpl_nomem(c);
	for (int64_t i = 0; i < times; i++)
		memcpy(l->items + i * (int64_t)n, seq->items, n * sizeof(*l->items));
	l->nest = seq->nest;
	*out = l;
	return 0;
}

static int arith(struct rs_tctx *c, enum rs_tx_op op, const struct rs_tv *a,
		 const struct rs_tv *b, struct rs_tv **out)
{
	static const char *names[] = { "+", "-", "*", "/", "//", "%" };
	int64_t r;

	a = rs_tmpl_plain(a);
	b = rs_tmpl_plain(b);
	if (is_intlike(a) && is_intlike(b)) {
		int64_t x = a->i, y = b->i;
		int ovf = 0;

		switch (op) {
		case OP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
		case OP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
		case OP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
		case OP_DIV:
			if (!y)
				return rs_tmpl_fail(c, "Template Syntax Error: division by zero");
			return (*out = rs_tmpl_float(c, (double)x / (double)y)) ? 0 : rs_tmpl_nomem(c);
		default:
			if (!y)
				return rs_tmpl_fail(c, "Template Syntax Error: integer division or modulo by zero");
			if (x == INT64_MIN && y == -1) {
				ovf = 1;
				break;
			}
			r = op == OP_FLOORDIV ? x / y : x % y;
			if (op == OP_FLOORDIV && (x % y) && ((x < 0) != (y < 0)))
				r--;
			if (op == OP_MOD && r && ((r < 0) != (y < 0)))
				r += y;
		}
		if (ovf)
			return rs_tmpl_fail(c, "Template Syntax Error: integer overflow");
		return (*out = rs_tmpl_int(c, r)) ? 0 : rs_tmpl_nomem(c);
	}
	if (is_num(a) && is_num(b)) {
		double x = fnum(a), y = fnum(b), f;

		switch (op) {
		case OP_ADD: f = x + y; break;
		case OP_SUB: f = x - y; break;
		case OP_MUL: f = x * y; break;
		default:
			if (y == 0)
				return rs_tmpl_fail(c, "Template Syntax Error: float division by zero");
			f = op == OP_DIV ? x / y : op == OP_FLOORDIV ? floor(x / y) : x - floor(x / y) * y;
		}
		return (*out = rs_tmpl_float(c, f)) ? 0 : rs_tmpl_nomem(c);
	}
	if (op == OP_ADD && a->kind == b->kind &&
	    (a->kind == TV_STR || a->kind == TV_LIST || a->kind == TV_TUPLE)) {
		if (a->kind == TV_STR) {
			char *s;

			if (a->len + b->len > RS_TMPL_MAX_STR)
				return rs_tmpl_fail(c, "Template Syntax Error: value too large");
			if (!(s = rs_tmpl_alloc(c->a, a->len + b->len + 1)))
				return rs_tmpl_nomem(c);
			memcpy(s, a->s, a->len);
			memcpy(s + a->len, b->s, b->len);
			return (*out = rs_tmpl_str(c, s, a->len + b->len)) ? 0 : rs_tmpl_nomem(c);
		}
		struct rs_tv *l = rs_tmpl_list(c, a->kind, a->n + b->n);
		if (!l)
			return rs_tmpl_nomem(c);
		memcpy(l->items, a->items, a->n * sizeof(*l->items));
		memcpy(l->items + a->n, b->items, b->n * sizeof(*l->items));
		*out = l;
		return rs_tmpl_seal(c, l);
	}
	if (op == OP_MUL && is_intlike(b) &&
	    (a->kind == TV_STR || a->kind == TV_LIST || a->kind == TV_TUPLE))
		return repeat(c, a, b->i, out);
	if (op == OP_MUL && is_intlike(a) &&
	    (b->kind == TV_STR || b->kind == TV_LIST || b->kind == TV_TUPLE))
		return repeat(c, b, a->i, out);
	return type_err(c, names[op], a, b);
}

static int contains(struct rs_tctx *c, const struct rs_tv *item, const struct rs_tv *seq, int *res)
{
	item = rs_tmpl_plain(item);
	seq = rs_tmpl_plain(seq);
	switch (seq->kind) {
	case TV_STR:
		if (item->kind != TV_STR)
			return rs_tmpl_fail(c, "Template Syntax Error: 'in <string>' requires string as left operand, not %s",
					    rs_tmpl_type_name(item));
		*res = item->len == 0 || memmem(seq->s, seq->len, item->s, item->len) != NULL;
		return 0;
	case TV_LIST:
	case TV_TUPLE:
	case TV_DICT:
		*res = 0;
		for (size_t i = 0; i < seq->n && !*res; i++)
			*res = rs_tmpl_equal(item, seq->items[i]);
		return 0;
	default:
		return rs_tmpl_fail(c, "Template Syntax Error: argument of type '%s' is not iterable",
				    rs_tmpl_type_name(seq));
	}
}

static int compare(struct rs_tctx *c, enum rs_tx_op op, const struct rs_tv *a,
		   const struct rs_tv *b, int *res)
{
	static const char *names[] = { [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=" };
	int bad = 0, r, rc;

	switch (op) {
	case OP_EQ: *res = rs_tmpl_equal(a, b); return 0;
	case OP_NE: *res = !rs_tmpl_equal(a, b); return 0;
	case OP_IN:
	case OP_NOTIN:
		if ((rc = contains(c, a, b, res)))
			return rc;
		if (op == OP_NOTIN)
			*res = !*res;
		return 0;
	case OP_IS:
	case OP_ISNOT: {
		const struct rs_tv *x = rs_tmpl_plain(a), *y = rs_tmpl_plain(b);
		int same = x == y || (x->kind == y->kind &&
				      (x->kind == TV_NONE || (x->kind == TV_BOOL && x->i == y->i)));
		*res = op == OP_IS ? same : !same;
		return 0;
	}
	default:
		r = rs_tmpl_compare(a, b, &bad);
		if (bad)
			return rs_tmpl_fail(c, "Template Syntax Error: '%s' not supported between instances of '%s' and '%s'",
					    names[op], rs_tmpl_type_name(rs_tmpl_plain(a)),
					    rs_tmpl_type_name(rs_tmpl_plain(b)));
		*res = op == OP_LT ? r < 0 : op == OP_LE ? r <= 0 : op == OP_GT ? r > 0 : r >= 0;
		return 0;
	}
}

static int index_of(struct rs_tctx *c, const struct rs_tv *v, const struct rs_tv *k, struct rs_tv **out)
{
	v = rs_tmpl_plain(v);
	k = rs_tmpl_plain(k);
	if (v->kind == TV_DICT) {
		for (size_t i = 0; i < v->n; i++) {
			if (rs_tmpl_equal(v->items[i], k)) {
				*out = v->items[v->n + i];
				return 0;
			}
		}
		struct rs_buf b = RS_BUF_INIT;
		rs_tmpl_to_str(c, k, &b);
		int rc = rs_tmpl_fail(c, "Template Syntax Error: KeyError: %s", b.data ? b.data : "");
		rs_buf_release(&b);
		return rc;
	}
	if (v->kind != TV_LIST && v->kind != TV_TUPLE && v->kind != TV_STR)
		return rs_tmpl_fail(c, "Template Syntax Error: '%s' object is not subscriptable",
				    rs_tmpl_type_name(v));
	if (!is_intlike(k))
		return rs_tmpl_fail(c, "Template Syntax Error: %s indices must be integers, not %s",
				    rs_tmpl_type_name(v), rs_tmpl_type_name(k));
	int64_t n = (int64_t)(v->kind == TV_STR ? v->len : v->n), i = k->i;
	if (i < 0)
		i += n;
	if (i < 0 || i >= n)
		return rs_tmpl_fail(c, "Template Syntax Error: %s index out of range", rs_tmpl_type_name(v));
	if (v->kind == TV_STR)
		return (*out = rs_tmpl_str(c, v->s + i, 1)) ? 0 : rs_tmpl_nomem(c);
	*out = v->items[i];
	return 0;
}

static int slice_of(struct rs_tctx *c, const struct rs_tv *v, const struct rs_tv *lo,
		    const struct rs_tv *hi, struct rs_tv **out)
{
	v = rs_tmpl_plain(v);
	if (v->kind != TV_LIST && v->kind != TV_TUPLE && v->kind != TV_STR)
		return rs_tmpl_fail(c, "Template Syntax Error: '%s' object is not subscriptable",
				    rs_tmpl_type_name(v));
	int64_t n = (int64_t)(v->kind == TV_STR ? v->len : v->n), a = 0, b = n;
	const struct rs_tv *bounds[2] = { lo ? rs_tmpl_plain(lo) : NULL, hi ? rs_tmpl_plain(hi) : NULL };
	int64_t *dst[2] = { &a, &b };

	for (int k = 0; k < 2; k++) {
		if (!bounds[k] || bounds[k]->kind == TV_NONE)
			continue;
		if (!is_intlike(bounds[k]))
			return rs_tmpl_fail(c, "Template Syntax Error: slice indices must be integers or None");
		int64_t x = bounds[k]->i;
		if (x < 0)
			x = x < -n ? 0 : x + n;
		*dst[k] = x > n ? n : x;
	}
	if (b < a)
		b = a;
	if (v->kind == TV_STR)
		return (*out = rs_tmpl_str(c, v->s + a, (size_t)(b - a))) ? 0 : rs_tmpl_nomem(c);
	struct rs_tv *l = rs_tmpl_list(c, v->kind, (size_t)(b - a));
	if (!l)
		return rs_tmpl_nomem(c);
	memcpy(l->items, v->items + a, (size_t)(b - a) * sizeof(*l->items));
	l->nest = v->nest;
	*out = l;
	return 0;
}

static int eval_call(struct rs_tctx *c, const struct rs_tx *x, struct rs_tv **out)
{
	struct rs_targ *args = NULL;
	unsigned first = x->kind == TX_METHOD;
	int rc;

	if (x->nkids && !(args = rs_tmpl_alloc(c->a, x->nkids * sizeof(*args))))
		return rs_tmpl_nomem(c);
	for (unsigned i = 0; i < x->nkids; i++) {
		if ((rc = rs_tmpl_eval(c, x->kids[i], &args[i].v)))
			return rc;
		args[i].kw = x->kw ? x->kw[i] : NULL;
		args[i].name = x->kids[i]->kind == TX_NAME ? x->kids[i]->name : NULL;
	}
	c->line = x->line;
	if (x->kind == TX_METHOD)
		return rs_tmpl_call_method(c, args[0].v, x->name, args + first, x->nkids - first, out);
	rc = rs_tmpl_call(c, x->name, args, x->nkids, out);
	if (rc == -ENOENT)
		return rs_tmpl_fail(c, "Template Syntax Error: name '%s' is not defined", x->name);
	return rc;
}

static int eval(struct rs_tctx *c, const struct rs_tx *x, struct rs_tv **out)
{
	struct rs_tv *a, *b, *l;
	int rc, res;

	c->line = x->line;
	switch (x->kind) {
	case TX_CONST:
		*out = x->val;
		return 0;
	case TX_NAME:
		return (*out = rs_tmpl_lookup(c, x->name)) ? 0 : rs_tmpl_nomem(c);
	case TX_LIST:
	case TX_TUPLE:
	case TX_DICT:
		if (!(l = rs_tmpl_list(c, x->kind == TX_LIST ? TV_LIST : x->kind == TX_TUPLE ? TV_TUPLE : TV_DICT,
				       x->kind == TX_DICT ? x->nkids / 2 : x->nkids)))
			return rs_tmpl_nomem(c);
		for (unsigned i = 0; i < x->nkids; i++)
			if ((rc = rs_tmpl_eval(c, x->kids[i], &l->items[i])))
				return rc;
		*out = l;
		return rs_tmpl_seal(c, l);
	case TX_CALL:
	case TX_METHOD:
		return eval_call(c, x, out);
	case TX_INDEX:
		if ((rc = rs_tmpl_eval(c, x->kids[0], &a)) || (rc = rs_tmpl_eval(c, x->kids[1], &b)))
			return rc;
		return index_of(c, a, b, out);
	case TX_SLICE:
		a = b = NULL;
		if ((rc = rs_tmpl_eval(c, x->kids[0], &l)) ||
		    (x->kids[1] && (rc = rs_tmpl_eval(c, x->kids[1], &a))) ||
		    (x->kids[2] && (rc = rs_tmpl_eval(c, x->kids[2], &b))))
			return rc;
		return slice_of(c, l, a, b, out);
	case TX_NEG:
	case TX_POS:
		if ((rc = rs_tmpl_eval(c, x->kids[0], &a)))
			return rc;
		if (!is_num(rs_tmpl_plain(a)))
			return rs_tmpl_fail(c, "Template Syntax Error: bad operand type for unary %s: '%s'",
					    x->kind == TX_NEG ? "-" : "+", rs_tmpl_type_name(rs_tmpl_plain(a)));
		if (x->kind == TX_POS) {
			*out = (struct rs_tv *)rs_tmpl_plain(a);
			return 0;
		}
		return arith(c, OP_SUB, &(struct rs_tv){ .kind = TV_INT }, a, out);
	case TX_NOT:
		if ((rc = rs_tmpl_eval(c, x->kids[0], &a)))
			return rc;
		*out = rs_tmpl_bool(!rs_tmpl_truthy(a));
		return 0;
	case TX_AND:
	case TX_OR:
		if ((rc = rs_tmpl_eval(c, x->kids[0], &a)))
			return rc;
		if (rs_tmpl_truthy(a) == (x->kind == TX_OR)) {
			*out = a;
			return 0;
		}
		return rs_tmpl_eval(c, x->kids[1], out);
	case TX_COND:
		if ((rc = rs_tmpl_eval(c, x->kids[0], &a)))
			return rc;
		return rs_tmpl_eval(c, x->kids[rs_tmpl_truthy(a) ? 1 : 2], out);
	case TX_BIN:
		if ((rc = rs_tmpl_eval(c, x->kids[0], &a)) || (rc = rs_tmpl_eval(c, x->kids[1], &b)))
			return rc;
		c->line = x->line;
		return arith(c, x->op, a, b, out);
	case TX_CMP:
		if ((rc = rs_tmpl_eval(c, x->kids[0], &a)))
			return rc;
		for (unsigned i = 1; i < x->nkids; i++) {
			if ((rc = rs_tmpl_eval(c, x->kids[i], &b)))
				return rc;
			c->line = x->line;
			if ((rc = compare(c, x->ops[i - 1], a, b, &res)))
				return rc;
			if (!res) {
				*out = &rs_tmpl_false;
				return 0;
			}
			a = b;
		}
		*out = &rs_tmpl_true;
		return 0;
	}
	return rs_tmpl_fail(c, "Template Syntax Error: invalid expression");
}

int rs_tmpl_eval(struct rs_tctx *c, const struct rs_tx *x, struct rs_tv **out)
{
	int rc;

	if (++c->depth > MAX_EVAL_DEPTH)
		return rs_tmpl_fail(c, "Template Syntax Error: expression nested too deeply");
	rc = eval(c, x, out);
	c->depth--;
	if (!rc && !*out)
		return rs_tmpl_nomem(c);
	return rc;
}
