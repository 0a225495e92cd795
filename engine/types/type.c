#include "type.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "value_int.h"

#define MAX_ARGS 16

/* A (trimmed) slice of the input. */
struct span {
	const char *p;
	size_t len;
};

/* Where a type appears, to reject wrappers ClickHouse rejects. */
enum ctx {
	CTX_TOP,
	CTX_ARRAY,
	CTX_NULLABLE,
	CTX_LOWCARD,
	CTX_AGG,
};

struct scalar {
	const char *name;
	enum rs_type_id id;
};

/* Parameterless types, canonical spelling first. */
static const struct scalar scalars[] = {
	{ "Int8", RS_T_INT8 },		{ "Int16", RS_T_INT16 },
	{ "Int32", RS_T_INT32 },	{ "Int64", RS_T_INT64 },
	{ "UInt8", RS_T_UINT8 },	{ "UInt16", RS_T_UINT16 },
	{ "UInt32", RS_T_UINT32 },	{ "UInt64", RS_T_UINT64 },
	{ "Float32", RS_T_FLOAT32 },	{ "Float64", RS_T_FLOAT64 },
	{ "Bool", RS_T_BOOL },		{ "String", RS_T_STRING },
	{ "Date", RS_T_DATE },		{ "Date32", RS_T_DATE32 },
	{ "DateTime", RS_T_DATETIME },	{ "UUID", RS_T_UUID },
	{ "Nothing", RS_T_NOTHING },
};

static const char *const unsupported[] = {
	"Map", "Tuple", "JSON", "Object", "Nested", "Enum", "Enum8", "Enum16",
	"IPv4", "IPv6", "Int128", "Int256", "UInt128", "UInt256", "Decimal256",
	"Variant", "Dynamic", "Point", "Ring", "Polygon", "MultiPolygon",
	"LineString", "MultiLineString", "Interval", "BFloat16", "Time", "Time64",
};

static struct span trim(const char *p, size_t len)
{
	struct span s;

