/*
 * test_storage.c - parts: round trip of every physical kind, min/max,
 * dictionary codes, concurrent readers, compression of sorted and
 * small-range integers. Corruption and writer errors: test_storage_errors.c.
 * Tables: test_table.c.
 */
#include "t_storage.h"
#include "../../engine/base/buf.h"
#include "../../engine/storage/enc.h"
#include "../../engine/storage/part_int.h"

/* ---- tests ---- */

/* bit-packing: the 32-bit unpack gives the 64-bit one's values and their
 * maximum, at every width and at lengths around the 8-value steps */
static void test_bp_unpack32(void)
{
	static const size_t lens[] = { 0, 1, 7, 8, 9, 63, 1000, 1027 };
	uint64_t v[1027], w[1027];
	uint32_t u[1027];
	uint8_t *buf = calloc(1, 1027 * 4 + 16);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (unsigned b = 0; b <= 32; b++)
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
			size_t n = lens[li];
			uint64_t mx = 0;
			uint32_t got;
			int bad = 0;

			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				v[i] = b ? x & ((1ull << b) - 1) : 0;
				if (i == n / 2 && b)	/* the widest value once */
					v[i] = (1ull << b) - 1;
				mx = v[i] > mx ? v[i] : mx;
			}
			memset(buf, 0, 1027 * 4 + 16);
			rs_codec_bp_pack(v, n, b, buf);
			rs_codec_bp_unpack(buf, b, n, w);
			got = rs_codec_bp_unpack32(buf, b, n, u);
			for (size_t i = 0; i < n; i++)
				bad += w[i] != v[i] || u[i] != v[i];
			T_CHECK(!bad && got == mx, "b %u n %zu: %d wrong, max %u want %llu", b, n, bad,
				got, (unsigned long long)mx);
		}
	T_EQ_U64(rs_codec_bp_unpack32(buf, 33, 8, u), UINT32_MAX);
	free(buf);
}

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

/* String min/max of granules of random strings over {a, b, \0} (equal
 * 8- and 16-byte prefixes, trailing zero bytes, lengths around 8 and 16):
 * what a brute-force memcmp order gives, first occurrence on ties. */
static int mm_cmp(const struct rs_col *c, size_t i, size_t j)
{
	size_t la, lb;
	const char *a = rs_col_str(c, i, &la), *b = rs_col_str(c, j, &lb);
	int r = memcmp(a, b, la < lb ? la : lb);

	return r ? r : (la > lb) - (la < lb);
}

static void test_minmax_strings(void)
{
	struct rs_type *t = ty("String");
	struct rs_col c;
	struct rs_buf out = RS_BUF_INIT;

	rs_col_init(&c, t);
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + rnd() % 300, mi = 0, ma = 0, l;
		const uint8_t *o;

		rs_col_reset(&c);
		for (size_t i = 0; i < n; i++) {
			char s[24];
			size_t len = rnd() % 21;
			for (size_t k = 0; k < len; k++)
				s[k] = "ab\0aaaaaaaa"[k < 6 && round % 2 ? 0 : rnd() % (k % 9 ? 3 : 2)];
			rs_col_push_str(&c, s, len);
		}
		for (size_t i = 1; i < n; i++) {
			if (mm_cmp(&c, i, mi) < 0)
				mi = i;
			if (mm_cmp(&c, i, ma) > 0)
				ma = i;
		}
		rs_buf_reset(&out);
		T_EQ_INT(rs_codec_minmax_put(&c, 0, n, &out), 0);
		o = (const uint8_t *)out.data;
		T_EQ_INT(o[0] & RS_MM_KNOWN, RS_MM_KNOWN);
		rs_col_str(&c, mi, &l);
		T_CHECK(rs_ld16(o + 1) == l && !memcmp(o + 3, rs_col_str(&c, mi, &l), l),
			"round %d: min", round);
		o += 3 + rs_ld16(o + 1);
		rs_col_str(&c, ma, &l);
		T_CHECK(rs_ld16(o) == l && !memcmp(o + 2, rs_col_str(&c, ma, &l), l),
			"round %d: max", round);
	}
	rs_buf_release(&out);
	rs_col_release(&c);
	rs_type_free(t);
}

/* Float64 min/max: the first of equal values (-0 before 0 keeps -0's
 * bytes), NULLs skipped, a NaN makes them unknown. */
