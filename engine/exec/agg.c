/*
 * agg.c - aggregate functions over per-group state arrays: count, sum, avg,
 * min, max, any, anyLast, argMin, argMax, uniq/uniqExact/count(DISTINCT),
 * quantile(s)/quantileExact/median, groupArray, and the -If combinator
 * (the condition is the last argument; rows where it is false are skipped
 * by the operator, which passes only selected rows).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "agg_int.h"

void rs_slot_get(const struct rs_col *c, size_t r, struct slot *s, enum rs_ncls k)
{
	if (k == RS_NC_STR) {
		size_t len;
		const char *p = rs_col_str(c, r, &len);
		s->s = (char *)p;
		s->len = len;
	} else if (k == RS_NC_FLOAT) {
		s->f = rs_get_f64(c, r);
	} else {
		s->i = rs_get_i64(c, r);
	}
}

int rs_slot_cmp(const struct slot *x, const struct slot *y, enum rs_ncls k)
{
	if (k == RS_NC_STR) {
		int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
		return c ? c : (x->len > y->len) - (x->len < y->len);
	}
	if (k == RS_NC_FLOAT)
		return (x->f > y->f) - (x->f < y->f);
	if (k == RS_NC_UINT)
		return ((uint64_t)x->i > (uint64_t)y->i) - ((uint64_t)x->i < (uint64_t)y->i);
	return (x->i > y->i) - (x->i < y->i);
}

/* Store v into slot s (strings copied). */
int rs_slot_set(struct slot *s, const struct slot *v, enum rs_ncls k)
{
	if (k == RS_NC_STR) {
		char *p = v->len <= s->len && s->s ? s->s : malloc(v->len + 1);
		if (!p)
			return -ENOMEM;
		memcpy(p, v->s, v->len);
		if (p != s->s)
			free(s->s);
		s->s = p;
		s->len = v->len;
	} else {
		s->i = v->i;
		s->f = v->f;
	}
	s->has = 1;
	return 0;
}

int rs_slot_out(struct rs_col *out, const struct slot *s, enum rs_ncls k)
{
	if (!s->has)
		return rs_col_push_zero(out);
	if (k == RS_NC_STR)
		return rs_col_push_str(out, s->s ? s->s : "", s->len);
	if (k == RS_NC_FLOAT)
		return rs_store_f64(out, &s->f, 1);
	return rs_store_i64(out, &s->i, 1);
}

enum rs_ncls rs_agg_cls(const struct rs_agg *a, unsigned i)
{
	unsigned n = a->comb == 2 ? a->ninner : a->nargs;

	return i < n ? rs_ncls(a->atypes[i]) : RS_NC_INT;
}

uint64_t rs_agg_row_hash(const struct rs_agg *a, struct rs_vec *args, size_t r)
{
	uint64_t key = 0;

	for (unsigned k = 0; k < a->nargs; k++)
		key = rs_hash_mix(key * 31 + rs_hash_row(args[k].c, rs_vrow(&args[k], r)));
	return key ? key : 1;
}

/*
 * count() over few groups: one counter array per lane of 4 rows, added up
 * at the end, so that a run of rows of one group does not wait on its own
 * increments (a store-to-load chain per row). Returns 1 when the groups are
 * too many for it (nothing done).
 */
static int count_lanes(uint64_t *restrict st, const uint32_t *restrict gid, size_t n,
		       size_t ngroups)
{
	enum { G = 512 };
	uint32_t lane[4][G];
	size_t i;

	if (!ngroups || ngroups > G)
		return 1;
	for (unsigned l = 0; l < 4; l++)
		memset(lane[l], 0, ngroups * sizeof(lane[l][0]));
	for (i = 0; i + 4 <= n; i += 4) {
		lane[0][gid[i]]++;
		lane[1][gid[i + 1]]++;
		lane[2][gid[i + 2]]++;
		lane[3][gid[i + 3]]++;
	}
	for (; i < n; i++)
		lane[0][gid[i]]++;
	for (size_t g = 0; g < ngroups; g++)
		st[g] += (uint64_t)lane[0][g] + lane[1][g] + lane[2][g] + lane[3][g];
	return 0;
}

