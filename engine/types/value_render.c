/*
 * value_render.c - one row of a column -> text, as ClickHouse prints it;
 * and the ORDER BY comparison of two rows.
 *
 * Number formatting lives in value_num.c, Date/DateTime formatting in
 * datetime.c; this file picks the quoting and escaping of each style.
 */
#include "value.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "value_int.h"

/* ------------------------------------------------------------------------
 * Numbers
 */

static __int128 decimal_at(const struct rs_col *c, const struct rs_type *t, size_t row)
{
	const void *p = rs_col_fixed(c, row);

	if (t->n <= 9) {
		int32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	if (t->n <= 18) {
		int64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	__int128 v;
	memcpy(&v, p, 16);
	return v;
}

/* ------------------------------------------------------------------------
 * Dates and times
 */

/* Zone of a DateTime type; one-entry per-thread cache of the lookup. */
static const struct rs_tz *type_tz(const struct rs_type *t)
{
	static _Thread_local char last_name[72];
	static _Thread_local const struct rs_tz *last_tz;
	const struct rs_tz *tz = NULL;

	if (!t->tz || strlen(t->tz) >= sizeof(last_name))
		return NULL;
	if (!strcmp(last_name, t->tz))
		return last_tz;
	if (rs_tz_get(t->tz, &tz))
		return NULL;	/* unknown zone (or no memory): UTC */
	strcpy(last_name, t->tz);
	last_tz = tz;
	return tz;
}

/* Date/DateTime/UUID text into out (>= 40 bytes) */
static size_t fmt_temporal(const struct rs_col *c, const struct rs_type *t, size_t row,
			   char *out)
{
	const void *p = rs_col_fixed(c, row);

	switch (t->id) {
	case RS_T_DATE: {
		uint16_t v;
		memcpy(&v, p, 2);
		rs_fmt_date(v, out);
		return 10;
	}
	case RS_T_DATE32: {
		int32_t v;
		memcpy(&v, p, 4);
		rs_fmt_date(v, out);
		return 10;
	}
	case RS_T_DATETIME: {
		uint32_t v;
		int64_t s;
		memcpy(&v, p, 4);
		s = v;
		rs_fmt_datetime(s + rs_tz_offset(type_tz(t), s), out);
		return 19;
	}
	case RS_T_DATETIME64: {
		int64_t ticks, scale = 1, secs, frac;
		memcpy(&ticks, p, 8);
		for (unsigned k = 0; k < t->n; k++)
			scale *= 10;
		secs = rs_floor_div(ticks, scale);
		frac = ticks - secs * scale;
		rs_fmt_datetime(secs + rs_tz_offset(type_tz(t), secs), out);
		if (!t->n)
			return 19;
		out[19] = '.';
		for (unsigned k = t->n; k > 0; k--) {
			out[19 + k] = (char)('0' + frac % 10);
			frac /= 10;
		}
		return 20 + t->n;
	}
	default: {	/* UUID */
		static const char hex[] = "0123456789abcdef";
		uint64_t h[2];
		char *o = out;

		memcpy(h, p, 16);
		for (int k = 0; k < 32; k++) {
			if (k == 8 || k == 12 || k == 16 || k == 20)
				*o++ = '-';
			*o++ = hex[(h[k / 16] >> (60 - 4 * (k % 16))) & 15];
		}
		return 36;
	}
	}
}

/* ------------------------------------------------------------------------
 * Strings
 */

/* TSV (quote 0) or quoted literal (quote '\''): \b \f \n \r \t \0 \\ \' */
static int add_escaped(struct rs_buf *out, const char *s, size_t n, char quote)
{
	size_t run = 0;
	int rc;

	if (quote && (rc = rs_buf_addc(out, quote)))
		return rc;
	if ((rc = rs_buf_reserve(out, n + 2)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		char c = s[i], e;

		switch (c) {
		case '\b': e = 'b'; break;
		case '\f': e = 'f'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\t': e = 't'; break;
		case '\0': e = '0'; break;
		case '\\': e = '\\'; break;
		case '\'': e = '\''; break;
		default:
			continue;
		}
		if ((rc = rs_buf_add(out, s + run, i - run)) ||
		    (rc = rs_buf_addc(out, '\\')) || (rc = rs_buf_addc(out, e)))
			return rc;
		run = i + 1;
	}
	if ((rc = rs_buf_add(out, s + run, n - run)))
		return rc;
	return quote ? rs_buf_addc(out, quote) : 0;
}

static int add_csv(struct rs_buf *out, const char *s, size_t n)
{
	size_t run = 0;
	int rc;

	if ((rc = rs_buf_reserve(out, n + 2)) || (rc = rs_buf_addc(out, '"')))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '"')
			continue;
		if ((rc = rs_buf_add(out, s + run, i + 1 - run)) ||
		    (rc = rs_buf_addc(out, '"')))
			return rc;
		run = i + 1;
	}
	if ((rc = rs_buf_add(out, s + run, n - run)))
		return rc;
	return rs_buf_addc(out, '"');
}

/* ClickHouse writeJSONString with escape_forward_slashes = 1 */
static int add_json(struct rs_buf *out, const char *s, size_t n)
{
	size_t run = 0;
	int rc;

	if ((rc = rs_buf_reserve(out, n + 2)) || (rc = rs_buf_addc(out, '"')))
		return rc;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		size_t elen = 2, skip = 1;

		if (c >= 0x20 && c != '"' && c != '\\' && c != '/' && c != 0xE2)
			continue;
		esc[0] = '\\';
		switch (c) {
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '/': esc[1] = '/'; break;
		case 0xE2:
			/* U+2028 / U+2029, line separators in JavaScript */
			if (i + 2 >= n || (unsigned char)s[i + 1] != 0x80 ||
			    ((unsigned char)s[i + 2] != 0xA8 && (unsigned char)s[i + 2] != 0xA9))
				continue;
			memcpy(esc + 1, (unsigned char)s[i + 2] == 0xA8 ? "u2028" : "u2029", 5);
			elen = 6;
			skip = 3;
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = (char)('0' + (c >> 4));
			esc[5] = "0123456789ABCDEF"[c & 15];
			elen = 6;
		}
		if ((rc = rs_buf_add(out, s + run, i - run)) || (rc = rs_buf_add(out, esc, elen)))
			return rc;
		i += skip - 1;
		run = i + 1;
	}
	if ((rc = rs_buf_add(out, s + run, n - run)))
		return rc;
	return rs_buf_addc(out, '"');
}

