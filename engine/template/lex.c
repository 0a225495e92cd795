/*
 * lex.c - tokens of the expression language (a Python subset): names,
 * numbers, strings (with Python escapes and r/u/b prefixes) and operators.
 * Newlines count as blanks; the line is tracked for messages.
 */
#include "tmpl_int.h"
#include "../base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int lex_err(struct rs_tlex *lx, const char *what)
{
	return rs_errf_at(lx->err, -EINVAL, lx->line, 0, "Syntax error: %s at line %u", what,
			  lx->line);
}

int rs_tmpl_lex_init(struct rs_tlex *lx, const char *p, size_t n, unsigned line,
		     struct rs_tmpl_arena *a, struct rs_err *err)
{
	memset(lx, 0, sizeof(*lx));
	lx->p = p;
	lx->end = p + n;
	lx->line = line;
	lx->a = a;
	lx->err = err;
	return rs_tmpl_lex_next(lx);
}

int rs_tmpl_tok_is(const struct rs_tk *t, const char *s)
{
	size_t n = strlen(s);

	return (t->kind == TK_OP || t->kind == TK_NAME) && t->len == n && !memcmp(t->p, s, n);
}

static int put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string literal starting at q (the quote), raw if r. */
static int lex_string(struct rs_tlex *lx, const char *q, int raw)
{
	char quote = *q;
	int triple = lx->end - q >= 3 && q[1] == quote && q[2] == quote;
	const char *p = q + (triple ? 3 : 1);
	char *o = rs_tmpl_alloc(lx->a, (size_t)(lx->end - p) + 1);
	size_t n = 0;

	if (!o)
		return -ENOMEM;
	for (;;) {
		if (p >= lx->end)
			return lex_err(lx, "unterminated string");
		if (*p == quote && (!triple || (lx->end - p >= 3 && p[1] == quote && p[2] == quote))) {
			p += triple ? 3 : 1;
			break;
		}
		if (*p == '\n') {
			if (!triple)
				return lex_err(lx, "unterminated string");
			lx->line++;
		}
		if (*p != '\\' || raw || p + 1 >= lx->end) {
			if (raw && *p == '\\' && p + 1 < lx->end) {
				o[n++] = *p++;	/* \' does not end a raw string */
			}
			o[n++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case '\'': case '"': case '\\': o[n++] = *p++; break;
		case 'n': o[n++] = '\n'; p++; break;
		case 't': o[n++] = '\t'; p++; break;
		case 'r': o[n++] = '\r'; p++; break;
		case 'b': o[n++] = '\b'; p++; break;
		case 'f': o[n++] = '\f'; p++; break;
		case 'v': o[n++] = '\v'; p++; break;
		case 'a': o[n++] = '\a'; p++; break;
		case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
			unsigned v = 0;
			for (int k = 0; k < 3 && p < lx->end && *p >= '0' && *p <= '7'; k++)
				v = v * 8 + (unsigned)(*p++ - '0');
			o[n++] = (char)v;
			break;
		}
		case 'x': case 'u': case 'U': {
			int digits = *p == 'x' ? 2 : *p == 'u' ? 4 : 8;
			unsigned v = 0;

			p++;
			for (int k = 0; k < digits; k++, p++) {
				if (p >= lx->end || rs_hex_digit(*p) < 0)
					return lex_err(lx, "truncated escape in string");
				v = v * 16 + (unsigned)rs_hex_digit(*p);
			}
			if (digits == 2) {
				o[n++] = (char)v;
			} else {
				if (v > 0x10ffff)
					return lex_err(lx, "invalid escape in string");
				/* 1..4 bytes out of at least 5 consumed */
				n += (size_t)put_utf8(o + n, v);
			}
			break;
		}
		case '\n':
			lx->line++;
			p++;
			break;
		default:
			/* unknown escape: Python keeps the backslash */
			o[n++] = '\\';
			o[n++] = *p++;
		}
	}
	lx->tok.kind = TK_STR;
	lx->tok.s = o;
	lx->tok.slen = n;
	o[n] = 0;
	lx->tok.len = (size_t)(p - lx->tok.p);
	lx->p = p;
	return 0;
}

