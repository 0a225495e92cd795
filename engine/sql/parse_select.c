/*
 * parse_select.c - SELECT statements: WITH, FROM with joins, ARRAY JOIN,
 * PREWHERE/WHERE, GROUP BY, HAVING, ORDER BY, LIMIT [BY], UNION ALL,
 * SETTINGS (ignored); and rs_sql_parse, the entry point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/err.h"
#include "parse_int.h"

static int sel_one(struct rs_parser *p, struct rs_sel **out);

static int expr_list(struct rs_parser *p, struct rs_ast ***v, unsigned *n)
{
	struct rs_ast *e;
	int rc;

	do {
		if ((rc = ps_expr(p, &e)))
			return rc;
		*(struct rs_ast **)rs_arena_push(p->a, v, n, sizeof(e)) = e;
	} while (ps_accept_op(p, ","));
	return 0;
}

static int uint_lit(struct rs_parser *p, uint64_t *out)
{
	struct rs_tok *t = ps_peek(p, 0);
	char *end;

	/* Tinybird's templates render {{Int32(limit, 10)}} as toInt32('10'):
	 * a conversion of one literal is a constant too */
	if (t->kind == RS_TK_IDENT && t->len > 2 && !strncasecmp(t->s, "to", 2) &&
	    ps_is_op(ps_peek(p, 1), "(") &&
	    (ps_peek(p, 2)->kind == RS_TK_NUMBER || ps_peek(p, 2)->kind == RS_TK_STRING) &&
	    ps_is_op(ps_peek(p, 3), ")")) {
		struct rs_tok *v = ps_peek(p, 2);
		if (!*v->val || strspn(v->val, "0123456789") != strlen(v->val))
			return ps_unexpected(p);
		errno = 0;
		*out = strtoull(v->val, &end, 10);
		if (errno)
			return ps_unexpected(p);
		p->pos += 4;
		return 0;
	}
	if (t->kind != RS_TK_NUMBER || strpbrk(t->val, ".eExX"))
		return ps_unexpected(p);
	errno = 0;
	*out = strtoull(t->val, &end, 10);
	if (errno)
		return ps_unexpected(p);
	p->pos++;
	return 0;
}

static int table_ref(struct rs_parser *p, struct rs_tref *r)
{
	struct rs_tok *t = ps_peek(p, 0);
	int rc;

	r->line = t->line;
	r->col = t->col;
	if (ps_is_op(t, "(")) {
		p->pos++;
		if ((rc = ps_select_union(p, &r->sub)) || (rc = ps_expect_op(p, ")")))
			return rc;
	} else if (t->kind == RS_TK_IDENT && !ps_is_reserved(t) && ps_is_op(ps_peek(p, 1), "(")) {
		if ((rc = ps_expr(p, &r->func)))	/* table function */
			return rc;
	} else {
		if ((rc = ps_ident(p, &r->name)))
			return rc;
		if (ps_accept_op(p, ".")) {
			r->db = r->name;
			if ((rc = ps_ident(p, &r->name)))
				return rc;
		}
	}
	if (ps_accept_kw(p, "FINAL"))
		r->final = 1;
	if (ps_accept_kw(p, "AS"))
		return ps_ident(p, &r->alias);
	t = ps_peek(p, 0);
	if (t->kind == RS_TK_QIDENT || (t->kind == RS_TK_IDENT && !ps_is_reserved(t))) {
		r->alias = t->val;
		p->pos++;
	}
	if (ps_accept_kw(p, "FINAL"))
		r->final = 1;
	return 0;
}

