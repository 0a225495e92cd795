/*
 * expr.c - recursive-descent parser of template expressions into rs_tx
 * trees, with Python's precedence:
 *   a if c else b  <  or  <  and  <  not  <  comparisons / in / is
 *   <  + -  <  * / // %  <  unary - +  <  calls, [index], .method()
 * Nesting is bounded by RS_TMPL_MAX_DEPTH.
 */
#include "tmpl_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct pstate {
	struct rs_tlex *lx;
	unsigned depth;
};

static int expr(struct pstate *ps, struct rs_tx **out);

static int perr(struct pstate *ps, const char *what)
{
	unsigned line = ps->lx->tok.line;

	return rs_errf_at(ps->lx->err, -EINVAL, line, 0, "Syntax error: %s at line %u", what,
			  line);
}

static int next(struct pstate *ps)
{
	return rs_tmpl_lex_next(ps->lx);
}

static int is(struct pstate *ps, const char *s)
{
	return rs_tmpl_tok_is(&ps->lx->tok, s);
}

static int expect(struct pstate *ps, const char *s)
{
	if (!is(ps, s)) {
		char msg[64];

		snprintf(msg, sizeof(msg), "expected '%s'", s);
		return perr(ps, msg);
	}
	return next(ps);
}

static struct rs_tx *node(struct pstate *ps, enum rs_tx_kind k, unsigned nkids)
{
	struct rs_tx *x = rs_tmpl_alloc(ps->lx->a, sizeof(*x));

	if (!x)
		return NULL;
	x->kind = k;
	x->line = ps->lx->tok.line;
	x->nkids = nkids;
	if (nkids && !(x->kids = rs_tmpl_alloc(ps->lx->a, nkids * sizeof(*x->kids))))
		return NULL;
	return x;
}

static const char *const keywords[] = {
	"and", "or", "not", "in", "is", "if", "else", "elif", "for", "lambda", "from",
	"def", "class", "return", "yield", "while", "with", "as", "del", "global",
	"nonlocal", "assert", "raise", "try", "except", "finally", "pass", "break",
	"continue", "async", "await", "import",
};

static int is_keyword(const struct rs_tk *t)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (rs_tmpl_tok_is(t, keywords[i]))
			return 1;
	return 0;
}

/* A growable array of kids while parsing lists and arguments. */
struct kids {
	struct rs_tx **v;
	const char **kw;
	unsigned n, cap;
};

static int kids_push(struct pstate *ps, struct kids *k, struct rs_tx *x, const char *kw)
{
	if (k->n == k->cap) {
		unsigned cap = k->cap ? k->cap * 2 : 8;
		struct rs_tx **v;
		const char **kwv;

		if (cap > RS_TMPL_MAX_LIST)
			return perr(ps, "too many items");
		v = rs_tmpl_alloc(ps->lx->a, cap * sizeof(*v));
		kwv = rs_tmpl_alloc(ps->lx->a, cap * sizeof(*kwv));
		if (!v || !kwv)
			return -ENOMEM;
		if (k->n) {
			memcpy(v, k->v, k->n * sizeof(*v));
			memcpy(kwv, k->kw, k->n * sizeof(*kwv));
		}
		k->v = v;
		k->kw = kwv;
		k->cap = cap;
	}
	k->v[k->n] = x;
	k->kw[k->n++] = kw;
	return 0;
}

static struct rs_tx *from_kids(struct pstate *ps, enum rs_tx_kind kind, struct kids *k)
{
	struct rs_tx *x = node(ps, kind, 0);

	if (!x)
		return NULL;
	x->kids = k->v;
	x->kw = k->kw;
	x->nkids = k->n;
	return x;
}

