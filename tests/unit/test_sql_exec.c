/*
 * test_sql_exec.c - query results over small tables, family by family,
 * with the values ClickHouse gives (harness: test_sql_exec.h).
 */
#include "test_sql_exec.h"

static void test_sql_exec__array_join(void)
{
	T_EQ_STR(sq("SELECT id, tags FROM t ORDER BY id"),
		 "1\t['a','b']\n2\t[]\n3\t['c']\n4\t['d','e','f']\n5\t[]");
	T_EQ_STR(sq("SELECT id, tags FROM t ARRAY JOIN tags ORDER BY id, tags"),
		 "1\ta\n1\tb\n3\tc\n4\td\n4\te\n4\tf");
	T_EQ_STR(sq("SELECT id, x, tags FROM t ARRAY JOIN tags AS x WHERE id < 4 ORDER BY id, x"),
		 "1\ta\t['a','b']\n1\tb\t['a','b']\n3\tc\t['c']");
	T_EQ_STR(sq("SELECT id, x FROM t LEFT ARRAY JOIN tags AS x ORDER BY id, x"),
		 "1\ta\n1\tb\n2\t\n3\tc\n4\td\n4\te\n4\tf\n5\t");
	T_EQ_STR(sq("SELECT id, x, n FROM t ARRAY JOIN tags AS x, arrayEnumerate(tags) AS n "
		    "WHERE n > 1 ORDER BY id, n"),
		 "1\tb\t2\n4\te\t2\n4\tf\t3");
	T_EQ_STR(sq("SELECT x, count() FROM t ARRAY JOIN tags AS x GROUP BY x ORDER BY x LIMIT 2"),
		 "a\t1\nb\t1");
	T_EQ_STR(sq("SELECT arrayJoin([1, 2, 3]) AS v"), "1\n2\n3");
	T_EQ_STR(sq("SELECT arrayJoin([1, 2]) AS a, arrayJoin(['x', 'y']) AS b ORDER BY a, b"),
		 "1\tx\n1\ty\n2\tx\n2\ty");
	T_EQ_STR(sq("SELECT id, arrayJoin(tags) AS g FROM t WHERE g != 'e' ORDER BY id, g"),
		 "1\ta\n1\tb\n3\tc\n4\td\n4\tf");
	T_EQ_STR(sq("SELECT arrayJoin(tags) AS g, count() FROM t GROUP BY g ORDER BY g DESC LIMIT 1"),
		 "f\t1");
	T_EQ_STR(sq("SELECT sum(arrayJoin([1, 2, 3]))"), "6");
	T_EQ_STR(sq("SELECT x FROM (SELECT [1, 2] AS a, [3] AS b) ARRAY JOIN a AS x, b AS y"),
		 "ERR -22: sizes of ARRAY-JOIN-ed arrays do not match");
	T_EQ_STR(sq("SELECT x FROM t ARRAY JOIN name AS x"),
		 "ERR -22: ARRAY JOIN requires an array argument ('x')");
	T_EQ_STR(sq("SELECT count() FROM t ARRAY JOIN tags"), "6");
}

static void test_sql_exec__where(void)
{
	T_EQ_STR(sq("SELECT id FROM t WHERE score > 15 ORDER BY id"), "2\n4\n5");
	T_EQ_STR(sq("SELECT id FROM t WHERE city = 'Paris' ORDER BY id"), "1\n4");
	T_EQ_STR(sq("SELECT id FROM t PREWHERE id > 2 WHERE score IS NOT NULL ORDER BY id"), "4\n5");
	T_EQ_STR(sq("SELECT id FROM t WHERE city IS NULL"), "2");
	T_EQ_STR(sq("SELECT id FROM t WHERE name LIKE '%a%' ORDER BY id"), "1\n3\n4");
	T_EQ_STR(sq("SELECT id FROM t WHERE id IN (1, 3) ORDER BY id"), "1\n3");
	T_EQ_STR(sq("SELECT id FROM t WHERE id BETWEEN 2 AND 4 AND NOT (id = 3) ORDER BY id"), "2\n4");
	T_EQ_STR(sq("SELECT id FROM t WHERE ts >= '2024-02-01 00:00:00' ORDER BY id"), "4\n5");
	T_EQ_STR(sq("SELECT id FROM t WHERE id = 2 OR city = 'Berlin' ORDER BY id"), "2\n3\n5");
	T_EQ_STR(sq("SELECT count() FROM t WHERE 0"), "0");
}