int rs_agg_upd(struct rs_agg *a, uint8_t *states, const uint32_t *gid, struct rs_vec *args,
	       const uint32_t *sel, size_t n)
{
	int kind = rs_agg_kind(a);
	enum rs_ncls k0 = a->nargs ? rs_ncls(a->atypes[0]) : RS_NC_INT;
	enum rs_ncls k1 = a->nargs > 1 ? rs_ncls(a->atypes[1]) : RS_NC_INT;
	const struct rs_col *c0 = a->nargs ? args[0].c : NULL;
	const size_t ssz = a->vt->state_size;
	int rc = rs_agg_upd_fast(a, states, gid, args, sel, n);

	if (rc != 1)
		return rc;
	switch (kind) {
	case A_COUNT:
		if (a->nargs && c0->nulls) {
			for (size_t i = 0; i < n; i++)
				if (!c0->nulls[rs_vrow(&args[0], ROW(i))])
					(*ST(uint64_t, gid[ROW(i)]))++;
		} else {
			uint64_t *restrict st = (uint64_t *)states;	/* state_size 8 */

			if (sel)
				for (size_t i = 0; i < n; i++)
					st[gid[sel[i]]]++;
			else if (n < 512 || count_lanes(st, gid, n, a->ngroups))
				for (size_t i = 0; i < n; i++)
					st[gid[i]]++;
		}
		return 0;
	case A_SUM: case A_AVG: {
		int flt = rs_agg_cls(a, 0) == RS_NC_FLOAT || kind == A_AVG;

		for (size_t i = 0; i < n; i++) {
			size_t r = rs_vrow(&args[0], ROW(i));
			uint8_t *st = ST(uint8_t, gid[ROW(i)]);

			if (c0->nulls && c0->nulls[r])
				continue;
			if (flt)
				*(double *)st += rs_get_f64(c0, r);
			else
				*(int64_t *)st = (int64_t)((uint64_t)*(int64_t *)st + (uint64_t)rs_get_i64(c0, r));
			if (kind == A_AVG)
				(*(uint64_t *)(st + 8))++;
		}
		return 0;
	}
	case A_MIN: case A_MAX: case A_ANY: case A_ANYLAST:
		for (size_t i = 0; i < n; i++) {
			size_t r = rs_vrow(&args[0], ROW(i));
			struct slot *s = ST(struct slot, gid[ROW(i)]), v;

			if (c0->nulls && c0->nulls[r])
				continue;
			if (kind == A_ANY && s->has)
				continue;
			rs_slot_get(c0, r, &v, k0);
			if (s->has && kind != A_ANYLAST) {
				int c = rs_slot_cmp(&v, s, k0);
				if ((kind == A_MIN && c >= 0) || (kind == A_MAX && c <= 0))
					continue;
			}
			if (rs_slot_set(s, &v, k0))
				return -ENOMEM;
		}
		return 0;
	case A_ARGMIN: case A_ARGMAX:
		for (size_t i = 0; i < n; i++) {
			size_t r0 = rs_vrow(&args[0], ROW(i)), r1 = rs_vrow(&args[1], ROW(i));
			struct slot *s = ST(struct slot, gid[ROW(i)]), va, vv;

			if (args[1].c->nulls && args[1].c->nulls[r1])
				continue;
			rs_slot_get(args[1].c, r1, &vv, k1);
			if (s[1].has) {
				int c = rs_slot_cmp(&vv, &s[1], k1);
				if ((kind == A_ARGMIN && c >= 0) || (kind == A_ARGMAX && c <= 0))
					continue;
			}
			rs_slot_get(c0, r0, &va, k0);
			if (rs_slot_set(&s[0], &va, k0) || rs_slot_set(&s[1], &vv, k1))
				return -ENOMEM;
		}
		return 0;
	case A_UNIQ: {
		struct uset *u = a->ext;
		uint64_t hk[UNIQ_BATCH];
		uint32_t hg[UNIQ_BATCH];

		/* hash a batch, prefetch its slots, then insert: the set is
		 * larger than the caches, so the misses overlap */
		for (size_t i0 = 0; i0 < n; i0 += UNIQ_BATCH) {
			size_t m = 0, end = i0 + UNIQ_BATCH < n ? i0 + UNIQ_BATCH : n;

			for (size_t i = i0; i < end; i++) {
				size_t r = rs_vrow(&args[0], ROW(i));

				if (c0->nulls && c0->nulls[r])
					continue;
				hk[m] = a->rowh ? a->rowh[ROW(i)] : rs_agg_row_hash(a, args, ROW(i));
				hg[m++] = gid[ROW(i)];
			}
			rs_uset_prefetch(u, hk, hg, m);
			for (size_t j = 0; j < m; j++) {
				rc = rs_uset_add(a, u, hk[j], hg[j]);
				if (rc < 0)
					return rc;
				*ST(uint64_t, hg[j]) += (uint64_t)rc;
			}
		}
		return 0;
	}
	case A_USET:
		for (size_t i = 0; i < n; i++) {
			size_t r = rs_vrow(&args[0], ROW(i));

			if (c0->nulls && c0->nulls[r])
				continue;
			if (rs_hset_add(a, ST(struct hset, gid[ROW(i)]),
					a->rowh ? a->rowh[ROW(i)] : rs_agg_row_hash(a, args, ROW(i))))
				return -ENOMEM;
		}
		return 0;
	case A_QEXACT: case A_QUANT:
		for (size_t i = 0; i < n; i++) {
			size_t r = rs_vrow(&args[0], ROW(i));
			struct qstate *s = ST(struct qstate, gid[ROW(i)]);

			if (c0->nulls && c0->nulls[r])
				continue;
			if (s->n == s->cap) {
				size_t cap = s->cap ? s->cap * 2 : 16;
				double *p = realloc(s->v, cap * sizeof(*p));
				if (!p || rs_qctx_mem(a->q, (int64_t)(cap - s->cap) * 8))
					return -ENOMEM;
				s->v = p;
				s->cap = cap;
			}
			s->v[s->n++] = rs_get_f64(c0, r);
		}
		return 0;
	case A_GROUPARRAY: {
		struct garr *ga = a->ext;

		for (size_t i = 0; i < n; i++) {
			size_t r = rs_vrow(&args[0], ROW(i)), idx = ga->vals.n;
			uint32_t *s = ST(uint32_t, gid[ROW(i)]);	/* head+1, tail+1 */

			if (c0->nulls && c0->nulls[r])
				continue;
			if (rs_col_append(&ga->vals, c0, r, 1))
				return -ENOMEM;
			if (idx >= ga->cap) {
				size_t cap = ga->cap ? ga->cap * 2 : 1024;
				uint32_t *p = realloc(ga->next, cap * sizeof(*p));
				if (!p)
					return -ENOMEM;
				ga->next = p;
				ga->cap = cap;
			}
			ga->next[idx] = 0;
			if (!s[0])
				s[0] = (uint32_t)idx + 1;
			else
				ga->next[s[1] - 1] = (uint32_t)idx + 1;
			s[1] = (uint32_t)idx + 1;
		}
		return 0;
	}
	}
	return 0;
}

