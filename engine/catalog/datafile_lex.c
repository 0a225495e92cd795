/*
 * datafile_lex.c - the line/keyword/block lexer shared by .datasource and
 * .pipe files, and small value helpers (quotes, words, tokens, name sets).
 *
 * Lines end with "\n" or "\r\n"; a UTF-8 BOM is skipped. At top level a
 * blank line or a line starting with '#' is ignored; any other line must
 * start at column 1 with a keyword. "KEY >" opens a block: the following
 * lines that start with a space or a tab belong to it, as do blank lines
 * between them (blank lines at either end are dropped). The block ends at
 * the next non-blank line that starts at column 1, except that such a line
 * starting with '#' is a comment and does not end it. Block lines are
 * dedented by their common leading whitespace (as Python's textwrap.dedent).
 */
#include "datafile.h"
#include "datafile_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

static int isws(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isws((unsigned char)s[i]))
			return 0;
	return 1;
}

static int upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* ---------------------------------------------------------------- errors */

int df_err(struct rs_err *err, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rs_errf_at(err, -EINVAL, line, col, "%u:%u: %s", line, col, msg);
}

int df_err_keyword(struct rs_err *err, const struct df_entry *e, const char *kind)
{
	return df_err(err, e->line, e->col, "%s is not a valid option in %s files",
		      e->kw, kind);
}

int df_nomem(struct rs_err *err)
{
	return rs_errf(err, -ENOMEM, "out of memory parsing a datafile");
}

const char *df_show(const char *s, size_t n, char *buf, size_t cap)
{
	size_t i, max = cap > 4 ? cap - 4 : 0;

	for (i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < n && cap >= 4) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	if (cap)
		buf[i < cap ? i : cap - 1] = '\0';
	return buf;
}

/* ------------------------------------------------------------ allocation */

