/*
 * test_sql_agg.c - the aggregation fast paths over dictionary codes and
 * single keys (op_agg.c, hash.c, agg.c), checked against answers computed
 * here in C: String keys of many granules, fixed-width keys of each width,
 * uniq/uniqExact hashed once per dictionary entry with groups that change
 * inside a chunk, -If over dictionary conditions, a LowCardinality key
 * joined to a String key, and rs_find (LIKE '%x%', position) on edge cases.
 */
#include "test_sql_exec.h"
#include "../../engine/exec/exec.h"

#define N 70000u	/* 9 granules of 8192 rows: aggregation runs on 2 threads */

static const char *agg_def =
	"SCHEMA >\n    k UInt32,\n    d Date,\n    s String,\n    lc LowCardinality(String),\n"
	"    i8 Int8,\n    i16 Int16,\n    i64 Int64,\n    f Float64\n\n"
	"ENGINE \"MergeTree\"\nENGINE_SORTING_KEY \"k\"\n";

/* row i: the values the test computes its answers from; s is
 * "str<s_of(i)>-session-abcdef" (long enough to be stored as a dictionary) */
/* 1500 strings, each in runs of 4 rows (a granule holds few enough
 * distinct values to be stored as a dictionary) */
static uint32_t s_of(uint32_t i) { return (i / 4u * 2654435761u) % 1500u; }
static uint32_t g_of(uint32_t i) { return i % 3u; }			/* group changes every row */
static uint32_t day_of(uint32_t i) { return i / 7000u; }		/* runs of 7000 rows */

static void load(void)
{
	struct rs_buf csv = RS_BUF_INIT;

	for (uint32_t i = 0; i < N; i++)
		rs_buf_printf(&csv, "%u,2024-01-%02u,str%u-session-abcdef,c%u,%d,%d,%lld,%s\n", i, day_of(i) + 1,
			      s_of(i), g_of(i), (int)(i % 5) - 2, (int)(i % 11) * 1000 - 5000,
			      (long long)(i % 4) * 10000000000LL - 20000000000LL,
			      i % 2 ? "0.5" : "-1.25");
	T_EQ_INT(sq_load("a", agg_def, csv.data), 0);
	rs_buf_release(&csv);
}

/* GROUP BY a String column over many granules: groups and counts exact. */
static void test_sql_agg__string_key(void)
{
	static uint32_t cnt[1500];
	uint32_t top = 0, groups = 0;
	char want[128];

	memset(cnt, 0, sizeof(cnt));
	for (uint32_t i = 0; i < N; i++)
		cnt[s_of(i)]++;
	for (uint32_t v = 0; v < 1500; v++) {
		char a[32], b[32];

		groups += cnt[v] > 0;
		snprintf(a, sizeof(a), "str%u-session-abcdef", v);
		snprintf(b, sizeof(b), "str%u-session-abcdef", top);
		if (cnt[v] > cnt[top] || (cnt[v] == cnt[top] && strcmp(a, b) < 0))
			top = v;	/* ties: the smallest string, as ORDER BY c DESC, s */
	}
	snprintf(want, sizeof(want), "%u\t%u", groups, N);
	T_EQ_STR(sq("SELECT count(), sum(c) FROM (SELECT s, count() AS c FROM a GROUP BY s)"), want);
	snprintf(want, sizeof(want), "str%u-session-abcdef\t%u", top, cnt[top]);
	T_EQ_STR(sq("SELECT s, count() AS c FROM a GROUP BY s ORDER BY c DESC, s LIMIT 1"), want);
	T_EQ_STR(sq("SELECT s, count() FROM a WHERE s IN ('str0-session-abcdef', "
		    "'str1499-session-abcdef', 'nope') GROUP BY s ORDER BY s"),
		 (snprintf(want, sizeof(want), "str0-session-abcdef\t%u\nstr1499-session-abcdef\t%u",
							  cnt[0], cnt[1499]), want));
	/* without ORDER BY, groups come in order of first appearance (whole
	 * granules take their dictionary as the distinct keys: it must be in
	 * that order), the worker's share after the main thread's */
	{
		static uint8_t seen[1500];
		char exp[256] = "", *w = exp;
		unsigned got = 0;

		memset(seen, 0, sizeof(seen));
		for (uint32_t i = 0; i < N && got < 4; i++)
			if (!seen[s_of(i)]++) {
				w += sprintf(w, "%sstr%u-session-abcdef", got ? "\n" : "", s_of(i));
				got++;
			}
		T_EQ_STR(sq("SELECT s FROM a GROUP BY s LIMIT 4"), exp);
	}
}

