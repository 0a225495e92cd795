/*
 * bind.c - planning a SELECT: FROM (tables, subqueries, CTEs, joins),
 * alias expansion (ClickHouse: aliases are visible in every clause),
 * WHERE pushed into the scan, aggregation, HAVING, projection, DISTINCT,
 * ORDER BY, LIMIT BY, LIMIT, UNION ALL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "bind_int.h"

/* ---- alias expansion ---- */

struct aliases {
	char **name;
	struct rs_ast **ast;
	unsigned n;
	int *busy;
};

static struct rs_ast *expand(struct rs_query *q, struct aliases *al, struct rs_ast *e)
{
	struct rs_ast *c;

	if (e->kind == RS_A_IDENT && e->nparts == 1) {
		for (unsigned i = 0; i < al->n; i++)
			if (!al->busy[i] && !strcmp(al->name[i], e->parts[0])) {
				al->busy[i] = 1;
				c = expand(q, al, al->ast[i]);
				al->busy[i] = 0;
				return c;
			}
		return e;
	}
	if (e->kind != RS_A_FUNC && e->kind != RS_A_LAMBDA)
		return e;
	c = rs_arena_alloc(&q->a, sizeof(*c));
	*c = *e;
	c->alias = NULL;
	if (e->nargs) {
		c->args = rs_arena_alloc(&q->a, e->nargs * sizeof(*c->args));
		for (unsigned i = 0; i < e->nargs; i++) {
			if (e->kind == RS_A_LAMBDA)	/* parameters shadow aliases */
				c->args[i] = e->args[i];
			else
				c->args[i] = expand(q, al, e->args[i]);
		}
	}
	return c;
}

/* A SELECT item: its own alias names the column it reads (x AS x). */
static struct rs_ast *expand_item(struct rs_query *q, struct aliases *al, struct rs_ast *e)
{
	struct rs_ast *c;
	unsigned i;

	for (i = 0; e->alias && i < al->n; i++)
		if (al->ast[i] == e)
			break;
	if (!e->alias || i == al->n)
		return expand(q, al, e);
	al->busy[i] = 1;
	c = expand(q, al, e);
	al->busy[i] = 0;
	return c;
}

/* ---- aggregate collection ---- */

struct aggs {
	char **names;
	struct rs_ast **ast;
	unsigned n;
};

static void collect(struct bctx *b, struct aggs *ag, struct rs_ast *e)
{
	if (e->kind != RS_A_FUNC)
		return;
	if (!e->over && (rs_fn_is_agg(e->name) || e->distinct)) {
		char *c = rs_bind_canon(b, e);

		for (unsigned i = 0; i < ag->n; i++)
			if (!strcmp(ag->names[i], c))
				return;
		*(char **)rs_arena_push(&b->q->a, &ag->names, &ag->n, sizeof(char *)) = c;
		ag->n--;
		*(struct rs_ast **)rs_arena_push(&b->q->a, &ag->ast, &ag->n, sizeof(e)) = e;
		return;
	}
	for (unsigned i = 0; i < e->nargs; i++)
		collect(b, ag, e->args[i]);
}

/* ---- SELECT ---- */

static int plan_one(struct rs_query *q, struct rs_sel *s, struct rs_with *with, unsigned nwith,
		    struct rs_op **out, char ***names_out)
{
	struct rs_qctx *qc = &q->qc;
	struct bctx b = { .q = q, .qc = qc };
	struct aliases al = { 0 };
	struct rs_ast **cols = NULL, *where = NULL, *having = NULL;
	char **cnames = NULL;
	unsigned ncols = 0, nparts = s->nfrom ? s->nfrom : 1;
	struct source *parts = rs_arena_alloc(&q->a, nparts * sizeof(*parts));
	struct source all = { 0 };
	struct aj_list aj = { 0 };
	struct rs_expr *pred = NULL, **lk[16], **rk[16];
	unsigned nk[16] = { 0 };
	struct rs_op *op;
	int rc, agg = 0;