/* ------------------------------------------------------------------------
 * Rendering
 */

static int render(const struct rs_col *c, size_t row, enum rs_render_style style,
		  int elem, struct rs_buf *out);

static int render_array(const struct rs_col *c, size_t row, enum rs_render_style style,
			struct rs_buf *out)
{
	size_t b = (size_t)c->offs[row], e = (size_t)c->offs[row + 1];
	enum rs_render_style es = style == RS_RENDER_JSON ? RS_RENDER_JSON : RS_RENDER_TEXT;
	int rc;

	if (style == RS_RENDER_CSV) {
		/* the TEXT form, as one CSV string */
		struct rs_buf tmp = RS_BUF_INIT;

		rc = render_array(c, row, RS_RENDER_TEXT, &tmp);
		if (!rc)
			rc = add_csv(out, tmp.data, tmp.len);
		rs_buf_release(&tmp);
		return rc;
	}
	if ((rc = rs_buf_addc(out, '[')))
		return rc;
	for (size_t i = b; i < e; i++) {
		if (i > b && (rc = rs_buf_addc(out, ',')))
			return rc;
		if ((rc = render(c->child, i, es, 1, out)))
			return rc;
	}
	return rs_buf_addc(out, ']');
}

static int add_string(struct rs_buf *out, const char *s, size_t n,
		      enum rs_render_style style, int elem)
{
	if (style == RS_RENDER_JSON)
		return add_json(out, s, n);
	if (elem)
		return add_escaped(out, s, n, '\'');
	switch (style) {
	case RS_RENDER_TSV:
		return add_escaped(out, s, n, 0);
	case RS_RENDER_CSV:
		return add_csv(out, s, n);
	default:
		return rs_buf_add(out, s, n);
	}
}