/* Two dictionary keys (the combined-code path): pairs and counts exact. */
static void test_sql_agg__two_keys(void)
{
	static uint32_t cnt[3][1500];
	uint32_t pairs = 0, mx = 0, c0 = 0;
	char want[128];

	memset(cnt, 0, sizeof(cnt));
	for (uint32_t i = 0; i < N; i++)
		cnt[g_of(i)][s_of(i)]++;
	for (uint32_t g = 0; g < 3; g++)
		for (uint32_t v = 0; v < 1500; v++) {
			pairs += cnt[g][v] > 0;
			mx = cnt[g][v] > mx ? cnt[g][v] : mx;
		}
	snprintf(want, sizeof(want), "%u\t%u\t%u", pairs, mx, N);
	T_EQ_STR(sq("SELECT count(), max(c), sum(c) FROM "
		    "(SELECT lc, s, count() AS c FROM a GROUP BY lc, s)"), want);
	c0 = cnt[1][7];
	snprintf(want, sizeof(want), "c1\tstr7-session-abcdef\t%u", c0);
	T_EQ_STR(sq("SELECT lc, s, count() FROM a WHERE s = 'str7-session-abcdef' AND lc = 'c1' "
		    "GROUP BY lc, s"), c0 ? want : "");
}

/* One fixed-width key of 1, 2, 4 and 8 bytes (and a Float64 key). */
static void test_sql_agg__fixed_keys(void)
{
	char want[512];
	struct rs_buf w = RS_BUF_INIT;

	/* i8: i % 5 - 2, each value N / 5 times */
	for (int v = -2; v <= 2; v++)
		rs_buf_printf(&w, "%s%d\t%u", v > -2 ? "\n" : "", v, N / 5);
	T_EQ_STR(sq("SELECT i8, count() FROM a GROUP BY i8 ORDER BY i8"), w.data);
	rs_buf_reset(&w);
	for (int v = 0; v < 11; v++)
		rs_buf_printf(&w, "%s%d\t%u", v ? "\n" : "", v * 1000 - 5000,
			      N / 11 + ((uint32_t)v < N % 11));
	T_EQ_STR(sq("SELECT i16, count() FROM a GROUP BY i16 ORDER BY i16"), w.data);
	rs_buf_reset(&w);
	for (int v = 0; v < 4; v++)
		rs_buf_printf(&w, "%s%lld\t%u", v ? "\n" : "", (long long)v * 10000000000LL - 20000000000LL,
			      N / 4);
	T_EQ_STR(sq("SELECT i64, count() FROM a GROUP BY i64 ORDER BY i64"), w.data);
	snprintf(want, sizeof(want), "-1.25\t%u\n0.5\t%u", N / 2, N / 2);
	T_EQ_STR(sq("SELECT f, count() FROM a GROUP BY f ORDER BY f"), want);
	/* a Date key (2 bytes) in runs of 7000 rows, as toDate(timestamp) is */
	rs_buf_reset(&w);
	for (uint32_t d = 0; d <= day_of(N - 1); d++)
		rs_buf_printf(&w, "%s2024-01-%02u\t%u", d ? "\n" : "", d + 1,
			      d < day_of(N - 1) ? 7000u : N - 7000u * d);
	T_EQ_STR(sq("SELECT d, count() FROM a GROUP BY d ORDER BY d"), w.data);
	rs_buf_release(&w);
}

/* uniq/uniqExact over String and LowCardinality(String): per group, with
 * the group changing every row (g) and in long runs (d), and with -If. */
