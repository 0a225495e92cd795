/*
 * keyexpr.h - the small expression language of ENGINE_SORTING_KEY and
 * ENGINE_PARTITION_KEY: a comma list (optionally in tuple(...) or parens) of
 * column names and single-argument date functions of a column:
 *   toYYYYMM toYYYYMMDD toYear toMonth toDate toStartOfMonth toStartOfDay
 *   toStartOfHour toMonday toStartOfWeek toStartOfYear toStartOfQuarter
 * plus intDiv(col, N) and tuple() (no key). Each expression evaluates, for
 * a batch of rows, to a column: a column reference to the column itself
 * (borrowed), a function to a new Int64 column.
 *
 * NEEDSWORK: once the SQL engine exists (engine/sql), keys become ordinary
 * expressions evaluated by it; this file then goes away.
 */
#ifndef RS_CATALOG_KEYEXPR_H
#define RS_CATALOG_KEYEXPR_H

#include "../types/column.h"
#include "../types/schema.h"

struct rs_err;

enum rs_keyfn {
	RS_KEY_COLUMN,
	RS_KEY_TOYYYYMM,
	RS_KEY_TOYYYYMMDD,
	RS_KEY_TOYEAR,
	RS_KEY_TOMONTH,
	RS_KEY_TODATE,
	RS_KEY_STARTOFMONTH,
	RS_KEY_STARTOFDAY,
	RS_KEY_STARTOFHOUR,
	RS_KEY_MONDAY,
	RS_KEY_STARTOFYEAR,
	RS_KEY_STARTOFQUARTER,
	RS_KEY_INTDIV,
};

struct rs_keyexpr {
	enum rs_keyfn fn;
	int col;		/* schema index of the argument column */
	long long arg;		/* intDiv divisor */
};

struct rs_key {
	unsigned n;
	struct rs_keyexpr *e;
};

/* Parse 'text' (NULL or empty = no key) against 'schema'. -EINVAL with
 * "unknown column 'x' in ENGINE_SORTING_KEY" etc. ('what' names the key). */
int rs_key_parse(const char *text, const struct rs_schema *schema, const char *what,
		 struct rs_key *out, struct rs_err *err);
void rs_key_release(struct rs_key *k);

/*
 * Evaluate expression i of k over cols (laid out as the schema) into *out:
 * for a column reference *out points at cols[col] and *owned = 0; for a
 * function *out is a new Int64 column (caller releases and frees) and
 * *owned = 1. Type of functions' result: Int64. -ENOMEM.
 */
int rs_key_eval(const struct rs_key *k, unsigned i, const struct rs_col *cols,
		struct rs_col **out, int *owned);

/* Compare row ai of columns a with row bi of columns b (both laid out as
 * the schema) by the key's expressions, in order. */
int rs_key_cmp(const struct rs_key *k, const struct rs_col *a, size_t ai, const struct rs_col *b,
	       size_t bi);

/*
 * ENGINE_TTL: "<col>", "<col> + INTERVAL n UNIT" or "<col> + toIntervalUnit(n)"
 * (UNIT SECOND..YEAR), optionally followed by DELETE. A row expires when
 * col + interval <= now.
 */
struct rs_ttl {
	int col;		/* -1: no TTL */
	int64_t secs;		/* fixed-length part of the interval */
	int months;		/* calendar part (MONTH/QUARTER/YEAR) */
};

int rs_ttl_parse(const char *text, const struct rs_schema *schema, struct rs_ttl *out,
		 struct rs_err *err);
/* the moment row r of c (the TTL column) expires, in unix seconds */
int64_t rs_ttl_expiry(const struct rs_ttl *t, const struct rs_col *c, size_t r);

#endif