	/* WITH */
	{
		unsigned nw = nwith + s->nwith;
		struct rs_with *w = rs_arena_alloc(&q->a, (nw + 1) * sizeof(*w));

		if (nwith)
			memcpy(w, with, nwith * sizeof(*w));
		if (s->nwith)
			memcpy(w + nwith, s->with, s->nwith * sizeof(*w));
		with = w;
		nwith = nw;
	}
	/* subqueries in expressions (scalar, IN) see the CTEs too */
	b.with = with;
	b.nwith = nwith;
	if (s->nfrom > 16)
		return rs_errf(&q->err, -EINVAL, "too many joins");
	/* FROM */
	if (!s->nfrom) {
		struct rs_col *c = xcalloc(1, sizeof(*c));
		const struct rs_type **t = rs_arena_alloc(&q->a, sizeof(*t));
		char **nm = rs_arena_alloc(&q->a, sizeof(char *));
		uint8_t z = 0;

		t[0] = rs_qtype(qc, RS_T_UINT8);
		rs_col_init(c, t[0]);
		rs_col_push_fixed(c, &z);
		nm[0] = "dummy";
		rs_src_from_op(q, &parts[0], rs_op_values(qc, c, 1, t), nm, "system.one");
	}
	for (unsigned i = 0; i < s->nfrom; i++)
		if ((rc = rs_src_table(q, &s->from[i], with, nwith, &parts[i])))
			goto fail;
	for (unsigned i = 0; i < nparts; i++)	/* merged USING keys after a join's part */
		all.ncols += parts[i].ncols + (i ? rs_using_nmerged(&s->from[i]) : 0);
	all.cols = rs_arena_alloc(&q->a, (all.ncols + 65) * sizeof(*all.cols));
	aj.all = &all;
	aj.room = 64;
	b.aj = &aj;
	/* aliases */
	for (unsigned i = 0; i < nwith; i++)
		if (with[i].expr) {
			*(char **)rs_arena_push(&q->a, &al.name, &al.n, sizeof(char *)) = with[i].name;
			al.n--;
			*(struct rs_ast **)rs_arena_push(&q->a, &al.ast, &al.n, sizeof(void *)) = with[i].expr;
		}
	for (unsigned i = 0; i < s->ncols; i++)
		if (s->cols[i]->alias) {
			*(char **)rs_arena_push(&q->a, &al.name, &al.n, sizeof(char *)) = s->cols[i]->alias;
			al.n--;
			*(struct rs_ast **)rs_arena_push(&q->a, &al.ast, &al.n, sizeof(void *)) = s->cols[i];
		}
	al.busy = rs_arena_alloc(&q->a, (al.n + 1) * sizeof(int));
	/* one array of columns shared by every part (and merged USING keys) */
	{
		unsigned k = 0;

		for (unsigned p = 0; p < nparts; p++) {
			memcpy(all.cols + k, parts[p].cols, parts[p].ncols * sizeof(*all.cols));
			parts[p].cols = all.cols + k;
			k += parts[p].ncols;
			if (p) {
				rs_using_init(&s->from[p], all.cols + k);
				k += rs_using_nmerged(&s->from[p]);
			}
		}
	}
	/* SELECT list with * expanded; names as ClickHouse prints them */
	for (unsigned i = 0; i < s->ncols; i++) {
		struct rs_ast *e = s->cols[i];

		if (e->kind == RS_A_STAR) {
			struct src_col **vis;
			unsigned nvis;

			if ((rc = rs_using_star(q, s, parts, nparts, all.cols, !e->nparts, &vis,
						&nvis)))
				goto fail;
			for (unsigned j = 0; j < nvis; j++) {
				struct src_col *c = vis[j];
				struct rs_ast *id;

				if (e->nparts && !(c->tab && !strcmp(c->tab, e->parts[e->nparts - 1])) &&
				    !(c->tab2 && !strcmp(c->tab2, e->parts[e->nparts - 1])))
					continue;
				id = rs_arena_alloc(&q->a, sizeof(*id));
				id->kind = RS_A_IDENT;
				id->parts = rs_arena_alloc(&q->a, 2 * sizeof(char *));
				id->nparts = 1;
				id->parts[0] = (char *)c->name;
				if (c->tab && nparts > 1) {
					id->parts[0] = (char *)c->tab;
					id->parts[1] = (char *)c->name;
					id->nparts = 2;
				}
				*(char **)rs_arena_push(&q->a, &cnames, &ncols, sizeof(char *)) =
					(char *)c->name;
				ncols--;
				*(struct rs_ast **)rs_arena_push(&q->a, &cols, &ncols, sizeof(void *)) = id;
			}
			continue;
		}
		*(char **)rs_arena_push(&q->a, &cnames, &ncols, sizeof(char *)) =
			e->alias ? e->alias : rs_bind_canon(&b, e);
		ncols--;
		*(struct rs_ast **)rs_arena_push(&q->a, &cols, &ncols, sizeof(void *)) =
			expand_item(q, &al, e);
	}
	if (!ncols) {
		rc = rs_errf(&q->err, -EINVAL, "empty list of columns in SELECT");
		goto fail;
	}
	/* joins: keys bound per side; the left side is every column before the part */
	for (unsigned i = 1; i < nparts; i++) {
		struct source left = { all.cols, (unsigned)(parts[i].cols - all.cols), NULL, NULL };

		lk[i] = rk[i] = NULL;
		if (s->from[i].join == RS_J_FULL && s->from[i].strict_any) {
			/* as in ClickHouse: "ANY FULL JOINs are not implemented" */
			rc = rs_errf(&q->err, -EINVAL, "ANY FULL JOIN is not supported");
			goto fail;
		}
		if ((rc = rs_bind_join(&b, &s->from[i], &left, &parts[i], &lk[i], &rk[i], &nk[i])) ||
		    (rc = rs_using_bind(qc, &s->from[i], &left, &parts[i],
					parts[i].cols + parts[i].ncols)))
			goto fail;
		/* bind_join marked columns in the per-part arrays through left (all.cols) */
	}
	b.src = &all;
	if ((rc = rs_bind_ajoin_clause(&b, s)))
		goto fail;
	/* WHERE (+PREWHERE) */
	where = s->where ? expand(q, &al, s->where) : NULL;
	if (s->prewhere) {
		struct rs_ast *pw = expand(q, &al, s->prewhere);
		where = where ? rs_arena_alloc(&q->a, sizeof(*where)) : pw;
		if (where != pw) {
			where->kind = RS_A_FUNC;
			where->name = "and";
			where->nargs = 2;
			where->args = rs_arena_alloc(&q->a, 2 * sizeof(void *));
			where->args[0] = pw;
			where->args[1] = expand(q, &al, s->where);
		}
	}
	if (where) {
		b.where = "WHERE";
		if ((rc = rs_bind_expr(&b, where, &pred)))
			goto fail;
		b.where = NULL;
	}
	/* aggregation? */
	{
		struct aggs ag = { 0 };
		struct rs_ast **group = NULL, **order = NULL;
		unsigned ngroup = s->ngroup;

		having = s->having ? expand(q, &al, s->having) : NULL;
		group = rs_arena_alloc(&q->a, (ngroup + 1) * sizeof(*group));
		for (unsigned i = 0; i < ngroup; i++)
			group[i] = expand(q, &al, s->group[i]);
		order = rs_arena_alloc(&q->a, (s->norder + s->nby + 1) * sizeof(*order));
		for (unsigned i = 0; i < s->norder; i++)
			order[i] = expand(q, &al, s->order[i].e);
		for (unsigned i = 0; i < s->nby; i++)
			order[s->norder + i] = expand(q, &al, s->by[i]);
		for (unsigned i = 0; i < ncols; i++)
			collect(&b, &ag, cols[i]);
		if (having)
			collect(&b, &ag, having);
		for (unsigned i = 0; i < s->norder + s->nby; i++)
			collect(&b, &ag, order[i]);
		agg = ag.n || ngroup || s->group_all || having;
		if (s->group_all) {
			rc = rs_errf(&q->err, -EINVAL, "GROUP BY ALL is not supported yet");
			goto fail;
		}
		/* bind the pre-aggregation parts before building the source */
		struct rs_expr **keys = NULL;
		struct rs_agg_spec *specs = NULL;

		if (agg) {
			keys = rs_arena_alloc(&q->a, (ngroup + 1) * sizeof(*keys));
			specs = rs_arena_alloc(&q->a, (ag.n + 1) * sizeof(*specs));
			for (unsigned i = 0; i < ngroup; i++)
				if ((rc = rs_bind_expr(&b, group[i], &keys[i])))
					goto fail;
			for (unsigned i = 0; i < ag.n; i++) {
				struct rs_ast *e = ag.ast[i];
				const struct rs_type **at = rs_arena_alloc(&q->a, (e->nargs + 1) * sizeof(*at));
				double params[4];

				specs[i].args = rs_arena_alloc(&q->a, (e->nargs + 1) * sizeof(void *));
				if (e->nparams > 4) {
					rc = rs_errf(&q->err, -EINVAL, "too many parameters");
					goto fail;
				}
				for (unsigned k = 0; k < e->nparams; k++) {
					struct rs_ast *p = e->params[k];
					if (p->kind != RS_A_LIT || (p->lit != RS_L_UINT && p->lit != RS_L_FLOAT)) {
						rc = rs_errf(&q->err, -EINVAL, "parameters of '%s' must be numbers", e->name);
						goto fail;
					}
					params[k] = p->lit == RS_L_FLOAT ? p->f : (double)p->u * (p->neg ? -1 : 1);
				}
				b.where = "an aggregate argument";	/* no nested aggregates */
				for (unsigned k = 0; k < e->nargs; k++) {
					if ((rc = rs_bind_expr(&b, e->args[k], &specs[i].args[k])))
						goto fail;
					at[k] = specs[i].args[k]->type;
				}
				b.where = NULL;
				if ((rc = rs_agg_bind(qc, e->name, e->distinct, at, e->nargs, params,
						      e->nparams, &specs[i].agg)))
					goto fail;
			}
		}
		/* non-aggregated: bind outputs now (they use source columns) */
		struct rs_expr **outx = rs_arena_alloc(&q->a, (ncols + s->norder + s->nby + 1) * sizeof(*outx));
		char **outn = rs_arena_alloc(&q->a, (ncols + s->norder + s->nby + 1) * sizeof(char *));
		unsigned nout = 0;
		unsigned *okeys = rs_arena_alloc(&q->a, (s->norder + s->nby + 1) * sizeof(unsigned));
		struct rs_expr *hpred = NULL;
		struct bctx pb = b;
		struct source post = { 0 };

		if (agg) {
			pb.post = 1;
			pb.nnames = ngroup + ag.n;
			pb.names = rs_arena_alloc(&q->a, (pb.nnames + 1) * sizeof(char *));
			pb.pos = rs_arena_alloc(&q->a, (pb.nnames + 1) * sizeof(unsigned));
			post.ncols = pb.nnames;
			post.cols = rs_arena_alloc(&q->a, (pb.nnames + 1) * sizeof(*post.cols));
			for (unsigned i = 0; i < ngroup; i++) {
				pb.names[i] = rs_bind_canon(&b, group[i]);
				post.cols[i].type = keys[i]->type;
			}
			for (unsigned i = 0; i < ag.n; i++) {
				pb.names[ngroup + i] = ag.names[i];
				post.cols[ngroup + i].type = specs[i].agg.type;
			}
			for (unsigned i = 0; i < pb.nnames; i++)
				pb.pos[i] = i;
			pb.src = &post;
		}
		if ((rc = rs_bind_windows(&pb, cols, ncols, order, s->norder)))
			goto fail;
		for (unsigned i = 0; i < ncols; i++) {
			if ((rc = rs_bind_expr(&pb, cols[i], &outx[nout])))
				goto fail;
			outn[nout++] = cnames[i];
		}
		if (having) {
			pb.where = agg ? NULL : "HAVING";
			if ((rc = rs_bind_expr(&pb, having, &hpred)))
				goto fail;
			pb.where = NULL;
		}
		for (unsigned i = 0; i < s->norder + s->nby; i++) {
			char *c = rs_bind_canon(&b, order[i]);
			unsigned j;

			for (j = 0; j < ncols; j++)
				if (!strcmp(rs_bind_canon(&b, cols[j]), c))
					break;
			if (j < ncols) {
				okeys[i] = j;
				continue;
			}
			if ((rc = rs_bind_expr(&pb, order[i], &outx[nout])))
				goto fail;
			outn[nout] = c;
			okeys[i] = nout++;
		}
		/* now all source columns are known: build the FROM operator */
		if (nparts == 1 && parts[0].snap && !aj.n) {
			struct rs_skip *sk = NULL;
			unsigned nsk = 0;

			if (where)
				rs_find_skips(&b, &parts[0], where, &sk, &nsk);
			{
				struct rs_skip *own = nsk ? xcalloc(nsk, sizeof(*own)) : NULL;
				if (nsk)
					memcpy(own, sk, nsk * sizeof(*own));
				op = rs_src_scan(&b, &parts[0], pred, own, nsk);
			}
			pred = NULL;
		} else {
			unsigned base = 0;

			op = NULL;
			for (unsigned p = 0; p < nparts; p++) {
				struct rs_op *po;

				if (parts[p].snap) {
					po = rs_src_scan(&b, &parts[p], NULL, NULL, 0);
				} else {
					po = parts[p].op;
					parts[p].op = NULL;
				}
				for (unsigned i = 0; i < parts[p].ncols; i++)
					parts[p].cols[i].pos = base + parts[p].cols[i].lpos;
				if (!op) {
					op = po;
				} else {
					struct src_col *m = parts[p].cols + parts[p].ncols;
					unsigned nm = rs_using_nmerged(&s->from[p]), ns;
					struct rs_join_merge *spec = rs_arena_alloc(&q->a, (nm + 1) * sizeof(*spec));

					ns = rs_using_spec(m, nm, spec);
					op = rs_op_join(qc, op, po, s->from[p].join, s->from[p].strict_any,
							lk[p], rk[p], nk[p], spec, ns);
					rs_using_place(m, nm, op->ncols - ns);
				}
				base = op->ncols;
			}
		}
		op = rs_build_ajoins(&b, op);
		if (pred)
			op = rs_op_filter(qc, op, pred);
		if (agg) {
			op = rs_op_agg(qc, op, keys, ngroup, specs, ag.n);
			if (hpred)
				op = rs_op_filter(qc, op, hpred);
		} else if (hpred) {
			op = rs_op_filter(qc, op, hpred);
		}
		op = rs_build_windows(&pb, op);
		op = rs_op_project(qc, op, outx, nout);
		if (s->distinct)
			op = rs_op_distinct(qc, op, ncols);
		if (s->norder) {
			int *desc = rs_arena_alloc(&q->a, (s->norder + 1) * sizeof(int));
			int *nf = rs_arena_alloc(&q->a, (s->norder + 1) * sizeof(int));

			for (unsigned i = 0; i < s->norder; i++) {
				desc[i] = s->order[i].desc;
				nf[i] = s->order[i].nulls_first;
			}
			op = rs_op_sort(qc, op, okeys, desc, nf, s->norder,
					s->has_limit && !s->has_limit_by ? s->limit + s->offset : 0);
		}
		if (s->has_limit_by)
			op = rs_op_limit_by(qc, op, okeys + s->norder, s->nby, s->limit_by);
		if (s->has_limit)
			op = rs_op_limit(qc, op, s->limit, s->offset);
		if (nout > ncols)
			op = rs_op_narrow(qc, op, ncols);
		*out = op;
		*names_out = outn;
		return 0;
	}
fail:
	rs_free_ajoins(&b);
	for (unsigned i = 0; i < nparts; i++)
		rs_op_free(parts[i].op);
	rs_expr_free(pred);
	return rc;
}

