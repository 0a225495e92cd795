/*
 * test_sql_join.c - joins whose output is many chunks: a CROSS JOIN and key
 * joins with a large fan-out give exact counts, sums and rows across chunk
 * boundaries; LIMIT stops early; the output comes in bounded chunks so a
 * cancel is seen before the whole product exists; the materialized right
 * side counts against query_memory (ENOMEM naming the limit). RIGHT and FULL
 * joins fill the other side with default values (ClickHouse
 * join_use_nulls = 0: zero, '' or NULL for Nullable columns). JOIN USING
 * (tables lt and rt): the key is one column, first in SELECT *; a row from
 * the right side alone takes the right side's key in RIGHT and FULL joins.
 * Expected outputs were checked against ClickHouse 18.16 (which prints the
 * default Date as 0000-00-00 where modern ClickHouse prints 1970-01-01).
 */
#include "../../engine/exec/exec.h"
#include "test_sql_exec.h"

enum { NA = 1000, NB = 300, NBIG = 100000 };

static const char *a_def =
	"SCHEMA >\n    id UInt32,\n    k UInt32,\n    s String\n\n"
	"ENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"id\"\n";
static const char *b_def =
	"SCHEMA >\n    id UInt32,\n    k UInt32,\n    v Int64\n\n"
	"ENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"id\"\n";
/* USING: k String and n UInt32 on both sides; y,2 twice on each side; x,1
 * and p,3 only on the left, q,4 and x,9 only on the right (x only matches
 * by k alone) */
static const char *lt_def =
	"SCHEMA >\n    k String,\n    n UInt32,\n    a Int64,\n    z Nullable(Int32),\n    d Date\n";
static const char *lt_csv =
	"x,1,10,5,2024-01-02\ny,2,20,\\N,2024-01-03\ny,2,21,6,2024-01-04\np,3,30,7,2024-01-05\n";
static const char *rt_def =
	"SCHEMA >\n    k String,\n    n UInt32,\n    b String,\n    w Nullable(String)\n";
static const char *rt_csv = "y,2,B1,w1\ny,2,B2,\\N\nq,4,B3,w3\nx,9,B4,w4\n";
static const char *big_def =
	"SCHEMA >\n    id UInt32,\n    s String\n\n"
	"ENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"id\"\n";

/* Run sql with a memory limit and a cancel flag; rows counted, chunk sizes checked. */
struct run {
	uint64_t max_memory;
	volatile int *cancel;
	size_t cancel_after;	/* set *cancel after this many chunks (0: never) */
	size_t rows, chunks, max_chunk;
	int rc;
	char msg[512];
};

static void run(struct run *r, const char *sql)
{
	struct rs_query_env env = { sq_resolve, sq_release, NULL, r->cancel, 10000, r->max_memory,
				    1700000000 };
	struct rs_err err = { 0 };
	struct rs_query *q;
	const struct rs_col *cols;
	size_t n;

	r->rows = r->chunks = r->max_chunk = 0;
	r->msg[0] = 0;
	if ((r->rc = rs_query_open(&env, sql, &q, &err))) {
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
		return;
	}
	while ((r->rc = rs_query_next(q, &cols, &n, &err)) > 0) {
		r->rows += n;
		r->max_chunk = n > r->max_chunk ? n : r->max_chunk;
		if (++r->chunks == r->cancel_after && r->cancel)
			*r->cancel = 1;
	}
	if (r->rc)
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
	rs_query_close(q);
}