static void test_minmax_f64(void)
{
	struct rs_type *t = ty("Nullable(Float64)");
	static const double vals[] = { 0.0, -0.0, 1.5, -1.5, 1e300, -1e300, 0.25 };
	struct rs_col c;
	struct rs_buf out = RS_BUF_INIT;

	rs_col_init(&c, t);
	for (int round = 0; round < 500; round++) {
		size_t n = 1 + rnd() % 40, mi = SIZE_MAX, ma = SIZE_MAX;
		int want_nan = round % 50 == 49, nan = 0;
		const uint8_t *o;

		rs_col_reset(&c);
		for (size_t i = 0; i < n; i++) {
			double v = vals[rnd() % RS_ARRAY_SIZE(vals)];
			if (rnd() % 8 == 0) {
				rs_col_push_null(&c);
				continue;
			}
			if (want_nan && i >= n / 2 && !nan) {
				v = NAN;
				nan = 1;
			}
			rs_col_push_fixed(&c, &v);
			if (mi == SIZE_MAX || v < *(double *)rs_col_fixed(&c, mi))
				mi = i;
			if (ma == SIZE_MAX || v > *(double *)rs_col_fixed(&c, ma))
				ma = i;
		}
		rs_buf_reset(&out);
		T_EQ_INT(rs_codec_minmax_put(&c, 0, n, &out), 0);
		o = (const uint8_t *)out.data;
		if (nan || mi == SIZE_MAX) {
			T_EQ_INT(o[0] & RS_MM_KNOWN, 0);
			continue;
		}
		T_EQ_INT(o[0] & RS_MM_KNOWN, RS_MM_KNOWN);
		T_CHECK(rs_ld16(o + 1) == 8 && !memcmp(o + 3, rs_col_fixed(&c, mi), 8) &&
			rs_ld16(o + 11) == 8 && !memcmp(o + 13, rs_col_fixed(&c, ma), 8),
			"round %d", round);
	}
	rs_buf_release(&out);
	rs_col_release(&c);
	rs_type_free(t);
}

/* 1 if the two files have the same bytes. */
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb, same = fa && fb;

	while (same && ((ca = getc(fa)) != EOF) | ((cb = getc(fb)) != EOF))
		same = ca == cb;
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Columns encoded by several threads: the same part, byte for byte (the
 * run starts mid-granule, so buffered rows, whole granules and a tail mix). */
static void test_parallel_writer(void)
{
	struct rs_err err = { 0 };
	struct rs_part_writer *w;
	char one[128], par[128], fa[200], fb[200];
	unsigned nth[] = { 2, 3, 16 };

	path_of(one, sizeof(one), "par_one");
	T_EQ_INT(write_part(one, &schema, cols, NROWS, NULL, &err), 0);
	for (unsigned k = 0; k < RS_ARRAY_SIZE(nth); k++) {
		snprintf(par, sizeof(par), "%s/par_%u", tmpdir, nth[k]);
		T_EQ_INT(rs_part_writer_open(par, &schema, &w, &err), 0);
		T_EQ_INT(rs_part_writer_add_par(w, cols, 0, 100, nth[k], &err), 0);
		T_EQ_INT(rs_part_writer_add(w, cols, 100, RS_GRANULE_ROWS - 100, &err), 0);
		T_EQ_INT(rs_part_writer_add_par(w, cols, RS_GRANULE_ROWS, NROWS - RS_GRANULE_ROWS,
						nth[k], &err), 0);
		T_EQ_INT(rs_part_writer_finish(w, &err), 0);
		for (unsigned c = 0; c <= schema.ncols; c++) {
			if (c < schema.ncols) {
				snprintf(fa, sizeof(fa), "%s/c%u.bin", one, c);
				snprintf(fb, sizeof(fb), "%s/c%u.bin", par, c);
			} else {
				snprintf(fa, sizeof(fa), "%s/meta", one);
				snprintf(fb, sizeof(fb), "%s/meta", par);
			}
			T_CHECK(same_file(fa, fb), "%s differs with %u threads", fb, nth[k]);
		}
	}
	/* a column that does not have the part's type: refused, nothing written */
	snprintf(par, sizeof(par), "%s/par_bad", tmpdir);
	T_EQ_INT(rs_part_writer_open(par, &sub, &w, &err), 0);
	T_EQ_INT(rs_part_writer_add_par(w, cols + 1, 0, NROWS, 2, &err), -EINVAL);
	T_CONTAINS(err.msg, "does not have the part's type");
	rs_part_writer_abort(w);
}

int main(void)
{
	T_RUN(test_bp_unpack32);
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
	T_RUN(test_compression);
	T_RUN(test_parallel_writer);
	T_RUN(test_minmax_strings);
	T_RUN(test_minmax_f64);
	free_all();
	rs_rm_rf(tmpdir);
	return T_DONE();
}

