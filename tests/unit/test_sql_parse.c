/*
 * test_sql_parse.c - parser: re-print round trips and exact error messages
 * with positions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/err.h"
#include "../../engine/sql/ast.h"
#include "t.h"

/* parse, print, parse the print, print again: both prints equal 'want' */
static void rt(const char *sql, const char *want)
{
	struct rs_arena a = RS_ARENA_INIT;
	struct rs_err err = { 0 };
	struct rs_buf b1 = RS_BUF_INIT, b2 = RS_BUF_INIT;
	struct rs_sel *s;

	T_EQ_INT(rs_sql_parse(sql, &a, &s, &err), 0);
	if (err.code) {
		fprintf(stderr, "%s: %s\n", sql, err.msg);
	} else {
		rs_sel_print(s, &b1);
		T_EQ_STR(b1.data, want);
		T_EQ_INT(rs_sql_parse(b1.data, &a, &s, &err), 0);
		if (err.code)
			fprintf(stderr, "reparse %s: %s\n", b1.data, err.msg);
		rs_sel_print(s, &b2);
		T_EQ_STR(b2.data, b1.data);
	}
	rs_buf_release(&b1);
	rs_buf_release(&b2);
	rs_arena_release(&a);
}

static void bad(const char *sql, const char *msg, unsigned line, unsigned col)
{
	struct rs_arena a = RS_ARENA_INIT;
	struct rs_err err = { 0 };
	struct rs_sel *s;

	T_EQ_INT(rs_sql_parse(sql, &a, &s, &err), -EINVAL);
	T_EQ_STR(err.msg, msg);
	T_EQ_INT(err.line, line);
	T_EQ_INT(err.col, col);
	rs_arena_release(&a);
}

static void test_sql_parse__round_trips(void)
{
	rt("SELECT count() FROM events", "SELECT count() FROM events");
	rt("select a+b*2 as x, -1, 1.5, 'it''s' from t where x > 3 and y = 'a' and z",
	   "SELECT plus(a, multiply(b, 2)) AS x, -1, 1.5, 'it\\'s' FROM t WHERE and(greater(x, 3), equals(y, 'a'), z)");
	rt("SELECT quantileExact(0.5)(d) FROM t GROUP BY k HAVING c >= 50 ORDER BY c DESC, k LIMIT 10, 5",
	   "SELECT quantileExact(0.5)(d) FROM t GROUP BY k HAVING greaterOrEquals(c, 50) ORDER BY c DESC, k ASC LIMIT 5 OFFSET 10");
	rt("SELECT e.a FROM events AS e ALL INNER JOIN c ON e.x = c.y LEFT JOIN d USING (k)",
	   "SELECT e.a FROM events AS e INNER JOIN c ON equals(e.x, c.y) LEFT JOIN d USING k");
	rt("WITH 5 AS n, t AS (SELECT 1) SELECT x BETWEEN 1 AND n, y NOT IN (1, 2), z LIKE '%a%' FROM t",
	   "WITH 5 AS n, t AS (SELECT 1) SELECT and(greaterOrEquals(x, 1), lessOrEquals(x, n)), notIn(y, (1, 2)), like(z, '%a%') FROM t");
	rt("SELECT CASE WHEN a THEN 1 ELSE 2 END, CAST(x AS UInt8), x::String, now() - INTERVAL 5 MINUTE, arr[1], arrayMap(x -> x + 1, [1, 2]) FROM t",
	   "SELECT if(a, 1, 2), CAST(x, 'UInt8'), CAST(x, 'String'), minus(now(), toIntervalMinute(5)), arrayElement(arr, 1), arrayMap(lambda(tuple(x), plus(x, 1)), [1, 2]) FROM t");
	rt("SELECT DISTINCT a FROM (SELECT a FROM t) LIMIT 2 BY a LIMIT 3 UNION ALL SELECT 1",
	   "SELECT DISTINCT a FROM (SELECT a FROM t) LIMIT 2 BY a LIMIT 3 OFFSET 0 UNION ALL SELECT 1");
	rt("SELECT count(DISTINCT x), x IS NULL, y IS NOT NULL FROM t ARRAY JOIN arr AS a",
	   "SELECT countDistinct(x), isNull(x), isNotNull(y) FROM t ARRAY JOIN arr AS a");
}

static void test_sql_parse__errors(void)
{
	bad("SELECT FROM t", "syntax error at line 1, column 8: unexpected 'FROM'", 1, 8);
	bad("SELECT 1 +", "syntax error at line 1, column 11: unexpected end of query", 1, 11);
	bad("SELECT 'abc", "syntax error at line 1, column 8: unterminated string literal", 1, 8);
	bad("SELECT a\nFROM t\nWHERE", "syntax error at line 3, column 6: unexpected end of query", 3, 6);
	bad("SELECT a FROM t LIMIT x", "syntax error at line 1, column 23: unexpected 'x'", 1, 23);
	bad("SELEC 1", "syntax error at line 1, column 1: unexpected 'SELEC'", 1, 1);
	bad("SELECT (((1)", "syntax error at line 1, column 13: unexpected end of query", 1, 13);
}

static void test_sql_parse__deep_nesting_is_an_error(void)
{
	char sql[4000];
	struct rs_arena a = RS_ARENA_INIT;
	struct rs_err err = { 0 };
	struct rs_sel *s;
	size_t n = 0;

	n += (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	for (int i = 0; i < 1000; i++)
		sql[n++] = '(';
	sql[n] = 0;
	T_EQ_INT(rs_sql_parse(sql, &a, &s, &err), -EINVAL);
	rs_arena_release(&a);
}

int main(void)
{
	T_RUN(test_sql_parse__round_trips);
	T_RUN(test_sql_parse__errors);
	T_RUN(test_sql_parse__deep_nesting_is_an_error);
	return T_DONE();
}
