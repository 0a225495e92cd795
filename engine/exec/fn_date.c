/*
 * fn_date.c - date and time functions (UTC; time zone arguments are
 * accepted and ignored): toDate, toDateTime, toStartOf*, toYYYYMM, toYear..
 * toSecond, toDayOfWeek, dateDiff, dateAdd/dateSub, addX/subtractX, now,
 * today, yesterday, toUnixTimestamp.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "../types/value.h"
#include "../types/value_int.h"
#include "fn_int.h"

enum {
	D_TODATE, D_TODATETIME, D_SOHOUR, D_SOMIN, D_SO5MIN, D_SO10MIN, D_SO15MIN, D_SODAY,
	D_SOWEEK, D_SOMONDAY, D_SOMONTH, D_SOQUARTER, D_SOYEAR, D_YYYYMM, D_YYYYMMDD, D_YEAR,
	D_QUARTER, D_MONTH, D_DOM, D_DOY, D_DOW, D_HOUR, D_MINUTE, D_SECOND, D_UNIX,
};

static const struct { const char *name; int mode; enum rs_type_id ret; } dfns[] = {
	{ "toDate", D_TODATE, RS_T_DATE }, { "toDateTime", D_TODATETIME, RS_T_DATETIME },
	{ "toStartOfHour", D_SOHOUR, RS_T_DATETIME }, { "toStartOfMinute", D_SOMIN, RS_T_DATETIME },
	{ "toStartOfFiveMinutes", D_SO5MIN, RS_T_DATETIME },
	{ "toStartOfFiveMinute", D_SO5MIN, RS_T_DATETIME },
	{ "toStartOfTenMinutes", D_SO10MIN, RS_T_DATETIME },
	{ "toStartOfFifteenMinutes", D_SO15MIN, RS_T_DATETIME },
	{ "toStartOfDay", D_SODAY, RS_T_DATETIME }, { "toStartOfWeek", D_SOWEEK, RS_T_DATE },
	{ "toMonday", D_SOMONDAY, RS_T_DATE }, { "toStartOfMonth", D_SOMONTH, RS_T_DATE },
	{ "toStartOfQuarter", D_SOQUARTER, RS_T_DATE }, { "toStartOfYear", D_SOYEAR, RS_T_DATE },
	{ "toYYYYMM", D_YYYYMM, RS_T_UINT32 }, { "toYYYYMMDD", D_YYYYMMDD, RS_T_UINT32 },
	{ "toYear", D_YEAR, RS_T_UINT16 }, { "toQuarter", D_QUARTER, RS_T_UINT8 },
	{ "toMonth", D_MONTH, RS_T_UINT8 }, { "toDayOfMonth", D_DOM, RS_T_UINT8 },
	{ "toDayOfYear", D_DOY, RS_T_UINT16 }, { "toDayOfWeek", D_DOW, RS_T_UINT8 },
	{ "toHour", D_HOUR, RS_T_UINT8 }, { "toMinute", D_MINUTE, RS_T_UINT8 },
	{ "toSecond", D_SECOND, RS_T_UINT8 }, { "toUnixTimestamp", D_UNIX, RS_T_UINT32 },
};

static int dfn_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const struct rs_type *a = rs_type_base(e->args[0]->type);

	for (unsigned i = 0; i < sizeof(dfns) / sizeof(dfns[0]); i++)
		if (!strcmp(dfns[i].name, e->fn->name)) {
			e->mode = dfns[i].mode;
			e->type = rs_qtype(q, dfns[i].ret);
		}
	if (rs_type_is_date(a) || a->id == RS_T_DATETIME64)
		return 0;
	if ((e->mode == D_TODATE || e->mode == D_TODATETIME || e->mode == D_UNIX) &&
	    (rs_ncls(a) == RS_NC_STR || rs_type_is_num(a)))
		return 0;
	if (rs_ncls(a) == RS_NC_STR && e->args[0]->kind == RS_X_CONST)
		return 0;
	return rs_fn_bad_args(q, e);
}

/* Seconds since epoch of every row (strings parsed as DateTime). */
static int load_secs(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *v, size_t n,
		     int64_t *t)
{
	const struct rs_type *b = rs_type_base(v->c->type);

	if (b->id == RS_T_DATETIME) {
		rs_load_i64(v, n, t);
	} else if (b->id == RS_T_DATE || b->id == RS_T_DATE32) {
		rs_load_i64(v, n, t);
		for (size_t i = 0; i < n; i++)
			t[i] *= 86400;
	} else if (b->id == RS_T_DATETIME64) {
		int64_t s = 1;
		rs_load_i64(v, n, t);
		for (unsigned i = 0; i < b->n; i++)
			s *= 10;
		for (size_t i = 0; i < n; i++)
			t[i] = rs_floor_div(t[i], s);
	} else if (rs_ncls(b) == RS_NC_STR) {
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const char *s = rs_col_str(v->c, rs_vrow(v, i), &len);
			int64_t x;

			if (rs_parse_datetime(s, len, &x))
				return rs_errf(q->err, -EINVAL, "cannot parse '%.*s' as DateTime",
					       (int)(len > 64 ? 64 : len), s);
			t[i] = x;
		}
		if (e->mode == D_TODATE)	/* keep plain dates exact */
			return 0;
	} else {
		rs_load_i64(v, n, t);
		if (e->mode == D_TODATE)
			for (size_t i = 0; i < n; i++)
				t[i] = t[i] < 65536 ? t[i] * 86400 : t[i];
	}
	return 0;
}

