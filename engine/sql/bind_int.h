/*
 * bind_int.h - binder state shared by bind.c (SELECT planning) and
 * bind_expr.c (expressions), and query.c.
 */
#ifndef RS_SQL_BIND_INT_H
#define RS_SQL_BIND_INT_H

#include "../exec/exec.h"
#include "ast.h"
#include "query.h"

struct rs_query {
	struct rs_arena a;
	struct rs_err err;
	struct rs_qctx qc;
	struct rs_query_env env;
	struct rs_op *root;
	struct rs_schema schema;
	struct rs_table_info *tables;
	unsigned ntables;
	uint64_t t0;
	int done;
};

struct src_col {
	const char *tab, *tab2;	/* qualifier: alias, table name */
	const char *name;
	const struct rs_type *type;
	unsigned pos, lpos;	/* in the FROM output; in the source's own op */
	int used, in_pred;
	int aj;				/* ARRAY JOIN element: shadows same-named columns */
	int ukey;			/* merged USING key of a RIGHT/FULL join (no table):
					 * shadows the columns it merges, the last one wins */
	struct src_col *ul, *ur;	/* ukey: the left and right key columns */
	const struct rs_col *def;
};

struct source {
	struct src_col *cols;
	unsigned ncols;
	struct rs_snapshot *snap;	/* table */
	struct rs_op *op;		/* subquery / join */
};

/* One ARRAY JOIN operator: the clause (arrays zipped) or one arrayJoin(x). */
struct aj_group {
	struct rs_expr **arr;		/* arrays, bound over the FROM source */
	struct src_col **cols;		/* the element columns they become */
	unsigned n;
	int left;
	const char *canon;		/* arrayJoin(x) text; NULL for the clause */
};

struct aj_list {
	struct aj_group *g;
	unsigned n;
	struct source *all;		/* element columns are appended to all->cols */
	unsigned room;			/* free slots left after all->ncols */
};

struct win_list;

struct bctx {
	struct rs_query *q;
	struct rs_qctx *qc;
	struct source *src;		/* NULL: no FROM columns */
	int post;			/* bind against the aggregation output */
	int local;			/* use lpos (join keys) */
	const char *where;		/* clause name when aggregates are forbidden */
	/* post-aggregation names: keys then aggregates */
	char **names;
	unsigned nnames;
	unsigned *pos;
	/* lambda parameters */
	char **lparams;
	const struct rs_type **ltypes;
	unsigned nlparams;
	struct aj_list *aj;		/* ARRAY JOIN groups (NULL: none allowed) */
	struct win_list *win;		/* window functions computed (bind_window.c) */
	/* CTEs visible */
	struct rs_with *with;
	unsigned nwith;
};

/* bind_from.c */
int rs_src_from_op(struct rs_query *q, struct source *s, struct rs_op *op, char **names,
		   const char *tab);
int rs_src_table(struct rs_query *q, struct rs_tref *r, struct rs_with *with, unsigned nwith,
		 struct source *s);
struct rs_op *rs_src_scan(struct bctx *b, struct source *s, struct rs_expr *pred,
			  struct rs_skip *skip, unsigned nskip);
void rs_find_skips(struct bctx *b, struct source *s, struct rs_ast *w, struct rs_skip **sk,
		   unsigned *nsk);
int rs_bind_join(struct bctx *b, struct rs_tref *r, struct source *l, struct source *rt,
		 struct rs_expr ***lk, struct rs_expr ***rk, unsigned *nk);

/* bind_using.c: JOIN ... USING. A RIGHT or FULL join adds rs_using_nmerged
 * merged key columns (ukey) after its right side's columns in the FROM
 * layout. init names them before binding; bind finds the columns they merge
 * (over l and rt, once the join's keys are bound) and their type; spec
 * describes the used ones to rs_op_join (the left and right columns have
 * their positions) and place gives them theirs, from 'first' on. star: the
 * columns SELECT * may show (arena array): with merge_keys (an unqualified
 * *) USING keys once, else every part's columns (t.* picks t's). */
unsigned rs_using_nmerged(const struct rs_tref *r);
void rs_using_init(const struct rs_tref *r, struct src_col *m);
int rs_using_bind(struct rs_qctx *q, const struct rs_tref *r, const struct source *l,
		  const struct source *rt, struct src_col *m);
unsigned rs_using_spec(const struct src_col *m, unsigned n, struct rs_join_merge *spec);
void rs_using_place(struct src_col *m, unsigned n, unsigned first);
int rs_using_star(struct rs_query *q, const struct rs_sel *s, const struct source *parts,
		  unsigned nparts, struct src_col *all, int merge_keys, struct src_col ***out,
		  unsigned *nout);

/* bind_ajoin.c: the ARRAY JOIN clause, arrayJoin(x), and their operators. */
int rs_bind_ajoin_clause(struct bctx *b, struct rs_sel *s);
int rs_bind_ajoin_fn(struct bctx *b, struct rs_ast *e, struct rs_expr **out);
struct rs_op *rs_build_ajoins(struct bctx *b, struct rs_op *op);
void rs_free_ajoins(struct bctx *b);	/* error path: arrays not yet built */

/* bind_window.c: window functions of exprs; references to them; operators. */
int rs_bind_windows(struct bctx *b, struct rs_ast **ex, unsigned n, struct rs_ast **ex2,
		    unsigned n2);
int rs_bind_window_ref(struct bctx *b, struct rs_ast *e, struct rs_expr **out);
struct rs_op *rs_build_windows(struct bctx *b, struct rs_op *op);

int rs_bind_expr(struct bctx *b, struct rs_ast *e, struct rs_expr **out);
/* The column a name (tab.name when tab) means in s: an ARRAY JOIN element,
 * else the last merged USING key, else the first match; NULL: none. */
struct src_col *rs_src_find(const struct source *s, const char *tab, const char *name);
/* Canonical text of an AST (arena string). */
char *rs_bind_canon(struct bctx *b, const struct rs_ast *e);
/* Plan a SELECT (union chain) into an operator; names are arena strings. */
int rs_plan_select(struct rs_query *q, struct rs_sel *s, struct rs_with *with, unsigned nwith,
		   struct rs_op **out, char ***names);
/* Run a subquery to completion: its columns (first column only if one). */
int rs_run_subquery(struct bctx *b, struct rs_sel *s, struct rs_col *out0);

#endif
