/*
 * bind_using.c - JOIN ... USING: the merged key columns of RIGHT and FULL
 * joins, and the columns of SELECT * over USING joins.
 *
 * A USING key is one column. INNER and LEFT rows always have a left row, so
 * the key is the left side's column. RIGHT and FULL rows may come from the
 * right side alone: the join operator adds a merged key after the right
 * side's columns (the left row's key, else the right row's), and a bare name
 * means it; t.k still means the column of t (its default value in a row
 * without a t row). ClickHouse 18.16 and ClickHouse before its analyzer
 * give a right-only row the right side's key in FULL JOIN USING too; the
 * analyzer (24.3+, join_use_nulls = 0) gives it the left side's default
 * there and the right side's key only in RIGHT JOIN
 * (tests/queries/0_stateless/02374_analyzer_join_using.reference). We
 * follow the former, which is also standard SQL's COALESCE(l.k, r.k).
 *
 * SELECT * shows the USING keys once and first, then the left side's other
 * columns, then the right side's (ClickHouse's analyzer, ClickHouse PR
 * #49551, and PostgreSQL); t.* still shows all of t's columns.
 */
#include <errno.h>
#include <string.h>

#include "bind_int.h"

unsigned rs_using_nmerged(const struct rs_tref *r)
{
	return r->join == RS_J_RIGHT || r->join == RS_J_FULL ? r->nusing : 0;
}

void rs_using_init(const struct rs_tref *r, struct src_col *m)
{
	for (unsigned i = 0; i < rs_using_nmerged(r); i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].name = r->using[i];
		m[i].ukey = 1;
	}
}

int rs_using_bind(struct rs_qctx *q, const struct rs_tref *r, const struct source *l,
		  const struct source *rt, struct src_col *m)
{
	for (unsigned i = 0; i < rs_using_nmerged(r); i++) {
		struct src_col *a = rs_src_find(l, NULL, r->using[i]);
		struct src_col *b = rs_src_find(rt, NULL, r->using[i]);

		if (!a || !b)	/* rs_bind_join has bound both */
			return rs_errf(q->err, -EINVAL, "unknown column '%s'", r->using[i]);
		m[i].ul = a;
		m[i].ur = b;
		m[i].type = rs_type_equal(a->type, b->type) ? a->type : rs_supertype(q, a->type, b->type);
		if (!m[i].type)
			return rs_errf(q->err, -EINVAL, "JOIN keys have incompatible types");
	}
	return 0;
}

unsigned rs_using_spec(const struct src_col *m, unsigned n, struct rs_join_merge *spec)
{
	unsigned ns = 0;

	for (unsigned i = 0; i < n; i++)
		if (m[i].used) {
			spec[ns].lcol = m[i].ul->pos;
			spec[ns].rcol = m[i].ur->lpos;
			spec[ns++].type = m[i].type;
		}
	return ns;
}

void rs_using_place(struct src_col *m, unsigned n, unsigned first)
{
	for (unsigned i = 0; i < n; i++)
		if (m[i].used)
			m[i].pos = m[i].lpos = first++;
}

static int among(struct src_col *c, struct src_col **set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (set[i] == c)
			return 1;
	return 0;
}

int rs_using_star(struct rs_query *q, const struct rs_sel *s, const struct source *parts,
		  unsigned nparts, struct src_col *all, int merge_keys, struct src_col ***out,
		  unsigned *nout)
{
	unsigned cap = 0, n = parts[0].ncols;
	struct src_col **vis, **nv;

	for (unsigned p = 0; p < nparts; p++)
		cap += parts[p].ncols + (p ? rs_using_nmerged(&s->from[p]) : 0);
	vis = rs_arena_alloc(&q->a, (cap + 1) * sizeof(*vis));
	for (unsigned i = 0; i < n; i++)
		vis[i] = &parts[0].cols[i];
	for (unsigned p = 1; p < nparts; p++) {
		const struct rs_tref *r = &s->from[p];
		struct source left = { all, (unsigned)(parts[p].cols - all), NULL, NULL };
		struct src_col *merged = parts[p].cols + parts[p].ncols;
		struct src_col **lk, **rk;
		unsigned k = 0;

		if (!r->nusing || !merge_keys) {
			for (unsigned i = 0; i < parts[p].ncols; i++)
				vis[n++] = &parts[p].cols[i];
			continue;
		}
		nv = rs_arena_alloc(&q->a, (cap + 1) * sizeof(*nv));
		lk = rs_arena_alloc(&q->a, r->nusing * sizeof(*lk));
		rk = rs_arena_alloc(&q->a, r->nusing * sizeof(*rk));
		for (unsigned u = 0; u < r->nusing; u++) {
			lk[u] = rs_src_find(&left, NULL, r->using[u]);
			rk[u] = rs_src_find(&parts[p], NULL, r->using[u]);
			if (!lk[u] || !rk[u])
				return rs_errf(&q->err, -EINVAL, "unknown column '%s'",
					       r->using[u]);
			nv[k++] = rs_using_nmerged(r) ? &merged[u] : lk[u];
		}
		for (unsigned i = 0; i < n; i++)
			if (!among(vis[i], lk, r->nusing))
				nv[k++] = vis[i];
		for (unsigned i = 0; i < parts[p].ncols; i++)
			if (!among(&parts[p].cols[i], rk, r->nusing))
				nv[k++] = &parts[p].cols[i];
		vis = nv;
		n = k;
	}
	*out = vis;
	*nout = n;
	return 0;
}
