/*
 * parse_int.h - parser state shared by parse_expr.c and parse_select.c.
 * The whole text is tokenized up front so the parser can look ahead freely.
 */
#ifndef RS_SQL_PARSE_INT_H
#define RS_SQL_PARSE_INT_H

#include "ast.h"
#include "lexer.h"

struct rs_parser {
	struct rs_tok *toks;
	unsigned ntoks, pos;
	struct rs_arena *a;
	struct rs_err *err;
	unsigned depth;		/* recursion guard */
};

#define RS_PARSE_MAX_DEPTH 200

static inline struct rs_tok *ps_peek(struct rs_parser *p, unsigned k)
{
	unsigned i = p->pos + k;

	return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

/* Is token t the keyword kw (case-insensitive bare word)? */
int ps_is_kw(const struct rs_tok *t, const char *kw);
int ps_is_op(const struct rs_tok *t, const char *op);
/* Consume the keyword/op if it is next: 1 if consumed. */
int ps_accept_kw(struct rs_parser *p, const char *kw);
int ps_accept_op(struct rs_parser *p, const char *op);
/* Error "unexpected ..." at the current token; returns -EINVAL. */
int ps_unexpected(struct rs_parser *p);
/* ASC/DESC and NULLS FIRST/LAST after an ORDER BY expression (parse_select.c). */
int ps_order_dir(struct rs_parser *p, struct rs_order *o);
int ps_expect_kw(struct rs_parser *p, const char *kw);
int ps_expect_op(struct rs_parser *p, const char *op);
/* Reserved words that cannot be implicit aliases or bare identifiers. */
int ps_is_reserved(const struct rs_tok *t);

int ps_expr(struct rs_parser *p, struct rs_ast **out);
/* expr [AS alias | alias] */
int ps_expr_alias(struct rs_parser *p, struct rs_ast **out);
/* name or `name`: *out in the arena */
int ps_ident(struct rs_parser *p, char **out);
/* The "(PARTITION BY .. ORDER BY .. frame)" after OVER (parse_window.c). */
int ps_window(struct rs_parser *p, struct rs_window *w);
int ps_select_union(struct rs_parser *p, struct rs_sel **out);

struct rs_ast *ps_node(struct rs_parser *p, enum rs_ast_kind k, const struct rs_tok *at);
struct rs_ast *ps_func(struct rs_parser *p, const char *name, const struct rs_tok *at,
		       unsigned nargs, ...);

#endif
