/*
 * test_datafile.c - .datasource grammar and the shared lexer
 * (engine/catalog/datafile*.c); .pipe files: test_datafile_pipe.c.
 *
 * The example project is read from $ROOST_SHARED, else ../shared, else
 * /work/shared (examples/web_analytics).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/err.h"
#include "../../engine/catalog/datafile.h"
#include "t.h"

static char *read_example(const char *rel, size_t *len)
{
	const char *env = getenv("ROOST_SHARED");
	const char *dirs[] = { env, "../shared", "/work/shared" };
	char path[1024];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		FILE *f;
		char *buf;
		long n;

		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/examples/web_analytics/%s", dirs[i], rel);
		if (!(f = fopen(path, "rb")))
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		if (n < 0 || !(buf = malloc((size_t)n + 1))) {
			fclose(f);
			return NULL;
		}
		if (fread(buf, 1, (size_t)n, f) != (size_t)n)
			n = 0;
		buf[n] = '\0';
		fclose(f);
		*len = (size_t)n;
		return buf;
	}
	fprintf(stderr, "example %s not found\n", rel);
	return NULL;
}

/* Type name of column i, in a static buffer. */
static const char *tname(const struct rs_ds_def *d, unsigned i)
{
	static char out[128];
	struct rs_buf b = RS_BUF_INIT;

	out[0] = '\0';
	if (i < d->ncols && d->cols[i].type && !rs_type_name(d->cols[i].type, &b) && b.data)
		snprintf(out, sizeof(out), "%s", b.data);
	rs_buf_release(&b);
	return out;
}

static int ds(const char *text, struct rs_ds_def *d, struct rs_err *err)
{
	rs_err_clear(err);
	return rs_ds_parse(text, strlen(text), d, err);
}

/* The parse fails with -EINVAL, the message and err->line/col. */
#define DS_FAILS(text_, msg_, l_, c_) do { struct rs_ds_def d_; struct rs_err e_; \
	int r_ = ds((text_), &d_, &e_); T_EQ_INT(r_, -EINVAL); T_EQ_STR(e_.msg, (msg_)); \
	T_EQ_INT(e_.line, (l_)); T_EQ_INT(e_.col, (c_)); \
	if (r_) T_EQ_INT(d_.ncols, 0); else rs_ds_def_release(&d_); } while (0)

/* ------------------------------------------------------------- examples */

static void test_example_page_views(void)
{
	static const char *const names[] = { "timestamp", "session_id", "user_id",
		"pathname", "referrer", "country", "device", "load_ms", "revenue" };
	static const char *const types[] = { "DateTime", "String", "UInt64", "String",
		"String", "LowCardinality(String)", "LowCardinality(String)", "UInt32",
		"Nullable(Float64)" };
	static const char *const paths[] = { "$.timestamp", "$.session_id", "$.user.id",
		"$.page.path", "$.page.referrer", "$.geo.country", "$.device", "$.load_ms",
		"$.revenue" };
	static const char *const defs[] = { NULL, NULL, "0", NULL, "''", "'unknown'",
		NULL, NULL, NULL };
	struct rs_ds_def d;
	struct rs_err err = { 0 };
	size_t len;
	char *text = read_example("datasources/page_views.datasource", &len);

	if (!text) {
		T_OK(0);
		return;
	}
	T_EQ_INT(rs_ds_parse(text, len, &d, &err), 0);
	T_EQ_STR(err.msg, "");
	T_EQ_STR(d.description, "Raw page views sent by the site tracker, one JSON object per view.");
	T_EQ_INT(d.ncols, 9);
	for (unsigned i = 0; i < 9 && i < d.ncols; i++) {
		T_EQ_STR(d.cols[i].name, names[i]);
		T_EQ_STR(tname(&d, i), types[i]);
		T_EQ_STR(d.cols[i].type_text, types[i]);
		T_EQ_STR(d.cols[i].jsonpath, paths[i]);
		if (defs[i])
			T_EQ_STR(d.cols[i].default_expr, defs[i]);
		else
			T_OK(d.cols[i].default_expr == NULL);
		T_OK(d.cols[i].codec == NULL);
		T_EQ_INT(d.cols[i].line, 5 + i);
	}
	T_EQ_INT(d.engine, RS_ENGINE_MERGETREE);
	T_EQ_STR(d.engine_text, "MergeTree");
	T_EQ_STR(d.partition_key, "toYYYYMM(timestamp)");
	T_EQ_STR(d.sorting_key, "pathname, timestamp");
	T_OK(!d.primary_key && !d.ttl && !d.settings && !d.ver && !d.forward_query);
	T_EQ_INT(d.version, -1);
	T_EQ_INT(d.nshared, 0);
	T_EQ_INT(d.nextra, 0);
	rs_ds_def_release(&d);
	free(text);
}

