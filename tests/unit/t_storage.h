/*
 * t_storage.h - shared by test_storage.c and test_storage_errors.c: one
 * generated column of every physical kind (NROWS rows, deterministic) and
 * row comparison. Part helpers are in t_part.h.
 */
#ifndef RS_TESTS_T_STORAGE_H
#define RS_TESTS_T_STORAGE_H

#include <math.h>
#include <pthread.h>

#include "t_part.h"

static uint64_t rng = 42;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* ---- row equality ---- */

T_UNUSED static int rows_eq(const struct rs_col *a, size_t ai, const struct rs_col *b, size_t bi)
{
	if (rs_col_is_null(a, ai) != rs_col_is_null(b, bi))
		return 0;
	switch (rs_type_phys(a->type)) {
	case RS_PHYS_FIXED:
		return !memcmp(rs_col_fixed(a, ai), rs_col_fixed(b, bi), a->width);
	case RS_PHYS_STRING: {
		size_t la, lb;
		const char *sa = rs_col_str(a, ai, &la), *sb = rs_col_str(b, bi, &lb);
		return la == lb && !memcmp(sa, sb, la);
	}
	case RS_PHYS_ARRAY: {
		uint64_t na = a->offs[ai + 1] - a->offs[ai], nb = b->offs[bi + 1] - b->offs[bi];
		if (na != nb)
			return 0;
		for (uint64_t j = 0; j < na; j++)
			if (!rows_eq(a->child, a->offs[ai] + j, b->child, b->offs[bi] + j))
				return 0;
		return 1;
	}
	}
	return 0;
}

/* First differing row of a[from..from+n) vs b[0..n), or -1. */
T_UNUSED static long first_diff(const struct rs_col *a, size_t from, const struct rs_col *b, size_t n)
{
	if (b->n != n)
		return -2;
	for (size_t i = 0; i < n; i++)
		if (!rows_eq(a, from + i, b, i))
			return (long)i;
	return -1;
}

/* ---- generators ---- */

struct spec {
	const char *name, *type;
	void (*gen)(struct rs_col *c, size_t i);
};

#define PUSH(T, v) do { T v_ = (T)(v); rs_col_push_fixed(c, &v_); } while (0)