/* Comma-separated items up to the closing bracket `close`; *comma = saw one. */
static int items(struct pstate *ps, const char *close, struct kids *k, int args, int *comma)
{
	int rc;

	*comma = 0;
	while (!is(ps, close)) {
		struct rs_tx *x;
		const char *kw = NULL;

		if (ps->lx->tok.kind == TK_EOF)
			return perr(ps, "unexpected end of expression");
		if (is(ps, "*") || is(ps, "**"))
			return perr(ps, "argument unpacking is not supported");
		if (args && ps->lx->tok.kind == TK_NAME && !is_keyword(&ps->lx->tok) &&
		    ps->lx->p < ps->lx->end) {
			/* name=value ? peek past blanks for a lone '=' */
			const char *q = ps->lx->p;

			while (q < ps->lx->end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
				q++;
			if (q < ps->lx->end && *q == '=' && (q + 1 >= ps->lx->end || q[1] != '=')) {
				kw = rs_tmpl_strndup(ps->lx->a, ps->lx->tok.p, ps->lx->tok.len);
				if (!kw)
					return -ENOMEM;
				if ((rc = next(ps)) || (rc = expect(ps, "=")))
					return rc;
			}
		}
		if (!kw && args && k->n && k->kw[k->n - 1])
			return perr(ps, "positional argument follows keyword argument");
		if ((rc = expr(ps, &x)) || (rc = kids_push(ps, k, x, kw)))
			return rc;
		if (!is(ps, ","))
			break;
		*comma = 1;
		if ((rc = next(ps)))
			return rc;
	}
	return expect(ps, close);
}

static int dict_items(struct pstate *ps, struct rs_tx **out)
{
	struct kids keys = { 0 }, vals = { 0 };
	struct rs_tx *k, *v, *x;
	int rc;

	while (!is(ps, "}")) {
		if (ps->lx->tok.kind == TK_EOF)
			return perr(ps, "unexpected end of expression");
		if ((rc = expr(ps, &k)) || (rc = expect(ps, ":")) || (rc = expr(ps, &v)))
			return rc;
		if ((rc = kids_push(ps, &keys, k, NULL)) || (rc = kids_push(ps, &vals, v, NULL)))
			return rc;
		if (!is(ps, ","))
			break;
		if ((rc = next(ps)))
			return rc;
	}
	if ((rc = expect(ps, "}")))
		return rc;
	if (!(x = node(ps, TX_DICT, keys.n * 2)))
		return -ENOMEM;
	x->nkids = keys.n * 2;
	for (unsigned i = 0; i < keys.n; i++) {
		x->kids[i] = keys.v[i];
		x->kids[keys.n + i] = vals.v[i];
	}
	*out = x;
	return 0;
}

static int atom(struct pstate *ps, struct rs_tx **out)
{
	struct rs_tk *t = &ps->lx->tok;
	struct rs_tx *x;
	struct kids k = { 0 };
	int rc, comma;

	switch (t->kind) {
	case TK_INT:
	case TK_FLOAT:
		if (!(x = node(ps, TX_CONST, 0)) || !(x->val = rs_tmpl_alloc(ps->lx->a, sizeof(*x->val))))
			return -ENOMEM;
		x->val->kind = t->kind == TK_INT ? TV_INT : TV_FLOAT;
		x->val->i = t->i;
		x->val->f = t->f;
		*out = x;
		return next(ps);
	case TK_STR: {
		/* adjacent literals concatenate */
		char *s = t->s;
		size_t n = t->slen;

		if ((rc = next(ps)))
			return rc;
		while (t->kind == TK_STR) {
			char *j = rs_tmpl_alloc(ps->lx->a, n + t->slen + 1);

			if (!j)
				return -ENOMEM;
			memcpy(j, s, n);
			memcpy(j + n, t->s, t->slen);
			s = j;
			n += t->slen;
			if ((rc = next(ps)))
				return rc;
		}
		if (!(x = node(ps, TX_CONST, 0)) || !(x->val = rs_tmpl_alloc(ps->lx->a, sizeof(*x->val))))
			return -ENOMEM;
		x->val->kind = TV_STR;
		x->val->s = s;
		x->val->len = n;
		*out = x;
		return 0;
	}
	case TK_NAME:
		if (rs_tmpl_tok_is(t, "import") || rs_tmpl_tok_is(t, "__import__"))
			return rs_errf_at(ps->lx->err, -EINVAL, t->line, 0, "import is forbidden");
		if (rs_tmpl_tok_is(t, "True") || rs_tmpl_tok_is(t, "False") ||
		    rs_tmpl_tok_is(t, "None")) {
			if (!(x = node(ps, TX_CONST, 0)))
				return -ENOMEM;
			x->val = t->p[0] == 'T' ? &rs_tmpl_true : t->p[0] == 'F' ? &rs_tmpl_false
										 : &rs_tmpl_none;
			*out = x;
			return next(ps);
		}
		if (is_keyword(t)) {
			char msg[80];

			snprintf(msg, sizeof(msg), "'%.*s' is not allowed here", (int)t->len, t->p);
			return perr(ps, msg);
		}
		if (t->len >= 2 && t->p[0] == '_' && t->p[1] == '_')
			return perr(ps, "names starting with '__' are forbidden");
		if (!(x = node(ps, TX_NAME, 0)) || !(x->name = rs_tmpl_strndup(ps->lx->a, t->p, t->len)))
			return -ENOMEM;
		*out = x;
		return next(ps);
	case TK_OP:
		if (is(ps, "(")) {
			if ((rc = next(ps)) || (rc = items(ps, ")", &k, 0, &comma)))
				return rc;
			if (k.n == 1 && !comma) {
				*out = k.v[0];
				return 0;
			}
			return (*out = from_kids(ps, TX_TUPLE, &k)) ? 0 : -ENOMEM;
		}
		if (is(ps, "[")) {
			if ((rc = next(ps)))
				return rc;
			if (rs_tmpl_tok_is(t, "]") == 0 && t->kind == TK_EOF)
				return perr(ps, "unexpected end of expression");
			if ((rc = items(ps, "]", &k, 0, &comma)))
				return rc;
			return (*out = from_kids(ps, TX_LIST, &k)) ? 0 : -ENOMEM;
		}
		if (is(ps, "{")) {
			if ((rc = next(ps)))
				return rc;
			return dict_items(ps, out);
		}
		return perr(ps, "invalid syntax");
	default:
		return perr(ps, "unexpected end of expression");
	}
}

static int postfix(struct pstate *ps, struct rs_tx **out)
{
	struct rs_tx *x = NULL, *y;
	int rc, comma;

	if ((rc = atom(ps, &x)))
		return rc;
	for (;;) {
		if (is(ps, "(")) {
			struct kids k = { 0 };

			if (x->kind != TX_NAME)
				return perr(ps, "only named functions can be called");
			if ((rc = next(ps)) || (rc = items(ps, ")", &k, 1, &comma)))
				return rc;
			if (!(y = from_kids(ps, TX_CALL, &k)))
				return -ENOMEM;
			y->name = x->name;
			y->line = x->line;
			x = y;
		} else if (is(ps, "[")) {
			struct rs_tx *a = NULL, *b = NULL;
			int slice = 0;

			if ((rc = next(ps)))
				return rc;
			if (!is(ps, ":") && (rc = expr(ps, &a)))
				return rc;
			if (is(ps, ":")) {
				slice = 1;
				if ((rc = next(ps)))
					return rc;
				if (!is(ps, "]") && (rc = expr(ps, &b)))
					return rc;
			}
			if ((rc = expect(ps, "]")))
				return rc;
			if (!(y = node(ps, slice ? TX_SLICE : TX_INDEX, slice ? 3 : 2)))
				return -ENOMEM;
			y->kids[0] = x;
			y->kids[1] = a;
			if (slice)
				y->kids[2] = b;
			x = y;
		} else if (is(ps, ".")) {
			struct kids k = { 0 };
			const char *name;

			if ((rc = next(ps)))
				return rc;
			if (ps->lx->tok.kind != TK_NAME || is_keyword(&ps->lx->tok))
				return perr(ps, "invalid syntax");
			if (ps->lx->tok.len >= 1 && ps->lx->tok.p[0] == '_')
				return perr(ps, "private attributes are forbidden");
			if (!(name = rs_tmpl_strndup(ps->lx->a, ps->lx->tok.p, ps->lx->tok.len)))
				return -ENOMEM;
			if ((rc = next(ps)))
				return rc;
			if (!is(ps, "("))
				return perr(ps, "attribute access is not supported");
			if ((rc = next(ps)) || (rc = kids_push(ps, &k, x, NULL)) ||
			    (rc = items(ps, ")", &k, 1, &comma)))
				return rc;
			if (!(y = from_kids(ps, TX_METHOD, &k)))
				return -ENOMEM;
			y->name = name;
			x = y;
		} else {
			break;
		}
	}
	*out = x;
	return 0;
}

static int unary(struct pstate *ps, struct rs_tx **out)
{
	struct rs_tx *x = NULL;
	int rc;

	if (is(ps, "-") || is(ps, "+")) {
		enum rs_tx_kind k = is(ps, "-") ? TX_NEG : TX_POS;

		if (++ps->depth > RS_TMPL_MAX_DEPTH)
			return perr(ps, "expression nested too deeply");
		if ((rc = next(ps)) || (rc = unary(ps, &x)))
			return rc;
		ps->depth--;
		if (!(*out = node(ps, k, 1)))
			return -ENOMEM;
		(*out)->kids[0] = x;
		return 0;
	}
	if ((rc = postfix(ps, &x)))
		return rc;
	if (is(ps, "**"))
		return rs_errf_at(ps->lx->err, -EINVAL, ps->lx->tok.line, 0,
				  "Syntax error: ** is forbidden at line %u", ps->lx->tok.line);
	*out = x;
	return 0;
}

static int binop(struct pstate *ps, int level, struct rs_tx **out)
{
	static const struct {
		const char *tok;
		enum rs_tx_op op;
		int level;
	} ops[] = {
		{ "+", OP_ADD, 0 }, { "-", OP_SUB, 0 },
		{ "*", OP_MUL, 1 }, { "/", OP_DIV, 1 }, { "//", OP_FLOORDIV, 1 }, { "%", OP_MOD, 1 },
	};
	struct rs_tx *x, *y, *z;
	int rc;

	if ((rc = level ? unary(ps, &x) : binop(ps, 1, &x)))
		return rc;
	for (;;) {
		size_t i;

		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (ops[i].level == level && is(ps, ops[i].tok))
				break;
		if (i == sizeof(ops) / sizeof(ops[0]))
			break;
		if ((rc = next(ps)) || (rc = level ? unary(ps, &y) : binop(ps, 1, &y)))
			return rc;
		if (!(z = node(ps, TX_BIN, 2)))
			return -ENOMEM;
		z->op = ops[i].op;
		z->kids[0] = x;
		z->kids[1] = y;
		x = z;
	}
	*out = x;
	return 0;
}

/* A comparison operator at the current token, consuming it; -1 if none. */
static int cmp_op(struct pstate *ps, enum rs_tx_op *op)
{
	static const struct {
		const char *tok;
		enum rs_tx_op op;
	} ops[] = {
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<>", OP_NE }, { "<=", OP_LE },
		{ ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT }, { "in", OP_IN },
	};
	int rc;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (is(ps, ops[i].tok)) {
			*op = ops[i].op;
			return next(ps);
		}
	}
	if (is(ps, "not")) {
		/* `not in` */
		if ((rc = next(ps)))
			return rc;
		if (!is(ps, "in"))
			return perr(ps, "invalid syntax");
		*op = OP_NOTIN;
		return next(ps);
	}
	if (is(ps, "is")) {
		if ((rc = next(ps)))
			return rc;
		*op = OP_IS;
		if (is(ps, "not")) {
			*op = OP_ISNOT;
			return next(ps);
		}
		return 0;
	}
	return 1;
}

