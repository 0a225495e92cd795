/*
 * funcs.c - the typed parameter functions: String, Int8..UInt256, Int,
 * Integer, Float32/64, Date, DateTime, DateTime64, Boolean, Array, JSON,
 * column, columns, symbol, table. Signature (Tinybird's):
 *   Type(x, default=None, description=, required=, example=, format=,
 *        enum=, defined=True)
 * A value missing without default is recorded as a missing required
 * parameter (reported once rendering ends, all names together) and a
 * placeholder stands in so the rest can still be checked.
 */
#include "tmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum tkind {
	K_STRING, K_INT, K_PLAININT, K_FLOAT, K_DATE, K_DATETIME, K_DATETIME64, K_BOOL,
	K_ARRAY, K_JSON, K_COLUMN, K_COLUMNS, K_SYMBOL, K_TABLE,
};

struct tdef {
	const char *name;
	enum tkind kind;
	int bits;		/* K_INT, K_FLOAT */
	int is_unsigned;
};

static const struct tdef tdefs[] = {
	{ "String", K_STRING, 0, 0 },
	{ "Int8", K_INT, 8, 0 }, { "Int16", K_INT, 16, 0 }, { "Int32", K_INT, 32, 0 },
	{ "Int64", K_INT, 64, 0 }, { "Int128", K_INT, 128, 0 }, { "Int256", K_INT, 256, 0 },
	{ "UInt8", K_INT, 8, 1 }, { "UInt16", K_INT, 16, 1 }, { "UInt32", K_INT, 32, 1 },
	{ "UInt64", K_INT, 64, 1 }, { "UInt128", K_INT, 128, 1 }, { "UInt256", K_INT, 256, 1 },
	{ "Int", K_PLAININT, 32, 0 }, { "Integer", K_PLAININT, 32, 0 },
	{ "Float32", K_FLOAT, 32, 0 }, { "Float64", K_FLOAT, 64, 0 },
	{ "Date", K_DATE, 0, 0 }, { "DateTime", K_DATETIME, 0, 0 },
	{ "DateTime64", K_DATETIME64, 0, 0 },
	{ "Boolean", K_BOOL, 0, 0 }, { "Bool", K_BOOL, 0, 0 }, { "bool", K_BOOL, 0, 0 },
	{ "Array", K_ARRAY, 0, 0 }, { "JSON", K_JSON, 0, 0 },
	{ "column", K_COLUMN, 0, 0 }, { "Column", K_SYMBOL, 0, 0 },
	{ "columns", K_COLUMNS, 0, 0 },
	{ "symbol", K_SYMBOL, 0, 0 }, { "Symbol", K_SYMBOL, 0, 0 },
	{ "table", K_TABLE, 0, 0 },
};

static const struct tdef *tdef_find(const char *name)
{
	for (size_t i = 0; i < sizeof(tdefs) / sizeof(tdefs[0]); i++)
		if (!strcmp(tdefs[i].name, name))
			return &tdefs[i];
	return NULL;
}

int rs_tmpl_is_typed(const char *name)
{
	return tdef_find(name) != NULL;
}

struct rs_tv *rs_tmpl_arg(struct rs_targ *args, unsigned nargs, int pos, const char *kw)
{
	int k = 0;

	for (unsigned i = 0; i < nargs; i++) {
		if (args[i].kw) {
			if (kw && !strcmp(args[i].kw, kw))
				return args[i].v;
		} else if (k++ == pos) {
			return args[i].v;
		}
	}
	return NULL;
}

/* Text of a scalar value (numbers as Python prints them). */
static int text_of(struct rs_tctx *c, const struct rs_tv *v, const char **s, size_t *n)
{
	struct rs_buf b = RS_BUF_INIT;
	int rc;

	v = rs_tmpl_plain(v);
	if (v->kind == TV_STR) {
		*s = v->s;
		*n = v->len;
		return 0;
	}
	if ((rc = rs_tmpl_to_str(c, v, &b))) {
		rs_buf_release(&b);
		return rc == -EINVAL ? rc : rs_tmpl_nomem(c);
	}
	*s = rs_tmpl_strndup(c->a, b.data ? b.data : "", b.len);
	*n = b.len;
	rs_buf_release(&b);
	return *s ? 0 : rs_tmpl_nomem(c);
}

static int bad_value(struct rs_tctx *c, const char *s, size_t n, const char *type)
{
	return rs_tmpl_fail(c, "Template Syntax Error: Error validating '%.*s' to type %s",
			    (int)(n > 200 ? 200 : n), s, type);
}