int rs_agg_fin(struct rs_agg *a, uint8_t *states, size_t ng, struct rs_col *out)
{
	int kind = rs_agg_kind(a), rc = 0;
	enum rs_ncls k0 = rs_agg_cls(a, 0);

	/* 8-byte counters and sums are already an array of the result */
	if (a->vt->state_size == 8 && (kind == A_COUNT || kind == A_UNIQ || kind == A_SUM))
		return kind == A_SUM && rs_ncls(a->type) == RS_NC_FLOAT ?
			rs_store_f64(out, (const double *)states, ng) :
			rs_store_i64(out, (const int64_t *)states, ng);
	for (size_t g = 0; g < ng && !rc; g++) {
		uint8_t *st = states + g * a->vt->state_size;

		switch (kind) {
		case A_COUNT: case A_UNIQ:
			rc = rs_store_i64(out, (int64_t *)st, 1);
			break;
		case A_USET: {
			int64_t c = (int64_t)((struct hset *)st)->n;
			rc = rs_store_i64(out, &c, 1);
			break;
		}
		case A_SUM:
			rc = rs_ncls(a->type) == RS_NC_FLOAT ? rs_store_f64(out, (double *)st, 1) :
				rs_store_i64(out, (int64_t *)st, 1);
			break;
		case A_AVG: {
			double v = *(double *)st / (double)*(uint64_t *)(st + 8);
			rc = rs_store_f64(out, &v, 1);
			break;
		}
		case A_MIN: case A_MAX: case A_ANY: case A_ANYLAST:
			rc = rs_slot_out(out, (struct slot *)st, k0);
			break;
		case A_ARGMIN: case A_ARGMAX:
			rc = rs_slot_out(out, (struct slot *)st, k0);
			break;
		case A_QEXACT: case A_QUANT: {
			struct qstate *s = (struct qstate *)st;
			double v = 0;

			if (s->n) {
				if (kind == A_QEXACT) {
					size_t i = (size_t)(a->param * (double)s->n);
					v = rs_qselect(s->v, s->n, i < s->n ? i : s->n - 1);
				} else {
					double pos = (double)(s->n - 1) * a->param, nx;
					size_t lo = (size_t)pos;

					v = rs_qselect(s->v, s->n, lo < s->n ? lo : s->n - 1);
					if (lo + 1 < s->n) {
						nx = s->v[lo + 1];
						for (size_t j = lo + 2; j < s->n; j++)
							nx = s->v[j] < nx ? s->v[j] : nx;
						v = v + (pos - (double)lo) * (nx - v);
					}
				}
			} else if (kind == A_QUANT) {
				v = NAN;
			}
			rc = rs_ncls(a->type) == RS_NC_FLOAT ? rs_store_f64(out, &v, 1) :
				rs_store_i64(out, &(int64_t){ (int64_t)v }, 1);
			break;
		}
		case A_GROUPARRAY: {
			struct garr *ga = a->ext;
			uint32_t *s = (uint32_t *)st;

			if (rs_col_reserve(out, 1))
				return -ENOMEM;
			for (uint32_t i = s[0]; i && !rc; i = ga->next[i - 1])
				rc = rs_col_append(out->child, &ga->vals, i - 1, 1);
			rc = rc ?: rs_col_array_close(out);
			break;
		}
		}
	}
	return rc;
}

