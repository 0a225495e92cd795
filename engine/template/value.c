/*
 * value.c - template values: construction, Python semantics of truth,
 * equality and ordering, str() and the SQL rendering of {{ }}.
 */
#include "tmpl_int.h"
#include "../base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rs_tv rs_tmpl_none = { .kind = TV_NONE };
struct rs_tv rs_tmpl_true = { .kind = TV_BOOL, .i = 1 };
struct rs_tv rs_tmpl_false = { .kind = TV_BOOL, .i = 0 };

static struct rs_tv *newv(struct rs_tctx *c, enum rs_tv_kind k)
{
	struct rs_tv *v = rs_tmpl_alloc(c->a, sizeof(*v));

	if (v)
		v->kind = k;
	return v;
}

struct rs_tv *rs_tmpl_int(struct rs_tctx *c, int64_t i)
{
	struct rs_tv *v = newv(c, TV_INT);

	if (v)
		v->i = i;
	return v;
}

struct rs_tv *rs_tmpl_float(struct rs_tctx *c, double f)
{
	struct rs_tv *v = newv(c, TV_FLOAT);

	if (v)
		v->f = f;
	return v;
}

struct rs_tv *rs_tmpl_str(struct rs_tctx *c, const char *s, size_t n)
{
	struct rs_tv *v;

	if (n > RS_TMPL_MAX_STR) {
		c->a->failed = 1;
		return NULL;
	}
	v = newv(c, TV_STR);
	if (!v)
		return NULL;
	v->s = rs_tmpl_strndup(c->a, s, n);
	v->len = n;
	return v->s ? v : NULL;
}

struct rs_tv *rs_tmpl_sql(struct rs_tctx *c, const char *s, size_t n, struct rs_tv *base)
{
	struct rs_tv *v = rs_tmpl_str(c, s, n);

	if (!v)
		return NULL;
	v->kind = TV_SQL;
	v->base = base ? base : &rs_tmpl_none;
	return v;
}

struct rs_tv *rs_tmpl_list(struct rs_tctx *c, enum rs_tv_kind kind, size_t n)
{
	struct rs_tv *v;

	if (n > RS_TMPL_MAX_LIST) {
		c->a->failed = 1;
		return NULL;
	}
	v = newv(c, kind);
	if (!v)
		return NULL;
	v->n = n;
	v->items = rs_tmpl_alloc(c->a, (kind == TV_DICT ? 2 : 1) * (n ? n : 1) *
				 sizeof(*v->items));
	return v->items ? v : NULL;
}

const char *rs_tmpl_type_name(const struct rs_tv *v)
{
	static const char *names[] = {
		[TV_NONE] = "NoneType", [TV_BOOL] = "bool", [TV_INT] = "int",
		[TV_FLOAT] = "float", [TV_STR] = "str", [TV_LIST] = "list",
		[TV_TUPLE] = "tuple", [TV_DICT] = "dict", [TV_SQL] = "Expression",
	};
	return names[v->kind];
}

int rs_tmpl_truthy(const struct rs_tv *v)
{
	v = rs_tmpl_plain(v);
	switch (v->kind) {
	case TV_NONE:
		return 0;
	case TV_BOOL:
	case TV_INT:
		return v->i != 0;
	case TV_FLOAT:
		return v->f != 0;
	case TV_STR:
	case TV_SQL:
		return v->len != 0;
	default:
		return v->n != 0;
	}
}

static int is_num(const struct rs_tv *v)
{
	return v->kind == TV_BOOL || v->kind == TV_INT || v->kind == TV_FLOAT;
}

static double num(const struct rs_tv *v)
{
	return v->kind == TV_FLOAT ? v->f : (double)v->i;
}

static int seq_kind(enum rs_tv_kind k)
{
	return k == TV_LIST || k == TV_TUPLE;
}

