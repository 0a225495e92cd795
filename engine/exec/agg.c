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

#include "../base/util.h"
#include "exec.h"

enum { A_COUNT, A_SUM, A_AVG, A_MIN, A_MAX, A_ANY, A_ANYLAST, A_ARGMIN, A_ARGMAX, A_UNIQ,
       A_QEXACT, A_QUANT, A_GROUPARRAY };

struct slot {		/* one value of any scalar type */
	uint8_t has;
	int64_t i;
	double f;
	char *s;
	size_t len;
};

struct qstate { double *v; size_t n, cap; };

struct uset {		/* uniqExact: set of (group, value hash) */
	uint64_t *k;
	size_t cap, n;
};

struct garr {		/* groupArray: all values, chained per group */
	struct rs_col vals;
	uint32_t *next;
	size_t cap;
};

#define ROW(i) (sel ? sel[i] : (uint32_t)(i))
#define ST(T, g) ((T *)(states + (size_t)(g) * a->vt->state_size))

static int kind_of(const struct rs_agg *a);

static void slot_get(const struct rs_col *c, size_t r, struct slot *s, enum rs_ncls k)
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

static int slot_cmp(const struct slot *x, const struct slot *y, enum rs_ncls k)
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
static int slot_set(struct slot *s, const struct slot *v, enum rs_ncls k)
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

static int slot_out(struct rs_col *out, const struct slot *s, enum rs_ncls k)
{
	if (!s->has)
		return rs_col_push_zero(out);
	if (k == RS_NC_STR)
		return rs_col_push_str(out, s->s ? s->s : "", s->len);
	if (k == RS_NC_FLOAT)
		return rs_store_f64(out, &s->f, 1);
	return rs_store_i64(out, &s->i, 1);
}

struct aimpl {
	struct rs_agg_vt vt;
	int kind;
};

