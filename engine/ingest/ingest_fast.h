/*
 * ingest_fast.h - the common field forms converted straight into their
 * column, without the generic parser's dispatch (the hot path of CSV
 * ingestion; ingest_row.c).
 *
 * Each fast_* function either takes the field (returns 0: the row was
 * appended, exactly as rs_value_parse would have appended it) or declines
 * (returns 1: nothing appended; the caller hands the field to the generic
 * path, which also produces the errors). They accept only a strict subset
 * of what the generic parser accepts, the part where both give the same
 * value by construction:
 *
 *   UInt8..UInt64  1-19 ASCII digits, no sign, within the type's range
 *   Float64        [-]digits[.digits] with at most 15 digits in all: the
 *                  mantissa and 10^k are exact doubles, so one IEEE
 *                  division is the correctly rounded value strtod gives
 *   DateTime       "YYYY-MM-DD hh:mm:ss" (or 'T'), no time zone on the
 *                  type, within 1970..2106; the day number of the last
 *                  date seen is cached (input is usually time-ordered)
 *   String         any bytes, once the caller has checked UTF-8
 *
 * Nullable columns, empty fields and \N never come here.
 */
#ifndef RS_INGEST_INGEST_FAST_H
#define RS_INGEST_INGEST_FAST_H

#include <stdint.h>
#include <string.h>

#include "../types/column.h"
#include "../types/value.h"

enum rs_fast_kind {
	RS_FK_GENERIC = 0,	/* rs_value_parse and friends */
	RS_FK_STRING,
	RS_FK_U8,
	RS_FK_U16,
	RS_FK_U32,
	RS_FK_U64,
	RS_FK_F64,
	RS_FK_DATETIME,
};

/* The fast kind of a column type (RS_FK_GENERIC if none applies). */
static inline enum rs_fast_kind rs_fast_kind_of(const struct rs_type *t)
{
	const struct rs_type *b = rs_type_base(t);

	if (rs_type_is_nullable(t))
		return RS_FK_GENERIC;
	switch (b->id) {
	case RS_T_STRING:
		return RS_FK_STRING;
	case RS_T_UINT8:
		return RS_FK_U8;
	case RS_T_UINT16:
		return RS_FK_U16;
	case RS_T_UINT32:
		return RS_FK_U32;
	case RS_T_UINT64:
		return RS_FK_U64;
	case RS_T_FLOAT64:
		return RS_FK_F64;
	case RS_T_DATETIME:
		return b->tz ? RS_FK_GENERIC : RS_FK_DATETIME;
	default:
		return RS_FK_GENERIC;
	}
}

/* The date cache of RS_FK_DATETIME columns. */
struct rs_fast_dt {
	uint64_t ymd8;		/* "YYYY-MM-" as loaded */
	uint16_t dd;		/* "DD" */
	int32_t days;
	int valid;
};

static inline int rs_fast_put_fixed(struct rs_col *c, const void *v, size_t w)
{
	if (c->n < c->cap) {
		memcpy(c->data + c->n * w, v, w);
		c->n++;
		return 0;
	}
	return rs_col_push_fixed(c, v);
}

static inline int rs_fast_put_str(struct rs_col *c, const char *p, size_t len)
{
	if (c->n < c->cap && c->offs && c->bytes_cap - c->nbytes >= len) {
		memcpy(c->bytes + c->nbytes, p, len);
		c->nbytes += len;
		c->offs[++c->n] = c->nbytes;
		return 0;
	}
	return rs_col_push_str(c, p, len);
}

/* 1..19 digits; 1 when not that form. */
static inline int rs_fast_digits(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len - 1 >= 19)	/* also len == 0 */
		return 1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';
		if (d > 9)
			return 1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static inline int rs_fast_f64(const char *p, size_t len, double *out)
{
	static const double p10[16] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
					1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *e = p + len, *s = p;
	uint64_t m = 0;
	unsigned nd = 0, nf = 0;
	int neg = 0;
	double v;

	if (s < e && *s == '-') {
		neg = 1;
		s++;
	}
	for (; s < e && (unsigned)(*s - '0') <= 9; s++, nd++)
		m = m * 10 + (unsigned)(*s - '0');
	if (!nd)
		return 1;
	if (s < e && *s == '.') {
		s++;
		for (; s < e && (unsigned)(*s - '0') <= 9; s++, nf++)
			m = m * 10 + (unsigned)(*s - '0');
		if (!nf)
			return 1;
	}
	if (s != e || nd + nf > 15)
		return 1;
	v = (double)m;
	if (nf)
		v /= p10[nf];
	*out = neg ? -v : v;
	return 0;
}