/* Integer text: optional blanks and sign, digits. Normalized into out. */
static int int_text(const char *s, size_t n, char *out, size_t outsz, int *neg)
{
	size_t i = 0, k = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	while (n > i && isspace((unsigned char)s[n - 1]))
		n--;
	*neg = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		*neg = s[i++] == '-';
	if (i >= n)
		return -1;
	while (i + 1 < n && s[i] == '0')
		i++;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) || k + 1 >= outsz)
			return -1;
		out[k++] = s[i];
	}
	out[k] = 0;
	if (k == 1 && out[0] == '0')
		*neg = 0;
	return 0;
}

/* Is the decimal digit string d <= the limit string lim? */
static int le_digits(const char *d, const char *lim)
{
	size_t a = strlen(d), b = strlen(lim);

	return a != b ? a < b : strcmp(d, lim) <= 0;
}

static int int_in_range(const char *d, int neg, int bits, int is_unsigned)
{
	static const char *smax[] = { "127", "32767", "2147483647", "9223372036854775807",
				      "170141183460469231731687303715884105727",
				      "57896044618658097711785492504343953926634992332820282019728792003956564819967" };
	static const char *umax[] = { "255", "65535", "4294967295", "18446744073709551615",
				      "340282366920938463463374607431768211455",
				      "115792089237316195423570985008687907853269984665640564039457584007913129639935" };
	int k = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : bits == 64 ? 3 : bits == 128 ? 4 : 5;

	if (is_unsigned)
		return !neg && le_digits(d, umax[k]);
	if (!neg)
		return le_digits(d, smax[k]);
	/* the negative limit is one more: compare d - 1 <= max */
	char tmp[96];
	size_t n = strlen(d);
	memcpy(tmp, d, n + 1);
	for (size_t i = n; i-- > 0;) {
		if (tmp[i] > '0') {
			tmp[i]--;
			break;
		}
		tmp[i] = '9';
	}
	char *t = tmp;
	while (t[0] == '0' && t[1])
		t++;
	return le_digits(t, smax[k]);
}

static int parse_float(const char *s, size_t n, double *f)
{
	char tmp[128];
	char *end;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n || n >= sizeof(tmp) || memchr(s, 'x', n) || memchr(s, 'X', n))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	*f = strtod(tmp, &end);
	return *end ? -1 : 0;
}

static int digits(const char *s, size_t n, size_t *i, int min, int max, int *v)
{
	int k = 0;

	*v = 0;
	while (*i < n && k < max && isdigit((unsigned char)s[*i])) {
		*v = *v * 10 + (s[(*i)++] - '0');
		k++;
	}
	return k >= min ? 0 : -1;
}

/* Date (kind K_DATE), date-time, or date-time with fraction. */
static int valid_datetime(const char *s, size_t n, enum tkind kind)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t i = 0;
	int y, m, d, hh, mm, ss;

	if (digits(s, n, &i, 4, 4, &y) || i >= n || s[i++] != '-' || digits(s, n, &i, 1, 2, &m) ||
	    i >= n || s[i++] != '-' || digits(s, n, &i, 1, 2, &d))
		return 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0)))
		return 0;
	if (i == n)
		return 1;	/* a date is accepted for DateTime too */
	if (kind == K_DATE || (s[i] != ' ' && s[i] != 'T'))
		return 0;
	i++;
	if (digits(s, n, &i, 1, 2, &hh) || i >= n || s[i++] != ':' || digits(s, n, &i, 1, 2, &mm) ||
	    i >= n || s[i++] != ':' || digits(s, n, &i, 1, 2, &ss))
		return 0;
	if (hh > 23 || mm > 59 || ss > 60)
		return 0;
	if (i < n && s[i] == '.' && kind == K_DATETIME64) {
		int frac;

		i++;
		if (digits(s, n, &i, 1, 9, &frac))
			return 0;
	}
	return i == n;
}

/* Check and render one scalar value of type td into b; base value in *base. */
static int scalar(struct rs_tctx *c, const struct tdef *td, const struct rs_tv *v, int in_array,
		  struct rs_buf *b, struct rs_tv **base)
{
	const char *s;
	size_t n;
	int rc, neg;
	char d[96];

