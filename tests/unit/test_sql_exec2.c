/*
 * test_sql_exec2.c - window functions, aggregate states (-State/-Merge),
 * over the small tables of test_sql_exec.h.
 */
#include "test_sql_exec.h"

static void test_sql_exec2__window_rank(void)
{
	T_EQ_STR(sq("SELECT id, row_number() OVER (ORDER BY id DESC) FROM t ORDER BY id"),
		 "1\t5\n2\t4\n3\t3\n4\t2\n5\t1");
	T_EQ_STR(sq("SELECT id, city, row_number() OVER (PARTITION BY city ORDER BY id) AS rn "
		    "FROM t ORDER BY id"),
		 "1\tParis\t1\n2\t\\N\t1\n3\tBerlin\t1\n4\tParis\t2\n5\tBerlin\t2");
	T_EQ_STR(sq("SELECT score, rank() OVER (ORDER BY score), dense_rank() OVER (ORDER BY score) "
		    "FROM t ORDER BY score, id"),
		 "10\t1\t1\n20\t2\t2\n20\t2\t2\n40\t4\t3\n\\N\t5\t4");
	T_EQ_STR(sq_schema("SELECT row_number() OVER () FROM t"),
		 "row_number() OVER () UInt64");
}

static void test_sql_exec2__window_agg(void)
{
	/* default frame with ORDER BY: RANGE UNBOUNDED PRECEDING .. CURRENT ROW (peers in) */
	T_EQ_STR(sq("SELECT id, sum(id) OVER (ORDER BY id) FROM t ORDER BY id"),
		 "1\t1\n2\t3\n3\t6\n4\t10\n5\t15");
	T_EQ_STR(sq("SELECT id, sum(score) OVER (ORDER BY score) FROM t ORDER BY id"),
		 "1\t10\n2\t50\n3\t90\n4\t90\n5\t50");
	/* no ORDER BY: the whole partition */
	T_EQ_STR(sq("SELECT id, count() OVER (PARTITION BY city), max(id) OVER (PARTITION BY city) "
		    "FROM t ORDER BY id"),
		 "1\t2\t4\n2\t1\t2\n3\t2\t5\n4\t2\t4\n5\t2\t5");
	T_EQ_STR(sq("SELECT id, avg(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) "
		    "FROM t ORDER BY id"),
		 "1\t1.5\n2\t2\n3\t3\n4\t4\n5\t4.5");
	T_EQ_STR(sq("SELECT id, min(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND "
		    "UNBOUNDED FOLLOWING), count(score) OVER (ORDER BY id ROWS 1 PRECEDING) "
		    "FROM t ORDER BY id"),
		 "1\t1\t1\n2\t2\t2\n3\t3\t1\n4\t4\t1\n5\t5\t2");
	T_EQ_STR(sq("SELECT id, sum(id) OVER (ORDER BY id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) "
		    "FROM t ORDER BY id"),
		 "1\t1\n2\t3\n3\t5\n4\t7\n5\t9");
	/* over an aggregation */
	T_EQ_STR(sq("SELECT city, count() AS c, sum(count()) OVER () AS total FROM t "
		    "GROUP BY city ORDER BY city"),
		 "Berlin\t2\t5\nParis\t2\t5\n\\N\t1\t5");
	T_EQ_STR(sq("SELECT id FROM t ORDER BY row_number() OVER (ORDER BY name DESC) LIMIT 2"),
		 "5\n4");
}

static void test_sql_exec2__window_lag(void)
{
	/* lagInFrame sees the previous row inside the default frame ... */
	T_EQ_STR(sq("SELECT id, lagInFrame(id) OVER (ORDER BY id) FROM t ORDER BY id"),
		 "1\t0\n2\t1\n3\t2\n4\t3\n5\t4");
	/* ... leadInFrame does not (the frame ends at the current row) */
	T_EQ_STR(sq("SELECT id, leadInFrame(id) OVER (ORDER BY id) FROM t ORDER BY id"),
		 "1\t0\n2\t0\n3\t0\n4\t0\n5\t0");
	T_EQ_STR(sq("SELECT id, leadInFrame(id, 1, 99) OVER (ORDER BY id ROWS BETWEEN "
		    "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t ORDER BY id"),
		 "1\t2\n2\t3\n3\t4\n4\t5\n5\t99");
	T_EQ_STR(sq("SELECT id, lagInFrame(name, 2, '-') OVER (PARTITION BY id % 2 ORDER BY id) "
		    "FROM t ORDER BY id"),
		 "1\t-\n2\t-\n3\t-\n4\t-\n5\talice");
	T_EQ_STR(sq("SELECT id, first_value(name) OVER (ORDER BY id), last_value(name) OVER "
		    "(ORDER BY id) FROM t ORDER BY id LIMIT 2"),
		 "1\talice\talice\n2\talice\tbob");
	T_EQ_STR(sq("SELECT id FROM t WHERE row_number() OVER () > 1"),
		 "ERR -22: window function 'row_number' is found in WHERE");
	T_EQ_STR(sq("SELECT ntile(2) OVER () FROM t"),
		 "ERR -22: window function 'ntile' is not supported yet");
}