static void test_example_daily_pages(void)
{
	static const char *const names[] = { "date", "pathname", "device", "visits",
		"views", "load_ms_avg" };
	static const char *const types[] = { "Date", "String", "LowCardinality(String)",
		"AggregateFunction(uniq, String)", "AggregateFunction(count)",
		"AggregateFunction(avg, UInt32)" };
	struct rs_ds_def d;
	struct rs_err err = { 0 };
	size_t len;
	char *text = read_example("datasources/daily_pages.datasource", &len);

	if (!text) {
		T_OK(0);
		return;
	}
	T_EQ_INT(rs_ds_parse(text, len, &d, &err), 0);
	T_EQ_INT(d.ncols, 6);
	for (unsigned i = 0; i < 6 && i < d.ncols; i++) {
		T_EQ_STR(d.cols[i].name, names[i]);
		T_EQ_STR(tname(&d, i), types[i]);
		T_OK(d.cols[i].jsonpath == NULL);
	}
	T_EQ_INT(d.engine, RS_ENGINE_AGGREGATING);
	T_EQ_STR(d.engine_text, "AggregatingMergeTree");
	T_EQ_STR(d.partition_key, "toYYYYMM(date)");
	T_EQ_STR(d.sorting_key, "date, pathname, device");
	T_EQ_STR(d.description, "Daily visits and views per page, kept up to date by "
		 "materializations/daily_pages.pipe.");
	rs_ds_def_release(&d);
	free(text);
}

static void test_example_countries(void)
{
	struct rs_ds_def d;
	struct rs_err err = { 0 };
	size_t len;
	char *text = read_example("datasources/countries.datasource", &len);

	if (!text) {
		T_OK(0);
		return;
	}
	T_EQ_INT(rs_ds_parse(text, len, &d, &err), 0);
	T_EQ_INT(d.ncols, 3);
	T_EQ_STR(d.cols[0].name, "code");
	T_EQ_STR(d.cols[1].name, "name");
	T_EQ_STR(d.cols[2].name, "region");
	T_EQ_STR(tname(&d, 0), "String");
	T_EQ_STR(tname(&d, 2), "LowCardinality(String)");
	T_EQ_INT(d.engine, RS_ENGINE_MERGETREE);
	T_EQ_STR(d.sorting_key, "code");
	T_OK(d.partition_key == NULL);
	rs_ds_def_release(&d);
	free(text);
}

/* --------------------------------------------------------- datasource */