static int comparison(struct pstate *ps, struct rs_tx **out)
{
	struct kids k = { 0 };
	enum rs_tx_op opv[64];
	struct rs_tx *x;
	int rc;

	if ((rc = binop(ps, 0, &x)))
		return rc;
	for (;;) {
		enum rs_tx_op op = OP_EQ;

		rc = cmp_op(ps, &op);
		if (rc < 0)
			return rc;
		if (rc > 0)
			break;
		if (k.n == 0 && (rc = kids_push(ps, &k, x, NULL)))
			return rc;
		if (k.n > 63)
			return perr(ps, "too many comparisons");
		opv[k.n - 1] = op;
		if ((rc = binop(ps, 0, &x)) || (rc = kids_push(ps, &k, x, NULL)))
			return rc;
	}
	if (!k.n) {
		*out = x;
		return 0;
	}
	if (!(x = from_kids(ps, TX_CMP, &k)) ||
	    !(x->ops = rs_tmpl_alloc(ps->lx->a, (k.n - 1) * sizeof(*x->ops))))
		return -ENOMEM;
	memcpy(x->ops, opv, (k.n - 1) * sizeof(*x->ops));
	x->kw = NULL;
	*out = x;
	return 0;
}

static int not_expr(struct pstate *ps, struct rs_tx **out)
{
	struct rs_tx *x;
	int rc;

	if (!is(ps, "not"))
		return comparison(ps, out);
	if (++ps->depth > RS_TMPL_MAX_DEPTH)
		return perr(ps, "expression nested too deeply");
	if ((rc = next(ps)) || (rc = not_expr(ps, &x)))
		return rc;
	ps->depth--;
	if (!(*out = node(ps, TX_NOT, 1)))
		return -ENOMEM;
	(*out)->kids[0] = x;
	return 0;
}

