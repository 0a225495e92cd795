/*
 * vec.c - query context helpers, numeric classes, loading column values
 * as int64/double arrays and storing them back, least supertypes, casts.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "../types/value.h"
#include "../types/value_int.h"
#include "exec.h"

int rs_qctx_check(struct rs_qctx *q)
{
	if (q->cancel && *q->cancel)
		return rs_errf(q->err, -ECANCELED, "query cancelled");
	if (q->deadline_ns && rs_now_ns() > q->deadline_ns)
		return rs_errf(q->err, -ETIMEDOUT, "query exceeded query_timeout (%llu s)",
			       (unsigned long long)(q->timeout_ms / 1000));
	return 0;
}

int rs_qctx_mem(struct rs_qctx *q, int64_t delta)
{
	if (delta < 0 && (uint64_t)-delta > q->mem_used)
		q->mem_used = 0;
	else
		q->mem_used += (uint64_t)delta;
	if (delta > 0 && q->mem_limit && q->mem_used > q->mem_limit)
		return rs_errf(q->err, -ENOMEM, "query exceeded query_memory (%llu MiB)",
			       (unsigned long long)(q->mem_limit >> 20));
	return 0;
}

const struct rs_type *rs_qtype_own(struct rs_qctx *q, struct rs_type *t)
{
	*(struct rs_type **)rs_arena_push(q->a, &q->types, &q->ntypes, sizeof(t)) = t;
	return t;
}

const struct rs_type *rs_qtype(struct rs_qctx *q, enum rs_type_id id)
{
	return rs_qtype_own(q, rs_type_new(id));
}

const struct rs_type *rs_qtype_nullable(struct rs_qctx *q, const struct rs_type *t)
{
	struct rs_type *n;

	if (t->id == RS_T_NULLABLE || t->id == RS_T_ARRAY || t->id == RS_T_LOWCARD)
		return t;
	n = rs_type_new(RS_T_NULLABLE);
	n->sub = rs_type_clone(t);
	return rs_qtype_own(q, n);
}

const struct rs_type *rs_qtype_array(struct rs_qctx *q, const struct rs_type *elem)
{
	struct rs_type *n = rs_type_new(RS_T_ARRAY);

	n->sub = rs_type_clone(elem);
	return rs_qtype_own(q, n);
}

int rs_qtype_parse(struct rs_qctx *q, const char *text, const struct rs_type **out)
{
	struct rs_type *t;
	int rc = rs_type_parse(text, &t, q->err);

	if (rc)
		return rc;
	*out = rs_qtype_own(q, t);
	return 0;
}

enum rs_ncls rs_ncls(const struct rs_type *t)
{
	switch (rs_type_base(t)->id) {
	case RS_T_INT8: case RS_T_INT16: case RS_T_INT32: case RS_T_INT64: case RS_T_DATE32:
		return RS_NC_INT;
	case RS_T_UINT8: case RS_T_UINT16: case RS_T_UINT32: case RS_T_UINT64: case RS_T_BOOL:
	case RS_T_DATE: case RS_T_DATETIME:
		return RS_NC_UINT;
	case RS_T_FLOAT32: case RS_T_FLOAT64: case RS_T_DECIMAL:
		return RS_NC_FLOAT;
	case RS_T_STRING: case RS_T_FIXEDSTRING:
		return RS_NC_STR;
	default:
		return RS_NC_OTHER;
	}
}

int rs_type_is_num(const struct rs_type *t)
{
	enum rs_type_id id = rs_type_base(t)->id;

	return id <= RS_T_BOOL;
}

int rs_type_is_date(const struct rs_type *t)
{
	enum rs_type_id id = rs_type_base(t)->id;

	return id == RS_T_DATE || id == RS_T_DATE32 || id == RS_T_DATETIME;
}

static double dec_scale(const struct rs_type *t)
{
	return pow(10, rs_type_base(t)->scale);
}

int64_t rs_get_i64(const struct rs_col *c, size_t r)
{
	const uint8_t *p = c->data + r * c->width;

	switch (rs_type_base(c->type)->id) {
	case RS_T_INT8: return *(const int8_t *)p;
	case RS_T_INT16: return *(const int16_t *)p;
	case RS_T_INT32: case RS_T_DATE32: return *(const int32_t *)p;
	case RS_T_INT64: case RS_T_DATETIME64: return *(const int64_t *)p;
	case RS_T_UINT8: case RS_T_BOOL: return *p;
	case RS_T_UINT16: case RS_T_DATE: return *(const uint16_t *)p;
	case RS_T_UINT32: case RS_T_DATETIME: return *(const uint32_t *)p;
	case RS_T_UINT64: return (int64_t)*(const uint64_t *)p;
	case RS_T_FLOAT32: return (int64_t)*(const float *)p;
	case RS_T_FLOAT64: return (int64_t)*(const double *)p;
	case RS_T_DECIMAL: return (int64_t)rs_get_f64(c, r);
	default: return 0;
	}
}

double rs_get_f64(const struct rs_col *c, size_t r)
{
	const uint8_t *p = c->data + r * c->width;
	const struct rs_type *b = rs_type_base(c->type);

	switch (b->id) {
	case RS_T_FLOAT32: return *(const float *)p;
	case RS_T_FLOAT64: return *(const double *)p;
	case RS_T_UINT64: return (double)*(const uint64_t *)p;
	case RS_T_DECIMAL:
		if (c->width == 4)
			return *(const int32_t *)p / dec_scale(b);
		if (c->width == 8)
			return (double)*(const int64_t *)p / dec_scale(b);
		return (double)*(const __int128 *)p / dec_scale(b);
	default: return (double)rs_get_i64(c, r);
	}
}

#define LOAD_LOOP(T, CONV) do { const T *s_ = (const T *)c->data; \
	for (size_t i_ = 0; i_ < n; i_++) dst[i_] = CONV(s_[i_]); } while (0)
#define ID(x) (x)

void rs_load_i64(const struct rs_vec *v, size_t n, int64_t *dst)
{
	const struct rs_col *c = v->c;

	if (v->is_const) {
		int64_t x = c->n ? rs_get_i64(c, 0) : 0;
		for (size_t i = 0; i < n; i++)
			dst[i] = x;
		return;
	}
	switch (rs_type_base(c->type)->id) {
	case RS_T_INT8: LOAD_LOOP(int8_t, ID); break;
	case RS_T_INT16: LOAD_LOOP(int16_t, ID); break;
	case RS_T_INT32: case RS_T_DATE32: LOAD_LOOP(int32_t, ID); break;
	case RS_T_INT64: case RS_T_DATETIME64: LOAD_LOOP(int64_t, ID); break;
	case RS_T_UINT8: case RS_T_BOOL: LOAD_LOOP(uint8_t, ID); break;
	case RS_T_UINT16: case RS_T_DATE: LOAD_LOOP(uint16_t, ID); break;
	case RS_T_UINT32: case RS_T_DATETIME: LOAD_LOOP(uint32_t, ID); break;
	case RS_T_UINT64: LOAD_LOOP(uint64_t, (int64_t)); break;
	case RS_T_FLOAT64: LOAD_LOOP(double, (int64_t)); break;
	case RS_T_FLOAT32: LOAD_LOOP(float, (int64_t)); break;
	default:
		for (size_t i = 0; i < n; i++)
			dst[i] = rs_get_i64(c, i);
	}
}

void rs_load_f64(const struct rs_vec *v, size_t n, double *dst)
{
	const struct rs_col *c = v->c;

	if (v->is_const) {
		double x = c->n ? rs_get_f64(c, 0) : 0;
		for (size_t i = 0; i < n; i++)
			dst[i] = x;
		return;
	}
	switch (rs_type_base(c->type)->id) {
	case RS_T_INT8: LOAD_LOOP(int8_t, ID); break;
	case RS_T_INT16: LOAD_LOOP(int16_t, ID); break;
	case RS_T_INT32: case RS_T_DATE32: LOAD_LOOP(int32_t, ID); break;
	case RS_T_INT64: LOAD_LOOP(int64_t, (double)); break;
	case RS_T_UINT8: case RS_T_BOOL: LOAD_LOOP(uint8_t, ID); break;
	case RS_T_UINT16: case RS_T_DATE: LOAD_LOOP(uint16_t, ID); break;
	case RS_T_UINT32: case RS_T_DATETIME: LOAD_LOOP(uint32_t, ID); break;
	case RS_T_UINT64: LOAD_LOOP(uint64_t, (double)); break;
	case RS_T_FLOAT64: LOAD_LOOP(double, ID); break;
	case RS_T_FLOAT32: LOAD_LOOP(float, ID); break;
	default:
		for (size_t i = 0; i < n; i++)
			dst[i] = rs_get_f64(c, i);
	}
}

#define STORE_LOOP(T) do { T *d_ = (T *)(out->data + out->n * out->width); \
	for (size_t i_ = 0; i_ < n; i_++) d_[i_] = (T)src[i_]; } while (0)

static int store_prep(struct rs_col *out, size_t n)
{
	if (rs_col_reserve(out, n))
		return -ENOMEM;
	if (out->nulls)
		memset(out->nulls + out->n, 0, n);
	return 0;
}

int rs_store_i64(struct rs_col *out, const int64_t *src, size_t n)
{
	const struct rs_type *b = rs_type_base(out->type);

	if (store_prep(out, n))
		return -ENOMEM;
	switch (b->id) {
	case RS_T_INT8: case RS_T_UINT8: STORE_LOOP(uint8_t); break;
	case RS_T_BOOL: {
		uint8_t *d = out->data + out->n;

		for (size_t i = 0; i < n; i++)
			d[i] = src[i] != 0;
		break;
	}
	case RS_T_INT16: case RS_T_UINT16: case RS_T_DATE: STORE_LOOP(uint16_t); break;
	case RS_T_INT32: case RS_T_UINT32: case RS_T_DATETIME: case RS_T_DATE32:
		STORE_LOOP(uint32_t); break;
	case RS_T_INT64: case RS_T_UINT64: case RS_T_DATETIME64: STORE_LOOP(uint64_t); break;
	case RS_T_FLOAT32: STORE_LOOP(float); break;
	case RS_T_FLOAT64: STORE_LOOP(double); break;
	case RS_T_DECIMAL: {
		double s = dec_scale(b);
		for (size_t i = 0; i < n; i++) {
			__int128 v = (__int128)src[i] * (__int128)s;
			memcpy(out->data + (out->n + i) * out->width, &v, out->width);
		}
		break;
	}
	default:
		return -EINVAL;
	}
	out->n += n;
	return 0;
}

int rs_store_f64(struct rs_col *out, const double *src, size_t n)
{
	const struct rs_type *b = rs_type_base(out->type);

	if (store_prep(out, n))
		return -ENOMEM;
	switch (b->id) {
	case RS_T_FLOAT32: STORE_LOOP(float); break;
	case RS_T_FLOAT64: STORE_LOOP(double); break;
	case RS_T_UINT64: {
		uint64_t *d = (uint64_t *)(out->data + out->n * 8);
		for (size_t i = 0; i < n; i++)
			d[i] = src[i] >= 0 ? (uint64_t)src[i] : (uint64_t)(int64_t)src[i];
		break;
	}
	case RS_T_DECIMAL: {
		double s = dec_scale(b);
		for (size_t i = 0; i < n; i++) {
			__int128 v = (__int128)llround(src[i] * s);
			memcpy(out->data + (out->n + i) * out->width, &v, out->width);
		}
		break;
	}
	default: {
		int64_t tmp[256];

		for (size_t i = 0; i < n; i += 256) {
			size_t k = n - i < 256 ? n - i : 256;

			for (size_t j = 0; j < k; j++)
				tmp[j] = isfinite(src[i + j]) ? (int64_t)src[i + j] : INT64_MIN;
			if (rs_store_i64(out, tmp, k))
				return -ENOMEM;
		}
		return 0;
	}
	}
	out->n += n;
	return 0;
}

static int int_rank(enum rs_type_id id, int *is_signed)
{
	switch (id) {
	case RS_T_UINT8: case RS_T_BOOL: *is_signed = 0; return 1;
	case RS_T_UINT16: *is_signed = 0; return 2;
	case RS_T_UINT32: *is_signed = 0; return 4;
	case RS_T_UINT64: *is_signed = 0; return 8;
	case RS_T_INT8: *is_signed = 1; return 1;
	case RS_T_INT16: *is_signed = 1; return 2;
	case RS_T_INT32: *is_signed = 1; return 4;
	case RS_T_INT64: *is_signed = 1; return 8;
	default: return 0;
	}
}

static enum rs_type_id int_type(int width, int is_signed)
{
	static const enum rs_type_id s[] = { RS_T_INT8, RS_T_INT16, RS_T_INT32, RS_T_INT64 };
	static const enum rs_type_id u[] = { RS_T_UINT8, RS_T_UINT16, RS_T_UINT32, RS_T_UINT64 };
	int k = width <= 1 ? 0 : width <= 2 ? 1 : width <= 4 ? 2 : 3;

	return is_signed ? s[k] : u[k];
}

const struct rs_type *rs_supertype(struct rs_qctx *q, const struct rs_type *a,
				   const struct rs_type *b)
{
	int na = rs_type_is_nullable(a) || a->id == RS_T_NOTHING;
	int nb = rs_type_is_nullable(b) || b->id == RS_T_NOTHING;
	const struct rs_type *ba = rs_type_base(a), *bb = rs_type_base(b), *r = NULL;
	int sa, sb, wa, wb;

	if (a->id == RS_T_NOTHING)
		r = bb;
	else if (b->id == RS_T_NOTHING)
		r = ba;
	else if (rs_type_equal(ba, bb))
		r = ba;
	else if (ba->id == RS_T_ARRAY && bb->id == RS_T_ARRAY) {
		const struct rs_type *e = rs_supertype(q, ba->sub, bb->sub);
		if (!e)
			return NULL;
		r = rs_qtype_array(q, e);
	} else if ((wa = int_rank(ba->id, &sa)) && (wb = int_rank(bb->id, &sb))) {
		if (sa == sb)
			r = rs_qtype(q, int_type(RS_MAX(wa, wb), sa));
		else {
			int wu = sa ? wb : wa, ws = sa ? wa : wb;
			int w = wu >= ws ? wu * 2 : ws;
			if (w > 8)
				return NULL;
			r = rs_qtype(q, int_type(w, 1));
		}
	} else if (rs_type_is_num(ba) && rs_type_is_num(bb)) {
		r = rs_qtype(q, RS_T_FLOAT64);
	} else if (rs_type_is_date(ba) && rs_type_is_date(bb)) {
		r = rs_qtype(q, RS_T_DATETIME);
	} else if (rs_ncls(ba) == RS_NC_STR && rs_ncls(bb) == RS_NC_STR) {
		r = rs_qtype(q, RS_T_STRING);
	} else {
		return NULL;
	}
	if (na || nb)
		r = r->id == RS_T_NOTHING ? r : rs_qtype_nullable(q, r);
	return r;
}

static int days_of(const struct rs_type *t, int64_t v)
{
	return rs_type_base(t)->id == RS_T_DATETIME ? (int)rs_floor_div(v, 86400) : (int)v;
}

int rs_cast(struct rs_qctx *q, const struct rs_vec *v, size_t n, const struct rs_type *to,
	    int mode, struct rs_col *out)
{
	const struct rs_type *from = rs_type_base(v->c->type), *tb = rs_type_base(to);
	enum rs_ncls fc = rs_ncls(from), tc = rs_ncls(tb);
	struct rs_buf tmp = RS_BUF_INIT;
	int rc = 0;

	if (rs_type_equal(from, tb) && !v->c->nulls == !rs_type_is_nullable(to) && !v->is_const)
		return rs_col_append(out, v->c, 0, n) ? -ENOMEM : 0;
	if (tc == RS_NC_STR && tb->id == RS_T_STRING) {
		for (size_t i = 0; i < n && !rc; i++) {
			size_t r = rs_vrow(v, i);

			if (rs_col_is_null(v->c, r)) {
				rc = rs_type_is_nullable(to) ? rs_col_push_null(out) : rs_col_push_zero(out);
				continue;
			}
			rs_buf_reset(&tmp);
			if (fc == RS_NC_STR) {
				size_t len;
				const char *s = rs_col_str(v->c, r, &len);
				rc = rs_col_push_str(out, s, len);
				continue;
			}
			rc = rs_value_render(v->c, r, RS_RENDER_TEXT, &tmp);
			rc = rc ?: rs_col_push_str(out, tmp.data ? tmp.data : "", tmp.len);
		}
		rs_buf_release(&tmp);
		return rc ? rs_errf(q->err, -ENOMEM, "out of memory") : 0;
	}
	if ((fc == RS_NC_INT || fc == RS_NC_UINT || fc == RS_NC_FLOAT) &&
	    (tc == RS_NC_INT || tc == RS_NC_UINT || tc == RS_NC_FLOAT) && !v->c->nulls) {
		size_t base = out->n;

		if ((tb->id == RS_T_DATE || tb->id == RS_T_DATE32) && from->id == RS_T_DATETIME) {
			int64_t *t = malloc(n * sizeof(*t) + 1);
			if (!t)
				return rs_errf(q->err, -ENOMEM, "out of memory");
			rs_load_i64(v, n, t);
			for (size_t i = 0; i < n; i++)
				t[i] = days_of(from, t[i]);
			rc = rs_store_i64(out, t, n);
			free(t);
		} else if (tb->id == RS_T_DATETIME && (from->id == RS_T_DATE || from->id == RS_T_DATE32)) {
			int64_t *t = malloc(n * sizeof(*t) + 1);
			if (!t)
				return rs_errf(q->err, -ENOMEM, "out of memory");
			rs_load_i64(v, n, t);
			for (size_t i = 0; i < n; i++)
				t[i] *= 86400;
			rc = rs_store_i64(out, t, n);
			free(t);
		} else if (fc == RS_NC_FLOAT || tc == RS_NC_FLOAT) {
			double *t = malloc(n * sizeof(*t) + 1);
			if (!t)
				return rs_errf(q->err, -ENOMEM, "out of memory");
			rs_load_f64(v, n, t);
			if (tc != RS_NC_FLOAT)
				for (size_t i = 0; i < n; i++)
					t[i] = trunc(t[i]);
			rc = rs_store_f64(out, t, n);
			free(t);
		} else {
			int64_t *t = malloc(n * sizeof(*t) + 1);
			if (!t)
				return rs_errf(q->err, -ENOMEM, "out of memory");
			rs_load_i64(v, n, t);
			rc = rs_store_i64(out, t, n);
			free(t);
		}
		(void)base;
		return rc ? rs_errf(q->err, -ENOMEM, "out of memory") : 0;
	}
	/* generic: render as text, parse as the target type */
	for (size_t i = 0; i < n && !rc; i++) {
		size_t r = rs_vrow(v, i), len;
		const char *s;

		if (rs_col_is_null(v->c, r) || v->c->type->id == RS_T_NOTHING) {
			if (rs_type_is_nullable(to))
				rc = rs_col_push_null(out);
			else if (mode == 0 && v->c->type->id != RS_T_NOTHING && 0)
				rc = -EINVAL;
			else
				rc = rs_col_push_zero(out);
			continue;
		}
		if (fc == RS_NC_STR) {
			s = rs_col_str(v->c, r, &len);
		} else if ((fc == RS_NC_UINT || fc == RS_NC_INT) && from->id != RS_T_DATE &&
			   from->id != RS_T_DATETIME && from->id != RS_T_DATE32 &&
			   (tb->id == RS_T_DATE || tb->id == RS_T_DATETIME || tb->id == RS_T_DATE32)) {
			int64_t x = rs_get_i64(v->c, r);
			rc = rs_store_i64(out, &x, 1);
			continue;
		} else {
			rs_buf_reset(&tmp);
			if ((rc = rs_value_render(v->c, r, RS_RENDER_TEXT, &tmp)))
				break;
			s = tmp.data ? tmp.data : "";
			len = tmp.len;
		}
		rc = rs_value_parse_quoted(out, s, len);
		if (rc == -EINVAL) {
			if (mode == 1)
				rc = rs_col_push_zero(out);
			else if (mode == 2)
				rc = rs_col_push_null(out);
			else {
				struct rs_buf tn = RS_BUF_INIT;
				rs_type_name(tb, &tn);
				rc = rs_errf(q->err, -EINVAL, "cannot parse '%.*s' as %s",
					     (int)(len > 64 ? 64 : len), s, tn.data ? tn.data : "?");
				rs_buf_release(&tn);
				break;
			}
		}
	}
	rs_buf_release(&tmp);
	if (rc == -ENOMEM)
		return rs_errf(q->err, -ENOMEM, "out of memory");
	return rc;
}