static void test_ds_keywords(void)
{
	DS_FAILS("SCHEMA >\n    a String\n\nFOO bar\n",
		 "4:1: FOO is not a valid option in datasource files", 4, 1);
	DS_FAILS("SCHEMA >\n    a String\nengine_foo x\n",
		 "3:1: ENGINE_FOO is not a valid option in datasource files", 3, 1);
	DS_FAILS("SCHEMA >\n    a String\nSETTINGS index_granularity=8192\n",
		 "3:1: SETTINGS is not a valid option in datasource files, "
		 "use ENGINE_SETTINGS instead", 3, 1);
	DS_FAILS("SCHEMA >\n    a String\nNODE n\n",
		 "3:1: NODE is not a valid option in datasource files", 3, 1);
	DS_FAILS("ENGINE MergeTree\n  ENGINE_SORTING_KEY a\nSCHEMA >\n    a String\n",
		 "2:3: unexpected indented line", 2, 3);
	DS_FAILS("SCHEMA >\n    a String\nENGINE MergeTree\nENGINE \"MergeTree\"\n",
		 "4:1: duplicated ENGINE", 4, 1);
	DS_FAILS("SCHEMA >\n    a String\nSCHEMA >\n    b String\n",
		 "3:1: duplicated SCHEMA", 3, 1);
	DS_FAILS("SCHEMA >\n    a String\nENGINE Log\n", "3:8: unknown engine 'Log'", 3, 8);
	DS_FAILS("SCHEMA >\n    a String\nENGINE \"MergeTre\"\n",
		 "3:8: unknown engine 'MergeTre'", 3, 8);
	DS_FAILS("SCHEMA >\n    a String\nENGINE_SORTING_KEY\n",
		 "3:1: ENGINE_SORTING_KEY needs a value", 3, 1);
	DS_FAILS("DESCRIPTION > hello\nSCHEMA >\n    a String\n",
		 "1:15: unexpected text after '>'", 1, 15);
	DS_FAILS("SCHEMA >\n    a String\nVERSION x1\n", "3:9: invalid VERSION 'x1'", 3, 9);
	DS_FAILS("SCHEMA >\n    a String\nVERSION -1\n", "3:9: invalid VERSION '-1'", 3, 9);
	DS_FAILS("SCHEMA >\n    a String\nBACKFILL now\n",
		 "3:10: invalid BACKFILL value 'now', expected 'skip'", 3, 10);
	DS_FAILS("SCHEMA >\n    a String\nKAFKA_TOPIC t\nKAFKA_TOPIC u\n",
		 "4:1: duplicated KAFKA_TOPIC", 4, 1);
	DS_FAILS("SCHEMA >\n    a String\nTOKEN t DROP\n",
		 "3:9: invalid TOKEN scope 'DROP'", 3, 9);
	DS_FAILS("SCHEMA >\n    a String\nTOKEN t\n",
		 "3:1: TOKEN needs a name and a scope", 3, 1);
}

static void test_ds_empty(void)
{
	struct rs_ds_def d;
	struct rs_err err;

	DS_FAILS("", "1:1: missing SCHEMA", 1, 1);
	DS_FAILS("# only a comment\n\n", "1:1: missing SCHEMA", 1, 1);
	DS_FAILS("DESCRIPTION >\n    x\n", "1:1: missing SCHEMA", 1, 1);
	DS_FAILS("SCHEMA >\n\nENGINE MergeTree\n", "1:1: SCHEMA needs a value", 1, 1);
	DS_FAILS("SCHEMA >\n    # nothing\n", "1:1: SCHEMA has no columns", 1, 1);
	rs_err_clear(&err);
	T_EQ_INT(rs_ds_parse(NULL, 0, &d, &err), -EINVAL);
	T_EQ_STR(err.msg, "1:1: missing SCHEMA");
}