char *df_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int df_grow(void *pp, unsigned *cap, unsigned need, size_t sz)
{
	void *p;
	unsigned ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > UINT32_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if ((size_t)ncap > SIZE_MAX / sz)
		return -ENOMEM;
	memcpy(&p, pp, sizeof(p));
	p = realloc(p, (size_t)ncap * sz);
	if (!p)
		return -ENOMEM;
	memcpy(pp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

/* ----------------------------------------------------------------- lexer */

static int add_line(struct df_file *f, const char *s, size_t len, unsigned line,
		    unsigned col)
{
	if (df_grow(&f->l, &f->lcap, f->nl + 1, sizeof(*f->l)))
		return -ENOMEM;
	f->l[f->nl++] = (struct df_line){ s, len, line, col };
	return 0;
}

/* Trim the block's blank lines at both ends and dedent the rest. */
static void finish_block(struct df_file *f, struct df_entry *e)
{
	struct df_line *l = f->l + e->v0;
	unsigned n = f->nl - e->v0, k = 0, i;
	const char *ref = NULL;
	size_t ind = 0;

	while (n && l[n - 1].len == 0)
		n--;
	while (k < n && l[k].len == 0)
		k++;
	if (k)
		memmove(l, l + k, (n - k) * sizeof(*l));
	n -= k;
	for (i = 0; i < n; i++) {
		size_t w = 0, j = 0;

		if (!l[i].len)
			continue;
		while (w < l[i].len && isws((unsigned char)l[i].s[w]))
			w++;
		if (!ref) {
			ref = l[i].s;
			ind = w;
			continue;
		}
		while (j < ind && j < w && l[i].s[j] == ref[j])
			j++;
		ind = j;
	}
	for (i = 0; i < n; i++) {
		if (!l[i].len)
			continue;
		l[i].s += ind;
		l[i].len -= ind;
		l[i].col += (unsigned)ind;
		while (l[i].len && isws((unsigned char)l[i].s[l[i].len - 1]))
			l[i].len--;
	}
	e->nv = n;
	e->indent = (unsigned)ind;
	f->nl = e->v0 + n;
}

/* A non-indented, non-comment line: keyword plus inline value or '>'. */
static int keyword_line(struct df_file *f, const char *s, size_t len,
			unsigned lineno, struct rs_err *err)
{
	struct df_entry *e;
	size_t k = 0, p, alen, i;

	while (k < len && !isws((unsigned char)s[k]))
		k++;
	p = k;
	while (p < len && isws((unsigned char)s[p]))
		p++;
	alen = len - p;
	while (alen && isws((unsigned char)s[p + alen - 1]))
		alen--;
	if (df_grow(&f->e, &f->cap, f->n + 1, sizeof(*f->e)))
		return df_nomem(err);
	e = &f->e[f->n++];
	memset(e, 0, sizeof(*e));
	e->line = lineno;
	e->col = 1;
	for (i = 0; i < k && i < DF_KW_MAX - 4; i++) {
		unsigned char c = (unsigned char)s[i];
		e->kw[i] = c >= 0x20 && c < 0x7f ? (char)upper(c) : '?';
	}
	if (i < k)
		memcpy(e->kw + i, "...", 4);
	e->v0 = f->nl;
	if (alen && s[p] == '>' && (alen == 1 || isws((unsigned char)s[p + 1]))) {
		if (alen > 1) {
			size_t q = p + 1;

			while (isws((unsigned char)s[q]))
				q++;
			return df_err(err, lineno, (unsigned)q + 1,
				      "unexpected text after '>'");
		}
		e->block = 1;
		return 0;
	}
	if (alen) {
		if (add_line(f, s + p, alen, lineno, (unsigned)p + 1))
			return df_nomem(err);
		e->nv = 1;
	}
	return 0;
}

int df_lex(const char *text, size_t len, struct df_file *f, struct rs_err *err)
{
	struct df_entry *blk = NULL;	/* open block */
	size_t pos = 0;
	unsigned lineno = 0;
	const char *nul;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (len > RS_DATAFILE_MAX_BYTES)
		return rs_errf(err, -EFBIG, "datafile is larger than %u bytes",
			       (unsigned)RS_DATAFILE_MAX_BYTES);
	if (!text)
		len = 0;
	if ((nul = len ? memchr(text, '\0', len) : NULL)) {
		const char *ls = text;
		unsigned ln = 1;

		for (const char *q = text; q < nul; q++)
			if (*q == '\n') {
				ln++;
				ls = q + 1;
			}
		return df_err(err, ln, (unsigned)(nul - ls) + 1, "unexpected NUL byte");
	}
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *s = text + pos, *eol = memchr(s, '\n', len - pos);
		size_t n = eol ? (size_t)(eol - s) : len - pos;

		pos += n + (eol != NULL);
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		if (blk) {
			if (blank(s, n)) {
				if ((rc = add_line(f, s, 0, lineno, 1)))
					goto nomem;
				continue;
			}
			if (s[0] == ' ' || s[0] == '\t') {
				if ((rc = add_line(f, s, n, lineno, 1)))
					goto nomem;
				continue;
			}
			if (s[0] == '#')
				continue;
			finish_block(f, blk);
			blk = NULL;
		}
		if (blank(s, n))
			continue;
		if (isws((unsigned char)s[0])) {
			size_t i = 0;

			while (isws((unsigned char)s[i]))
				i++;
			if (s[i] == '#')
				continue;
			rc = df_err(err, lineno, (unsigned)i + 1, "unexpected indented line");
			goto fail;
		}
		if (s[0] == '#')
			continue;
		if ((rc = keyword_line(f, s, n, lineno, err)))
			goto fail;
		if (f->e[f->n - 1].block)
			blk = &f->e[f->n - 1];
	}
	if (blk)
		finish_block(f, blk);
	return 0;
nomem:
	rc = df_nomem(err);
fail:
	df_release(f);
	return rc;
}

void df_release(struct df_file *f)
{
	if (!f)
		return;
	free(f->e);
	free(f->l);
	memset(f, 0, sizeof(*f));
}

/* ---------------------------------------------------------------- values */

/* If s[0..n) is one quoted string, write its content to dst (may be NULL)
 * and return its length; else return SIZE_MAX. */
static size_t unquote(const char *s, size_t n, char *dst)
{
	char q;
	size_t i, o = 0;

	if (n < 2 || (s[0] != '"' && s[0] != '\''))
		return SIZE_MAX;
	q = s[0];
	for (i = 1; i < n && s[i] != q; i++)
		if (s[i] == '\\' && i + 1 < n)
			i++;
	if (i != n - 1)
		return SIZE_MAX;
	for (i = 1; i < n - 1; i++) {
		if (s[i] == '\\' && (s[i + 1] == q || s[i + 1] == '\\'))
			i++;
		if (dst)
			dst[o] = s[i];
		o++;
	}
	return o;
}

void df_value_pos(const struct df_file *f, const struct df_entry *e,
		  unsigned *line, unsigned *col)
{
	if (e->nv) {
		*line = f->l[e->v0].line;
		*col = f->l[e->v0].col;
	} else {
		*line = e->line;
		*col = e->col;
	}
}

int df_value(const struct df_file *f, const struct df_entry *e, int unquote_it,
	     char **out, struct rs_err *err)
{
	const struct df_line *l = f->l + e->v0;
	size_t total = 0, o = 0, uq;
	char *p;

	*out = NULL;
	if (!e->nv)
		return df_err(err, e->line, e->col, "%s needs a value", e->kw);
	if (unquote_it && e->nv == 1 &&
	    (uq = unquote(l[0].s, l[0].len, NULL)) != SIZE_MAX) {
		if (!(p = malloc(uq + 1)))
			return df_nomem(err);
		unquote(l[0].s, l[0].len, p);
		p[uq] = '\0';
		*out = p;
		return 0;
	}
	for (unsigned i = 0; i < e->nv; i++)
		total += l[i].len + 1;
	if (!(p = malloc(total)))
		return df_nomem(err);
	for (unsigned i = 0; i < e->nv; i++) {
		if (i)
			p[o++] = '\n';
		memcpy(p + o, l[i].s, l[i].len);
		o += l[i].len;
	}
	p[o] = '\0';
	*out = p;
	return 0;
}

int df_words(const struct df_line *l, struct df_word *w, unsigned max,
	     struct rs_err *err)
{
	size_t i = 0;
	int n = 0;

	for (;;) {
		size_t st;
		struct df_word cur;

		while (i < l->len && isws((unsigned char)l->s[i]))
			i++;
		if (i >= l->len)
			return n;
		st = i;
		cur.col = l->col + (unsigned)i;
		if (l->s[i] == '"' || l->s[i] == '\'') {
			char q = l->s[i++];

			while (i < l->len && l->s[i] != q)
				i++;
			if (i >= l->len)
				return df_err(err, l->line, cur.col, "unterminated quote");
			cur.s = l->s + st + 1;
			cur.len = i - st - 1;
			i++;
		} else {
			while (i < l->len && !isws((unsigned char)l->s[i]))
				i++;
			cur.s = l->s + st;
			cur.len = i - st;
		}
		if ((unsigned)n < max)
			w[n] = cur;
		n++;
	}
}

int df_is_ident(const char *s, size_t n, int dots)
{
	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
		    s[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (dots && c == '.')))
			return 0;
	}
	return 1;
}

