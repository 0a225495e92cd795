/*
 * test_datafile_pipe.c - .pipe grammar (engine/catalog/datafile_pipe.c);
 * the lexer and .datasource files: test_datafile.c.
 *
 * The example project is read from $ROOST_SHARED, else ../shared, else
 * /work/shared (examples/web_analytics).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int pipe_(const char *text, struct rs_pipe_def *p, struct rs_err *err)
{
	rs_err_clear(err);
	return rs_pipe_parse(text, strlen(text), p, err);
}

/* The parse fails with -EINVAL, the message and err->line/col. */
#define PIPE_FAILS(text_, msg_, l_, c_) do { struct rs_pipe_def p_; struct rs_err e_; \
	int r_ = pipe_((text_), &p_, &e_); T_EQ_INT(r_, -EINVAL); T_EQ_STR(e_.msg, (msg_)); \
	T_EQ_INT(e_.line, (l_)); T_EQ_INT(e_.col, (c_)); \
	if (r_) T_EQ_INT(p_.nnodes, 0); else rs_pipe_def_release(&p_); } while (0)

/* ------------------------------------------------------------- examples */

static void test_example_hourly_kpis(void)
{
	struct rs_pipe_def p;
	struct rs_err err = { 0 };
	size_t len;
	char *text = read_example("endpoints/hourly_kpis.pipe", &len);

	if (!text) {
		T_OK(0);
		return;
	}
	T_EQ_INT(rs_pipe_parse(text, len, &p, &err), 0);
	T_EQ_STR(p.description,
		 "Views, sessions and median load time per hour for the last N days of data.");
	T_EQ_INT(p.nnodes, 2);
	if (p.nnodes == 2) {
		T_EQ_STR(p.nodes[0].name, "bounds");
		T_EQ_INT(p.nodes[0].line, 4);
		T_EQ_STR(p.nodes[0].sql, "SELECT max(timestamp) AS last_ts FROM page_views");
		T_EQ_INT(p.nodes[0].sql_line, 6);
		T_EQ_INT(p.nodes[0].sql_indent, 4);
		T_EQ_INT(p.nodes[0].type, RS_NODE_STANDARD);
		T_EQ_STR(p.nodes[1].name, "endpoint");
		T_EQ_INT(p.nodes[1].line, 8);
		T_EQ_INT(p.nodes[1].sql_line, 10);
		T_EQ_STR(p.nodes[1].sql,
			 "%\n"
			 "SELECT\n"
			 "    toStartOfHour(timestamp) AS hour,\n"
			 "    count() AS views,\n"
			 "    uniq(session_id) AS sessions,\n"
			 "    quantile(0.5)(load_ms) AS median_load_ms,\n"
			 "    countIf(device = 'mobile') AS mobile_views\n"
			 "FROM page_views\n"
			 "WHERE timestamp > (SELECT last_ts FROM bounds) - INTERVAL {{Int16(days, 1)}} DAY\n"
			 "GROUP BY hour\n"
			 "ORDER BY hour");
		T_EQ_INT(p.nodes[1].type, RS_NODE_ENDPOINT);
		T_OK(p.nodes[1].datasource == NULL && p.nodes[1].copy_mode == NULL);
	}
	rs_pipe_def_release(&p);
	free(text);
}

static void test_example_revenue_by_region(void)
{
	struct rs_pipe_def p;
	struct rs_err err = { 0 };
	size_t len;
	char *text = read_example("endpoints/revenue_by_region.pipe", &len);

	if (!text) {
		T_OK(0);
		return;
	}
	T_EQ_INT(rs_pipe_parse(text, len, &p, &err), 0);
	T_EQ_INT(p.nnodes, 1);
	if (p.nnodes == 1) {
		T_EQ_STR(p.nodes[0].name, "endpoint");
		T_EQ_INT(p.nodes[0].type, RS_NODE_ENDPOINT);
		T_EQ_INT(p.nodes[0].sql_line, 6);
		/* the template lines keep their relative indentation */
		T_CONTAINS(p.nodes[0].sql, "WHERE v.revenue > 0\n{% if defined(since) %}\n"
			   "  AND v.timestamp >= {{DateTime(since)}}\n{% end %}\nGROUP BY region\n");
		T_OK(strncmp(p.nodes[0].sql, "%\nSELECT\n    c.region AS region,\n", 33) == 0);
		T_EQ_STR(p.nodes[0].sql + strlen(p.nodes[0].sql) - 21, "ORDER BY revenue DESC");
	}
	rs_pipe_def_release(&p);
	free(text);
}

