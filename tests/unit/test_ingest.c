/*
 * test_ingest.c - CSV ingestion end to end in process: typed rows and
 * quarantine rows (values, messages, line numbers) for input cut at every
 * kind of chunk boundary, positional and by a header; and the fast field
 * conversions of ingest_fast.h against the generic parser (rs_value_parse).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/err.h"
#include "../../engine/base/util.h"
#include "../../engine/catalog/catalog.h"
#include "../../engine/catalog/ds_int.h"
#include "../../engine/ingest/ingest.h"
#include "../../engine/ingest/ingest_fast.h"
#include "../../engine/storage/part.h"
#include "../../engine/storage/table.h"
#include "../../engine/types/value.h"
#include "t.h"

static struct rs_catalog *cat;
static struct rs_ws *ws;
static char tmpdir[64];
static uint64_t rng_state = 7;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rows of every part of t, columns [0, ncols) as TSV, sorted (parts and
 * sorting keys do not keep input order), one per line. */
static char *table_rows(struct rs_table *t, unsigned ncols)
{
	struct rs_snapshot *s = rs_table_snapshot(t);
	struct rs_buf out = RS_BUF_INIT, line = RS_BUF_INIT;
	char **rows = NULL;
	size_t nrows = 0;

	for (unsigned p = 0; p < s->nparts; p++) {
		const struct rs_schema *sc = rs_part_schema(s->parts[p]);
		unsigned nc = ncols < sc->ncols ? ncols : sc->ncols;
		struct rs_col cols[16];
		struct rs_err err = { 0 };
		size_t n = 0;

		for (unsigned c = 0; c < nc; c++) {
			rs_col_init(&cols[c], sc->cols[c].type);
			for (unsigned g = 0; g < rs_part_ngranules(s->parts[p]); g++)
				T_EQ_INT(rs_part_read(s->parts[p], c, g, &cols[c], &err), 0);
			n = cols[c].n;
		}
		for (size_t r = 0; r < n; r++) {
			rs_buf_reset(&line);
			for (unsigned c = 0; c < nc; c++) {
				if (c)
					rs_buf_addc(&line, '\t');
				rs_value_render(&cols[c], r, RS_RENDER_TSV, &line);
			}
			rs_buf_addc(&line, 0);
			rows = xrealloc(rows, (nrows + 1) * sizeof(*rows));
			rows[nrows++] = xstrdup(line.data);
		}
		for (unsigned c = 0; c < nc; c++)
			rs_col_release(&cols[c]);
	}
	rs_snapshot_unref(s);
	if (nrows)
		qsort(rows, nrows, sizeof(*rows), cmp_str);
	for (size_t r = 0; r < nrows; r++) {
		rs_buf_adds(&out, rows[r]);
		rs_buf_addc(&out, '\n');
		free(rows[r]);
	}
	free(rows);
	rs_buf_release(&line);
	rs_buf_addc(&out, 0);
	return rs_buf_detach(&out, NULL);
}

/*
 * Replace data source 'name' with csv[0..len) written in chunks ending at
 * cuts[0..ncuts); the rows (first 5 columns) and quarantine rows (the
 * columns and the two error arrays) as text in *rows and *qrows.
 */
static int ingest(const char *name, const char *csv, size_t len, const size_t *cuts,
		  size_t ncuts, char **rows, char **qrows)
{
	struct rs_err err = { 0 };
	struct rs_ds *ds = rs_ds_get(cat, ws, name);
	struct rs_ingest *g = rs_ingest_new(cat, ds, RS_IN_CSV, 1, "test");
	struct rs_table *q = NULL;
	size_t pos = 0;
	int rc = 0;

	for (size_t i = 0; i <= ncuts && !rc; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		char *piece = malloc(to - pos + 1);	/* a fresh copy: no pointer may outlive it */

		memcpy(piece, csv + pos, to - pos);
		rc = rs_ingest_write(g, piece, to - pos, &err);
		free(piece);
		pos = to;
	}
	if (!rc)
		rc = rs_ingest_commit(g, NULL, &err);
	if (rc)
		fprintf(stderr, "ingest: %s\n", err.msg);
	rs_ingest_free(g);
	*rows = table_rows(ds->data, 5);
	T_EQ_INT(rs_ds_quarantine_table(ds, &q, &err), 0);
	*qrows = table_rows(q, 7);
	/* the next test starts with an empty quarantine */
	T_EQ_INT(rs_table_commit(q, NULL, 0, 1, &err), 0);
	rs_ds_unref(cat, ds);
	return rc;
}

