/*
 * helpers.c - the helper functions of the template language (defined,
 * error, custom_error, sql_and, split_to_array, enumerate_with_last,
 * day_diff, date_diff_in_*, sql_unescape, tb_secret, the no-op settings
 * functions) and the few Python builtins that are allowed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include "tmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARG(pos, kw) rs_tmpl_arg(args, nargs, pos, kw)

static int ret(struct rs_tctx *c, struct rs_tv *v, struct rs_tv **out)
{
	*out = v;
	return v ? 0 : rs_tmpl_nomem(c);
}

static struct rs_tv *empty_sql(struct rs_tctx *c)
{
	return rs_tmpl_sql(c, "", 0, &rs_tmpl_none);
}

/* str(v) into the arena. */
static int strval(struct rs_tctx *c, const struct rs_tv *v, const char **s, size_t *n)
{
	struct rs_buf b = RS_BUF_INIT;
	int rc;

	v = rs_tmpl_plain(v);
	if (v->kind == TV_STR) {
		*s = v->s;
		*n = v->len;
		return 0;
	}
	rc = rs_tmpl_to_str(c, v, &b);
	if (!rc && !(*s = rs_tmpl_strndup(c->a, b.data ? b.data : "", b.len)))
		rc = -ENOMEM;
	*n = b.len;
	rs_buf_release(&b);
	return rc == -ENOMEM ? rs_tmpl_nomem(c) : rc;
}

/* ---- dates ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int num(const char *s, size_t n, size_t *i, int maxd, int *v)
{
	int k = 0;

	*v = 0;
	while (*i < n && k < maxd && isdigit((unsigned char)s[*i])) {
		*v = *v * 10 + (s[(*i)++] - '0');
		k++;
	}
	return k ? 0 : -1;
}

/* A strptime subset: %Y %m %d %H %M %S %f %z %y %% and literal text. */
int rs_tmpl_parse_date(const char *s, size_t n, const char *fmt, int64_t *secs)
{
	int y = 1970, m = 1, d = 1, hh = 0, mm = 0, ss = 0, v, off = 0;
	size_t i = 0;

	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			if (isspace((unsigned char)*f)) {
				while (i < n && isspace((unsigned char)s[i]))
					i++;
				continue;
			}
			if (i >= n || s[i] != *f)
				return -1;
			i++;
			continue;
		}
		switch (*++f) {
		case 'Y': if (num(s, n, &i, 4, &y)) return -1; break;
		case 'y': if (num(s, n, &i, 2, &y)) return -1; y += y < 69 ? 2000 : 1900; break;
		case 'm': if (num(s, n, &i, 2, &m) || m < 1 || m > 12) return -1; break;
		case 'd': if (num(s, n, &i, 2, &d) || d < 1 || d > 31) return -1; break;
		case 'H': if (num(s, n, &i, 2, &hh) || hh > 23) return -1; break;
		case 'M': if (num(s, n, &i, 2, &mm) || mm > 59) return -1; break;
		case 'S': if (num(s, n, &i, 2, &ss) || ss > 61) return -1; break;
		case 'f': if (num(s, n, &i, 6, &v)) return -1; break;
		case 'z':
			if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
				i++;
				break;
			}
			if (i >= n || (s[i] != '+' && s[i] != '-'))
				return -1;
			{
				int sign = s[i++] == '-' ? -1 : 1, h, mi = 0;

				if (num(s, n, &i, 2, &h))
					return -1;
				if (i < n && s[i] == ':')
					i++;
				if (i < n && isdigit((unsigned char)s[i]) && num(s, n, &i, 2, &mi))
					return -1;
				off = sign * (h * 3600 + mi * 60);
			}
			break;
		case '%': if (i >= n || s[i++] != '%') return -1; break;
		default: return -1;
		}
	}
	if (i != n)
		return -1;
	*secs = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss - off;
	return 0;
}

static int parse_any_date(const char *s, size_t n, const char *fmt, const char *backup,
			  int64_t *secs)
{
	static const char *fallback[] = {
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f",
		"%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z",
	};
	if (fmt && !rs_tmpl_parse_date(s, n, fmt, secs))
		return 0;
	if (backup && !rs_tmpl_parse_date(s, n, backup, secs))
		return 0;
	if (fmt)
		return -1;
	for (size_t i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++)
		if (!rs_tmpl_parse_date(s, n, fallback[i], secs))
			return 0;
	return -1;
}