static void test_example_top_pages(void)
{
	struct rs_pipe_def p;
	struct rs_err err = { 0 };
	size_t len;
	char *text = read_example("endpoints/top_pages.pipe", &len);

	if (!text) {
		T_OK(0);
		return;
	}
	T_EQ_INT(rs_pipe_parse(text, len, &p, &err), 0);
	T_EQ_INT(p.nnodes, 2);
	if (p.nnodes == 2) {
		T_EQ_STR(p.nodes[0].name, "filtered");
		T_EQ_INT(p.nodes[0].type, RS_NODE_STANDARD);
		T_EQ_STR(p.nodes[0].sql,
			 "%\n"
			 "SELECT date, pathname, device, visits, views\n"
			 "FROM daily_pages\n"
			 "WHERE date >= {{Date(date_from, '2024-01-01')}}\n"
			 "  AND date <= {{Date(date_to, '2030-12-31')}}\n"
			 "{% if defined(device) %}\n"
			 "  AND device = {{String(device)}}\n"
			 "{% end %}");
		T_EQ_STR(p.nodes[1].name, "endpoint");
		T_EQ_INT(p.nodes[1].line, 15);
		T_EQ_INT(p.nodes[1].sql_line, 17);
		T_EQ_INT(p.nodes[1].type, RS_NODE_ENDPOINT);
		T_CONTAINS(p.nodes[1].sql, "FROM filtered\n");
	}
	rs_pipe_def_release(&p);
	free(text);
}

static void test_example_materialization(void)
{
	struct rs_pipe_def p;
	struct rs_err err = { 0 };
	size_t len;
	char *text = read_example("materializations/daily_pages.pipe", &len);

	if (!text) {
		T_OK(0);
		return;
	}
	T_EQ_INT(rs_pipe_parse(text, len, &p, &err), 0);
	T_EQ_STR(p.description, "Rolls page views up per day, page and device as they arrive.");
	T_EQ_INT(p.nnodes, 1);
	if (p.nnodes == 1) {
		T_EQ_STR(p.nodes[0].name, "daily_pages_node");
		T_EQ_INT(p.nodes[0].type, RS_NODE_MATERIALIZED);
		T_EQ_STR(p.nodes[0].datasource, "daily_pages");
		T_OK(p.nodes[0].target_datasource == NULL);
		T_OK(strncmp(p.nodes[0].sql, "SELECT\n    toDate(timestamp) AS date,\n", 38) == 0);
		T_CONTAINS(p.nodes[0].sql, "FROM page_views\nGROUP BY date, pathname, device");
	}
	rs_pipe_def_release(&p);
	free(text);
}

/* -------------------------------------------------------------- grammar */

static void test_pipe_crlf_comments(void)
{
	const char *text =
		"# leading comment\r\n"
		"NODE a\r\n"
		"SQL >\r\n"
		"    SELECT 1\r\n"
		"# a column-1 comment does not end the block\r\n"
		"    FROM t\r\n"
		"    # but this line is SQL\r\n"
		"\r\n"
		"  # indented after a blank line: still SQL\r\n"
		"TYPE Endpoint\r\n";
	struct rs_pipe_def p;
	struct rs_err err;

	T_EQ_INT(pipe_(text, &p, &err), 0);
	T_EQ_STR(err.msg, "");
	T_EQ_INT(p.nnodes, 1);
	if (p.nnodes == 1) {
		T_EQ_STR(p.nodes[0].sql, "  SELECT 1\n  FROM t\n  # but this line is SQL\n\n"
			 "# indented after a blank line: still SQL");
		T_EQ_INT(p.nodes[0].sql_indent, 2);
		T_EQ_INT(p.nodes[0].sql_line, 4);
		T_EQ_INT(p.nodes[0].type, RS_NODE_ENDPOINT);
	}
	rs_pipe_def_release(&p);
}