/* xState in one query, xMerge over it in another: the same result as x */
static void test_sql_exec2__state_merge(void)
{
	static const char *fns[] = {
		"count()", "sum(id)", "avg(id)", "min(name)", "max(ts)", "uniq(city)",
		"uniqExact(name)", "argMax(name, id)", "argMin(id, name)", "quantile(0.5)(id)",
		"quantileExact(0.9)(id)", "any(id)", "sum(revenue)",
	};
	char want[512], sql[1024];

	for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		const char *f = fns[i], *par = strchr(f, '(');
		char base[64];
		int isrev = strstr(f, "revenue") != NULL;
		const char *src = isrev ? "(SELECT id, id * 1.5 AS revenue FROM t)" : "t";

		snprintf(base, sizeof(base), "%.*s", (int)(par - f), f);
		snprintf(sql, sizeof(sql), "SELECT id %% 2 AS k, %s FROM %s GROUP BY k ORDER BY k",
			 f, src);
		snprintf(want, sizeof(want), "%s", sq(sql));
		snprintf(sql, sizeof(sql), "SELECT k, %sMerge(s) FROM (SELECT id %% 2 AS k, %sState%s AS s "
			 "FROM %s GROUP BY k) GROUP BY k ORDER BY k", base, base, par, src);
		T_EQ_STR(sq(sql), want);
		/* states of groups merged further: one total */
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s", f, src);
		snprintf(want, sizeof(want), "%s", sq(sql));
		snprintf(sql, sizeof(sql), "SELECT %sMerge(s) FROM (SELECT id %% 2 AS k, %sState%s AS s "
			 "FROM %s GROUP BY k)", base, base, par, src);
		T_EQ_STR(sq(sql), want);
	}
	T_EQ_STR(sq_schema("SELECT sumState(id), uniqState(name), quantileState(0.5)(id) FROM t"),
		 "sumState(id) AggregateFunction(sum, UInt32), uniqState(name) "
		 "AggregateFunction(uniq, String), quantileState(0.5)(id) "
		 "AggregateFunction(quantile(0.5), UInt32)");
	T_EQ_STR(sq_schema("SELECT sumSimpleState(id), sumMerge(s) FROM "
			   "(SELECT id, sumState(id) AS s FROM t GROUP BY id) GROUP BY id"),
		 "sumSimpleState(id) SimpleAggregateFunction(sum, UInt64), sumMerge(s) UInt64");
	T_EQ_STR(sq("SELECT sumIfMerge(s) FROM (SELECT sumIfState(id, id > 2) AS s FROM t)"), "12");
	T_EQ_STR(sq("SELECT countMerge(s) FROM (SELECT countState() AS s FROM t WHERE 0)"), "0");
	T_EQ_STR(sq("SELECT sumMerge(s) FROM (SELECT countState() AS s FROM t)"),
		 "ERR -22: 'sumMerge' cannot merge states of 'count'");
	T_EQ_STR(sq("SELECT sumMerge(name) FROM t"),
		 "ERR -22: argument of 'sumMerge' must be an AggregateFunction state");
	T_EQ_STR(sq("SELECT sumSimpleState(id) FROM t"), "15");
}

