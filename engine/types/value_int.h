/*
 * value_int.h - internals of engine/types shared by value_parse.c,
 * value_render.c, value_num.c, datetime.c, tz.c and type.c: time zones, the
 * DateTime text grammar and number formatting.
 *
 * Time zones are read from the system tzdata (/usr/share/zoneinfo, TZif v2+)
 * on first use and cached for the life of the process (thread-safe; entries
 * are immutable once published). A NULL zone means UTC.
 */
#ifndef RS_TYPES_VALUE_INT_H
#define RS_TYPES_VALUE_INT_H

#include <stddef.h>
#include <stdint.h>

struct rs_tz;

/*
 * Zone by IANA name. *out = NULL for UTC aliases ("UTC", "Etc/UTC", "GMT"...).
 * 0, -ENOENT for an unknown or malformed zone, -ENOMEM.
 */
int rs_tz_get(const char *name, const struct rs_tz **out);
/* Offset east of UTC in seconds at UTC instant t (0 for a NULL zone). */
int32_t rs_tz_offset(const struct rs_tz *tz, int64_t t);
/* UTC instant of wall-clock time 'local' in tz (earlier one if ambiguous). */
int64_t rs_tz_to_utc(const struct rs_tz *tz, int64_t local);
/* Free the cache (tests, at exit). No zone may be used afterwards. */
void rs_tz_release_all(void);

/*
 * Parse a DateTime text (forms in value.h) into wall-clock seconds and
 * 'prec' fractional digits (extra digits are truncated). *has_offset = 1 when
 * the text carried 'Z' or +hh:mm, in which case *secs is already UTC.
 * *is_unix = 1 for the all-digits unix timestamp form (also UTC).
 */
int rs_dt_parse(const char *s, size_t len, unsigned prec, int64_t *secs,
		int64_t *frac, int *has_offset, int *is_unix);

static inline int64_t rs_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/*
 * Number formatting (value_num.c). Buffers: 20 bytes for integers, 32 for
 * floats, 48 for decimals. Return the length written (no NUL).
 */
size_t rs_fmt_u64(uint64_t v, char *out);
size_t rs_fmt_i64(int64_t v, char *out);
size_t rs_fmt_f64(double x, char *out);		/* "0.1", "1e21", "-0", "nan", "-inf" */
size_t rs_fmt_f32(float x, char *out);
size_t rs_fmt_decimal(__int128 v, unsigned scale, char *out);	/* "-0.05", "1.5" */

#endif
