/*
 * json.c - JSON text to template values (for JSON(x) and custom_error),
 * and values back to JSON text. Depth is bounded by RS_TMPL_MAX_NEST.
 */
#include "tmpl_int.h"
#include "../base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	struct rs_tctx *c;
	const char *p, *end;
	unsigned depth;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && isspace((unsigned char)*j->p))
		j->p++;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int d = rs_hex_digit(p[i]);

		if (d < 0)
			return -1;
		*v = *v * 16 + (unsigned)d;
	}
	return 0;
}

static int jstring(struct jp *j, struct rs_tv **out)
{
	const char *p = ++j->p, *q = p;
	char *o;
	size_t n = 0;

	while (q < j->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	if (q >= j->end)
		return -1;
	if (!(o = rs_tmpl_alloc(j->c->a, (size_t)(q - p) + 1)))
		return -ENOMEM;

	if (!o)
		return -ENOMEM;
	while (p < q) {
		if (*p != '\\') {
			o[n++] = *p++;
			continue;
		}
		if (++p >= j->end)
			return -1;
		switch (*p++) {
		case 'n': o[n++] = '\n'; break;
		case 't': o[n++] = '\t'; break;
		case 'r': o[n++] = '\r'; break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case '/': o[n++] = '/'; break;
		case '\\': o[n++] = '\\'; break;
		case '"': o[n++] = '"'; break;
		case 'u': {
			unsigned cp;

			if (j->end - p < 4 || hex4(p, &cp))
				return -1;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && j->end - p >= 6 && p[0] == '\\' &&
			    p[1] == 'u') {
				unsigned lo;

				if (!hex4(p + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			/* at most 4 bytes out of at least 6 consumed */
			if (cp < 0x80) {
				o[n++] = (char)cp;
			} else if (cp < 0x800) {
				o[n++] = (char)(0xc0 | cp >> 6);
				o[n++] = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				o[n++] = (char)(0xe0 | cp >> 12);
				o[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
				o[n++] = (char)(0x80 | (cp & 0x3f));
			} else {
				o[n++] = (char)(0xf0 | cp >> 18);
				o[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
				o[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
				o[n++] = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default:
			return -1;
		}
	}
	if (p >= j->end)
		return -1;
	j->p = p + 1;
	o[n] = 0;
	if (!(*out = rs_tmpl_alloc(j->c->a, sizeof(**out))))
		return -ENOMEM;
	(*out)->kind = TV_STR;
	(*out)->s = o;
	(*out)->len = n;
	return 0;
}

static int jvalue(struct jp *j, struct rs_tv **out);

static int jcontainer(struct jp *j, int obj, struct rs_tv **out)
{
	struct rs_tv *tmp[2 * 64], **all = tmp;
	size_t n = 0, cap = 64;
	int rc;

	if (++j->depth > RS_TMPL_MAX_NEST)
		return -1;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
		j->p++;
		goto done;
	}
	for (;;) {
		struct rs_tv *k = NULL, *v;

		ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"' || (rc = jstring(j, &k)))
				return rc ? rc : -1;
			ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
		}
		if ((rc = jvalue(j, &v)))
			return rc;
		if (n == cap) {
			struct rs_tv **bigger;

			if (cap * 2 > RS_TMPL_MAX_LIST)
				return -1;
			if (!(bigger = rs_tmpl_alloc(j->c->a, 2 * 2 * cap * sizeof(*bigger))))
				return -ENOMEM;
			memcpy(bigger, all, 2 * n * sizeof(*bigger));
			all = bigger;
			cap *= 2;
		}
		all[2 * n] = k;
		all[2 * n + 1] = v;
		n++;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
			j->p++;
			break;
		}
		return -1;
	}
done:
	if (!(*out = rs_tmpl_list(j->c, obj ? TV_DICT : TV_LIST, n)))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (obj) {
			(*out)->items[i] = all[2 * i];
			(*out)->items[n + i] = all[2 * i + 1];
		} else {
			(*out)->items[i] = all[2 * i + 1];
		}
	}
	j->depth--;
	return rs_tmpl_seal(j->c, *out) ? -1 : 0;
}

static int jvalue(struct jp *j, struct rs_tv **out)
{
	ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{':
		return jcontainer(j, 1, out);
	case '[':
		return jcontainer(j, 0, out);
	case '"':
		return jstring(j, out);
	}
	static const struct {
		const char *w;
		struct rs_tv *v;
	} words[] = { { "true", &rs_tmpl_true }, { "false", &rs_tmpl_false }, { "null", &rs_tmpl_none } };
	for (size_t i = 0; i < 3; i++) {
		size_t wl = strlen(words[i].w);

		if ((size_t)(j->end - j->p) >= wl && !memcmp(j->p, words[i].w, wl)) {
			j->p += wl;
			*out = words[i].v;
			return 0;
		}
	}
	char tmp[64];
	size_t n = 0;
	int isf = 0;
	while (j->p + n < j->end && n < sizeof(tmp) - 1 && strchr("+-0123456789.eE", j->p[n])) {
		isf |= j->p[n] == '.' || j->p[n] == 'e' || j->p[n] == 'E';
		tmp[n] = j->p[n];
		n++;
	}
	tmp[n] = 0;
	if (!n)
		return -1;
	char *end;
	errno = 0;
	if (!isf) {
		long long ll = strtoll(tmp, &end, 10);

		if (!*end && errno != ERANGE) {
			j->p += n;
			return (*out = rs_tmpl_int(j->c, ll)) ? 0 : -ENOMEM;
		}
	}
	double f = strtod(tmp, &end);
	if (*end)
		return -1;
	j->p += n;
	return (*out = rs_tmpl_float(j->c, f)) ? 0 : -ENOMEM;
}

int rs_tmpl_json_parse(struct rs_tctx *c, const char *s, size_t n, struct rs_tv **out)
{
	struct jp j = { c, s, s + n, 0 };
	int rc = jvalue(&j, out);

	if (rc == -ENOMEM)
		return rs_tmpl_nomem(c);
	if (rc)
		return -1;
	ws(&j);
	return j.p == j.end ? 0 : -1;
}

static int jquote(struct rs_buf *b, const char *s, size_t n)
{
	if (rs_buf_addc(b, '"'))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			if (rs_buf_addc(b, '\\') || rs_buf_addc(b, (char)ch))
				return -ENOMEM;
		} else if (ch < 0x20) {
			if (rs_buf_printf(b, "\\u%04x", ch))
				return -ENOMEM;
		} else if (rs_buf_addc(b, (char)ch)) {
			return -ENOMEM;
		}
	}
	return rs_buf_addc(b, '"') ? -ENOMEM : 0;
}

int rs_tmpl_json_write(struct rs_tctx *c, const struct rs_tv *v, struct rs_buf *b)
{
	int rc;

	v = rs_tmpl_plain(v);
	switch (v->kind) {
	case TV_NONE:
		return rs_buf_adds(b, "null");
	case TV_BOOL:
		return rs_buf_adds(b, v->i ? "true" : "false");
	case TV_INT:
	case TV_FLOAT:
		return rs_tmpl_to_str(c, v, b);
	case TV_STR:
	case TV_SQL:
		return jquote(b, v->s, v->len);
	case TV_DICT:
		if (rs_buf_addc(b, '{'))
			return -ENOMEM;
		for (size_t i = 0; i < v->n; i++) {
			const struct rs_tv *k = rs_tmpl_plain(v->items[i]);
			struct rs_buf kb = RS_BUF_INIT;

			if (i && rs_buf_adds(b, ", "))
				return -ENOMEM;
			rc = k->kind == TV_STR ? jquote(b, k->s, k->len) : rs_tmpl_to_str(c, k, &kb);
			if (!rc && kb.data)
				rc = jquote(b, kb.data, kb.len);
			rs_buf_release(&kb);
			if (rc || rs_buf_adds(b, ": ") || (rc = rs_tmpl_json_write(c, v->items[v->n + i], b)))
				return rc ? rc : -ENOMEM;
		}
		return rs_buf_addc(b, '}');
	default:
		if (rs_buf_addc(b, '['))
			return -ENOMEM;
		for (size_t i = 0; i < v->n; i++) {
			if (i && rs_buf_adds(b, ", "))
				return -ENOMEM;
			if ((rc = rs_tmpl_json_write(c, v->items[i], b)))
				return rc;
		}
		return rs_buf_addc(b, ']');
	}
}