/* [GLOBAL] [ALL|ANY|ASOF|SEMI|ANTI] [INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]|CROSS] JOIN */
static int join_head(struct rs_parser *p, enum rs_join_kind *kind, int *any)
{
	unsigned save = p->pos;
	int strict = 0, rc;

	if (ps_is_kw(ps_peek(p, 0), "LEFT") && ps_is_kw(ps_peek(p, 1), "ARRAY"))
		return 0;	/* LEFT ARRAY JOIN */
	ps_accept_kw(p, "GLOBAL");
	if (ps_accept_kw(p, "ALL"))
		strict = 1;
	else if (ps_accept_kw(p, "ANY"))
		strict = 2;
	else if (ps_is_kw(ps_peek(p, 0), "ASOF") || ps_is_kw(ps_peek(p, 0), "SEMI") ||
		 ps_is_kw(ps_peek(p, 0), "ANTI")) {
		struct rs_tok *t = ps_peek(p, 0);
		return rs_errf_at(p->err, -EINVAL, t->line, t->col,
				  "%.*s JOIN is not supported yet", (int)t->len, t->s);
	}
	*any = strict == 2;
	if (ps_accept_kw(p, "INNER"))
		*kind = RS_J_INNER;
	else if (ps_accept_kw(p, "LEFT"))
		*kind = RS_J_LEFT;
	else if (ps_accept_kw(p, "RIGHT"))
		*kind = RS_J_RIGHT;
	else if (ps_accept_kw(p, "FULL"))
		*kind = RS_J_FULL;
	else if (ps_accept_kw(p, "CROSS"))
		*kind = RS_J_CROSS;
	else
		*kind = RS_J_INNER;
	if (*kind == RS_J_LEFT || *kind == RS_J_RIGHT || *kind == RS_J_FULL)
		ps_accept_kw(p, "OUTER");
	if (ps_accept_kw(p, "JOIN"))
		return 1;
	if (p->pos == save)
		return 0;
	rc = ps_unexpected(p);
	return rc;
}

static int from_clause(struct rs_parser *p, struct rs_sel *s)
{
	struct rs_tref *r;
	int rc;

	r = rs_arena_push(p->a, &s->from, &s->nfrom, sizeof(*r));
	if ((rc = table_ref(p, r)))
		return rc;
	for (;;) {
		enum rs_join_kind kind = RS_J_INNER;
		int any = 0;

		if (ps_accept_op(p, ",")) {
			kind = RS_J_CROSS;
		} else {
			if ((rc = join_head(p, &kind, &any)) < 0)
				return rc;
			if (rc == 0)
				return 0;
		}
		r = rs_arena_push(p->a, &s->from, &s->nfrom, sizeof(*r));
		if ((rc = table_ref(p, r)))
			return rc;
		r->join = kind;
		r->strict_any = any;
		if (kind == RS_J_CROSS)
			continue;
		if (ps_accept_kw(p, "ON")) {
			if ((rc = ps_expr(p, &r->on)))
				return rc;
		} else if (ps_accept_kw(p, "USING")) {
			int paren = ps_accept_op(p, "(");

			do {
				char **u = rs_arena_push(p->a, &r->using, &r->nusing, sizeof(char *));

				if ((rc = ps_ident(p, u)))
					return rc;
			} while (ps_accept_op(p, ","));
			if (paren && (rc = ps_expect_op(p, ")")))
				return rc;
		} else {
			return ps_unexpected(p);
		}
	}
}

/* The direction and NULLS placement after an ORDER BY expression. */
int ps_order_dir(struct rs_parser *p, struct rs_order *o)
{
	o->nulls_first = -1;
	if (ps_accept_kw(p, "DESC") || ps_accept_kw(p, "DESCENDING"))
		o->desc = 1;
	else if (!ps_accept_kw(p, "ASC"))
		ps_accept_kw(p, "ASCENDING");
	if (ps_accept_kw(p, "NULLS")) {
		if (ps_accept_kw(p, "FIRST"))
			o->nulls_first = 1;
		else if (ps_accept_kw(p, "LAST"))
			o->nulls_first = 0;
		else
			return ps_unexpected(p);
	}
	return 0;
}

