/*
 * value_parse.c - one field of text -> one row of a column (ClickHouse rules).
 */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/util.h"
#include "value_int.h"

#define F_QUOTED 1	/* text came out of a quoted literal: never NULL */
#define F_ELEM 2	/* unquoted array element: null/NULL in any case */

static int parse_into(struct rs_col *c, const char *s, size_t len, int flags);

/* ------------------------------------------------------------------------
 * Numbers
 */

static int parse_u64(const char *s, size_t len, int *neg, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;

	*neg = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		*neg = s[i++] == '-';
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		unsigned dg = (unsigned)(unsigned char)s[i] - '0';

		if (dg > 9 || v > (UINT64_MAX - dg) / 10)
			return -EINVAL;
		v = v * 10 + dg;
	}
	*out = v;
	return 0;
}

static int parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	int neg;

	if (parse_u64(s, len, &neg, out) || (neg && *out) || *out > max)
		return -EINVAL;
	return 0;
}

static int parse_int(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
	uint64_t mag;
	int neg;

	if (parse_u64(s, len, &neg, &mag))
		return -EINVAL;
	if (neg) {
		if (mag > (uint64_t)(-(min + 1)) + 1)
			return -EINVAL;
		*out = mag ? -(int64_t)(mag - 1) - 1 : 0;
	} else {
		if (mag > (uint64_t)max)
			return -EINVAL;
		*out = (int64_t)mag;
	}
	return 0;
}

static int ieq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && !strncasecmp(s, lit, len);
}

/* ClickHouse float grammar: [+-](digits[.digits]|.digits)[e[+-]digits], inf, nan */
static int float_syntax(const char *s, size_t len)
{
	size_t i = 0, nd = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (ieq(s + i, len - i, "inf") || ieq(s + i, len - i, "infinity") ||
	    ieq(s + i, len - i, "nan"))
		return 0;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		nd++;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			nd++;
	if (!nd)
		return -EINVAL;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (e0 = i; i < len && isdigit((unsigned char)s[i]); i++)
			;
		if (i == e0)
			return -EINVAL;
	}
	return i == len ? 0 : -EINVAL;
}

static int parse_float(const char *s, size_t len, int is32, void *out)
{
	char small[64], *p = small;
	int rc = 0;

	if (float_syntax(s, len))
		return -EINVAL;
	if (len >= sizeof(small) && !(p = malloc(len + 1)))
		return -ENOMEM;
	memcpy(p, s, len);
	p[len] = 0;
	if (is32) {
		float f = strtof(p, NULL);
		if (isnan(f))
			f = NAN;
		memcpy(out, &f, sizeof(f));
	} else {
		double d = strtod(p, NULL);
		if (isnan(d))
			d = NAN;
		memcpy(out, &d, sizeof(d));
	}
	if (p != small)
		free(p);
	return rc;
}

/*
 * Decimal: [+-]digits[.digits][e[+-]digits] scaled by 10^scale, extra
 * fractional digits truncated, at most 'prec' significant digits.
 */
static int parse_decimal(const char *s, size_t len, unsigned prec, unsigned scale,
			 __int128 *out)
{
	size_t i = 0, int0, nint, frac0, nfrac = 0;
	long exp = 0, point;
	int neg = 0;
	unsigned sig = 0;
	__int128 v = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	int0 = i;
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	nint = i - int0;
	frac0 = i;
	if (i < len && s[i] == '.') {
		frac0 = ++i;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
		nfrac = i - frac0;
	}
	if (!nint && !nfrac)
		return -EINVAL;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0;
		size_t e0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (e0 = i; i < len && isdigit((unsigned char)s[i]); i++) {
			exp = exp * 10 + (s[i] - '0');
			if (exp > 1000)
				return -EINVAL;
		}
		if (i == e0)
			return -EINVAL;
		if (eneg)
			exp = -exp;
	}
	if (i != len)
		return -EINVAL;
	/* digits [0, point + scale) of the digit string make the scaled value */
	point = (long)nint + exp;
	for (long k = 0; k < point + (long)scale; k++) {
		int dg = 0;

		if (k < (long)nint)
			dg = s[int0 + (size_t)k] - '0';
		else if (k < (long)(nint + nfrac))
			dg = s[frac0 + (size_t)k - nint] - '0';
		if (sig || dg)
			sig++;
		if (sig > prec)
			return -EINVAL;
		v = v * 10 + dg;
	}
	*out = neg ? -v : v;
	return 0;
}