int rs_plan_select(struct rs_query *q, struct rs_sel *s, struct rs_with *with, unsigned nwith,
		   struct rs_op **out, char ***names)
{
	struct rs_op *kids[64];
	unsigned n = 0;
	int rc;

	for (struct rs_sel *u = s; u; u = u->union_all) {
		char **nm = NULL;

		if (n == 64) {
			rc = rs_errf(&q->err, -EINVAL, "too many UNION ALL parts");
			goto fail;
		}
		if ((rc = plan_one(q, u, with, nwith, &kids[n], &nm)))
			goto fail;
		if (n == 0)
			*names = nm;
		else if (kids[n]->ncols != kids[0]->ncols) {
			n++;
			rc = rs_errf(&q->err, -EINVAL, "UNION ALL parts have different numbers of columns");
			goto fail;
		} else {
			for (unsigned i = 0; i < kids[0]->ncols; i++)
				if (!rs_type_equal(kids[n]->types[i], kids[0]->types[i])) {
					n++;
					rc = rs_errf(&q->err, -EINVAL,
						     "UNION ALL of different column types is not supported yet");
					goto fail;
				}
		}
		n++;
	}
	*out = n == 1 ? kids[0] : rs_op_union(&q->qc, kids, n);
	return 0;
fail:
	for (unsigned i = 0; i < n; i++)
		rs_op_free(kids[i]);
	return rc;
}

int rs_run_subquery(struct bctx *b, struct rs_sel *s, struct rs_col *out0)
{
	struct rs_op *op;
	struct rs_chunk *c;
	char **names;
	int rc;

	if ((rc = rs_plan_select(b->q, s, b->with, b->nwith, &op, &names)))
		return rc;
	rs_col_init(out0, op->types[0]);
	while ((rc = rs_op_next(op, &c)) > 0)
		if (rs_col_append(out0, &c->cols[0], 0, c->n)) {
			rc = rs_errf(b->qc->err, -ENOMEM, "out of memory");
			break;
		}
	rs_op_free(op);
	if (rc < 0)
		rs_col_release(out0);
	return rc < 0 ? rc : 0;
}