static const char *opt_str(struct rs_tv *v)
{
	return v && rs_tmpl_plain(v)->kind == TV_STR ? rs_tmpl_plain(v)->s : NULL;
}

static int date_diff(struct rs_tctx *c, const char *fn, int64_t unit, struct rs_targ *args,
		     unsigned nargs, struct rs_tv **out)
{
	struct rs_tv *d[2] = { ARG(0, "d0"), ARG(1, "d1") };
	const char *fmt = opt_str(ARG(2, "date_format"));
	const char *backup = opt_str(ARG(4, "backup_date_format"));
	struct rs_tv *none_if_error = ARG(5, "none_if_error");
	int64_t t[2];

	if (!d[0])
		d[0] = ARG(-1, "date_1");
	if (!d[1])
		d[1] = ARG(-1, "date_2");
	for (int k = 0; k < 2; k++) {
		const char *s;
		size_t n;
		int rc;

		if (!d[k] || rs_tmpl_plain(d[k])->kind == TV_NONE) {
			if (c->analysis)
				return ret(c, rs_tmpl_int(c, 0), out);
			if (none_if_error && rs_tmpl_truthy(none_if_error))
				return ret(c, &rs_tmpl_none, out);
			return rs_tmpl_fail(c, "Template Syntax Error: %s: missing date", fn);
		}
		if ((rc = strval(c, d[k], &s, &n)))
			return rc;
		if (parse_any_date(s, n, fmt, backup, &t[k])) {
			if (none_if_error && rs_tmpl_truthy(none_if_error))
				return ret(c, &rs_tmpl_none, out);
			return rs_tmpl_fail(c, "Template Syntax Error: %s: invalid date '%.*s'", fn,
					    (int)(n > 100 ? 100 : n), s);
		}
	}
	int64_t diff = t[1] > t[0] ? t[1] - t[0] : t[0] - t[1];
	return ret(c, rs_tmpl_int(c, diff / unit), out);
}

/* ---- helpers ---- */

static int sql_and(struct rs_tctx *c, struct rs_targ *args, unsigned nargs, struct rs_tv **out)
{
	static const struct {
		const char *suffix, *op;
	} ops[] = {
		{ "in", " IN " }, { "not_in", " NOT IN " }, { "gt", " > " }, { "lt", " < " },
		{ "gte", " >= " }, { "lte", " <= " }, { "eq", " = " }, { "neq", " != " },
		{ "ne", " != " }, { "like", " LIKE " },
	};
	struct rs_buf b = RS_BUF_INIT;
	int rc = 0, terms = 0;

	for (unsigned i = 0; i < nargs && !rc; i++) {
		const char *kw = args[i].kw, *sep;
		const char *op = " = ";
		size_t collen;

		if (!kw)
			continue;
		if (rs_tmpl_plain(args[i].v)->kind == TV_NONE && args[i].v->kind != TV_SQL)
			continue;
		collen = strlen(kw);
		sep = NULL;
		for (const char *p = kw; (p = strstr(p, "__")); p++)
			sep = p;
		if (sep) {
			for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
				if (!strcmp(sep + 2, ops[k].suffix)) {
					op = ops[k].op;
					collen = (size_t)(sep - kw);
					break;
				}
			}
		}
		if ((terms++ && rs_buf_adds(&b, " and ")) || rs_buf_add(&b, kw, collen) ||
		    rs_buf_adds(&b, op))
			rc = -ENOMEM;
		else
			rc = rs_tmpl_to_sql(c, args[i].v, &b);
	}
	if (!rc && !terms && rs_buf_adds(&b, "1"))
		rc = -ENOMEM;
	if (!rc && !(*out = rs_tmpl_sql(c, b.data, b.len, &rs_tmpl_true)))
		rc = -ENOMEM;
	rs_buf_release(&b);
	return rc == -ENOMEM ? rs_tmpl_nomem(c) : rc;
}