	while (len && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	s.p = p;
	s.len = len;
	return s;
}

static int span_is(struct span s, const char *lit)
{
	return strlen(lit) == s.len && !memcmp(s.p, lit, s.len);
}

static int err_unknown(struct rs_err *err, struct span s)
{
	return rs_errf(err, -EINVAL, "unknown type '%.*s'", (int)s.len, s.p);
}

/*
 * Split "Name(args)" into name and top-level arguments. Quotes (with
 * backslash escapes) and nested parentheses are skipped. *nargs = -1 when
 * there are no parentheses at all. Returns -EINVAL on malformed text.
 */
static int split(struct span s, struct span *name, struct span *args, int *nargs)
{
	size_t i = 0, start, depth = 0;
	int n = 0;

	while (i < s.len && (isalnum((unsigned char)s.p[i]) || s.p[i] == '_'))
		i++;
	if (!i)
		return -EINVAL;
	name->p = s.p;
	name->len = i;
	while (i < s.len && isspace((unsigned char)s.p[i]))
		i++;
	if (i == s.len) {
		*nargs = -1;
		return 0;
	}
	if (s.p[i] != '(' || s.p[s.len - 1] != ')')
		return -EINVAL;
	start = ++i;
	for (; i < s.len; i++) {
		char c = s.p[i];

		if (c == '\'' || c == '"' || c == '`') {
			for (i++; i < s.len && s.p[i] != c; i++)
				if (s.p[i] == '\\')
					i++;
			if (i >= s.len)
				return -EINVAL;
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && depth) {
			depth--;
		} else if ((c == ')' || c == ',') && !depth) {
			if (n == MAX_ARGS)
				return -EINVAL;
			args[n] = trim(s.p + start, i - start);
			if (!args[n].len && !(c == ')' && n == 0))
				return -EINVAL;
			if (args[n].len)
				n++;
			start = i + 1;
			if (c == ')') {
				if (i != s.len - 1)
					return -EINVAL;
				*nargs = n;
				return 0;
			}
		}
	}
	return -EINVAL;
}

/* Unsigned decimal integer <= max, the whole span. */
static int uint_arg(struct span s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!s.len || s.len > 10)
		return -EINVAL;
	for (size_t i = 0; i < s.len; i++) {
		if (!isdigit((unsigned char)s.p[i]))
			return -EINVAL;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* 'quoted' string argument, unescaped into a new string. */
static char *str_arg(struct span s)
{
	char *out, *o;

	if (s.len < 2 || s.p[0] != '\'' || s.p[s.len - 1] != '\'')
		return NULL;
	out = o = xmalloc(s.len);
	for (size_t i = 1; i + 1 < s.len; i++) {
		if (s.p[i] == '\\' && i + 2 < s.len)
			i++;
		*o++ = s.p[i];
	}
	*o = 0;
	if (o == out) {
		free(out);
		return NULL;
	}
	return out;
}

static struct rs_type *new_type(enum rs_type_id id)
{
	struct rs_type *t = xcalloc(1, sizeof(*t));

	t->id = id;
	return t;
}

struct rs_type *rs_type_new(enum rs_type_id id)
{
	return new_type(id);
}

static int parse(struct span s, enum ctx ctx, struct rs_type **out, struct rs_err *err);

/* Decimal(P[, S]), Decimal32(S) ... with P already known for the sized forms. */
static int parse_decimal(struct span s, struct span name, struct span *args, int nargs,
			 struct rs_type **out, struct rs_err *err)
{
	uint32_t prec = 0, scale = 0;

	if (span_is(name, "Decimal")) {
		if (nargs == -1) {
			prec = 10;
		} else if (nargs < 1 || nargs > 2 || uint_arg(args[0], 1000, &prec) ||
			   (nargs == 2 && uint_arg(args[1], 1000, &scale))) {
			return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
		}
	} else {
		if (span_is(name, "Decimal32"))
			prec = 9;
		else if (span_is(name, "Decimal64"))
			prec = 18;
		else
			prec = 38;
		if (nargs != 1 || uint_arg(args[0], 1000, &scale))
			return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
	}
	if (prec > 38 && prec <= 76 && scale <= prec)
		return rs_errf(err, -EINVAL, "type '%.*s' is not supported", (int)s.len, s.p);
	if (prec < 1 || prec > 38)
		return rs_errf(err, -EINVAL, "precision of '%.*s' must be 1..38",
			       (int)s.len, s.p);
	if (scale > prec)
		return rs_errf(err, -EINVAL, "scale of '%.*s' exceeds its precision",
			       (int)s.len, s.p);
	*out = new_type(RS_T_DECIMAL);
	(*out)->n = prec;
	(*out)->scale = scale;
	return 0;
}

static int parse_datetime(struct span s, struct span name, struct span *args, int nargs,
			  struct rs_type **out, struct rs_err *err)
{
	int is64 = span_is(name, "DateTime64");
	uint32_t prec = 0;
	char *tz = NULL;
	int ntz = 0;

	if (is64) {
		if (nargs < 1 || nargs > 2)
			return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
		if (uint_arg(args[0], 9, &prec))
			return rs_errf(err, -EINVAL, "precision of '%.*s' must be 0..9",
				       (int)s.len, s.p);
		ntz = nargs == 2;
	} else {
		if (nargs > 1)
			return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
		ntz = nargs == 1;
	}
	if (ntz) {
		tz = str_arg(args[is64]);
		if (!tz)
			return rs_errf(err, -EINVAL, "invalid time zone in '%.*s'",
				       (int)s.len, s.p);
		const struct rs_tz *z;
		int rc = rs_tz_get(tz, &z);

		if (rc) {
			rc = rc == -ENOMEM ?
				rs_errf(err, rc, "out of memory loading time zone '%s'", tz) :
				rs_errf(err, -EINVAL, "unknown time zone '%s'", tz);
			free(tz);
			return rc;
		}
	}
	*out = new_type(is64 ? RS_T_DATETIME64 : RS_T_DATETIME);
	(*out)->n = prec;
	(*out)->tz = tz;
	return 0;
}

static int lowcard_ok(const struct rs_type *t)
{
	if (t->id == RS_T_NULLABLE)
		t = t->sub;
	switch (t->id) {
	case RS_T_INT8: case RS_T_INT16: case RS_T_INT32: case RS_T_INT64:
	case RS_T_UINT8: case RS_T_UINT16: case RS_T_UINT32: case RS_T_UINT64:
	case RS_T_FLOAT32: case RS_T_FLOAT64: case RS_T_BOOL:
	case RS_T_STRING: case RS_T_FIXEDSTRING:
	case RS_T_DATE: case RS_T_DATE32: case RS_T_DATETIME: case RS_T_UUID:
		return !t->simple_agg;
	default:
		return 0;
	}
}

/* Nullable / LowCardinality / Array */
static int parse_wrapper(struct span s, enum rs_type_id id, struct span *args, int nargs,
			 struct rs_type **out, struct rs_err *err)
{
	enum ctx sub_ctx = id == RS_T_NULLABLE ? CTX_NULLABLE :
			   id == RS_T_LOWCARD ? CTX_LOWCARD : CTX_ARRAY;
	struct rs_type *sub = NULL;
	int rc;

	if (nargs != 1)
		return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
	if ((rc = parse(args[0], sub_ctx, &sub, err)))
		return rc;
	if (id == RS_T_NULLABLE &&
	    (sub->id == RS_T_ARRAY || sub->id == RS_T_LOWCARD ||
	     sub->id == RS_T_NULLABLE || sub->id == RS_T_AGGSTATE))
		goto not_allowed;
	if (id == RS_T_LOWCARD && !lowcard_ok(sub))
		goto not_allowed;
	*out = new_type(id);
	(*out)->sub = sub;
	return 0;
not_allowed:
	rs_type_free(sub);
	return rs_errf(err, -EINVAL, "type '%.*s' is not allowed", (int)s.len, s.p);
}

/*
 * AggregateFunction(fn[(params)], T...): the argument types are checked and
 * the text is rebuilt as "fn, T1, T2" in canonical spelling.
 */
static int parse_aggfn(struct span s, struct span *args, int nargs,
		       struct rs_type **out, struct rs_err *err)
{
	struct rs_buf text = RS_BUF_INIT;
	int rc = 0;

	if (nargs < 1 || !(isalpha((unsigned char)args[0].p[0]) || args[0].p[0] == '_'))
		return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
	if (rs_buf_add(&text, args[0].p, args[0].len))
		goto nomem;
	for (int i = 1; i < nargs; i++) {
		struct rs_type *t = NULL;

		if ((rc = parse(args[i], CTX_AGG, &t, err)))
			goto out;
		if (rs_buf_adds(&text, ", ") || rs_type_name(t, &text)) {
			rs_type_free(t);
			goto nomem;
		}
		rs_type_free(t);
	}
	*out = new_type(RS_T_AGGSTATE);
	(*out)->text = rs_buf_detach(&text, NULL);
	return 0;
nomem:
	rc = rs_errf(err, -ENOMEM, "out of memory");
out:
	rs_buf_release(&text);
	return rc;
}

/* SimpleAggregateFunction(fn, T) -> T with simple_agg = 1, text = "fn" */
static int parse_simple(struct span s, struct span *args, int nargs,
			struct rs_type **out, struct rs_err *err)
{
	struct rs_type *t = NULL;
	int rc;

	if (nargs != 2 || !(isalpha((unsigned char)args[0].p[0]) || args[0].p[0] == '_'))
		return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
	if ((rc = parse(args[1], CTX_AGG, &t, err)))
		return rc;
	if (t->id == RS_T_AGGSTATE) {
		rs_type_free(t);
		return rs_errf(err, -EINVAL, "type '%.*s' is not allowed", (int)s.len, s.p);
	}
	t->simple_agg = 1;
	t->text = xstrndup(args[0].p, args[0].len);
	*out = t;
	return 0;
}

static int parse(struct span s, enum ctx ctx, struct rs_type **out, struct rs_err *err)
{
	struct span name, args[MAX_ARGS];
	int nargs;

	s = trim(s.p, s.len);
	*out = NULL;
	if (split(s, &name, args, &nargs))
		return err_unknown(err, s);

	for (size_t i = 0; i < RS_ARRAY_SIZE(unsupported); i++)
		if (span_is(name, unsupported[i]))
			return rs_errf(err, -EINVAL, "type '%.*s' is not supported",
				       (int)s.len, s.p);

	if (nargs == -1) {
		for (size_t i = 0; i < RS_ARRAY_SIZE(scalars); i++)
			if (span_is(name, scalars[i].name)) {
				*out = new_type(scalars[i].id);
				return 0;
			}
		if ((name.len == 7 && !strncasecmp(name.p, "Boolean", 7)) ||
		    (name.len == 4 && !strncasecmp(name.p, "Bool", 4))) {
			*out = new_type(RS_T_BOOL);
			return 0;
		}
		if (span_is(name, "Decimal"))
			return parse_decimal(s, name, args, nargs, out, err);
	}

	if (span_is(name, "Decimal") || span_is(name, "Decimal32") ||
	    span_is(name, "Decimal64") || span_is(name, "Decimal128"))
		return parse_decimal(s, name, args, nargs, out, err);
	if (span_is(name, "DateTime") || span_is(name, "DateTime64"))
		return parse_datetime(s, name, args, nargs, out, err);
	if (span_is(name, "FixedString")) {
		uint32_t n;

		if (nargs != 1 || uint_arg(args[0], 1u << 24, &n) || !n)
			return rs_errf(err, -EINVAL, "invalid type '%.*s'", (int)s.len, s.p);
		*out = new_type(RS_T_FIXEDSTRING);
		(*out)->n = n;
		return 0;
	}
	if (span_is(name, "Nullable"))
		return parse_wrapper(s, RS_T_NULLABLE, args, nargs, out, err);
	if (span_is(name, "LowCardinality"))
		return parse_wrapper(s, RS_T_LOWCARD, args, nargs, out, err);
	if (span_is(name, "Array"))
		return parse_wrapper(s, RS_T_ARRAY, args, nargs, out, err);
	if (span_is(name, "AggregateFunction")) {
		if (ctx != CTX_TOP && ctx != CTX_ARRAY)
			return rs_errf(err, -EINVAL, "type '%.*s' is not allowed",
				       (int)s.len, s.p);
		return parse_aggfn(s, args, nargs, out, err);
	}
	if (span_is(name, "SimpleAggregateFunction")) {
		if (ctx != CTX_TOP)
			return rs_errf(err, -EINVAL, "type '%.*s' is not allowed",
				       (int)s.len, s.p);
		return parse_simple(s, args, nargs, out, err);
	}
	return err_unknown(err, s);
}

int rs_type_parse(const char *s, struct rs_type **out, struct rs_err *err)
{
	struct span sp = { s, strlen(s) };

	*out = NULL;
	if (!trim(s, sp.len).len)
		return rs_errf(err, -EINVAL, "empty type");
	return parse(sp, CTX_TOP, out, err);
}

void rs_type_free(struct rs_type *t)
{
	if (!t)
		return;
	rs_type_free(t->sub);
	free(t->tz);
	free(t->text);
	free(t);
}

struct rs_type *rs_type_clone(const struct rs_type *t)
{
	struct rs_type *c;

	if (!t)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *t;
	c->tz = t->tz ? xstrdup(t->tz) : NULL;
	c->text = t->text ? xstrdup(t->text) : NULL;
	c->sub = rs_type_clone(t->sub);
	return c;
}

static const char *scalar_name(enum rs_type_id id)
{
	for (size_t i = 0; i < RS_ARRAY_SIZE(scalars); i++)
		if (scalars[i].id == id)
			return scalars[i].name;
	return NULL;
}

/* tz as a ClickHouse string literal: 'Europe/Madrid' */
static int add_quoted(struct rs_buf *out, const char *s)
{
	int rc = rs_buf_addc(out, '\'');

	for (; !rc && *s; s++) {
		if (*s == '\'' || *s == '\\')
			rc = rs_buf_addc(out, '\\');
		if (!rc)
			rc = rs_buf_addc(out, *s);
	}
	return rc ? rc : rs_buf_addc(out, '\'');
}

static int name_inner(const struct rs_type *t, struct rs_buf *out)
{
	int rc;

	switch (t->id) {
	case RS_T_DECIMAL:
		return rs_buf_printf(out, "Decimal(%u, %u)", t->n, t->scale);
	case RS_T_FIXEDSTRING:
		return rs_buf_printf(out, "FixedString(%u)", t->n);
	case RS_T_DATETIME:
		if (!t->tz)
			return rs_buf_adds(out, "DateTime");
		if ((rc = rs_buf_adds(out, "DateTime(")) || (rc = add_quoted(out, t->tz)))
			return rc;
		return rs_buf_addc(out, ')');
	case RS_T_DATETIME64:
		if ((rc = rs_buf_printf(out, "DateTime64(%u", t->n)))
			return rc;
		if (t->tz && ((rc = rs_buf_adds(out, ", ")) || (rc = add_quoted(out, t->tz))))
			return rc;
		return rs_buf_addc(out, ')');
	case RS_T_NULLABLE:
	case RS_T_LOWCARD:
	case RS_T_ARRAY:
		if ((rc = rs_buf_adds(out, t->id == RS_T_NULLABLE ? "Nullable(" :
				      t->id == RS_T_LOWCARD ? "LowCardinality(" : "Array(")) ||
		    (rc = rs_type_name(t->sub, out)))
			return rc;
		return rs_buf_addc(out, ')');
	case RS_T_AGGSTATE:
		return rs_buf_printf(out, "AggregateFunction(%s)", t->text ? t->text : "");
	default:
		return rs_buf_adds(out, scalar_name(t->id) ? scalar_name(t->id) : "Nothing");
	}
}

int rs_type_name(const struct rs_type *t, struct rs_buf *out)
{
	int rc;

	if (!t->simple_agg)
		return name_inner(t, out);
	if ((rc = rs_buf_printf(out, "SimpleAggregateFunction(%s, ", t->text ? t->text : "")) ||
	    (rc = name_inner(t, out)))
		return rc;
	return rs_buf_addc(out, ')');
}

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

int rs_type_equal(const struct rs_type *a, const struct rs_type *b)
{
	if (!a || !b)
		return a == b;
	if (a->id != b->id || a->simple_agg != b->simple_agg || !str_eq(a->text, b->text))
		return 0;
	switch (a->id) {
	case RS_T_DECIMAL:
		return a->n == b->n && a->scale == b->scale;
	case RS_T_FIXEDSTRING:
		return a->n == b->n;
	case RS_T_DATETIME:
		return str_eq(a->tz, b->tz);
	case RS_T_DATETIME64:
		return a->n == b->n && str_eq(a->tz, b->tz);
	case RS_T_NULLABLE:
	case RS_T_LOWCARD:
	case RS_T_ARRAY:
		return rs_type_equal(a->sub, b->sub);
	default:
		return 1;
	}
}

const struct rs_type *rs_type_base(const struct rs_type *t)
{
	while (t->id == RS_T_NULLABLE || t->id == RS_T_LOWCARD)
		t = t->sub;
	return t;
}

enum rs_phys rs_type_phys(const struct rs_type *t)
{
	t = rs_type_base(t);
	switch (t->id) {
	case RS_T_STRING:
	case RS_T_AGGSTATE:
		return RS_PHYS_STRING;
	case RS_T_ARRAY:
		return RS_PHYS_ARRAY;
	default:
		return RS_PHYS_FIXED;
	}
}

size_t rs_type_width(const struct rs_type *t)
{
	t = rs_type_base(t);
	switch (t->id) {
	case RS_T_INT8: case RS_T_UINT8: case RS_T_BOOL: case RS_T_NOTHING:
		return 1;
	case RS_T_INT16: case RS_T_UINT16: case RS_T_DATE:
		return 2;
	case RS_T_INT32: case RS_T_UINT32: case RS_T_FLOAT32:
	case RS_T_DATE32: case RS_T_DATETIME:
		return 4;
	case RS_T_INT64: case RS_T_UINT64: case RS_T_FLOAT64: case RS_T_DATETIME64:
		return 8;
	case RS_T_UUID:
		return 16;
	case RS_T_FIXEDSTRING:
		return t->n;
	case RS_T_DECIMAL:
		return t->n <= 9 ? 4 : t->n <= 18 ? 8 : 16;
	default:
		return 0;
	}
}

int rs_type_is_nullable(const struct rs_type *t)
{
	if (t->id == RS_T_LOWCARD)
		t = t->sub;
	return t->id == RS_T_NULLABLE;
}

int rs_type_is_int(const struct rs_type *t)
{
	switch (rs_type_base(t)->id) {
	case RS_T_INT8: case RS_T_INT16: case RS_T_INT32: case RS_T_INT64:
	case RS_T_UINT8: case RS_T_UINT16: case RS_T_UINT32: case RS_T_UINT64:
	case RS_T_BOOL:
		return 1;
	default:
		return 0;
	}
}

int rs_type_is_signed(const struct rs_type *t)
{
	switch (rs_type_base(t)->id) {
	case RS_T_INT8: case RS_T_INT16: case RS_T_INT32: case RS_T_INT64:
	case RS_T_FLOAT32: case RS_T_FLOAT64: case RS_T_DECIMAL:
	case RS_T_DATE32: case RS_T_DATETIME64:
		return 1;
	default:
		return 0;
	}
}
