/*
 * agg_state.c - aggregate states as values: xState(args) returns each
 * group's state as an AggregateFunction(x, T...) value (physical String),
 * xMerge(states) merges such values and finishes like x. uniq* states are
 * sets of 64-bit value hashes (A_USET), so merging is exact.
 *
 * State bytes: kind, class of argument 0, class of argument 1, then
 *   count: u64 | sum: i64 or f64 | avg: f64 sum, u64 count
 *   min/max/any/anyLast: slot | argMin/argMax: slot (value), slot (key)
 *   uniq: u64 n, n x u64 hash | quantile*: u64 n, n x f64
 * slot: u8 has, then for strings u32 length + bytes, else 8 bytes (i64/f64).
 * Everything little-endian as in memory (x86-64 / aarch64).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "agg_int.h"

#define ROWX(i) (sel ? sel[i] : (uint32_t)(i))

int rs_hset_add(struct rs_agg *a, struct hset *s, uint64_t h)
{
	size_t p;

	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		uint64_t *nk = calloc(cap, sizeof(*nk));

		if (!nk || rs_qctx_mem(a->q, (int64_t)(cap - s->cap) * 8)) {
			free(nk);
			return -ENOMEM;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i]) {
				for (p = s->k[i] & (cap - 1); nk[p]; p = (p + 1) & (cap - 1))
					;
				nk[p] = s->k[i];
			}
		free(s->k);
		s->k = nk;
		s->cap = cap;
	}
	for (p = h & (s->cap - 1); s->k[p] && s->k[p] != h; p = (p + 1) & (s->cap - 1))
		;
	if (!s->k[p]) {
		s->k[p] = h;
		s->n++;
	}
	return 0;
}

static int put_slot(struct rs_buf *b, const struct slot *s, enum rs_ncls k)
{
	int rc = rs_buf_addc(b, (char)s->has);

	if (rc || !s->has)
		return rc;
	if (k == RS_NC_STR) {
		uint32_t len = (uint32_t)s->len;

		rc = rs_buf_add(b, &len, 4);
		return rc ?: rs_buf_add(b, s->s ? s->s : "", s->len);
	}
	return rs_buf_add(b, k == RS_NC_FLOAT ? (const void *)&s->f : (const void *)&s->i, 8);
}

static int serialize(struct rs_agg *a, int kind, uint8_t *st, struct rs_buf *b)
{
	enum rs_ncls k0 = rs_agg_cls(a, 0), k1 = rs_agg_cls(a, 1);
	uint8_t head[3] = { (uint8_t)kind, (uint8_t)k0, (uint8_t)k1 };
	int rc = rs_buf_add(b, head, 3);

	switch (kind) {
	case A_COUNT: case A_SUM:
		return rc ?: rs_buf_add(b, st, 8);
	case A_AVG:
		return rc ?: rs_buf_add(b, st, 16);
	case A_MIN: case A_MAX: case A_ANY: case A_ANYLAST:
		return rc ?: put_slot(b, (struct slot *)st, k0);
	case A_ARGMIN: case A_ARGMAX:
		rc = rc ?: put_slot(b, (struct slot *)st, k0);
		return rc ?: put_slot(b, (struct slot *)st + 1, k1);
	case A_USET: {
		struct hset *s = (struct hset *)st;
		uint64_t n = s->n;

		rc = rc ?: rs_buf_add(b, &n, 8);
		for (size_t i = 0; i < s->cap && !rc; i++)
			if (s->k[i])
				rc = rs_buf_add(b, &s->k[i], 8);
		return rc;
	}
	case A_QEXACT: case A_QUANT: {
		struct qstate *s = (struct qstate *)st;
		uint64_t n = s->n;

		rc = rc ?: rs_buf_add(b, &n, 8);
		return rc ?: rs_buf_add(b, s->v, s->n * 8);
	}
	}
	return -EINVAL;
}

static int fin_state(struct rs_agg *a, uint8_t *states, size_t ng, struct rs_col *out)
{
	struct rs_buf b = RS_BUF_INIT;
	int kind = rs_agg_kind(a), rc = 0;

	for (size_t g = 0; g < ng && !rc; g++) {
		rs_buf_reset(&b);
		rc = serialize(a, kind, states + g * a->vt->state_size, &b);
		rc = rc ?: rs_col_push_str(out, b.data ? b.data : "", b.len);
	}
	rs_buf_release(&b);
	return rc;
}

/* ---- merging states ---- */

