/*
 * json.c - NDJSON line splitter, strict JSON parser and node API (json.h).
 *
 * The parser writes a flat tape: one token per value, in document order
 * (pre-order), so the first child of a non-empty container is the token
 * right after it and siblings are linked by 'next'. Object members carry the
 * offsets of their key. Nothing is copied: tokens hold offsets into the
 * caller's text, which must stay valid while the doc is used. The tape and
 * the container stack live in the doc and are reused, so a warm doc parses a
 * line without allocating.
 *
 * The parser is iterative (an explicit stack of at most RS_JSON_DEPTH_MAX
 * open containers), so '[[[[...' cannot blow the C stack. It is strict per
 * RFC 8259: no trailing commas, no leading zeros, no control characters or
 * invalid UTF-8 in strings, escapes checked (a \u escape of a lone UTF-16
 * surrogate is refused, since it has no UTF-8 form). String bodies are
 * scanned 16 bytes at a time with SSE2.
 *
 * jsonpaths are in jsonpath.c.
 */
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "csv.h"	/* rs_utf8_valid */

/* ---- line splitter ---- */

struct rs_lines {
	size_t max_row;
	rs_line_fn fn;
	void *ctx;
	uint64_t line;		/* number of the next line */
	struct rs_buf carry;	/* a partial line from earlier chunks */
	int dead;		/* sticky error code */
	int finished;
	char deadmsg[sizeof(((struct rs_err *)0)->msg)];
};

struct rs_lines *rs_lines_new(size_t max_row, rs_line_fn fn, void *ctx)
{
	struct rs_lines *l = xcalloc(1, sizeof(*l));

	l->max_row = max_row;
	l->fn = fn;
	l->ctx = ctx;
	l->line = 1;
	return l;
}

static int line_too_big(struct rs_lines *l, struct rs_err *err)
{
	return rs_errf_at(err, -EFBIG, (unsigned)l->line, 0,
			  "row larger than max_row (%zu bytes) at line %llu",
			  l->max_row, (unsigned long long)l->line);
}

