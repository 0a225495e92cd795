/*
 * tz.c - IANA time zones from the system TZif files, for DateTime('TZ').
 *
 * A zone is loaded once into a sorted table of (UTC instant, offset) pairs.
 * Transitions after the file's last one come from its POSIX TZ footer and are
 * expanded up to year 2300 at load time, so a lookup is one binary search.
 */
#include "value_int.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "value.h"

#define TZ_DIR "/usr/share/zoneinfo/"
#define TZ_LAST_YEAR 2300

struct rs_tz {
	struct rs_tz *next;
	char *name;
	size_t n;		/* transitions */
	int64_t *at;		/* UTC instants, ascending */
	int32_t *off;		/* offset in effect from at[i] */
	int32_t off0;		/* offset before the first transition */
};

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rs_tz *tz_list;

/* --- TZ table building ------------------------------------------------ */

struct table {
	size_t n, cap;
	int64_t *at;
	int32_t *off;
};

static int table_add(struct table *t, int64_t at, int32_t off)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		int64_t *a = realloc(t->at, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		t->at = a;
		int32_t *o = realloc(t->off, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		t->off = o;
		t->cap = cap;
	}
	t->at[t->n] = at;
	t->off[t->n] = off;
	t->n++;
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* --- POSIX TZ footer ("CET-1CEST,M3.5.0,M10.5.0/3") ------------------- */

struct rule_date {
	char kind;		/* 'J', 'M' or 'n' */
	int m, w, d;		/* M: month, week, weekday; J/n: day in d */
	int32_t secs;		/* local time of day of the change */
};

struct posix_tz {
	int32_t std_off, dst_off;	/* seconds east of UTC */
	int has_dst, has_rule;
	struct rule_date start, end;
};

static const char *skip_name(const char *p)
{
	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p ? p + 1 : NULL;
	}
	const char *s = p;
	while (isalpha((unsigned char)*p))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] -> seconds; NULL on error */
static const char *parse_hms(const char *p, int32_t *out)
{
	int sign = 1, v[3] = { 0, 0, 0 };

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p) && v[i] < 1000)
			v[i] = v[i] * 10 + (*p++ - '0');
		if (*p != ':' || i == 2)
			break;
		p++;
	}
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return p;
}

static const char *parse_num(const char *p, int *out)
{
	int v = 0;

	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p) && v < 10000)
		v = v * 10 + (*p++ - '0');
	*out = v;
	return p;
}

static const char *parse_rule_date(const char *p, struct rule_date *r)
{
	if (*p == 'M') {
		r->kind = 'M';
		if (!(p = parse_num(p + 1, &r->m)) || *p++ != '.' ||
		    !(p = parse_num(p, &r->w)) || *p++ != '.' ||
		    !(p = parse_num(p, &r->d)))
			return NULL;
		if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d > 6)
			return NULL;
	} else if (*p == 'J') {
		r->kind = 'J';
		if (!(p = parse_num(p + 1, &r->d)) || r->d < 1 || r->d > 365)
			return NULL;
	} else {
		r->kind = 'n';
		if (!(p = parse_num(p, &r->d)) || r->d > 365)
			return NULL;
	}
	r->secs = 7200;
	if (*p == '/' && !(p = parse_hms(p + 1, &r->secs)))
		return NULL;
	return p;
}

static int parse_posix(const char *p, struct posix_tz *tz)
{
	int32_t off;

	memset(tz, 0, sizeof(*tz));
	if (!(p = skip_name(p)) || !(p = parse_hms(p, &off)))
		return -EINVAL;
	tz->std_off = -off;
	if (!*p)
		return 0;
	if (!(p = skip_name(p)))
		return -EINVAL;
	tz->has_dst = 1;
	tz->dst_off = tz->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = parse_hms(p, &off)))
			return -EINVAL;
		tz->dst_off = -off;
	}
	if (*p != ',')
		return -EINVAL;	/* DST without a rule: no default in practice */
	if (!(p = parse_rule_date(p + 1, &tz->start)) || *p != ',' ||
	    !(p = parse_rule_date(p + 1, &tz->end)) || *p)
		return -EINVAL;
	tz->has_rule = 1;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Day number (since 1970-01-01) of a rule date in year y. */
