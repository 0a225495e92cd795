/*
 * parse_expr.c - expressions, by precedence climbing (lowest first):
 *   lambda ->, ternary ?:, OR, AND, NOT, comparison/LIKE/IN/BETWEEN/IS NULL,
 *   + - ||, * / %, unary -, postfix [i] ::T, primary.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/err.h"
#include "parse_int.h"

static const char *reserved[] = {
	"SELECT", "FROM", "WHERE", "PREWHERE", "GROUP", "ORDER", "BY", "LIMIT", "HAVING",
	"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ON", "USING", "UNION", "ARRAY",
	"SETTINGS", "FORMAT", "AS", "ASC", "DESC", "AND", "OR", "NOT", "IN", "IS", "LIKE",
	"ILIKE", "BETWEEN", "OFFSET", "ALL", "ANY", "GLOBAL", "FINAL", "SAMPLE", "WINDOW",
	"WITH", "THEN", "ELSE", "END", "WHEN", "ASCENDING", "DESCENDING", "NULLS",
	"SEMI", "ANTI", "OUTER", "ASOF", "OVER", "INTERSECT", "EXCEPT", "COLLATE", NULL,
};

int ps_is_kw(const struct rs_tok *t, const char *kw)
{
	return t->kind == RS_TK_IDENT && strlen(kw) == t->len && !strncasecmp(t->s, kw, t->len);
}

int ps_is_op(const struct rs_tok *t, const char *op)
{
	return t->kind == RS_TK_OP && strlen(op) == t->len && !strncmp(t->s, op, t->len);
}

int ps_is_reserved(const struct rs_tok *t)
{
	if (t->kind != RS_TK_IDENT)
		return 0;
	for (int i = 0; reserved[i]; i++)
		if (ps_is_kw(t, reserved[i]))
			return 1;
	return 0;
}

int ps_accept_kw(struct rs_parser *p, const char *kw)
{
	if (!ps_is_kw(ps_peek(p, 0), kw))
		return 0;
	p->pos++;
	return 1;
}

int ps_accept_op(struct rs_parser *p, const char *op)
{
	if (!ps_is_op(ps_peek(p, 0), op))
		return 0;
	p->pos++;
	return 1;
}

int ps_unexpected(struct rs_parser *p)
{
	struct rs_tok *t = ps_peek(p, 0);

	if (t->kind == RS_TK_EOF)
		return rs_errf_at(p->err, -EINVAL, t->line, t->col,
				  "syntax error at line %u, column %u: unexpected end of query",
				  t->line, t->col);
	return rs_errf_at(p->err, -EINVAL, t->line, t->col,
			  "syntax error at line %u, column %u: unexpected '%.*s'", t->line,
			  t->col, (int)(t->len > 40 ? 40 : t->len), t->s);
}

int ps_expect_kw(struct rs_parser *p, const char *kw)
{
	return ps_accept_kw(p, kw) ? 0 : ps_unexpected(p);
}

int ps_expect_op(struct rs_parser *p, const char *op)
{
	return ps_accept_op(p, op) ? 0 : ps_unexpected(p);
}

struct rs_ast *ps_node(struct rs_parser *p, enum rs_ast_kind k, const struct rs_tok *at)
{
	struct rs_ast *e = rs_arena_alloc(p->a, sizeof(*e));

	e->kind = k;
	e->line = at->line;
	e->col = at->col;
	return e;
}

struct rs_ast *ps_func(struct rs_parser *p, const char *name, const struct rs_tok *at,
		       unsigned nargs, ...)
{
	struct rs_ast *e = ps_node(p, RS_A_FUNC, at);
	va_list ap;

	e->name = rs_arena_strdup(p->a, name);
	va_start(ap, nargs);
	for (unsigned i = 0; i < nargs; i++)
		*(struct rs_ast **)rs_arena_push(p->a, &e->args, &e->nargs, sizeof(*e->args)) =
			va_arg(ap, struct rs_ast *);
	va_end(ap);
	return e;
}

static void add_arg(struct rs_parser *p, struct rs_ast *f, struct rs_ast *a)
{
	*(struct rs_ast **)rs_arena_push(p->a, &f->args, &f->nargs, sizeof(*f->args)) = a;
}

int ps_ident(struct rs_parser *p, char **out)
{
	struct rs_tok *t = ps_peek(p, 0);

	if (t->kind == RS_TK_QIDENT || (t->kind == RS_TK_IDENT && !ps_is_reserved(t))) {
		*out = t->val;
		p->pos++;
		return 0;
	}
	return ps_unexpected(p);
}

static int expr_prec(struct rs_parser *p, int level, struct rs_ast **out);

/* Collect the text of a type name up to the matching ')' or a ',' at depth 0. */
static int type_text(struct rs_parser *p, char **out)
{
	struct rs_tok *first = ps_peek(p, 0), *last = NULL;
	int depth = 0;

	if (first->kind == RS_TK_STRING) {	/* CAST(x, 'T') spelled with AS 'T' */
		p->pos++;
		*out = first->val;
		return 0;
	}
	for (;;) {
		struct rs_tok *t = ps_peek(p, 0);

		if (t->kind == RS_TK_EOF)
			return ps_unexpected(p);
		if (depth == 0 && (ps_is_op(t, ")") || ps_is_op(t, ",") || ps_is_reserved(t)))
			break;
		if (ps_is_op(t, "("))
			depth++;
		else if (ps_is_op(t, ")"))
			depth--;
		last = t;
		p->pos++;
	}
	if (!last)
		return ps_unexpected(p);
	*out = rs_arena_strndup(p->a, first->s, (size_t)(last->s + last->len - first->s));
	return 0;
}