static int dfn_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	int64_t *t = rs_scratch(e, 0, n * 8 + 8);
	int rc;

	if (!t)
		return rs_fn_nomem(q);
	if ((rc = load_secs(q, e, &a[0], n, t)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		int64_t s = t[i], d = rs_floor_div(s, 86400);
		int y;
		unsigned m, dd;

		switch (e->mode) {
		case D_TODATE: t[i] = d; break;
		case D_TODATETIME: case D_UNIX: break;
		case D_SOHOUR: t[i] = s - (s % 3600 + 3600) % 3600; break;
		case D_SOMIN: t[i] = s - (s % 60 + 60) % 60; break;
		case D_SO5MIN: t[i] = s - (s % 300 + 300) % 300; break;
		case D_SO10MIN: t[i] = s - (s % 600 + 600) % 600; break;
		case D_SO15MIN: t[i] = s - (s % 900 + 900) % 900; break;
		case D_SODAY: t[i] = d * 86400; break;
		case D_SOWEEK: t[i] = d - (d + 4) % 7; break;	/* Sunday */
		case D_SOMONDAY: t[i] = d - (d + 3) % 7; break;
		case D_DOW: t[i] = (d + 3) % 7 + 1; break;
		case D_HOUR: t[i] = (s % 86400 + 86400) % 86400 / 3600; break;
		case D_MINUTE: t[i] = (s % 3600 + 3600) % 3600 / 60; break;
		case D_SECOND: t[i] = (s % 60 + 60) % 60; break;
		default:
			rs_civil_from_days((int32_t)d, &y, &m, &dd);
			switch (e->mode) {
			case D_SOMONTH: t[i] = rs_days_from_civil(y, m, 1); break;
			case D_SOQUARTER: t[i] = rs_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1); break;
			case D_SOYEAR: t[i] = rs_days_from_civil(y, 1, 1); break;
			case D_YYYYMM: t[i] = y * 100 + (int)m; break;
			case D_YYYYMMDD: t[i] = y * 10000 + (int)m * 100 + (int)dd; break;
			case D_YEAR: t[i] = y; break;
			case D_QUARTER: t[i] = (m - 1) / 3 + 1; break;
			case D_MONTH: t[i] = m; break;
			case D_DOM: t[i] = dd; break;
			case D_DOY: t[i] = d - rs_days_from_civil(y, 1, 1) + 1; break;
			}
		}
	}
	return rs_store_i64(out, t, n) ? rs_fn_nomem(q) : 0;
}

/* ---- now, today ---- */

static int now_bind(struct rs_qctx *q, struct rs_expr *e)
{
	e->type = rs_qtype(q, e->fn->name[0] == 'n' ? RS_T_DATETIME : RS_T_DATE);
	return 0;
}

static int now_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	int64_t v = q->now, *t = rs_scratch(e, 0, n * 8 + 8);

	if (!t)
		return rs_fn_nomem(q);
	if (e->fn->name[0] == 't')
		v = rs_floor_div(v, 86400);
	else if (e->fn->name[0] == 'y')
		v = rs_floor_div(v, 86400) - 1;
	for (size_t i = 0; i < n; i++)
		t[i] = v;
	return rs_store_i64(out, t, n) ? rs_fn_nomem(q) : 0;
}

/* ---- units: dateDiff, dateAdd, addDays ... ---- */

enum { U_SECOND, U_MINUTE, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_QUARTER, U_YEAR };

