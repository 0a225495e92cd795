/*
 * col_codec.c - one granule of one column <-> its streams (null map, array
 * element counts, values; recursively for arrays), and per-granule min/max.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"
#include "../base/util.h"
#include "../types/column.h"
#include "enc.h"
#include "part_int.h"

struct rs_codec *rs_codec_new(void)
{
	return xcalloc(1, sizeof(struct rs_codec));
}

void rs_codec_free(struct rs_codec *e)
{
	if (!e)
		return;
	free(e->k);
	free(e->t);
	free(e->codes);
	free(e->ent);
	free(e->ehash);
	free(e->slots);
	free(e->lens);
	rs_buf_release(&e->pay);
	rs_buf_release(&e->blk[0]);
	rs_buf_release(&e->blk[1]);
	free(e);
}

/* Types whose values are integers (frame of reference / delta apply). */
static int intlike(const struct rs_type *t)
{
	t = rs_type_base(t);
	switch (t->id) {
	case RS_T_FLOAT32:
	case RS_T_FLOAT64:
	case RS_T_UUID:
	case RS_T_FIXEDSTRING:
		return 0;
	case RS_T_DECIMAL:
		return rs_type_width(t) <= 8;
	default:
		return 1;
	}
}

static int grow_lens(struct rs_codec *e, size_t n)
{
	size_t cap = e->lens_cap ? e->lens_cap : 1024;
	uint64_t *p;

	if (n <= e->lens_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	p = realloc(e->lens, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	e->lens = p;
	e->lens_cap = cap;
	return 0;
}

int rs_codec_put_col(struct rs_codec *e, const struct rs_col *c, size_t from, size_t count,
		     struct rs_buf *out)
{
	const struct rs_type *t = c->type;
	int rc;

	if (rs_type_is_nullable(t) &&
	    (rc = rs_codec_put_fixed(e, count ? c->nulls + from : NULL, count, 1, 1, 0, out)))
		return rc;
	switch (rs_type_phys(t)) {
	case RS_PHYS_FIXED:
		return rs_codec_put_fixed(e, count ? c->data + from * c->width : NULL, count, c->width,
				    intlike(t), rs_type_is_signed(t), out);
	case RS_PHYS_STRING:
		return rs_codec_put_str(e, c, from, count, out);
	case RS_PHYS_ARRAY:
		break;
	}
	if ((rc = grow_lens(e, count)))
		return rc;
	for (size_t i = 0; i < count; i++)
		e->lens[i] = c->offs[from + i + 1] - c->offs[from + i];
	if ((rc = rs_codec_put_fixed(e, (const uint8_t *)e->lens, count, 8, 1, 0, out)))
		return rc;
	if (!count || !c->child) {
		struct rs_col empty;

		rs_col_init(&empty, rs_type_base(t)->sub);
		return rs_codec_put_col(e, &empty, 0, 0, out);
	}
	return rs_codec_put_col(e, c->child, (size_t)c->offs[from],
			  (size_t)(c->offs[from + count] - c->offs[from]), out);
}

static int dec_array(struct rs_block_cur *cur, struct rs_col *dst, size_t rows,
		     struct rs_err *err)
{
	uint64_t *o = dst->offs + dst->n + 1, base = dst->offs[dst->n], total = 0;
	size_t off = cur->pos;
	int rc;

	if ((rc = rs_codec_get_fixed(cur, (uint8_t *)o, rows, 8, 1, 0, err)))
		return rc;
	for (size_t i = 0; i < rows; i++) {
		if (o[i] > UINT32_MAX - total)
			return rs_codec_corrupt(cur, off, "too many array elements", err);
		total += o[i];
		o[i] = base + total;
	}
	return rs_codec_get_col(cur, dst->child, (size_t)total, err);
}

int rs_codec_get_col(struct rs_block_cur *cur, struct rs_col *dst, size_t rows, struct rs_err *err)
{
	const struct rs_type *t = dst->type;
	size_t n0 = dst->n, nb0 = dst->nbytes;
	int rc;

	if (rs_col_reserve(dst, rows))
		return rs_errf(err, -ENOMEM, "out of memory reading '%s'",
			       cur->file ? cur->file : "?");
	if (rs_type_is_nullable(t) &&
	    (rc = rs_codec_get_fixed(cur, rows ? dst->nulls + n0 : NULL, rows, 1, 1, 0, err)))
		return rc;
	switch (rs_type_phys(t)) {
	case RS_PHYS_FIXED:
		rc = rs_codec_get_fixed(cur, rows ? dst->data + n0 * dst->width : NULL, rows,
				  dst->width, intlike(t), rs_type_is_signed(t), err);
		break;
	case RS_PHYS_STRING:
		rc = rs_codec_get_str(cur, dst, rows, err);
		break;
	default:
		rc = dec_array(cur, dst, rows, err);
	}
	if (rc) {
		dst->nbytes = nb0;
		return rc;
	}
	dst->n = n0 + rows;
	return 0;
}

/* ---- min/max ---- */

enum mm_kind { MK_NONE, MK_U, MK_S, MK_F32, MK_F64, MK_S128, MK_UUID, MK_BYTES, MK_STR };

static enum mm_kind mm_kind(const struct rs_type *t)
{
	if (rs_type_phys(t) == RS_PHYS_ARRAY)
		return MK_NONE;
	t = rs_type_base(t);
	switch (t->id) {
	case RS_T_INT8: case RS_T_INT16: case RS_T_INT32: case RS_T_INT64:
	case RS_T_DATE32: case RS_T_DATETIME64:
		return MK_S;
	case RS_T_UINT8: case RS_T_UINT16: case RS_T_UINT32: case RS_T_UINT64:
	case RS_T_BOOL: case RS_T_DATE: case RS_T_DATETIME:
		return MK_U;
	case RS_T_FLOAT32:
		return MK_F32;
	case RS_T_FLOAT64:
		return MK_F64;
	case RS_T_DECIMAL:
		return rs_type_width(t) == 16 ? MK_S128 : MK_S;
	case RS_T_UUID:
		return MK_UUID;
	case RS_T_FIXEDSTRING:
		return rs_type_width(t) <= RS_MM_MAXLEN ? MK_BYTES : MK_NONE;
	case RS_T_STRING:
		return MK_STR;
	default:
		return MK_NONE;
	}
}

static int64_t ld_s(const uint8_t *p, size_t w)
{
	switch (w) {
	case 1: return (int8_t)p[0];
	case 2: return (int16_t)rs_ld16(p);
	case 4: return (int32_t)rs_ld32(p);
	default: return (int64_t)rs_ld64(p);
	}
}

static uint64_t ld_u(const uint8_t *p, size_t w)
{
	switch (w) {
	case 1: return p[0];
	case 2: return rs_ld16(p);
	case 4: return rs_ld32(p);
	default: return rs_ld64(p);
	}
}

static __int128 ld_s128(const uint8_t *p)
{
	__int128 v;

	memcpy(&v, p, 16);
	return v;
}

/* <0, 0, >0 comparing rows i and j; NaN never reaches here. */
static int cmp_rows(const struct rs_col *c, enum mm_kind k, size_t i, size_t j)
{
	const uint8_t *a = c->data + i * c->width, *b = c->data + j * c->width;

	switch (k) {
	case MK_U: {
		uint64_t x = ld_u(a, c->width), y = ld_u(b, c->width);
		return (x > y) - (x < y);
	}
	case MK_S: {
		int64_t x = ld_s(a, c->width), y = ld_s(b, c->width);
		return (x > y) - (x < y);
	}
	case MK_F32: {
		float x, y;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		return (x > y) - (x < y);
	}
	case MK_F64: {
		double x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return (x > y) - (x < y);
	}
	case MK_S128: {
		__int128 x = ld_s128(a), y = ld_s128(b);
		return (x > y) - (x < y);
	}
	case MK_UUID: {
		uint64_t x = rs_ld64(a), y = rs_ld64(b);
		if (x == y) {
			x = rs_ld64(a + 8);
			y = rs_ld64(b + 8);
		}
		return (x > y) - (x < y);
	}
	case MK_BYTES:
		return memcmp(a, b, c->width);
	case MK_STR: {
		size_t la, lb;
		const char *sa = rs_col_str(c, i, &la), *sb = rs_col_str(c, j, &lb);
		int r = memcmp(sa, sb, la < lb ? la : lb);
		return r ? r : (la > lb) - (la < lb);
	}
	default:
		return 0;
	}
}

static int is_nan(const struct rs_col *c, enum mm_kind k, size_t i)
{
	if (k == MK_F32) {
		float x;
		memcpy(&x, c->data + i * 4, 4);
		return isnan(x);
	}
	if (k == MK_F64) {
		double x;
		memcpy(&x, c->data + i * 8, 8);
		return isnan(x);
	}
	return 0;
}

/* Fast path for integers: min/max rows by value. */
static int scan_ints(const struct rs_col *c, enum mm_kind k, size_t from, size_t count,
		     size_t *imin, size_t *imax)
{
	size_t w = c->width, mi = SIZE_MAX, ma = SIZE_MAX;
	uint64_t flip = k == MK_S ? 1ull << 63 : 0, vmin = 0, vmax = 0;

	for (size_t i = from; i < from + count; i++) {
		uint64_t v;

		if (rs_col_is_null(c, i))
			continue;
		v = (k == MK_S ? (uint64_t)ld_s(c->data + i * w, w) : ld_u(c->data + i * w, w)) ^ flip;
		if (mi == SIZE_MAX || v < vmin) {
			vmin = v;
			mi = i;
		}
		if (ma == SIZE_MAX || v > vmax) {
			vmax = v;
			ma = i;
		}
	}
	*imin = mi;
	*imax = ma;
	return mi != SIZE_MAX;
}

/* Float64: min/max rows as the generic loop below picks them (first of
 * equal values; -0 and 0 are equal), 0 if none or a NaN is seen. */
static int scan_f64(const struct rs_col *c, size_t from, size_t count, size_t *imin,
		    size_t *imax)
{
	size_t mi = SIZE_MAX, ma = SIZE_MAX;
	double vmin = 0, vmax = 0;

	for (size_t i = from; i < from + count; i++) {
		double x;

		if (rs_col_is_null(c, i))
			continue;
		memcpy(&x, c->data + i * 8, 8);
		if (isnan(x))
			return 0;
		if (mi == SIZE_MAX) {
			mi = ma = i;
			vmin = vmax = x;
			continue;
		}
		if (x < vmin) {
			vmin = x;
			mi = i;
		}
		if (x > vmax) {
			vmax = x;
			ma = i;
		}
	}
	*imin = mi;
	*imax = ma;
	return mi != SIZE_MAX;
}

/* Strings: compare 8-byte big-endian prefixes first, bytes only on ties. */
static uint64_t prefix(const struct rs_col *c, size_t i, size_t *len)
{
	const char *p = rs_col_str(c, i, len);

	return __builtin_bswap64(rs_codec_ld_small((const uint8_t *)p, *len < 8 ? *len : 8));
}

static int scan_strs(const struct rs_col *c, size_t from, size_t count, size_t *imin,
		     size_t *imax)
{
	size_t mi = SIZE_MAX, ma = SIZE_MAX, lmin = 0, lmax = 0, len;
	uint64_t pmin = 0, pmax = 0;

	for (size_t i = from; i < from + count; i++) {
		uint64_t pf;

		if (rs_col_is_null(c, i))
			continue;
		pf = prefix(c, i, &len);
		if (mi == SIZE_MAX) {
			mi = ma = i;
			pmin = pmax = pf;
			lmin = lmax = len;
			continue;
		}
		if (pf < pmin || (pf == pmin && (len <= 8 && lmin <= 8 ? len < lmin :
						   cmp_rows(c, MK_STR, i, mi) < 0))) {
			mi = i;
			pmin = pf;
			lmin = len;
		}
		if (pf > pmax || (pf == pmax && (len <= 8 && lmax <= 8 ? len > lmax :
						   cmp_rows(c, MK_STR, i, ma) > 0))) {
			ma = i;
			pmax = pf;
			lmax = len;
		}
	}
	*imin = mi;
	*imax = ma;
	return mi != SIZE_MAX;
}

static int put_val(const struct rs_col *c, enum mm_kind k, size_t i, struct rs_buf *out)
{
	uint8_t len[2];
	const void *p;
	size_t n;

	if (k == MK_STR)
		p = rs_col_str(c, i, &n);
	else {
		p = c->data + i * c->width;
		n = c->width;
	}
	rs_st16(len, (uint16_t)n);
	if (rs_buf_add(out, len, 2) || rs_buf_add(out, p, n))
		return -ENOMEM;
	return 0;
}

int rs_codec_minmax_put(const struct rs_col *c, size_t from, size_t count, struct rs_buf *out)
{
	enum mm_kind k = mm_kind(c->type);
	size_t imin = SIZE_MAX, imax = SIZE_MAX, la, lb;
	int nulls = 0, known = 0;
	uint8_t flags;

	if (c->nulls)
		nulls = memchr(c->nulls + from, 1, count) != NULL;
	if (k == MK_U || k == MK_S) {
		known = scan_ints(c, k, from, count, &imin, &imax);
	} else if (k == MK_STR) {
		known = scan_strs(c, from, count, &imin, &imax);
		if (known) {
			rs_col_str(c, imin, &la);
			rs_col_str(c, imax, &lb);
			known = la <= RS_MM_MAXLEN && lb <= RS_MM_MAXLEN;
		}
	} else if (k == MK_F64) {
		known = scan_f64(c, from, count, &imin, &imax);
	} else if (k != MK_NONE) {
		known = 1;
		for (size_t i = from; i < from + count; i++) {
			if (rs_col_is_null(c, i))
				continue;
			if (is_nan(c, k, i)) {
				known = 0;
				break;
			}
			if (imin == SIZE_MAX) {
				imin = imax = i;
				continue;
			}
			if (cmp_rows(c, k, i, imin) < 0)
				imin = i;
			if (cmp_rows(c, k, i, imax) > 0)
				imax = i;
		}
		if (imin == SIZE_MAX)
			known = 0;
	}
	flags = (uint8_t)((known ? RS_MM_KNOWN : 0) | (nulls ? RS_MM_NULLS : 0));
	if (rs_buf_add(out, &flags, 1))
		return -ENOMEM;
	if (known && (put_val(c, k, imin, out) || put_val(c, k, imax, out)))
		return -ENOMEM;
	return 0;
}

/* Expected min/max byte length for a column type: -1 = none kept, 0 = any
 * length up to RS_MM_MAXLEN (strings), else the exact width. */
int rs_codec_minmax_len(const struct rs_type *t)
{
	enum mm_kind k = mm_kind(t);

	if (k == MK_NONE)
		return -1;
	if (k == MK_STR)
		return 0;
	return (int)rs_type_width(t);
}