static struct rs_ast *str_lit(struct rs_parser *p, const struct rs_tok *at, const char *s)
{
	struct rs_ast *e = ps_node(p, RS_A_LIT, at);

	e->lit = RS_L_STR;
	e->s = rs_arena_strdup(p->a, s);
	e->slen = strlen(s);
	return e;
}

static const char *interval_unit(const struct rs_tok *t)
{
	static const char *units[][2] = {
		{ "SECOND", "Second" }, { "MINUTE", "Minute" }, { "HOUR", "Hour" },
		{ "DAY", "Day" }, { "WEEK", "Week" }, { "MONTH", "Month" },
		{ "QUARTER", "Quarter" }, { "YEAR", "Year" },
		{ "SECONDS", "Second" }, { "MINUTES", "Minute" }, { "HOURS", "Hour" },
		{ "DAYS", "Day" }, { "WEEKS", "Week" }, { "MONTHS", "Month" },
		{ "QUARTERS", "Quarter" }, { "YEARS", "Year" },
	};

	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ps_is_kw(t, units[i][0]))
			return units[i][1];
	return NULL;
}

static int number(struct rs_parser *p, struct rs_tok *t, struct rs_ast **out)
{
	struct rs_ast *e = ps_node(p, RS_A_LIT, t);
	char *end;

	errno = 0;
	if (t->len > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X')) {
		e->lit = RS_L_UINT;
		e->u = strtoull(t->val, &end, 16);
	} else if (strpbrk(t->val, ".eE")) {
		e->lit = RS_L_FLOAT;
		e->f = strtod(t->val, &end);
	} else {
		e->lit = RS_L_UINT;
		e->u = strtoull(t->val, &end, 10);
		if (errno == ERANGE) {
			e->lit = RS_L_FLOAT;
			e->f = strtod(t->val, &end);
		}
	}
	*out = e;
	return 0;
}

/* After "name(": args, optional second (args) for parametric, OVER. */
static int func_call(struct rs_parser *p, struct rs_tok *at, char *name, struct rs_ast **out)
{
	struct rs_ast *f = ps_node(p, RS_A_FUNC, at), *a;
	int rc;

	f->name = name;
	for (int round = 0; round < 2; round++) {
		if (round == 1) {
			if (!ps_is_op(ps_peek(p, 0), "("))
				break;
			p->pos++;
			f->params = f->args;
			f->nparams = f->nargs;
			f->args = NULL;
			f->nargs = 0;
			f->has_params = 1;
		}
		if (ps_accept_kw(p, "DISTINCT"))
			f->distinct = 1;
		else
			ps_accept_kw(p, "ALL");
		if (ps_is_op(ps_peek(p, 0), "*") && ps_is_op(ps_peek(p, 1), ")")) {
			p->pos++;	/* count(*) is count() */
		} else if (!ps_is_op(ps_peek(p, 0), ")")) {
			do {
				if ((rc = ps_expr_alias(p, &a)))
					return rc;
				add_arg(p, f, a);
			} while (ps_accept_op(p, ","));
		}
		if ((rc = ps_expect_op(p, ")")))
			return rc;
	}
	if (ps_accept_kw(p, "OVER")) {
		f->over = rs_arena_alloc(p->a, sizeof(*f->over));
		if ((rc = ps_window(p, f->over)))
			return rc;
	}
	*out = f;
	return 0;
}

