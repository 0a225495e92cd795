/*
 * datafile_schema.c - the SCHEMA block of a .datasource file:
 *
 *   `name` Type [`json:$.path`] [DEFAULT expr] [CODEC(codecs)], ...
 *
 * The block is read as one stream of characters over its (dedented) lines,
 * so a column may continue on the next line; every token keeps its file
 * line:col for messages. Types, DEFAULT expressions and CODECs are scanned
 * with a bracket stack and quotes ('...', "...", `...`), so commas inside
 * them do not end the column. A DEFAULT expression ends at a comma, at the
 * end of its line or at CODEC( -- all outside brackets and quotes.
 */
#include "datafile.h"
#include "datafile_int.h"

#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"

#define C_EOF (-1)
#define C_EOL '\n'
#define MAX_DEPTH 64

struct cur {
	const struct df_line *l;
	unsigned n, li;		/* lines, current line */
	size_t off;		/* offset in the current line */
};

static int ch(const struct cur *c)
{
	if (c->li >= c->n)
		return C_EOF;
	if (c->off >= c->l[c->li].len)
		return C_EOL;
	return (unsigned char)c->l[c->li].s[c->off];
}

/* The rest of the current line. */
static const char *rest(const struct cur *c, size_t *n)
{
	if (c->li >= c->n) {
		*n = 0;
		return "";
	}
	*n = c->l[c->li].len - c->off;
	return c->l[c->li].s + c->off;
}

static void adv(struct cur *c)
{
	if (c->li >= c->n)
		return;
	if (c->off >= c->l[c->li].len) {
		c->li++;
		c->off = 0;
	} else {
		c->off++;
	}
}

static void pos(const struct cur *c, unsigned *line, unsigned *col)
{
	if (c->li < c->n) {
		*line = c->l[c->li].line;
		*col = c->l[c->li].col + (unsigned)c->off;
	} else if (c->n) {
		*line = c->l[c->n - 1].line;
		*col = c->l[c->n - 1].col + (unsigned)c->l[c->n - 1].len;
	} else {
		*line = *col = 1;
	}
}

static int isws(int k)
{
	return k == ' ' || k == '\t' || k == '\r';
}