static void test_pipe_keys(void)
{
	const char *text =
		"TOKEN \"dashboard\" READ\n"
		"TOKEN other\n"
		"DESCRIPTION pipe text\n"
		"\n"
		"NODE first\n"
		"DESCRIPTION >\n"
		"    node text\n"
		"SQL >\n"
		"\n"
		"    SELECT 1\n"
		"\n"
		"      -- indented comment line\n"
		"    # a hash line in SQL\n"
		"\n"
		"\n"
		"NODE second\n"
		"SQL >\n"
		"\tSELECT * FROM first\n"
		"TYPE COPY\n"
		"TARGET_DATASOURCE snap\n"
		"COPY_SCHEDULE \"0 * * * *\"\n"
		"TAGS \"a\"\n"
		"DEPLOYMENT_METHOD alter\n";
	struct rs_pipe_def p;
	struct rs_err err;

	T_EQ_INT(pipe_(text, &p, &err), 0);
	T_EQ_STR(err.msg, "");
	T_EQ_STR(p.description, "pipe text");
	T_EQ_INT(p.nextra, 3);
	if (p.nextra == 3) {
		T_EQ_STR(p.extra[0].value, "dashboard READ");
		T_EQ_STR(p.extra[1].value, "other READ");
		T_EQ_STR(p.extra[2].key, "TAGS");
		T_EQ_STR(p.extra[2].value, "a");
	}
	T_EQ_INT(p.nnodes, 2);
	if (p.nnodes == 2) {
		T_EQ_STR(p.nodes[0].description, "node text");
		T_EQ_STR(p.nodes[0].sql, "SELECT 1\n\n  -- indented comment line\n# a hash line in SQL");
		T_EQ_INT(p.nodes[0].sql_line, 10);
		T_EQ_INT(p.nodes[0].type, RS_NODE_STANDARD);
		T_EQ_STR(p.nodes[1].sql, "SELECT * FROM first");
		T_EQ_INT(p.nodes[1].sql_indent, 1);
		T_EQ_INT(p.nodes[1].type, RS_NODE_COPY);
		T_EQ_STR(p.nodes[1].target_datasource, "snap");
		T_EQ_STR(p.nodes[1].copy_schedule, "0 * * * *");
		T_EQ_STR(p.nodes[1].copy_mode, "append");
		T_EQ_INT(p.nodes[1].nextra, 1);
		if (p.nodes[1].nextra == 1) {
			T_EQ_STR(p.nodes[1].extra[0].key, "DEPLOYMENT_METHOD");
			T_EQ_STR(p.nodes[1].extra[0].value, "alter");
		}
	}
	rs_pipe_def_release(&p);

	T_EQ_INT(pipe_("NODE n\nSQL SELECT 2\nTYPE Copy\nTARGET_DATASOURCE t\nMODE REPLACE\n"
		       "COPY_SCHEDULE @on-demand\n", &p, &err), 0);
	T_EQ_INT(p.nnodes, 1);
	T_EQ_STR(p.nodes[0].sql, "SELECT 2");
	T_EQ_INT(p.nodes[0].sql_line, 2);
	T_EQ_INT(p.nodes[0].sql_indent, 4);
	T_EQ_STR(p.nodes[0].copy_mode, "replace");
	rs_pipe_def_release(&p);
	T_EQ_INT(pipe_("NODE n\nSQL >\n    SELECT 1\nTYPE SINK\nEXPORT_CONNECTION_NAME s3\n"
		       "EXPORT_FORMAT csv\n", &p, &err), 0);
	T_EQ_INT(p.nodes[0].type, RS_NODE_SINK);
	T_EQ_INT(p.nodes[0].nextra, 2);
	rs_pipe_def_release(&p);
}