/* elem: inside an array (strings and dates are 'quoted', NULL is NULL) */
static int render(const struct rs_col *c, size_t row, enum rs_render_style style,
		  int elem, struct rs_buf *out)
{
	const struct rs_type *t = rs_type_base(c->type);
	const void *p;
	char tmp[64];
	size_t n;

	if (rs_col_is_null(c, row)) {
		if (style == RS_RENDER_JSON)
			return rs_buf_add(out, "null", 4);
		return elem ? rs_buf_add(out, "NULL", 4) : rs_buf_add(out, "\\N", 2);
	}
	switch (t->id) {
	case RS_T_STRING:
	case RS_T_AGGSTATE: {
		const char *s = rs_col_str(c, row, &n);
		return add_string(out, s, n, style, elem);
	}
	case RS_T_FIXEDSTRING:
		return add_string(out, rs_col_fixed(c, row), c->width, style, elem);
	case RS_T_ARRAY:
		return render_array(c, row, style, out);
	case RS_T_DATE:
	case RS_T_DATE32:
	case RS_T_DATETIME:
	case RS_T_DATETIME64:
	case RS_T_UUID: {
		char q = style == RS_RENDER_JSON || style == RS_RENDER_CSV ? '"' : 0;
		int rc;

		if (elem && style != RS_RENDER_JSON)
			q = '\'';
		n = fmt_temporal(c, t, row, tmp + 1);
		if (!q)
			return rs_buf_add(out, tmp + 1, n);
		tmp[0] = q;
		tmp[n + 1] = q;
		rc = rs_buf_add(out, tmp, n + 2);
		return rc;
	}
	default:
		break;
	}

	p = rs_col_fixed(c, row);
	switch (t->id) {
	case RS_T_INT8: n = rs_fmt_i64(*(const int8_t *)p, tmp); break;
	case RS_T_UINT8: n = rs_fmt_u64(*(const uint8_t *)p, tmp); break;
	case RS_T_INT16: { int16_t v; memcpy(&v, p, 2); n = rs_fmt_i64(v, tmp); break; }
	case RS_T_UINT16: { uint16_t v; memcpy(&v, p, 2); n = rs_fmt_u64(v, tmp); break; }
	case RS_T_INT32: { int32_t v; memcpy(&v, p, 4); n = rs_fmt_i64(v, tmp); break; }
	case RS_T_UINT32: { uint32_t v; memcpy(&v, p, 4); n = rs_fmt_u64(v, tmp); break; }
	case RS_T_INT64: { int64_t v; memcpy(&v, p, 8); n = rs_fmt_i64(v, tmp); break; }
	case RS_T_UINT64: { uint64_t v; memcpy(&v, p, 8); n = rs_fmt_u64(v, tmp); break; }
	case RS_T_FLOAT32: {
		float v;
		memcpy(&v, p, 4);
		if (style == RS_RENDER_JSON && !isfinite(v))
			return rs_buf_add(out, "null", 4);
		n = rs_fmt_f32(v, tmp);
		break;
	}
	case RS_T_FLOAT64: {
		double v;
		memcpy(&v, p, 8);
		if (style == RS_RENDER_JSON && !isfinite(v))
			return rs_buf_add(out, "null", 4);
		n = rs_fmt_f64(v, tmp);
		break;
	}
	case RS_T_DECIMAL:
		n = rs_fmt_decimal(decimal_at(c, t, row), t->scale, tmp);
		break;
	case RS_T_BOOL:
		return *(const uint8_t *)p ? rs_buf_add(out, "true", 4) :
					     rs_buf_add(out, "false", 5);
	default:	/* Nothing: only NULLs exist */
		return rs_buf_add(out, "\\N", 2);
	}
	return rs_buf_add(out, tmp, n);
}

