/*
 * test_format.c - output formats, byte for byte. The JSON envelope is laid
 * out as ClickHouse's FORMAT JSON prints it (checked against
 * clickhouse-client 18.16 `SELECT ... FORMAT JSON`): tab indentation, each
 * meta entry and each data row an object with one key per line, an empty
 * data array as "[\n\n\t]", rows_before_limit_at_least only with a LIMIT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/err.h"
#include "../../engine/output/format.h"
#include "../../engine/types/schema.h"
#include "../../engine/types/value.h"
#include "t.h"

static struct rs_schema schema;
static struct rs_col cols[4];

static void setup(void)
{
	static const char *const names[] = { "id", "name", "score", "tags" };
	static const char *const types[] = { "UInt32", "String", "Nullable(Float64)",
					     "Array(String)" };
	struct rs_err err = { 0 };

	rs_schema_init(&schema);
	for (unsigned i = 0; i < 4; i++) {
		struct rs_type *t;

		if (rs_type_parse(types[i], &t, &err)) {
			fprintf(stderr, "%s: %s\n", types[i], err.msg);
			continue;
		}
		rs_schema_add(&schema, names[i], t);
		rs_col_init(&cols[i], schema.cols[i].type);
	}
	/* rows: (1, 'a"b', 0.5, ['x','y']), (2, '', NULL, []) */
	uint32_t id = 1;
	double f = 0.5;

	rs_col_push_fixed(&cols[0], &id);
	id = 2;
	rs_col_push_fixed(&cols[0], &id);
	rs_col_push_str(&cols[1], "a\"b", 3);
	rs_col_push_str(&cols[1], "", 0);
	rs_col_push_fixed(&cols[2], &f);
	rs_col_push_null(&cols[2]);
	rs_col_reserve(&cols[3], 2);
	rs_col_push_str(cols[3].child, "x", 1);
	rs_col_push_str(cols[3].child, "y", 1);
	rs_col_array_close(&cols[3]);
	rs_col_array_close(&cols[3]);
}

/* Whole output of fmt over rows [0, nrows), in batches of one row. */
static const char *render(enum rs_format fmt, size_t nrows, const struct rs_fmt_stats *st)
{
	static struct rs_buf out = RS_BUF_INIT;
	static struct rs_err err;
	struct rs_writer w;
	int rc;

	rs_buf_reset(&out);
	if ((rc = rs_writer_init(&w, fmt, &schema, &err))) {
		rs_writer_release(&w);
		return err.msg;
	}
	rc = rs_writer_header(&w, &out);
	for (size_t r = 0; r < nrows && !rc; r++)
		rc = rs_writer_rows(&w, cols, r, 1, &out);
	if (!rc)
		rc = rs_writer_footer(&w, st, &out);
	rs_writer_release(&w);
	if (rc)
		return "(error)";
	rs_buf_addc(&out, 0);
	return out.data;
}

static const char *meta =
	"{\n"
	"\t\"meta\":\n"
	"\t[\n"
	"\t\t{\n"
	"\t\t\t\"name\": \"id\",\n"
	"\t\t\t\"type\": \"UInt32\"\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"name\": \"name\",\n"
	"\t\t\t\"type\": \"String\"\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"name\": \"score\",\n"
	"\t\t\t\"type\": \"Nullable(Float64)\"\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"name\": \"tags\",\n"
	"\t\t\t\"type\": \"Array(String)\"\n"
	"\t\t}\n"
	"\t],\n"
	"\n"
	"\t\"data\":\n"
	"\t[\n";

static void test_format__json_rows(void)
{
	struct rs_fmt_stats st = { 0.0125, 2, 64, 7 };
	char want[2048];

	snprintf(want, sizeof(want), "%s%s", meta,
		 "\t\t{\n"
		 "\t\t\t\"id\": 1,\n"
		 "\t\t\t\"name\": \"a\\\"b\",\n"
		 "\t\t\t\"score\": 0.5,\n"
		 "\t\t\t\"tags\": [\"x\",\"y\"]\n"
		 "\t\t},\n"
		 "\t\t{\n"
		 "\t\t\t\"id\": 2,\n"
		 "\t\t\t\"name\": \"\",\n"
		 "\t\t\t\"score\": null,\n"
		 "\t\t\t\"tags\": []\n"
		 "\t\t}\n"
		 "\t],\n"
		 "\n"
		 "\t\"rows\": 2,\n"
		 "\n"
		 "\t\"rows_before_limit_at_least\": 7,\n"
		 "\n"
		 "\t\"statistics\":\n"
		 "\t{\n"
		 "\t\t\"elapsed\": 0.012500,\n"
		 "\t\t\"rows_read\": 2,\n"
		 "\t\t\"bytes_read\": 64\n"
		 "\t}\n"
		 "}\n");
	T_EQ_STR(render(RS_FMT_JSON, 2, &st), want);
}

static void test_format__json_empty(void)
{
	struct rs_fmt_stats st = { 0.5, 0, 0, -1 };
	char want[2048];

	snprintf(want, sizeof(want), "%s%s", meta,
		 "\n"
		 "\t],\n"
		 "\n"
		 "\t\"rows\": 0,\n"
		 "\n"
		 "\t\"statistics\":\n"
		 "\t{\n"
		 "\t\t\"elapsed\": 0.500000,\n"
		 "\t\t\"rows_read\": 0,\n"
		 "\t\t\"bytes_read\": 0\n"
		 "\t}\n"
		 "}\n");
	T_EQ_STR(render(RS_FMT_JSON, 0, &st), want);
}

static void test_format__lines(void)
{
	T_EQ_STR(render(RS_FMT_NDJSON, 2, NULL),
		 "{\"id\":1,\"name\":\"a\\\"b\",\"score\":0.5,\"tags\":[\"x\",\"y\"]}\n"
		 "{\"id\":2,\"name\":\"\",\"score\":null,\"tags\":[]}\n");
	T_EQ_STR(render(RS_FMT_CSV, 2, NULL),
		 "\"id\",\"name\",\"score\",\"tags\"\n"
		 "1,\"a\"\"b\",0.5,\"['x','y']\"\n"
		 "2,\"\",\\N,\"[]\"\n");
	T_EQ_STR(render(RS_FMT_TSV, 2, NULL),
		 "id\tname\tscore\ttags\n"
		 "1\ta\"b\t0.5\t['x','y']\n"
		 "2\t\t\\N\t[]\n");
	T_EQ_STR(render(RS_FMT_PROMETHEUS, 0, NULL),
		 "the prometheus format needs columns 'name' and 'value'");
}

int main(void)
{
	setup();
	T_RUN(test_format__json_rows);
	T_RUN(test_format__json_empty);
	T_RUN(test_format__lines);
	for (unsigned i = 0; i < 4; i++)
		rs_col_release(&cols[i]);
	rs_schema_release(&schema);
	return T_DONE();
}
