/*
 * type.h - ClickHouse column types as roost knows them.
 *
 * A struct rs_type is an immutable tree (Nullable/LowCardinality/Array have
 * a 'sub'). Types are parsed from ClickHouse spelling ("Nullable(Int32)",
 * "DateTime64(3, 'UTC')", "LowCardinality(Nullable(String))") and printed
 * back in ClickHouse's canonical spelling. Every type has a physical layout
 * used by column vectors (column.h) and by storage:
 *
 *   RS_PHYS_FIXED   'width' bytes per row, little-endian native values
 *   RS_PHYS_STRING  offsets + bytes
 *   RS_PHYS_ARRAY   offsets + child column of type 'sub'
 *
 * Nullable(T) has T's layout plus a null map; LowCardinality(T) has T's
 * layout in memory (dictionary encoding is a storage matter).
 * Implementation: type.c. Owner: whoever parsed it (rs_type_free).
 */
#ifndef RS_TYPES_TYPE_H
#define RS_TYPES_TYPE_H

#include <stddef.h>
#include <stdint.h>

struct rs_err;
struct rs_buf;

enum rs_type_id {
	RS_T_INT8,
	RS_T_INT16,
	RS_T_INT32,
	RS_T_INT64,
	RS_T_UINT8,
	RS_T_UINT16,
	RS_T_UINT32,
	RS_T_UINT64,
	RS_T_FLOAT32,
	RS_T_FLOAT64,
	RS_T_DECIMAL,	 /* prec 1..38, scale 0..prec; width 4/8/16 by prec */
	RS_T_BOOL,	 /* uint8 0/1, rendered true/false */
	RS_T_STRING,
	RS_T_FIXEDSTRING,/* n = length, width n */
	RS_T_DATE,	 /* uint16 days since 1970-01-01 */
	RS_T_DATE32,	 /* int32 days since 1970-01-01 */
	RS_T_DATETIME,	 /* uint32 seconds since epoch; tz optional */
	RS_T_DATETIME64, /* int64 ticks of 10^-prec s; tz optional */
	RS_T_UUID,	 /* 16 bytes as ClickHouse: uint64 of hex digits 1-16, then 17-32 */
	RS_T_NULLABLE,	 /* sub */
	RS_T_LOWCARD,	 /* sub */
	RS_T_ARRAY,	 /* sub */
	RS_T_AGGSTATE,	 /* AggregateFunction(...): opaque String state; 'text' holds the args */
	RS_T_NOTHING,	 /* type of a bare NULL literal */
};

enum rs_phys {
	RS_PHYS_FIXED,
	RS_PHYS_STRING,
	RS_PHYS_ARRAY,
};

struct rs_type {
	enum rs_type_id id;
	uint32_t n;		/* FixedString length; Decimal precision; DateTime64 precision */
	uint32_t scale;		/* Decimal scale */
	char *tz;		/* DateTime/DateTime64 time zone name, or NULL (= UTC) */
	char *text;		/* AggregateFunction/SimpleAggregateFunction argument text */
	int simple_agg;		/* 1 when spelled SimpleAggregateFunction(fn, T): behaves as T */
	struct rs_type *sub;	/* Nullable/LowCardinality/Array element */
};

/*
 * Parse 's' (whole string, surrounding spaces allowed). On success *out is a
 * new type (caller frees with rs_type_free). -EINVAL with a message such as
 * "unknown type 'Int33'" or "Nullable(Array(...)) is not allowed" otherwise.
 * SimpleAggregateFunction(fn, T) parses as T with simple_agg = 1 and text =
 * "fn". Unsupported ClickHouse types (Map, Tuple, JSON, Enum, IPv4...) are
 * -EINVAL "type 'Map(String, String)' is not supported".
 */
int rs_type_parse(const char *s, struct rs_type **out, struct rs_err *err);
void rs_type_free(struct rs_type *t);		/* NULL is a no-op */
struct rs_type *rs_type_clone(const struct rs_type *t);
struct rs_type *rs_type_new(enum rs_type_id id);	/* scalar with no params */
/* Canonical ClickHouse spelling appended to out ("Decimal(10, 2)"). */
int rs_type_name(const struct rs_type *t, struct rs_buf *out);
int rs_type_equal(const struct rs_type *a, const struct rs_type *b);

enum rs_phys rs_type_phys(const struct rs_type *t);
/* Bytes per row for RS_PHYS_FIXED types (after stripping Nullable/LowCard). */
size_t rs_type_width(const struct rs_type *t);
/* Strip Nullable and LowCardinality wrappers (not Array). */
const struct rs_type *rs_type_base(const struct rs_type *t);
int rs_type_is_nullable(const struct rs_type *t);	/* Nullable or LowCard(Nullable) */
int rs_type_is_int(const struct rs_type *t);		/* base is (U)Int*, Bool */
int rs_type_is_signed(const struct rs_type *t);

#endif