int df_strcaseeq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (!b[i] || upper((unsigned char)a[i]) != upper((unsigned char)b[i]))
			return 0;
	return b[i] == '\0';
}

int df_token(const struct df_file *f, const struct df_entry *e,
	     const char *const *scopes, const char *def_scope, char **out,
	     struct rs_err *err)
{
	struct df_word w[3];
	char shown[80], *p;
	const char *scope = def_scope;
	int n, i;

	*out = NULL;
	if (!e->nv || e->block)
		return df_err(err, e->line, e->col, "TOKEN needs a name and a scope");
	if ((n = df_words(&f->l[e->v0], w, 3, err)) < 0)
		return n;
	if (n > 2)
		return df_err(err, f->l[e->v0].line, w[2].col,
			      "unexpected '%s' in TOKEN",
			      df_show(w[2].s, w[2].len, shown, sizeof(shown)));
	if (!w[0].len)
		return df_err(err, f->l[e->v0].line, w[0].col, "empty TOKEN name");
	if (n == 2) {
		scope = NULL;
		for (i = 0; scopes[i]; i++)
			if (df_strcaseeq(w[1].s, w[1].len, scopes[i]))
				scope = scopes[i];
		if (!scope)
			return df_err(err, f->l[e->v0].line, w[1].col,
				      "invalid TOKEN scope '%s'",
				      df_show(w[1].s, w[1].len, shown, sizeof(shown)));
	}
	if (!scope)
		return df_err(err, e->line, e->col, "TOKEN needs a name and a scope");
	if (!(p = malloc(w[0].len + strlen(scope) + 2)))
		return df_nomem(err);
	memcpy(p, w[0].s, w[0].len);
	p[w[0].len] = ' ';
	strcpy(p + w[0].len + 1, scope);
	*out = p;
	return 0;
}

int df_is_engine_key(const char *kw)
{
	static const char *const keys[] = {
		"ENGINE", "ENGINE_SORTING_KEY", "ENGINE_PARTITION_KEY",
		"ENGINE_PRIMARY_KEY", "ENGINE_SAMPLING_KEY", "ENGINE_TTL",
		"ENGINE_SETTINGS", "ENGINE_VER", "ENGINE_IS_DELETED",
		"ENGINE_SIGN", "ENGINE_VERSION", "ENGINE_SUMMING_COLUMNS",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(kw, keys[i]))
			return 1;
	return 0;
}

/* ------------------------------------------------------------- name sets */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int df_names_add(struct df_names *s, const char *name)
{
	unsigned i;

	if ((s->n + 1) * 2 > s->cap) {
		unsigned ncap = s->cap ? s->cap * 2 : 16;
		const char **nv;

		if (ncap < s->cap || !(nv = calloc(ncap, sizeof(*nv))))
			return -ENOMEM;
		for (unsigned j = 0; j < s->cap; j++) {
			if (!s->v[j])
				continue;
			i = hash(s->v[j]) & (ncap - 1);
			while (nv[i])
				i = (i + 1) & (ncap - 1);
			nv[i] = s->v[j];
		}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	i = hash(name) & (s->cap - 1);
	while (s->v[i]) {
		if (!strcmp(s->v[i], name))
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->v[i] = name;
	s->n++;
	return 1;
}

void df_names_release(struct df_names *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* -------------------------------------------------------------- kv lists */

int df_kv_add(struct rs_kv **kv, unsigned *n, const char *key, char *value,
	      unsigned line, struct rs_err *err)
{
	unsigned cap = 0;
	char *k;

	while (cap < *n)	/* the capacity df_grow gave the array */
		cap = cap ? cap * 2 : 8;

	if (df_grow(kv, &cap, *n + 1, sizeof(**kv)) || !(k = df_strndup(key, strlen(key)))) {
		free(value);
		return df_nomem(err);
	}
	(*kv)[*n] = (struct rs_kv){ k, value, line };
	(*n)++;
	return 0;
}

void df_kv_free(struct rs_kv *kv, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}