static void test_pipe_errors(void)
{
	PIPE_FAILS("", "1:1: missing NODE", 1, 1);
	PIPE_FAILS("DESCRIPTION >\n    only text\n", "1:1: missing NODE", 1, 1);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nSCHEMA >\n    a String\n",
		   "4:1: SCHEMA is not a valid option in pipe files", 4, 1);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nFOO 1\n",
		   "4:1: FOO is not a valid option in pipe files", 4, 1);
	PIPE_FAILS("NODE a\nDESCRIPTION x\nNODE b\nSQL >\n    SELECT 1\n",
		   "1:1: node 'a' has no SQL", 1, 1);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\n\nNODE b\nSQL >\n    SELECT 2\n"
		   "NODE a\nSQL >\n    SELECT 3\n",
		   "8:6: duplicated node 'a'", 8, 6);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE materialized\n",
		   "4:1: materialized node 'a' needs DATASOURCE", 4, 1);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE copy\n",
		   "4:1: copy node 'a' needs TARGET_DATASOURCE", 4, 1);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE copy\nTARGET_DATASOURCE t\n"
		   "COPY_MODE upsert\n",
		   "6:11: invalid COPY_MODE 'upsert', expected append or replace", 6, 11);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE copy\nTARGET_DATASOURCE t\n"
		   "COPY_SCHEDULE every hour\n",
		   "6:15: invalid COPY_SCHEDULE 'every hour', expected a cron expression "
		   "or @on-demand", 6, 15);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE api\n",
		   "4:6: invalid TYPE 'api', expected endpoint, materialized, copy or sink", 4, 6);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE sink\n",
		   "4:1: sink node 'a' needs EXPORT_CONNECTION_NAME", 4, 1);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE endpoint\nNODE b\nSQL >\n    SELECT 2\n"
		   "TYPE endpoint\n",
		   "8:1: node 'b' cannot have a TYPE, node 'a' already has one", 8, 1);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTYPE endpoint\nTYPE endpoint\n",
		   "5:1: duplicated TYPE", 5, 1);
	PIPE_FAILS("SQL >\n    SELECT 1\n", "1:1: SQL must come after a NODE", 1, 1);
	PIPE_FAILS("TYPE endpoint\nNODE a\n", "1:1: TYPE must come after a NODE", 1, 1);
	PIPE_FAILS("NODE\nSQL >\n    SELECT 1\n", "1:1: NODE needs a name", 1, 1);
	PIPE_FAILS("NODE my-node\nSQL >\n    SELECT 1\n",
		   "1:6: invalid node name 'my-node'", 1, 6);
	PIPE_FAILS("NODE a b\nSQL >\n    SELECT 1\n",
		   "1:8: unexpected 'b' after the node name", 1, 8);
	PIPE_FAILS("NODE a\nSQL >\n\nTYPE endpoint\n", "2:1: SQL needs a value", 2, 1);
	PIPE_FAILS("NODE a\nDATASOURCE x\n  TYPE endpoint\n",
		   "3:3: unexpected indented line", 3, 3);
	PIPE_FAILS("NODE a\nSQL >\n    SELECT 1\nTOKEN t APPEND\n",
		   "4:9: invalid TOKEN scope 'APPEND'", 4, 9);
	PIPE_FAILS("DESCRIPTION a\nDESCRIPTION b\nNODE a\nSQL >\n    SELECT 1\n",
		   "2:1: duplicated DESCRIPTION", 2, 1);
}

int main(void)
{
	T_RUN(test_example_hourly_kpis);
	T_RUN(test_example_revenue_by_region);
	T_RUN(test_example_top_pages);
	T_RUN(test_example_materialization);
	T_RUN(test_pipe_crlf_comments);
	T_RUN(test_pipe_keys);
	T_RUN(test_pipe_errors);
	return T_DONE();
}