static int order_list(struct rs_parser *p, struct rs_order **v, unsigned *n)
{
	int rc;

	do {
		struct rs_order *o = rs_arena_push(p->a, v, n, sizeof(*o));

		if ((rc = ps_expr(p, &o->e)))
			return rc;
		if ((rc = ps_order_dir(p, o)))
			return rc;
		if (ps_is_kw(ps_peek(p, 0), "COLLATE") || (ps_is_kw(ps_peek(p, 0), "WITH") &&
		    ps_is_kw(ps_peek(p, 1), "FILL"))) {
			struct rs_tok *t = ps_peek(p, 0);
			return rs_errf_at(p->err, -EINVAL, t->line, t->col,
					  "ORDER BY ... %s is not supported yet",
					  ps_is_kw(t, "WITH") ? "WITH FILL" : "COLLATE");
		}
	} while (ps_accept_op(p, ","));
	return 0;
}

static int with_clause(struct rs_parser *p, struct rs_sel *s)
{
	int rc;

	do {
		struct rs_with *w = rs_arena_push(p->a, &s->with, &s->nwith, sizeof(*w));
		struct rs_tok *t = ps_peek(p, 0);

		if ((t->kind == RS_TK_IDENT || t->kind == RS_TK_QIDENT) && ps_is_kw(ps_peek(p, 1), "AS") &&
		    ps_is_op(ps_peek(p, 2), "(") && (ps_is_kw(ps_peek(p, 3), "SELECT") ||
		    ps_is_kw(ps_peek(p, 3), "WITH"))) {
			w->name = t->val;
			p->pos += 3;
			if ((rc = ps_select_union(p, &w->sel)) || (rc = ps_expect_op(p, ")")))
				return rc;
			continue;
		}
		if ((rc = ps_expr(p, &w->expr)) || (rc = ps_expect_kw(p, "AS")) ||
		    (rc = ps_ident(p, &w->name)))
			return rc;
	} while (ps_accept_op(p, ","));
	return 0;
}

static int sel_one(struct rs_parser *p, struct rs_sel **out)
{
	struct rs_sel *s;
	struct rs_ast *e;
	int rc;

	if (ps_is_op(ps_peek(p, 0), "(")) {
		p->pos++;
		if ((rc = ps_select_union(p, out)) || (rc = ps_expect_op(p, ")")))
			return rc;
		return 0;
	}
	s = rs_arena_alloc(p->a, sizeof(*s));
	if (ps_accept_kw(p, "WITH") && (rc = with_clause(p, s)))
		return rc;
	if ((rc = ps_expect_kw(p, "SELECT")))
		return rc;
	if (ps_accept_kw(p, "DISTINCT"))
		s->distinct = 1;
	else
		ps_accept_kw(p, "ALL");
	do {
		if ((rc = ps_expr_alias(p, &e)))
			return rc;
		*(struct rs_ast **)rs_arena_push(p->a, &s->cols, &s->ncols, sizeof(e)) = e;
	} while (ps_accept_op(p, ","));
	if (ps_accept_kw(p, "FROM") && (rc = from_clause(p, s)))
		return rc;
	if (ps_is_kw(ps_peek(p, 0), "ARRAY") || (ps_is_kw(ps_peek(p, 0), "LEFT") &&
	    ps_is_kw(ps_peek(p, 1), "ARRAY"))) {
		s->left_ajoin = ps_accept_kw(p, "LEFT");
		p->pos++;
		if ((rc = ps_expect_kw(p, "JOIN")))
			return rc;
		do {
			if ((rc = ps_expr_alias(p, &e)))
				return rc;
			*(struct rs_ast **)rs_arena_push(p->a, &s->ajoin, &s->najoin, sizeof(e)) = e;
		} while (ps_accept_op(p, ","));
	}
	if (ps_accept_kw(p, "PREWHERE") && (rc = ps_expr(p, &s->prewhere)))
		return rc;
	if (ps_accept_kw(p, "WHERE") && (rc = ps_expr(p, &s->where)))
		return rc;
	if (ps_accept_kw(p, "GROUP")) {
		if ((rc = ps_expect_kw(p, "BY")))
			return rc;
		if (ps_accept_kw(p, "ALL"))
			s->group_all = 1;
		else if ((rc = expr_list(p, &s->group, &s->ngroup)))
			return rc;
		if (ps_is_kw(ps_peek(p, 0), "WITH")) {
			struct rs_tok *t = ps_peek(p, 0);
			return rs_errf_at(p->err, -EINVAL, t->line, t->col,
					  "GROUP BY ... WITH modifiers are not supported yet");
		}
	}
	if (ps_accept_kw(p, "HAVING") && (rc = ps_expr(p, &s->having)))
		return rc;
	if (ps_accept_kw(p, "ORDER")) {
		if ((rc = ps_expect_kw(p, "BY")) || (rc = order_list(p, &s->order, &s->norder)))
			return rc;
	}
	for (int round = 0; round < 2 && ps_accept_kw(p, "LIMIT"); round++) {
		uint64_t a, b = 0;
		int has_b = 0, is_off = 0;

		if ((rc = uint_lit(p, &a)))
			return rc;
		if (ps_accept_op(p, ",")) {
			has_b = 1;
			if ((rc = uint_lit(p, &b)))
				return rc;
		} else if (ps_accept_kw(p, "OFFSET")) {
			has_b = is_off = 1;
			if ((rc = uint_lit(p, &b)))
				return rc;
		}
		if (ps_accept_kw(p, "BY")) {
			if (s->has_limit_by || s->has_limit)
				return ps_unexpected(p);
			s->has_limit_by = 1;
			s->limit_by = has_b && !is_off ? b : a;
			if ((rc = expr_list(p, &s->by, &s->nby)))
				return rc;
			continue;
		}
		if (s->has_limit) {
			p->pos--;
			return ps_unexpected(p);
		}
		s->has_limit = 1;
		if (has_b && !is_off) {	/* LIMIT offset, n */
			s->offset = a;
			s->limit = b;
		} else {
			s->limit = a;
			s->offset = b;
		}
		break;
	}
	if (!s->has_limit && ps_accept_kw(p, "OFFSET")) {	/* OFFSET m alone */
		s->has_limit = 1;
		s->limit = UINT64_MAX;
		if ((rc = uint_lit(p, &s->offset)))
			return rc;
	}
	if (ps_accept_kw(p, "SETTINGS")) {
		do {
			char *k;

			if ((rc = ps_ident(p, &k)) || (rc = ps_expect_op(p, "=")) ||
			    (rc = ps_expr(p, &e)))
				return rc;
		} while (ps_accept_op(p, ","));
	}
	*out = s;
	return 0;
}