static int case_expr(struct rs_parser *p, struct rs_tok *at, struct rs_ast **out)
{
	struct rs_ast *f = ps_node(p, RS_A_FUNC, at), *base = NULL, *c, *r;
	int rc;

	f->name = "multiIf";
	if (!ps_is_kw(ps_peek(p, 0), "WHEN") && (rc = ps_expr(p, &base)))
		return rc;
	if (!ps_is_kw(ps_peek(p, 0), "WHEN"))
		return ps_unexpected(p);
	while (ps_accept_kw(p, "WHEN")) {
		if ((rc = ps_expr(p, &c)) || (rc = ps_expect_kw(p, "THEN")) || (rc = ps_expr(p, &r)))
			return rc;
		if (base)
			c = ps_func(p, "equals", at, 2, base, c);
		add_arg(p, f, c);
		add_arg(p, f, r);
	}
	if (ps_accept_kw(p, "ELSE")) {
		if ((rc = ps_expr(p, &r)))
			return rc;
	} else {
		r = ps_node(p, RS_A_LIT, at);
		r->lit = RS_L_NULL;
	}
	add_arg(p, f, r);
	if ((rc = ps_expect_kw(p, "END")))
		return rc;
	if (f->nargs == 3)
		f->name = "if";
	*out = f;
	return 0;
}

