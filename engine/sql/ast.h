/*
 * ast.h - the syntax tree of a ClickHouse-dialect SELECT and the parser.
 *
 * Every operator is represented as the ClickHouse function it stands for
 * (a + b -> plus(a, b), a = b -> equals, NOT x -> not, -x -> negate,
 * x IN (..) -> in, a[i] -> arrayElement, [..] -> array, (a, b) -> tuple,
 * CASE -> multiIf, CAST(x AS T) and x::T -> CAST(x, 'T'),
 * INTERVAL n UNIT -> toIntervalUnit(n), BETWEEN -> and(>=, <=)),
 * so the binder only knows functions. Nodes live in a struct rs_arena.
 */
#ifndef RS_SQL_AST_H
#define RS_SQL_AST_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct rs_err;
struct rs_buf;
struct rs_sel;

enum rs_ast_kind {
	RS_A_LIT,	/* literal */
	RS_A_IDENT,	/* a, t.a, db.t.a (parts) */
	RS_A_STAR,	/* *, t.* (parts = qualifier) */
	RS_A_FUNC,	/* name(params)(args) [OVER (...)] */
	RS_A_LAMBDA,	/* (x, y) -> body: parts = params, args[0] = body */
	RS_A_SUBQ,	/* (SELECT ...) as an expression */
};

enum rs_lit_kind {
	RS_L_NULL,
	RS_L_UINT,	/* u (a leading minus is folded: neg = 1) */
	RS_L_FLOAT,	/* f */
	RS_L_STR,	/* s, slen (escapes decoded) */
	RS_L_BOOL,	/* u = 0/1 */
};

struct rs_order {
	struct rs_ast *e;
	int desc;
	int nulls_first;	/* -1 default (NULLS LAST for ASC and DESC), 0, 1 */
};

/* Frame bounds of a window. */
enum rs_fbound {
	RS_FB_UNB_PREC,		/* UNBOUNDED PRECEDING */
	RS_FB_PREC,		/* n PRECEDING */
	RS_FB_CURRENT,		/* CURRENT ROW */
	RS_FB_FOLL,		/* n FOLLOWING */
	RS_FB_UNB_FOLL,		/* UNBOUNDED FOLLOWING */
};

struct rs_window {
	struct rs_ast **part;
	unsigned npart;
	struct rs_order *order;
	unsigned norder;
	int has_frame;		/* ROWS/RANGE ... was given */
	int frame_rows;		/* ROWS (1) or RANGE (0) */
	enum rs_fbound fs, fe;	/* start and end bounds */
	uint64_t fs_off, fe_off;	/* n of n PRECEDING/FOLLOWING */
};

struct rs_ast {
	enum rs_ast_kind kind;
	unsigned line, col;
	char *alias;		/* AS alias, or NULL */
	/* RS_A_LIT */
	enum rs_lit_kind lit;
	int neg;
	uint64_t u;
	double f;
	char *s;
	size_t slen;
	/* RS_A_IDENT, RS_A_STAR, RS_A_LAMBDA params */
	char **parts;
	unsigned nparts;
	/* RS_A_FUNC */
	char *name;
	struct rs_ast **args, **params;
	unsigned nargs, nparams;
	int distinct;		/* count(DISTINCT x) */
	int has_params;		/* name(params)(args) form */
	struct rs_window *over;	/* window function */
	/* RS_A_SUBQ */
	struct rs_sel *sel;
};

enum rs_join_kind {
	RS_J_NONE,	/* the first table */
	RS_J_INNER,
	RS_J_LEFT,
	RS_J_RIGHT,
	RS_J_FULL,
	RS_J_CROSS,
};

struct rs_tref {
	char *db, *name;	/* table (db may be NULL) */
	struct rs_sel *sub;	/* or subquery */
	struct rs_ast *func;	/* or table function numbers(n) */
	char *alias;
	int final;
	unsigned line, col;
	enum rs_join_kind join;	/* how it joins the tables before it */
	int strict_any;		/* ANY JOIN */
	struct rs_ast *on;
	char **using;
	unsigned nusing;
};

struct rs_with {
	char *name;
	struct rs_sel *sel;	/* WITH name AS (SELECT ...) */
	struct rs_ast *expr;	/* WITH expr AS name */
};

struct rs_sel {
	struct rs_with *with;
	unsigned nwith;
	int distinct;
	struct rs_ast **cols;
	unsigned ncols;
	struct rs_tref *from;	/* from[0] is the base table, from[1..] joins */
	unsigned nfrom;
	struct rs_ast **ajoin;	/* ARRAY JOIN list */
	unsigned najoin;
	int left_ajoin;
	struct rs_ast *prewhere, *where, *having;
	struct rs_ast **group;
	unsigned ngroup;
	int group_all;
	struct rs_order *order;
	unsigned norder;
	int has_limit, has_limit_by;
	uint64_t limit, offset;
	uint64_t limit_by;
	struct rs_ast **by;
	unsigned nby;
	struct rs_sel *union_all;	/* next SELECT of a UNION ALL chain */
};

/*
 * Parse one SELECT query (optionally ending with ';'). On error -EINVAL with
 * err->line/col set and a message such as
 * "syntax error at line 1, column 8: unexpected 'FROM'".
 */
int rs_sql_parse(const char *text, struct rs_arena *a, struct rs_sel **out,
		 struct rs_err *err);

/*
 * Print an expression the way ClickHouse names result columns:
 * functions as name(args), strings in single quotes, identifiers as written.
 * Appends to out; -ENOMEM only.
 */
int rs_ast_print(const struct rs_ast *e, struct rs_buf *out);
/* Print a whole SELECT back as SQL (round trips through the parser). */
int rs_sel_print(const struct rs_sel *s, struct rs_buf *out);

#endif