static void test_sql_join__cross_many_chunks(void)
{
	char want[256];
	struct run r = { 0 };

	T_EQ_STR(sq("SELECT count() FROM a CROSS JOIN b"), "300000");
	/* every pair exactly once */
	T_EQ_STR(sq("SELECT uniqExact(a.id * 10000 + b.id), sum(a.id * b.id) FROM a CROSS JOIN b"),
		 "300000\t22597575000");	/* (1000*1001/2) * (300*301/2) */
	/* rows on both sides of the first chunk boundary (8192 = 27 * 300 + 92) */
	T_EQ_STR(sq("SELECT a.id, b.id FROM a CROSS JOIN b LIMIT 4 OFFSET 8190"),
		 "28\t91\n28\t92\n28\t93\n28\t94");
	T_EQ_STR(sq("SELECT a.s, b.v FROM a CROSS JOIN b WHERE a.id = 999 AND b.id = 299"),
		 "a999\t2990");
	T_EQ_STR(sq("SELECT a.id, b.id FROM a CROSS JOIN b WHERE b.id = 300 AND a.id > 997"),
		 "998\t300\n999\t300\n1000\t300");
	/* streamed: no chunk above RS_CHUNK_MAX rows */
	run(&r, "SELECT a.id, b.v FROM a CROSS JOIN b");
	T_EQ_INT(r.rc, 0);
	T_EQ_U64(r.rows, 300000);
	T_OK(r.max_chunk <= RS_CHUNK_MAX);
	T_OK(r.chunks >= 300000 / RS_CHUNK_MAX);
	snprintf(want, sizeof(want), "%d", NA * NB);
	T_EQ_STR(sq("SELECT count() FROM a, b"), want);
	/* an empty right side: no pairs, and the left side is not read */
	T_EQ_STR(sq("SELECT count() FROM a CROSS JOIN (SELECT id FROM b WHERE id > 1000)"), "0");
	T_OK(sq_stats.rows_read < NA);
	T_EQ_STR(sq("SELECT count() FROM a INNER JOIN (SELECT k FROM b WHERE id > 1000) AS e "
		    "ON a.k = e.k"), "0");
	T_EQ_STR(sq("SELECT count(), sum(e.v) FROM a LEFT JOIN (SELECT k, v FROM b WHERE id > 1000) "
		    "AS e ON a.k = e.k"), "1000\t0");
}

static void test_sql_join__fanout_keys(void)
{
	uint64_t n = 0, sum = 0, lsum = 0, lzero = 0, ln = 0;
	char want[256], around[64] = "";

	for (uint32_t i = 1; i <= NA; i++) {
		int hit = 0;

		for (uint32_t j = 1; j <= NB; j++)
			if (i % 5 == j % 3) {
				if (n >= 8191 && n < 8194)
					snprintf(around + strlen(around), sizeof(around) - strlen(around),
						 "%s%u\t%u", n > 8191 ? "\n" : "", i, j);
				n++;
				sum += i + j * 10;
				lsum += j * 10;
				hit = 1;
			}
		ln += hit ? 0 : 1;
		lzero += hit ? 0 : 1;
	}
	snprintf(want, sizeof(want), "%llu\t%llu", (unsigned long long)n,
		 (unsigned long long)sum);
	T_EQ_STR(sq("SELECT count(), sum(a.id + b.v) FROM a INNER JOIN b ON a.k = b.k"), want);
	snprintf(want, sizeof(want), "%llu\t%llu\t%llu", (unsigned long long)(n + ln),
		 (unsigned long long)lsum, (unsigned long long)lzero);
	T_EQ_STR(sq("SELECT count(), sum(b.v), countIf(b.v = 0) FROM a LEFT JOIN b ON a.k = b.k"),
		 want);
	/* ANY: one right row per left row (the first of its key) */
	T_EQ_STR(sq("SELECT count(), countIf(b.v = 0) FROM a ANY LEFT JOIN b ON a.k = b.k"),
		 "1000\t400");
	T_EQ_STR(sq("SELECT count() FROM a ANY INNER JOIN b ON a.k = b.k"), "600");
	/* order within the output: left rows in order, each with its matches in order */
	T_EQ_STR(sq("SELECT a.id, b.id FROM a INNER JOIN b ON a.k = b.k WHERE a.id IN (1, 5) "
		    "AND b.id > 290"), "1\t292\n1\t295\n1\t298\n5\t291\n5\t294\n5\t297\n5\t300");
	/* rows on both sides of the first chunk boundary */
	T_EQ_STR(sq("SELECT a.id, b.id FROM a INNER JOIN b ON a.k = b.k LIMIT 3 OFFSET 8191"),
		 around);
}