static int split_to_array(struct rs_tctx *c, struct rs_targ *args, unsigned nargs,
			  struct rs_tv **out)
{
	static struct rs_tv empty = { .kind = TV_STR, .s = "", .len = 0 };
	struct rs_tv *x = ARG(0, "x"), *sepv = ARG(2, "separator");
	const char *s, *sep = ",";
	size_t n, sl = 1, k = 1;
	struct rs_tv *l;
	int rc;

	if (!x || rs_tmpl_plain(x)->kind == TV_NONE)
		x = ARG(1, "default");
	if (!x || rs_tmpl_plain(x)->kind == TV_NONE)
		x = &empty;
	if (rs_tmpl_plain(x)->kind == TV_LIST)
		return ret(c, (struct rs_tv *)rs_tmpl_plain(x), out);
	if (sepv && rs_tmpl_plain(sepv)->kind == TV_STR && rs_tmpl_plain(sepv)->len) {
		sep = rs_tmpl_plain(sepv)->s;
		sl = rs_tmpl_plain(sepv)->len;
	}
	if ((rc = strval(c, x, &s, &n)))
		return rc;
	for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), sep, sl)); p += sl)
		k++;
	if (!(l = rs_tmpl_list(c, TV_LIST, k)))
		return rs_tmpl_nomem(c);
	k = 0;
	for (const char *p = s;;) {
		const char *e = memmem(p, n - (size_t)(p - s), sep, sl);
		const char *q = e ? e : s + n, *a = p;

		while (a < q && isspace((unsigned char)*a))
			a++;
		while (q > a && isspace((unsigned char)q[-1]))
			q--;
		if (!(l->items[k++] = rs_tmpl_str(c, a, (size_t)(q - a))))
			return rs_tmpl_nomem(c);
		if (!e)
			break;
		p = e + sl;
	}
	*out = l;
	return rs_tmpl_seal(c, l);
}

static int fail_with(struct rs_tctx *c, struct rs_tv *msg, struct rs_tv *code, int custom)
{
	const char *s = "";
	size_t n = 0;
	int rc;

	if (code && rs_tmpl_plain(code)->kind == TV_INT)
		c->http_status = (int)rs_tmpl_plain(code)->i;
	else
		c->http_status = 400;
	if (msg && custom && rs_tmpl_plain(msg)->kind == TV_DICT) {
		const struct rs_tv *d = rs_tmpl_plain(msg);
		struct rs_buf b = RS_BUF_INIT;

		for (size_t i = 0; i < d->n; i++) {
			const struct rs_tv *k = rs_tmpl_plain(d->items[i]);

			if (k->kind == TV_STR && !strcmp(k->s, "error") &&
			    rs_tmpl_plain(d->items[d->n + i])->kind == TV_STR)
				return rs_tmpl_fail(c, "%s", rs_tmpl_plain(d->items[d->n + i])->s);
		}
		rc = rs_tmpl_json_write(c, d, &b);
		if (!rc)
			rc = rs_tmpl_fail(c, "%s", b.data ? b.data : "");
		rs_buf_release(&b);
		return rc;
	}
	if (msg && (rc = strval(c, msg, &s, &n)))
		return rc;
	return rs_tmpl_fail(c, "%.*s", (int)n, s);
}

static int secret(struct rs_tctx *c, const char *what, struct rs_targ *args, unsigned nargs,
		  struct rs_tv **out)
{
	struct rs_tv *name = ARG(0, "name"), *def = ARG(1, "default");
	const char *s = "";
	size_t n = 0;
	int rc;

	if (def && rs_tmpl_plain(def)->kind != TV_NONE)
		return ret(c, def, out);
	if (name && (rc = strval(c, name, &s, &n)))
		return rc;
	return rs_tmpl_fail(c, "Cannot access %s '%.*s'", what, (int)n, s);
}

/* ---- Python builtins ---- */

