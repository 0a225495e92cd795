/*
 * methods.c - the methods callable on values: str.join/split/strip/
 * lstrip/rstrip/lower/upper/replace/startswith/endswith and
 * dict.get/keys/values/items. Nothing else is reachable (no attributes).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include "tmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static int ret(struct rs_tctx *c, struct rs_tv *v, struct rs_tv **out)
{
	*out = v;
	return v ? 0 : rs_tmpl_nomem(c);
}

static const struct rs_tv *str_arg(struct rs_targ *args, unsigned nargs, int pos)
{
	struct rs_tv *v = rs_tmpl_arg(args, nargs, pos, NULL);

	if (!v || rs_tmpl_plain(v)->kind != TV_STR)
		return NULL;
	return rs_tmpl_plain(v);
}

static int join(struct rs_tctx *c, const struct rs_tv *sep, struct rs_targ *args, unsigned nargs,
		struct rs_tv **out)
{
	struct rs_tv **items;
	size_t n;
	struct rs_buf b = RS_BUF_INIT;
	int rc;

	if (nargs != 1)
		return rs_tmpl_fail(c, "Template Syntax Error: join() takes exactly one argument");
	if ((rc = rs_tmpl_iter(c, args[0].v, &items, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct rs_tv *it = rs_tmpl_plain(items[i]);

		if (it->kind != TV_STR) {
			rs_buf_release(&b);
			return rs_tmpl_fail(c, "Template Syntax Error: sequence item %zu: expected str instance, %s found",
					    i, rs_tmpl_type_name(it));
		}
		if ((i && rs_buf_add(&b, sep->s, sep->len)) || rs_buf_add(&b, it->s, it->len) ||
		    b.len > RS_TMPL_MAX_STR) {
			rs_buf_release(&b);
			return rs_tmpl_fail(c, "Template Syntax Error: value too large");
		}
	}
	*out = rs_tmpl_str(c, b.data ? b.data : "", b.len);
	rs_buf_release(&b);
	return *out ? 0 : rs_tmpl_nomem(c);
}

static int split(struct rs_tctx *c, const struct rs_tv *s, const struct rs_tv *sep,
		 struct rs_tv **out)
{
	size_t k = 0, i = 0;
	struct rs_tv *l = NULL;

	if (sep && !sep->len)
		return rs_tmpl_fail(c, "Template Syntax Error: empty separator");
	/* count, then fill */
	for (int pass = 0; pass < 2; pass++) {
		k = 0;
		i = 0;
		if (!sep) {
			for (;;) {
				while (i < s->len && isspace((unsigned char)s->s[i]))
					i++;
				if (i >= s->len)
					break;
				size_t st = i;
				while (i < s->len && !isspace((unsigned char)s->s[i]))
					i++;
				if (pass && !(l->items[k] = rs_tmpl_str(c, s->s + st, i - st)))
					return rs_tmpl_nomem(c);
				k++;
			}
		} else {
			for (;;) {
				const char *e = memmem(s->s + i, s->len - i, sep->s, sep->len);
				size_t end = e ? (size_t)(e - s->s) : s->len;

				if (pass && !(l->items[k] = rs_tmpl_str(c, s->s + i, end - i)))
					return rs_tmpl_nomem(c);
				k++;
				if (!e)
					break;
				i = end + sep->len;
			}
		}
		if (!pass && !(l = rs_tmpl_list(c, TV_LIST, k)))
			return rs_tmpl_nomem(c);
	}
	*out = l;
	return rs_tmpl_seal(c, l);
}

static int str_method(struct rs_tctx *c, const struct rs_tv *self, const char *name,
		      struct rs_targ *args, unsigned nargs, struct rs_tv **out)
{
	const struct rs_tv *a0 = str_arg(args, nargs, 0), *a1 = str_arg(args, nargs, 1);

