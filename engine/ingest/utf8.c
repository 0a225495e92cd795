/*
 * utf8.c - strict UTF-8 validation and an ASCII check (rs_utf8_valid,
 * rs_ascii_only; declared in csv.h).
 *
 * Well-formed sequences per Unicode Table 3-7: no overlong forms, no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
 * sequences. ASCII runs are skipped 16 bytes at a time, since ingested text
 * is mostly ASCII.
 */
#include "csv.h"

#include <stdint.h>
#include <string.h>

/* Length of the well-formed sequence at s[0..n) (first byte >= 0x80), or 0. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;	/* continuation byte, C0/C1 (overlong) or F5..FF */
	if (n < len)
		return 0;
	/* the second byte's range is what rules out overlongs, surrogates
	 * and code points above U+10FFFF */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

int rs_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;
	uint64_t a, b;

	while (i < len) {
		/* ASCII fast path: two words at a time, then one */
		while (len - i >= 16) {
			memcpy(&a, s + i, 8);
			memcpy(&b, s + i + 8, 8);
			if ((a | b) & 0x8080808080808080ULL)
				break;
			i += 16;
		}
		if (len - i >= 8) {
			memcpy(&a, s + i, 8);
			if (!(a & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		while (i < len && s[i] < 0x80)
			i++;
		/* a run of non-ASCII characters */
		while (i < len && s[i] >= 0x80) {
			n = seq_len(s + i, len - i);
			if (!n)
				return 0;
			i += n;
		}
	}
	return 1;
}

int rs_ascii_only(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	uint64_t acc = 0, a, b;
	size_t i = 0;

	for (; len - i >= 32; i += 32) {
		uint64_t c, d;
		memcpy(&a, s + i, 8);
		memcpy(&b, s + i + 8, 8);
		memcpy(&c, s + i + 16, 8);
		memcpy(&d, s + i + 24, 8);
		acc |= (a | b) | (c | d);
	}
	for (; len - i >= 16; i += 16) {
		memcpy(&a, s + i, 8);
		memcpy(&b, s + i + 8, 8);
		acc |= a | b;
	}
	if (len - i >= 8) {
		memcpy(&a, s + i, 8);
		acc |= a;
		i += 8;
	}
	for (; i < len; i++)
		acc |= s[i];
	return !(acc & 0x8080808080808080ULL);
}