static int64_t rule_day(const struct rule_date *r, int y)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t jan1 = rs_days_from_civil(y, 1, 1);

	if (r->kind == 'J')
		return jan1 + r->d - 1 + (is_leap(y) && r->d >= 60);
	if (r->kind == 'n')
		return jan1 + r->d;
	int64_t first = rs_days_from_civil(y, (unsigned)r->m, 1);
	int wday = (int)(((first + 4) % 7 + 7) % 7);
	int day = 1 + (r->d - wday + 7) % 7 + (r->w - 1) * 7;
	int dim = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
	while (day > dim)
		day -= 7;
	return first + day - 1;
}

/* Expand the footer rule for the years after the table's last entry. */
static int expand_rule(struct table *t, const struct posix_tz *ptz)
{
	int64_t last = t->n ? t->at[t->n - 1] : INT64_MIN;
	int y0 = 1900;
	int rc;

	if (!ptz->has_rule) {
		if (!t->n || t->off[t->n - 1] != ptz->std_off)
			return table_add(t, t->n ? last + 1 : INT64_MIN / 2, ptz->std_off);
		return 0;
	}
	if (t->n) {
		int yy;
		unsigned mm, dd;

		rs_civil_from_days((int32_t)rs_floor_div(last, 86400), &yy, &mm, &dd);
		y0 = yy;
	}
	for (int y = y0; y <= TZ_LAST_YEAR; y++) {
		int64_t s = rule_day(&ptz->start, y) * 86400 + ptz->start.secs - ptz->std_off;
		int64_t e = rule_day(&ptz->end, y) * 86400 + ptz->end.secs - ptz->dst_off;
		int64_t a1 = s < e ? s : e, a2 = s < e ? e : s;
		int32_t o1 = s < e ? ptz->dst_off : ptz->std_off;
		int32_t o2 = s < e ? ptz->std_off : ptz->dst_off;

		if (a1 > last && (rc = table_add(t, a1, o1)))
			return rc;
		if (a2 > last && (rc = table_add(t, a2, o2)))
			return rc;
	}
	return 0;
}

/* --- TZif parsing ------------------------------------------------------ */