int rs_value_render(const struct rs_col *c, size_t row, enum rs_render_style style,
		    struct rs_buf *out)
{
	return render(c, row, style, 0, out);
}

/* ------------------------------------------------------------------------
 * Comparison
 */

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

static int cmp_double(double x, double y)
{
	/* NaN sorts after every number, like ClickHouse's ascending order */
	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return CMP(x, y);
}

static int cmp_bytes(const void *a, size_t na, const void *b, size_t nb)
{
	int r = memcmp(a, b, RS_MIN(na, nb));

	if (r)
		return r < 0 ? -1 : 1;
	return CMP(na, nb);
}

int rs_value_cmp(const struct rs_col *a, size_t i, const struct rs_col *b, size_t j)
{
	const struct rs_type *t = rs_type_base(a->type);
	int na = rs_col_is_null(a, i), nb = rs_col_is_null(b, j);
	const void *pa, *pb;

	if (na || nb)
		return na - nb;
	switch (t->id) {
	case RS_T_STRING:
	case RS_T_AGGSTATE: {
		size_t la, lb;
		const char *sa = rs_col_str(a, i, &la), *sb = rs_col_str(b, j, &lb);
		return cmp_bytes(sa, la, sb, lb);
	}
	case RS_T_FIXEDSTRING:
		return cmp_bytes(rs_col_fixed(a, i), a->width, rs_col_fixed(b, j), b->width);
	case RS_T_ARRAY: {
		size_t ab = (size_t)a->offs[i], ae = (size_t)a->offs[i + 1];
		size_t bb = (size_t)b->offs[j], be = (size_t)b->offs[j + 1];

		for (; ab < ae && bb < be; ab++, bb++) {
			int r = rs_value_cmp(a->child, ab, b->child, bb);
			if (r)
				return r;
		}
		return CMP(ae - ab, be - bb);
	}
	default:
		break;
	}
	pa = rs_col_fixed(a, i);
	pb = rs_col_fixed(b, j);
	switch (t->id) {
	case RS_T_INT8: return CMP(*(const int8_t *)pa, *(const int8_t *)pb);
	case RS_T_UINT8:
	case RS_T_BOOL: return CMP(*(const uint8_t *)pa, *(const uint8_t *)pb);
	case RS_T_INT16: { int16_t x, y; memcpy(&x, pa, 2); memcpy(&y, pb, 2); return CMP(x, y); }
	case RS_T_UINT16:
	case RS_T_DATE: { uint16_t x, y; memcpy(&x, pa, 2); memcpy(&y, pb, 2); return CMP(x, y); }
	case RS_T_INT32:
	case RS_T_DATE32: { int32_t x, y; memcpy(&x, pa, 4); memcpy(&y, pb, 4); return CMP(x, y); }
	case RS_T_UINT32:
	case RS_T_DATETIME: { uint32_t x, y; memcpy(&x, pa, 4); memcpy(&y, pb, 4); return CMP(x, y); }
	case RS_T_INT64:
	case RS_T_DATETIME64: { int64_t x, y; memcpy(&x, pa, 8); memcpy(&y, pb, 8); return CMP(x, y); }
	case RS_T_UINT64: { uint64_t x, y; memcpy(&x, pa, 8); memcpy(&y, pb, 8); return CMP(x, y); }
	case RS_T_FLOAT32: { float x, y; memcpy(&x, pa, 4); memcpy(&y, pb, 4); return cmp_double(x, y); }
	case RS_T_FLOAT64: { double x, y; memcpy(&x, pa, 8); memcpy(&y, pb, 8); return cmp_double(x, y); }
	case RS_T_DECIMAL: {
		__int128 x = decimal_at(a, t, i), y = decimal_at(b, t, j);
		return CMP(x, y);
	}
	case RS_T_UUID: {
		/* ClickHouse compares the second half first */
		uint64_t x[2], y[2];
		memcpy(x, pa, 16);
		memcpy(y, pb, 16);
		if (x[1] != y[1])
			return CMP(x[1], y[1]);
		return CMP(x[0], y[0]);
	}
	default:
		return 0;
	}
}
