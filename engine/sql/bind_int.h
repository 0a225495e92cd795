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
	const struct rs_col *def;
};

struct source {
	struct src_col *cols;
	unsigned ncols;
	struct rs_snapshot *snap;	/* table */
	struct rs_op *op;		/* subquery / join */
};

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
	/* CTEs visible */
	struct rs_with *with;
	unsigned nwith;
};

int rs_bind_expr(struct bctx *b, struct rs_ast *e, struct rs_expr **out);
/* Canonical text of an AST (arena string). */
char *rs_bind_canon(struct bctx *b, const struct rs_ast *e);
/* Plan a SELECT (union chain) into an operator; names are arena strings. */
int rs_plan_select(struct rs_query *q, struct rs_sel *s, struct rs_with *with, unsigned nwith,
		   struct rs_op **out, char ***names);
/* Run a subquery to completion: its columns (first column only if one). */
int rs_run_subquery(struct bctx *b, struct rs_sel *s, struct rs_col *out0);

#endif
