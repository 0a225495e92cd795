/*
 * parse.c - the template scanner (Tornado's syntax): splits text, {{ }},
 * {% %} and {# #} and builds the node tree of if/elif/else, for and set
 * blocks. Messages follow Tornado's ("Missing {% end %} block for if",
 * "Extra {% end %} block", "unknown operator: 'x'") with the line.
 */
#include "tmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct tparse {
	struct rs_tmpl_arena *a;
	struct rs_err *err;
	const char *p, *end;
	unsigned line;
	unsigned depth;
};

/* What ended a body. */
enum stop { STOP_EOF, STOP_END, STOP_ELSE, STOP_ELIF };

struct tail {
	struct rs_tn *head, **link;
};

static int err_at(struct tparse *tp, unsigned line, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	return rs_errf_at(tp->err, -EINVAL, line, 0, "%s at line %u", msg, line);
}

static struct rs_tn *add(struct tparse *tp, struct tail *t, enum rs_tn_kind k, unsigned line)
{
	struct rs_tn *n = rs_tmpl_alloc(tp->a, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = k;
	n->line = line;
	*t->link = n;
	t->link = &n->next;
	return n;
}

static unsigned count_lines(const char *p, const char *e)
{
	unsigned n = 0;

	for (; p < e; p++)
		n += *p == '\n';
	return n;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

static const char *find(const char *p, const char *end, const char *pat)
{
	for (; p + 1 < end; p++)
		if (p[0] == pat[0] && p[1] == pat[1])
			return p;
	return NULL;
}

static int body(struct tparse *tp, struct rs_tn **out, enum stop *stop, const char **arg,
		size_t *arglen, unsigned *stopline);

/* The head of `{% for a, b in expr %}` / `{% set a = expr %}`. */
static int head(struct tparse *tp, struct rs_tn *n, const char *s, size_t len, unsigned line,
		const char *sep)
{
	struct rs_tlex lx;
	int rc;

	if ((rc = rs_tmpl_lex_init(&lx, s, len, line, tp->a, tp->err)) ||
	    (rc = rs_tmpl_parse_targets(&lx, &n->targets, &n->ntargets)))
		return rc;
	if (!rs_tmpl_tok_is(&lx.tok, sep))
		return rs_errf_at(tp->err, -EINVAL, lx.tok.line, 0,
				  "Syntax error: expected '%s' at line %u", sep, lx.tok.line);
	if ((rc = rs_tmpl_lex_next(&lx)) || (rc = rs_tmpl_parse_expr_lx(&lx, &n->expr)))
		return rc;
	if (rs_tmpl_tok_is(&lx.tok, ",")) {
		/* `a, b = 1, 2`: a tuple without parentheses */
		struct rs_tx *items[64], *t;
		unsigned k = 0;

		items[k++] = n->expr;
		while (rs_tmpl_tok_is(&lx.tok, ",")) {
			if ((rc = rs_tmpl_lex_next(&lx)))
				return rc;
			if (lx.tok.kind == TK_EOF)
				break;
			if (k == 64)
				return rs_errf_at(tp->err, -EINVAL, line, 0,
						  "Syntax error: too many values at line %u", line);
			if ((rc = rs_tmpl_parse_expr_lx(&lx, &items[k++])))
				return rc;
		}
		if (!(t = rs_tmpl_alloc(tp->a, sizeof(*t))) ||
		    !(t->kids = rs_tmpl_alloc(tp->a, k * sizeof(*t->kids))))
			return -ENOMEM;
		t->kind = TX_TUPLE;
		t->line = line;
		t->nkids = k;
		memcpy(t->kids, items, k * sizeof(*items));
		n->expr = t;
	}
	if (lx.tok.kind != TK_EOF)
		return rs_errf_at(tp->err, -EINVAL, lx.tok.line, 0,
				  "Syntax error: invalid syntax at line %u", lx.tok.line);
	return 0;
}

static int block_if(struct tparse *tp, struct tail *t, const char *cond, size_t clen,
		    unsigned line)
{
	struct rs_tx *conds[256];
	struct rs_tn *bodies[256];
	struct rs_tn *n, *b;
	unsigned nc = 0;
	enum stop stop;
	const char *arg = cond;
	size_t alen = clen;
	unsigned sline, cline = line;
	int rc;

	if (!(n = add(tp, t, TN_IF, line)))
		return -ENOMEM;
	for (;;) {
		if (!alen)
			return err_at(tp, cline, "Syntax error: if missing condition%s", "");
		if (nc == 256)
			return err_at(tp, cline, "Syntax error: too many elif blocks%s", "");
		if ((rc = rs_tmpl_parse_expr(tp->a, arg, alen, cline, &conds[nc], tp->err)))
			return rc;
		if ((rc = body(tp, &b, &stop, &arg, &alen, &sline)))
			return rc;
		bodies[nc++] = b;
		if (stop == STOP_EOF)
			return err_at(tp, line, "Missing {%% end %%} block for %s", "if");
		cline = sline;
		if (stop != STOP_ELIF)
			break;
	}
	if (stop == STOP_ELSE) {
		if ((rc = body(tp, &n->els, &stop, &arg, &alen, &sline)))
			return rc;
		if (stop == STOP_EOF)
			return err_at(tp, line, "Missing {%% end %%} block for %s", "if");
		if (stop != STOP_END)
			return err_at(tp, sline, "'%s' block cannot be attached to 'else' block",
				      stop == STOP_ELSE ? "else" : "elif");
	}
	n->ncond = nc;
	n->conds = rs_tmpl_alloc(tp->a, nc * sizeof(*n->conds));
	n->bodies = rs_tmpl_alloc(tp->a, nc * sizeof(*n->bodies));
	if (!n->conds || !n->bodies)
		return -ENOMEM;
	memcpy(n->conds, conds, nc * sizeof(*conds));
	memcpy(n->bodies, bodies, nc * sizeof(*bodies));
	return 0;
}

static int block_for(struct tparse *tp, struct tail *t, const char *s, size_t len,
		     unsigned line)
{
	struct rs_tn *n;
	enum stop stop;
	const char *arg;
	size_t alen;
	unsigned sline;
	int rc;

	if (!(n = add(tp, t, TN_FOR, line)))
		return -ENOMEM;
	if ((rc = head(tp, n, s, len, line, "in")))
		return rc;
	if ((rc = body(tp, &n->body, &stop, &arg, &alen, &sline)))
		return rc;
	if (stop == STOP_ELIF)
		return err_at(tp, sline, "'elif' block cannot be attached to '%s' block", "for");
	if (stop == STOP_ELSE) {
		if ((rc = body(tp, &n->els, &stop, &arg, &alen, &sline)))
			return rc;
		if (stop == STOP_ELSE || stop == STOP_ELIF)
			return err_at(tp, sline, "'%s' block cannot be attached to 'else' block",
				      stop == STOP_ELSE ? "else" : "elif");
	}
	if (stop == STOP_EOF)
		return err_at(tp, line, "Missing {%% end %%} block for %s", "for");
	return 0;
}

/* One {% ... %} tag; sets *stop when it ends the current body. */
static int tag(struct tparse *tp, struct tail *t, const char *s, const char *e, unsigned line,
	       int *stop, const char **arg, size_t *arglen)
{
	const char *w = s;
	size_t wl, rl;
	const char *rest;
	struct rs_tn *n;
	int rc;

	while (w < e && (isalnum((unsigned char)*w) || *w == '_'))
		w++;
	wl = (size_t)(w - s);
	rest = w;
	trim(&rest, &e);
	rl = (size_t)(e - rest);
#define IS(word) (wl == strlen(word) && !memcmp(s, word, wl))
	if (!wl)
		return err_at(tp, line, "Syntax error: invalid block tag%s", "");
	if (IS("end") || IS("else")) {
		if (rl)
			return err_at(tp, line, "Syntax error: unexpected text after %s", IS("end") ? "end" : "else");
		*stop = IS("end") ? STOP_END : STOP_ELSE;
		return 0;
	}
	if (IS("elif")) {
		*stop = STOP_ELIF;
		*arg = rest;
		*arglen = rl;
		return 0;
	}
	if (IS("import") || IS("from"))
		return rs_errf_at(tp->err, -EINVAL, line, 0, "import is forbidden");
	if (IS("comment"))
		return 0;
	if (IS("break") || IS("continue")) {
		if (rl)
			return err_at(tp, line, "Syntax error: unexpected text after %s", IS("break") ? "break" : "continue");
		return add(tp, t, IS("break") ? TN_BREAK : TN_CONTINUE, line) ? 0 : -ENOMEM;
	}
	if (tp->depth >= RS_TMPL_MAX_DEPTH)
		return err_at(tp, line, "Syntax error: blocks nested too deeply%s", "");
	if (IS("if")) {
		tp->depth++;
		rc = block_if(tp, t, rest, rl, line);
		tp->depth--;
		return rc;
	}
	if (IS("for")) {
		tp->depth++;
		rc = block_for(tp, t, rest, rl, line);
		tp->depth--;
		return rc;
	}
	if (IS("set")) {
		if (!(n = add(tp, t, TN_SET, line)))
			return -ENOMEM;
		return head(tp, n, rest, rl, line, "=");
	}
#undef IS
	char word[64];
	snprintf(word, sizeof(word), "%.*s", (int)(wl > 40 ? 40 : wl), s);
	return err_at(tp, line, "unknown operator: '%s'", word);
}

/* Parse nodes until EOF or a tag that ends a body (end, else, elif). */
static int body(struct tparse *tp, struct rs_tn **out, enum stop *stop, const char **arg,
		size_t *arglen, unsigned *stopline)
{
	struct tail t = { NULL, NULL };
	int rc, st = -1;

	t.link = &t.head;
	while (tp->p < tp->end) {
		const char *p = tp->p, *o = NULL;

		/* next opening brace */
		for (const char *q = p; q + 1 < tp->end; q++) {
			if (q[0] == '{' && (q[1] == '{' || q[1] == '%' || q[1] == '#')) {
				o = q;
				break;
			}
		}
		if (!o)
			o = tp->end;
		if (o > p) {
			struct rs_tn *n = add(tp, &t, TN_TEXT, tp->line);

			if (!n)
				return -ENOMEM;
			n->text = p;
			n->len = (size_t)(o - p);
			tp->line += count_lines(p, o);
		}
		tp->p = o;
		if (o == tp->end)
			break;
		/* {{! {%! {#! : the literal opening */
		if (tp->end - o > 2 && o[2] == '!') {
			struct rs_tn *n = add(tp, &t, TN_TEXT, tp->line);

			if (!n)
				return -ENOMEM;
			n->text = o;
			n->len = 2;
			tp->p = o + 3;
			continue;
		}
		char kind = o[1];
		const char *close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
		const char *c = find(o + 2, tp->end, close);
		unsigned line = tp->line;

		if (!c) {
			if (kind == '{')
				return err_at(tp, line, "Missing end expression }}%s", "");
			if (kind == '%')
				return err_at(tp, line, "Missing end block %%}%s", "");
			return err_at(tp, line, "Missing end comment #}%s", "");
		}
		const char *s = o + 2, *e = c;

		tp->line += count_lines(o, c + 2);
		tp->p = c + 2;
		if (kind == '#')
			continue;
		trim(&s, &e);
		if (kind == '{') {
			struct rs_tn *n;

			if (s == e)
				return err_at(tp, line, "Empty expression%s", "");
			if (!(n = add(tp, &t, TN_EXPR, line)))
				return -ENOMEM;
			n->text = s;
			n->len = (size_t)(e - s);
			if ((rc = rs_tmpl_parse_expr(tp->a, s, n->len, line + count_lines(o, s),
						     &n->expr, tp->err)))
				return rc;
			continue;
		}
		if (s == e)
			return err_at(tp, line, "Empty block tag ({%% %%})%s", "");
		if ((rc = tag(tp, &t, s, e, line, &st, arg, arglen)))
			return rc;
		if (st >= 0) {
			*stopline = line;
			break;
		}
	}
	*out = t.head;
	*stop = st >= 0 ? (enum stop)st : STOP_EOF;
	return 0;
}

int rs_tmpl_parse(struct rs_tmpl_arena *a, const char *p, size_t n, unsigned line,
		  struct rs_tn **out, struct rs_err *err)
{
	struct tparse tp = { a, err, p, p + n, line, 0 };
	enum stop stop;
	const char *arg;
	size_t alen;
	unsigned sline = 0;
	int rc;

	if ((rc = body(&tp, out, &stop, &arg, &alen, &sline)))
		return rc;
	if (stop == STOP_END)
		return err_at(&tp, sline, "Extra {%% end %%} block%s", "");
	if (stop == STOP_ELSE || stop == STOP_ELIF)
		return err_at(&tp, sline, "'%s' outside 'if' block",
			      stop == STOP_ELSE ? "else" : "elif");
	if (a->failed)
		return -ENOMEM;
	return 0;
}