static void g_i8(struct rs_col *c, size_t i)
{
	PUSH(int8_t, i % 97 == 0 ? INT8_MIN : i % 89 == 0 ? INT8_MAX : (int8_t)rnd());
}
static void g_i16(struct rs_col *c, size_t i)
{
	PUSH(int16_t, i % 97 == 0 ? INT16_MIN : i % 89 == 0 ? INT16_MAX : (int16_t)(rnd() % 200) - 100);
}
static void g_i32(struct rs_col *c, size_t i)
{
	PUSH(int32_t, i % 97 == 0 ? INT32_MIN : i % 89 == 0 ? INT32_MAX : (int32_t)rnd());
}
static void g_i64(struct rs_col *c, size_t i)
{
	PUSH(int64_t, i % 9000 == 1 ? INT64_MIN : i % 9000 == 2 ? INT64_MAX
				    : (int64_t)(rnd() % 1000) - 500);
}
static void g_u8(struct rs_col *c, size_t i)
{
	PUSH(uint8_t, i % 50 == 0 ? 255 : rnd() % 4);
}
static void g_u16(struct rs_col *c, size_t i)
{
	PUSH(uint16_t, i % 50 == 0 ? 65535 : 1000 + i % 7);
}
static void g_u32(struct rs_col *c, size_t i)
{
	PUSH(uint32_t, 20 + rnd() % 65536);
}
static void g_u64(struct rs_col *c, size_t i)
{
	PUSH(uint64_t, i % 1000 == 0 ? UINT64_MAX : i % 1000 == 1 ? 0 : (rnd() >> 24) | 1);
}
static void g_f32(struct rs_col *c, size_t i)
{
	float f = i == 5 ? NAN : i == 6 ? -0.0f : i == 7 ? INFINITY : (float)(rnd() % 100000) / 7.0f;
	rs_col_push_fixed(c, &f);
}
static void g_f64(struct rs_col *c, size_t i)
{
	double d = rnd() % 200 == 0 ? (double)(rnd() % 100000) / 100.0 : 0.0;
	rs_col_push_fixed(c, &d);
}
static void g_dec9(struct rs_col *c, size_t i)
{
	PUSH(int32_t, (int32_t)(rnd() % 2000000) - 1000000);
}
static void g_dec18(struct rs_col *c, size_t i)
{
	PUSH(int64_t, (int64_t)(rnd() >> 8) - (int64_t)(1ll << 54));
}
static void g_dec38(struct rs_col *c, size_t i)
{
	uint64_t v[2] = { rnd(), i % 3 ? 0 : ~0ull };
	rs_col_push_fixed(c, v);
}
static void g_date(struct rs_col *c, size_t i)
{
	PUSH(uint16_t, 19000 + i / 1000);
}
static void g_date32(struct rs_col *c, size_t i)
{
	PUSH(int32_t, (int32_t)(rnd() % 100000) - 50000);
}
static void g_dt_sorted(struct rs_col *c, size_t i)
{
	PUSH(uint32_t, 1704067200u + i / 3);
}
static void g_dt_random(struct rs_col *c, size_t i)
{
	PUSH(uint32_t, rnd());
}
static void g_dt64(struct rs_col *c, size_t i)
{
	PUSH(int64_t, 1704067200000ll + (int64_t)i * 250 + (int64_t)(rnd() % 100));
}
static void g_bool(struct rs_col *c, size_t i)
{
	PUSH(uint8_t, rnd() & 1);
}
static uint64_t uuids[300][2];
static void g_uuid(struct rs_col *c, size_t i)
{
	rs_col_push_fixed(c, uuids[(i / 7 + rnd() % 3) % 300]);
}
static void g_fstr(struct rs_col *c, size_t i)
{
	char s[5];
	for (int k = 0; k < 5; k++)
		s[k] = (char)('a' + rnd() % 26);
	if (i % 11 == 0)
		s[4] = 0;
	rs_col_push_fixed(c, s);
}
static char *big;
#define BIG_ROW 12345
#define BIG_LEN 100000
static void g_str(struct rs_col *c, size_t i)
{
	char s[32];

	if (i == BIG_ROW)
		rs_col_push_str(c, big, BIG_LEN);
	else if (i % 10 == 0)
		rs_col_push_str(c, "", 0);
	else
		rs_col_push_str(c, s, (size_t)snprintf(s, sizeof(s), "s%d", (int)(rnd() % 1000)));
}
static const char *lc_vals[] = { "page_hit", "click", "scroll", "view_item", "add_to_cart",
				 "signup", "login", "purchase" };
static void g_lc(struct rs_col *c, size_t i)
{
	const char *s = lc_vals[rnd() % 8];
	rs_col_push_str(c, s, strlen(s));
}
static void g_nint(struct rs_col *c, size_t i)
{
	if (i % 7 == 0)
		rs_col_push_null(c);
	else
		PUSH(int32_t, (int32_t)(rnd() % 1000000) - 500000);
}
static void g_nstr(struct rs_col *c, size_t i)
{
	char s[32];

	if (i % 5 == 0)
		rs_col_push_null(c);
	else
		rs_col_push_str(c, s, (size_t)snprintf(s, sizeof(s), "v%d", (int)(i * 7919 % 100003)));
}
static void g_lcn(struct rs_col *c, size_t i)
{
	if (i % 4 == 0)
		rs_col_push_null(c);
	else
		g_lc(c, i);
}
static void g_nf64_null(struct rs_col *c, size_t i)
{
	if (i < RS_GRANULE_ROWS)
		rs_col_push_null(c);
	else {
		double d = (double)i;
		rs_col_push_fixed(c, &d);
	}
}
static void g_astr(struct rs_col *c, size_t i)
{
	char s[32];

	rs_col_reserve(c, 1);
	for (size_t j = 0; j < i % 4; j++)
		rs_col_push_str(c->child, s, (size_t)snprintf(s, sizeof(s), "a%zu", (i + j) % 50));
	rs_col_array_close(c);
}
static void g_anint(struct rs_col *c, size_t i)
{
	rs_col_reserve(c, 1);
	for (size_t j = 0; j < i % 3; j++) {
		if (j == 1)
			rs_col_push_null(c->child);
		else {
			int64_t v = i % 1000 == 0 ? INT64_MIN : (int64_t)(i * j);
			rs_col_push_fixed(c->child, &v);
		}
	}
	rs_col_array_close(c);
}
static void g_aaint(struct rs_col *c, size_t i)
{
	rs_col_reserve(c, 1);
	for (size_t j = 0; j < i % 3; j++) {
		struct rs_col *in = c->child;
		rs_col_reserve(in, 1);
		for (size_t k = 0; k < (i + j) % 3; k++) {
			int32_t v = (int32_t)(i * 10 + j * 3 + k);
			rs_col_push_fixed(in->child, &v);
		}
		rs_col_array_close(in);
	}
	rs_col_array_close(c);
}

