/*
 * value.h - text <-> column values, exactly as ClickHouse parses and prints.
 *
 * Parsing (ingestion): one field of text becomes one row appended to a
 * column. Rendering (export, query output): one row of a column becomes text
 * in one of four styles. Implementation: value_parse.c, value_render.c.
 *
 * Rendering equals ClickHouse's for each type:
 *   integers in decimal; Float64 shortest round-trip ("0.1", "1e+100" as CH
 *   prints: ClickHouse uses "1e100"), nan/inf/-inf; Decimal(P,S) without
 *   trailing zeros (ClickHouse >= 21.9 default); Bool true/false; Date
 *   YYYY-MM-DD; DateTime YYYY-MM-DD hh:mm:ss (UTC, or the column's tz);
 *   DateTime64(p) with p fractional digits; UUID 8-4-4-4-12 lowercase;
 *   FixedString with trailing NULs kept; Array as [1,2,'a'] (strings in
 *   single quotes with \' and \\ escapes); NULL as \N (TEXT/CSV/TSV) or null
 *   (JSON).
 */
#ifndef RS_TYPES_VALUE_H
#define RS_TYPES_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"

struct rs_buf;
struct rs_err;

enum rs_render_style {
	RS_RENDER_TEXT,	/* toString(): raw, no quoting or escaping */
	RS_RENDER_TSV,	/* TabSeparated: \t \n \\ escaped, NULL as \N */
	RS_RENDER_CSV,	/* CSV: strings/dates/uuids "quoted" with "" doubling, numbers bare, NULL as \N */
	RS_RENDER_JSON,	/* JSONEachRow value: strings "escaped", numbers bare (64-bit too), nan/inf -> null, arrays [..] */
};

/*
 * Parse text s[0..len) as one value of c->type and append it to c.
 * The text is the unquoted field content (CSV quotes already removed).
 * Returns 0, -EINVAL when the text is not a value of the type (no message:
 * the caller builds "value 'abc' on column 'x' is not Int32"), or -ENOMEM.
 * Rules (ClickHouse): integers reject out-of-range values and garbage
 * (no wrapping); leading '+' allowed; floats accept nan/inf/1e5; Bool accepts
 * true/false/1/0 (case-insensitive); Date accepts YYYY-MM-DD; DateTime
 * accepts 'YYYY-MM-DD hh:mm:ss', 'YYYY-MM-DDThh:mm:ss[Z]', 'YYYY-MM-DD' and a
 * unix timestamp in digits; DateTime64 accepts fractional seconds and
 * digits (ticks as seconds with fraction); UUID 36-char form; FixedString(N)
 * at most N bytes (zero padded); Decimal respects precision and rounds
 * nothing (too many fractional digits are truncated as ClickHouse does);
 * Array text is [v1, v2] with quoted strings; Nullable accepts \N and NULL
 * (callers decide about empty fields). LowCardinality parses its inner type.
 * AggregateFunction columns store the text as is.
 */
int rs_value_parse(struct rs_col *c, const char *s, size_t len);
/*
 * The same for text that was quoted in the input (a JSON string, a quoted
 * CSV field): "NULL" and "\N" are then plain values, never NULL.
 */
int rs_value_parse_quoted(struct rs_col *c, const char *s, size_t len);

/* Render row 'row' of c in 'style', appending to out. -ENOMEM only. */
int rs_value_render(const struct rs_col *c, size_t row, enum rs_render_style style,
		    struct rs_buf *out);

/*
 * Compare row i of a with row j of b (same type): <0, 0, >0 in ClickHouse's
 * ORDER BY order (numbers numerically, strings bytewise, arrays
 * lexicographically, NULL after every value).
 */
int rs_value_cmp(const struct rs_col *a, size_t i, const struct rs_col *b, size_t j);

/* Helpers shared with the SQL engine (issue 4) and ingestion. */
/* days since epoch -> "YYYY-MM-DD" (11 bytes incl. NUL) */
void rs_fmt_date(int32_t days, char out[11]);
/* seconds since epoch -> "YYYY-MM-DD hh:mm:ss" (20 bytes incl. NUL), UTC */
void rs_fmt_datetime(int64_t secs, char out[20]);
/* "YYYY-MM-DD" -> days; -EINVAL if malformed or out of calendar */
int rs_parse_date(const char *s, size_t len, int32_t *days);
/* DateTime forms above -> seconds since epoch (UTC) */
int rs_parse_datetime(const char *s, size_t len, int64_t *secs);
/* civil date <-> days since 1970-01-01 */
int32_t rs_days_from_civil(int y, unsigned m, unsigned d);
void rs_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d);

#endif