	if (!strcmp(name, "join"))
		return join(c, self, args, nargs, out);
	if (!strcmp(name, "split"))
		return split(c, self, a0, out);
	if (!strcmp(name, "strip") || !strcmp(name, "lstrip") || !strcmp(name, "rstrip")) {
		const char *set = a0 ? a0->s : " \t\n\r\v\f";
		size_t setn = a0 ? a0->len : 6, i = 0, n = self->len;

		if (name[0] != 'r')
			while (i < n && memchr(set, self->s[i], setn))
				i++;
		if (name[0] != 'l')
			while (n > i && memchr(set, self->s[n - 1], setn))
				n--;
		return ret(c, rs_tmpl_str(c, self->s + i, n - i), out);
	}
	if (!strcmp(name, "lower") || !strcmp(name, "upper")) {
		struct rs_tv *v = rs_tmpl_str(c, self->s, self->len);

		if (!v)
			return rs_tmpl_nomem(c);
		for (size_t i = 0; i < v->len; i++)
			((char *)v->s)[i] = (char)(name[0] == 'l' ? tolower((unsigned char)v->s[i])
								: toupper((unsigned char)v->s[i]));
		*out = v;
		return 0;
	}
	if (!strcmp(name, "startswith") || !strcmp(name, "endswith")) {
		if (!a0)
			return rs_tmpl_fail(c, "Template Syntax Error: %s arg must be str", name);
		int ok = a0->len <= self->len &&
			 !memcmp(name[0] == 's' ? self->s : self->s + self->len - a0->len, a0->s, a0->len);
		return ret(c, rs_tmpl_bool(ok), out);
	}
	if (!strcmp(name, "replace")) {
		struct rs_buf b = RS_BUF_INIT;
		size_t i = 0;

		if (!a0 || !a1)
			return rs_tmpl_fail(c, "Template Syntax Error: replace() arguments must be str");
		while (i <= self->len) {
			const char *e = a0->len ? memmem(self->s + i, self->len - i, a0->s, a0->len) : NULL;
			size_t end = e ? (size_t)(e - self->s) : self->len;

			if (rs_buf_add(&b, self->s + i, end - i) || (e && rs_buf_add(&b, a1->s, a1->len)) ||
			    b.len > RS_TMPL_MAX_STR) {
				rs_buf_release(&b);
				return rs_tmpl_fail(c, "Template Syntax Error: value too large");
			}
			if (!e)
				break;
			i = end + a0->len;
		}
		*out = rs_tmpl_str(c, b.data ? b.data : "", b.len);
		rs_buf_release(&b);
		return *out ? 0 : rs_tmpl_nomem(c);
	}
	return -ENOENT;
}

static int dict_method(struct rs_tctx *c, const struct rs_tv *self, const char *name,
		       struct rs_targ *args, unsigned nargs, struct rs_tv **out)
{
	struct rs_tv *l;

	if (!strcmp(name, "get")) {
		struct rs_tv *k = rs_tmpl_arg(args, nargs, 0, NULL), *d = rs_tmpl_arg(args, nargs, 1, NULL);

		for (size_t i = 0; k && i < self->n; i++)
			if (rs_tmpl_equal(self->items[i], k))
				return ret(c, self->items[self->n + i], out);
		return ret(c, d ? d : &rs_tmpl_none, out);
	}
	if (strcmp(name, "keys") && strcmp(name, "values") && strcmp(name, "items"))
		return -ENOENT;
	if (!(l = rs_tmpl_list(c, TV_LIST, self->n)))
		return rs_tmpl_nomem(c);
	for (size_t i = 0; i < self->n; i++) {
		if (name[0] == 'k') {
			l->items[i] = self->items[i];
		} else if (name[0] == 'v') {
			l->items[i] = self->items[self->n + i];
		} else {
			struct rs_tv *t = rs_tmpl_list(c, TV_TUPLE, 2);

			if (!t)
				return rs_tmpl_nomem(c);
			t->items[0] = self->items[i];
			t->items[1] = self->items[self->n + i];
			t->nest = self->nest;
			l->items[i] = t;
		}
	}
	*out = l;
	return rs_tmpl_seal(c, l);
}

int rs_tmpl_call_method(struct rs_tctx *c, struct rs_tv *self, const char *name,
			struct rs_targ *args, unsigned nargs, struct rs_tv **out)
{
	const struct rs_tv *p = rs_tmpl_plain(self);
	int rc = -ENOENT;

	if (p->kind == TV_STR)
		rc = str_method(c, p, name, args, nargs, out);
	else if (p->kind == TV_DICT)
		rc = dict_method(c, p, name, args, nargs, out);
	if (rc == -ENOENT)
		return rs_tmpl_fail(c, "Template Syntax Error: '%s' object has no attribute '%s'",
				    rs_tmpl_type_name(p), name);
	return rc;
}