int rs_tmpl_equal(const struct rs_tv *a, const struct rs_tv *b)
{
	a = rs_tmpl_plain(a);
	b = rs_tmpl_plain(b);
	if (is_num(a) && is_num(b)) {
		if (a->kind != TV_FLOAT && b->kind != TV_FLOAT)
			return a->i == b->i;
		return num(a) == num(b);
	}
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case TV_NONE:
		return 1;
	case TV_STR:
		return a->len == b->len && !memcmp(a->s, b->s, a->len);
	case TV_LIST:
	case TV_TUPLE:
		if (a->n != b->n)
			return 0;
		for (size_t i = 0; i < a->n; i++)
			if (!rs_tmpl_equal(a->items[i], b->items[i]))
				return 0;
		return 1;
	case TV_DICT:
		if (a->n != b->n)
			return 0;
		for (size_t i = 0; i < a->n; i++) {
			size_t j;

			for (j = 0; j < b->n; j++)
				if (rs_tmpl_equal(a->items[i], b->items[j]))
					break;
			if (j == b->n || !rs_tmpl_equal(a->items[a->n + i], b->items[b->n + j]))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

int rs_tmpl_compare(const struct rs_tv *a, const struct rs_tv *b, int *bad)
{
	a = rs_tmpl_plain(a);
	b = rs_tmpl_plain(b);
	if (is_num(a) && is_num(b)) {
		if (a->kind != TV_FLOAT && b->kind != TV_FLOAT)
			return (a->i > b->i) - (a->i < b->i);
		return (num(a) > num(b)) - (num(a) < num(b));
	}
	if (a->kind == TV_STR && b->kind == TV_STR) {
		size_t n = RS_MIN(a->len, b->len);
		int r = memcmp(a->s, b->s, n);

		if (r)
			return r < 0 ? -1 : 1;
		return (a->len > b->len) - (a->len < b->len);
	}
	if (seq_kind(a->kind) && a->kind == b->kind) {
		for (size_t i = 0; i < a->n && i < b->n; i++) {
			if (rs_tmpl_equal(a->items[i], b->items[i]))
				continue;
			return rs_tmpl_compare(a->items[i], b->items[i], bad);
		}
		return (a->n > b->n) - (a->n < b->n);
	}
	*bad = 1;
	return 0;
}

int rs_tmpl_fmt_float(struct rs_buf *b, double f)
{
	char tmp[64], digits[32], out[400];
	int prec, exp, nd = 0, k = 0;

	if (isnan(f))
		return rs_buf_adds(b, "nan");
	if (isinf(f))
		return rs_buf_adds(b, f < 0 ? "-inf" : "inf");
	/* the shortest digits that read back as f, laid out as Python's repr */
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	const char *p = tmp;
	if (*p == '-')
		out[k++] = *p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	exp = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			out[k++] = '0';
			out[k++] = '.';
			for (int i = -1; i > exp; i--)
				out[k++] = '0';
			for (int i = 0; i < nd; i++)
				out[k++] = digits[i];
		} else {
			for (int i = 0; i <= exp; i++)
				out[k++] = i < nd ? digits[i] : '0';
			out[k++] = '.';
			if (nd > exp + 1)
				for (int i = exp + 1; i < nd; i++)
					out[k++] = digits[i];
			else
				out[k++] = '0';
		}
		out[k] = 0;
	} else {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			for (int i = 1; i < nd; i++)
				out[k++] = digits[i];
		}
		snprintf(out + k, sizeof(out) - (size_t)k, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	return rs_buf_adds(b, out);
}

static int seq_str(struct rs_tctx *c, const struct rs_tv *v, struct rs_buf *b, int sql)
{
	int rc;
	const char *open = v->kind == TV_TUPLE ? "(" : v->kind == TV_DICT ? "{" : "[";
	const char *close = v->kind == TV_TUPLE ? ")" : v->kind == TV_DICT ? "}" : "]";
	const char *sep = sql ? "," : ", ";

	if ((rc = rs_buf_adds(b, open)))
		return rc;
	for (size_t i = 0; i < v->n; i++) {
		if (i && (rc = rs_buf_adds(b, sep)))
			return rc;
		if (sql)
			rc = rs_tmpl_to_sql(c, v->items[i], b);
		else if (rs_tmpl_plain(v->items[i])->kind == TV_STR)
			rc = rs_tmpl_sql_quote(b, rs_tmpl_plain(v->items[i])->s,
					       rs_tmpl_plain(v->items[i])->len);
		else
			rc = rs_tmpl_to_str(c, v->items[i], b);
		if (rc)
			return rc;
		if (v->kind == TV_DICT) {
			const struct rs_tv *val = v->items[v->n + i];

			if ((rc = rs_buf_adds(b, sql ? ":" : ": ")))
				return rc;
			if (sql || rs_tmpl_plain(val)->kind != TV_STR)
				rc = sql ? rs_tmpl_to_sql(c, val, b) : rs_tmpl_to_str(c, val, b);
			else
				rc = rs_tmpl_sql_quote(b, rs_tmpl_plain(val)->s,
						       rs_tmpl_plain(val)->len);
			if (rc)
				return rc;
		}
		if (b->len > RS_TMPL_MAX_OUT)
			return rs_tmpl_fail(c, "Template Syntax Error: value too large");
	}
	if (v->kind == TV_TUPLE && v->n == 1 && !sql && (rc = rs_buf_adds(b, ",")))
		return rc;
	return rs_buf_adds(b, close);
}

int rs_tmpl_seal(struct rs_tctx *c, struct rs_tv *v)
{
	unsigned nest = 0;
	size_t n = v->kind == TV_DICT ? 2 * v->n : v->n;

	for (size_t i = 0; i < n; i++) {
		const struct rs_tv *it = rs_tmpl_plain(v->items[i]);

		if (it->nest + 1 > nest)
			nest = it->nest + 1;
	}
	v->nest = nest ? nest : 1;
	if (v->nest > RS_TMPL_MAX_NEST)
		return rs_tmpl_fail(c, "Template Syntax Error: values nested too deeply");
	return 0;
}

int rs_tmpl_to_str(struct rs_tctx *c, const struct rs_tv *v, struct rs_buf *b)
{
	v = rs_tmpl_plain(v);
	switch (v->kind) {
	case TV_NONE:
		return rs_buf_adds(b, "None");
	case TV_BOOL:
		return rs_buf_adds(b, v->i ? "True" : "False");
	case TV_INT:
		return rs_buf_printf(b, "%lld", (long long)v->i);
	case TV_FLOAT:
		return rs_tmpl_fmt_float(b, v->f);
	case TV_STR:
	case TV_SQL:
		return rs_buf_add(b, v->s, v->len);
	default:
		return seq_str(c, v, b, 0);
	}
}

int rs_tmpl_sql_quote(struct rs_buf *b, const char *s, size_t n)
{
	int rc = rs_buf_reserve(b, n + 2);

	if (rc)
		return rc;
	rs_buf_addc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		const char *e = NULL;

		switch (s[i]) {
		case 0: e = "\\0"; break;
		case '\r': e = "\\r"; break;
		case '\b': e = "\\b"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\'': e = "\\'"; break;
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '%': e = "\\%"; break;
		case '`': e = "\\`"; break;
		}
		rc = e ? rs_buf_add(b, e, 2) : rs_buf_addc(b, s[i]);
		if (rc)
			return rc;
	}
	return rs_buf_addc(b, '\'');
}

