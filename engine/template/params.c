/*
 * params.c - request parameters from a query string ("a=1&b=x%20y").
 */
#include "tmpl_int.h"
#include "../base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* URL-decode s[0..n) into o (NUL-terminated); returns the end of o. */
static char *decode(const char *s, size_t n, char *o)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < n && rs_hex_digit(s[i + 1]) >= 0 && rs_hex_digit(s[i + 2]) >= 0) {
			*o++ = (char)(rs_hex_digit(s[i + 1]) * 16 + rs_hex_digit(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o++ = 0;
	return o;
}

int rs_tmpl_params_parse(const char *qs, size_t len, struct rs_tmpl_param **out, unsigned *n,
			 struct rs_err *err)
{
	size_t pieces = 0, i;
	struct rs_tmpl_param *p;
	char *s;

	*out = NULL;
	*n = 0;
	if (!qs)
		len = 0;
	if (len && qs[0] == '?')
		qs++, len--;
	for (i = 0; i < len; i++)
		pieces += qs[i] == '&';
	pieces++;
	if (pieces > (size_t)-1 / 4 / sizeof(*p) || pieces > 0xffffffffu)
		return rs_errf(err, -ENOMEM, "too many parameters");
	/* array + every byte decoded at most once + two NULs per piece */
	p = malloc(pieces * sizeof(*p) + len + 2 * pieces + 1);
	if (!p)
		return rs_errf(err, -ENOMEM, "out of memory");
	s = (char *)(p + pieces);
	unsigned k = 0;
	for (size_t st = 0; st <= len; st = i + 1) {
		const char *piece = qs + st, *eq;
		size_t pl;

		for (i = st; i < len && qs[i] != '&'; i++)
			;
		pl = i - st;
		if (!pl)
			continue;
		eq = memchr(piece, '=', pl);
		p[k].name = s;
		s = decode(piece, eq ? (size_t)(eq - piece) : pl, s);
		p[k].value = s;
		s = eq ? decode(eq + 1, pl - (size_t)(eq + 1 - piece), s) : decode("", 0, s);
		k++;
	}
	*out = p;
	*n = k;
	return 0;
}