void rs_agg_destroy(struct rs_agg *a, uint8_t *states, size_t ng)
{
	int kind = rs_agg_kind(a);

	for (size_t g = 0; g < ng && states; g++) {
		uint8_t *st = states + g * a->vt->state_size;

		if (kind >= A_MIN && kind <= A_ARGMAX) {
			struct slot *s = (struct slot *)st;
			free(s[0].s);
			if (kind >= A_ARGMIN)
				free(s[1].s);
		} else if (kind == A_QEXACT || kind == A_QUANT) {
			free(((struct qstate *)st)->v);
		} else if (kind == A_USET) {
			free(((struct hset *)st)->k);
		}
	}
	if (kind == A_UNIQ && a->ext) {
		free(((struct uset *)a->ext)->k);
		free(((struct uset *)a->ext)->g);
		free(((struct uset *)a->ext)->recent);
		free(a->ext);
	} else if (kind == A_GROUPARRAY && a->ext) {
		rs_col_release(&((struct garr *)a->ext)->vals);
		free(((struct garr *)a->ext)->next);
		free(a->ext);
	}
	a->ext = NULL;
}

#define IMPL(k, sz) { { sz, rs_agg_upd, rs_agg_fin, rs_agg_destroy }, k }
static const struct aimpl impls[] = {
	IMPL(A_COUNT, 8), IMPL(A_SUM, 8), IMPL(A_AVG, 16), IMPL(A_MIN, sizeof(struct slot)),
	IMPL(A_MAX, sizeof(struct slot)), IMPL(A_ANY, sizeof(struct slot)),
	IMPL(A_ANYLAST, sizeof(struct slot)), IMPL(A_ARGMIN, 2 * sizeof(struct slot)),
	IMPL(A_ARGMAX, 2 * sizeof(struct slot)), IMPL(A_UNIQ, 8),
	IMPL(A_QEXACT, sizeof(struct qstate)), IMPL(A_QUANT, sizeof(struct qstate)),
	IMPL(A_GROUPARRAY, 8), IMPL(A_USET, sizeof(struct hset)),
};