int rs_tmpl_to_sql(struct rs_tctx *c, const struct rs_tv *v, struct rs_buf *b)
{
	switch (v->kind) {
	case TV_NONE:
		return rs_tmpl_fail(c, "expression evaluated to null");
	case TV_BOOL:
		return rs_buf_adds(b, v->i ? "1" : "0");
	case TV_STR:
		return rs_tmpl_sql_quote(b, v->s, v->len);
	case TV_SQL:
		return rs_buf_add(b, v->s, v->len);
	case TV_INT:
	case TV_FLOAT:
		return rs_tmpl_to_str(c, v, b);
	default:
		return seq_str(c, v, b, 1);
	}
}

int rs_tmpl_iter(struct rs_tctx *c, const struct rs_tv *v, struct rs_tv ***items, size_t *n)
{
	v = rs_tmpl_plain(v);
	switch (v->kind) {
	case TV_LIST:
	case TV_TUPLE:
	case TV_DICT:
		*items = v->items;
		*n = v->n;
		return 0;
	case TV_STR: {
		struct rs_tv *l = rs_tmpl_list(c, TV_LIST, v->len);

		if (!l)
			return rs_tmpl_nomem(c);
		for (size_t i = 0; i < v->len; i++)
			if (!(l->items[i] = rs_tmpl_str(c, v->s + i, 1)))
				return rs_tmpl_nomem(c);
		*items = l->items;
		*n = l->n;
		return 0;
	}
	default:
		return rs_tmpl_fail(c, "Template Syntax Error: '%s' object is not iterable",
				    rs_tmpl_type_name(v));
	}
}