/* 1 if every byte of x selected by m (0xff bytes) is an ASCII digit. A
 * byte that is not a digit fails by itself; the carry it may pass on only
 * makes its neighbour fail too (separators are checked apart). */
static inline int rs_fast_digits8(uint64_t x, uint64_t m)
{
	const uint64_t hi = 0xf0f0f0f0f0f0f0f0ull, d = 0x3030303030303030ull;

	return (x & m & hi) == (d & m) && ((x + 0x0606060606060606ull) & m & hi) == (d & m);
}

static inline int rs_fast_dt(struct rs_fast_dt *cache, const char *p, size_t len, uint32_t *out)
{
	uint64_t a, b;
	uint16_t dd;
	unsigned hh, mi, ss;
	int32_t days;
	int64_t secs;

	if (len != 19 || p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') ||
	    p[13] != ':' || p[16] != ':')
		return 1;
	memcpy(&a, p, 8);		/* YYYY-MM- */
	memcpy(&b, p + 11, 8);		/* hh:mm:ss */
	memcpy(&dd, p + 8, 2);		/* DD */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* byte k of the text is bits 8k..8k+7 of the loads */
	if (!rs_fast_digits8(a, 0x00ffff00ffffffffull) || !rs_fast_digits8(b, 0xffff00ffff00ffffull) ||
	    !rs_fast_digits8(dd, 0xffff))
		return 1;
#else
	for (unsigned k = 0; k < 19; k++)
		if (k != 4 && k != 7 && k != 10 && k != 13 && k != 16 && (unsigned)(p[k] - '0') > 9)
			return 1;
#endif
	hh = (unsigned)(p[11] - '0') * 10 + (unsigned)(p[12] - '0');
	mi = (unsigned)(p[14] - '0') * 10 + (unsigned)(p[15] - '0');
	ss = (unsigned)(p[17] - '0') * 10 + (unsigned)(p[18] - '0');
	if (hh > 23 || mi > 59 || ss > 59)
		return 1;
	if (cache->valid && cache->ymd8 == a && cache->dd == dd) {
		days = cache->days;
	} else {
		if (rs_parse_date(p, 10, &days))
			return 1;
		cache->ymd8 = a;
		cache->dd = dd;
		cache->days = days;
		cache->valid = 1;
	}
	secs = (int64_t)days * 86400 + hh * 3600 + mi * 60 + ss;
	if (secs < 0 || secs > (int64_t)UINT32_MAX)
		return 1;
	*out = (uint32_t)secs;
	return 0;
}

/* Convert p[0..len) (non-empty, not \N) into c of fast kind k (not
 * RS_FK_STRING): 0 appended, 1 declined, <0 -ENOMEM. */
static inline int rs_fast_push(enum rs_fast_kind k, struct rs_fast_dt *dt, struct rs_col *c,
			       const char *p, size_t len)
{
	uint64_t u;

	switch (k) {
	case RS_FK_U8:
		if (rs_fast_digits(p, len, &u) || u > UINT8_MAX)
			return 1;
		return rs_fast_put_fixed(c, &(uint8_t){ (uint8_t)u }, 1);
	case RS_FK_U16:
		if (rs_fast_digits(p, len, &u) || u > UINT16_MAX)
			return 1;
		return rs_fast_put_fixed(c, &(uint16_t){ (uint16_t)u }, 2);
	case RS_FK_U32:
		if (rs_fast_digits(p, len, &u) || u > UINT32_MAX)
			return 1;
		return rs_fast_put_fixed(c, &(uint32_t){ (uint32_t)u }, 4);
	case RS_FK_U64:
		if (rs_fast_digits(p, len, &u))
			return 1;
		return rs_fast_put_fixed(c, &u, 8);
	case RS_FK_F64: {
		double d;
		if (rs_fast_f64(p, len, &d))
			return 1;
		return rs_fast_put_fixed(c, &d, 8);
	}
	case RS_FK_DATETIME: {
		uint32_t v;
		if (rs_fast_dt(dt, p, len, &v))
			return 1;
		return rs_fast_put_fixed(c, &v, 4);
	}
	default:
		return 1;
	}
}

#endif