static int logic(struct pstate *ps, int is_or, struct rs_tx **out)
{
	struct rs_tx *x, *y, *z;
	int rc;

	if ((rc = is_or ? logic(ps, 0, &x) : not_expr(ps, &x)))
		return rc;
	while (is(ps, is_or ? "or" : "and")) {
		if ((rc = next(ps)) || (rc = is_or ? logic(ps, 0, &y) : not_expr(ps, &y)))
			return rc;
		if (!(z = node(ps, is_or ? TX_OR : TX_AND, 2)))
			return -ENOMEM;
		z->kids[0] = x;
		z->kids[1] = y;
		x = z;
	}
	*out = x;
	return 0;
}

static int expr(struct pstate *ps, struct rs_tx **out)
{
	struct rs_tx *x, *c, *e, *z;
	int rc;

	if (++ps->depth > RS_TMPL_MAX_DEPTH)
		return perr(ps, "expression nested too deeply");
	if (is(ps, "lambda"))
		return perr(ps, "lambda is forbidden");
	if ((rc = logic(ps, 1, &x)))
		return rc;
	if (is(ps, "if")) {
		if ((rc = next(ps)) || (rc = logic(ps, 1, &c)) || (rc = expect(ps, "else")) ||
		    (rc = expr(ps, &e)))
			return rc;
		if (!(z = node(ps, TX_COND, 3)))
			return -ENOMEM;
		z->kids[0] = c;
		z->kids[1] = x;
		z->kids[2] = e;
		x = z;
	}
	ps->depth--;
	*out = x;
	return 0;
}