/* ------------------------------------------------------------------------
 * UUID, Bool
 */

/*
 * Memory layout as ClickHouse's UInt128: bytes 0..7 = first 16 hex digits
 * (native uint64), bytes 8..15 = last 16 hex digits. ClickHouse orders
 * UUIDs by the second uint64 first (rs_value_cmp does the same).
 */
static int parse_uuid(const char *s, size_t len, unsigned char out[16])
{
	uint64_t half[2] = { 0, 0 };
	int nd = 0;

	if (len != 36 && len != 32)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int h;

		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		if ((h = rs_hex_digit(s[i])) < 0)
			return -EINVAL;
		half[nd / 16] = half[nd / 16] << 4 | (uint64_t)h;
		nd++;
	}
	memcpy(out, &half[0], 8);
	memcpy(out + 8, &half[1], 8);
	return 0;
}

static int parse_bool(const char *s, size_t len, uint8_t *out)
{
	static const char *const yes[] = { "true", "t", "y", "yes", "on", "enable", "1" };
	static const char *const no[] = { "false", "f", "n", "no", "off", "disable", "0" };

	for (size_t i = 0; i < RS_ARRAY_SIZE(yes); i++) {
		if (ieq(s, len, yes[i])) {
			*out = 1;
			return 0;
		}
		if (ieq(s, len, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------------
 * Arrays: [v1, 'str', "str", [nested], NULL]
 */

/*
 * Unescape the quoted literal starting at s[0] (quote char s[0]) into out;
 * *end = index after the closing quote. ClickHouse escapes: \b \f \n \r \t
 * \0 \a \v \xHH, \<any> = <any>, and a doubled quote.
 */
static int unquote(const char *s, size_t len, char *out, size_t *olen, size_t *end)
{
	char q = s[0];
	size_t i = 1, o = 0;

	while (i < len) {
		char c = s[i++];

		if (c == q) {
			if (i < len && s[i] == q) {
				out[o++] = q;
				i++;
				continue;
			}
			*olen = o;
			*end = i;
			return 0;
		}
		if (c == '\\' && i < len) {
			c = s[i++];
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '0': c = '\0'; break;
			case 'a': c = '\a'; break;
			case 'v': c = '\v'; break;
			case 'x':
				if (i + 1 < len && rs_hex_digit(s[i]) >= 0 && rs_hex_digit(s[i + 1]) >= 0) {
					c = (char)(rs_hex_digit(s[i]) << 4 | rs_hex_digit(s[i + 1]));
					i += 2;
				}
				break;
			default:
				break;
			}
		}
		out[o++] = c;
	}
	return -EINVAL;
}

/* index after the ']' matching s[0] == '[' */
static int match_bracket(const char *s, size_t len, size_t *end)
{
	size_t depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\'' || c == '"') {
			for (i++; i < len && s[i] != c; i++)
				if (s[i] == '\\')
					i++;
			if (i >= len)
				return -EINVAL;
		} else if (c == '[') {
			depth++;
		} else if (c == ']' && --depth == 0) {
			*end = i + 1;
			return 0;
		}
	}
	return -EINVAL;
}

static int is_stringy(const struct rs_type *t)
{
	t = rs_type_base(t);
	return t->id == RS_T_STRING || t->id == RS_T_FIXEDSTRING || t->id == RS_T_AGGSTATE;
}

static int parse_array(struct rs_col *c, const char *s, size_t len)
{
	struct rs_col *child;
	size_t i = 0, n0;
	char *tmp = NULL;
	int rc, first = 1;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i >= len || s[i] != '[' || s[len - 1] != ']')
		return -EINVAL;
	if ((rc = rs_col_reserve(c, 1)))
		return rc;
	child = c->child;
	n0 = child->n;
	i++;
	len--;		/* drop the final ']' */
	for (;;) {
		size_t e0, e1;

		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i == len) {
			if (!first)
				goto bad;	/* "[1,]" */
			break;
		}
		first = 0;
		e0 = i;
		if (s[i] == '\'' || s[i] == '"') {
			size_t olen, end;

			if (!tmp && !(tmp = malloc(len + 1))) {
				rc = -ENOMEM;
				goto fail;
			}
			if (unquote(s + i, len - i, tmp, &olen, &end))
				goto bad;
			i += end;
			if ((rc = parse_into(child, tmp, olen, F_QUOTED)))
				goto fail;
		} else {
			if (s[i] == '[') {
				size_t end;

				if (match_bracket(s + i, len - i, &end))
					goto bad;
				i += end;
			} else {
				while (i < len && s[i] != ',')
					i++;
			}
			e1 = i;
			while (e1 > e0 && isspace((unsigned char)s[e1 - 1]))
				e1--;
			if (is_stringy(child->type) &&
			    !(rs_type_is_nullable(child->type) &&
			      (ieq(s + e0, e1 - e0, "NULL") || ieq(s + e0, e1 - e0, "\\N"))))
				goto bad;
			if ((rc = parse_into(child, s + e0, e1 - e0, F_ELEM)))
				goto fail;
		}
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i == len)
			break;
		if (s[i] != ',')
			goto bad;
		i++;
	}
	free(tmp);
	return rs_col_array_close(c);