static int isident(int k)
{
	return (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') ||
	       (k >= '0' && k <= '9') || k == '_';
}

/* Skip blanks on this line, or (lines) also line ends and '#' comment lines. */
static void skip_ws(struct cur *c, int lines)
{
	for (;;) {
		int k = ch(c);

		if (isws(k)) {
			adv(c);
		} else if (k == C_EOL && lines) {
			adv(c);
		} else if (k == '#' && lines) {
			const char *s = c->l[c->li].s;
			size_t i = 0;

			while (i < c->off && isws((unsigned char)s[i]))
				i++;
			if (i < c->off)
				return;
			c->li++;
			c->off = 0;
		} else {
			return;
		}
	}
}

/* Does the current line continue with word w (case-insensitive) followed by
 * a non-identifier byte? */
static int at_word(const struct cur *c, const char *w)
{
	size_t n, wl = strlen(w);
	const char *s = rest(c, &n);

	if (n < wl || !df_strcaseeq(s, wl, w))
		return 0;
	return n == wl || !isident((unsigned char)s[wl]);
}

/* CODEC followed by optional blanks and '(' */
static int at_codec(const struct cur *c)
{
	size_t n, i = 5;
	const char *s = rest(c, &n);

	if (!at_word(c, "CODEC"))
		return 0;
	if (c->off && isident((unsigned char)c->l[c->li].s[c->off - 1]))
		return 0;
	while (i < n && isws((unsigned char)s[i]))
		i++;
	return i < n && s[i] == '(';
}

static int at_json(const struct cur *c)
{
	size_t n;
	const char *s = rest(c, &n);

	if (n && s[0] == '`') {
		s++;
		n--;
	}
	return n >= 5 && !memcmp(s, "json:", 5);
}

static int at_modifier(const struct cur *c)
{
	return at_json(c) || at_word(c, "DEFAULT") || at_codec(c);
}

/* The word at the cursor for "unexpected '...'" messages. */
static const char *word(const struct cur *c, char *buf, size_t cap)
{
	size_t n, i = 0;
	const char *s = rest(c, &n);

	while (i < n && !isws((unsigned char)s[i]) && (s[i] != ',' || !i))
		i++;
	return df_show(s, i, buf, cap);
}

static int nomem_buf(struct rs_buf *b, struct rs_err *err)
{
	rs_buf_release(b);
	return df_nomem(err);
}

/*
 * Scan an expression into b. group: the cursor is on an opening bracket and
 * the scan ends after its match. Otherwise (DEFAULT) it ends before a ',',
 * a line end or CODEC( outside brackets. Line ends inside brackets become a
 * space. Returns 0, -EINVAL (bad brackets, open quote) or -ENOMEM.
 */
static int scan(struct cur *c, struct rs_buf *b, int group, const char *name,
		struct rs_err *err)
{
	char stack[MAX_DEPTH];
	unsigned depth = 0, ol = 0, oc = 0;
	char shown[8];

	for (;;) {
		int k = ch(c);
		unsigned l, cl;

		pos(c, &l, &cl);
		if (k == C_EOF) {
			if (!depth)
				return 0;
			return df_err(err, ol, oc, "column '%s': missing '%c'", name,
				      stack[depth - 1]);
		}
		if (k == C_EOL) {
			if (!depth)
				return 0;
			if (rs_buf_addc(b, ' '))
				return df_nomem(err);
			adv(c);
			continue;
		}
		if (!depth && !group && (k == ',' || at_codec(c)))
			return 0;
		if (k == '\'' || k == '"' || k == '`') {
			size_t n, i = 1;
			const char *s = rest(c, &n);

			while (i < n && s[i] != k)
				i += s[i] == '\\' ? 2 : 1;
			if (i >= n)
				return df_err(err, l, cl, "column '%s': unterminated quote",
					      name);
			if (rs_buf_add(b, s, i + 1))
				return df_nomem(err);
			c->off += i + 1;
			continue;
		}
		if (k == '(' || k == '[' || k == '{') {
			if (depth == MAX_DEPTH)
				return df_err(err, l, cl, "column '%s': brackets nested too deep",
					      name);
			if (!depth) {
				ol = l;
				oc = cl;
			}
			stack[depth++] = k == '(' ? ')' : k == '[' ? ']' : '}';
		} else if (k == ')' || k == ']' || k == '}') {
			if (!depth || stack[depth - 1] != k) {
				char kc = (char)k;

				return df_err(err, l, cl, "column '%s': unexpected '%s'", name,
					      df_show(&kc, 1, shown, sizeof(shown)));
			}
			depth--;
		}
		if (rs_buf_addc(b, (char)k))
			return df_nomem(err);
		adv(c);
		if (group && !depth)
			return 0;
	}
}

static void trim_buf(struct rs_buf *b)
{
	while (b->len && isws((unsigned char)b->data[b->len - 1]))
		b->data[--b->len] = '\0';
}

/* Refuse "DateTime64" without "(precision)" anywhere in the type text. */
static int check_dt64(const char *t, unsigned line, unsigned col, const char *name,
		      struct rs_err *err)
{
	char q = 0;

	for (size_t i = 0; t[i]; i++) {
		size_t j;

		if (q) {
			if (t[i] == '\\' && t[i + 1])
				i++;
			else if (t[i] == q)
				q = 0;
			continue;
		}
		if (t[i] == '\'' || t[i] == '"' || t[i] == '`') {
			q = t[i];
			continue;
		}
		if (strncmp(t + i, "DateTime64", 10) || (i && isident((unsigned char)t[i - 1])) ||
		    isident((unsigned char)t[i + 10]))
			continue;
		for (j = i + 10; isws((unsigned char)t[j]); j++)
			;
		if (t[j] != '(')
			return df_err(err, line, col + (unsigned)i,
				      "column '%s': DateTime64 needs a precision, e.g. DateTime64(3)",
				      name);
	}
	return 0;
}

static int parse_type(struct cur *c, struct rs_ds_column *col, const char *name,
		      struct rs_err *err)
{
	struct rs_buf b = RS_BUF_INIT;
	struct rs_err terr = { 0 };
	unsigned tl, tc;
	char shown[80];
	size_t n, i = 0;
	const char *s;
	int rc, k;

	pos(c, &tl, &tc);
	k = ch(c);
	if (k == ',' || k == C_EOL || k == C_EOF)
		return df_err(err, tl, tc, "column '%s' needs a type", name);
	s = rest(c, &n);
	while (i < n && isident((unsigned char)s[i]))
		i++;
	if (!i)
		return df_err(err, tl, tc, "column '%s': invalid type '%s'", name,
			      word(c, shown, sizeof(shown)));
	while (i < n && isws((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '(') {
		if (rs_buf_add(&b, s, i))
			return nomem_buf(&b, err);
		c->off += i;
		if ((rc = scan(c, &b, 1, name, err))) {
			rs_buf_release(&b);
			return rc;
		}
	} else {
		while (isws((unsigned char)s[i - 1]))
			i--;
		if (rs_buf_add(&b, s, i))
			return nomem_buf(&b, err);
		c->off += i;
	}
	col->type_text = rs_buf_detach(&b, NULL);
	if ((rc = check_dt64(col->type_text, tl, tc, name, err)))
		return rc;
	rc = rs_type_parse(col->type_text, &col->type, &terr);
	if (rc == -ENOMEM)
		return df_nomem(err);
	if (rc || !col->type)
		return df_err(err, tl, tc, "column '%s': %s", name,
			      terr.msg[0] ? terr.msg : "invalid type");
	return 0;
}

static int parse_json(struct cur *c, struct rs_ds_column *col, const char *name,
		      struct rs_err *err)
{
	unsigned l, cl;
	size_t n, i, st, en;
	const char *s;
	char shown[80];

	pos(c, &l, &cl);
	s = rest(c, &n);
	if (col->jsonpath)
		return df_err(err, l, cl, "column '%s': duplicated jsonpath", name);
	if (s[0] == '`') {
		for (i = 1; i < n && s[i] != '`'; i++)
			;
		if (i >= n)
			return df_err(err, l, cl, "column '%s': unterminated quote", name);
		st = 6;
		en = i;
		c->off += i + 1;
	} else {
		for (i = 0; i < n && !isws((unsigned char)s[i]) && s[i] != ','; i++)
			;
		st = 5;
		en = i;
		c->off += i;
	}
	while (st < en && isws((unsigned char)s[st]))
		st++;
	while (en > st && isws((unsigned char)s[en - 1]))
		en--;
	if (st == en || s[st] != '$')
		return df_err(err, l, cl, "column '%s': invalid jsonpath '%s'", name,
			      df_show(s + st, en - st, shown, sizeof(shown)));
	if (!(col->jsonpath = df_strndup(s + st, en - st)))
		return df_nomem(err);
	return 0;
}

/* DEFAULT expr, or CODEC(...) (codec = 1). */
static int parse_expr(struct cur *c, struct rs_ds_column *col, int codec,
		      const char *name, struct rs_err *err)
{
	struct rs_buf b = RS_BUF_INIT;
	const char *kw = codec ? "CODEC" : "DEFAULT";
	char **dst = codec ? &col->codec : &col->default_expr;
	unsigned l, cl;
	int rc;

	pos(c, &l, &cl);
	if (*dst)
		return df_err(err, l, cl, "column '%s': duplicated %s", name, kw);
	c->off += strlen(kw);
	skip_ws(c, 0);
	if ((rc = scan(c, &b, codec, name, err))) {
		rs_buf_release(&b);
		return rc;
	}
	trim_buf(&b);
	if (codec) {	/* keep what is inside the parentheses */
		size_t st = 1, en = b.len - 1;

		while (st < en && isws((unsigned char)b.data[st]))
			st++;
		while (en > st && isws((unsigned char)b.data[en - 1]))
			en--;
		memmove(b.data, b.data + st, en - st);
		b.len = en - st;
		b.data[b.len] = '\0';
	}
	if (!b.len) {
		rs_buf_release(&b);
		return df_err(err, l, cl, "column '%s': %s needs %s", name, kw,
			      codec ? "a codec" : "an expression");
	}
	*dst = rs_buf_detach(&b, NULL);
	return 0;
}

static int parse_name(struct cur *c, struct rs_ds_column *col, struct rs_err *err)
{
	unsigned l, cl;
	size_t n, i, st, en;
	const char *s;
	char shown[80];

	pos(c, &l, &cl);
	col->line = l;
	s = rest(c, &n);
	if (n && (s[0] == '`' || s[0] == '"')) {
		for (i = 1; i < n && s[i] != s[0]; i++)
			;
		if (i >= n)
			return df_err(err, l, cl, "unterminated column name");
		st = 1;
		en = i;
		c->off += i + 1;
	} else {
		for (i = 0; i < n && !isws((unsigned char)s[i]) && !strchr(",`()", s[i]); i++)
			;
		if (!i)
			return df_err(err, l, cl, "unexpected '%s'",
				      n ? df_show(s, 1, shown, sizeof(shown)) : "end of line");
		st = 0;
		en = i;
		c->off += i;
	}
	if (!df_is_ident(s + st, en - st, 1))
		return df_err(err, l, cl, "invalid column name '%s'",
			      df_show(s + st, en - st, shown, sizeof(shown)));
	if (df_strcaseeq(s + st, en - st, "index"))
		return df_err(err, l, cl, "column name '%.*s' is reserved",
			      (int)(en - st), s + st);
	if (!(col->name = df_strndup(s + st, en - st)))
		return df_nomem(err);
	return 0;
}

static int parse_column(struct cur *c, struct rs_ds_column *col,
			struct df_names *names, struct rs_err *err)
{
	unsigned nl, nc, el = 0, ec = 0;
	char shown[80];
	int rc, k;

	pos(c, &nl, &nc);
	if ((rc = parse_name(c, col, err)))
		return rc;
	if ((rc = df_names_add(names, col->name)) < 0)
		return df_nomem(err);
	if (!rc)
		return df_err(err, nl, nc, "duplicated column '%s'", col->name);
	skip_ws(c, 0);
	if ((rc = parse_type(c, col, col->name, err)))
		return rc;
	for (;;) {
		pos(c, &el, &ec);	/* where a missing ',' belongs */
		skip_ws(c, 0);
		k = ch(c);
		if (k == ',' || k == C_EOF)
			return 0;
		if (k == C_EOL) {
			skip_ws(c, 1);
			k = ch(c);
			if (k == ',' || k == C_EOF)
				return 0;
			if (!at_modifier(c))
				return df_err(err, el, ec, "missing ',' after column '%s'",
					      col->name);
		}
		if (at_json(c))
			rc = parse_json(c, col, col->name, err);
		else if (at_word(c, "DEFAULT"))
			rc = parse_expr(c, col, 0, col->name, err);
		else if (at_codec(c))
			rc = parse_expr(c, col, 1, col->name, err);
		else {
			unsigned l, cl;

			pos(c, &l, &cl);
			return df_err(err, l, cl, "column '%s': unexpected '%s'", col->name,
				      word(c, shown, sizeof(shown)));
		}
		if (rc)
			return rc;
	}
}

int df_schema_parse(const struct df_file *f, const struct df_entry *e,
		    struct rs_ds_column **cols, unsigned *ncols, struct rs_err *err)
{
	struct cur c = { f->l + e->v0, e->nv, 0, 0 };
	struct df_names names = { 0 };
	unsigned cap = 0;
	int rc = 0;

	skip_ws(&c, 1);
	while (ch(&c) != C_EOF) {
		struct rs_ds_column *col;

		if (df_grow(cols, &cap, *ncols + 1, sizeof(**cols))) {
			rc = df_nomem(err);
			break;
		}
		col = &(*cols)[(*ncols)++];
		memset(col, 0, sizeof(*col));
		if ((rc = parse_column(&c, col, &names, err)))
			break;
		if (ch(&c) == ',')
			adv(&c);
		skip_ws(&c, 1);
	}
	df_names_release(&names);
	if (!rc && !*ncols)
		rc = df_err(err, e->line, e->col, "SCHEMA has no columns");
	return rc;
}

void df_column_release(struct rs_ds_column *c)
{
	free(c->name);
	rs_type_free(c->type);
	free(c->type_text);
	free(c->jsonpath);
	free(c->default_expr);
	free(c->codec);
	memset(c, 0, sizeof(*c));
}
