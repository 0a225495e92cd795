/*
 * test_storage.c - parts: round trip of every physical kind, min/max,
 * concurrent readers, corruption (column files, meta), writer errors,
 * compression of sorted and small-range integers. Tables: test_table.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../engine/base/err.h"
#include "../../engine/base/util.h"
#include "../../engine/storage/part.h"
#include "../../engine/types/column.h"
#include "../../engine/types/schema.h"
#include "../../engine/types/type.h"
#include "t.h"

static char tmpdir[64];
static uint64_t rng = 42;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static struct rs_type *ty(const char *s)
{
	struct rs_type *t = NULL;
	struct rs_err err = { 0 };

	if (rs_type_parse(s, &t, &err)) {
		fprintf(stderr, "cannot parse '%s': %s\n", s, err.msg);
		exit(2);
	}
	return t;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* ---- row equality ---- */

static int rows_eq(const struct rs_col *a, size_t ai, const struct rs_col *b, size_t bi)
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
static long first_diff(const struct rs_col *a, size_t from, const struct rs_col *b, size_t n)
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

static void build_all(void)
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

static void free_all(void)
{
	for (size_t s = 0; s < NSPEC; s++)
		rs_col_release(&cols[s]);
	rs_schema_release(&schema);
	rs_schema_release(&sub);
	free(big);
}

static int write_part(const char *dir, const struct rs_schema *sc, const struct rs_col *cs,
		      size_t n, const size_t *chunks, struct rs_err *err)
{
	struct rs_part_writer *w;
	size_t at = 0;
	int rc = rs_part_writer_open(dir, sc, &w, err);

	if (rc)
		return rc;
	for (size_t k = 0; at < n; k++) {
		size_t take = chunks && chunks[k] ? chunks[k] : n - at;
		take = take < n - at ? take : n - at;
		if ((rc = rs_part_writer_add(w, cs, at, take, err))) {
			rs_part_writer_abort(w);
			return rc;
		}
		at += take;
	}
	return rs_part_writer_finish(w, err);
}

/* Read all granules of column c of p into out (initialised by the caller). */
static int read_all(struct rs_part *p, unsigned c, struct rs_col *out, struct rs_err *err)
{
	int rc;

	for (unsigned g = 0; g < rs_part_ngranules(p); g++)
		if ((rc = rs_part_read(p, c, g, out, err)))
			return rc;
	return 0;
}

/* ---- tests ---- */

static void test_roundtrip(void)
{
	static const size_t chunks[] = { 1000, 7000, 12000, 0 };
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	char dir[128];

	path_of(dir, sizeof(dir), "rt");
	T_EQ_INT(write_part(dir, &schema, cols, NROWS, chunks, &err), 0);
	T_EQ_STR(err.msg, "");
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (!p)
		return;
	T_EQ_U64(rs_part_rows(p), NROWS);
	T_EQ_INT(rs_part_ngranules(p), 3);
	T_EQ_INT(rs_part_granule_rows(p, 0), 8192);
	T_EQ_INT(rs_part_granule_rows(p, 2), NROWS - 2 * 8192);
	T_EQ_INT(rs_part_schema(p)->ncols, NSPEC);
	for (size_t s = 0; s < NSPEC; s++) {
		struct rs_col out;
		long d;

		T_EQ_STR(rs_part_schema(p)->cols[s].name, specs[s].name);
		T_OK(rs_type_equal(rs_part_schema(p)->cols[s].type, schema.cols[s].type));
		rs_col_init(&out, schema.cols[s].type);
		T_EQ_INT(read_all(p, (unsigned)s, &out, &err), 0);
		d = first_diff(&cols[s], 0, &out, NROWS);
		T_CHECK(d == -1, "column %s differs at row %ld", specs[s].name, d);
		rs_col_release(&out);
	}
	/* a granule appended after existing rows */
	{
		struct rs_col out;
		rs_col_init(&out, schema.cols[21].type);
		rs_col_append(&out, &cols[21], 0, 5);
		T_EQ_INT(rs_part_read(p, 21, 1, &out, &err), 0);
		T_EQ_INT(out.n, 5 + 8192);
		T_EQ_INT(first_diff(&cols[21], 8192, &out, 0) , -2);
		T_OK(rows_eq(&cols[21], 8192 + 100, &out, 5 + 100));
		T_OK(rows_eq(&cols[21], 4, &out, 4));
		rs_col_release(&out);
	}
	T_EQ_INT(rs_part_read(p, (unsigned)NSPEC, 0, &cols[0], &err), -EINVAL);
	rs_part_unref(p);
}