bad:
	rc = -EINVAL;
fail:
	free(tmp);
	rs_col_truncate(child, n0);
	return rc;
}

/* ------------------------------------------------------------------------
 * Entry point
 */

static int push_fixed(struct rs_col *c, const void *v)
{
	return rs_col_push_fixed(c, v);
}

static int parse_datetime_col(struct rs_col *c, const struct rs_type *t,
			      const char *s, size_t len)
{
	const struct rs_tz *tz = NULL;
	int64_t secs, frac;
	int has_off, is_unix;
	unsigned prec = t->id == RS_T_DATETIME64 ? t->n : 0;

	if (rs_dt_parse(s, len, prec, &secs, &frac, &has_off, &is_unix))
		return -EINVAL;
	if (!has_off && !is_unix && t->tz) {
		int rc = rs_tz_get(t->tz, &tz);

		if (rc == -ENOMEM)
			return rc;
		secs = rs_tz_to_utc(tz, secs);
	}
	if (t->id == RS_T_DATETIME) {
		uint32_t v;

		if (secs < 0 || secs > (int64_t)UINT32_MAX)
			return -EINVAL;
		v = (uint32_t)secs;
		return push_fixed(c, &v);
	}
	/* DateTime64: ClickHouse's range is 1900-01-01 .. 2299-12-31 */
	static const int64_t lo = -2208988800LL, hi = 10413791999LL;
	int64_t scale = 1, ticks;

	if (secs < lo || secs > hi)
		return -EINVAL;
	for (unsigned k = 0; k < prec; k++)
		scale *= 10;
	if (__builtin_mul_overflow(secs, scale, &ticks) ||
	    __builtin_add_overflow(ticks, frac, &ticks))
		return -EINVAL;
	return push_fixed(c, &ticks);
}

static int parse_fixedstring(struct rs_col *c, unsigned n, const char *s, size_t len)
{
	unsigned char small[256], *p = small;
	int rc;

	if (len > n)
		return -EINVAL;
	if (n > sizeof(small) && !(p = malloc(n)))
		return -ENOMEM;
	memcpy(p, s, len);
	memset(p + len, 0, n - len);
	rc = push_fixed(c, p);
	if (p != small)
		free(p);
	return rc;
}