static int to_number(struct rs_tctx *c, const struct rs_tv *v, int want_int, struct rs_tv **out)
{
	v = rs_tmpl_plain(v);
	if (v->kind == TV_INT || v->kind == TV_BOOL) {
		if (want_int)
			return ret(c, rs_tmpl_int(c, v->i), out);
		return ret(c, rs_tmpl_float(c, (double)v->i), out);
	}
	if (v->kind == TV_FLOAT) {
		if (!want_int)
			return ret(c, (struct rs_tv *)v, out);
		if (!isfinite(v->f) || fabs(v->f) >= 9.2e18)
			return rs_tmpl_fail(c, "Template Syntax Error: cannot convert float to integer");
		return ret(c, rs_tmpl_int(c, (int64_t)v->f), out);
	}
	if (v->kind == TV_STR) {
		char tmp[128];
		char *end;
		size_t n = v->len;
		const char *s = v->s;

		while (n && isspace((unsigned char)*s))
			s++, n--;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (n && n < sizeof(tmp) && !memchr(s, 'x', n) && !memchr(s, 'X', n)) {
			memcpy(tmp, s, n);
			tmp[n] = 0;
			errno = 0;
			if (want_int) {
				long long ll = strtoll(tmp, &end, 10);

				if (!*end && errno != ERANGE)
					return ret(c, rs_tmpl_int(c, ll), out);
			} else {
				double f = strtod(tmp, &end);

				if (!*end)
					return ret(c, rs_tmpl_float(c, f), out);
			}
		}
		return rs_tmpl_fail(c, want_int ? "Template Syntax Error: invalid literal for int() with base 10: '%.*s'"
						 : "Template Syntax Error: could not convert string to float: '%.*s'",
				    (int)(v->len > 100 ? 100 : v->len), v->s);
	}
	return rs_tmpl_fail(c, "Template Syntax Error: %s() argument must be a string or a number, not '%s'",
			    want_int ? "int" : "float", rs_tmpl_type_name(v));
}

static int range(struct rs_tctx *c, struct rs_targ *args, unsigned nargs, struct rs_tv **out)
{
	int64_t v[3] = { 0, 0, 1 };
	unsigned n = 0;
	struct rs_tv *l;

	for (unsigned i = 0; i < nargs && i < 3; i++) {
		const struct rs_tv *a = rs_tmpl_plain(args[i].v);

		if (a->kind != TV_INT && a->kind != TV_BOOL)
			return rs_tmpl_fail(c, "Template Syntax Error: '%s' object cannot be interpreted as an integer",
					    rs_tmpl_type_name(a));
		v[i] = a->i;
		n++;
	}
	if (n == 1) {
		v[1] = v[0];
		v[0] = 0;
	}
	if (!n || nargs > 3)
		return rs_tmpl_fail(c, "Template Syntax Error: range expected 1 to 3 arguments");
	if (!v[2])
		return rs_tmpl_fail(c, "Template Syntax Error: range() arg 3 must not be zero");
	double cnt = ceil(((double)v[1] - (double)v[0]) / (double)v[2]);
	if (cnt < 0)
		cnt = 0;
	if (cnt > RS_TMPL_MAX_ITERS)
		return rs_tmpl_fail(c, "Template Syntax Error: range too large (limit %d)", RS_TMPL_MAX_ITERS);
	if (!(l = rs_tmpl_list(c, TV_LIST, (size_t)cnt)))
		return rs_tmpl_nomem(c);
	for (size_t i = 0; i < l->n; i++)
		if (!(l->items[i] = rs_tmpl_int(c, v[0] + (int64_t)i * v[2])))
			return rs_tmpl_nomem(c);
	*out = l;
	return rs_tmpl_seal(c, l);
}

static int minmax(struct rs_tctx *c, int want_max, struct rs_targ *args, unsigned nargs,
		  struct rs_tv **out)
{
	struct rs_tv **items = NULL, *best = NULL;
	size_t n = 0;
	int rc, bad = 0;

	if (nargs == 1) {
		if ((rc = rs_tmpl_iter(c, args[0].v, &items, &n)))
			return rc;
	} else {
		if (!(items = rs_tmpl_alloc(c->a, (nargs ? nargs : 1) * sizeof(*items))))
			return rs_tmpl_nomem(c);
		for (unsigned i = 0; i < nargs; i++)
			items[n++] = args[i].v;
	}
	for (size_t i = 0; i < n; i++) {
		int cmp = best ? rs_tmpl_compare(items[i], best, &bad) : 0;

		if (bad)
			return rs_tmpl_fail(c, "Template Syntax Error: values cannot be compared");
		if (!best || (want_max ? cmp > 0 : cmp < 0))
			best = items[i];
	}
	if (!best)
		return rs_tmpl_fail(c, "Template Syntax Error: %s() arg is an empty sequence",
				    want_max ? "max" : "min");
	return ret(c, best, out);
}