static void test_sql_join__right_full(void)
{
	char want[256];
	uint64_t n = 0;

	for (uint32_t i = 1; i <= NA; i++)
		for (uint32_t j = 1; j <= NB; j++)
			n += i % 5 == j % 3;
	/* the harness tables t (id 1..5) and u (uid 1, 1, 3, 9) */
	T_EQ_STR(sq("SELECT id, name, city, uid, amount, note FROM t RIGHT JOIN u ON id = uid "
		    "ORDER BY uid, amount"),
		 "1\talice\tParis\t1\t50\ty\n1\talice\tParis\t1\t100\tx\n"
		 "3\tcarol\tBerlin\t3\t7\tz\n0\t\t\\N\t9\t1\tw");
	T_EQ_STR(sq("SELECT id, name, city, uid, amount, note FROM t FULL OUTER JOIN u ON id = uid "
		    "ORDER BY id, uid, amount"),
		 "0\t\t\\N\t9\t1\tw\n1\talice\tParis\t1\t50\ty\n1\talice\tParis\t1\t100\tx\n"
		 "2\tbob\t\\N\t0\t0\t\n3\tcarol\tBerlin\t3\t7\tz\n4\tdave\tParis\t0\t0\t\n"
		 "5\teve\tBerlin\t0\t0\t");
	/* many chunks: b's rows all match; a's rows with k 3 or 4 (400) match nothing */
	snprintf(want, sizeof(want), "%llu\t0", (unsigned long long)n);
	T_EQ_STR(sq("SELECT count(), countIf(a.id = 0) FROM a RIGHT JOIN b ON a.k = b.k"), want);
	snprintf(want, sizeof(want), "%llu\t400", (unsigned long long)n + 400);
	T_EQ_STR(sq("SELECT count(), countIf(b.id = 0) FROM b RIGHT JOIN a ON b.k = a.k"), want);
	T_EQ_STR(sq("SELECT count(), countIf(b.id = 0) FROM a FULL JOIN b ON a.k = b.k"), want);
	T_EQ_STR(sq("SELECT a.id, a.s, b.id FROM b RIGHT JOIN a ON b.k = a.k WHERE b.id = 0 "
		    "ORDER BY a.id LIMIT 3"), "3\ta3\t0\n4\ta4\t0\n8\ta8\t0");
	/* an empty side */
	T_EQ_STR(sq("SELECT count(), sum(id) FROM (SELECT id, k FROM a WHERE id > 5000) AS e "
		    "RIGHT JOIN b ON e.k = b.k"), "300\t0");
	T_EQ_STR(sq("SELECT count() FROM a FULL JOIN (SELECT k FROM b WHERE id > 5000) AS e "
		    "ON a.k = e.k"), "1000");
	T_EQ_STR(sq("SELECT count() FROM a RIGHT JOIN (SELECT k FROM b WHERE id > 5000) AS e "
		    "ON a.k = e.k"), "0");
}

/* ANY RIGHT (ClickHouse's RIGHT ANY): the first left row of a key (in the
 * left side's order) takes all the key's right rows, the later ones none;
 * right rows without a left row come once with defaults. ClickHouse 18.16
 * instead kept one right row per key (y,2,20,B1 and y,2,21,B1 below). */