static int parse_into(struct rs_col *c, const char *s, size_t len, int flags)
{
	const struct rs_type *t = rs_type_base(c->type);
	unsigned char raw[16];
	uint64_t u;
	int64_t i;
	int32_t days;

	if (!(flags & F_QUOTED) && rs_type_is_nullable(c->type) &&
	    ((len == 2 && s[0] == '\\' && s[1] == 'N') ||
	     (len == 4 && !memcmp(s, "NULL", 4)) ||
	     ((flags & F_ELEM) && ieq(s, len, "NULL"))))
		return rs_col_push_null(c);

	switch (t->id) {
	case RS_T_INT8:
		if (parse_int(s, len, INT8_MIN, INT8_MAX, &i))
			return -EINVAL;
		raw[0] = (unsigned char)(int8_t)i;
		return push_fixed(c, raw);
	case RS_T_INT16: {
		int16_t v;
		if (parse_int(s, len, INT16_MIN, INT16_MAX, &i))
			return -EINVAL;
		v = (int16_t)i;
		return push_fixed(c, &v);
	}
	case RS_T_INT32: {
		int32_t v;
		if (parse_int(s, len, INT32_MIN, INT32_MAX, &i))
			return -EINVAL;
		v = (int32_t)i;
		return push_fixed(c, &v);
	}
	case RS_T_INT64:
		if (parse_int(s, len, INT64_MIN, INT64_MAX, &i))
			return -EINVAL;
		return push_fixed(c, &i);
	case RS_T_UINT8:
		if (parse_uint(s, len, UINT8_MAX, &u))
			return -EINVAL;
		raw[0] = (unsigned char)u;
		return push_fixed(c, raw);
	case RS_T_UINT16: {
		uint16_t v;
		if (parse_uint(s, len, UINT16_MAX, &u))
			return -EINVAL;
		v = (uint16_t)u;
		return push_fixed(c, &v);
	}
	case RS_T_UINT32: {
		uint32_t v;
		if (parse_uint(s, len, UINT32_MAX, &u))
			return -EINVAL;
		v = (uint32_t)u;
		return push_fixed(c, &v);
	}
	case RS_T_UINT64:
		if (parse_uint(s, len, UINT64_MAX, &u))
			return -EINVAL;
		return push_fixed(c, &u);
	case RS_T_FLOAT32:
	case RS_T_FLOAT64: {
		int rc = parse_float(s, len, t->id == RS_T_FLOAT32, raw);
		return rc ? rc : push_fixed(c, raw);
	}
	case RS_T_DECIMAL: {
		__int128 v;
		if (parse_decimal(s, len, t->n, t->scale, &v))
			return -EINVAL;
		if (t->n <= 9) {
			int32_t v32 = (int32_t)v;
			return push_fixed(c, &v32);
		}
		if (t->n <= 18) {
			int64_t v64 = (int64_t)v;
			return push_fixed(c, &v64);
		}
		return push_fixed(c, &v);
	}
	case RS_T_BOOL:
		if (parse_bool(s, len, raw))
			return -EINVAL;
		return push_fixed(c, raw);
	case RS_T_STRING:
	case RS_T_AGGSTATE:
		return rs_col_push_str(c, s, len);
	case RS_T_FIXEDSTRING:
		return parse_fixedstring(c, t->n, s, len);
	case RS_T_DATE: {
		uint16_t v;
		if (rs_parse_date(s, len, &days) || days < 0 || days > UINT16_MAX)
			return -EINVAL;
		v = (uint16_t)days;
		return push_fixed(c, &v);
	}
	case RS_T_DATE32:
		/* 1900-01-01 .. 2299-12-31 */
		if (rs_parse_date(s, len, &days) || days < -25567 || days > 120529)
			return -EINVAL;
		return push_fixed(c, &days);
	case RS_T_DATETIME:
	case RS_T_DATETIME64:
		return parse_datetime_col(c, t, s, len);
	case RS_T_UUID:
		if (parse_uuid(s, len, raw))
			return -EINVAL;
		return push_fixed(c, raw);
	case RS_T_ARRAY:
		return parse_array(c, s, len);
	case RS_T_NOTHING:
	case RS_T_NULLABLE:
	case RS_T_LOWCARD:
		break;
	}
	return -EINVAL;
}

int rs_value_parse(struct rs_col *c, const char *s, size_t len)
{
	return parse_into(c, s, len, 0);
}

int rs_value_parse_quoted(struct rs_col *c, const char *s, size_t len)
{
	return parse_into(c, s, len, F_QUOTED);
}