int ps_select_union(struct rs_parser *p, struct rs_sel **out)
{
	struct rs_sel *first, *s;
	int rc;

	if ((rc = sel_one(p, &first)))
		return rc;
	s = first;
	while (ps_is_kw(ps_peek(p, 0), "UNION")) {
		struct rs_tok *t = ps_peek(p, 0);

		p->pos++;
		if (!ps_accept_kw(p, "ALL")) {
			if (ps_is_kw(ps_peek(p, 0), "DISTINCT"))
				return rs_errf_at(p->err, -EINVAL, t->line, t->col,
						  "UNION DISTINCT is not supported yet");
			return ps_unexpected(p);
		}
		while (s->union_all)
			s = s->union_all;
		if ((rc = sel_one(p, &s->union_all)))
			return rc;
	}
	*out = first;
	return 0;
}

int rs_sql_parse(const char *text, struct rs_arena *a, struct rs_sel **out,
		 struct rs_err *err)
{
	struct rs_parser p = { .a = a, .err = err };
	struct rs_lexer lx;
	struct rs_tok t;
	int rc;

	rs_lex_init(&lx, text, a);
	do {
		if ((rc = rs_lex_next(&lx, &t, err)))
			return rc;
		*(struct rs_tok *)rs_arena_push(a, &p.toks, &p.ntoks, sizeof(t)) = t;
	} while (t.kind != RS_TK_EOF);
	if ((rc = ps_select_union(&p, out)))
		return rc;
	ps_accept_op(&p, ";");
	if (ps_accept_kw(&p, "FORMAT")) {
		char *fmt;

		if ((rc = ps_ident(&p, &fmt)))
			return rc;
	}
	ps_accept_op(&p, ";");
	if (ps_peek(&p, 0)->kind != RS_TK_EOF)
		return ps_unexpected(&p);
	return 0;
}
