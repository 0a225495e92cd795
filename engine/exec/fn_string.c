/*
 * fn_string.c - string functions: length, lower, upper, concat, substring,
 * trim*, startsWith, endsWith, position, replaceAll/replaceOne, empty,
 * notEmpty, reverse, splitByChar, like/notLike/ilike/notILike.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fn_int.h"

static int str_arg(const struct rs_expr *e, unsigned k)
{
	return rs_ncls(e->args[k]->type) == RS_NC_STR;
}

static const char *S(const struct rs_vec *v, size_t i, size_t *len)
{
	return rs_col_str(v->c, rs_vrow(v, i), len);
}

enum { S_LENGTH, S_LOWER, S_UPPER, S_CONCAT, S_SUBSTR, S_TRIM, S_LTRIM, S_RTRIM, S_STARTS,
       S_ENDS, S_POS, S_REPALL, S_REPONE, S_EMPTY, S_NOTEMPTY, S_REVERSE, S_SPLIT, S_LIKE };

static const struct { const char *name; int mode; } sfns[] = {
	{ "length", S_LENGTH }, { "lower", S_LOWER }, { "upper", S_UPPER }, { "concat", S_CONCAT },
	{ "substring", S_SUBSTR }, { "trim", S_TRIM }, { "trimBoth", S_TRIM },
	{ "trimLeft", S_LTRIM }, { "ltrim", S_LTRIM }, { "trimRight", S_RTRIM }, { "rtrim", S_RTRIM },
	{ "startsWith", S_STARTS }, { "endsWith", S_ENDS }, { "position", S_POS },
	{ "locate", S_POS }, { "replaceAll", S_REPALL }, { "replace", S_REPALL },
	{ "replaceOne", S_REPONE }, { "empty", S_EMPTY }, { "notEmpty", S_NOTEMPTY },
	{ "reverse", S_REVERSE }, { "splitByChar", S_SPLIT },
};

static int s_bind(struct rs_qctx *q, struct rs_expr *e)
{
	for (unsigned i = 0; i < sizeof(sfns) / sizeof(sfns[0]); i++)
		if (!strcmp(sfns[i].name, e->fn->name))
			e->mode = sfns[i].mode;
	switch (e->mode) {
	case S_LENGTH:
		if (rs_type_base(e->args[0]->type)->id != RS_T_ARRAY && !str_arg(e, 0))
			return rs_fn_bad_args(q, e);
		e->type = rs_qtype(q, RS_T_UINT64);
		return 0;
	case S_EMPTY: case S_NOTEMPTY:
		if (rs_type_base(e->args[0]->type)->id != RS_T_ARRAY && !str_arg(e, 0))
			return rs_fn_bad_args(q, e);
		e->type = rs_qtype(q, RS_T_UINT8);
		return 0;
	case S_CONCAT:
		e->type = rs_qtype(q, RS_T_STRING);
		return 0;	/* anything is rendered as text */
	case S_SUBSTR:
		if (!str_arg(e, 0) || !rs_type_is_num(e->args[1]->type) ||
		    (e->nargs > 2 && !rs_type_is_num(e->args[2]->type)))
			return rs_fn_bad_args(q, e);
		e->type = rs_qtype(q, RS_T_STRING);
		return 0;
	case S_STARTS: case S_ENDS: case S_POS:
		if (!str_arg(e, 0) || !str_arg(e, 1))
			return rs_fn_bad_args(q, e);
		e->type = rs_qtype(q, e->mode == S_POS ? RS_T_UINT64 : RS_T_UINT8);
		return 0;
	case S_SPLIT:
		if (!str_arg(e, 0) || !str_arg(e, 1))
			return rs_fn_bad_args(q, e);
		e->type = rs_qtype_array(q, rs_qtype(q, RS_T_STRING));
		return 0;
	default:
		for (unsigned i = 0; i < e->nargs; i++)
			if (!str_arg(e, i))
				return rs_fn_bad_args(q, e);
		e->type = rs_qtype(q, RS_T_STRING);
		return 0;
	}
}