static void test_sql_exec__group_by(void)
{
	T_EQ_STR(sq("SELECT city, count(), sum(score) FROM t GROUP BY city ORDER BY city"),
		 "Berlin\t2\t20\nParis\t2\t50\n\\N\t1\t20");
	T_EQ_STR(sq("SELECT city, count() AS c FROM t GROUP BY city HAVING c > 1 ORDER BY city"),
		 "Berlin\t2\nParis\t2");
	T_EQ_STR(sq("SELECT city, avg(score), min(name), max(id) FROM t GROUP BY city "
		    "HAVING max(id) > 3 ORDER BY city"),
		 "Berlin\t20\tcarol\t5\nParis\t25\talice\t4");
	T_EQ_STR(sq("SELECT toMonth(ts) AS m, count() FROM t GROUP BY m ORDER BY m"), "1\t3\n2\t2");
	T_EQ_STR(sq("SELECT count(), sum(id), avg(id) FROM t"), "5\t15\t3");
	T_EQ_STR(sq("SELECT count() FROM t WHERE id > 100"), "0");
	T_EQ_STR(sq("SELECT id % 2 AS k, groupArray(id) FROM t GROUP BY k ORDER BY k"),
		 "0\t[2,4]\n1\t[1,3,5]");
	T_EQ_STR(sq("SELECT argMax(name, id), argMin(name, id), any(id) FROM t WHERE id < 3"),
		 "bob\talice\t1");
	T_EQ_STR(sq("SELECT countIf(score > 15), sumIf(id, city = 'Paris') FROM t"), "3\t5");
	T_EQ_STR(sq("SELECT median(id), quantileExact(0.9)(id) FROM t"), "3\t5");
}

static void test_sql_exec__order_by(void)
{
	T_EQ_STR(sq("SELECT score FROM t ORDER BY score"), "10\n20\n20\n40\n\\N");
	T_EQ_STR(sq("SELECT score FROM t ORDER BY score NULLS FIRST"), "\\N\n10\n20\n20\n40");
	T_EQ_STR(sq("SELECT score FROM t ORDER BY score DESC"), "40\n20\n20\n10\n\\N");
	T_EQ_STR(sq("SELECT score FROM t ORDER BY score DESC NULLS FIRST"), "\\N\n40\n20\n20\n10");
	T_EQ_STR(sq("SELECT name FROM t ORDER BY score DESC, name DESC"),
		 "dave\neve\nbob\nalice\ncarol");
	T_EQ_STR(sq("SELECT name FROM t ORDER BY length(name), name"), "bob\neve\ndave\nalice\ncarol");
}

static void test_sql_exec__limit(void)
{
	T_EQ_STR(sq("SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 1"), "2\n3");
	T_EQ_STR(sq("SELECT id FROM t ORDER BY id LIMIT 1, 2"), "2\n3");
	T_EQ_STR(sq("SELECT id FROM t ORDER BY id DESC LIMIT 2"), "5\n4");
	T_EQ_STR(sq("SELECT id FROM t ORDER BY id LIMIT 10 OFFSET 4"), "5");
	T_EQ_STR(sq("SELECT id FROM t ORDER BY id LIMIT 0"), "");
	T_EQ_STR(sq("SELECT count() FROM (SELECT id FROM t LIMIT 3)"), "3");
	T_EQ_STR(sq("SELECT city, id FROM t ORDER BY city, id LIMIT 1 BY city"),
		 "Berlin\t3\nParis\t1\n\\N\t2");
	T_EQ_STR(sq("SELECT city, id FROM t ORDER BY city, id DESC LIMIT 1 BY city LIMIT 2"),
		 "Berlin\t5\nParis\t4");
}

static void test_sql_exec__distinct(void)
{
	T_EQ_STR(sq("SELECT DISTINCT city FROM t ORDER BY city"), "Berlin\nParis\n\\N");
	T_EQ_STR(sq("SELECT DISTINCT score FROM t ORDER BY score NULLS FIRST"), "\\N\n10\n20\n40");
	T_EQ_STR(sq("SELECT count(DISTINCT city), uniqExact(score), count(DISTINCT score) FROM t"),
		 "2\t3\t3");
	T_EQ_STR(sq("SELECT city, count(DISTINCT score) FROM t GROUP BY city ORDER BY city"),
		 "Berlin\t1\nParis\t2\n\\N\t1");
}