static void test_sql_agg__uniq(void)
{
	static uint8_t seen[3][1500], seen_if[3][1500], seen_d[16][1500];
	uint32_t u[3] = { 0 }, uif[3] = { 0 }, ud[16] = { 0 };
	struct rs_buf w = RS_BUF_INIT;

	memset(seen, 0, sizeof(seen));
	memset(seen_if, 0, sizeof(seen_if));
	memset(seen_d, 0, sizeof(seen_d));
	for (uint32_t i = 0; i < N; i++) {
		uint32_t g = g_of(i), v = s_of(i), d = day_of(i);

		u[g] += !seen[g][v];
		seen[g][v] = 1;
		if (i % 4 == 1) {
			uif[g] += !seen_if[g][v];
			seen_if[g][v] = 1;
		}
		ud[d] += !seen_d[d][v];
		seen_d[d][v] = 1;
	}
	for (uint32_t g = 0; g < 3; g++)
		rs_buf_printf(&w, "%sc%u\t%u\t%u\t%u\t1", g ? "\n" : "", g, u[g], u[g], uif[g]);
	T_EQ_STR(sq("SELECT lc, uniqExact(s), uniq(s), uniqExactIf(s, k % 4 = 1), uniqExact(lc) "
		    "FROM a GROUP BY lc ORDER BY lc"), w.data);
	rs_buf_reset(&w);
	for (uint32_t d = 0; d <= day_of(N - 1); d++)
		rs_buf_printf(&w, "%s2024-01-%02u\t%u\t%u", d ? "\n" : "", d + 1, ud[d],
			      d < day_of(N - 1) ? 7000u : N - 7000u * d);
	T_EQ_STR(sq("SELECT d, uniqExact(s), count() FROM a GROUP BY d ORDER BY d"), w.data);
	/* an expression of the column is hashed per dictionary entry too:
	 * substring(s, 1, 4) is 'str0'..'str9' */
	T_EQ_STR(sq("SELECT uniqExact(substring(s, 1, 4)), uniqExact(concat(s, 'x')) FROM a"),
		 "10\t1500");
	rs_buf_release(&w);
}

/* countIf/sumIf whose condition reads one dictionary column. */
static void test_sql_agg__if(void)
{
	uint64_t c0 = 0, c1 = 0;
	int64_t s16 = 0;
	char want[256];

	for (uint32_t i = 0; i < N; i++) {
		c0 += g_of(i) == 0;
		c1 += s_of(i) < 10;	/* 'str0-...'..'str9-...', 19 bytes */
		if (g_of(i) == 2)
			s16 += (int)(i % 11) * 1000 - 5000;
	}
	snprintf(want, sizeof(want), "%llu\t%llu\t%lld", (unsigned long long)c0,
		 (unsigned long long)c1, (long long)s16);
	T_EQ_STR(sq("SELECT countIf(lc = 'c0'), countIf(length(s) = 19), sumIf(i16, lc = 'c2') FROM a"),
		 want);
}

/* A LowCardinality(String) key joined to a String key (as the bench's
 * events.country = countries.code): probed once per dictionary entry,
 * grouped by the right side's columns. c2 has no match; 'c9' no rows. */
static void test_sql_agg__join_lc_string(void)
{
	uint32_t n0 = 0, n1 = 0;
	int64_t s0 = 0, s1 = 0;
	char want[256];

	T_EQ_INT(sq_load("dim", "SCHEMA >\n    code String,\n    name String\n",
			 "c0,zero\nc1,one\nc9,nine\n"), 0);
	for (uint32_t i = 0; i < N; i++) {
		int v = (int)(i % 11) * 1000 - 5000;

		if (g_of(i) == 0) {
			n0++;
			s0 += v;
		} else if (g_of(i) == 1) {
			n1++;
			s1 += v;
		}
	}
	snprintf(want, sizeof(want), "one\t%u\t%lld\nzero\t%u\t%lld", n1, (long long)s1, n0,
		 (long long)s0);
	T_EQ_STR(sq("SELECT d.name, count(), sum(a.i16) FROM a ALL INNER JOIN dim AS d "
		    "ON a.lc = d.code GROUP BY d.name ORDER BY d.name"), want);
	snprintf(want, sizeof(want), "%u", N - n0 - n1);
	T_EQ_STR(sq("SELECT count() FROM a LEFT JOIN dim AS d ON a.lc = d.code WHERE d.name = ''"),
		 want);
	/* RIGHT/FULL keep the right rows no left row met ('c9') once: such a
	 * join runs on one thread */
	snprintf(want, sizeof(want), "c0\t%u\nc1\t%u\nc9\t1", n0, n1);
	T_EQ_STR(sq("SELECT d.code, count() FROM a RIGHT JOIN dim AS d ON a.lc = d.code "
		    "GROUP BY d.code ORDER BY d.code"), want);
	snprintf(want, sizeof(want), "%u", N + 1);
	T_EQ_STR(sq("SELECT count() FROM a FULL JOIN dim AS d ON a.lc = d.code"), want);
}