static void test_ds_blocks(void)
{
	const char *text =
		"# a comment at the top\n"
		"VERSION 3\n"
		"DESCRIPTION >\n"
		"    First line.\n"
		"\n"
		"      indented more\n"
		"    last\n"
		"\n"
		"\n"
		"TOKEN \"tracker\" APPEND\n"
		"TOKEN reader read\n"
		"TAGS \"web, raw\"\n"
		"\n"
		"SCHEMA >\n"
		"    `ts` DateTime `json:$.ts`,\n"
		"# a comment inside the block does not end it\n"
		"    `n` Int32 `json:$.n`\n"
		"\n"
		"FORWARD_QUERY >\n"
		"    SELECT ts, toInt32(n) AS n\n"
		"SHARED_WITH >\n"
		"    team_a\n"
		"    \"team_b\", team_c,\n"
		"BACKFILL skip\n"
		"INCLUDE \"common.incl\"\n"
		"KAFKA_CONNECTION_NAME kafka1\n"
		"IMPORT_SCHEDULE @auto\n"
		"INDEXES >\n"
		"    idx_n n TYPE minmax GRANULARITY 4\n"
		"    idx_t lower(ts) TYPE bloom_filter(0.01) GRANULARITY 1,\n";
	struct rs_ds_def d;
	struct rs_err err;

	T_EQ_INT(ds(text, &d, &err), 0);
	T_EQ_STR(err.msg, "");
	T_EQ_INT(d.version, 3);
	T_EQ_STR(d.description, "First line.\n\n  indented more\nlast");
	T_EQ_INT(d.ncols, 2);
	T_EQ_STR(d.cols[1].name, "n");
	T_EQ_INT(d.cols[1].line, 17);
	T_EQ_STR(d.tags, "web, raw");
	T_EQ_STR(d.forward_query, "SELECT ts, toInt32(n) AS n");
	T_EQ_INT(d.nshared, 3);
	if (d.nshared == 3) {
		T_EQ_STR(d.shared_with[0], "team_a");
		T_EQ_STR(d.shared_with[1], "team_b");
		T_EQ_STR(d.shared_with[2], "team_c");
	}
	T_EQ_INT(d.backfill_skip, 1);
	T_EQ_STR(d.indexes, "idx_n n TYPE minmax GRANULARITY 4\n"
		 "idx_t lower(ts) TYPE bloom_filter(0.01) GRANULARITY 1,");
	T_EQ_INT(d.nextra, 5);
	if (d.nextra == 5) {
		T_EQ_STR(d.extra[0].key, "TOKEN");
		T_EQ_STR(d.extra[0].value, "tracker APPEND");
		T_EQ_INT(d.extra[0].line, 10);
		T_EQ_STR(d.extra[1].value, "reader READ");
		T_EQ_STR(d.extra[2].key, "INCLUDE");
		T_EQ_STR(d.extra[2].value, "common.incl");
		T_EQ_STR(d.extra[3].key, "KAFKA_CONNECTION_NAME");
		T_EQ_STR(d.extra[3].value, "kafka1");
		T_EQ_STR(d.extra[4].key, "IMPORT_SCHEDULE");
		T_EQ_STR(d.extra[4].value, "@auto");
	}
	rs_ds_def_release(&d);

	DS_FAILS("SCHEMA >\n    a String\nINDEXES >\n    idx a TYPE minmax\n",
		 "4:5: invalid index 'idx a TYPE minmax', expected "
		 "'name expr TYPE type GRANULARITY n'", 4, 5);
	DS_FAILS("SCHEMA >\n    a String\nINDEXES >\n    idx TYPE minmax GRANULARITY 1\n",
		 "4:5: invalid index 'idx TYPE minmax GRANULARITY 1', expected "
		 "'name expr TYPE type GRANULARITY n'", 4, 5);
}

static void test_ds_crlf_and_inline(void)
{
	const char *text =
		"\xef\xbb\xbfSCHEMA >\r\n"
		"\t`a` String,\r\n"
		"\t`b` Decimal(10, 2)\r\n"
		"\r\n"
		"ENGINE ReplacingMergeTree\r\n"
		"ENGINE_VER b\r\n"
		"DESCRIPTION \"one line\"\r\n"
		"ENGINE_SETTINGS index_granularity=8192, x='a b'";
	struct rs_ds_def d;
	struct rs_err err;

	T_EQ_INT(ds(text, &d, &err), 0);
	T_EQ_STR(err.msg, "");
	T_EQ_INT(d.ncols, 2);
	T_EQ_STR(d.cols[0].name, "a");
	T_EQ_STR(d.cols[1].name, "b");
	T_EQ_STR(tname(&d, 1), "Decimal(10, 2)");
	T_EQ_INT(d.engine, RS_ENGINE_REPLACING);
	T_EQ_STR(d.ver, "b");
	T_EQ_STR(d.description, "one line");
	T_EQ_STR(d.settings, "index_granularity=8192, x='a b'");
	rs_ds_def_release(&d);
}