static void test_sql_exec__joins(void)
{
	T_EQ_STR(sq("SELECT t.id, u.amount FROM t INNER JOIN u ON t.id = u.uid ORDER BY t.id, u.amount"),
		 "1\t50\n1\t100\n3\t7");
	T_EQ_STR(sq("SELECT id, amount, note FROM t LEFT JOIN u ON id = uid ORDER BY id, amount"),
		 "1\t50\ty\n1\t100\tx\n2\t0\t\n3\t7\tz\n4\t0\t\n5\t0\t");
	T_EQ_STR(sq("SELECT count() FROM t CROSS JOIN u"), "20");
	T_EQ_STR(sq("SELECT count() FROM t, u WHERE id = uid"), "3");
	T_EQ_STR(sq("SELECT id, amount FROM t JOIN (SELECT uid AS id, amount FROM u) USING id "
		    "ORDER BY amount"), "3\t7\n1\t50\n1\t100");
	T_EQ_STR(sq("SELECT name, sum(amount) FROM t AS a ANY LEFT JOIN u AS b ON a.id = b.uid "
		    "GROUP BY name ORDER BY name"),
		 "alice\t100\nbob\t0\ncarol\t7\ndave\t0\neve\t0");
}

static void test_sql_exec__subqueries(void)
{
	T_EQ_STR(sq("SELECT max(s) FROM (SELECT id * 2 AS s FROM t)"), "10");
	T_EQ_STR(sq("SELECT id FROM t WHERE id IN (SELECT uid FROM u) ORDER BY id"), "1\n3");
	T_EQ_STR(sq("SELECT id FROM t WHERE id NOT IN (SELECT uid FROM u) ORDER BY id"), "2\n4\n5");
	T_EQ_STR(sq("SELECT id FROM t WHERE score = (SELECT max(score) FROM t)"), "4");
	T_EQ_STR(sq("SELECT (SELECT count() FROM u) + 1"), "5");
	T_EQ_STR(sq("SELECT c, n FROM (SELECT city AS c, count() AS n FROM t GROUP BY c) "
		    "WHERE n > 1 ORDER BY c"), "Berlin\t2\nParis\t2");
}

static void test_sql_exec__cte_union(void)
{
	T_EQ_STR(sq("WITH big AS (SELECT id FROM t WHERE score >= 20) SELECT count() FROM big"), "3");
	T_EQ_STR(sq("WITH 2 AS k SELECT id * k FROM t WHERE id = 2"), "4");
	T_EQ_STR(sq("WITH a AS (SELECT id FROM t), b AS (SELECT id FROM a WHERE id > 3) "
		    "SELECT sum(id) FROM b"), "9");
	T_EQ_STR(sq("SELECT id FROM t WHERE id < 2 UNION ALL SELECT uid FROM u WHERE uid > 5"), "1\n9");
	T_EQ_STR(sq("SELECT count() FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)"), "3");
}

static void test_sql_exec__conditionals(void)
{
	T_EQ_STR(sq("SELECT id, CASE WHEN score >= 20 THEN 'hi' WHEN score < 20 THEN 'lo' "
		    "ELSE 'none' END FROM t ORDER BY id"),
		 "1\tlo\n2\thi\n3\tnone\n4\thi\n5\thi");
	T_EQ_STR(sq("SELECT if(id % 2 = 0, 'even', 'odd') FROM t ORDER BY id LIMIT 2"), "odd\neven");
	T_EQ_STR(sq("SELECT multiIf(id = 1, 'a', id = 2, 'b', 'c') FROM t ORDER BY id LIMIT 3"),
		 "a\nb\nc");
	T_EQ_STR(sq("SELECT CASE id WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END "
		    "FROM t ORDER BY id LIMIT 3"), "one\ntwo\nmany");
	T_EQ_STR(sq("SELECT if(score > 15, 1, 0) FROM t ORDER BY id"), "0\n1\n0\n1\n1");
}