static int builtin(struct rs_tctx *c, const char *name, struct rs_targ *args, unsigned nargs,
		   struct rs_tv **out)
{
	struct rs_tv *a0 = nargs ? args[0].v : &rs_tmpl_none;
	const struct rs_tv *p0 = rs_tmpl_plain(a0);
	struct rs_tv **items;
	size_t n;
	int rc;

	if (!strcmp(name, "len")) {
		if (p0->kind == TV_STR)
			return ret(c, rs_tmpl_int(c, (int64_t)p0->len), out);
		if (p0->kind == TV_LIST || p0->kind == TV_TUPLE || p0->kind == TV_DICT)
			return ret(c, rs_tmpl_int(c, (int64_t)p0->n), out);
		return rs_tmpl_fail(c, "Template Syntax Error: object of type '%s' has no len()",
				    rs_tmpl_type_name(p0));
	}
	if (!strcmp(name, "sum")) {
		struct rs_tv *acc = nargs > 1 ? args[1].v : rs_tmpl_int(c, 0);

		if ((rc = rs_tmpl_iter(c, a0, &items, &n)))
			return rc;
		for (size_t i = 0; i < n; i++) {
			struct rs_tx add = { .kind = TX_BIN, .op = OP_ADD, .nkids = 2, .line = c->line };
			struct rs_tx ka = { .kind = TX_CONST, .val = acc, .line = c->line };
			struct rs_tx kb = { .kind = TX_CONST, .val = items[i], .line = c->line };
			struct rs_tx *kids[2] = { &ka, &kb };

			add.kids = kids;
			if ((rc = rs_tmpl_eval(c, &add, &acc)))
				return rc;
		}
		return ret(c, acc, out);
	}
	if (!strcmp(name, "str")) {
		const char *s;
		size_t len;

		if (!nargs)
			return ret(c, rs_tmpl_str(c, "", 0), out);
		if ((rc = strval(c, a0, &s, &len)))
			return rc;
		return ret(c, rs_tmpl_str(c, s, len), out);
	}
	if (!strcmp(name, "int") || !strcmp(name, "float")) {
		struct rs_tv *z = nargs ? a0 : rs_tmpl_int(c, 0);

		return z ? to_number(c, z, name[0] == 'i', out) : rs_tmpl_nomem(c);
	}
	if (!strcmp(name, "range"))
		return range(c, args, nargs, out);
	if (!strcmp(name, "min") || !strcmp(name, "max"))
		return minmax(c, name[1] == 'a', args, nargs, out);
	if (!strcmp(name, "abs")) {
		if (p0->kind == TV_FLOAT)
			return ret(c, rs_tmpl_float(c, fabs(p0->f)), out);
		if ((p0->kind == TV_INT || p0->kind == TV_BOOL) && p0->i != INT64_MIN)
			return ret(c, rs_tmpl_int(c, p0->i < 0 ? -p0->i : p0->i), out);
		return rs_tmpl_fail(c, "Template Syntax Error: bad operand type for abs(): '%s'",
				    rs_tmpl_type_name(p0));
	}
	if (!strcmp(name, "round")) {
		if (p0->kind != TV_FLOAT && p0->kind != TV_INT && p0->kind != TV_BOOL)
			return rs_tmpl_fail(c, "Template Syntax Error: type %s doesn't define __round__",
					    rs_tmpl_type_name(p0));
		double f = p0->kind == TV_FLOAT ? p0->f : (double)p0->i;
		if (nargs > 1 && rs_tmpl_plain(args[1].v)->kind == TV_INT) {
			int64_t d = rs_tmpl_plain(args[1].v)->i;
			double m = pow(10, (double)(d > 15 ? 15 : d < -15 ? -15 : d));

			return ret(c, rs_tmpl_float(c, nearbyint(f * m) / m), out);
		}
		if (!isfinite(f) || fabs(f) >= 9.2e18)
			return rs_tmpl_fail(c, "Template Syntax Error: cannot convert float to integer");
		return ret(c, rs_tmpl_int(c, (int64_t)nearbyint(f)), out);
	}
	if (!strcmp(name, "list") || !strcmp(name, "enumerate") ||
	    !strcmp(name, "enumerate_with_last")) {
		struct rs_tv *l;

		if (!nargs)
			return ret(c, rs_tmpl_list(c, TV_LIST, 0), out);
		if ((rc = rs_tmpl_iter(c, a0, &items, &n)))
			return rc;
		if (!(l = rs_tmpl_list(c, TV_LIST, n)))
			return rs_tmpl_nomem(c);
		for (size_t i = 0; i < n; i++) {
			if (name[0] == 'l') {
				l->items[i] = items[i];
				continue;
			}
			struct rs_tv *t = rs_tmpl_list(c, TV_TUPLE, 2);
			if (!t)
				return rs_tmpl_nomem(c);
			t->items[0] = name[9] == '_' ? rs_tmpl_bool(i + 1 == n) : rs_tmpl_int(c, (int64_t)i);
			t->items[1] = items[i];
			if (!t->items[0])
				return rs_tmpl_nomem(c);
			if ((rc = rs_tmpl_seal(c, t)))
				return rc;
			l->items[i] = t;
		}
		*out = l;
		return rs_tmpl_seal(c, l);
	}
	return -ENOENT;
}