static int unit_of(const char *s, size_t len)
{
	static const char *names[][3] = {
		{ "second", "seconds", "ss" }, { "minute", "minutes", "mi" },
		{ "hour", "hours", "hh" }, { "day", "days", "dd" }, { "week", "weeks", "wk" },
		{ "month", "months", "mm" }, { "quarter", "quarters", "qq" },
		{ "year", "years", "yyyy" },
	};

	for (int u = 0; u < 8; u++)
		for (int k = 0; k < 3; k++)
			if (strlen(names[u][k]) == len && !strncasecmp(names[u][k], s, len))
				return u;
	return -1;
}

static int64_t months_of(int64_t secs)
{
	int y;
	unsigned m, d;

	rs_civil_from_days((int32_t)rs_floor_div(secs, 86400), &y, &m, &d);
	return (int64_t)y * 12 + m - 1;
}

static int64_t add_months(int64_t days, int64_t k)
{
	int y;
	unsigned m, d;
	int64_t mm;
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	rs_civil_from_days((int32_t)days, &y, &m, &d);
	mm = (int64_t)y * 12 + m - 1 + k;
	y = (int)rs_floor_div(mm, 12);
	m = (unsigned)(mm - (int64_t)y * 12) + 1;
	{
		unsigned lim = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
		if (d > lim)
			d = lim;
	}
	return rs_days_from_civil(y, m, d);
}

static int diff_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const char *s;
	size_t len;
	int rc;

	if ((rc = rs_fn_const_str(q, e, 0, &s, &len)))
		return rc;
	if ((e->mode = unit_of(s, len)) < 0)
		return rs_errf(q->err, -EINVAL, "unknown unit '%.*s' of function 'dateDiff'",
			       (int)len, s);
	if (!rs_type_is_date(e->args[1]->type) || !rs_type_is_date(e->args[2]->type))
		return rs_fn_bad_args(q, e);
	e->type = rs_qtype(q, RS_T_INT64);
	return 0;
}