int rs_agg_kind(const struct rs_agg *a)
{
	return ((const struct aimpl *)a->vt)->kind;
}

static const struct { const char *name; int kind, nargs; } names[] = {
	{ "count", A_COUNT, -1 }, { "sum", A_SUM, 1 }, { "avg", A_AVG, 1 }, { "min", A_MIN, 1 },
	{ "max", A_MAX, 1 }, { "any", A_ANY, 1 }, { "anyLast", A_ANYLAST, 1 },
	{ "argMin", A_ARGMIN, 2 }, { "argMax", A_ARGMAX, 2 }, { "uniq", A_UNIQ, -1 },
	{ "uniqExact", A_UNIQ, -1 }, { "uniqCombined", A_UNIQ, -1 }, { "uniqHLL12", A_UNIQ, -1 },
	{ "countDistinct", A_UNIQ, -1 }, { "quantileExact", A_QEXACT, 1 },
	{ "quantile", A_QUANT, 1 }, { "median", A_QUANT, 1 }, { "medianExact", A_QEXACT, 1 },
	{ "quantileTiming", A_QUANT, 1 }, { "groupArray", A_GROUPARRAY, 1 },
};

static int find_kind(const char *name, size_t len, int *nargs)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len && !strncasecmp(names[i].name, name, len) &&
		    (names[i].name[0] != 'q' || !strncmp(names[i].name, name, len))) {
			*nargs = names[i].nargs;
			return names[i].kind;
		}
	return -1;
}

static int comb_suffix(const char *name, size_t len, size_t *base)
{
	static const struct { const char *s; int comb; } sfx[] = {
		{ "SimpleState", 3 }, { "State", 1 }, { "Merge", 2 },
	};

	for (unsigned i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t l = strlen(sfx[i].s);

		if (len > l && !strcmp(name + len - l, sfx[i].s)) {
			*base = len - l;
			return sfx[i].comb;
		}
	}
	*base = len;
	return 0;
}

int rs_fn_is_agg(const char *name)
{
	size_t len, base;
	int na;

	len = strlen(name);
	comb_suffix(name, len, &base);
	if (find_kind(name, base, &na) >= 0)
		return 1;
	return base > 2 && !strncmp(name + base - 2, "If", 2) && find_kind(name, base - 2, &na) >= 0;
}

static int bind_plain(struct rs_qctx *q, const char *name, size_t len, int distinct,
		      const struct rs_type **at, unsigned nargs, const double *params,
		      unsigned nparams, struct rs_agg *a);

/* "fn(params), T1, T2" of AggregateFunction(...): function, params, types. */
static int parse_state_text(struct rs_qctx *q, const char *text, char *fn, size_t fnsz,
			    double *params, unsigned *np, const struct rs_type ***at, unsigned *nt)
{
	const char *p = text, *s;
	int depth = 0, rc;

	*np = *nt = 0;
	while (*p == ' ')
		p++;
	for (s = p; *s && *s != ',' && *s != '('; s++)
		;
	if ((size_t)(s - p) >= fnsz)
		return -EINVAL;
	memcpy(fn, p, (size_t)(s - p));
	fn[s - p] = 0;
	while (fn[0] && fn[strlen(fn) - 1] == ' ')
		fn[strlen(fn) - 1] = 0;
	if (*s == '(') {
		for (s++; *s && *s != ')' && *np < 4;) {
			char *e;

			params[(*np)++] = strtod(s, &e);
			if (e == s)
				return -EINVAL;
			for (s = e; *s == ' ' || *s == ','; s++)
				;
		}
		if (*s != ')')
			return -EINVAL;
		s++;
	}
	*at = rs_arena_alloc(q->a, 9 * sizeof(**at));
	while (*s == ' ')
		s++;
	while (*s == ',') {
		char buf[256];
		size_t n = 0;

		for (s++; *s && !(depth == 0 && *s == ','); s++) {
			depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
			if (n + 1 >= sizeof(buf) || *nt >= 8)
				return -EINVAL;
			buf[n++] = *s;
		}
		buf[n] = 0;
		if ((rc = rs_qtype_parse(q, buf, &(*at)[*nt])))
			return rc;
		(*nt)++;
	}
	return *s ? -EINVAL : 0;
}