int rs_tmpl_call_helper(struct rs_tctx *c, const char *name, struct rs_targ *args,
			unsigned nargs, struct rs_tv **out)
{
	static const char *noops[] = { "max_threads", "cache_ttl", "activate", "backend_hint",
				       "settings" };

	if (!strcmp(name, "defined")) {
		struct rs_tv *x = ARG(0, "x");

		return ret(c, rs_tmpl_bool(x && rs_tmpl_plain(x)->kind != TV_NONE), out);
	}
	if (!strcmp(name, "error") || !strcmp(name, "custom_error")) {
		if (c->analysis)
			return ret(c, empty_sql(c), out);
		return fail_with(c, ARG(0, name[0] == 'e' ? "err" : "error"), ARG(1, "code"),
				 name[0] == 'c');
	}
	if (!strcmp(name, "sql_and"))
		return sql_and(c, args, nargs, out);
	if (!strcmp(name, "split_to_array"))
		return split_to_array(c, args, nargs, out);
	if (!strcmp(name, "sql_unescape")) {
		struct rs_tv *x = ARG(0, "x"), *chv = ARG(1, "pattern");
		const char *chars = opt_str(chv) ? opt_str(chv) : "%";
		const char *s;
		size_t n, k = 0;
		char *o;
		int rc;

		if (!x || rs_tmpl_plain(x)->kind == TV_NONE)
			return ret(c, &rs_tmpl_none, out);
		if (x->kind == TV_SQL)
			s = x->s, n = x->len;
		else if ((rc = strval(c, x, &s, &n)))
			return rc;
		if (!(o = rs_tmpl_alloc(c->a, n + 1)))
			return rs_tmpl_nomem(c);
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '\\' && i + 1 < n && s[i + 1] && strchr(chars, s[i + 1]))
				i++;
			o[k++] = s[i];
		}
		if (x->kind == TV_SQL)
			return ret(c, rs_tmpl_sql(c, o, k, x->base), out);
		return ret(c, rs_tmpl_str(c, o, k), out);
	}
	if (!strcmp(name, "day_diff"))
		return date_diff(c, name, 86400, args, nargs, out);
	if (!strncmp(name, "date_diff_in_", 13)) {
		const char *u = name + 13;
		int64_t unit = !strcmp(u, "seconds") ? 1 : !strcmp(u, "minutes") ? 60
			       : !strcmp(u, "hours") ? 3600 : !strcmp(u, "days") ? 86400 : 0;

		if (unit)
			return date_diff(c, name, unit, args, nargs, out);
	}
	for (size_t i = 0; i < sizeof(noops) / sizeof(noops[0]); i++)
		if (!strcmp(name, noops[i]))
			return ret(c, empty_sql(c), out);
	if (!strcmp(name, "tb_secret"))
		return secret(c, "secret", args, nargs, out);
	if (!strcmp(name, "tb_var"))
		return secret(c, "secret", args, nargs, out);
	return builtin(c, name, args, nargs, out);
}
