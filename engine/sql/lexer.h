/*
 * lexer.h - tokens of the SQL text, with 1-based line/column positions.
 */
#ifndef RS_SQL_LEXER_H
#define RS_SQL_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct rs_err;

enum rs_tok_kind {
	RS_TK_EOF,
	RS_TK_IDENT,	/* bare word (keywords too) */
	RS_TK_QIDENT,	/* `quoted` or "quoted" identifier (val = name) */
	RS_TK_NUMBER,	/* 123, 1.5, 1e3, 0x1F */
	RS_TK_STRING,	/* 'text' (val = decoded) */
	RS_TK_OP,	/* punctuation and operators, text in s/len */
};

struct rs_tok {
	enum rs_tok_kind kind;
	const char *s;		/* source text */
	size_t len;
	unsigned line, col;
	char *val;		/* decoded string/identifier (arena), NUL-terminated */
	size_t vlen;
};

struct rs_lexer {
	const char *text, *p;
	unsigned line;
	const char *line_start;
	struct rs_arena *a;
};

void rs_lex_init(struct rs_lexer *lx, const char *text, struct rs_arena *a);
/* Next token into *t: 0, or -EINVAL ("unterminated string literal" ...). */
int rs_lex_next(struct rs_lexer *lx, struct rs_tok *t, struct rs_err *err);

#endif