/* A complete line without its \n. Blank lines are counted, not delivered. */
static int line_out(struct rs_lines *l, const char *p, size_t len)
{
	uint64_t no = l->line++;
	size_t i;

	if (len && p[len - 1] == '\r')
		len--;
	if (!len)
		return 0;
	if (p[0] == ' ' || p[0] == '\t' || p[0] == '\r') {
		for (i = 0; i < len; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
				break;
		if (i == len)
			return 0;
	}
	return l->fn(l->ctx, p, len, no);
}

static int lines_feed(struct rs_lines *l, const char *p, size_t len, struct rs_err *err)
{
	const char *end = p + len, *e;
	size_t n;
	int rc;

	if (l->carry.len) {
		e = memchr(p, '\n', len);
		n = e ? (size_t)(e - p) : len;
		if (l->max_row && l->carry.len + n > l->max_row)
			return line_too_big(l, err);
		if (rs_buf_add(&l->carry, p, n))
			return rs_errf(err, -ENOMEM, "no memory for a %zu-byte line",
				       l->carry.len + n);
		if (!e)
			return 0;
		rc = line_out(l, l->carry.data, l->carry.len);
		rs_buf_reset(&l->carry);
		if (rc)
			return rc;
		p = e + 1;
	}
	while (p < end) {
		e = memchr(p, '\n', (size_t)(end - p));
		n = e ? (size_t)(e - p) : (size_t)(end - p);
		if (l->max_row && n > l->max_row)
			return line_too_big(l, err);
		if (!e) {
			if (rs_buf_add(&l->carry, p, n))
				return rs_errf(err, -ENOMEM, "no memory for a %zu-byte line", n);
			return 0;
		}
		if ((rc = line_out(l, p, n)))
			return rc;
		p = e + 1;
	}
	return 0;
}

static int lines_fail(struct rs_lines *l, int rc, struct rs_err *err)
{
	l->dead = rc;
	if (err && err->code == rc)
		snprintf(l->deadmsg, sizeof(l->deadmsg), "%s", err->msg);
	else
		snprintf(l->deadmsg, sizeof(l->deadmsg),
			 "input stopped by an earlier error");
	return rc;
}

int rs_lines_feed(struct rs_lines *l, const char *data, size_t len, struct rs_err *err)
{
	int rc;

	if (l->dead)
		return rs_errf(err, l->dead, "%s", l->deadmsg);
	if (l->finished)
		return rs_errf(err, -EINVAL, "data after the end of input");
	rc = len ? lines_feed(l, data, len, err) : 0;
	return rc ? lines_fail(l, rc, err) : 0;
}

int rs_lines_finish(struct rs_lines *l, struct rs_err *err)
{
	int rc = 0;

	if (l->dead)
		return rs_errf(err, l->dead, "%s", l->deadmsg);
	if (l->finished)
		return 0;
	l->finished = 1;
	if (l->carry.len) {
		rc = line_out(l, l->carry.data, l->carry.len);
		rs_buf_reset(&l->carry);
	}
	return rc ? lines_fail(l, rc, err) : 0;
}

void rs_lines_free(struct rs_lines *l)
{
	if (!l)
		return;
	rs_buf_release(&l->carry);
	free(l);
}

/* ---- the tape ---- */

struct tok {
	uint32_t off, len;	/* raw text: src[off, off + len) */
	uint32_t koff, klen;	/* member key, without its quotes */
	int32_t next;		/* next sibling, or -1 */
	uint32_t nchild;
	uint8_t kind;		/* enum rs_json_kind */
	uint8_t esc;		/* a string with backslash escapes */
	uint8_t haskey;		/* an object member */
	uint8_t kesc;		/* its key has escapes */
};

struct rs_json_doc {
	const char *src;
	struct tok *tape;
	uint32_t ntok, cap;
	int32_t cont[RS_JSON_DEPTH_MAX];	/* open containers */
	int32_t last[RS_JSON_DEPTH_MAX];	/* their last child, or -1 */
};

struct rs_json_doc *rs_json_doc_new(void)
{
	return xcalloc(1, sizeof(struct rs_json_doc));
}

void rs_json_doc_free(struct rs_json_doc *d)
{
	if (!d)
		return;
	free(d->tape);
	free(d);
}

static int grow(struct rs_json_doc *d, struct rs_err *err)
{
	uint32_t ncap = d->cap ? d->cap * 2 : 64;
	struct tok *t;

	if (d->cap > UINT32_MAX / 4)
		return rs_errf(err, -E2BIG, "too many JSON values");
	t = realloc(d->tape, (size_t)ncap * sizeof(*t));
	if (!t)
		return rs_errf(err, -ENOMEM, "no memory for %u JSON values", ncap);
	d->tape = t;
	d->cap = ncap;
	return 0;
}

/* ---- the parser ---- */

static int malformed(struct rs_err *err, const char *src, const unsigned char *at,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int malformed(struct rs_err *err, const char *src, const unsigned char *at,
		     const char *fmt, ...)
{
	size_t col = (size_t)(at - (const unsigned char *)src) + 1;
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return rs_errf_at(err, -EINVAL, 0, (unsigned)col,
			  "malformed JSON at column %zu: %s", col, why);
}

static int unexpected(struct rs_err *err, const char *src, const unsigned char *p,
		      const unsigned char *end, const char *where)
{
	if (p == end)
		return malformed(err, src, p, "unexpected end of input");
	if (*p >= 0x20 && *p < 0x7f)
		return malformed(err, src, p, "unexpected character '%c'%s", *p, where);
	return malformed(err, src, p, "unexpected byte 0x%02x%s", *p, where);
}

static inline const unsigned char *ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The code unit of the \uXXXX at p (p[0] == '\\'), or -1. */
static long hex4(const unsigned char *p, const unsigned char *end)
{
	long v = 0;
	int i, h;

	if (end - p < 6 || p[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		if ((h = rs_hex_digit(p[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* A string at p (the opening quote): *out is set past the closing quote. */
static int string(const char *src, const unsigned char *p, const unsigned char *end,
		  const unsigned char **out, uint8_t *esc, struct rs_err *err)
{
	const unsigned char *q = p + 1;
	unsigned hi = 0;
	long cp, lo;

	*esc = 0;
	for (;;) {
#ifdef __SSE2__
		const __m128i vq = _mm_set1_epi8('"'), vb = _mm_set1_epi8('\\');
		const __m128i vc = _mm_set1_epi8(0x1f);

		while (end - q >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)q);
			__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vq),
							      _mm_cmpeq_epi8(v, vb)),
						 _mm_cmpeq_epi8(_mm_max_epu8(v, vc), vc));
			unsigned bits = (unsigned)_mm_movemask_epi8(m);

			/* may include bytes past the string: only costs a check */
			hi |= (unsigned)_mm_movemask_epi8(v);
			if (bits) {
				q += __builtin_ctz(bits);
				goto special;
			}
			q += 16;
		}
#endif
		while (q < end && *q != '"' && *q != '\\' && *q >= 0x20)
			hi |= *q++ & 0x80;
		if (q == end)
			return malformed(err, src, p, "unterminated string");
#ifdef __SSE2__
special:
#endif
		if (*q == '"')
			break;
		if (*q < 0x20)
			return malformed(err, src, q, "control character 0x%02x in string", *q);
		/* a backslash */
		*esc = 1;
		if (q + 1 == end)
			return malformed(err, src, p, "unterminated string");
		switch (q[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			q += 2;
			continue;
		case 'u':
			break;
		default:
			if (q[1] >= 0x20 && q[1] < 0x7f)
				return malformed(err, src, q, "invalid escape '\\%c'", q[1]);
			return malformed(err, src, q, "invalid escape");
		}
		if ((cp = hex4(q, end)) < 0)
			return malformed(err, src, q, "invalid \\u escape");
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return malformed(err, src, q, "lone surrogate in \\u escape");
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			lo = hex4(q + 6, end);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return malformed(err, src, q, "lone surrogate in \\u escape");
			q += 6;
		}
		q += 6;
	}
	if (hi && !rs_utf8_valid((const char *)p + 1, (size_t)(q - p - 1)))
		return malformed(err, src, p, "invalid UTF-8 in string");
	*out = q + 1;
	return 0;
}

static inline int digit(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static int number(const char *src, const unsigned char *p, const unsigned char *end,
		  const unsigned char **out, struct rs_err *err)
{
	const unsigned char *q = p;

	if (*q == '-')
		q++;
	if (!digit(q, end))
		return malformed(err, src, p, "invalid number");
	if (*q++ == '0') {
		if (digit(q, end))
			return malformed(err, src, p, "invalid number (leading zero)");
	} else {
		while (digit(q, end))
			q++;
	}
	if (q < end && *q == '.') {
		if (!digit(++q, end))
			return malformed(err, src, p, "invalid number");
		while (digit(q, end))
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (!digit(q, end))
			return malformed(err, src, p, "invalid number");
		while (digit(q, end))
			q++;
	}
	*out = q;
	return 0;
}

int rs_json_parse(struct rs_json_doc *d, const char *s, size_t len, struct rs_err *err)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *q;
	uint32_t koff = 0, klen = 0;
	uint8_t haskey = 0, kesc = 0, k;
	int depth = 0, rc;
	int32_t t, c;
	struct tok *tk;

	d->src = s;
	d->ntok = 0;
	if (len >= UINT32_MAX)
		return rs_errf(err, -EFBIG, "JSON text larger than 4 GiB");

value:
	p = ws(p, end);
	if (p == end) {
		rc = len ? malformed(err, s, p, "unexpected end of input")
			 : malformed(err, s, p, "empty input");
		goto fail;
	}
	if (d->ntok == d->cap && (rc = grow(d, err)))
		goto fail;
	t = (int32_t)d->ntok++;
	tk = &d->tape[t];
	tk->off = (uint32_t)(p - (const unsigned char *)s);
	tk->next = -1;
	tk->nchild = 0;
	tk->esc = 0;
	tk->haskey = haskey;
	tk->koff = koff;
	tk->klen = klen;
	tk->kesc = kesc;
	haskey = 0;
	if (depth) {
		if (d->last[depth - 1] >= 0)
			d->tape[d->last[depth - 1]].next = t;
		d->last[depth - 1] = t;
		d->tape[d->cont[depth - 1]].nchild++;
	}
	switch (*p) {
	case '{':
	case '[':
		tk->kind = *p == '{' ? RS_JSON_OBJECT : RS_JSON_ARRAY;
		if (depth == RS_JSON_DEPTH_MAX) {
			rc = malformed(err, s, p, "nesting deeper than %d levels",
				       RS_JSON_DEPTH_MAX);
			goto fail;
		}
		d->cont[depth] = t;
		d->last[depth] = -1;
		depth++;
		p = ws(p + 1, end);
		if (p < end && *p == (tk->kind == RS_JSON_OBJECT ? '}' : ']'))
			goto close;
		if (tk->kind == RS_JSON_OBJECT)
			goto key;
		goto value;
	case '"':
		tk->kind = RS_JSON_STRING;
		if ((rc = string(s, p, end, &q, &tk->esc, err)))
			goto fail;
		break;
	case 't':
	case 'f':
	case 'n':
		k = *p == 't' ? RS_JSON_TRUE : *p == 'f' ? RS_JSON_FALSE : RS_JSON_NULL;
		{
			const char *lit = k == RS_JSON_TRUE ? "true"
					  : k == RS_JSON_FALSE ? "false" : "null";
			size_t n = strlen(lit);

			if ((size_t)(end - p) < n || memcmp(p, lit, n)) {
				rc = malformed(err, s, p, "invalid literal (expected '%s')", lit);
				goto fail;
			}
			tk->kind = k;
			q = p + n;
		}
		break;
	default:
		if (*p != '-' && (*p < '0' || *p > '9')) {
			rc = unexpected(err, s, p, end, "");
			goto fail;
		}
		tk->kind = RS_JSON_NUMBER;
		if ((rc = number(s, p, end, &q, err)))
			goto fail;
		break;
	}
	tk->len = (uint32_t)(q - p);
	p = q;

after:
	p = ws(p, end);
	if (!depth) {
		if (p != end) {
			rc = unexpected(err, s, p, end, " after the value");
			goto fail;
		}
		return 0;
	}
	c = d->cont[depth - 1];
	if (p < end && *p == ',') {
		p++;
		if (d->tape[c].kind == RS_JSON_OBJECT)
			goto key;
		goto value;
	}
	if (p < end && *p == (d->tape[c].kind == RS_JSON_OBJECT ? '}' : ']'))
		goto close;
	rc = unexpected(err, s, p, end, d->tape[c].kind == RS_JSON_OBJECT
			? " (expected ',' or '}')" : " (expected ',' or ']')");
	goto fail;

close:	/* p is at the closing bracket of the innermost container */
	c = d->cont[--depth];
	d->tape[c].len = (uint32_t)(p + 1 - ((const unsigned char *)s + d->tape[c].off));
	p++;
	goto after;

key:
	p = ws(p, end);
	if (p == end || *p != '"') {
		rc = unexpected(err, s, p, end, " (expected an object key)");
		goto fail;
	}
	if ((rc = string(s, p, end, &q, &kesc, err)))
		goto fail;
	koff = (uint32_t)(p + 1 - (const unsigned char *)s);
	klen = (uint32_t)(q - p - 2);
	haskey = 1;
	p = ws(q, end);
	if (p == end || *p != ':') {
		rc = unexpected(err, s, p, end, " (expected ':')");
		goto fail;
	}
	p++;
	goto value;

fail:
	d->ntok = 0;
	return rc;
}

/* ---- nodes ---- */

static const struct tok *node_tok(const struct rs_json_doc *d, int node)
{
	return node >= 0 && (uint32_t)node < d->ntok ? &d->tape[node] : NULL;
}

enum rs_json_kind rs_json_kind(const struct rs_json_doc *d, int node)
{
	const struct tok *t = node_tok(d, node);

	return t ? (enum rs_json_kind)t->kind : RS_JSON_NULL;
}

void rs_json_raw(const struct rs_json_doc *d, int node, const char **p, size_t *len)
{
	const struct tok *t = node_tok(d, node);

	*p = t ? d->src + t->off : "";
	*len = t ? t->len : 0;
}

static int put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decode the escapes of a string body s[0..n) into scratch. Output is never
 * longer than input, so one reservation suffices. */
static int unescape(const char *s, size_t n, struct rs_buf *scratch,
		    const char **p, size_t *len)
{
	const unsigned char *q = (const unsigned char *)s, *end = q + n, *b;
	char *o;
	long cp, lo;

	rs_buf_reset(scratch);
	if (rs_buf_reserve(scratch, n))
		return -ENOMEM;
	o = scratch->data;
	while (q < end) {
		b = memchr(q, '\\', (size_t)(end - q));
		if (!b)
			b = end;
		memcpy(o, q, (size_t)(b - q));
		o += b - q;
		q = b;
		if (q == end)
			break;
		if (q + 1 == end)
			return -EINVAL;
		switch (q[1]) {
		case '"': case '\\': case '/':
			*o++ = (char)q[1];
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if ((cp = hex4(q, end)) < 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
				return -EINVAL;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				lo = hex4(q + 6, end);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return -EINVAL;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				q += 6;
			}
			o += put_utf8(o, (unsigned long)cp);
			q += 4;
			break;
		default:
			return -EINVAL;
		}
		q += 2;
	}
	*o = 0;
	scratch->len = (size_t)(o - scratch->data);
	*p = scratch->data;
	*len = scratch->len;
	return 0;
}

int rs_json_text(const struct rs_json_doc *d, int node, struct rs_buf *scratch,
		 const char **p, size_t *len)
{
	const struct tok *t = node_tok(d, node);

	if (!t) {
		*p = "";
		*len = 0;
		return -EINVAL;
	}
	if (t->kind != RS_JSON_STRING) {
		rs_json_raw(d, node, p, len);
		return 0;
	}
	if (!t->esc) {
		*p = d->src + t->off + 1;
		*len = t->len - 2;
		return 0;
	}
	return unescape(d->src + t->off + 1, t->len - 2, scratch, p, len);
}

int rs_json_first_child(const struct rs_json_doc *d, int node)
{
	const struct tok *t = node_tok(d, node);

	return t && t->nchild ? node + 1 : -1;
}

int rs_json_next_sibling(const struct rs_json_doc *d, int node)
{
	const struct tok *t = node_tok(d, node);

	return t ? t->next : -1;
}

unsigned rs_json_nchildren(const struct rs_json_doc *d, int node)
{
	const struct tok *t = node_tok(d, node);

	return t ? t->nchild : 0;
}

int rs_json_key(const struct rs_json_doc *d, int node, struct rs_buf *scratch,
		const char **p, size_t *len)
{
	const struct tok *t = node_tok(d, node);

	if (!t || !t->haskey) {
		*p = "";
		*len = 0;
		return -EINVAL;
	}
	if (!t->kesc) {
		*p = d->src + t->koff;
		*len = t->klen;
		return 0;
	}
	return unescape(d->src + t->koff, t->klen, scratch, p, len);
}

int rs_json_key_eq(const struct rs_json_doc *d, int node, const char *key, size_t len)
{
	const struct tok *t = node_tok(d, node);
	struct rs_buf tmp = RS_BUF_INIT;
	const char *k;
	size_t klen;
	int eq;

	if (!t || !t->haskey)
		return 0;
	if (!t->kesc)
		return t->klen == len && !memcmp(d->src + t->koff, key, len);
	if (len > t->klen)	/* unescaping only shrinks */
		return 0;
	if (unescape(d->src + t->koff, t->klen, &tmp, &k, &klen))
		eq = 0;
	else
		eq = klen == len && !memcmp(k, key, len);
	rs_buf_release(&tmp);
	return eq;
}

int rs_json_member(const struct rs_json_doc *d, int node, const char *key, size_t len)
{
	const struct tok *t = node_tok(d, node), *m;
	int32_t i;

	if (!t || t->kind != RS_JSON_OBJECT || !t->nchild)
		return -1;
	for (i = node + 1; i >= 0; i = m->next) {
		m = &d->tape[i];
		if (m->kesc) {
			if (rs_json_key_eq(d, i, key, len))
				return i;
		} else if (m->klen == len && !memcmp(d->src + m->koff, key, len)) {
			return i;
		}
	}
	return -1;
}