static void test_sql_join__any_right(void)
{
	T_EQ_STR(sq("SELECT k, n, a, b FROM lt ANY RIGHT JOIN rt USING k ORDER BY k, b"),
		 "q\t0\t0\tB3\nx\t1\t10\tB4\ny\t2\t20\tB1\ny\t2\t20\tB2");
	T_EQ_STR(sq("SELECT * FROM lt ANY RIGHT JOIN rt USING (k, n) ORDER BY k, n, b"),
		 "q\t4\t0\t\\N\t1970-01-01\tB3\tw3\nx\t9\t0\t\\N\t1970-01-01\tB4\tw4\n"
		 "y\t2\t20\t\\N\t2024-01-03\tB1\tw1\ny\t2\t20\t\\N\t2024-01-03\tB2\t\\N");
	/* each of b's rows once, with one left row per key (ALL: 200 each) */
	T_EQ_STR(sq("SELECT b.k, count(), uniqExact(a.id), uniqExact(b.id) FROM a ANY RIGHT JOIN b "
		    "ON a.k = b.k GROUP BY b.k ORDER BY b.k"),
		 "0\t100\t1\t100\n1\t100\t1\t100\n2\t100\t1\t100");
	T_EQ_STR(sq("SELECT count(), countIf(a.id = 0) FROM a ANY RIGHT JOIN "
		    "(SELECT id, k + 3 AS k FROM b) AS e ON a.k = e.k"), "300\t100");
	/* one key's 100000 right rows span output chunks: all go with the first
	 * left row, none with the second */
	T_EQ_STR(sq("SELECT count(), countIf(x = 1), countIf(x = 2) FROM (SELECT 1 AS k, 1 AS x "
		    "UNION ALL SELECT 1 AS k, 2 AS x) ANY RIGHT JOIN (SELECT 1 AS k FROM big) USING k"),
		 "100000\t100000\t0");
	T_EQ_STR(sq("SELECT count(), countIf(x = 1), countIf(x = 2) FROM (SELECT 1 AS k, 1 AS x "
		    "UNION ALL SELECT 1 AS k, 2 AS x) ALL RIGHT JOIN (SELECT 1 AS k FROM big) USING k"),
		 "200000\t100000\t100000");
	/* as in ClickHouse ("ANY FULL JOINs are not implemented") */
	T_EQ_STR(sq("SELECT id FROM t ANY FULL JOIN u ON id = uid"),
		 "ERR -22: ANY FULL JOIN is not supported");
	T_EQ_STR(sq("SELECT k FROM lt ANY FULL OUTER JOIN rt USING k"),
		 "ERR -22: ANY FULL JOIN is not supported");
}