static int load_tzif(const unsigned char *p, size_t len, struct rs_tz *tz)
{
	struct table t = { 0 };
	const unsigned char *end = p + len, *d;
	uint32_t cnt[6];
	int ver, tsize = 4, rc = -ENOENT;

	if (len < 44 || memcmp(p, "TZif", 4))
		return -ENOENT;
	ver = p[4] ? p[4] - '0' : 1;
	for (int i = 0; i < 6; i++)
		cnt[i] = be32(p + 20 + 4 * i);
	if (ver >= 2) {
		/* skip the v1 block to the 64-bit one */
		size_t v1 = (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 + cnt[5] +
			    (size_t)cnt[2] * 8 + cnt[1] + cnt[0];
		if ((size_t)(end - p) < 44 + v1 + 44)
			return -ENOENT;
		p += 44 + v1;
		if (memcmp(p, "TZif", 4))
			return -ENOENT;
		for (int i = 0; i < 6; i++)
			cnt[i] = be32(p + 20 + 4 * i);
		tsize = 8;
	}
	/* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
	uint32_t timecnt = cnt[3], typecnt = cnt[4];
	size_t need = (size_t)timecnt * (tsize + 1) + (size_t)typecnt * 6 + cnt[5] +
		      (size_t)cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
	d = p + 44;
	if (!typecnt || (size_t)(end - d) < need)
		return -ENOENT;
	const unsigned char *times = d, *idx = d + (size_t)timecnt * tsize;
	const unsigned char *types = idx + timecnt;
	for (uint32_t i = 0; i < timecnt; i++) {
		int64_t at = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
		if (idx[i] >= typecnt)
			goto out;
		if ((rc = table_add(&t, at, (int32_t)be32(types + 6 * idx[i]))))
			goto out;
	}
	tz->off0 = (int32_t)be32(types);
	if (ver >= 2) {
		const unsigned char *f = d + need;
		if (f < end && *f == '\n') {
			const unsigned char *nl = memchr(f + 1, '\n', (size_t)(end - f - 1));
			if (nl && nl > f + 1) {
				char buf[128];
				struct posix_tz ptz;
				size_t n = RS_MIN((size_t)(nl - f - 1), sizeof(buf) - 1);

				memcpy(buf, f + 1, n);
				buf[n] = 0;
				if (!parse_posix(buf, &ptz) && (rc = expand_rule(&t, &ptz)))
					goto out;
				if (!timecnt && !t.n)
					tz->off0 = ptz.std_off;
			}
		}
	}
	tz->n = t.n;
	tz->at = t.at;
	tz->off = t.off;
	return 0;
out:
	free(t.at);
	free(t.off);
	return rc ? rc : -ENOENT;
}

static int is_utc_name(const char *s)
{
	static const char *const names[] = {
		"UTC", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Etc/UCT", "Zulu",
		"Etc/Zulu", "Universal", "Etc/Universal", "GMT0", "Etc/GMT0",
		"GMT+0", "GMT-0", "Etc/GMT+0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich",
	};
	for (size_t i = 0; i < RS_ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || s[0] == '/' || strstr(s, ".."))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_+-", *s))
			return 0;
	return 1;
}

int rs_tz_get(const char *name, const struct rs_tz **out)
{
	struct rs_tz *tz;
	char path[128];
	char *data = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (is_utc_name(name))
		return 0;
	if (!name_ok(name))
		return -ENOENT;
	pthread_mutex_lock(&tz_lock);
	for (tz = tz_list; tz; tz = tz->next)
		if (!strcmp(tz->name, name))
			goto found;
	snprintf(path, sizeof(path), TZ_DIR "%s", name);
	if ((rc = rs_read_file(path, &data, &len))) {
		pthread_mutex_unlock(&tz_lock);
		return rc == -ENOMEM ? rc : -ENOENT;
	}
	tz = xcalloc(1, sizeof(*tz));
	if ((rc = load_tzif((const unsigned char *)data, len, tz))) {
		free(data);
		free(tz);
		pthread_mutex_unlock(&tz_lock);
		return rc;
	}
	free(data);
	tz->name = xstrdup(name);
	tz->next = tz_list;
	tz_list = tz;
found:
	pthread_mutex_unlock(&tz_lock);
	*out = tz;
	return 0;
}

int32_t rs_tz_offset(const struct rs_tz *tz, int64_t t)
{
	size_t lo = 0, hi;

	if (!tz)
		return 0;
	hi = tz->n;
	if (!hi || t < tz->at[0])
		return tz->off0;
	/* last i with at[i] <= t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->off[lo];
}

int64_t rs_tz_to_utc(const struct rs_tz *tz, int64_t local)
{
	int32_t o1, o2;

	if (!tz)
		return local;
	/* try both offsets around 'local'; prefer the earlier valid instant */
	o1 = rs_tz_offset(tz, local - 86400);
	o2 = rs_tz_offset(tz, local + 86400);
	if (o1 != o2) {
		int64_t u1 = local - o1, u2 = local - o2;
		int ok1 = rs_tz_offset(tz, u1) == o1, ok2 = rs_tz_offset(tz, u2) == o2;

		if (ok1 && ok2)
			return u1 < u2 ? u1 : u2;
		if (ok1)
			return u1;
		if (ok2)
			return u2;
		/* in a gap: move forward by the jump, as most systems do */
		return local - o1;
	}
	return local - o1;
}

void rs_tz_release_all(void)
{
	pthread_mutex_lock(&tz_lock);
	while (tz_list) {
		struct rs_tz *tz = tz_list;

		tz_list = tz->next;
		free(tz->name);
		free(tz->at);
		free(tz->off);
		free(tz);
	}
	pthread_mutex_unlock(&tz_lock);
}