/* Ingest csv whole, cut once at many points, in 1-byte chunks and in
 * random chunks: always the same rows and quarantine rows. */
static void check_ingest(const char *name, const char *csv, const char *want_rows,
			 const char *want_q)
{
	size_t len = strlen(csv), *cuts = xcalloc(len + 1, sizeof(*cuts)), n;
	char *rows, *qrows;

	T_EQ_INT(ingest(name, csv, len, NULL, 0, &rows, &qrows), 0);
	T_EQ_STR(rows, want_rows);
	T_EQ_STR(qrows, want_q);
	free(rows);
	free(qrows);
	/* about 30 single cuts spread over the input (each ingestion commits
	 * and fsyncs: every split point would be slow; test_csv.c has those) */
	for (size_t at = 1 + rng() % 3; at < len; at += 1 + rng() % (len / 15 + 1)) {
		cuts[0] = at;
		T_EQ_INT(ingest(name, csv, len, cuts, 1, &rows, &qrows), 0);
		T_CHECK(!strcmp(rows, want_rows) && !strcmp(qrows, want_q), "cut at %zu:\n%s%s",
			at, rows, qrows);
		free(rows);
		free(qrows);
	}
	for (n = 0; n + 1 < len; n++)
		cuts[n] = n + 1;
	T_EQ_INT(ingest(name, csv, len, cuts, n, &rows, &qrows), 0);
	T_EQ_STR(rows, want_rows);
	T_EQ_STR(qrows, want_q);
	free(rows);
	free(qrows);
	for (int k = 0; k < 5; k++) {
		size_t pos = 0;
		n = 0;
		while ((pos += 1 + rng() % 16) < len)
			cuts[n++] = pos;
		T_EQ_INT(ingest(name, csv, len, cuts, n, &rows, &qrows), 0);
		T_CHECK(!strcmp(rows, want_rows) && !strcmp(qrows, want_q), "random cuts:\n%s%s",
			rows, qrows);
		free(rows);
		free(qrows);
	}
	free(cuts);
}

static const char *def =
	"SCHEMA >\n"
	"    id UInt32,\n    name String,\n    score Float64,\n    ts DateTime,\n"
	"    n Nullable(Int32)\n\n"
	"ENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"id\"\n";

/* Positional rows: the fast path, the general one (fewer or more fields),
 * values the fast conversions decline, quarantine rows and their line
 * numbers (a quoted field spans two lines; an empty line counts). */