static int primary(struct rs_parser *p, struct rs_ast **out)
{
	struct rs_tok *t = ps_peek(p, 0);
	struct rs_ast *e, *a;
	int rc;

	if (t->kind == RS_TK_NUMBER) {
		p->pos++;
		return number(p, t, out);
	}
	if (t->kind == RS_TK_STRING) {
		p->pos++;
		e = ps_node(p, RS_A_LIT, t);
		e->lit = RS_L_STR;
		e->s = t->val;
		e->slen = t->vlen;
		*out = e;
		return 0;
	}
	if (ps_is_op(t, "*")) {
		p->pos++;
		*out = ps_node(p, RS_A_STAR, t);
		return 0;
	}
	if (ps_is_op(t, "[")) {
		p->pos++;
		e = ps_func(p, "array", t, 0);
		if (!ps_is_op(ps_peek(p, 0), "]")) {
			do {
				if ((rc = ps_expr(p, &a)))
					return rc;
				add_arg(p, e, a);
			} while (ps_accept_op(p, ","));
		}
		if ((rc = ps_expect_op(p, "]")))
			return rc;
		*out = e;
		return 0;
	}
	if (ps_is_op(t, "(")) {
		struct rs_tok *n1 = ps_peek(p, 1);

		if (ps_is_kw(n1, "SELECT") || ps_is_kw(n1, "WITH")) {
			p->pos++;
			e = ps_node(p, RS_A_SUBQ, t);
			if ((rc = ps_select_union(p, &e->sel)) || (rc = ps_expect_op(p, ")")))
				return rc;
			*out = e;
			return 0;
		}
		p->pos++;
		e = ps_func(p, "tuple", t, 0);
		if (!ps_is_op(ps_peek(p, 0), ")")) {
			do {
				if ((rc = ps_expr_alias(p, &a)))
					return rc;
				add_arg(p, e, a);
			} while (ps_accept_op(p, ","));
		}
		if ((rc = ps_expect_op(p, ")")))
			return rc;
		if (ps_is_op(ps_peek(p, 0), "->")) {	/* (x, y) -> body */
			struct rs_ast *l = ps_node(p, RS_A_LAMBDA, t), *body;

			for (unsigned i = 0; i < e->nargs; i++) {
				if (e->args[i]->kind != RS_A_IDENT || e->args[i]->nparts != 1)
					return ps_unexpected(p);
				*(char **)rs_arena_push(p->a, &l->parts, &l->nparts, sizeof(char *)) =
					e->args[i]->parts[0];
			}
			p->pos++;
			if ((rc = expr_prec(p, 1, &body)))
				return rc;
			add_arg(p, l, body);
			*out = l;
			return 0;
		}
		*out = e->nargs == 1 && !e->args[0]->alias ? e->args[0] : e;
		return 0;
	}
	if (t->kind == RS_TK_IDENT && !ps_is_reserved(t)) {
		struct rs_tok *n1 = ps_peek(p, 1);

		if (ps_is_kw(t, "NULL")) {
			p->pos++;
			e = ps_node(p, RS_A_LIT, t);
			e->lit = RS_L_NULL;
			*out = e;
			return 0;
		}
		if (ps_is_kw(t, "TRUE") || ps_is_kw(t, "FALSE")) {
			p->pos++;
			e = ps_node(p, RS_A_LIT, t);
			e->lit = RS_L_BOOL;
			e->u = ps_is_kw(t, "TRUE");
			*out = e;
			return 0;
		}
		if (ps_is_kw(t, "CASE")) {
			p->pos++;
			return case_expr(p, t, out);
		}
		if ((ps_is_kw(t, "CAST") || ps_is_kw(t, "TRY_CAST")) && ps_is_op(n1, "(")) {
			char *ty;

			p->pos += 2;
			if ((rc = ps_expr(p, &a)))
				return rc;
			if (!ps_accept_kw(p, "AS") && (rc = ps_expect_op(p, ",")))
				return rc;
			if ((rc = type_text(p, &ty)) || (rc = ps_expect_op(p, ")")))
				return rc;
			*out = ps_func(p, "CAST", t, 2, a, str_lit(p, t, ty));
			return 0;
		}
		if (ps_is_kw(t, "INTERVAL") && !ps_is_op(n1, "(") && !ps_is_op(n1, ",")) {
			const char *unit;
			char fname[32];

			p->pos++;
			if (ps_peek(p, 0)->kind == RS_TK_STRING) {	/* INTERVAL '1 month' */
				struct rs_tok *s = ps_peek(p, 0);
				char *sp = strchr(s->val, ' ');
				struct rs_tok fake = *s;
				struct rs_lexer lx;

				p->pos++;
				if (!sp)
					return rs_errf_at(p->err, -EINVAL, s->line, s->col,
							  "syntax error at line %u, column %u: bad interval '%s'",
							  s->line, s->col, s->val);
				rs_lex_init(&lx, sp + 1, p->a);
				if (rs_lex_next(&lx, &fake, NULL) || !(unit = interval_unit(&fake)))
					return rs_errf_at(p->err, -EINVAL, s->line, s->col,
							  "syntax error at line %u, column %u: bad interval '%s'",
							  s->line, s->col, s->val);
				fake = *s;
				fake.kind = RS_TK_NUMBER;
				fake.val = rs_arena_strndup(p->a, s->val, (size_t)(sp - s->val));
				fake.len = strlen(fake.val);
				fake.s = fake.val;
				if (!isdigit((unsigned char)fake.val[0]) && fake.val[0] != '-')
					return rs_errf_at(p->err, -EINVAL, s->line, s->col,
							  "syntax error at line %u, column %u: bad interval '%s'",
							  s->line, s->col, s->val);
				if (fake.val[0] == '-') {
					fake.val++;
					fake.s++;
					fake.len--;
					if ((rc = number(p, &fake, &a)))
						return rc;
					a->neg = 1;
				} else if ((rc = number(p, &fake, &a))) {
					return rc;
				}
			} else {
				if ((rc = expr_prec(p, 7, &a)))
					return rc;
				if (!(unit = interval_unit(ps_peek(p, 0))))
					return ps_unexpected(p);
				p->pos++;
			}
			snprintf(fname, sizeof(fname), "toInterval%s", unit);
			*out = ps_func(p, fname, t, 1, a);
			return 0;
		}
		if ((ps_is_kw(t, "DATE") || ps_is_kw(t, "TIMESTAMP")) && n1->kind == RS_TK_STRING) {
			p->pos += 2;
			e = ps_node(p, RS_A_LIT, n1);
			e->lit = RS_L_STR;
			e->s = n1->val;
			e->slen = n1->vlen;
			*out = ps_func(p, ps_is_kw(t, "DATE") ? "toDate" : "toDateTime", t, 1, e);
			return 0;
		}
		if (ps_is_kw(t, "EXTRACT") && ps_is_op(n1, "(") && ps_is_kw(ps_peek(p, 3), "FROM")) {
			const char *unit;
			char fname[32];

			p->pos += 2;
			if (!(unit = interval_unit(ps_peek(p, 0))))
				return ps_unexpected(p);
			p->pos += 2;
			if ((rc = ps_expr(p, &a)) || (rc = ps_expect_op(p, ")")))
				return rc;
			snprintf(fname, sizeof(fname), "to%s", unit);
			*out = ps_func(p, fname, t, 1, a);
			return 0;
		}
	}
	if (t->kind == RS_TK_IDENT && ps_is_op(ps_peek(p, 1), "(") && (ps_is_kw(t, "ANY") ||
	    ps_is_kw(t, "ALL") || ps_is_kw(t, "LEFT") || ps_is_kw(t, "RIGHT") || ps_is_kw(t, "AND") ||
	    ps_is_kw(t, "OR") || ps_is_kw(t, "IN") || ps_is_kw(t, "LIKE") || ps_is_kw(t, "ILIKE"))) {
		p->pos += 2;
		return func_call(p, t, t->val, out);
	}
	if (t->kind == RS_TK_QIDENT || (t->kind == RS_TK_IDENT && !ps_is_reserved(t))) {
		e = ps_node(p, RS_A_IDENT, t);
		*(char **)rs_arena_push(p->a, &e->parts, &e->nparts, sizeof(char *)) = t->val;
		p->pos++;
		if (t->kind == RS_TK_IDENT && ps_is_op(ps_peek(p, 0), "(")) {
			p->pos++;
			return func_call(p, t, t->val, out);
		}
		while (ps_is_op(ps_peek(p, 0), ".")) {
			struct rs_tok *n = ps_peek(p, 1);

			if (ps_is_op(n, "*")) {
				p->pos += 2;
				e->kind = RS_A_STAR;
				*out = e;
				return 0;
			}
			if (n->kind != RS_TK_IDENT && n->kind != RS_TK_QIDENT) {
				if (n->kind == RS_TK_NUMBER)	/* tuple.1 */
					break;
				p->pos++;
				return ps_unexpected(p);
			}
			*(char **)rs_arena_push(p->a, &e->parts, &e->nparts, sizeof(char *)) = n->val;
			p->pos += 2;
		}
		if (ps_is_op(ps_peek(p, 0), "->") && e->nparts == 1) {	/* x -> body */
			struct rs_ast *l = ps_node(p, RS_A_LAMBDA, t), *body;

			p->pos++;
			l->parts = e->parts;
			l->nparts = 1;
			if ((rc = expr_prec(p, 1, &body)))
				return rc;
			add_arg(p, l, body);
			*out = l;
			return 0;
		}
		*out = e;
		return 0;
	}
	return ps_unexpected(p);
}