static void test_sql_exec__nulls(void)
{
	T_EQ_STR(sq("SELECT NULL + 1, NULL = NULL, 1 = NULL"), "\\N\t\\N\t\\N");
	T_EQ_STR(sq("SELECT count(score), count(), count(city) FROM t"), "4\t5\t4");
	T_EQ_STR(sq("SELECT sum(score) FROM t WHERE id = 3"), "\\N");
	T_EQ_STR(sq("SELECT ifNull(city, 'none'), coalesce(score, 0) FROM t WHERE id IN (2, 3) "
		    "ORDER BY id"), "none\t20\nBerlin\t0");
	T_EQ_STR(sq("SELECT isNull(score), score + 1 FROM t ORDER BY id"),
		 "0\t11\n0\t21\n1\t\\N\n0\t41\n0\t21");
	T_EQ_STR(sq("SELECT count() FROM t WHERE city != 'Paris'"), "2");
	T_EQ_STR(sq("SELECT nullIf(id, 1) FROM t ORDER BY id LIMIT 2"), "\\N\n2");
	T_EQ_STR(sq_schema("SELECT score + 1, id - 1 FROM t"),
		 "plus(score, 1) Nullable(Int64), minus(id, 1) Int64");
	T_EQ_STR(sq_schema("SELECT sum(score), count(score), avg(id), max(score) FROM t"),
		 "sum(score) Nullable(Int64), count(score) UInt64, avg(id) Float64, "
		 "max(score) Nullable(Int32)");
	T_EQ_STR(sq("SELECT max(score), sum(id) FROM t WHERE 0"), "\\N\t0");
	T_EQ_STR(sq("SELECT NULL AND 0, NULL OR 1, NULL AND 1, if(NULL, 1, 2)"), "0\t1\t\\N\t2");
}

static void test_sql_exec__dates(void)
{
	T_EQ_STR(sq("SELECT toDate(ts), toYYYYMM(ts), toStartOfMonth(ts), toHour(ts) FROM t "
		    "WHERE id = 3"), "2024-01-15\t202401\t2024-01-01\t23");
	T_EQ_STR(sq("SELECT toDayOfWeek(ts), toStartOfHour(ts), toMonday(ts) FROM t WHERE id = 2"),
		 "2\t2024-01-02 11:00:00\t2024-01-01");
	T_EQ_STR(sq("SELECT dateDiff('day', toDate('2024-01-01'), toDate(ts)) FROM t WHERE id = 5"),
		 "59");
	T_EQ_STR(sq("SELECT ts + INTERVAL 1 DAY, toDate(ts) - INTERVAL 1 MONTH FROM t WHERE id = 5"),
		 "2024-03-01 12:00:00\t2024-01-29");
	T_EQ_STR(sq("SELECT toYear(ts), toQuarter(ts), toDayOfYear(ts), toUnixTimestamp(ts) "
		    "FROM t WHERE id = 4"), "2024\t1\t32\t1706745600");
	T_EQ_STR(sq("SELECT toStartOfWeek(toDate('2024-01-03')), toStartOfFifteenMinutes("
		    "toDateTime('2024-01-01 10:29:00'))"), "2023-12-31\t2024-01-01 10:15:00");
	T_EQ_STR(sq("SELECT now(), today()"), "2023-11-14 22:13:20\t2023-11-14");
}

static void test_sql_exec__strings(void)
{
	T_EQ_STR(sq("SELECT upper(name), length(name), concat(name, '-', toString(id)) FROM t "
		    "WHERE id = 1"), "ALICE\t5\talice-1");
	T_EQ_STR(sq("SELECT substring(name, 2, 3), reverse(name), position(name, 'l') FROM t "
		    "WHERE id = 1"), "lic\tecila\t2");
	T_EQ_STR(sq("SELECT replaceAll(name, 'a', 'A'), startsWith(name, 'ca'), endsWith(name, 'ol') "
		    "FROM t WHERE id = 3"), "cArol\t1\t1");
	T_EQ_STR(sq("SELECT trim('  x  '), lower('AbC'), empty(''), notEmpty('')"), "x\tabc\t1\t0");
	T_EQ_STR(sq("SELECT splitByChar(',', 'a,b,,c'), arrayStringConcat(['x', 'y'], '+')"),
		 "['a','b','','c']\tx+y");
	T_EQ_STR(sq("SELECT name || '!' FROM t WHERE id = 2"), "bob!");
}