	if ((rc = text_of(c, v, &s, &n)))
		return rc;
	switch (td->kind) {
	case K_INT:
	case K_PLAININT:
		if (rs_tmpl_plain(v)->kind == TV_BOOL)
			s = rs_tmpl_plain(v)->i ? "1" : "0", n = 1;
		if (int_text(s, n, d, sizeof(d), &neg) || !int_in_range(d, neg, td->bits, td->is_unsigned))
			return bad_value(c, s, n, td->name);
		if (td->kind == K_INT && !in_array)
			rc = rs_buf_printf(b, "to%s('%s%s')", td->name, neg ? "-" : "", d);
		else
			rc = rs_buf_printf(b, "%s%s", neg ? "-" : "", d);
		if (rc)
			return rs_tmpl_nomem(c);
		errno = 0;
		long long ll = strtoll(d, NULL, 10);
		if (errno == ERANGE)
			*base = rs_tmpl_float(c, strtod(d, NULL) * (neg ? -1 : 1));
		else
			*base = rs_tmpl_int(c, neg ? -ll : ll);
		return *base ? 0 : rs_tmpl_nomem(c);
	case K_FLOAT: {
		double f;
		size_t at = b->len;

		if (rs_tmpl_plain(v)->kind == TV_BOOL)
			s = rs_tmpl_plain(v)->i ? "1" : "0", n = 1;
		if (parse_float(s, n, &f))
			return bad_value(c, s, n, td->name);
		if (!in_array && rs_buf_printf(b, "to%s('", td->name))
			return rs_tmpl_nomem(c);
		if (rs_tmpl_fmt_float(b, f) || (!in_array && rs_buf_adds(b, "')")))
			return rs_tmpl_nomem(c);
		(void)at;
		return (*base = rs_tmpl_float(c, f)) ? 0 : rs_tmpl_nomem(c);
	}
	case K_DATE:
	case K_DATETIME:
	case K_DATETIME64:
		if (!valid_datetime(s, n, td->kind))
			return bad_value(c, s, n, td->name);
		goto quoted;
	case K_BOOL: {
		int t;

		if ((n == 4 && !strncasecmp(s, "true", 4)) || (n == 1 && s[0] == '1'))
			t = 1;
		else if ((n == 5 && !strncasecmp(s, "false", 5)) || (n == 1 && s[0] == '0'))
			t = 0;
		else
			return bad_value(c, s, n, "Boolean");
		*base = rs_tmpl_bool(t);
		return rs_buf_adds(b, t ? "1" : "0") ? rs_tmpl_nomem(c) : 0;
	}
	default:
	quoted:
		if (rs_tmpl_sql_quote(b, s, n))
			return rs_tmpl_nomem(c);
		return (*base = rs_tmpl_str(c, s, n)) ? 0 : rs_tmpl_nomem(c);
	}
}

int rs_tmpl_backtick(struct rs_buf *b, const char *s, size_t n)
{
	size_t st = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if ((st && rs_buf_addc(b, '.')) || rs_buf_addc(b, '`'))
			return -ENOMEM;
		for (size_t j = st; j < i; j++) {
			if ((s[j] == '`' || s[j] == '\\') && rs_buf_addc(b, '\\'))
				return -ENOMEM;
			if (rs_buf_addc(b, s[j] ? s[j] : '_'))
				return -ENOMEM;
		}
		if (rs_buf_addc(b, '`'))
			return -ENOMEM;
		st = i + 1;
	}
	return 0;
}

/* Array elements: a repeated parameter, a list, or comma-separated text. */
static int array_items(struct rs_tctx *c, const char *pname, struct rs_tv *x,
		       struct rs_tv ***items, size_t *n)
{
	const char *vals[1];
	unsigned nv;
	struct rs_tv *l;

	if (pname && !rs_tmpl_lookup_is_var(c, pname) &&
	    (nv = rs_tmpl_param_values(c, pname, vals, 1)) > 1) {
		if (!(l = rs_tmpl_list(c, TV_LIST, nv)))
			return rs_tmpl_nomem(c);
		nv = 0;
		for (unsigned i = 0; i < c->nparams; i++)
			if (c->params[i].name && !strcmp(c->params[i].name, pname)) {
				const char *s = c->params[i].value ? c->params[i].value : "";

				if (!(l->items[nv++] = rs_tmpl_str(c, s, strlen(s))))
					return rs_tmpl_nomem(c);
			}
		*items = l->items;
		*n = l->n;
		return 0;
	}
	x = (struct rs_tv *)rs_tmpl_plain(x);
	if (x->kind == TV_LIST || x->kind == TV_TUPLE) {
		*items = x->items;
		*n = x->n;
		return 0;
	}
	const char *s;
	size_t len, k = 1;
	int rc;