/* min/max of column s, granule g, computed by the test for fixed ints */
static void check_mm_i32(struct rs_part *p, unsigned s, unsigned g)
{
	const struct rs_type *base = rs_type_base(schema.cols[s].type);
	struct rs_col mn, mx;
	int32_t emin = INT32_MAX, emax = INT32_MIN;
	int nulls = 0, hn = -1;

	for (size_t i = g * 8192; i < NROWS && i < (g + 1) * 8192; i++) {
		int32_t v;
		if (rs_col_is_null(&cols[s], i)) {
			nulls = 1;
			continue;
		}
		memcpy(&v, rs_col_fixed(&cols[s], i), 4);
		emin = v < emin ? v : emin;
		emax = v > emax ? v : emax;
	}
	rs_col_init(&mn, base);
	rs_col_init(&mx, base);
	T_EQ_INT(rs_part_minmax(p, s, g, &mn, &mx, &hn), 1);
	T_EQ_INT(hn, nulls);
	if (mn.n == 1 && mx.n == 1) {
		int32_t a, b;
		memcpy(&a, mn.data, 4);
		memcpy(&b, mx.data, 4);
		T_EQ_INT(a, emin);
		T_EQ_INT(b, emax);
	}
	rs_col_release(&mn);
	rs_col_release(&mx);
}


/* rs_part_read_codes gives the same values as rs_part_read, by dictionary
 * (dictionary-encoded granules) or as plain rows; other types are refused. */
static void test_read_codes(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	char dir[128];
	int ndict = 0, nplain = 0, refused = 0;
	uint32_t *codes = malloc(RS_GRANULE_ROWS * sizeof(*codes));
	struct rs_type *str = ty("String");

	path_of(dir, sizeof(dir), "rt");
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (!p) {
		free(codes);
		rs_type_free(str);
		return;
	}
	for (unsigned c = 0; c < rs_part_schema(p)->ncols; c++) {
		const struct rs_type *t = rs_part_schema(p)->cols[c].type;

		for (unsigned g = 0; g < rs_part_ngranules(p); g++) {
			struct rs_col full, dict;
			int rc, ok = 1;

			rs_col_init(&full, t);
			rs_col_init(&dict, rs_type_phys(t) == RS_PHYS_STRING ? t : str);
			rc = rs_part_read_codes(p, c, g, codes, &dict, &err);
			if (rs_type_phys(t) != RS_PHYS_STRING || rs_type_is_nullable(t)) {
				T_EQ_INT(rc, -EINVAL);
				refused++;
			} else {
				T_OK(rc == 0 || rc == 1);
				T_EQ_INT(rs_part_read(p, c, g, &full, &err), 0);
				for (size_t i = 0; i < full.n && ok; i++) {
					size_t la, lb;
					const char *a = rs_col_str(&full, i, &la);
					const char *b = rs_col_str(&dict, rc == 1 ? codes[i] : i, &lb);

					ok = (rc == 1 ? codes[i] < dict.n : dict.n == full.n) && la == lb &&
						!memcmp(a, b, la);
				}
				T_OK(ok);
				ndict += rc == 1;
				nplain += rc == 0;
			}
			rs_col_release(&full);
			rs_col_release(&dict);
		}
	}
	T_OK(ndict > 0 && refused > 0);
	rs_part_unref(p);
	free(codes);
	rs_type_free(str);
}