int rs_tmpl_parse_expr_lx(struct rs_tlex *lx, struct rs_tx **out)
{
	struct pstate ps = { lx, 0 };

	return expr(&ps, out);
}

int rs_tmpl_parse_expr(struct rs_tmpl_arena *a, const char *p, size_t n, unsigned line,
		       struct rs_tx **out, struct rs_err *err)
{
	struct rs_tlex lx;
	struct pstate ps = { &lx, 0 };
	int rc;

	if ((rc = rs_tmpl_lex_init(&lx, p, n, line, a, err)))
		return rc;
	if (lx.tok.kind == TK_EOF)
		return rs_errf_at(err, -EINVAL, line, 0, "Syntax error: empty expression at line %u",
				  line);
	if ((rc = expr(&ps, out)))
		return rc;
	if (lx.tok.kind != TK_EOF) {
		if (rs_tmpl_tok_is(&lx.tok, "import"))
			return rs_errf_at(err, -EINVAL, lx.tok.line, 0, "import is forbidden");
		return perr(&ps, "invalid syntax");
	}
	return 0;
}

int rs_tmpl_parse_targets(struct rs_tlex *lx, const char ***names, unsigned *n)
{
	struct pstate ps = { lx, 0 };
	const char *v[16];
	unsigned k = 0;
	int rc, paren = 0;

	if (is(&ps, "(")) {
		paren = 1;
		if ((rc = next(&ps)))
			return rc;
	}
	for (;;) {
		if (lx->tok.kind != TK_NAME || is_keyword(&lx->tok) ||
		    (lx->tok.len >= 2 && lx->tok.p[0] == '_' && lx->tok.p[1] == '_'))
			return perr(&ps, "invalid target");
		if (k == 16)
			return perr(&ps, "too many targets");
		if (!(v[k++] = rs_tmpl_strndup(lx->a, lx->tok.p, lx->tok.len)))
			return -ENOMEM;
		if ((rc = next(&ps)))
			return rc;
		if (!is(&ps, ","))
			break;
		if ((rc = next(&ps)))
			return rc;
		if (paren && is(&ps, ")"))
			break;
	}
	if (paren && (rc = expect(&ps, ")")))
		return rc;
	if (!(*names = rs_tmpl_alloc(lx->a, k * sizeof(**names))))
		return -ENOMEM;
	memcpy(*names, v, k * sizeof(*v));
	*n = k;
	return 0;
}
