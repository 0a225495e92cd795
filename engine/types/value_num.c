/*
 * value_num.c - numbers to text as ClickHouse prints them: integers, Float32
 * and Float64 in shortest round-trip form, Decimal without trailing zeros.
 * No snprintf on the common paths: exports render tens of millions of values.
 */
#include "value_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* decimal digits of v into out (>= 20 bytes); returns length */
size_t rs_fmt_u64(uint64_t v, char *out)
{
	char tmp[20], *p = tmp + sizeof(tmp);
	size_t n;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		p -= 2;
		memcpy(p, digits2 + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digits2 + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(out, p, n);
	return n;
}

size_t rs_fmt_i64(int64_t v, char *out)
{
	if (v < 0) {
		out[0] = '-';
		return 1 + rs_fmt_u64((uint64_t)0 - (uint64_t)v, out + 1);
	}
	return rs_fmt_u64((uint64_t)v, out);
}

static size_t fmt_u128(unsigned __int128 v, char *out)
{
	char tmp[40], *p = tmp + sizeof(tmp);
	size_t n;

	if (v <= UINT64_MAX)
		return rs_fmt_u64((uint64_t)v, out);
	while (v > UINT64_MAX) {
		/* peel 19 digits at a time */
		uint64_t r = (uint64_t)(v % 10000000000000000000ULL);

		v /= 10000000000000000000ULL;
		for (int k = 0; k < 19; k++) {
			*--p = (char)('0' + r % 10);
			r /= 10;
		}
	}
	n = rs_fmt_u64((uint64_t)v, out);
	memcpy(out + n, p, (size_t)(tmp + sizeof(tmp) - p));
	return n + (size_t)(tmp + sizeof(tmp) - p);
}

/*
 * Lay out shortest digits d[0..nd) with value d.ddd x 10^e as ClickHouse
 * does: fixed notation for -6 <= e < 21, else "1.5e-7" / "1e21" (no '+',
 * no exponent padding).
 */
static size_t layout(int neg, const char *d, int nd, int e, char *out)
{
	char *o = out;

	if (neg)
		*o++ = '-';
	if (e >= 21 || e < -6) {
		*o++ = d[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		*o++ = 'e';
		o += rs_fmt_i64(e, o);
	} else if (e < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int k = 0; k < -e - 1; k++)
			*o++ = '0';
		memcpy(o, d, (size_t)nd);
		o += nd;
	} else if (nd <= e + 1) {
		memcpy(o, d, (size_t)nd);
		o += nd;
		for (int k = nd; k < e + 1; k++)
			*o++ = '0';
	} else {
		memcpy(o, d, (size_t)e + 1);
		o += e + 1;
		*o++ = '.';
		memcpy(o, d + e + 1, (size_t)(nd - e - 1));
		o += nd - e - 1;
	}
	return (size_t)(o - out);
}

/*
 * Shortest round-trip digits of ax > 0: the correctly rounded p-digit form
 * for p = lo..hi, first that reads back as ax. When a form of DIG (15 / 6)
 * digits round-trips, stripping its zeros gives the shortest (any shorter
 * form that reads back would round to the same DIG digits).
 *
 * The p-digit forms are cut from one exact 20-digit printf; a cut that lands
 * on an exact ...5000 tail (where the 20-digit rounding hides the true side)
 * asks printf again at that precision.
 */
static int round_digits(const char *d20, int e20, int prec, double ax, char *d, int *e)
{
	int up, k;

	memcpy(d, d20, (size_t)prec);
	*e = e20;
	if (d20[prec] == '5') {
		for (k = prec + 1; k < 20 && d20[k] == '0'; k++)
			;
		if (k == 20) {
			char buf[48], *p;
			int nd = 0;

			snprintf(buf, sizeof(buf), "%.*e", prec - 1, ax);
			for (p = buf; *p && *p != 'e'; p++)
				if (*p != '.')
					d[nd++] = *p;
			*e = atoi(p + 1);
			return nd;
		}
	}
	up = d20[prec] >= '5';
	for (k = prec - 1; up && k >= 0; k--) {
		if (d[k] == '9') {
			d[k] = '0';
		} else {
			d[k]++;
			up = 0;
		}
	}
	if (up) {
		/* 99.9 -> 100: one more power of ten */
		d[0] = '1';
		(*e)++;
	}
	return prec;
}

static size_t slow_shortest(double ax, int neg, int is32, char *out)
{
	char buf[48], d20[24], d[24], num[48];
	int lo = is32 ? 6 : 15, hi = is32 ? 9 : 17, nd = 0, e20, e = 0;
	char *p;

	/* subnormals have fewer significant bits: no DIG guarantee */
	if (ax < (is32 ? FLT_MIN : DBL_MIN))
		lo = 1;
	snprintf(buf, sizeof(buf), "%.19e", ax);
	for (p = buf; *p && *p != 'e'; p++)
		if (*p != '.')
			d20[nd++] = *p;
	e20 = atoi(p + 1);
	for (int prec = lo; prec <= hi; prec++) {
		char *o = num;

		nd = round_digits(d20, e20, prec, ax, d, &e);
		if (prec == hi)
			break;
		*o++ = d[0];
		*o++ = '.';
		memcpy(o, d + 1, (size_t)nd - 1);
		o += nd - 1;
		*o++ = 'e';
		o += rs_fmt_i64(e, o);
		*o = 0;
		if (is32 ? strtof(num, NULL) == (float)ax : strtod(num, NULL) == ax)
			break;
	}
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	return layout(neg, d, nd, e, out);
}

/*
 * Shortest decimal n / 10^k (smallest k >= 1) that reads back as the binary
 * value m * 2^e2 (e2 < 0), exactly, in 128-bit integers: n must lie in the
 * rounding interval [x - gap/2, x + gap/2] (ends included when m is even,
 * as round-half-even reads them back to x); among several, the nearest.
 * Works for x in [1e-5, 2^53): then k <= 21 and nothing overflows.
 * lower_closer: m is a power of two, so the gap below is half as wide.
 */
static int exact_shortest(uint64_t m, int e2, int lower_closer, uint64_t *n_out, int *k_out)
{
	unsigned sh = (unsigned)(2 - e2);
	unsigned __int128 four = (unsigned __int128)m * 4, p = 1;
	unsigned __int128 mask = ((unsigned __int128)1 << sh) - 1;
	int incl = !(m & 1);

	for (int k = 1; k <= 21; k++) {
		unsigned __int128 a, b, lo, hi, n;

		p *= 10;
		a = (four - (lower_closer ? 1 : 2)) * p;
		b = (four + 2) * p;
		lo = a >> sh;
		if ((a & mask) || !incl)
			lo++;
		hi = b >> sh;
		if (!(b & mask) && !incl)
			hi--;
		if (lo > hi)
			continue;
		n = (four * p + ((unsigned __int128)1 << (sh - 1))) >> sh;
		if (n < lo)
			n = lo;
		if (n > hi)
			n = hi;
		*n_out = (uint64_t)n;
		*k_out = k;
		return 0;
	}
	return -1;
}

/* n / 10^k in fixed notation */
static size_t fixed_out(int neg, uint64_t n, int k, char *out)
{
	char d[24], *o = out;
	int nd = (int)rs_fmt_u64(n, d);

	while (k > 0 && d[nd - 1] == '0') {
		nd--;
		k--;
	}
	if (neg)
		*o++ = '-';
	if (nd <= k) {
		*o++ = '0';
		*o++ = '.';
		for (int z = 0; z < k - nd; z++)
			*o++ = '0';
		memcpy(o, d, (size_t)nd);
		o += nd;
	} else {
		memcpy(o, d, (size_t)(nd - k));
		o += nd - k;
		if (k) {
			*o++ = '.';
			memcpy(o, d + nd - k, (size_t)k);
			o += k;
		}
	}
	return (size_t)(o - out);
}

/* out: >= 32 bytes */
size_t rs_fmt_f64(double x, char *out)
{
	double ax = fabs(x);

	if (isnan(x)) {
		memcpy(out, "nan", 3);
		return 3;
	}
	if (isinf(x)) {
		memcpy(out, x < 0 ? "-inf" : "inf", 4 - (x > 0));
		return 4 - (x > 0);
	}
	if (x == 0) {
		if (signbit(x)) {
			memcpy(out, "-0", 2);
			return 2;
		}
		out[0] = '0';
		return 1;
	}
	/* integers below 2^53 print exactly (ClickHouse's itoa fast path) */
	if (ax < 9007199254740992.0 && x == trunc(x))
		return rs_fmt_i64((int64_t)x, out);
	if (ax >= 1e-5 && ax < 1e15) {
		uint64_t bits, n;
		int k;

		memcpy(&bits, &ax, 8);
		uint64_t frac = bits & ((1ULL << 52) - 1);
		int bexp = (int)(bits >> 52);
		if (!exact_shortest(frac | 1ULL << 52, bexp - 1075, !frac && bexp > 1, &n, &k))
			return fixed_out(x < 0, n, k, out);
	}
	return slow_shortest(ax, x < 0, 0, out);
}

size_t rs_fmt_f32(float x, char *out)
{
	float ax = fabsf(x);

	if (isnan(x) || isinf(x) || x == 0)
		return rs_fmt_f64((double)x, out);
	if (ax < 16777216.0f && x == truncf(x))
		return rs_fmt_i64((int64_t)x, out);
	if (ax >= 1e-5f) {
		uint32_t bits;
		uint64_t n;
		int k;

		memcpy(&bits, &ax, 4);
		uint32_t frac = bits & ((1u << 23) - 1);
		int bexp = (int)(bits >> 23);
		if (ax < 16777216.0f &&
		    !exact_shortest(frac | 1u << 23, bexp - 150, !frac && bexp > 1, &n, &k))
			return fixed_out(x < 0, n, k, out);
	}
	return slow_shortest((double)ax, x < 0, 1, out);
}

/* Decimal without trailing fractional zeros; out >= 48 bytes */
size_t rs_fmt_decimal(__int128 v, unsigned scale, char *out)
{
	unsigned __int128 mag = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v :
					(unsigned __int128)v;
	char d[48], *o = out;
	size_t nd = fmt_u128(mag, d);

	if (v < 0)
		*o++ = '-';
	if (!scale) {
		memcpy(o, d, nd);
		return (size_t)(o - out) + nd;
	}
	if (nd <= scale) {
		/* 0.00ddd */
		size_t z = scale - nd, end = nd;

		while (end > 0 && d[end - 1] == '0')
			end--;
		if (!end) {
			out[0] = '0';
			return 1;
		}
		*o++ = '0';
		*o++ = '.';
		memset(o, '0', z);
		o += z;
		memcpy(o, d, end);
		return (size_t)(o - out) + end;
	}
	size_t ni = nd - scale, end = nd;

	memcpy(o, d, ni);
	o += ni;
	while (end > ni && d[end - 1] == '0')
		end--;
	if (end > ni) {
		*o++ = '.';
		memcpy(o, d + ni, end - ni);
		o += end - ni;
	}
	return (size_t)(o - out);
}
