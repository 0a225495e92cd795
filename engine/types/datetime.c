/*
 * datetime.c - the proleptic Gregorian calendar, Date/DateTime text parsing
 * and fast Date/DateTime formatting (no snprintf).
 */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "value_int.h"

static const char digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* ------------------------------------------------------------------------
 * Calendar (Howard Hinnant's civil algorithms, proleptic Gregorian)
 */

int32_t rs_days_from_civil(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

void rs_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400) + (*m <= 2);
}

static unsigned days_in_month(int y, unsigned m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return dim[m - 1] + (m == 2 && leap);
}

/* up to 'max' digits starting at s[*i]; at least one */
static int digits(const char *s, size_t len, size_t *i, unsigned max, unsigned *out)
{
	unsigned v = 0, n = 0;

	while (*i < len && n < max && isdigit((unsigned char)s[*i])) {
		v = v * 10 + (unsigned)(s[*i] - '0');
		(*i)++;
		n++;
	}
	*out = v;
	return n ? 0 : -EINVAL;
}

/* YYYY-MM-DD (also / or . as separator, 1-2 digit month and day) */
static int parse_ymd(const char *s, size_t len, size_t *used, int32_t *days)
{
	size_t i = 0;
	unsigned y, m, d;
	char sep;

	if (len < 8 || digits(s, len, &i, 4, &y) || i != 4)
		return -EINVAL;
	sep = s[i];
	if (sep != '-' && sep != '/' && sep != '.')
		return -EINVAL;
	i++;
	if (digits(s, len, &i, 2, &m) || i >= len || s[i] != sep)
		return -EINVAL;
	i++;
	if (digits(s, len, &i, 2, &d))
		return -EINVAL;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month((int)y, m))
		return -EINVAL;
	*used = i;
	*days = rs_days_from_civil((int)y, m, d);
	return 0;
}

int rs_parse_date(const char *s, size_t len, int32_t *days)
{
	size_t used;

	if (parse_ymd(s, len, &used, days) || used != len)
		return -EINVAL;
	return 0;
}

/* Fraction digits s[*i..] scaled to 'prec' digits (extra truncated). */
static void fraction(const char *s, size_t len, size_t *i, unsigned prec, int64_t *frac)
{
	unsigned n = 0;
	int64_t f = 0;

	while (*i < len && isdigit((unsigned char)s[*i])) {
		if (n < prec) {
			f = f * 10 + (s[*i] - '0');
			n++;
		}
		(*i)++;
	}
	for (; n < prec; n++)
		f *= 10;
	*frac = f;
}

int rs_dt_parse(const char *s, size_t len, unsigned prec, int64_t *secs,
		int64_t *frac, int *has_offset, int *is_unix)
{
	size_t i = 0;
	int32_t days;
	unsigned hh = 0, mi = 0, ss = 0;

	*frac = 0;
	*has_offset = 0;
	*is_unix = 0;
	if (!len)
		return -EINVAL;

	/* unix timestamp: digits[.digits] */
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	if (i && (i == len || (s[i] == '.' && i + 1 < len))) {
		uint64_t v = 0;

		if (i > 18)
			return -EINVAL;
		for (size_t k = 0; k < i; k++)
			v = v * 10 + (uint64_t)(s[k] - '0');
		if (i < len) {
			i++;
			size_t f0 = i;
			fraction(s, len, &i, prec, frac);
			if (i != len || i == f0)
				return -EINVAL;
		}
		*secs = (int64_t)v;
		*is_unix = 1;
		return 0;
	}

	i = 0;
	if (parse_ymd(s, len, &i, &days))
		return -EINVAL;
	if (i < len) {
		if (s[i] != ' ' && s[i] != 'T')
			return -EINVAL;
		i++;
		if (digits(s, len, &i, 2, &hh) || i >= len || s[i] != ':')
			return -EINVAL;
		i++;
		size_t m0 = i;
		if (digits(s, len, &i, 2, &mi) || i - m0 != 2)
			return -EINVAL;
		if (i < len && s[i] == ':') {
			size_t s0 = ++i;
			if (digits(s, len, &i, 2, &ss) || i - s0 != 2)
				return -EINVAL;
		}
		if (hh > 23 || mi > 59 || ss > 59)
			return -EINVAL;
		if (i < len && (s[i] == '.' || s[i] == ',')) {
			size_t f0 = ++i;
			fraction(s, len, &i, prec, frac);
			if (i == f0)
				return -EINVAL;
		}
	}
	*secs = (int64_t)days * 86400 + hh * 3600 + mi * 60 + ss;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		*has_offset = 1;
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		int neg = s[i++] == '-';
		unsigned oh, om = 0;
		size_t h0 = i;

		if (digits(s, len, &i, 2, &oh) || i - h0 != 2)
			return -EINVAL;
		if (i < len && s[i] == ':')
			i++;
		if (i < len) {
			size_t o0 = i;
			if (digits(s, len, &i, 2, &om) || i - o0 != 2)
				return -EINVAL;
		}
		if (oh > 14 || om > 59)
			return -EINVAL;
		*secs -= (neg ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
		*has_offset = 1;
	}
	return i == len ? 0 : -EINVAL;
}

int rs_parse_datetime(const char *s, size_t len, int64_t *secs)
{
	int64_t frac;
	int has_off, is_unix;

	return rs_dt_parse(s, len, 0, secs, &frac, &has_off, &is_unix);
}

/* ------------------------------------------------------------------------
 * Formatting
 */

static void put4(char *o, unsigned v)
{
	v %= 10000;
	memcpy(o, digits2 + 2 * (v / 100), 2);
	memcpy(o + 2, digits2 + 2 * (v % 100), 2);
}

void rs_fmt_date(int32_t days, char out[11])
{
	int y;
	unsigned m, d;

	rs_civil_from_days(days, &y, &m, &d);
	put4(out, (unsigned)(y < 0 ? -y : y));
	out[4] = '-';
	memcpy(out + 5, digits2 + 2 * m, 2);
	out[7] = '-';
	memcpy(out + 8, digits2 + 2 * d, 2);
	out[10] = 0;
}

void rs_fmt_datetime(int64_t secs, char out[20])
{
	int64_t days = rs_floor_div(secs, 86400);
	unsigned sod = (unsigned)(secs - days * 86400);

	rs_fmt_date((int32_t)days, out);
	out[10] = ' ';
	memcpy(out + 11, digits2 + 2 * (sod / 3600), 2);
	out[13] = ':';
	memcpy(out + 14, digits2 + 2 * (sod / 60 % 60), 2);
	out[16] = ':';
	memcpy(out + 17, digits2 + 2 * (sod % 60), 2);
	out[19] = 0;
}