static void test_minmax(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	struct rs_col mn, mx;
	char dir[128];
	int hn;

	path_of(dir, sizeof(dir), "rt");
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (!p)
		return;
	for (unsigned g = 0; g < 3; g++) {
		check_mm_i32(p, 2, g);		/* Int32 with extremes */
		check_mm_i32(p, 23, g);		/* Nullable(Int32) */
	}
	/* sorted DateTime */
	rs_col_init(&mn, schema.cols[15].type);
	rs_col_init(&mx, schema.cols[15].type);
	T_EQ_INT(rs_part_minmax(p, 15, 1, &mn, &mx, &hn), 1);
	T_EQ_INT(hn, 0);
	T_EQ_INT(*(uint32_t *)mn.data, 1704067200u + 8192 / 3);
	T_EQ_INT(*(uint32_t *)mx.data, 1704067200u + 16383 / 3);
	rs_col_release(&mn);
	rs_col_release(&mx);
	/* Int64 extremes in granule 1 (rows 9001, 9002) */
	rs_col_init(&mn, schema.cols[3].type);
	rs_col_init(&mx, schema.cols[3].type);
	T_EQ_INT(rs_part_minmax(p, 3, 1, &mn, &mx, NULL), 1);
	T_OK(*(int64_t *)mn.data == INT64_MIN && *(int64_t *)mx.data == INT64_MAX);
	rs_col_release(&mn);
	rs_col_release(&mx);
	/* strings: granule 0 has "" .. "s999"; granule 1 holds the 100 KB max */
	rs_col_init(&mn, rs_type_base(schema.cols[21].type));
	rs_col_init(&mx, rs_type_base(schema.cols[21].type));
	T_EQ_INT(rs_part_minmax(p, 21, 0, &mn, &mx, &hn), 1);
	T_EQ_INT(mn.nbytes, 0);
	T_OK(mx.nbytes == 4 && !memcmp(mx.bytes, "s999", 4));
	T_EQ_INT(rs_part_minmax(p, 21, 1, &mn, &mx, &hn), 0);
	rs_col_release(&mn);
	rs_col_release(&mx);
	/* LowCardinality(Nullable(String)): base String, NULLs seen */
	rs_col_init(&mn, rs_type_base(schema.cols[25].type));
	rs_col_init(&mx, rs_type_base(schema.cols[25].type));
	T_EQ_INT(rs_part_minmax(p, 25, 2, &mn, &mx, &hn), 1);
	T_EQ_INT(hn, 1);
	T_OK(mn.nbytes == 11 && !memcmp(mn.bytes, "add_to_cart", 11));
	T_OK(mx.nbytes == 9 && !memcmp(mx.bytes, "view_item", 9));
	rs_col_release(&mn);
	rs_col_release(&mx);
	/* all-NULL granule, NaN granule, arrays: not kept */
	rs_col_init(&mn, rs_type_base(schema.cols[26].type));
	rs_col_init(&mx, rs_type_base(schema.cols[26].type));
	T_EQ_INT(rs_part_minmax(p, 26, 0, &mn, &mx, &hn), 0);
	T_EQ_INT(hn, 1);
	T_EQ_INT(rs_part_minmax(p, 26, 1, &mn, &mx, &hn), 1);
	T_EQ_INT(hn, 0);
	T_OK(*(double *)mn.data == 8192.0 && *(double *)mx.data == 16383.0);
	rs_col_release(&mn);
	rs_col_release(&mx);
	rs_col_init(&mn, schema.cols[8].type);
	rs_col_init(&mx, schema.cols[8].type);
	T_EQ_INT(rs_part_minmax(p, 8, 0, &mn, &mx, &hn), 0);
	T_EQ_INT(rs_part_minmax(p, 8, 1, &mn, &mx, &hn), 1);
	rs_col_release(&mn);
	rs_col_release(&mx);
	T_EQ_INT(rs_part_minmax(p, 27, 0, &mn, &mx, &hn), 0);
	rs_part_unref(p);
}

struct reader_arg {
	struct rs_part *p;
	int bad;
};

static void *reader(void *arg)
{
	struct reader_arg *a = arg;
	struct rs_err err = { 0 };

	for (unsigned s = 0; s < NSPEC; s += 4) {
		struct rs_col out;
		rs_col_init(&out, schema.cols[s].type);
		if (read_all(a->p, s, &out, &err) || first_diff(&cols[s], 0, &out, NROWS) != -1)
			a->bad++;
		rs_col_release(&out);
	}
	return NULL;
}

static void test_concurrent_readers(void)
{
	struct rs_err err = { 0 };
	struct reader_arg a[2];
	pthread_t th[2];
	struct rs_part *p = NULL;
	char dir[128];

	path_of(dir, sizeof(dir), "rt");
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (!p)
		return;
	for (int i = 0; i < 2; i++) {
		a[i].p = p;
		a[i].bad = 0;
		pthread_create(&th[i], NULL, reader, &a[i]);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		T_EQ_INT(a[i].bad, 0);
	}
	rs_part_unref(p);
}

static void flip_byte(const char *path, long off)
{
	int fd = open(path, O_RDWR);
	unsigned char b;

	if (pread(fd, &b, 1, off) == 1) {
		b ^= 0x5a;
		if (pwrite(fd, &b, 1, off) != 1)
			perror("pwrite");
	}
	close(fd);
}

static void test_corrupt_column(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	char dir[128], file[160];
	int eio = 0;

	path_of(dir, sizeof(dir), "bad_col");
	T_EQ_INT(write_part(dir, &sub, cols, NROWS, NULL, &err), 0);
	snprintf(file, sizeof(file), "%s/c0.bin", dir);
	flip_byte(file, file_size(file) / 2);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (!p)
		return;
	for (unsigned g = 0; g < rs_part_ngranules(p); g++) {
		struct rs_col out;
		struct rs_err e2 = { 0 };
		int rc;

		rs_col_init(&out, schema.cols[0].type);
		rc = rs_part_read(p, 0, g, &out, &e2);
		if (rc) {
			T_EQ_INT(rc, -EIO);
			T_CONTAINS(e2.msg, "c0.bin");
			T_CONTAINS(e2.msg, "offset");
			T_EQ_INT(out.n, 0);
			eio++;
		}
		rs_col_release(&out);
	}
	T_EQ_INT(eio, 1);
	rs_part_unref(p);
	/* a truncated column file is caught when opening */
	snprintf(file, sizeof(file), "%s/c3.bin", dir);
	T_EQ_INT(truncate(file, file_size(file) - 10), 0);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	T_CONTAINS(err.msg, "c3.bin");
}