struct rd {
	const uint8_t *p;
	size_t left;
};

static int take(struct rd *r, void *dst, size_t n)
{
	if (r->left < n)
		return -1;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static int get_slot(struct rd *r, struct slot *s, enum rs_ncls k)
{
	uint8_t has;

	memset(s, 0, sizeof(*s));
	if (take(r, &has, 1))
		return -1;
	s->has = has;
	if (!has)
		return 0;
	if (k == RS_NC_STR) {
		uint32_t len;

		if (take(r, &len, 4) || r->left < len)
			return -1;
		s->s = (char *)r->p;
		s->len = len;
		r->p += len;
		r->left -= len;
		return 0;
	}
	return take(r, k == RS_NC_FLOAT ? (void *)&s->f : (void *)&s->i, 8);
}

/* Merge one serialized state into st; 1 = malformed. */
static int merge_one(struct rs_agg *a, int kind, uint8_t *st, struct rd *r)
{
	enum rs_ncls k0 = rs_agg_cls(a, 0), k1 = rs_agg_cls(a, 1);
	uint8_t head[3];
	int flt = rs_agg_cls(a, 0) == RS_NC_FLOAT;

	if (take(r, head, 3) || head[0] != kind || head[1] != k0 || head[2] != k1)
		return 1;
	switch (kind) {
	case A_COUNT: {
		uint64_t v;
		if (take(r, &v, 8))
			return 1;
		*(uint64_t *)st += v;
		return 0;
	}
	case A_SUM: case A_AVG: {
		union { int64_t i; double f; } v;
		uint64_t c = 0;

		if (take(r, &v, 8) || (kind == A_AVG && take(r, &c, 8)))
			return 1;
		if (flt || kind == A_AVG)
			*(double *)st += v.f;
		else
			*(int64_t *)st = (int64_t)((uint64_t)*(int64_t *)st + (uint64_t)v.i);
		if (kind == A_AVG)
			*(uint64_t *)(st + 8) += c;
		return 0;
	}
	case A_MIN: case A_MAX: case A_ANY: case A_ANYLAST: {
		struct slot *s = (struct slot *)st, v;

		if (get_slot(r, &v, k0))
			return 1;
		if (!v.has || (kind == A_ANY && s->has))
			return 0;
		if (s->has && kind != A_ANYLAST) {
			int c = rs_slot_cmp(&v, s, k0);
			if ((kind == A_MIN && c >= 0) || (kind == A_MAX && c <= 0))
				return 0;
		}
		return rs_slot_set(s, &v, k0) ? -ENOMEM : 0;
	}
	case A_ARGMIN: case A_ARGMAX: {
		struct slot *s = (struct slot *)st, va, vv;

		if (get_slot(r, &va, k0) || get_slot(r, &vv, k1))
			return 1;
		if (!vv.has)
			return 0;
		if (s[1].has) {
			int c = rs_slot_cmp(&vv, &s[1], k1);
			if ((kind == A_ARGMIN && c >= 0) || (kind == A_ARGMAX && c <= 0))
				return 0;
		}
		return rs_slot_set(&s[0], &va, k0) || rs_slot_set(&s[1], &vv, k1) ? -ENOMEM : 0;
	}
	case A_USET: {
		uint64_t n, h;

		if (take(r, &n, 8) || n > r->left / 8)
			return 1;
		for (uint64_t i = 0; i < n; i++) {
			if (take(r, &h, 8))
				return 1;
			if (rs_hset_add(a, (struct hset *)st, h ? h : 1))
				return -ENOMEM;
		}
		return 0;
	}
	case A_QEXACT: case A_QUANT: {
		struct qstate *s = (struct qstate *)st;
		uint64_t n;

		if (take(r, &n, 8) || n > r->left / 8)
			return 1;
		if (s->n + n > s->cap) {
			size_t cap = s->n + n + 16;
			double *p = realloc(s->v, cap * sizeof(*p));

			if (!p || rs_qctx_mem(a->q, (int64_t)(cap - s->cap) * 8)) {
				if (p)
					s->v = p;
				return -ENOMEM;
			}
			s->v = p;
			s->cap = cap;
		}
		take(r, s->v + s->n, n * 8);
		s->n += n;
		return 0;
	}
	}
	return 1;
}

static int upd_merge(struct rs_agg *a, uint8_t *states, const uint32_t *gid, struct rs_vec *args,
		     const uint32_t *sel, size_t n)
{
	int kind = rs_agg_kind(a);
	const struct rs_col *c = args[0].c;

	for (size_t i = 0; i < n; i++) {
		size_t r = rs_vrow(&args[0], ROWX(i)), len;
		struct rd rd;
		int rc;

		if (rs_col_is_null(c, r))
			continue;
		rd.p = (const uint8_t *)rs_col_str(c, r, &len);
		rd.left = len;
		if (!len)
			continue;	/* an empty value is an empty state */
		rc = merge_one(a, kind, states + (size_t)gid[ROWX(i)] * a->vt->state_size, &rd);
		if (rc < 0)
			return rc;
		if (rc || rd.left)
			return rs_errf(a->q->err, -EINVAL, "corrupt or incompatible aggregate state");
	}
	return 0;
}

#define SZ_SLOT sizeof(struct slot)
#define ST_IMPL(k, sz) { { sz, rs_agg_upd, fin_state, rs_agg_destroy }, k }
#define MG_IMPL(k, sz) { { sz, upd_merge, rs_agg_fin, rs_agg_destroy }, k }

const struct aimpl rs_agg_state_impls[A_NKINDS] = {
	ST_IMPL(A_COUNT, 8), ST_IMPL(A_SUM, 8), ST_IMPL(A_AVG, 16), ST_IMPL(A_MIN, SZ_SLOT),
	ST_IMPL(A_MAX, SZ_SLOT), ST_IMPL(A_ANY, SZ_SLOT), ST_IMPL(A_ANYLAST, SZ_SLOT),
	ST_IMPL(A_ARGMIN, 2 * SZ_SLOT), ST_IMPL(A_ARGMAX, 2 * SZ_SLOT), ST_IMPL(A_UNIQ, 8),
	ST_IMPL(A_QEXACT, sizeof(struct qstate)), ST_IMPL(A_QUANT, sizeof(struct qstate)),
	ST_IMPL(A_GROUPARRAY, 8), ST_IMPL(A_USET, sizeof(struct hset)),
};

const struct aimpl rs_agg_merge_impls[A_NKINDS] = {
	MG_IMPL(A_COUNT, 8), MG_IMPL(A_SUM, 8), MG_IMPL(A_AVG, 16), MG_IMPL(A_MIN, SZ_SLOT),
	MG_IMPL(A_MAX, SZ_SLOT), MG_IMPL(A_ANY, SZ_SLOT), MG_IMPL(A_ANYLAST, SZ_SLOT),
	MG_IMPL(A_ARGMIN, 2 * SZ_SLOT), MG_IMPL(A_ARGMAX, 2 * SZ_SLOT), MG_IMPL(A_UNIQ, 8),
	MG_IMPL(A_QEXACT, sizeof(struct qstate)), MG_IMPL(A_QUANT, sizeof(struct qstate)),
	MG_IMPL(A_GROUPARRAY, 8), MG_IMPL(A_USET, sizeof(struct hset)),
};