static void test_ingest__positional(void)
{
	const char *csv =
		"1,alice,1.5,2024-01-01 00:00:00,7\n"
		"x,bob,2,2024-01-01 00:00:01,\n"
		"3,\"caf\xc3\xa9\",0.1,2024-02-29 23:59:59,\\N\n"
		"4,\xff\xfe,3,2024-01-01 00:00:00,1\r\n"
		"5,e,1e3,2023-02-29 00:00:00,2\n"
		"6,\"multi\nline\",-0.25,2024-01-01T10:00:00,3\n"
		"4294967296,g,1,2024-01-01 00:00:00,4\n"
		"8,h\n"
		"9,i,1,2024-01-01 00:00:00,1,extra\n"
		"\n"
		"10,j,123456789012345678,1704067200,\n"
		"11,\"k\"\"q\",00042,1970-01-01 00:00:00,-5\n"
		"12,,.5,2106-02-07 06:28:15,0\n"
		"13,l,+5,2106-02-07 06:28:16,0\n"
		"14,m,-0,2024-01-01 24:00:00,0\n"
		"\"15\",\"n\",\"2.5\",\"2024-03-01 01:02:03\",\"\"\n"
		"16,o,1.,1969-12-31 23:59:59,0\n"
		"17,\xe2\x82\xac,1234567890.12345,2024-1-2 3:04:05,0";

	check_ingest("p", csv,
		     "1\talice\t1.5\t2024-01-01 00:00:00\t7\n"
		     "10\tj\t123456789012345680\t2024-01-01 00:00:00\t\\N\n"
		     "11\tk\"q\t42\t1970-01-01 00:00:00\t-5\n"
		     "12\t\t0.5\t2106-02-07 06:28:15\t0\n"
		     "15\tn\t2.5\t2024-03-01 01:02:03\t\\N\n"
		     "17\t\xe2\x82\xac\t1234567890.12345\t2024-01-02 03:04:05\t0\n"
		     "3\tcaf\xc3\xa9\t0.1\t2024-02-29 23:59:59\t\\N\n"
		     "6\tmulti\\nline\t-0.25\t2024-01-01 10:00:00\t3\n",
		     "13\tl\t+5\t2106-02-07 06:28:16\t0\t['ts']\t['value \\'2106-02-07 06:28:16\\' on column \\'ts\\' is not DateTime']\n"
		     "14\tm\t-0\t2024-01-01 24:00:00\t0\t['ts']\t['value \\'2024-01-01 24:00:00\\' on column \\'ts\\' is not DateTime']\n"
		     "16\to\t1.\t1969-12-31 23:59:59\t0\t['ts']\t['value \\'1969-12-31 23:59:59\\' on column \\'ts\\' is not DateTime']\n"
		     "4\t\xff\xfe\t3\t2024-01-01 00:00:00\t1\t['name']\t['value \\'\xff\xfe\\' on column \\'name\\' is not valid UTF-8']\n"
		     "4294967296\tg\t1\t2024-01-01 00:00:00\t4\t['id']\t['value \\'4294967296\\' on column \\'id\\' is not UInt32']\n"
		     "5\te\t1e3\t2023-02-29 00:00:00\t2\t['ts']\t['value \\'2023-02-29 00:00:00\\' on column \\'ts\\' is not DateTime']\n"
		     "8\th\t\\N\t\\N\t\\N\t['score','ts']\t['missing value for column \\'score\\' with no DEFAULT','missing value for column \\'ts\\' with no DEFAULT']\n"
		     "9\ti\t1\t2024-01-01 00:00:00\t1\t[]\t['line 10: the row has 6 fields, the data source has 5 columns']\n"
		     "x\tbob\t2\t2024-01-01 00:00:01\t\t['id']\t['value \\'x\\' on column \\'id\\' is not UInt32']\n");
}

/* By name: a header naming every column in another order takes the fast
 * path; rows with another field count and a header naming only some
 * columns do not. */
static void test_ingest__header(void)
{
	check_ingest("h",
		     "ts,n,score,name,id\n"
		     "2024-01-01 00:00:00,1,0.5,a,1\n"
		     "2024-01-01 00:00:00,,x,b,2\n"
		     "2024-01-01 00:00:00,3,1,c\n"
		     "2024-05-06 07:08:09,4,2,d,4\n",
		     "1\ta\t0.5\t2024-01-01 00:00:00\t1\n"
		     "4\td\t2\t2024-05-06 07:08:09\t4\n",
		     "2\tb\tx\t2024-01-01 00:00:00\t\t['score']\t['value \\'x\\' on column \\'score\\' is not Float64']\n"
		     "\\N\tc\t1\t2024-01-01 00:00:00\t3\t['id']\t['line 4: the row has 4 fields, the header has 5','missing value for column \\'id\\' with no DEFAULT']\n");
	check_ingest("h",
		     "id,ts,score,name\n"
		     "1,2024-01-01 00:00:00,0.5,a\n"
		     "2,2024-01-01 00:00:00,x,b\n",
		     "1\ta\t0.5\t2024-01-01 00:00:00\t\\N\n",
		     "2\tb\tx\t2024-01-01 00:00:00\t\\N\t['score']\t['value \\'x\\' on column \\'score\\' is not Float64']\n");
	/* a header is only recognised at the start */
	check_ingest("h",
		     "1,2024-01-01 00:00:00,0.5,a\n"
		     "id,ts,score,name\n",
		     "",
		     "1\t2024-01-01 00:00:00\t0.5\ta\t\\N\t['ts']\t['value \\'a\\' on column \\'ts\\' is not DateTime']\n"
		     "id\tts\tscore\tname\t\\N\t['id','score','ts']\t['value \\'id\\' on column \\'id\\' is not UInt32',"
		     "'value \\'score\\' on column \\'score\\' is not Float64','value \\'name\\' on column \\'ts\\' is not DateTime']\n");
}