static void test_sql_exec2__regex(void)
{
	T_EQ_STR(sq("SELECT multiSearchAny(name, ['ar', 'zz']) FROM t ORDER BY id"),
		 "0\n0\n1\n0\n0");
	if (strstr(sq("SELECT match('a', 'a')"), "needs PCRE2")) {
		printf("%s: regex checks skipped (built without RS_HAVE_PCRE2)\n", __FILE__);
		return;
	}
	T_EQ_STR(sq("SELECT id FROM t WHERE match(name, '^[a-c]') ORDER BY id"), "1\n2\n3");
	T_EQ_STR(sq("SELECT extract('key=val; k2=v2', 'k2=(\\\\w+)'), extract('abc', 'b.'), "
		    "extract('abc', 'z')"), "v2\tbc\t");
	T_EQ_STR(sq("SELECT extractAll('a1b22c333', '[0-9]+'), extractAll('x=1,y=2', '(\\\\w)=')"),
		 "['1','22','333']\t['x','y']");
	T_EQ_STR(sq("SELECT replaceRegexpOne('2024-01-15', '(\\\\d+)-(\\\\d+)-(\\\\d+)', "
		    "'\\\\3/\\\\2/\\\\1'), replaceRegexpAll('a.b.c', '\\\\.', '-'), "
		    "replaceRegexpAll('aaa', 'a', 'bc')"),
		 "15/01/2024\ta-b-c\tbcbcbc");
	T_EQ_STR(sq("SELECT replaceRegexpAll(name, '[aeiou]', '') FROM t WHERE id = 1"), "lc");
	T_EQ_STR(sq("SELECT match(name, '(') FROM t"),
		 "ERR -22: cannot compile regexp '(' at offset 1: missing closing parenthesis");
	T_EQ_STR(sq("SELECT match(name, name) FROM t"),
		 "ERR -22: argument 2 of function 'match' must be a constant string");
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * A table of 100k rows (13 granules): parallel aggregation, dictionary
 * filters, keys and arguments must give what one thread over plain values
 * gives, in the same group order.
 */
static void test_sql_exec2__big(void)
{
	enum { N = 100000 };
	static const char *def = "SCHEMA >\n    k UInt32,\n    lc LowCardinality(String),\n"
		"    s String,\n    x UInt32\n";
	struct rs_buf csv = RS_BUF_INIT, want = RS_BUF_INIT;
	uint32_t *xs = malloc(N * sizeof(*xs));
	char buf[256];

	for (uint32_t i = 0; i < N; i++)
		rs_buf_printf(&csv, "%u,v%u,s%u,%u\n", i, i % 7, i % 50, (i * 7919u) % 1000);
	T_EQ_INT(sq_load("big", def, csv.data), 0);
	T_EQ_STR(sq("SELECT count() FROM big"), "100000");
	snprintf(buf, sizeof(buf), "%u", N / 7 + (N % 7 > 3));
	T_EQ_STR(sq("SELECT count() FROM big WHERE lc = 'v3' AND s != 'zz'"), buf);
	T_EQ_STR(sq("SELECT lc FROM big GROUP BY lc"), "v0\nv1\nv2\nv3\nv4\nv5\nv6");
	for (uint32_t g = 0; g < 7; g++) {
		uint64_t sum = 0, n = 0;
		uint32_t mn = UINT32_MAX, mx = 0;

		for (uint32_t i = g; i < N; i += 7) {
			uint32_t x = (i * 7919u) % 1000;
			xs[n++] = x;
			sum += x;
			mn = x < mn ? x : mn;
			mx = x > mx ? x : mx;
		}
		qsort(xs, n, sizeof(*xs), u32_cmp);
		rs_buf_printf(&want, "%sv%u\t%llu\t%llu\t%u\t%u\t50\t%u\t%llu", g ? "\n" : "", g,
			      (unsigned long long)n, (unsigned long long)sum, mn, mx, xs[n / 2],
			      (unsigned long long)(g == 1 ? n : 0));
	}
	T_EQ_STR(sq("SELECT lc, count(), sum(x), min(x), max(x), uniqExact(s), "
		    "quantileExact(0.5)(x), countIf(lc = 'v1') FROM big GROUP BY lc ORDER BY lc"),
		 want.data);
	T_EQ_STR(sq("SELECT count(), uniqExact(s), countIf(s LIKE 's1%') FROM big WHERE k >= 50000"),
		 "50000\t50\t11000");
	rs_buf_release(&csv);
	rs_buf_release(&want);
	free(xs);
}

int main(void)
{
	if (sq_setup("exec2"))
		return 1;
	T_RUN(test_sql_exec2__window_rank);
	T_RUN(test_sql_exec2__window_agg);
	T_RUN(test_sql_exec2__window_lag);
	T_RUN(test_sql_exec2__state_merge);
	T_RUN(test_sql_exec2__regex);
	T_RUN(test_sql_exec2__big);
	sq_teardown();
	return T_DONE();
}