int rs_agg_bind(struct rs_qctx *q, const char *name, int distinct, const struct rs_type **at,
		unsigned nargs, const double *params, unsigned nparams, struct rs_agg *a)
{
	size_t len = strlen(name), base;
	int comb = comb_suffix(name, len, &base), rc, kind;
	struct rs_buf tb = RS_BUF_INIT;

	if (!comb || find_kind(name, len, &rc) >= 0)
		return bind_plain(q, name, len, distinct, at, nargs, params, nparams, a);
	if (distinct)
		return rs_errf(q->err, -EINVAL, "%s(DISTINCT ...) is not supported yet", name);
	if (comb == 2) {	/* xMerge(state): bind x over the state's argument types */
		const struct rs_type *st = nargs == 1 ? rs_type_base(at[0]) : NULL;
		const struct rs_type **it;
		double ip[4];
		unsigned nip, nit;
		char fn[64];

		if (!st || st->id != RS_T_AGGSTATE || !st->text)
			return rs_errf(q->err, -EINVAL,
				       "argument of '%s' must be an AggregateFunction state", name);
		if (parse_state_text(q, st->text, fn, sizeof(fn), ip, &nip, &it, &nit))
			return q->err->code ? q->err->code :
				rs_errf(q->err, -EINVAL, "cannot read state type '%s'", st->text);
		if (strlen(fn) != base || strncmp(fn, name, base))
			return rs_errf(q->err, -EINVAL, "'%s' cannot merge states of '%s'", name, fn);
		if ((rc = bind_plain(q, fn, base, 0, it, nit, ip, nip, a)))
			return rc;
		kind = rs_agg_kind(a);
		a->ninner = a->nargs;
		a->nargs = 1;
		a->is_if = 0;
		a->vt = &rs_agg_merge_impls[kind == A_UNIQ ? A_USET : kind].vt;
	} else {
		if ((rc = bind_plain(q, name, base, 0, at, nargs, params, nparams, a)))
			return rc;
		kind = rs_agg_kind(a);
		if (comb == 3) {	/* -SimpleState: the value, typed SimpleAggregateFunction */
			rs_buf_printf(&tb, "SimpleAggregateFunction(%.*s, ", (int)base, name);
			rs_type_name(a->type, &tb);
			rs_buf_addc(&tb, ')');
			rc = rs_qtype_parse(q, tb.data, &a->type);
			rs_buf_release(&tb);
			return rc;
		}
		if (kind == A_GROUPARRAY)
			return rs_errf(q->err, -EINVAL, "'%s' is not supported yet", name);
		a->comb = 1;
		a->vt = &rs_agg_state_impls[kind == A_UNIQ ? A_USET : kind].vt;
		rs_buf_printf(&tb, "AggregateFunction(%.*s", (int)base, name);
		for (unsigned i = 0; i < nparams; i++)
			rs_buf_printf(&tb, "%s%g%s", i ? ", " : "(", params[i], i + 1 == nparams ? ")" : "");
		for (unsigned i = 0; i < nargs; i++) {
			rs_buf_adds(&tb, ", ");
			rs_type_name(at[i], &tb);
		}
		rs_buf_addc(&tb, ')');
		rc = rs_qtype_parse(q, tb.data, &a->type);
		rs_buf_release(&tb);
		if (rc)
			return rc;
	}
	if (kind == A_UNIQ) {	/* states keep per-group sets instead of the shared one */
		free(a->ext);
		a->ext = NULL;
	}
	a->comb = comb;
	if (a->nullable) {
		a->nullable = 0;
		if (comb == 2)
			a->type = rs_type_base(a->type);
	}
	return 0;
}