static void test_ds_schema_syntax(void)
{
	const char *text =
		"SCHEMA >\n"
		"    `d` Decimal(10, 2) DEFAULT 0,\n"
		"    `t` DateTime64(3, 'UTC') json:$.when DEFAULT now64(),\n"
		"    agg AggregateFunction(uniq, String),\n"
		"    `arr` Array(LowCardinality(String)) `json:$.items[:]` DEFAULT [],\n"
		"    `mx` SimpleAggregateFunction(max, UInt64),\n"
		"    `s` String DEFAULT 'a,b' CODEC(ZSTD(1)),\n"
		"    `dt` Date DEFAULT toDate('2020-01-01') CODEC(Delta(2), ZSTD(1)),\n"
		"    `n` Nullable(String)\n"
		"        `json:$.deep.n`\n"
		"        DEFAULT NULL,\n"
		"    `x.y` Int8 DEFAULT (1, 2).1\n"
		"    , `last` Bool,\n";
	struct rs_ds_def d;
	struct rs_err err;

	T_EQ_INT(ds(text, &d, &err), 0);
	T_EQ_STR(err.msg, "");
	T_EQ_INT(d.ncols, 10);
	if (d.ncols != 10)
		goto out;
	T_EQ_STR(tname(&d, 0), "Decimal(10, 2)");
	T_EQ_STR(d.cols[0].default_expr, "0");
	T_EQ_STR(d.cols[1].type_text, "DateTime64(3, 'UTC')");
	T_EQ_STR(tname(&d, 1), "DateTime64(3, 'UTC')");
	T_EQ_STR(d.cols[1].jsonpath, "$.when");
	T_EQ_STR(d.cols[1].default_expr, "now64()");
	T_EQ_STR(d.cols[2].name, "agg");
	T_EQ_STR(tname(&d, 2), "AggregateFunction(uniq, String)");
	T_EQ_STR(tname(&d, 3), "Array(LowCardinality(String))");
	T_EQ_STR(d.cols[3].jsonpath, "$.items[:]");
	T_EQ_STR(d.cols[3].default_expr, "[]");
	T_EQ_STR(d.cols[4].type_text, "SimpleAggregateFunction(max, UInt64)");
	T_EQ_INT(d.cols[4].type->simple_agg, 1);
	T_EQ_STR(d.cols[5].default_expr, "'a,b'");
	T_EQ_STR(d.cols[5].codec, "ZSTD(1)");
	T_EQ_STR(d.cols[6].default_expr, "toDate('2020-01-01')");
	T_EQ_STR(d.cols[6].codec, "Delta(2), ZSTD(1)");
	T_EQ_STR(d.cols[7].jsonpath, "$.deep.n");
	T_EQ_STR(d.cols[7].default_expr, "NULL");
	T_EQ_INT(d.cols[7].line, 9);
	T_EQ_STR(d.cols[8].name, "x.y");
	T_EQ_STR(d.cols[8].default_expr, "(1, 2).1");
	T_EQ_STR(d.cols[9].name, "last");
	T_EQ_INT(d.cols[9].line, 13);
out:
	rs_ds_def_release(&d);
}

static void test_ds_schema_errors(void)
{
	DS_FAILS("SCHEMA >\n    `ts` DateTim,\n    `a` String\n",
		 "2:10: column 'ts': unknown type 'DateTim'", 2, 10);
	DS_FAILS("SCHEMA >\n    `a` String,\n    `ts` Nullable(Foo)\n",
		 "3:10: column 'ts': unknown type 'Foo'", 3, 10);
	DS_FAILS("SCHEMA >\n    `a` String\n    `b` String\n",
		 "2:15: missing ',' after column 'a'", 2, 15);
	DS_FAILS("SCHEMA >\n    `a` String `json:$.a` DEFAULT 'x'\n    `b` String\n",
		 "2:38: missing ',' after column 'a'", 2, 38);
	DS_FAILS("SCHEMA >\n    `a` String Foo,\n", "2:16: column 'a': unexpected 'Foo'", 2, 16);
	DS_FAILS("SCHEMA >\n    `1a` String\n", "2:5: invalid column name '1a'", 2, 5);
	DS_FAILS("SCHEMA >\n    `a-b` String\n", "2:5: invalid column name 'a-b'", 2, 5);
	DS_FAILS("SCHEMA >\n    a String,\n    `index` UInt8\n",
		 "3:5: column name 'index' is reserved", 3, 5);
	DS_FAILS("SCHEMA >\n    a String,\n    b String,\n    `a` Int32\n",
		 "4:5: duplicated column 'a'", 4, 5);
	DS_FAILS("SCHEMA >\n    a String,,\n    b String\n", "2:14: unexpected ','", 2, 14);
	DS_FAILS("SCHEMA >\n    `a`,\n", "2:8: column 'a' needs a type", 2, 8);
	DS_FAILS("SCHEMA >\n    `a` Decimal(10, 2\n", "2:16: column 'a': missing ')'", 2, 16);
	DS_FAILS("SCHEMA >\n    `a` String DEFAULT (1))\n",
		 "2:27: column 'a': unexpected ')'", 2, 27);
	DS_FAILS("SCHEMA >\n    `a` String DEFAULT 'x\n",
		 "2:24: column 'a': unterminated quote", 2, 24);
	DS_FAILS("SCHEMA >\n    `a` String DEFAULT ,\n",
		 "2:16: column 'a': DEFAULT needs an expression", 2, 16);
	DS_FAILS("SCHEMA >\n    `a` String `json:a.b`\n",
		 "2:16: column 'a': invalid jsonpath 'a.b'", 2, 16);
	DS_FAILS("SCHEMA >\n    `a` String `json:$.a` `json:$.b`\n",
		 "2:27: column 'a': duplicated jsonpath", 2, 27);
	DS_FAILS("SCHEMA >\n    `t` DateTime64 `json:$.t`\n",
		 "2:9: column 't': DateTime64 needs a precision, e.g. DateTime64(3)", 2, 9);
	DS_FAILS("SCHEMA >\n    `a` `b`\n", "2:9: column 'a': invalid type '`b`'", 2, 9);
	DS_FAILS("SCHEMA >\n    `a String\n", "2:5: unterminated column name", 2, 5);
}