static int postfix(struct rs_parser *p, struct rs_ast **out)
{
	struct rs_ast *e, *i;
	int rc;

	if ((rc = primary(p, &e)))
		return rc;
	for (;;) {
		struct rs_tok *t = ps_peek(p, 0);

		if (ps_is_op(t, "[")) {
			p->pos++;
			if ((rc = ps_expr(p, &i)) || (rc = ps_expect_op(p, "]")))
				return rc;
			e = ps_func(p, "arrayElement", t, 2, e, i);
		} else if (ps_is_op(t, "::")) {
			char *ty;

			p->pos++;
			if ((rc = type_text(p, &ty)))
				return rc;
			e = ps_func(p, "CAST", t, 2, e, str_lit(p, t, ty));
		} else if (ps_is_op(t, ".") && ps_peek(p, 1)->kind == RS_TK_NUMBER) {
			struct rs_ast *n;

			p->pos++;
			if ((rc = number(p, ps_peek(p, 0), &n)))
				return rc;
			p->pos++;
			e = ps_func(p, "tupleElement", t, 2, e, n);
		} else {
			break;
		}
	}
	*out = e;
	return 0;
}

static int unary(struct rs_parser *p, struct rs_ast **out)
{
	struct rs_tok *t = ps_peek(p, 0);
	struct rs_ast *e;
	int rc;

	if (ps_is_op(t, "-")) {
		p->pos++;
		if (++p->depth > RS_PARSE_MAX_DEPTH)
			return rs_errf_at(p->err, -EINVAL, t->line, t->col,
					  "query is too deeply nested");
		rc = unary(p, &e);
		p->depth--;
		if (rc)
			return rc;
		if (e->kind == RS_A_LIT && (e->lit == RS_L_UINT || e->lit == RS_L_FLOAT) && !e->neg) {
			if (e->lit == RS_L_FLOAT)
				e->f = -e->f;
			else
				e->neg = 1;
			if (e->lit == RS_L_UINT && e->u == 0)
				e->neg = 0;
			*out = e;
			return 0;
		}
		*out = ps_func(p, "negate", t, 1, e);
		return 0;
	}
	if (ps_is_op(t, "+")) {
		p->pos++;
		return unary(p, out);
	}
	return postfix(p, out);
}