/* ---- the fast conversions against rs_value_parse ---- */

static void same_as_generic(const char *type, enum rs_fast_kind want_kind, const char *s,
			    int want_fast)
{
	struct rs_type *t = NULL;
	struct rs_err err = { 0 };
	struct rs_col a, b;
	struct rs_fast_dt dt = { 0 };
	int rc;

	T_EQ_INT(rs_type_parse(type, &t, &err), 0);
	T_EQ_INT(rs_fast_kind_of(t), want_kind);
	rs_col_init(&a, t);
	rs_col_init(&b, t);
	rc = rs_fast_push(want_kind, &dt, &a, s, strlen(s));
	T_CHECK(rc == !want_fast, "%s '%s': fast path gave %d", type, s, rc);
	if (rc == 0) {
		T_CHECK(rs_value_parse(&b, s, strlen(s)) == 0 && a.n == 1 && b.n == 1 &&
			!memcmp(a.data, b.data, a.width), "%s '%s': not what rs_value_parse gives",
			type, s);
		/* the date cache hit gives the same */
		rs_col_reset(&a);
		T_EQ_INT(rs_fast_push(want_kind, &dt, &a, s, strlen(s)), 0);
		T_CHECK(a.n == 1 && !memcmp(a.data, b.data, a.width), "%s '%s' (cached)", type, s);
	}
	rs_col_release(&a);
	rs_col_release(&b);
	rs_type_free(t);
}