	if ((rc = text_of(c, x, &s, &len)))
		return rc;
	for (size_t i = 0; i < len; i++)
		k += s[i] == ',';
	if (!(l = rs_tmpl_list(c, TV_LIST, k)))
		return rs_tmpl_nomem(c);
	k = 0;
	for (size_t i = 0, st = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		if (!(l->items[k++] = rs_tmpl_str(c, s + st, i - st)))
			return rs_tmpl_nomem(c);
		st = i + 1;
	}
	*items = l->items;
	*n = l->n;
	return 0;
}

static int placeholder(struct rs_tctx *c, const struct tdef *td, const struct tdef *et,
		       struct rs_tv **out)
{
	static struct rs_tv ph_str = { .kind = TV_STR, .s = "__no_value__", .len = 12 };
	static struct rs_tv ph_zero = { .kind = TV_INT };
	static struct rs_tv ph_date = { .kind = TV_STR, .s = "2019-01-01", .len = 10 };
	static struct rs_tv ph_dt = { .kind = TV_STR, .s = "2019-01-01 00:00:00", .len = 19 };
	static struct rs_tv ph_dt64 = { .kind = TV_STR, .s = "2019-01-01 00:00:00.000", .len = 23 };
	struct rs_tv *ph = &ph_str;
	struct rs_buf b = RS_BUF_INIT;
	int rc;

	switch (td->kind) {
	case K_INT: case K_PLAININT: case K_FLOAT: case K_BOOL: ph = &ph_zero; break;
	case K_DATE: ph = &ph_date; break;
	case K_DATETIME: ph = &ph_dt; break;
	case K_DATETIME64: ph = &ph_dt64; break;
	case K_JSON:
		*out = rs_tmpl_list(c, TV_DICT, 0);
		return *out ? rs_tmpl_seal(c, *out) : rs_tmpl_nomem(c);
	case K_ARRAY: {
		struct rs_tv *l = rs_tmpl_list(c, TV_LIST, 2);
		struct rs_tv *one;

		if (!l || (rc = placeholder(c, et, NULL, &one)))
			return rs_tmpl_nomem(c);
		l->items[0] = l->items[1] = (struct rs_tv *)rs_tmpl_plain(one);
		rs_tmpl_seal(c, l);
		if ((rc = rs_tmpl_to_sql(c, l, &b)) || !(*out = rs_tmpl_sql(c, b.data, b.len, l)))
			rc = rc ? rc : rs_tmpl_nomem(c);
		rs_buf_release(&b);
		return rc;
	}
	default:
		break;
	}
	struct rs_tv *base;
	if (td->kind == K_COLUMN || td->kind == K_COLUMNS || td->kind == K_SYMBOL ||
	    td->kind == K_TABLE) {
		rc = rs_tmpl_backtick(&b, ph->s, ph->len) ? rs_tmpl_nomem(c) : 0;
		base = ph;
	} else {
		rc = scalar(c, td, ph, 0, &b, &base);
	}
	if (!rc && !(*out = rs_tmpl_sql(c, b.data, b.len, base)))
		rc = rs_tmpl_nomem(c);
	rs_buf_release(&b);
	return rc;
}

static int check_enum(struct rs_tctx *c, struct rs_tv *en, const struct rs_tv *x, const char *type)
{
	const struct rs_tv *e = en ? rs_tmpl_plain(en) : NULL;
	const char *s, *t;
	size_t n, tn;
	int rc;

	if (!e || (e->kind != TV_LIST && e->kind != TV_TUPLE))
		return 0;
	if ((rc = text_of(c, x, &s, &n)))
		return rc;
	for (size_t i = 0; i < e->n; i++) {
		if ((rc = text_of(c, e->items[i], &t, &tn)))
			return rc;
		if (tn == n && !memcmp(s, t, n))
			return 0;
	}
	return bad_value(c, s, n, type);
}

static int typed(struct rs_tctx *c, const struct tdef *td, struct rs_targ *args, unsigned nargs,
		 struct rs_tv **out)
{
	struct rs_tv *x = rs_tmpl_arg(args, nargs, 0, NULL);
	const char *pname = nargs && !args[0].kw ? args[0].name : NULL;
	const struct tdef *et = td;
	struct rs_tv *def, *base = NULL, *dflag;
	struct rs_buf b = RS_BUF_INIT;
	int rc = 0;