static void test_corrupt_meta(void)
{
	struct rs_err err = { 0 };
	struct rs_part *p = NULL;
	char dir[128], file[160];
	long n;

	path_of(dir, sizeof(dir), "bad_meta");
	T_EQ_INT(write_part(dir, &sub, cols, 100, NULL, &err), 0);
	snprintf(file, sizeof(file), "%s/meta", dir);
	n = file_size(file);
	flip_byte(file, n / 2);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	T_CONTAINS(err.msg, "meta");
	T_CONTAINS(err.msg, "checksum");
	flip_byte(file, n / 2);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	rs_part_unref(p);
	T_EQ_INT(truncate(file, n - 7), 0);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	T_CONTAINS(err.msg, "meta");
	T_EQ_INT(truncate(file, 3), 0);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -EIO);
	unlink(file);
	rs_err_clear(&err);
	T_EQ_INT(rs_part_open(dir, &p, &err), -ENOENT);
}

static void test_writer_errors(void)
{
	struct rs_err err = { 0 };
	struct rs_part_writer *w = NULL;
	struct rs_part *p = NULL;
	char dir[128];

	path_of(dir, sizeof(dir), "rt");
	T_EQ_INT(rs_part_writer_open(dir, &schema, &w, &err), -EEXIST);
	T_CONTAINS(err.msg, "already exists");
	path_of(dir, sizeof(dir), "nested/deeper/empty");
	rs_err_clear(&err);
	T_EQ_INT(rs_part_writer_open(dir, &sub, &w, &err), 0);
	T_EQ_INT(rs_part_writer_add(w, cols + 1, 0, 10, &err), -EINVAL);
	T_EQ_INT(rs_part_writer_add(w, cols, 0, NROWS + 1, &err), -EINVAL);
	T_EQ_U64(rs_part_writer_rows(w), 0);
	T_EQ_INT(rs_part_writer_finish(w, &err), 0);
	T_EQ_INT(rs_part_open(dir, &p, &err), 0);
	if (p) {
		T_EQ_U64(rs_part_rows(p), 0);
		T_EQ_INT(rs_part_ngranules(p), 0);
		rs_part_unref(p);
	}
	path_of(dir, sizeof(dir), "aborted");
	T_EQ_INT(rs_part_writer_open(dir, &sub, &w, &err), 0);
	T_EQ_INT(rs_part_writer_add(w, cols, 0, 9000, &err), 0);
	rs_part_writer_abort(w);
	T_OK(!exists(dir));
	rs_part_writer_abort(NULL);
}

static void test_compression(void)
{
	struct rs_err err = { 0 };
	struct rs_schema sc;
	struct rs_col c[2];
	char dir[128], f0[160], f1[160];
	long s0, s1;

	rs_schema_init(&sc);
	rs_schema_add(&sc, "ts", ty("DateTime"));
	rs_schema_add(&sc, "dur", ty("UInt32"));
	rs_col_init(&c[0], sc.cols[0].type);
	rs_col_init(&c[1], sc.cols[1].type);
	for (uint32_t i = 0; i < 100000; i++) {
		uint32_t ts = 1704067200u + i, d = 20 + (uint32_t)(rnd() % 65536);
		rs_col_push_fixed(&c[0], &ts);
		rs_col_push_fixed(&c[1], &d);
	}
	path_of(dir, sizeof(dir), "comp");
	T_EQ_INT(write_part(dir, &sc, c, 100000, NULL, &err), 0);
	snprintf(f0, sizeof(f0), "%s/c0.bin", dir);
	snprintf(f1, sizeof(f1), "%s/c1.bin", dir);
	s0 = file_size(f0);
	s1 = file_size(f1);
	T_CHECK(s0 > 0 && s0 < 4000, "sorted DateTime: %ld bytes", s0);
	T_CHECK(s1 > 0 && s1 < 240000, "UInt32 in 20..65555: %ld bytes", s1);
	rs_col_release(&c[0]);
	rs_col_release(&c[1]);
	rs_schema_release(&sc);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rs_storage_XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	build_all();
	T_RUN(test_roundtrip);
	T_RUN(test_minmax);
	T_RUN(test_read_codes);
	T_RUN(test_concurrent_readers);
	T_RUN(test_corrupt_column);
	T_RUN(test_corrupt_meta);
	T_RUN(test_writer_errors);
	T_RUN(test_compression);
	free_all();
	rs_rm_rf(tmpdir);
	return T_DONE();
}

