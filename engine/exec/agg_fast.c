/*
 * agg_fast.c - typed update loops for the common aggregates over plain
 * numeric columns (sum, avg, min, max, quantiles), the uniqExact set,
 * selection for exact quantiles, and merging of partial states built by
 * parallel workers (op_agg.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"

#define UNIQ_G 0x9e3779b97f4a7c15ULL
#define RECENT 4096	/* entries of struct uset's recent-key cache */

/* Inverse of an odd 64-bit constant (Newton). */
static uint64_t inv64(uint64_t a)
{
	uint64_t x = a;

	for (int i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

static uint64_t unmix(uint64_t h)
{
	h ^= h >> 33;
	h *= inv64(0xc4ceb9fe1a85ec53ULL);
	h ^= h >> 33;
	h *= inv64(0xff51afd7ed558ccdULL);
	h ^= h >> 33;
	return h;
}

void rs_uset_prefetch(const struct uset *u, const uint64_t *rowhash, const uint32_t *g, size_t n)
{
	if (!u->cap)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t key = rs_hash_mix(rowhash[i] ^ ((uint64_t)g[i] * UNIQ_G));
		__builtin_prefetch(&u->k[(key ? key : 1) & (u->cap - 1)]);
	}
}

int rs_uset_add(struct rs_agg *a, struct uset *u, uint64_t rowhash, uint32_t g)
{
	uint64_t key = rs_hash_mix(rowhash ^ ((uint64_t)g * UNIQ_G));
	size_t p, mask;

	if (!key)
		key = 1;
	/* values repeat close together (sessions): most are found here */
	if (!u->recent && !(u->recent = calloc(RECENT, sizeof(*u->recent))))
		return -ENOMEM;
	if (u->recent[(key >> 20) & (RECENT - 1)] == key)
		return 0;
	u->recent[(key >> 20) & (RECENT - 1)] = key;
	if ((u->n + 1) * 2 > u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 1024;
		uint64_t *nk = calloc(cap, 8);
		uint32_t *ng = malloc(cap * sizeof(*ng));

		if (!nk || !ng) {
			free(nk);
			free(ng);
			return -ENOMEM;
		}
		for (size_t s = 0; s < u->cap; s++)
			if (u->k[s]) {
				for (p = u->k[s] & (cap - 1); nk[p]; p = (p + 1) & (cap - 1))
					;
				nk[p] = u->k[s];
				ng[p] = u->g[s];
			}
		free(u->k);
		free(u->g);
		u->k = nk;
		u->g = ng;
		if (rs_qctx_mem(a->q, (int64_t)(cap - u->cap) * 12))
			return -ENOMEM;
		u->cap = cap;
	}
	mask = u->cap - 1;
	for (p = key & mask; u->k[p]; p = (p + 1) & mask)
		if (u->k[p] == key)
			return 0;
	u->k[p] = key;
	u->g[p] = g;
	u->n++;
	return 1;
}

/* Rows the arguments must be loaded for: [0, sel[n-1]] or [0, n). */
static size_t span(const uint32_t *sel, size_t n)
{
	return sel ? (n ? (size_t)sel[n - 1] + 1 : 0) : n;
}

int rs_agg_upd_fast(struct rs_agg *a, uint8_t *states, const uint32_t *gid, struct rs_vec *args,
		    const uint32_t *sel, size_t n)
{
	int kind = rs_agg_kind(a);
	const size_t ssz = a->vt->state_size;
	size_t m = span(sel, n);
	enum rs_ncls k0;
	union {
		double f[RS_CHUNK_MAX];
		int64_t i[RS_CHUNK_MAX];
	} b;

	if (!a->nargs || args[0].c->nulls || m > RS_CHUNK_MAX || a->comb == 2)
		return 1;
	k0 = rs_agg_cls(a, 0);
	switch (kind) {
	case A_SUM: case A_AVG:
		if (k0 == RS_NC_FLOAT || kind == A_AVG) {
			rs_load_f64(&args[0], m, b.f);
			for (size_t i = 0; i < n; i++) {
				uint8_t *st = ST(uint8_t, gid[ROW(i)]);

				*(double *)st += b.f[ROW(i)];
				if (kind == A_AVG)
					(*(uint64_t *)(st + 8))++;
			}
		} else {
			rs_load_i64(&args[0], m, b.i);
			for (size_t i = 0; i < n; i++) {
				int64_t *st = ST(int64_t, gid[ROW(i)]);

				*st = (int64_t)((uint64_t)*st + (uint64_t)b.i[ROW(i)]);
			}
		}
		return 0;
	case A_MIN: case A_MAX:
		if (k0 == RS_NC_FLOAT) {
			rs_load_f64(&args[0], m, b.f);
			for (size_t i = 0; i < n; i++) {
				struct slot *s = ST(struct slot, gid[ROW(i)]);
				double v = b.f[ROW(i)];

				if (s->has && (kind == A_MIN ? !(v < s->f) : !(v > s->f)))
					continue;
				s->f = v;
				s->has = 1;
			}
		} else if (k0 == RS_NC_INT || k0 == RS_NC_UINT) {
			rs_load_i64(&args[0], m, b.i);
			for (size_t i = 0; i < n; i++) {
				struct slot *s = ST(struct slot, gid[ROW(i)]);
				int64_t v = b.i[ROW(i)];
				int lt = k0 == RS_NC_INT ? v < s->i : (uint64_t)v < (uint64_t)s->i;
				int gt = k0 == RS_NC_INT ? v > s->i : (uint64_t)v > (uint64_t)s->i;

				if (s->has && (kind == A_MIN ? !lt : !gt))
					continue;
				s->i = v;
				s->has = 1;
			}
		} else {
			return 1;
		}
		return 0;
	case A_QEXACT: case A_QUANT:
		rs_load_f64(&args[0], m, b.f);
		for (size_t i = 0; i < n; i++) {
			struct qstate *s = ST(struct qstate, gid[ROW(i)]);

			if (s->n == s->cap) {
				size_t cap = s->cap ? s->cap * 2 : 16;
				double *p = realloc(s->v, cap * sizeof(*p));
				if (!p || rs_qctx_mem(a->q, (int64_t)(cap - s->cap) * 8)) {
					if (p)
						s->v = p;
					return -ENOMEM;
				}
				s->v = p;
				s->cap = cap;
			}
			s->v[s->n++] = b.f[ROW(i)];
		}
		return 0;
	default:
		return 1;
	}
}

static void swapd(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/* Element of rank k (0-based) of v[0..n) as if sorted (v is reordered,
 * Wirth's selection); v[k+1..n) are all >= it on return. */
double rs_qselect(double *v, size_t n, size_t k)
{
	ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (l < m) {
		ptrdiff_t i = l, j = m, mid = l + (m - l) / 2;
		double x;

		if (v[mid] < v[l])
			swapd(&v[mid], &v[l]);
		if (v[m] < v[l])
			swapd(&v[m], &v[l]);
		if (v[m] < v[mid])
			swapd(&v[m], &v[mid]);
		swapd(&v[mid], &v[kk]);
		x = v[kk];
		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				swapd(&v[i], &v[j]);
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return v[k];
}

int rs_agg_merge(struct rs_agg *a, uint8_t *dst, struct rs_agg *b, uint8_t *src,
		 const uint32_t *map, size_t n)
{
	int kind = rs_agg_kind(a);
	size_t sz = a->vt->state_size;
	enum rs_ncls k0 = rs_agg_cls(a, 0), k1 = a->nargs > 1 ? rs_ncls(a->atypes[1]) : RS_NC_INT;
	int flt = rs_ncls(a->type) == RS_NC_FLOAT;

	for (size_t g = 0; g < n; g++) {
		uint8_t *d = dst + (size_t)map[g] * sz, *s = src + g * sz;
		struct slot *ds = (struct slot *)d, *ss = (struct slot *)s;
		int c;

		switch (kind) {
		case A_COUNT:
			*(uint64_t *)d += *(uint64_t *)s;
			break;
		case A_SUM:
			if (flt)
				*(double *)d += *(double *)s;
			else
				*(int64_t *)d = (int64_t)((uint64_t)*(int64_t *)d + (uint64_t)*(int64_t *)s);
			break;
		case A_AVG:
			*(double *)d += *(double *)s;
			*(uint64_t *)(d + 8) += *(uint64_t *)(s + 8);
			break;
		case A_MIN: case A_MAX: case A_ANY: case A_ANYLAST:
			if (!ss->has || (kind == A_ANY && ds->has))
				break;
			if (ds->has && (kind == A_MIN || kind == A_MAX)) {
				c = rs_slot_cmp(ss, ds, k0);
				if ((kind == A_MIN && c >= 0) || (kind == A_MAX && c <= 0))
					break;
			}
			if (rs_slot_set(ds, ss, k0))
				return -ENOMEM;
			break;
		case A_ARGMIN: case A_ARGMAX:
			if (!ss[1].has)
				break;
			if (ds[1].has) {
				c = rs_slot_cmp(&ss[1], &ds[1], k1);
				if ((kind == A_ARGMIN && c >= 0) || (kind == A_ARGMAX && c <= 0))
					break;
			}
			if (rs_slot_set(&ds[0], &ss[0], k0) || rs_slot_set(&ds[1], &ss[1], k1))
				return -ENOMEM;
			break;
		case A_QEXACT: case A_QUANT: {
			struct qstate *dq = (struct qstate *)d, *sq = (struct qstate *)s;

			if (!sq->n)
				break;
			if (dq->n + sq->n > dq->cap) {
				size_t cap = dq->n + sq->n;
				double *p = realloc(dq->v, cap * sizeof(*p));

				if (!p || rs_qctx_mem(a->q, (int64_t)(cap - dq->cap) * 8)) {
					if (p)
						dq->v = p;
					return -ENOMEM;
				}
				dq->v = p;
				dq->cap = cap;
			}
			memcpy(dq->v + dq->n, sq->v, sq->n * sizeof(double));
			dq->n += sq->n;
			break;
		}
		default:
			break;
		}
	}
	if (kind == A_UNIQ) {
		struct uset *su = b->ext, *du = a->ext;
		uint64_t hk[UNIQ_BATCH];
		uint32_t hg[UNIQ_BATCH];

		for (size_t p0 = 0; su && p0 < su->cap; p0 += UNIQ_BATCH) {
			size_t m = 0, end = p0 + UNIQ_BATCH < su->cap ? p0 + UNIQ_BATCH : su->cap;

			for (size_t p = p0; p < end; p++) {
				uint32_t g;

				if (!su->k[p])
					continue;
				g = su->g[p];
				hk[m] = unmix(su->k[p]) ^ ((uint64_t)g * UNIQ_G);
				hg[m++] = map[g];
			}
			rs_uset_prefetch(du, hk, hg, m);
			for (size_t j = 0; j < m; j++) {
				int rc = rs_uset_add(a, du, hk[j], hg[j]);

				if (rc < 0)
					return rc;
				if (rc)
					(*(uint64_t *)(dst + (size_t)hg[j] * sz))++;
			}
		}
	}
	return 0;
}
