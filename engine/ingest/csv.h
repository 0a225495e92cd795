/*
 * csv.h - streaming RFC 4180 CSV reader.
 *
 * Data arrives in chunks cut anywhere (inside a quoted field, between \r and
 * \n, inside a multi-byte character). Each complete record is delivered to
 * the callback with its fields unquoted ("" -> "). Records are separated by
 * \n or \r\n (a bare \r inside a quoted field is data). An empty line is
 * skipped. Memory: one record (the part of it carried over between chunks).
 *
 * The delimiter is detected on the first record unless given: the one of
 * , ; \t | that occurs most often outside quotes (',' on a tie or none).
 *
 * Detection looks at most at the first 64 KiB of the first non-empty record,
 * whose end is taken by quote parity. A delim of '"', '\n' or '\r' means 0.
 *
 * Malformed input (a quote inside an unquoted field, text after a closing
 * quote, an unterminated quote at finish) is not fatal: the record is
 * delivered with malformed = 1 and a message, so it can be quarantined:
 * "unexpected quote in unquoted field at line L", "text after closing quote
 * at line L", "unterminated quoted field at line L" (L: the physical line of
 * the fault). From the faulty field to the next \n, quotes are plain data:
 * that field comes raw (quotes included, quoted = 0), the rest is split on
 * the delimiter, and the next record starts after that \n (resync).
 *
 * A record longer than max_row bytes (its \r counts, the \n ending it does
 * not) fails feed() with -EFBIG ("row larger than max_row (N bytes) at line
 * L"); records before it are delivered. Errors (-EFBIG, -ENOMEM, or the
 * callback's nonzero return) are sticky: later feed()/finish() calls return
 * the same code. feed() after finish() is -EINVAL.
 * Implementation: csv.c; rs_utf8_valid in utf8.c.
 */
#ifndef RS_INGEST_CSV_H
#define RS_INGEST_CSV_H

#include <stddef.h>
#include <stdint.h>

struct rs_err;

struct rs_field {
	const char *p;		/* unquoted content, valid during the callback */
	size_t len;
	int quoted;		/* the field was in quotes */
};

struct rs_csv_record {
	const struct rs_field *fields;
	unsigned nfields;
	uint64_t line;		/* 1-based line where the record starts */
	int malformed;		/* see above; msg says why */
	const char *msg;
	int ascii;		/* 1: every byte of the record is < 0x80 (0: unknown) */
};

/* Return 0 to go on, or a negative errno to stop (feed returns it). */
typedef int (*rs_csv_record_fn)(void *ctx, const struct rs_csv_record *rec);

struct rs_csv;

/* delim = 0 to detect; max_row in bytes (0 = unlimited). Aborts only if a
 * small allocation fails (xmalloc). */
struct rs_csv *rs_csv_new(char delim, size_t max_row, rs_csv_record_fn fn, void *ctx);
int rs_csv_feed(struct rs_csv *c, const char *data, size_t len, struct rs_err *err);
/* End of input: deliver a last record without a trailing newline. */
int rs_csv_finish(struct rs_csv *c, struct rs_err *err);
char rs_csv_delim(const struct rs_csv *c);	/* 0 until detected */
void rs_csv_free(struct rs_csv *c);		/* NULL ok */

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates). Fast path
 * for ASCII. */
int rs_utf8_valid(const char *s, size_t len);
/* 1 if every byte of s[0..len) is < 0x80. */
int rs_ascii_only(const char *s, size_t len);

#endif