static void test_ingest__fast_conversions(void)
{
	static const char *u32_yes[] = { "0", "7", "00042", "4294967295" };
	static const char *u32_no[] = { "", "4294967296", "-1", "+1", " 1", "1 ", "1.0", "0x10",
					"12345678901234567890" };
	static const char *f64_yes[] = { "0", "-0", "0.1", "1.5", "-0.25", "123456789012345",
					 "1234567890.12345", "0.00000000000001", "999999999999999" };
	static const char *f64_no[] = { "1e3", ".5", "1.", "+5", "1234567890123456", "nan", "inf",
					"--1", "1.2.3", "-", "1,5", "0.000000000000001" };
	static const char *dt_yes[] = { "2024-01-01 00:00:00", "2024-02-29 23:59:59",
					"1970-01-01 00:00:00", "2106-02-07 06:28:15",
					"2000-12-31T12:34:56" };
	static const char *dt_no[] = { "2023-02-29 00:00:00", "2024-13-01 00:00:00",
				       "2024-01-01 24:00:00", "2024-01-01 00:60:00",
				       "2024-01-01 00:00:60", "1969-12-31 23:59:59",
				       "2106-02-07 06:28:16", "2024-1-01 00:00:00",
				       "2024/01/01 00:00:00", "2024-01-01 00:00:00Z",
				       "1704067200", "2024-01-01", "2024-01-0a 00:00:00" };

	for (size_t i = 0; i < RS_ARRAY_SIZE(u32_yes); i++)
		same_as_generic("UInt32", RS_FK_U32, u32_yes[i], 1);
	for (size_t i = 0; i < RS_ARRAY_SIZE(u32_no); i++)
		same_as_generic("UInt32", RS_FK_U32, u32_no[i], 0);
	same_as_generic("UInt8", RS_FK_U8, "255", 1);
	same_as_generic("UInt8", RS_FK_U8, "256", 0);
	same_as_generic("UInt16", RS_FK_U16, "65535", 1);
	same_as_generic("UInt16", RS_FK_U16, "65536", 0);
	same_as_generic("LowCardinality(UInt64)", RS_FK_U64, "9999999999999999999", 1);
	same_as_generic("UInt64", RS_FK_U64, "18446744073709551615", 0);
	for (size_t i = 0; i < RS_ARRAY_SIZE(f64_yes); i++)
		same_as_generic("Float64", RS_FK_F64, f64_yes[i], 1);
	for (size_t i = 0; i < RS_ARRAY_SIZE(f64_no); i++)
		same_as_generic("Float64", RS_FK_F64, f64_no[i], 0);
	for (size_t i = 0; i < RS_ARRAY_SIZE(dt_yes); i++)
		same_as_generic("DateTime", RS_FK_DATETIME, dt_yes[i], 1);
	for (size_t i = 0; i < RS_ARRAY_SIZE(dt_no); i++)
		same_as_generic("DateTime", RS_FK_DATETIME, dt_no[i], 0);
	/* every byte value at every digit position of a DateTime: a non-digit is
	 * declined, whatever is taken is what rs_value_parse gives */
	{
		static const unsigned char pos[] = { 0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18 };
		struct rs_type *t = NULL;
		struct rs_err err = { 0 };
		struct rs_col a, b;
		T_EQ_INT(rs_type_parse("DateTime", &t, &err), 0);
		rs_col_init(&a, t);
		rs_col_init(&b, t);
		for (size_t k = 0; k < sizeof(pos); k++)
			for (unsigned v = 0; v < 256; v++) {
				char s[20] = "2024-05-06 07:08:09";
				struct rs_fast_dt dt = { 0 };
				int isdig = v >= '0' && v <= '9', rc;
				s[pos[k]] = (char)v;
				rs_col_reset(&a);
				rs_col_reset(&b);
				rc = rs_fast_push(RS_FK_DATETIME, &dt, &a, s, 19);
				if (!isdig)
					T_CHECK(rc == 1, "byte %u at %u taken", v, pos[k]);
				if (!rc)
					T_CHECK(rs_value_parse(&b, s, 19) == 0 &&
						!memcmp(a.data, b.data, 4), "'%s'", s);
			}
		rs_col_release(&a);
		rs_col_release(&b);
		rs_type_free(t);
	}
	/* random decimals of up to 15 digits: bit-identical to strtod */
	for (int k = 0; k < 200000; k++) {
		char s[32];
		unsigned nd = 1 + (unsigned)(rng() % 15), point = (unsigned)(rng() % (nd + 1)), o = 0;
		if (rng() & 1)
			s[o++] = '-';
		for (unsigned d = 0; d < nd; d++) {
			if (d == point && d)
				s[o++] = '.';
			s[o++] = (char)('0' + rng() % 10);
		}
		s[o] = 0;
		same_as_generic("Float64", RS_FK_F64, s, 1);
	}
	/* kinds the fast path leaves to the generic parser */
	{
		static const char *generic[] = { "Nullable(UInt32)", "Int32", "Float32", "Date",
						 "DateTime('Europe/Madrid')", "FixedString(3)",
						 "Nullable(String)", "Array(UInt8)", "DateTime64(3)" };
		for (size_t i = 0; i < RS_ARRAY_SIZE(generic); i++) {
			struct rs_type *t = NULL;
			struct rs_err err = { 0 };
			T_EQ_INT(rs_type_parse(generic[i], &t, &err), 0);
			T_CHECK(rs_fast_kind_of(t) == RS_FK_GENERIC, "%s", generic[i]);
			rs_type_free(t);
		}
	}
	{
		struct rs_type *t = NULL;
		struct rs_err err = { 0 };
		T_EQ_INT(rs_type_parse("LowCardinality(String)", &t, &err), 0);
		T_EQ_INT(rs_fast_kind_of(t), RS_FK_STRING);
		rs_type_free(t);
	}
}

int main(void)
{
	struct rs_err err = { 0 };
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rs_ingest_XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	if (rs_catalog_open(tmpdir, NULL, &cat, &err) || rs_org_create(cat, "o", &err) ||
	    rs_ws_create(cat, "o", "w", "test", &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return 2;
	}
	ws = rs_ws_get(cat, "o", "w");
	if (rs_ds_apply(cat, ws, "p", def, strlen(def), "test", NULL, &err) ||
	    rs_ds_apply(cat, ws, "h", def, strlen(def), "test", NULL, &err)) {
		fprintf(stderr, "apply: %s\n", err.msg);
		return 2;
	}
	T_RUN(test_ingest__fast_conversions);
	T_RUN(test_ingest__positional);
	T_RUN(test_ingest__header);
	rs_ws_unref(cat, ws);
	rs_catalog_close(cat);
	rs_rm_rf(tmpdir);
	rc = T_DONE();
	return rc;
}