static int upd(struct rs_agg *a, uint8_t *states, const uint32_t *gid, struct rs_vec *args,
	       const uint32_t *sel, size_t n)
{
	int kind = kind_of(a);
	enum rs_ncls k0 = a->nargs ? rs_ncls(a->atypes[0]) : RS_NC_INT;
	enum rs_ncls k1 = a->nargs > 1 ? rs_ncls(a->atypes[1]) : RS_NC_INT;
	const struct rs_col *c0 = a->nargs ? args[0].c : NULL;

	switch (kind) {
	case A_COUNT:
		if (a->nargs && c0->nulls) {
			for (size_t i = 0; i < n; i++)
				if (!c0->nulls[rs_vrow(&args[0], ROW(i))])
					(*ST(uint64_t, gid[ROW(i)]))++;
		} else {
			for (size_t i = 0; i < n; i++)
				(*ST(uint64_t, gid[ROW(i)]))++;
		}
		return 0;
	case A_SUM: case A_AVG: {
		int flt = rs_ncls(a->type) == RS_NC_FLOAT || kind == A_AVG;

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
			slot_get(c0, r, &v, k0);
			if (s->has && kind != A_ANYLAST) {
				int c = slot_cmp(&v, s, k0);
				if ((kind == A_MIN && c >= 0) || (kind == A_MAX && c <= 0))
					continue;
			}
			if (slot_set(s, &v, k0))
				return -ENOMEM;
		}
		return 0;
	case A_ARGMIN: case A_ARGMAX:
		for (size_t i = 0; i < n; i++) {
			size_t r0 = rs_vrow(&args[0], ROW(i)), r1 = rs_vrow(&args[1], ROW(i));
			struct slot *s = ST(struct slot, gid[ROW(i)]), va, vv;

			if (args[1].c->nulls && args[1].c->nulls[r1])
				continue;
			slot_get(args[1].c, r1, &vv, k1);
			if (s[1].has) {
				int c = slot_cmp(&vv, &s[1], k1);
				if ((kind == A_ARGMIN && c >= 0) || (kind == A_ARGMAX && c <= 0))
					continue;
			}
			slot_get(c0, r0, &va, k0);
			if (slot_set(&s[0], &va, k0) || slot_set(&s[1], &vv, k1))
				return -ENOMEM;
		}
		return 0;
	case A_UNIQ: {
		struct uset *u = a->ext;

		for (size_t i = 0; i < n; i++) {
			size_t r = rs_vrow(&args[0], ROW(i)), p;
			uint32_t g = gid[ROW(i)];
			uint64_t key = 0;

			if (c0->nulls && c0->nulls[r])
				continue;
			for (unsigned k = 0; k < a->nargs; k++)
				key = rs_hash_mix(key * 31 + rs_hash_row(args[k].c, rs_vrow(&args[k], ROW(i))));
			key = rs_hash_mix(key ^ ((uint64_t)g * 0x9e3779b97f4a7c15ULL));
			if (!key)
				key = 1;
			if ((u->n + 1) * 2 > u->cap) {
				size_t cap = u->cap ? u->cap * 2 : 1024;
				uint64_t *nk = calloc(cap, 8);
				if (!nk)
					return -ENOMEM;
				for (size_t s = 0; s < u->cap; s++)
					if (u->k[s]) {
						for (p = u->k[s] & (cap - 1); nk[p]; p = (p + 1) & (cap - 1))
							;
						nk[p] = u->k[s];
					}
				free(u->k);
				u->k = nk;
				if (rs_qctx_mem(a->q, (int64_t)(cap - u->cap) * 8))
					return -ENOMEM;
				u->cap = cap;
			}
			for (p = key & (u->cap - 1); u->k[p] && u->k[p] != key; p = (p + 1) & (u->cap - 1))
				;
			if (!u->k[p]) {
				u->k[p] = key;
				u->n++;
				(*ST(uint64_t, g))++;
			}
		}
		return 0;
	}
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

static int dcmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static int fin(struct rs_agg *a, uint8_t *states, size_t ng, struct rs_col *out)
{
	int kind = kind_of(a), rc = 0;
	enum rs_ncls k0 = a->nargs ? rs_ncls(a->atypes[0]) : RS_NC_INT;

	for (size_t g = 0; g < ng && !rc; g++) {
		uint8_t *st = states + g * a->vt->state_size;

		switch (kind) {
		case A_COUNT: case A_UNIQ:
			rc = rs_store_i64(out, (int64_t *)st, 1);
			break;
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
			rc = slot_out(out, (struct slot *)st, k0);
			break;
		case A_ARGMIN: case A_ARGMAX:
			rc = slot_out(out, (struct slot *)st, k0);
			break;
		case A_QEXACT: case A_QUANT: {
			struct qstate *s = (struct qstate *)st;
			double v = 0;

			if (s->n) {
				qsort(s->v, s->n, sizeof(double), dcmp);
				if (kind == A_QEXACT) {
					size_t i = (size_t)(a->param * (double)s->n);
					v = s->v[i < s->n ? i : s->n - 1];
				} else {
					double pos = (double)(s->n - 1) * a->param;
					size_t lo = (size_t)pos;
					v = lo + 1 < s->n ? s->v[lo] + (pos - (double)lo) * (s->v[lo + 1] - s->v[lo]) :
						s->v[s->n - 1];
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

static void destroy(struct rs_agg *a, uint8_t *states, size_t ng)
{
	int kind = kind_of(a);

	for (size_t g = 0; g < ng && states; g++) {
		uint8_t *st = states + g * a->vt->state_size;

		if (kind >= A_MIN && kind <= A_ARGMAX) {
			struct slot *s = (struct slot *)st;
			free(s[0].s);
			if (kind >= A_ARGMIN)
				free(s[1].s);
		} else if (kind == A_QEXACT || kind == A_QUANT) {
			free(((struct qstate *)st)->v);
		}
	}
	if (kind == A_UNIQ && a->ext) {
		free(((struct uset *)a->ext)->k);
		free(a->ext);
	} else if (kind == A_GROUPARRAY && a->ext) {
		rs_col_release(&((struct garr *)a->ext)->vals);
		free(((struct garr *)a->ext)->next);
		free(a->ext);
	}
	a->ext = NULL;
}

#define IMPL(k, sz) { { sz, upd, fin, destroy }, k }
static const struct aimpl impls[] = {
	IMPL(A_COUNT, 8), IMPL(A_SUM, 8), IMPL(A_AVG, 16), IMPL(A_MIN, sizeof(struct slot)),
	IMPL(A_MAX, sizeof(struct slot)), IMPL(A_ANY, sizeof(struct slot)),
	IMPL(A_ANYLAST, sizeof(struct slot)), IMPL(A_ARGMIN, 2 * sizeof(struct slot)),
	IMPL(A_ARGMAX, 2 * sizeof(struct slot)), IMPL(A_UNIQ, 8),
	IMPL(A_QEXACT, sizeof(struct qstate)), IMPL(A_QUANT, sizeof(struct qstate)),
	IMPL(A_GROUPARRAY, 8),
};

static int kind_of(const struct rs_agg *a)
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

int rs_fn_is_agg(const char *name)
{
	size_t len = strlen(name);
	int na;

	if (find_kind(name, len, &na) >= 0)
		return 1;
	return len > 2 && !strcmp(name + len - 2, "If") && find_kind(name, len - 2, &na) >= 0;
}

int rs_agg_bind(struct rs_qctx *q, const char *name, int distinct, const struct rs_type **at,
		unsigned nargs, const double *params, unsigned nparams, struct rs_agg *a)
{
	size_t len = strlen(name);
	int na, kind = find_kind(name, len, &na), is_if = 0;
	unsigned nv;
	enum rs_ncls k;

	if (kind < 0 && len > 2 && !strcmp(name + len - 2, "If")) {
		kind = find_kind(name, len - 2, &na);
		is_if = 1;
	}
	if (kind < 0) {
		if (len > 5 && (!strcmp(name + len - 5, "State") || !strcmp(name + len - 5, "Merge")))
			return rs_errf(q->err, -EINVAL, "combinator of '%s' is not supported yet", name);
		return rs_errf(q->err, -EINVAL, "unknown aggregate function '%s'", name);
	}
	if (distinct) {
		if (kind != A_COUNT && kind != A_UNIQ)
			return rs_errf(q->err, -EINVAL, "%s(DISTINCT ...) is not supported yet", name);
		kind = A_UNIQ;
		na = -1;
	}
	memset(a, 0, sizeof(*a));
	nv = nargs - (unsigned)is_if;
	if (is_if && (nargs < 1 || !rs_type_is_num(at[nargs - 1])))
		return rs_errf(q->err, -EINVAL, "last argument of '%s' must be a condition", name);
	if ((na >= 0 && nv != (unsigned)na) || (kind == A_UNIQ && nv < 1) || (kind == A_COUNT && nv > 1))
		return rs_errf(q->err, -EINVAL, "wrong number of arguments for aggregate function '%s': %u",
			       name, nv);
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
		return rs_errf(q->err, -EINVAL, "aggregate function '%s' takes no parameters", name);
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
	if (kind == A_UNIQ) {
		a->ext = calloc(1, sizeof(struct uset));
		if (!a->ext)
			return rs_errf(q->err, -ENOMEM, "out of memory");
	}
	return 0;
bad:
	return rs_errf(q->err, -EINVAL, "illegal type of argument of aggregate function '%s'", name);
}