static const struct spec specs[] = {
	{ "i8", "Int8", g_i8 },
	{ "i16", "Int16", g_i16 },
	{ "i32", "Int32", g_i32 },
	{ "i64", "Int64", g_i64 },
	{ "u8", "UInt8", g_u8 },
	{ "u16", "UInt16", g_u16 },
	{ "u32", "UInt32", g_u32 },
	{ "u64", "UInt64", g_u64 },
	{ "f32", "Float32", g_f32 },
	{ "f64", "Float64", g_f64 },
	{ "dec9", "Decimal(9, 2)", g_dec9 },
	{ "dec18", "Decimal(18, 4)", g_dec18 },
	{ "dec38", "Decimal(38, 10)", g_dec38 },
	{ "date", "Date", g_date },
	{ "date32", "Date32", g_date32 },
	{ "ts", "DateTime", g_dt_sorted },
	{ "ts_rand", "DateTime('UTC')", g_dt_random },
	{ "ts64", "DateTime64(3)", g_dt64 },
	{ "flag", "Bool", g_bool },
	{ "uuid", "UUID", g_uuid },
	{ "fs", "FixedString(5)", g_fstr },
	{ "str with \"odd\"/name", "String", g_str },
	{ "lc", "LowCardinality(String)", g_lc },
	{ "nint", "Nullable(Int32)", g_nint },
	{ "nstr", "Nullable(String)", g_nstr },
	{ "lcn", "LowCardinality(Nullable(String))", g_lcn },
	{ "nf64", "Nullable(Float64)", g_nf64_null },
	{ "astr", "Array(String)", g_astr },
	{ "anint", "Array(Nullable(Int64))", g_anint },
	{ "aaint", "Array(Array(Int32))", g_aaint },
};
#define NSPEC (sizeof(specs) / sizeof(specs[0]))
#define NROWS 20000

static struct rs_schema schema;
static struct rs_schema sub;	/* the first 4 columns: fewer files to fsync */
static struct rs_col cols[NSPEC];

T_UNUSED static void build_all(void)
{
	rs_schema_init(&schema);
	rs_schema_init(&sub);
	for (size_t s = 0; s < NSPEC; s++) {
		rs_schema_add(&schema, specs[s].name, ty(specs[s].type));
		if (s < 4)
			rs_schema_add(&sub, specs[s].name, ty(specs[s].type));
	}
	for (size_t k = 0; k < 300; k++) {
		uuids[k][0] = rnd();
		uuids[k][1] = rnd();
	}
	big = malloc(BIG_LEN);
	memset(big, 'z', BIG_LEN);
	for (size_t s = 0; s < NSPEC; s++) {
		rs_col_init(&cols[s], schema.cols[s].type);
		for (size_t i = 0; i < NROWS; i++)
			specs[s].gen(&cols[s], i);
	}
}

T_UNUSED static void free_all(void)
{
	for (size_t s = 0; s < NSPEC; s++)
		rs_col_release(&cols[s]);
	rs_schema_release(&schema);
	rs_schema_release(&sub);
	free(big);
}

/* Read every granule of column c of p (through the granule cache when
 * cached): how many reads failed, each checked to be -EIO naming 'file'
 * at an offset and leaving nothing in the column. */
T_UNUSED static int eio_granules(struct rs_part *p, unsigned c, const struct rs_type *t,
				 int cached, const char *file)
{
	int eio = 0;

	for (unsigned g = 0; g < rs_part_ngranules(p); g++) {
		struct rs_col out;
		struct rs_err e2 = { 0 };
		int rc;

		rs_col_init(&out, t);
		rc = cached ? rs_part_read_cached(p, c, g, &out, &e2) : rs_part_read(p, c, g, &out, &e2);
		if (rc) {
			T_EQ_INT(rc, -EIO);
			T_CONTAINS(e2.msg, file);
			T_CONTAINS(e2.msg, "offset");
			T_EQ_INT(out.n, 0);
			eio++;
		}
		rs_col_release(&out);
	}
	return eio;
}

#endif