static void test_sql_join__using_right_full(void)
{
	const char *star = "k String, n UInt32, a Int64, z Nullable(Int32), d Date, b String, "
			   "w Nullable(String)";

	/* two keys: each once, first; then the left's columns, then the right's */
	T_EQ_STR(sq_schema("SELECT * FROM lt FULL JOIN rt USING (k, n)"), star);
	T_EQ_STR(sq("SELECT * FROM lt FULL JOIN rt USING (k, n) ORDER BY k, n, a, b"),
		 "p\t3\t30\t7\t2024-01-05\t\t\\N\n"
		 "q\t4\t0\t\\N\t1970-01-01\tB3\tw3\n"
		 "x\t1\t10\t5\t2024-01-02\t\t\\N\n"
		 "x\t9\t0\t\\N\t1970-01-01\tB4\tw4\n"
		 "y\t2\t20\t\\N\t2024-01-03\tB1\tw1\n"
		 "y\t2\t20\t\\N\t2024-01-03\tB2\t\\N\n"
		 "y\t2\t21\t6\t2024-01-04\tB1\tw1\n"
		 "y\t2\t21\t6\t2024-01-04\tB2\t\\N");
	T_EQ_STR(sq_schema("SELECT * FROM lt RIGHT JOIN rt USING (k, n)"), star);
	T_EQ_STR(sq("SELECT * FROM lt RIGHT OUTER JOIN rt USING (k, n) ORDER BY k, n, a, b"),
		 "q\t4\t0\t\\N\t1970-01-01\tB3\tw3\n"
		 "x\t9\t0\t\\N\t1970-01-01\tB4\tw4\n"
		 "y\t2\t20\t\\N\t2024-01-03\tB1\tw1\n"
		 "y\t2\t20\t\\N\t2024-01-03\tB2\t\\N\n"
		 "y\t2\t21\t6\t2024-01-04\tB1\tw1\n"
		 "y\t2\t21\t6\t2024-01-04\tB2\t\\N");
	/* one String key: n is on both sides (the left's, then the right's) */
	T_EQ_STR(sq_schema("SELECT * FROM lt FULL JOIN rt USING k"),
		 "k String, n UInt32, a Int64, z Nullable(Int32), d Date, n UInt32, b String, "
		 "w Nullable(String)");
	T_EQ_STR(sq("SELECT * FROM lt FULL JOIN rt USING k ORDER BY k, a, b"),
		 "p\t3\t30\t7\t2024-01-05\t0\t\t\\N\n"
		 "q\t0\t0\t\\N\t1970-01-01\t4\tB3\tw3\n"
		 "x\t1\t10\t5\t2024-01-02\t9\tB4\tw4\n"
		 "y\t2\t20\t\\N\t2024-01-03\t2\tB1\tw1\n"
		 "y\t2\t20\t\\N\t2024-01-03\t2\tB2\t\\N\n"
		 "y\t2\t21\t6\t2024-01-04\t2\tB1\tw1\n"
		 "y\t2\t21\t6\t2024-01-04\t2\tB2\t\\N");
	T_EQ_STR(sq("SELECT k, a, z, b, w FROM lt RIGHT JOIN rt USING k ORDER BY k, a, b"),
		 "q\t0\t\\N\tB3\tw3\nx\t10\t5\tB4\tw4\n"
		 "y\t20\t\\N\tB1\tw1\ny\t20\t\\N\tB2\t\\N\n"
		 "y\t21\t6\tB1\tw1\ny\t21\t6\tB2\t\\N");
	/* one integer key; t.k is t's own column (its default without a t row) */
	T_EQ_STR(sq("SELECT n, lt.n, rt.n, k, a, b, w FROM lt FULL JOIN (SELECT n, b, w FROM rt) "
		    "AS rt USING n ORDER BY n, a, b"),
		 "1\t1\t0\tx\t10\t\t\\N\n"
		 "2\t2\t2\ty\t20\tB1\tw1\n2\t2\t2\ty\t20\tB2\t\\N\n"
		 "2\t2\t2\ty\t21\tB1\tw1\n2\t2\t2\ty\t21\tB2\t\\N\n"
		 "3\t3\t0\tp\t30\t\t\\N\n"
		 "4\t0\t4\t\t0\tB3\tw3\n9\t0\t9\t\t0\tB4\tw4");
	T_EQ_STR(sq("SELECT n, a, z, b FROM lt RIGHT JOIN rt USING n ORDER BY n, a, b"),
		 "2\t20\t\\N\tB1\n2\t20\t\\N\tB2\n2\t21\t6\tB1\n2\t21\t6\tB2\n"
		 "4\t0\t\\N\tB3\n9\t0\t\\N\tB4");
	/* t.* is all of t, key included */
	T_EQ_STR(sq("SELECT rt.*, a FROM lt FULL JOIN rt USING (k, n) WHERE b = 'B3'"),
		 "q\t4\tB3\tw3\t0");
	/* INNER and LEFT: the same column order */
	T_EQ_STR(sq_schema("SELECT * FROM lt INNER JOIN rt USING (k, n)"), star);
	T_EQ_STR(sq("SELECT * FROM lt LEFT JOIN rt USING (k, n) ORDER BY k, n, a, b LIMIT 2"),
		 "p\t3\t30\t7\t2024-01-05\t\t\\N\nx\t1\t10\t5\t2024-01-02\t\t\\N");
	T_EQ_STR(sq("SELECT id FROM t RIGHT JOIN u USING id"), "ERR -22: unknown column 'id'");
	T_EQ_STR(sq("SELECT * FROM t FULL JOIN u USING id"), "ERR -22: unknown column 'id'");
}

