#include "keyexpr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/err.h"
#include "../base/util.h"
#include "../types/value.h"

static const struct {
	const char *name;
	enum rs_keyfn fn;
} fns[] = {
	{ "toYYYYMM", RS_KEY_TOYYYYMM },     { "toYYYYMMDD", RS_KEY_TOYYYYMMDD },
	{ "toYear", RS_KEY_TOYEAR },	     { "toMonth", RS_KEY_TOMONTH },
	{ "toDate", RS_KEY_TODATE },	     { "toStartOfMonth", RS_KEY_STARTOFMONTH },
	{ "toStartOfDay", RS_KEY_STARTOFDAY }, { "toStartOfHour", RS_KEY_STARTOFHOUR },
	{ "toMonday", RS_KEY_MONDAY },	     { "toStartOfWeek", RS_KEY_MONDAY },
	{ "toStartOfYear", RS_KEY_STARTOFYEAR },
	{ "toStartOfQuarter", RS_KEY_STARTOFQUARTER },
	{ "intDiv", RS_KEY_INTDIV },
};

static const struct rs_type int64_type = { .id = RS_T_INT64 };

static void skip_ws(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static int ident(const char **p, char *out, size_t outsz)
{
	size_t n = 0;

	skip_ws(p);
	if (**p == '`') {
		(*p)++;
		while (**p && **p != '`') {
			if (n + 1 < outsz)
				out[n++] = **p;
			(*p)++;
		}
		if (**p != '`')
			return -1;
		(*p)++;
	} else {
		while (isalnum((unsigned char)**p) || **p == '_' || **p == '.') {
			if (n + 1 < outsz)
				out[n++] = **p;
			(*p)++;
		}
	}
	out[n] = 0;
	return n ? 0 : -1;
}

static int parse_one(const char **p, const struct rs_schema *schema, const char *what,
		     struct rs_keyexpr *e, struct rs_err *err)
{
	char name[256], arg[256];
	const char *start = *p;

	if (ident(p, name, sizeof(name)))
		return rs_errf(err, -EINVAL, "cannot parse %s near '%.40s'", what, start);
	skip_ws(p);
	if (**p != '(') {
		e->fn = RS_KEY_COLUMN;
		e->col = rs_schema_find(schema, name);
		if (e->col < 0)
			return rs_errf(err, -EINVAL, "unknown column '%s' in %s", name, what);
		return 0;
	}
	(*p)++;
	size_t i;
	for (i = 0; i < RS_ARRAY_SIZE(fns); i++)
		if (!strcmp(fns[i].name, name))
			break;
	if (i == RS_ARRAY_SIZE(fns))
		return rs_errf(err, -EINVAL, "unsupported function '%s' in %s", name, what);
	e->fn = fns[i].fn;
	if (ident(p, arg, sizeof(arg)))
		return rs_errf(err, -EINVAL, "cannot parse %s near '%.40s'", what, start);
	e->col = rs_schema_find(schema, arg);
	if (e->col < 0)
		return rs_errf(err, -EINVAL, "unknown column '%s' in %s", arg, what);
	skip_ws(p);
	if (e->fn == RS_KEY_INTDIV) {
		char *end;
		if (**p != ',')
			return rs_errf(err, -EINVAL, "intDiv needs two arguments in %s", what);
		(*p)++;
		e->arg = strtoll(*p, &end, 10);
		if (end == *p || e->arg == 0)
			return rs_errf(err, -EINVAL, "bad intDiv divisor in %s", what);
		*p = end;
		skip_ws(p);
		if (!rs_type_is_int(schema->cols[e->col].type))
			return rs_errf(err, -EINVAL, "intDiv of non-integer column '%s' in %s",
				       arg, what);
	} else {
		enum rs_type_id id = rs_type_base(schema->cols[e->col].type)->id;
		if (id != RS_T_DATE && id != RS_T_DATE32 && id != RS_T_DATETIME &&
		    id != RS_T_DATETIME64)
			return rs_errf(err, -EINVAL,
				       "%s needs a Date or DateTime column, '%s' is not one (in %s)",
				       name, arg, what);
	}
	if (**p != ')')
		return rs_errf(err, -EINVAL, "cannot parse %s near '%.40s'", what, start);
	(*p)++;
	return 0;
}

int rs_key_parse(const char *text, const struct rs_schema *schema, const char *what,
		 struct rs_key *out, struct rs_err *err)
{
	const char *p = text;
	int paren = 0, rc;

	out->n = 0;
	out->e = NULL;
	if (!text)
		return 0;
	skip_ws(&p);
	if (!*p)
		return 0;
	if (!strncmp(p, "tuple", 5)) {
		const char *q = p + 5;
		skip_ws(&q);
		if (*q == '(') {
			p = q;
		}
	}
	if (*p == '(') {
		paren = 1;
		p++;
		skip_ws(&p);
		if (*p == ')') {
			p++;
			skip_ws(&p);
			if (*p)
				return rs_errf(err, -EINVAL, "cannot parse %s near '%.40s'", what, p);
			return 0;	/* tuple(): no key */
		}
	}
	for (;;) {
		out->e = xrealloc(out->e, (out->n + 1) * sizeof(*out->e));
		memset(&out->e[out->n], 0, sizeof(out->e[0]));
		if ((rc = parse_one(&p, schema, what, &out->e[out->n], err))) {
			rs_key_release(out);
			return rc;
		}
		out->n++;
		skip_ws(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		break;
	}
	if (paren) {
		if (*p != ')') {
			rs_key_release(out);
			return rs_errf(err, -EINVAL, "cannot parse %s near '%.40s'", what, p);
		}
		p++;
		skip_ws(&p);
	}
	if (*p) {
		rs_key_release(out);
		return rs_errf(err, -EINVAL, "cannot parse %s near '%.40s'", what, p);
	}
	return 0;
}

void rs_key_release(struct rs_key *k)
{
	free(k->e);
	k->e = NULL;
	k->n = 0;
}

/* seconds or days of row r as seconds since epoch */
static int64_t as_seconds(const struct rs_col *c, size_t r)
{
	const struct rs_type *t = rs_type_base(c->type);
	const void *v = rs_col_fixed(c, r);

	switch (t->id) {
	case RS_T_DATE:
		return (int64_t)*(const uint16_t *)v * 86400;
	case RS_T_DATE32:
		return (int64_t)*(const int32_t *)v * 86400;
	case RS_T_DATETIME:
		return (int64_t)*(const uint32_t *)v;
	case RS_T_DATETIME64: {
		int64_t ticks = *(const int64_t *)v, div = 1;
		for (uint32_t i = 0; i < t->n; i++)
			div *= 10;
		int64_t s = ticks / div;
		if (ticks % div < 0)
			s--;
		return s;
	}
	default:
		return 0;
	}
}

static int64_t int_value(const struct rs_col *c, size_t r)
{
	const void *v = rs_col_fixed(c, r);

	switch (rs_type_base(c->type)->id) {
	case RS_T_INT8: return *(const int8_t *)v;
	case RS_T_INT16: return *(const int16_t *)v;
	case RS_T_INT32: return *(const int32_t *)v;
	case RS_T_INT64: return *(const int64_t *)v;
	case RS_T_UINT8: case RS_T_BOOL: return *(const uint8_t *)v;
	case RS_T_UINT16: return *(const uint16_t *)v;
	case RS_T_UINT32: return *(const uint32_t *)v;
	case RS_T_UINT64: return (int64_t)*(const uint64_t *)v;
	default: return 0;
	}
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t apply(const struct rs_keyexpr *e, const struct rs_col *c, size_t r)
{
	int64_t s, days;
	int y;
	unsigned m, d;

	if (e->fn == RS_KEY_INTDIV)
		return floordiv(int_value(c, r), e->arg);
	s = as_seconds(c, r);
	days = floordiv(s, 86400);
	rs_civil_from_days((int32_t)days, &y, &m, &d);
	switch (e->fn) {
	case RS_KEY_TOYYYYMM: return (int64_t)y * 100 + m;
	case RS_KEY_TOYYYYMMDD: return (int64_t)y * 10000 + m * 100 + d;
	case RS_KEY_TOYEAR: return y;
	case RS_KEY_TOMONTH: return m;
	case RS_KEY_TODATE: return days;
	case RS_KEY_STARTOFMONTH: return rs_days_from_civil(y, m, 1);
	case RS_KEY_STARTOFYEAR: return rs_days_from_civil(y, 1, 1);
	case RS_KEY_STARTOFQUARTER: return rs_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
	case RS_KEY_STARTOFDAY: return days * 86400;
	case RS_KEY_STARTOFHOUR: return floordiv(s, 3600) * 3600;
	case RS_KEY_MONDAY: return days - ((days + 3) % 7 + 7) % 7;	/* 1970-01-05 was a Monday */
	default: return 0;
	}
}

int rs_key_eval(const struct rs_key *k, unsigned i, const struct rs_col *cols,
		struct rs_col **out, int *owned)
{
	const struct rs_keyexpr *e = &k->e[i];
	const struct rs_col *src = &cols[e->col];
	struct rs_col *c;
	int rc;

	if (e->fn == RS_KEY_COLUMN) {
		*out = (struct rs_col *)src;
		*owned = 0;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	rs_col_init(c, &int64_type);
	if ((rc = rs_col_reserve(c, src->n))) {
		free(c);
		return rc;
	}
	int64_t *dst = (int64_t *)c->data;
	/* rows of one day give one value for the date functions: time-ordered
	 * input repeats days, so remember the last one */
	int per_day = e->fn != RS_KEY_INTDIV && e->fn != RS_KEY_STARTOFHOUR;
	int64_t last_day = INT64_MIN, last_val = 0;
	for (size_t r = 0; r < src->n; r++) {
		if (rs_col_is_null(src, r)) {
			dst[r] = 0;
			continue;
		}
		if (per_day) {
			int64_t day = floordiv(as_seconds(src, r), 86400);
			if (day != last_day) {
				last_day = day;
				last_val = apply(e, src, r);
			}
			dst[r] = e->fn == RS_KEY_STARTOFDAY ? day * 86400 : last_val;
		} else {
			dst[r] = apply(e, src, r);
		}
	}
	c->n = src->n;
	*out = c;
	*owned = 1;
	return 0;
}

int rs_key_cmp(const struct rs_key *k, const struct rs_col *a, size_t ai, const struct rs_col *b,
	       size_t bi)
{
	for (unsigned i = 0; i < k->n; i++) {
		const struct rs_keyexpr *e = &k->e[i];
		const struct rs_col *ca = &a[e->col], *cb = &b[e->col];
		int c;

		if (e->fn == RS_KEY_COLUMN) {
			c = rs_value_cmp(ca, ai, cb, bi);
		} else {
			int na = rs_col_is_null(ca, ai), nb = rs_col_is_null(cb, bi);
			int64_t va = na ? 0 : apply(e, ca, ai), vb = nb ? 0 : apply(e, cb, bi);
			c = va < vb ? -1 : va > vb;
		}
		if (c)
			return c;
	}
	return 0;
}

int rs_ttl_parse(const char *text, const struct rs_schema *schema, struct rs_ttl *out,
		 struct rs_err *err)
{
	static const struct {
		const char *unit;
		int64_t secs;
		int months;
	} units[] = {
		{ "SECOND", 1, 0 },   { "MINUTE", 60, 0 }, { "HOUR", 3600, 0 },
		{ "DAY", 86400, 0 },  { "WEEK", 604800, 0 }, { "MONTH", 0, 1 },
		{ "QUARTER", 0, 3 },  { "YEAR", 0, 12 },
	};
	const char *p = text;
	char name[256], unit[32];
	long long n = 0;

	out->col = -1;
	out->secs = 0;
	out->months = 0;
	if (!text)
		return 0;
	skip_ws(&p);
	if (!*p)
		return 0;
	if (ident(&p, name, sizeof(name)))
		return rs_errf(err, -EINVAL, "cannot parse ENGINE_TTL '%s'", text);
	out->col = rs_schema_find(schema, name);
	if (out->col < 0)
		return rs_errf(err, -EINVAL, "unknown column '%s' in ENGINE_TTL", name);
	{
		enum rs_type_id id = rs_type_base(schema->cols[out->col].type)->id;
		if (id != RS_T_DATE && id != RS_T_DATE32 && id != RS_T_DATETIME &&
		    id != RS_T_DATETIME64)
			return rs_errf(err, -EINVAL,
				       "ENGINE_TTL column '%s' must be a Date or DateTime", name);
	}
	skip_ws(&p);
	if (*p == '+') {
		p++;
		skip_ws(&p);
		if (!strncasecmp(p, "INTERVAL", 8)) {
			p += 8;
			skip_ws(&p);
			if (sscanf(p, "%lld %31[A-Za-z]", &n, unit) != 2)
				return rs_errf(err, -EINVAL, "cannot parse ENGINE_TTL '%s'", text);
			while (*p && !isalpha((unsigned char)*p))
				p++;
			while (isalpha((unsigned char)*p))
				p++;
		} else if (!strncasecmp(p, "toInterval", 10)) {
			if (sscanf(p + 10, "%31[A-Za-z] ( %lld )", unit, &n) != 2)
				return rs_errf(err, -EINVAL, "cannot parse ENGINE_TTL '%s'", text);
			p = strchr(p, ')');
			p = p ? p + 1 : p;
		} else {
			return rs_errf(err, -EINVAL, "cannot parse ENGINE_TTL '%s'", text);
		}
		size_t ul = strlen(unit);
		if (ul > 1 && (unit[ul - 1] == 's' || unit[ul - 1] == 'S'))
			unit[ul - 1] = 0;	/* DAYS, toIntervalDays */
		unsigned i;
		for (i = 0; i < RS_ARRAY_SIZE(units); i++)
			if (!strcasecmp(unit, units[i].unit))
				break;
		if (i == RS_ARRAY_SIZE(units))
			return rs_errf(err, -EINVAL, "unknown interval unit '%s' in ENGINE_TTL", unit);
		out->secs = n * units[i].secs;
		out->months = (int)(n * units[i].months);
		skip_ws(&p);
	}
	if (p && !strncasecmp(p, "DELETE", 6)) {
		p += 6;
		skip_ws(&p);
	}
	if (p && *p)
		return rs_errf(err, -EINVAL, "cannot parse ENGINE_TTL '%s'", text);
	return 0;
}

int64_t rs_ttl_expiry(const struct rs_ttl *t, const struct rs_col *c, size_t r)
{
	int64_t s = as_seconds(c, r);

	if (t->months) {
		int64_t days = floordiv(s, 86400), sod = s - days * 86400;
		int y;
		unsigned m, d, dim;
		rs_civil_from_days((int32_t)days, &y, &m, &d);
		int64_t total = (int64_t)y * 12 + (m - 1) + t->months;
		y = (int)floordiv(total, 12);
		m = (unsigned)(total - (int64_t)y * 12) + 1;
		/* the last day of a shorter month, as ClickHouse's addMonths */
		dim = (unsigned)(rs_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
				 rs_days_from_civil(y, m, 1));
		if (d > dim)
			d = dim;
		s = (int64_t)rs_days_from_civil(y, m, d) * 86400 + sod;
	}
	return s + t->secs;
}
