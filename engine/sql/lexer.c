/*
 * lexer.c - SQL tokenizer: ClickHouse comments (--, #!, / * * /), quoted
 * identifiers, string escapes (\n \t \\ \' '' \xHH \0), numbers.
 */
#include "lexer.h"
#include "../base/util.h"

#include <ctype.h>
#include <string.h>

#include "../base/err.h"

void rs_lex_init(struct rs_lexer *lx, const char *text, struct rs_arena *a)
{
	lx->text = lx->p = lx->line_start = text;
	lx->line = 1;
	lx->a = a;
}

static unsigned colof(struct rs_lexer *lx, const char *p)
{
	return (unsigned)(p - lx->line_start) + 1;
}

static void newline(struct rs_lexer *lx, const char *p)
{
	lx->line++;
	lx->line_start = p + 1;
}

/* Quoted text starting at lx->p (the quote); decoded into t->val. */
static int quoted(struct rs_lexer *lx, struct rs_tok *t, char q, struct rs_err *err)
{
	const char *p = lx->p + 1;
	char *out;
	size_t n = 0;

	/* decoded text is never longer than the source */
	out = rs_arena_alloc(lx->a, strlen(p) + 1);
	for (;;) {
		char c = *p;

		if (!c)
			return rs_errf_at(err, -EINVAL, t->line, t->col,
					  "syntax error at line %u, column %u: unterminated %s",
					  t->line, t->col, q == '\'' ? "string literal" :
					  "quoted identifier");
		if (c == q) {
			if (p[1] == q) {
				out[n++] = q;
				p += 2;
				continue;
			}
			p++;
			break;
		}
		if (c == '\\' && p[1]) {
			p++;
			switch (*p) {
			case 'n': out[n++] = '\n'; break;
			case 't': out[n++] = '\t'; break;
			case 'r': out[n++] = '\r'; break;
			case 'b': out[n++] = '\b'; break;
			case 'f': out[n++] = '\f'; break;
			case 'a': out[n++] = '\a'; break;
			case 'v': out[n++] = '\v'; break;
			case 'e': out[n++] = 27; break;
			case '0': out[n++] = 0; break;
			case 'x':
				if (rs_hex_digit(p[1]) >= 0 && rs_hex_digit(p[2]) >= 0) {
					out[n++] = (char)(rs_hex_digit(p[1]) * 16 + rs_hex_digit(p[2]));
					p += 2;
					break;
				}
				out[n++] = 'x';
				break;
			default:
				if (*p == '\n')
					newline(lx, p);
				out[n++] = *p;
			}
			p++;
			continue;
		}
		if (c == '\n')
			newline(lx, p);
		out[n++] = c;
		p++;
	}
	out[n] = 0;
	t->val = out;
	t->vlen = n;
	t->len = (size_t)(p - lx->p);
	lx->p = p;
	return 0;
}

static const char *ops2[] = { "<=", ">=", "!=", "<>", "==", "||", "::", "->", NULL };

int rs_lex_next(struct rs_lexer *lx, struct rs_tok *t, struct rs_err *err)
{
	const char *p = lx->p;

	for (;;) {	/* skip space and comments */
		if (*p == '\n') {
			newline(lx, p);
			p++;
		} else if (isspace((unsigned char)*p)) {
			p++;
		} else if ((p[0] == '-' && p[1] == '-') || (p[0] == '#' && (p[1] == '!' || p[1] == ' '))) {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *st = p;

			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/')) {
				if (*p == '\n')
					newline(lx, p);
				p++;
			}
			if (!*p) {
				unsigned c = colof(lx, st);
				return rs_errf_at(err, -EINVAL, lx->line, c,
						  "syntax error at line %u, column %u: unterminated comment",
						  lx->line, c);
			}
			p += 2;
		} else {
			break;
		}
	}
	lx->p = p;
	memset(t, 0, sizeof(*t));
	t->s = p;
	t->line = lx->line;
	t->col = colof(lx, p);
	if (!*p) {
		t->kind = RS_TK_EOF;
		return 0;
	}
	if (isalpha((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80) {
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' || (unsigned char)*p >= 0x80)
			p++;
		t->kind = RS_TK_IDENT;
		t->len = (size_t)(p - t->s);
		t->val = rs_arena_strndup(lx->a, t->s, t->len);
		t->vlen = t->len;
		lx->p = p;
		return 0;
	}
	if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
			p += 2;
			while (isxdigit((unsigned char)*p))
				p++;
		} else {
			while (isdigit((unsigned char)*p))
				p++;
			if (*p == '.' && p[1] != '.') {
				p++;
				while (isdigit((unsigned char)*p))
					p++;
			}
			if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
			    ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
				p += 2;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (isalpha((unsigned char)*p) || *p == '_') {
			unsigned c = t->col;
			return rs_errf_at(err, -EINVAL, t->line, c,
					  "syntax error at line %u, column %u: bad number '%.*s'",
					  t->line, c, (int)(p - t->s + 1), t->s);
		}
		t->kind = RS_TK_NUMBER;
		t->len = (size_t)(p - t->s);
		t->val = rs_arena_strndup(lx->a, t->s, t->len);
		t->vlen = t->len;
		lx->p = p;
		return 0;
	}
	if (*p == '\'') {
		t->kind = RS_TK_STRING;
		return quoted(lx, t, '\'', err);
	}
	if (*p == '`' || *p == '"') {
		t->kind = RS_TK_QIDENT;
		return quoted(lx, t, *p, err);
	}
	for (int i = 0; ops2[i]; i++)
		if (p[0] == ops2[i][0] && p[1] == ops2[i][1]) {
			t->kind = RS_TK_OP;
			t->len = 2;
			lx->p = p + 2;
			return 0;
		}
	if (strchr("()[],.;+-*/%=<>?:{}", *p)) {
		t->kind = RS_TK_OP;
		t->len = 1;
		lx->p = p + 1;
		return 0;
	}
	return rs_errf_at(err, -EINVAL, t->line, t->col,
			  "syntax error at line %u, column %u: unexpected character '%c'",
			  t->line, t->col, isprint((unsigned char)*p) ? *p : '?');
}