/* The merged key of RIGHT/FULL USING in other clauses, other joins, types. */
static void test_sql_join__using_merged_key(void)
{
	T_EQ_STR(sq("SELECT k, count(), sum(a), groupArray(b) FROM lt FULL JOIN rt USING k "
		    "GROUP BY k ORDER BY k"),
		 "p\t1\t30\t['']\nq\t1\t0\t['B3']\nx\t1\t10\t['B4']\n"
		 "y\t4\t82\t['B1','B2','B1','B2']");
	T_EQ_STR(sq("SELECT k, n, b FROM lt FULL JOIN rt USING (k, n) WHERE k IN ('q', 'p') "
		    "ORDER BY k"), "p\t3\t\nq\t4\tB3");
	T_EQ_STR(sq("SELECT DISTINCT k FROM lt RIGHT JOIN rt USING n ORDER BY k"), "\ny");
	/* keys of different types: the merged key has their supertype */
	T_EQ_STR(sq_schema("SELECT n FROM lt FULL JOIN (SELECT toInt8(n) AS n FROM rt) USING n"),
		 "n Int64");
	T_EQ_STR(sq("SELECT n, a FROM lt FULL JOIN (SELECT toInt8(n) AS n FROM rt) USING n "
		    "ORDER BY n, a"), "1\t10\n2\t20\n2\t20\n2\t21\n2\t21\n3\t30\n4\t0\n9\t0");
	T_EQ_STR(sq_schema("SELECT k FROM (SELECT CAST(k, 'Nullable(String)') AS k FROM lt) "
			   "FULL JOIN rt USING k"), "k Nullable(String)");
	/* a second join USING the same key joins on the merged one */
	T_EQ_STR(sq("SELECT k, lt.k, rt.k, e.k, c FROM lt FULL JOIN rt USING k FULL JOIN "
		    "(SELECT 'z' AS k, 1 AS c UNION ALL SELECT 'q' AS k, 2 AS c) AS e USING k "
		    "ORDER BY k, a, b"),
		 "p\tp\t\t\t0\nq\t\tq\tq\t2\nx\tx\tx\t\t0\n"
		 "y\ty\ty\t\t0\ny\ty\ty\t\t0\ny\ty\ty\t\t0\ny\ty\ty\t\t0\n"
		 "z\t\t\tz\t1");
	T_EQ_STR(sq_schema("SELECT * FROM lt FULL JOIN rt USING k RIGHT JOIN "
			   "(SELECT 'z' AS k, 1 AS c) AS e USING k"),
		 "k String, n UInt32, a Int64, z Nullable(Int32), d Date, n UInt32, b String, "
		 "w Nullable(String), c UInt8");
	/* many chunks: a.k 0..4 (200 rows each), e.k 3..5 (100 each); 3 and 4 match
	 * 200 x 100 times, 0..2 only on the left, 5 only on the right */
	T_EQ_STR(sq("SELECT count(), sum(k), countIf(k = 5), countIf(a.id = 0) FROM a FULL JOIN "
		    "(SELECT id, k + 3 AS k FROM b) AS e USING k"), "40700\t141100\t100\t100");
	T_EQ_STR(sq("SELECT count(), countIf(k = 5), countIf(v = 0) FROM a RIGHT JOIN "
		    "(SELECT k + 3 AS k, v FROM b) AS e USING k"), "40100\t100\t0");
	/* a String key: a.s a1..a1000; e.s a1..a300 and z1..z5 */
	T_EQ_STR(sq("SELECT count(), countIf(startsWith(s, 'z')), countIf(s = ''), uniqExact(s) "
		    "FROM a FULL JOIN (SELECT concat('a', toString(id)) AS s FROM b UNION ALL "
		    "SELECT concat('z', toString(id)) AS s FROM b WHERE id <= 5) AS e USING s"),
		 "1005\t5\t0\t1005");
}

/* A row without a match gets NULL in a Nullable column even as the first
 * row of the output (the column has no null bitmap yet). */
static void test_sql_join__nullable_defaults(void)
{
	T_EQ_STR(sq("SELECT uid, city, score, name FROM u LEFT JOIN t ON uid = id + 100 "
		    "ORDER BY uid"),
		 "1\t\\N\t\\N\t\n1\t\\N\t\\N\t\n3\t\\N\t\\N\t\n9\t\\N\t\\N\t");
	T_EQ_STR(sq("SELECT id, city, score, uid FROM t RIGHT JOIN u ON id + 100 = uid "
		    "ORDER BY uid"),
		 "0\t\\N\t\\N\t1\n0\t\\N\t\\N\t1\n0\t\\N\t\\N\t3\n0\t\\N\t\\N\t9");
}

/* USING keys of different types compare as their supertype, as ON keys do. */
static void test_sql_join__using_key_types(void)
{
	T_EQ_STR(sq("SELECT id, amount FROM t JOIN (SELECT toInt8(uid) AS id, amount FROM u) "
		    "USING id ORDER BY amount"), "3\t7\n1\t50\n1\t100");
	T_EQ_STR(sq("SELECT id, amount FROM t JOIN (SELECT toString(uid) AS id, amount FROM u) "
		    "USING id"), "ERR -22: JOIN keys have incompatible types");
}