/* rs_find through LIKE '%x%' and position(): starts, ends, overlaps. */
static void test_sql_agg__find(void)
{
	T_EQ_STR(sq("SELECT 'aaab' LIKE '%aab%', 'ab' LIKE '%abc%', 'xab' LIKE '%ab%', "
		    "'abx' LIKE '%ab%', 'a' LIKE '%a%', '' LIKE '%a%', 'aXbaab' LIKE '%ab%'"),
		 "1\t0\t1\t1\t1\t0\t1");
	/* the scan anchors on the needle's rarest byte (q, k): matches at the
	 * start and the end, a haystack shorter than the needle */
	T_EQ_STR(sq("SELECT 'kq' LIKE '%kq%', 'zzkq' LIKE '%kq%', 'q' LIKE '%kq%', 'kkq' LIKE '%kq%', "
		    "'qk' LIKE '%kq%', '/docs/x' LIKE '%/docs/%', 'a/docs' LIKE '%/docs/%', "
		    "'xx/docs/' LIKE '%/docs/%', 'x/doc/docs/' LIKE '%/docs/%'"),
		 "1\t1\t0\t1\t0\t1\t0\t1\t1");
	T_EQ_STR(sq("SELECT position('aaab', 'aab'), position('abcabc', 'ca'), position('abc', ''), "
		    "position('abc', 'abcd'), position('hello', 'o')"),
		 "2\t3\t1\t0\t5");
	T_EQ_STR(sq("SELECT count() FROM a WHERE s LIKE '%r14%'"),
		 (({ static char b[32]; uint32_t c = 0;
		     for (uint32_t i = 0; i < N; i++) { char t[32]; snprintf(t, sizeof(t), "str%u-session-abcdef", s_of(i));
			     c += strstr(t, "r14") != NULL; }
		     snprintf(b, sizeof(b), "%u", c); b; })));
}

/* more groups than a chunk holds (8192): the aggregation's result goes out
 * in slices of its columns (op_util.c values_next), strings and NULLs
 * included, and the outer query reads them right */
static void test_sql_agg__result_slices(void)
{
	char want[128];
	unsigned long long len = 0, sum = 0;

	for (uint32_t i = 0; i < N; i++) {
		char b[16];

		len += (unsigned long long)snprintf(b, sizeof(b), "%u", i);
		sum += i;
	}
	snprintf(want, sizeof(want), "%u\t%llu\t%u\t9999\t0\t%u", N, len, N, N);
	T_EQ_STR(sq("SELECT count(), sum(length(ks)), uniqExact(ks), max(ks), min(ks), sum(c) FROM "
		    "(SELECT toString(k) AS ks, count() AS c FROM a GROUP BY ks)"), want);
	snprintf(want, sizeof(want), "%u\t1\t%llu", N, sum - 5);
	T_EQ_STR(sq("SELECT count(), countIf(x IS NULL), sum(x) FROM "
		    "(SELECT nullIf(k, 5) AS x FROM a GROUP BY x)"), want);
	/* sorted across slices: the last of 70000 keys in string order */
	T_EQ_STR(sq("SELECT ks FROM (SELECT toString(k) AS ks FROM a GROUP BY ks) ORDER BY ks DESC LIMIT 2"),
		 "9999\n9998");
}

/* count() over few groups (counted in 4 lanes): exact, with chunks whose
 * length is not a multiple of 4 */
static void test_sql_agg__count_few_groups(void)
{
	uint32_t c[3] = { 0 }, d[5] = { 0 };
	char want[256];

	for (uint32_t i = 0; i < N; i++) {
		c[g_of(i)]++;
		if (i < N - 3)
			d[i % 5]++;
	}
	snprintf(want, sizeof(want), "c0\t%u\nc1\t%u\nc2\t%u", c[0], c[1], c[2]);
	T_EQ_STR(sq("SELECT lc, count() FROM a GROUP BY lc ORDER BY lc"), want);
	snprintf(want, sizeof(want), "-2\t%u\n-1\t%u\n0\t%u\n1\t%u\n2\t%u", d[0], d[1], d[2], d[3],
		 d[4]);
	T_EQ_STR(sq("SELECT i8, count() FROM a WHERE k < 69997 GROUP BY i8 ORDER BY i8"), want);
}