static int lex_number(struct rs_tlex *lx)
{
	const char *p = lx->p, *s = p;
	char tmp[80];
	int isf = 0;

	if (lx->end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		uint64_t v = 0;

		p += 2;
		if (p >= lx->end || rs_hex_digit(*p) < 0)
			return lex_err(lx, "invalid number");
		for (; p < lx->end && (rs_hex_digit(*p) >= 0 || *p == '_'); p++) {
			if (*p == '_')
				continue;
			if (v >> 59)
				return lex_err(lx, "integer too large");
			v = v * 16 + (unsigned)rs_hex_digit(*p);
		}
		if (v > INT64_MAX)
			return lex_err(lx, "integer too large");
		lx->tok.kind = TK_INT;
		lx->tok.i = (int64_t)v;
		goto done;
	}
	while (p < lx->end && (isdigit((unsigned char)*p) || *p == '_'))
		p++;
	if (p < lx->end && *p == '.') {
		isf = 1;
		p++;
		while (p < lx->end && (isdigit((unsigned char)*p) || *p == '_'))
			p++;
	}
	if (p < lx->end && (*p == 'e' || *p == 'E')) {
		const char *q = p + 1;

		if (q < lx->end && (*q == '+' || *q == '-'))
			q++;
		if (q < lx->end && isdigit((unsigned char)*q)) {
			isf = 1;
			p = q;
			while (p < lx->end && isdigit((unsigned char)*p))
				p++;
		}
	}
	if (p < lx->end && (isalpha((unsigned char)*p) || *p == '_'))
		return lex_err(lx, "invalid number");
	size_t n = 0;
	for (const char *q = s; q < p; q++) {
		if (*q == '_')
			continue;
		if (n >= sizeof(tmp) - 1)
			return lex_err(lx, "number too long");
		tmp[n++] = *q;
	}
	tmp[n] = 0;
	errno = 0;
	if (isf) {
		lx->tok.kind = TK_FLOAT;
		lx->tok.f = strtod(tmp, NULL);
	} else {
		lx->tok.kind = TK_INT;
		lx->tok.i = strtoll(tmp, NULL, 10);
		if (errno == ERANGE)
			return lex_err(lx, "integer too large");
	}
done:
	lx->tok.len = (size_t)(p - s);
	lx->p = p;
	return 0;
}

int rs_tmpl_lex_next(struct rs_tlex *lx)
{
	static const char *ops2[] = { "==", "!=", "<=", ">=", "//", "**", "<>", "->",
				      ":=", "<<", ">>" };
	const char *p = lx->p;

	while (p < lx->end && (isspace((unsigned char)*p) || *p == '\\')) {
		if (*p == '\\' && !(p + 1 < lx->end && p[1] == '\n'))
			break;
		if (*p == '\n')
			lx->line++;
		p++;
	}
	lx->p = p;
	memset(&lx->tok, 0, sizeof(lx->tok));
	lx->tok.p = p;
	lx->tok.line = lx->line;
	if (p >= lx->end) {
		lx->tok.kind = TK_EOF;
		return 0;
	}
	unsigned char ch = (unsigned char)*p;
	if (isalpha(ch) || ch == '_' || ch >= 0x80) {
		const char *q = p;

		while (q < lx->end && (isalnum((unsigned char)*q) || *q == '_' ||
				       (unsigned char)*q >= 0x80))
			q++;
		size_t n = (size_t)(q - p);
		/* string prefixes */
		if (q < lx->end && (*q == '\'' || *q == '"') && n <= 2) {
			int raw = 0, bad = 0;

			for (size_t i = 0; i < n; i++) {
				char c = (char)tolower((unsigned char)p[i]);
				if (c == 'r')
					raw = 1;
				else if (c == 'f')
					return lex_err(lx, "f-strings are not supported");
				else if (c != 'u' && c != 'b')
					bad = 1;
			}
			if (!bad)
				return lex_string(lx, q, raw);
		}
		lx->tok.kind = TK_NAME;
		lx->tok.len = n;
		lx->p = q;
		return 0;
	}
	if (isdigit(ch) || (ch == '.' && p + 1 < lx->end && isdigit((unsigned char)p[1])))
		return lex_number(lx);
	if (ch == '\'' || ch == '"')
		return lex_string(lx, p, 0);
	lx->tok.kind = TK_OP;
	for (size_t i = 0; i < sizeof(ops2) / sizeof(ops2[0]); i++) {
		if (lx->end - p >= 2 && !memcmp(p, ops2[i], 2)) {
			lx->tok.len = 2;
			lx->p = p + 2;
			return 0;
		}
	}
	if (!strchr("+-*/%<>()[]{},:.=~&|^@;!", ch) || ch == 0)
		return lex_err(lx, "invalid character");
	lx->tok.len = 1;
	lx->p = p + 1;
	return 0;
}