static void test_sql_join__limit_stops_early(void)
{
	/* 10^10 pairs: only a bounded prefix may be produced */
	T_EQ_STR(sq("SELECT x.id, y.id FROM big AS x CROSS JOIN big AS y LIMIT 3"),
		 "1\t1\n1\t2\n1\t3");
	T_OK(sq_stats.rows_read <= NBIG + 2 * RS_CHUNK_MAX);
	T_EQ_STR(sq("SELECT x.id, y.id FROM big AS x CROSS JOIN big AS y LIMIT 2 OFFSET 100000"),
		 "2\t1\n2\t2");
}

static void test_sql_join__cancel_within_product(void)
{
	volatile int cancel = 0;
	struct run r = { .cancel = &cancel, .cancel_after = 1 };

	run(&r, "SELECT a.id, b.id FROM a CROSS JOIN b");
	T_EQ_INT(r.rc, -ECANCELED);
	T_EQ_STR(r.msg, "query cancelled");
	T_EQ_U64(r.chunks, 1);
	T_OK(r.rows <= RS_CHUNK_MAX);
}

static void test_sql_join__query_memory(void)
{
	struct run r = { .max_memory = 1 << 20 };

	/* the right side (100k strings) does not fit in 1 MiB */
	run(&r, "SELECT count() FROM a CROSS JOIN (SELECT s FROM big)");
	T_EQ_INT(r.rc, -ENOMEM);
	T_EQ_STR(r.msg, "query exceeded query_memory (1 MiB)");
	run(&r, "SELECT count() FROM a AS x INNER JOIN big AS y ON x.s = y.s");
	T_EQ_INT(r.rc, -ENOMEM);
	T_EQ_STR(r.msg, "query exceeded query_memory (1 MiB)");
	/* a small right side with a large product runs within the limit */
	run(&r, "SELECT a.id, b.id FROM a CROSS JOIN b");
	T_EQ_INT(r.rc, 0);
	T_EQ_U64(r.rows, 300000);
	/* the same joins without the limit */
	T_EQ_STR(sq("SELECT count() FROM a CROSS JOIN (SELECT s FROM big WHERE id <= 10)"), "10000");
	T_EQ_STR(sq("SELECT count() FROM a AS x INNER JOIN big AS y ON x.s = y.s"), "0");
}

int main(void)
{
	struct rs_buf csv = RS_BUF_INIT;
	int rc = 0;

	if (sq_setup("join"))
		return 1;
	for (uint32_t i = 1; i <= NA; i++)
		rs_buf_printf(&csv, "%u,%u,a%u\n", i, i % 5, i);
	rc |= sq_load("a", a_def, csv.data);
	rs_buf_reset(&csv);
	for (uint32_t i = 1; i <= NB; i++)
		rs_buf_printf(&csv, "%u,%u,%u\n", i, i % 3, i * 10);
	rc |= sq_load("b", b_def, csv.data);
	rs_buf_reset(&csv);
	for (uint32_t i = 1; i <= NBIG; i++)
		rs_buf_printf(&csv, "%u,string number %u\n", i, i);
	rc |= sq_load("big", big_def, csv.data);
	rc |= sq_load("lt", lt_def, lt_csv);
	rc |= sq_load("rt", rt_def, rt_csv);
	rs_buf_release(&csv);
	if (rc)
		return 1;
	T_RUN(test_sql_join__cross_many_chunks);
	T_RUN(test_sql_join__fanout_keys);
	T_RUN(test_sql_join__right_full);
	T_RUN(test_sql_join__using_right_full);
	T_RUN(test_sql_join__using_merged_key);
	T_RUN(test_sql_join__any_right);
	T_RUN(test_sql_join__nullable_defaults);
	T_RUN(test_sql_join__using_key_types);
	T_RUN(test_sql_join__limit_stops_early);
	T_RUN(test_sql_join__cancel_within_product);
	T_RUN(test_sql_join__query_memory);
	sq_teardown();
	return T_DONE();
}