static void test_ds_engine_rules(void)
{
	struct rs_ds_def d;
	struct rs_err err;

	DS_FAILS("SCHEMA >\n    a String,\n    v UInt64\nENGINE MergeTree\nENGINE_VER v\n",
		 "5:1: ENGINE_VER is only valid with ReplacingMergeTree", 5, 1);
	DS_FAILS("SCHEMA >\n    a String\nENGINE_SIGN s\n",
		 "3:1: ENGINE_SIGN is only valid with CollapsingMergeTree or "
		 "VersionedCollapsingMergeTree", 3, 1);
	DS_FAILS("SCHEMA >\n    a String\nENGINE \"ReplacingMergeTree\"\nENGINE_VER ver\n",
		 "4:12: ENGINE_VER column 'ver' is not in SCHEMA", 4, 12);
	DS_FAILS("SCHEMA >\n    a String,\n    s Int8\nENGINE CollapsingMergeTree\n",
		 "4:8: CollapsingMergeTree needs ENGINE_SIGN", 4, 8);
	DS_FAILS("SCHEMA >\n    a String,\n    d UInt8\nENGINE ReplacingMergeTree\n"
		 "ENGINE_IS_DELETED d\n",
		 "5:1: ENGINE_IS_DELETED needs ENGINE_VER", 5, 1);
	DS_FAILS("SCHEMA >\n    a String\nENGINE SummingMergeTree\nENGINE_SUMMING_COLUMNS a\n"
		 "ENGINE_VERSION a\n",
		 "5:1: ENGINE_VERSION is only valid with VersionedCollapsingMergeTree", 5, 1);

	T_EQ_INT(ds("SCHEMA >\n    a String,\n    s Int8,\n    v UInt64\n"
		    "ENGINE VersionedCollapsingMergeTree\nENGINE_SIGN s\nENGINE_VERSION `v`\n",
		    &d, &err), 0);
	T_EQ_INT(d.engine, RS_ENGINE_VERSIONED_COLLAPSING);
	T_EQ_STR(d.sign, "s");
	T_EQ_STR(d.version_col, "`v`");
	rs_ds_def_release(&d);
	T_EQ_INT(ds("SCHEMA >\n    a String,\n    s Int8\nENGINE CollapsingMergeTree(s)\n",
		    &d, &err), 0);
	T_EQ_INT(d.engine, RS_ENGINE_COLLAPSING);
	T_EQ_STR(d.engine_text, "CollapsingMergeTree(s)");
	rs_ds_def_release(&d);
	T_EQ_INT(ds("SCHEMA >\n    a String\nENGINE Null\n", &d, &err), 0);
	T_EQ_INT(d.engine, RS_ENGINE_NULL);
	rs_ds_def_release(&d);
	T_EQ_INT(ds("SCHEMA >\n    a String\nENGINE_TTL \"toDate(a) + interval 1 day\"\n"
		    "ENGINE_PRIMARY_KEY a\nENGINE_SAMPLING_KEY a\n", &d, &err), 0);
	T_EQ_INT(d.engine, RS_ENGINE_MERGETREE);
	T_OK(d.engine_text == NULL);
	T_EQ_STR(d.ttl, "toDate(a) + interval 1 day");
	T_EQ_STR(d.primary_key, "a");
	T_EQ_STR(d.sampling_key, "a");
	rs_ds_def_release(&d);
}