struct binop {
	const char *tok;
	const char *fn;
	int kw;
};

static const struct binop add_ops[] = { { "+", "plus", 0 }, { "-", "minus", 0 },
					{ "||", "concat", 0 }, { NULL, NULL, 0 } };
static const struct binop mul_ops[] = { { "*", "multiply", 0 }, { "/", "divide", 0 },
					{ "%", "modulo", 0 }, { "DIV", "intDiv", 1 },
					{ "MOD", "modulo", 1 }, { NULL, NULL, 0 } };
static const struct binop cmp_ops[] = {
	{ "=", "equals", 0 }, { "==", "equals", 0 }, { "!=", "notEquals", 0 },
	{ "<>", "notEquals", 0 }, { "<", "less", 0 }, { ">", "greater", 0 },
	{ "<=", "lessOrEquals", 0 }, { ">=", "greaterOrEquals", 0 }, { NULL, NULL, 0 } };

static const struct binop *match_op(struct rs_parser *p, const struct binop *ops)
{
	struct rs_tok *t = ps_peek(p, 0);

	for (; ops->tok; ops++)
		if (ops->kw ? ps_is_kw(t, ops->tok) : ps_is_op(t, ops->tok))
			return ops;
	return NULL;
}

/*
 * level 1: ternary; 2: OR; 3: AND; 4: NOT; 5: comparison family;
 * 6: additive; 7: multiplicative; 8: unary.
 */