static int bind_plain(struct rs_qctx *q, const char *name, size_t len, int distinct,
		      const struct rs_type **at, unsigned nargs, const double *params,
		      unsigned nparams, struct rs_agg *a)
{
	int na, kind = find_kind(name, len, &na), is_if = 0;
	unsigned nv;
	enum rs_ncls k;

	if (kind < 0 && len > 2 && !strncmp(name + len - 2, "If", 2)) {
		kind = find_kind(name, len - 2, &na);
		is_if = 1;
	}
	if (kind < 0)
		return rs_errf(q->err, -EINVAL, "unknown aggregate function '%.*s'", (int)len, name);
	if (distinct) {
		if (kind != A_COUNT && kind != A_UNIQ)
			return rs_errf(q->err, -EINVAL, "%.*s(DISTINCT ...) is not supported yet", (int)len, name);
		kind = A_UNIQ;
		na = -1;
	}
	memset(a, 0, sizeof(*a));
	nv = nargs - (unsigned)is_if;
	if (is_if && (nargs < 1 || !rs_type_is_num(at[nargs - 1])))
		return rs_errf(q->err, -EINVAL, "last argument of '%.*s' must be a condition", (int)len,
			       name);
	if ((na >= 0 && nv != (unsigned)na) || (kind == A_UNIQ && nv < 1) || (kind == A_COUNT && nv > 1))
		return rs_errf(q->err, -EINVAL, "wrong number of arguments for aggregate function '%.*s': %u",
			       (int)len, name, nv);
	a->vt = &impls[kind].vt;
	a->q = q;
	a->atypes = at;
	a->nargs = nv;
	a->is_if = is_if;
	a->param = 0.5;
	if (kind == A_QEXACT || kind == A_QUANT) {
		if (nparams > 1)
			return rs_errf(q->err, -EINVAL, "quantiles with several levels are not supported yet");
		if (nparams)
			a->param = params[0];
		if (!(a->param >= 0 && a->param <= 1))
			return rs_errf(q->err, -EINVAL, "quantile level must be in [0, 1]");
	} else if (nparams) {
		return rs_errf(q->err, -EINVAL, "aggregate function '%.*s' takes no parameters",
			       (int)len, name);
	}
	k = nv ? rs_ncls(at[0]) : RS_NC_INT;
	switch (kind) {
	case A_COUNT: case A_UNIQ:
		a->type = rs_qtype(q, RS_T_UINT64);
		break;
	case A_SUM:
		if (!rs_type_is_num(at[0]))
			goto bad;
		a->type = rs_qtype(q, k == RS_NC_FLOAT ? RS_T_FLOAT64 : k == RS_NC_INT ? RS_T_INT64 :
				   RS_T_UINT64);
		break;
	case A_AVG:
		if (!rs_type_is_num(at[0]))
			goto bad;
		a->type = rs_qtype(q, RS_T_FLOAT64);
		break;
	case A_QEXACT: case A_QUANT:
		if (!rs_type_is_num(at[0]) && !rs_type_is_date(at[0]))
			goto bad;
		a->type = kind == A_QEXACT || rs_type_is_date(at[0]) ? rs_type_base(at[0]) :
			rs_qtype(q, RS_T_FLOAT64);
		break;
	case A_GROUPARRAY: {
		struct garr *ga = calloc(1, sizeof(*ga));
		if (!ga)
			return rs_errf(q->err, -ENOMEM, "out of memory");
		a->type = rs_qtype_array(q, rs_type_base(at[0]));
		rs_col_init(&ga->vals, at[0]);
		a->ext = ga;
		break;
	}
	default:
		if (k == RS_NC_OTHER)
			goto bad;
		if (kind >= A_ARGMIN && rs_ncls(at[1]) == RS_NC_OTHER)
			goto bad;
		a->type = rs_type_base(at[0]);
		if (a->type->id == RS_T_NOTHING)
			goto bad;
	}
	if (kind != A_COUNT && kind != A_UNIQ && kind != A_GROUPARRAY && nv &&
	    rs_type_is_nullable(at[0]) && a->type->id != RS_T_NULLABLE) {
		a->nullable = 1;
		a->type = rs_qtype_nullable(q, a->type);
	}
	if (kind == A_UNIQ) {
		a->ext = calloc(1, sizeof(struct uset));
		if (!a->ext)
			return rs_errf(q->err, -ENOMEM, "out of memory");
	}
	return 0;
bad:
	return rs_errf(q->err, -EINVAL, "illegal type of argument of aggregate function '%.*s'",
		       (int)len, name);
}