static void test_sql_exec__errors(void)
{
	T_EQ_STR(sq("SELECT nope FROM t"), "ERR -22: unknown column 'nope'");
	T_EQ_STR(sq("SELECT t.nope FROM t"), "ERR -22: unknown column 't.nope'");
	T_EQ_STR(sq("SELECT 1 FROM nope"), "ERR -22: unknown table 'nope'");
	T_EQ_STR(sq("SELECT nope(1)"), "ERR -22: unknown function 'nope'");
	T_EQ_STR(sq("SELECT id, count() FROM t"),
		 "ERR -22: column 'id' is not under aggregate function and not in GROUP BY keys");
	T_EQ_STR(sq("SELECT id FROM t WHERE count() > 1"),
		 "ERR -22: aggregate function 'count' is found in WHERE");
	T_EQ_STR(sq("SELECT FROM t"), "ERR -22: syntax error at line 1, column 8: unexpected 'FROM'");
	T_EQ_STR(sq("SELECT (SELECT id FROM t)"),
		 "ERR -22: scalar subquery returned more than one row");
	T_EQ_STR(sq("SELECT toInt32('x')"), "ERR -22: cannot parse 'x' as Int32");
}

/* big: 50000 rows n = 0..49999, k = n % 7, s = toString(n % 1000) */
static void load_big(void)
{
	struct rs_buf b = RS_BUF_INIT;

	for (int i = 0; i < 50000; i++)
		rs_buf_printf(&b, "%d,%d,%d\n", i, i % 7, i % 1000);
	T_EQ_INT(sq_load("big", "SCHEMA >\n    n UInt32,\n    k UInt8,\n    s String\n\n"
			 "ENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"n\"\n", b.data), 0);
	rs_buf_release(&b);
}

static void test_sql_exec__topn(void)
{
	load_big();
	T_EQ_STR(sq("SELECT n FROM big ORDER BY n % 1000 DESC, n LIMIT 3"), "999\n1999\n2999");
	T_EQ_STR(sq("SELECT n, s FROM big ORDER BY s DESC, n DESC LIMIT 2 OFFSET 1"),
		 "48999\t999\n47999\t999");
	T_EQ_STR(sq("SELECT n FROM big WHERE k = 3 ORDER BY n DESC LIMIT 2"), "49997\n49990");
	T_EQ_INT(sq_stats.rows_before_limit, 7143);
	T_EQ_STR(sq("SELECT k, count() AS c FROM big GROUP BY k ORDER BY c DESC, k LIMIT 2"),
		 "0\t7143\n1\t7143");
	T_EQ_STR(sq("SELECT n FROM big ORDER BY k, n DESC LIMIT 1"), "49994");
	T_EQ_STR(sq("SELECT sum(n) FROM (SELECT n FROM big ORDER BY n DESC LIMIT 20000)"),
		 "799990000");
	/* no ORDER BY: the scan stops early */
	T_EQ_STR(sq("SELECT n FROM big LIMIT 2"), "0\n1");
	T_OK(sq_stats.rows_read < 50000);
	T_EQ_STR(sq("SELECT count() FROM (SELECT n FROM big WHERE k = 1 LIMIT 5)"), "5");
}

int main(void)
{
	if (sq_setup("exec"))
		return 1;
	T_RUN(test_sql_exec__array_join);
	T_RUN(test_sql_exec__where);
	T_RUN(test_sql_exec__group_by);
	T_RUN(test_sql_exec__order_by);
	T_RUN(test_sql_exec__limit);
	T_RUN(test_sql_exec__distinct);
	T_RUN(test_sql_exec__joins);
	T_RUN(test_sql_exec__subqueries);
	T_RUN(test_sql_exec__cte_union);
	T_RUN(test_sql_exec__conditionals);
	T_RUN(test_sql_exec__nulls);
	T_RUN(test_sql_exec__dates);
	T_RUN(test_sql_exec__strings);
	T_RUN(test_sql_exec__errors);
	T_RUN(test_sql_exec__topn);
	sq_teardown();
	return T_DONE();
}