static int s_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		  struct rs_col *out)
{
	struct rs_col *o = out;
	int64_t *t = NULL;
	char *buf = NULL;
	size_t cap = 0;
	int rc = 0;

	if (e->mode == S_LENGTH || e->mode == S_EMPTY || e->mode == S_NOTEMPTY ||
	    e->mode == S_STARTS || e->mode == S_ENDS || e->mode == S_POS) {
		if (!(t = rs_scratch(e, 0, n * 8 + 8)))
			return rs_fn_nomem(q);
		for (size_t i = 0; i < n; i++) {
			size_t la, lb = 0;
			const char *sa, *sb = NULL;

			if (rs_type_base(a[0].c->type)->id == RS_T_ARRAY) {
				size_t r = rs_vrow(&a[0], i);
				la = a[0].c->offs[r + 1] - a[0].c->offs[r];
				sa = NULL;
			} else {
				sa = S(&a[0], i, &la);
			}
			if (e->nargs > 1)
				sb = S(&a[1], i, &lb);
			switch (e->mode) {
			case S_LENGTH: t[i] = (int64_t)la; break;
			case S_EMPTY: t[i] = la == 0; break;
			case S_NOTEMPTY: t[i] = la != 0; break;
			case S_STARTS: t[i] = la >= lb && !memcmp(sa, sb, lb); break;
			case S_ENDS: t[i] = la >= lb && !memcmp(sa + la - lb, sb, lb); break;
			default: {
				const char *p = rs_find(sa, la, sb, lb);
				t[i] = p ? p - sa + 1 : 0;
			}
			}
		}
		return rs_store_i64(out, t, n) ? rs_fn_nomem(q) : 0;
	}
	if (e->mode == S_SPLIT) {
		if (rs_col_reserve(o, n))
			return rs_fn_nomem(q);
		for (size_t i = 0; i < n && !rc; i++) {
			size_t la, lb;
			const char *sb = S(&a[0], i, &lb), *sa = S(&a[1], i, &la), *st = sa;

			if (lb != 1)
				return rs_errf(q->err, -EINVAL,
					       "separator of function 'splitByChar' must be one character");
			for (size_t k = 0; k <= la && !rc; k++)
				if (k == la || sa[k] == sb[0]) {
					rc = rs_col_push_str(o->child, st, (size_t)(sa + k - st));
					st = sa + k + 1;
				}
			rc = rc ?: rs_col_array_close(o);
		}
		return rc ? rs_fn_nomem(q) : 0;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		size_t la, lb, lc, need;
		const char *sa = S(&a[0], i, &la), *sb, *sc;

		need = la + 16;
		if (e->mode == S_CONCAT) {
			need = 0;
			for (unsigned k = 0; k < e->nargs; k++) {
				if (str_arg(e, k)) {
					S(&a[k], i, &lb);
					need += lb;
				} else {
					need += 64;
				}
			}
		} else if (e->mode == S_REPALL || e->mode == S_REPONE) {
			S(&a[1], i, &lb);
			S(&a[2], i, &lc);
			need = la + (lb ? la / lb + 1 : 0) * lc + 16;
		}
		if (need > cap) {
			char *p = realloc(buf, need);
			if (!p) {
				rc = -ENOMEM;
				break;
			}
			buf = p;
			cap = need;
		}
		switch (e->mode) {
		case S_LOWER: case S_UPPER:
			for (size_t k = 0; k < la; k++)
				buf[k] = (char)(e->mode == S_LOWER ? tolower((unsigned char)sa[k]) :
						toupper((unsigned char)sa[k]));
			rc = rs_col_push_str(o, buf, la);
			break;
		case S_REVERSE:
			for (size_t k = 0; k < la; k++)
				buf[k] = sa[la - 1 - k];
			rc = rs_col_push_str(o, buf, la);
			break;
		case S_CONCAT: {
			size_t len = 0;

			for (unsigned k = 0; k < e->nargs; k++) {
				if (str_arg(e, k)) {
					sb = S(&a[k], i, &lb);
					memcpy(buf + len, sb, lb);
					len += lb;
				} else {
					free(buf);
					return rs_errf(q->err, -EINVAL,
						       "function 'concat' wants strings (use toString)");
				}
			}
			rc = rs_col_push_str(o, buf, len);
			break;
		}
		case S_SUBSTR: {
			int64_t off = rs_get_i64(a[1].c, rs_vrow(&a[1], i));
			int64_t len = e->nargs > 2 ? rs_get_i64(a[2].c, rs_vrow(&a[2], i)) : INT64_MAX;
			int64_t st = off > 0 ? off - 1 : off < 0 ? (int64_t)la + off : (int64_t)la;

			if (st < 0) {
				if (len != INT64_MAX)
					len += st;
				st = 0;
			}
			if (st > (int64_t)la)
				st = (int64_t)la;
			if (len < 0)
				len = (int64_t)la - st + len > 0 ? (int64_t)la - st + len : 0;
			if (len > (int64_t)la - st)
				len = (int64_t)la - st;
			rc = rs_col_push_str(o, sa + st, (size_t)len);
			break;
		}
		case S_TRIM: case S_LTRIM: case S_RTRIM: {
			size_t b = 0, en = la;

			if (e->mode != S_RTRIM)
				while (b < en && sa[b] == ' ')
					b++;
			if (e->mode != S_LTRIM)
				while (en > b && sa[en - 1] == ' ')
					en--;
			rc = rs_col_push_str(o, sa + b, en - b);
			break;
		}
		case S_REPALL: case S_REPONE: {
			size_t len = 0, k = 0;
			int done = 0;

			sb = S(&a[1], i, &lb);
			sc = S(&a[2], i, &lc);
			while (k < la) {
				if (lb && !done && k + lb <= la && !memcmp(sa + k, sb, lb)) {
					memcpy(buf + len, sc, lc);
					len += lc;
					k += lb;
					done = e->mode == S_REPONE;
				} else {
					buf[len++] = sa[k++];
				}
			}
			rc = rs_col_push_str(o, buf, len);
			break;
		}
		}
	}
	free(buf);
	return rc ? rs_fn_nomem(q) : 0;
}