static int expr_prec(struct rs_parser *p, int level, struct rs_ast **out)
{
	struct rs_tok *t = ps_peek(p, 0);
	struct rs_ast *l, *r, *r2;
	const struct binop *op;
	int rc;

	if (++p->depth > RS_PARSE_MAX_DEPTH)
		return rs_errf_at(p->err, -EINVAL, t->line, t->col, "query is too deeply nested");
	switch (level) {
	case 1:
		if ((rc = expr_prec(p, 2, &l)))
			break;
		if (ps_is_op(ps_peek(p, 0), "?")) {
			p->pos++;
			if ((rc = expr_prec(p, 1, &r)) || (rc = ps_expect_op(p, ":")) ||
			    (rc = expr_prec(p, 1, &r2)))
				break;
			l = ps_func(p, "if", t, 3, l, r, r2);
		}
		*out = l;
		break;
	case 2:
	case 3:
		if ((rc = expr_prec(p, level + 1, &l)))
			break;
		{
			int flat = 0;	/* a AND b AND c -> and(a, b, c), as ClickHouse */

			while (ps_accept_kw(p, level == 2 ? "OR" : "AND")) {
				if ((rc = expr_prec(p, level + 1, &r)))
					goto out;
				if (flat) {
					add_arg(p, l, r);
				} else {
					l = ps_func(p, level == 2 ? "or" : "and", t, 2, l, r);
					flat = 1;
				}
			}
		}
		*out = l;
		break;
	case 4:
		if (ps_accept_kw(p, "NOT")) {
			if ((rc = expr_prec(p, 4, &l)))
				break;
			*out = ps_func(p, "not", t, 1, l);
			break;
		}
		rc = expr_prec(p, 5, out);
		break;
	case 5: {
		int neg;

		if ((rc = expr_prec(p, 6, &l)))
			break;
		for (;;) {
			struct rs_tok *ot = ps_peek(p, 0);

			if ((op = match_op(p, cmp_ops))) {
				p->pos++;
				if ((rc = expr_prec(p, 6, &r)))
					goto out;
				l = ps_func(p, op->fn, ot, 2, l, r);
				continue;
			}
			if (ps_is_kw(ot, "IS")) {
				p->pos++;
				neg = ps_accept_kw(p, "NOT");
				if ((rc = ps_expect_kw(p, "NULL")))
					goto out;
				l = ps_func(p, neg ? "isNotNull" : "isNull", ot, 1, l);
				continue;
			}
			neg = 0;
			if (ps_is_kw(ot, "NOT") && (ps_is_kw(ps_peek(p, 1), "LIKE") ||
			    ps_is_kw(ps_peek(p, 1), "ILIKE") || ps_is_kw(ps_peek(p, 1), "IN") ||
			    ps_is_kw(ps_peek(p, 1), "BETWEEN"))) {
				p->pos++;
				neg = 1;
			} else if (ps_is_kw(ot, "GLOBAL") && (ps_is_kw(ps_peek(p, 1), "IN") ||
				   (ps_is_kw(ps_peek(p, 1), "NOT") && ps_is_kw(ps_peek(p, 2), "IN")))) {
				p->pos++;
				neg = ps_accept_kw(p, "NOT");
			}
			if (ps_accept_kw(p, "LIKE") || ps_accept_kw(p, "ILIKE")) {
				int il = ps_is_kw(&p->toks[p->pos - 1], "ILIKE");

				if ((rc = expr_prec(p, 6, &r)))
					goto out;
				l = ps_func(p, il ? (neg ? "notILike" : "ilike") : (neg ? "notLike" : "like"),
					    ot, 2, l, r);
				continue;
			}
			if (ps_accept_kw(p, "IN")) {
				if ((rc = expr_prec(p, 6, &r)))
					goto out;
				l = ps_func(p, neg ? "notIn" : "in", ot, 2, l, r);
				continue;
			}
			if (ps_accept_kw(p, "BETWEEN")) {
				if ((rc = expr_prec(p, 6, &r)) || (rc = ps_expect_kw(p, "AND")) ||
				    (rc = expr_prec(p, 6, &r2)))
					goto out;
				if (neg)
					l = ps_func(p, "or", ot, 2, ps_func(p, "less", ot, 2, l, r),
						    ps_func(p, "greater", ot, 2, l, r2));
				else
					l = ps_func(p, "and", ot, 2,
						    ps_func(p, "greaterOrEquals", ot, 2, l, r),
						    ps_func(p, "lessOrEquals", ot, 2, l, r2));
				continue;
			}
			if (neg) {
				p->pos--;
				rc = ps_unexpected(p);
				goto out;
			}
			break;
		}
		*out = l;
		break;
	}
	case 6:
	case 7:
		if ((rc = level == 6 ? expr_prec(p, 7, &l) : unary(p, &l)))
			break;
		while ((op = match_op(p, level == 6 ? add_ops : mul_ops))) {
			struct rs_tok *ot = ps_peek(p, 0);

			p->pos++;
			if ((rc = level == 6 ? expr_prec(p, 7, &r) : unary(p, &r)))
				goto out;
			l = ps_func(p, op->fn, ot, 2, l, r);
		}
		*out = l;
		break;
	default:
		rc = unary(p, out);
	}
out:
	p->depth--;
	return rc;
}

int ps_expr(struct rs_parser *p, struct rs_ast **out)
{
	return expr_prec(p, 1, out);
}

int ps_expr_alias(struct rs_parser *p, struct rs_ast **out)
{
	struct rs_tok *t;
	int rc;

	if ((rc = ps_expr(p, out)))
		return rc;
	t = ps_peek(p, 0);
	if (ps_accept_kw(p, "AS"))
		return ps_ident(p, &(*out)->alias);
	if (t->kind == RS_TK_QIDENT || (t->kind == RS_TK_IDENT && !ps_is_reserved(t))) {
		(*out)->alias = t->val;
		p->pos++;
	}
	return 0;
}