static int diff_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		     struct rs_col *out)
{
	int64_t *x = rs_scratch(e, 0, n * 8 + 8), *y = rs_scratch(e, 1, n * 8 + 8);
	int rc;

	if (!x || !y)
		return rs_fn_nomem(q);
	if ((rc = load_secs(q, e, &a[1], n, x)) || (rc = load_secs(q, e, &a[2], n, y)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		switch (e->mode) {
		case U_SECOND: x[i] = y[i] - x[i]; break;
		case U_MINUTE: x[i] = rs_floor_div(y[i], 60) - rs_floor_div(x[i], 60); break;
		case U_HOUR: x[i] = rs_floor_div(y[i], 3600) - rs_floor_div(x[i], 3600); break;
		case U_DAY: x[i] = rs_floor_div(y[i], 86400) - rs_floor_div(x[i], 86400); break;
		case U_WEEK:
			x[i] = rs_floor_div(rs_floor_div(y[i], 86400) + 3, 7) -
			       rs_floor_div(rs_floor_div(x[i], 86400) + 3, 7);
			break;
		case U_MONTH: x[i] = months_of(y[i]) - months_of(x[i]); break;
		case U_QUARTER: x[i] = rs_floor_div(months_of(y[i]), 3) - rs_floor_div(months_of(x[i]), 3); break;
		default: x[i] = rs_floor_div(months_of(y[i]), 12) - rs_floor_div(months_of(x[i]), 12);
		}
	}
	return rs_store_i64(out, x, n) ? rs_fn_nomem(q) : 0;
}

static const char *add_units[] = { "Seconds", "Minutes", "Hours", "Days", "Weeks", "Months",
				   "Quarters", "Years" };

/* addDays(d, n), subtractHours(d, n), dateAdd(unit, n, d), dateSub(unit, n, d) */
static int add_bind(struct rs_qctx *q, struct rs_expr *e)
{
	const char *f = e->fn->name;
	unsigned darg = 0, narg = 1;
	int rc;

	e->mode = -1;
	if (!strncmp(f, "date", 4)) {
		const char *s;
		size_t len;

		if ((rc = rs_fn_const_str(q, e, 0, &s, &len)))
			return rc;
		if ((e->mode = unit_of(s, len)) < 0)
			return rs_errf(q->err, -EINVAL, "unknown unit '%.*s' of function '%s'",
				       (int)len, s, f);
		darg = 2;
		narg = 1;
		if (!strcmp(f, "dateSub"))
			e->mode |= 16;
	} else {
		const char *u = f[0] == 'a' ? f + 3 : f + 8;

		for (int i = 0; i < 8; i++)
			if (!strcmp(u, add_units[i]))
				e->mode = i;
		if (f[0] == 's')
			e->mode |= 16;
	}
	e->mode |= (int)darg << 8 | (int)narg << 12;
	if (!rs_type_is_date(e->args[darg]->type) && rs_ncls(e->args[darg]->type) != RS_NC_STR)
		return rs_fn_bad_args(q, e);
	if (!rs_type_is_num(e->args[narg]->type))
		return rs_fn_bad_args(q, e);
	e->type = rs_type_base(e->args[darg]->type);
	if (rs_ncls(e->type) == RS_NC_STR)
		e->type = rs_qtype(q, RS_T_DATETIME);
	if (e->type->id != RS_T_DATETIME && (e->mode & 15) < U_DAY)
		e->type = rs_qtype(q, RS_T_DATETIME);
	return 0;
}

static int add_exec(struct rs_qctx *q, struct rs_expr *e, struct rs_vec *a, size_t n,
		    struct rs_col *out)
{
	int unit = e->mode & 15, neg = e->mode & 16, rc;
	unsigned darg = (e->mode >> 8) & 15, narg = (e->mode >> 12) & 15;
	int64_t *x = rs_scratch(e, 0, n * 8 + 8), *k = rs_scratch(e, 1, n * 8 + 8);
	int is_dt = e->type->id == RS_T_DATETIME;

	if (!x || !k)
		return rs_fn_nomem(q);
	if ((rc = load_secs(q, e, &a[darg], n, x)))
		return rc;
	rs_load_i64(&a[narg], n, k);
	for (size_t i = 0; i < n; i++) {
		int64_t kk = neg ? -k[i] : k[i], s = x[i];
		static const int64_t mul[] = { 1, 60, 3600, 86400, 604800 };

		if (unit <= U_WEEK)
			s += kk * mul[unit];
		else {
			int64_t months = unit == U_MONTH ? kk : unit == U_QUARTER ? kk * 3 : kk * 12;
			int64_t d = rs_floor_div(s, 86400), tod = s - d * 86400;
			s = add_months(d, months) * 86400 + tod;
		}
		x[i] = is_dt ? s : rs_floor_div(s, 86400);
	}
	return rs_store_i64(out, x, n) ? rs_fn_nomem(q) : 0;
}

#define DF(name) { name, 1, 2, 0, dfn_bind, dfn_exec }
#define ADD(name) { name, 2, 2, 0, add_bind, add_exec }

const struct rs_fn rs_fns_date[] = {
	DF("toDate"), DF("toDateTime"), DF("toStartOfHour"), DF("toStartOfMinute"),
	DF("toStartOfFiveMinutes"), DF("toStartOfFiveMinute"), DF("toStartOfTenMinutes"),
	DF("toStartOfFifteenMinutes"), DF("toStartOfDay"), DF("toStartOfWeek"), DF("toMonday"),
	DF("toStartOfMonth"), DF("toStartOfQuarter"), DF("toStartOfYear"), DF("toYYYYMM"),
	DF("toYYYYMMDD"), DF("toYear"), DF("toQuarter"), DF("toMonth"), DF("toDayOfMonth"),
	DF("toDayOfYear"), DF("toDayOfWeek"), DF("toHour"), DF("toMinute"), DF("toSecond"),
	DF("toUnixTimestamp"),
	{ "now", 0, 1, RS_FN_NOFOLD, now_bind, now_exec },
	{ "today", 0, 0, RS_FN_NOFOLD, now_bind, now_exec },
	{ "yesterday", 0, 0, RS_FN_NOFOLD, now_bind, now_exec },
	{ "dateDiff", 3, 4, 0, diff_bind, diff_exec },
	{ "dateAdd", 3, 3, 0, add_bind, add_exec },
	{ "dateSub", 3, 3, 0, add_bind, add_exec },
	ADD("addSeconds"), ADD("addMinutes"), ADD("addHours"), ADD("addDays"), ADD("addWeeks"),
	ADD("addMonths"), ADD("addQuarters"), ADD("addYears"),
	ADD("subtractSeconds"), ADD("subtractMinutes"), ADD("subtractHours"), ADD("subtractDays"),
	ADD("subtractWeeks"), ADD("subtractMonths"), ADD("subtractQuarters"), ADD("subtractYears"),
	{ NULL, 0, 0, 0, NULL, NULL },
};