	if (td->kind == K_ARRAY) {
		struct rs_tv *tn = rs_tmpl_arg(args, nargs, 1, "type");
		const char *tname = "String";

		if (tn && rs_tmpl_plain(tn)->kind == TV_STR)
			tname = rs_tmpl_plain(tn)->s;
		et = tdef_find(tname);
		if (!et || et->kind == K_ARRAY || et->kind == K_JSON || et->kind >= K_COLUMN)
			return rs_tmpl_fail(c, "Template Syntax Error: Array type '%s' is not supported",
					    tname);
		def = rs_tmpl_arg(args, nargs, 2, "default");
	} else {
		def = rs_tmpl_arg(args, nargs, 1, "default");
	}
	if (!x)
		x = &rs_tmpl_none;
	if (rs_tmpl_plain(x)->kind == TV_NONE && (!pname || rs_tmpl_param_values(c, pname, NULL, 0) < 2)) {
		dflag = rs_tmpl_arg(args, nargs, -1, "defined");
		if (def && rs_tmpl_plain(def)->kind != TV_NONE) {
			x = def;
			pname = NULL;
		} else if (dflag && !rs_tmpl_truthy(dflag)) {
			*out = &rs_tmpl_none;
			return 0;
		} else {
			if (!c->analysis &&
			    (rc = rs_tmpl_add_missing(c, pname ? pname : td->name)))
				return rc;
			return placeholder(c, td, et, out);
		}
	}
	if ((rc = check_enum(c, rs_tmpl_arg(args, nargs, -1, "enum"), x, td->name)))
		return rc;
	switch (td->kind) {
	case K_ARRAY: {
		struct rs_tv **items = NULL;
		size_t n = 0;
		struct rs_tv *l;

		if ((rc = array_items(c, pname, x, &items, &n)))
			return rc;
		if (!(l = rs_tmpl_list(c, TV_LIST, n)))
			return rs_tmpl_nomem(c);
		rc = rs_buf_addc(&b, '[') ? -ENOMEM : 0;
		for (size_t i = 0; i < n && !rc; i++) {
			if (i && rs_buf_addc(&b, ','))
				rc = -ENOMEM;
			else
				rc = scalar(c, et, items[i], 1, &b, &l->items[i]);
		}
		if (!rc && rs_buf_addc(&b, ']'))
			rc = -ENOMEM;
		base = l;
		if (!rc)
			rc = rs_tmpl_seal(c, l);
		break;
	}
	case K_JSON: {
		const char *s;
		size_t n;

		if (rs_tmpl_plain(x)->kind != TV_STR) {
			*out = (struct rs_tv *)rs_tmpl_plain(x);
			return 0;
		}
		if ((rc = text_of(c, x, &s, &n)))
			return rc;
		if (rs_tmpl_json_parse(c, s, n, out))
			return c->err->code ? c->err->code : bad_value(c, s, n, "JSON");
		return 0;
	}
	case K_COLUMN:
	case K_SYMBOL:
	case K_TABLE:
	case K_COLUMNS: {
		const char *s;
		size_t n;

		if ((rc = text_of(c, x, &s, &n)))
			return rc;
		if (td->kind == K_TABLE) {
			for (size_t i = 0; i < n; i++)
				if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.')
					return bad_value(c, s, n, "table");
			if (!n)
				return bad_value(c, s, n, "table");
			rc = rs_buf_add(&b, s, n) ? -ENOMEM : 0;
		} else if (td->kind == K_COLUMNS) {
			for (size_t i = 0, st = 0; i <= n && !rc; i++) {
				if (i < n && s[i] != ',')
					continue;
				const char *p = s + st;
				size_t len = i - st;

				while (len && isspace((unsigned char)*p))
					p++, len--;
				while (len && isspace((unsigned char)p[len - 1]))
					len--;
				if ((st && rs_buf_addc(&b, ',')) || rs_tmpl_backtick(&b, p, len))
					rc = -ENOMEM;
				st = i + 1;
			}
		} else {
			rc = rs_tmpl_backtick(&b, s, n) ? -ENOMEM : 0;
		}
		base = rs_tmpl_str(c, s, n);
		break;
	}
	default:
		rc = scalar(c, td, x, 0, &b, &base);
		if (!rc && td->kind == K_PLAININT) {
			rs_buf_release(&b);
			*out = base;
			return 0;
		}
	}
	if (rc == -ENOMEM)
		rc = rs_tmpl_nomem(c);
	if (!rc && !(*out = rs_tmpl_sql(c, b.data ? b.data : "", b.len, base)))
		rc = rs_tmpl_nomem(c);
	rs_buf_release(&b);
	return rc;
}

int rs_tmpl_call(struct rs_tctx *c, const char *name, struct rs_targ *args, unsigned nargs,
		 struct rs_tv **out)
{
	const struct tdef *td = tdef_find(name);

	if (td)
		return typed(c, td, args, nargs, out);
	return rs_tmpl_call_helper(c, name, args, nargs, out);
}