/* rs_keyset directly: String keys "key<i>" */
static void ks_add(struct rs_keyset *ks, uint32_t from, uint32_t to, uint32_t *ids)
{
	struct rs_col c;
	struct rs_vec v = { 0 };
	uint64_t *h = malloc((to - from) * sizeof(*h));

	rs_col_init(&c, ks->keys[0].type);
	for (uint32_t i = from; i < to; i++) {
		char b[16];
		int n = snprintf(b, sizeof(b), "key%u", i);
		T_EQ_INT(rs_col_push_str(&c, b, (size_t)n), 0);
	}
	v.c = &c;
	rs_hash_vec(&v, to - from, h, 1);
	T_EQ_INT(rs_keyset_add(ks, &v, to - from, h, ids, NULL), 0);
	free(h);
	rs_col_release(&c);
}

/* rs_keyset_absorb (the merge of a worker's groups): ids of keys present,
 * new ids in order for the rest, their key values appended; then sealed */
static void test_sql_agg__keyset_absorb(void)
{
	struct rs_err err = { 0 };
	struct rs_qctx q = { .err = &err };
	struct rs_type *t = rs_type_new(RS_T_STRING);
	const struct rs_type *types[1] = { t };
	struct rs_keyset a, b;
	uint32_t *ids = malloc(3000 * sizeof(*ids)), *map = malloc(3000 * sizeof(*map));
	uint64_t *h = malloc(3000 * sizeof(*h));
	struct rs_vec v = { 0 };

	rs_keyset_init(&a, &q, 1, types);
	rs_keyset_init(&b, &q, 1, types);
	ks_add(&a, 0, 1000, ids);
	for (uint32_t i = 0; i < 1000; i++)
		T_EQ_INT(ids[i], i);
	ks_add(&a, 0, 1000, ids);	/* all present: same ids */
	for (uint32_t i = 0; i < 1000; i++)
		T_EQ_INT(ids[i], i);
	ks_add(&b, 500, 3000, ids);
	T_EQ_U64(b.n, 2500);
	v.c = &b.keys[0];
	rs_hash_vec(&v, b.n, h, 1);
	T_EQ_INT(rs_keyset_absorb(&a, &b, h, map), 0);
	T_EQ_U64(a.n, 3000);
	T_EQ_U64(a.keys[0].n, 3000);
	for (uint32_t g = 0; g < 2500; g++)
		T_EQ_INT(map[g], 500 + g);	/* 500..999 found, then new ids in order */
	for (uint32_t i = 0; i < 3000; i += 999) {
		char want[16];
		size_t len;
		const char *k = rs_col_str(&a.keys[0], i, &len);

		snprintf(want, sizeof(want), "key%u", i);
		T_OK(len == strlen(want) && !memcmp(k, want, len));
	}
	/* sealed: the table no longer knows every key */
	rs_keyset_find(&a, &v, 1, h, ids);
	T_EQ_INT(ids[0], UINT32_MAX);
	T_EQ_INT(rs_keyset_add(&a, &v, 1, h, ids, NULL), -EINVAL);
	rs_keyset_release(&a);
	rs_keyset_release(&b);
	T_EQ_U64(q.mem_used, 0);
	rs_type_free(t);
	free(ids);
	free(map);
	free(h);
}

int main(void)
{
	if (sq_setup("agg"))
		return 1;
	load();
	T_RUN(test_sql_agg__string_key);
	T_RUN(test_sql_agg__two_keys);
	T_RUN(test_sql_agg__fixed_keys);
	T_RUN(test_sql_agg__uniq);
	T_RUN(test_sql_agg__if);
	T_RUN(test_sql_agg__join_lc_string);
	T_RUN(test_sql_agg__find);
	T_RUN(test_sql_agg__keyset_absorb);
	T_RUN(test_sql_agg__result_slices);
	T_RUN(test_sql_agg__count_few_groups);
	sq_teardown();
	return T_DONE();
}
