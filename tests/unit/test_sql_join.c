/*
 * test_sql_join.c - joins whose output is many chunks: a CROSS JOIN and key
 * joins with a large fan-out give exact counts, sums and rows across chunk
 * boundaries; LIMIT stops early; the output comes in bounded chunks so a
 * cancel is seen before the whole product exists; the materialized right
 * side counts against query_memory (ENOMEM naming the limit). RIGHT and FULL
 * joins fill the other side with default values (ClickHouse
 * join_use_nulls = 0: zero, '' or NULL for Nullable columns).
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
	T_EQ_STR(sq("SELECT id FROM t RIGHT JOIN u USING id"),
		 "ERR -22: ANY and USING with RIGHT or FULL JOIN are not supported yet");
	T_EQ_STR(sq("SELECT id FROM t ANY FULL JOIN u ON id = uid"),
		 "ERR -22: ANY and USING with RIGHT or FULL JOIN are not supported yet");
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
	rs_buf_release(&csv);
	if (rc)
		return 1;
	T_RUN(test_sql_join__cross_many_chunks);
	T_RUN(test_sql_join__fanout_keys);
	T_RUN(test_sql_join__right_full);
	T_RUN(test_sql_join__nullable_defaults);
	T_RUN(test_sql_join__using_key_types);
	T_RUN(test_sql_join__limit_stops_early);
	T_RUN(test_sql_join__cancel_within_product);
	T_RUN(test_sql_join__query_memory);
	sq_teardown();
	return T_DONE();
}