/* ---- LIKE ---- */

struct like {
	int kind;		/* 0 exact, 1 prefix, 2 suffix, 3 contains, 4 general */
	char *pat;
	size_t len;
	size_t anchor;		/* contains: rs_find_anchor of pat */
	int ci, neg;
};

static void like_free(void *p)
{
	struct like *l = p;

	if (l)
		free(l->pat);
	free(l);
}

static int like_general(const char *s, size_t n, const char *p, size_t m, int ci)
{
	size_t i = 0, j = 0, star_j = (size_t)-1, star_i = 0;

	while (i < n) {
		if (j < m && p[j] == '\\' && j + 1 < m &&
		    (ci ? tolower((unsigned char)p[j + 1]) == tolower((unsigned char)s[i]) :
		     p[j + 1] == s[i])) {
			i++;
			j += 2;
		} else if (j < m && p[j] == '%') {
			star_j = j++;
			star_i = i;
		} else if (j < m && p[j] != '\\' && (p[j] == '_' || (ci ?
			   tolower((unsigned char)p[j]) == tolower((unsigned char)s[i]) : p[j] == s[i]))) {
			i++;
			j++;
		} else if (star_j != (size_t)-1) {
			j = star_j + 1;
			i = ++star_i;
		} else {
			return 0;
		}
	}
	while (j < m && p[j] == '%')
		j++;
	return j == m;
}

static int like_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const char *f = e->fn->name, *p;
	struct like *l;
	size_t len;
	int rc;

	if (!str_arg(e, 0) || !str_arg(e, 1))
		return rs_fn_bad_args(q, e);
	e->type = rs_qtype(q, RS_T_UINT8);
	if ((rc = rs_fn_const_str(q, e, 1, &p, &len)))
		return rc;
	l = calloc(1, sizeof(*l));
	if (!l || !(l->pat = malloc(len + 1))) {
		free(l);
		return rs_fn_nomem(q);
	}
	e->st = l;
	e->st_free = like_free;
	l->ci = !strcasecmp(f, "ilike") || !strcasecmp(f, "notILike");
	l->neg = !strncmp(f, "not", 3);
	memcpy(l->pat, p, len);
	l->len = len;
	l->kind = 4;
	if (!memchr(p, '_', len) && !memchr(p, '\\', len) && !l->ci) {
		size_t np = 0;

		for (size_t i = 0; i < len; i++)
			np += p[i] == '%';
		if (np == 0) {
			l->kind = 0;
		} else if (np == 1 && p[len - 1] == '%') {
			l->kind = 1;
			l->len = len - 1;
		} else if (np == 1 && p[0] == '%') {
			l->kind = 2;
			memmove(l->pat, p + 1, len - 1);
			l->len = len - 1;
		} else if (np == 2 && len >= 2 && p[0] == '%' && p[len - 1] == '%') {
			l->kind = 3;
			memmove(l->pat, p + 1, len - 2);
			l->len = len - 2;
			l->anchor = rs_find_anchor(l->pat, l->len);
		}
	}
	return 0;
}

static int like_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		     struct rs_col *out)
{
	struct like *l = e->st;
	uint8_t *d;

	if (rs_col_reserve(out, n))
		return rs_fn_nomem(q);
	d = out->data;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *s = S(&a[0], i, &len);
		int m;

		switch (l->kind) {
		case 0: m = len == l->len && !memcmp(s, l->pat, len); break;
		case 1: m = len >= l->len && !memcmp(s, l->pat, l->len); break;
		case 2: m = len >= l->len && !memcmp(s + len - l->len, l->pat, l->len); break;
		case 3: m = rs_find_at(s, len, l->pat, l->len, l->anchor) != NULL; break;
		default: m = like_general(s, len, l->pat, l->len, l->ci);
		}
		d[i] = (uint8_t)(m ^ l->neg);
	}
	out->n = n;
	return 0;
}

#define SF(name, lo, hi) { name, lo, hi, 0, s_bind, s_exec }

const struct rs_fn rs_fns_string[] = {
	SF("length", 1, 1), SF("lower", 1, 1), SF("upper", 1, 1), SF("concat", 1, -1),
	SF("substring", 2, 3), SF("trim", 1, 1), SF("trimBoth", 1, 1), SF("trimLeft", 1, 1),
	SF("ltrim", 1, 1), SF("trimRight", 1, 1), SF("rtrim", 1, 1), SF("startsWith", 2, 2),
	SF("endsWith", 2, 2), SF("position", 2, 2), SF("locate", 2, 2), SF("replaceAll", 3, 3),
	SF("replace", 3, 3), SF("replaceOne", 3, 3), SF("empty", 1, 1), SF("notEmpty", 1, 1),
	SF("reverse", 1, 1), SF("splitByChar", 2, 2),
	{ "like", 2, 2, 0, like_bind, like_exec },
	{ "notLike", 2, 2, 0, like_bind, like_exec },
	{ "ilike", 2, 2, 0, like_bind, like_exec },
	{ "notILike", 2, 2, 0, like_bind, like_exec },
	{ NULL, 0, 0, 0, NULL, NULL },
};