/* ------------------------------------------------------------- hostile */

static void test_nul_and_size(void)
{
	static const char text[] = "SCHEMA >\n    a St\0ring\n";
	struct rs_ds_def d;
	struct rs_pipe_def p;
	struct rs_err err = { 0 };
	size_t big = (size_t)RS_DATAFILE_MAX_BYTES + 1;
	char *huge;

	T_EQ_INT(rs_ds_parse(text, sizeof(text) - 1, &d, &err), -EINVAL);
	T_EQ_STR(err.msg, "2:9: unexpected NUL byte");
	T_EQ_INT(err.line, 2);
	T_EQ_INT(err.col, 9);
	rs_err_clear(&err);
	T_EQ_INT(rs_pipe_parse(text, sizeof(text) - 1, &p, &err), -EINVAL);
	T_EQ_STR(err.msg, "2:9: unexpected NUL byte");
	huge = malloc(big);
	if (huge) {
		memset(huge, ' ', big);
		rs_err_clear(&err);
		T_EQ_INT(rs_ds_parse(huge, big, &d, &err), -EFBIG);
		T_EQ_STR(err.msg, "datafile is larger than 16777216 bytes");
		free(huge);
	}
}

static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) & 0x7fff;
}

/* Random bytes and random mutations of a valid file: never crash, leak,
 * or fail without a message. */
static void test_garbage(void)
{
	static const char *const seeds[] = {	/* [0] for pipes, [1] for data sources */
		"NODE n\nSQL >\n    %\n    SELECT 1\nTYPE copy\nTARGET_DATASOURCE t\n",
		"SCHEMA >\n    `a` Nullable(String) `json:$.a` DEFAULT 'x,(' CODEC(ZSTD(1)),\n"
		"    `b` Array(Decimal(10, 2))\nENGINE ReplacingMergeTree\nENGINE_VER b\n",
	};
	static const char alphabet[] = "`'\"()[]{},#> \t\n\r$:abDEFAULTCODECjson\x80\xff";
	char buf[512];
	unsigned ok = 0;

	for (int iter = 0; iter < 6000; iter++) {
		size_t n;
		struct rs_err err = { 0 };
		int rc;

		if (iter % 3 == 0) {
			n = rnd() % sizeof(buf);
			for (size_t i = 0; i < n; i++)
				buf[i] = iter % 2 ? (char)(rnd() & 0xff) :
					 alphabet[rnd() % (sizeof(alphabet) - 1)];
		} else {
			const char *s = seeds[iter % 2];

			n = strlen(s);
			memcpy(buf, s, n);
			for (int k = rnd() % 4; k >= 0; k--)
				buf[rnd() % n] = alphabet[rnd() % (sizeof(alphabet) - 1)];
			if (rnd() % 4 == 0)
				n = rnd() % n;
		}
		if (iter % 2) {
			struct rs_ds_def d;

			rc = rs_ds_parse(buf, n, &d, &err);
			if (!rc)
				rs_ds_def_release(&d);
		} else {
			struct rs_pipe_def p;

			rc = rs_pipe_parse(buf, n, &p, &err);
			if (!rc)
				rs_pipe_def_release(&p);
		}
		if (rc) {
			T_EQ_INT(rc, -EINVAL);
			T_OK(err.msg[0] >= '1' && err.msg[0] <= '9' && err.line > 0 && err.col > 0);
		} else {
			ok++;
		}
	}
	T_OK(ok > 0);
}

int main(void)
{
	T_RUN(test_example_page_views);
	T_RUN(test_example_daily_pages);
	T_RUN(test_example_countries);
	T_RUN(test_ds_keywords);
	T_RUN(test_ds_empty);
	T_RUN(test_ds_blocks);
	T_RUN(test_ds_crlf_and_inline);
	T_RUN(test_ds_schema_syntax);
	T_RUN(test_ds_schema_errors);
	T_RUN(test_ds_engine_rules);
	T_RUN(test_nul_and_size);
	T_RUN(test_garbage);
	return T_DONE();
}
