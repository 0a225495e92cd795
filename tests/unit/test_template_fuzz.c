/*
 * test_template_fuzz.c - the templating engine on the example pipes of
 * shared/examples (rendered with and without parameters), query-string
 * parsing, and a deterministic garbage/mutation loop (no crash, no leak,
 * no hang). ROOST_FUZZ_N sets the number of fuzz cases (default 6000),
 * ROOST_FUZZ_SEED another seed.
 */
#include "../../engine/base/util.h"
#include "../../engine/template/template.h"
#include "t.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- example pipes ---- */

static char *read_example(const char *rel)
{
	const char *roots[] = { getenv("ROOST_SHARED"), "../shared", "../../shared", "/work/shared" };
	char path[1024];

	for (size_t i = 0; i < RS_ARRAY_SIZE(roots); i++) {
		char *data;
		size_t len;

		if (!roots[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", roots[i], rel);
		if (!rs_read_file(path, &data, &len))
			return data;
	}
	return NULL;
}

/* The SQL of node number `idx` of a .pipe text, dedented (caller frees). */
static char *node_sql(const char *pipe, int idx)
{
	const char *p = pipe;
	int k = -1;

	while ((p = strstr(p, "SQL >"))) {
		p += 5;
		if (++k == idx)
			break;
	}
	if (!p)
		return NULL;
	p = strchr(p, '\n');
	if (!p)
		return NULL;
	p++;
	struct rs_buf b = RS_BUF_INIT;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n && !isspace((unsigned char)*p))
			break;		/* back at column 0: the block ended */
		size_t skip = 0;
		while (skip < 4 && skip < n && p[skip] == ' ')
			skip++;
		rs_buf_add(&b, p + skip, n - skip);
		rs_buf_addc(&b, '\n');
		p += n + (e ? 1 : 0);
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = 0;
	return rs_buf_detach(&b, NULL);
}

static char out_buf[8192];
static struct rs_err out_err;

static const char *render_qs(const char *sql, const char *qs)
{
	struct rs_tmpl_param *p = NULL;
	unsigned n = 0;
	struct rs_buf out = RS_BUF_INIT;
	int rc;

	rs_err_clear(&out_err);
	if (!sql || rs_tmpl_params_parse(qs, strlen(qs), &p, &n, &out_err))
		return NULL;
	rc = rs_tmpl_render(sql, strlen(sql), p, n, &out, &out_err);
	free(p);
	if (!rc)
		snprintf(out_buf, sizeof(out_buf), "%s", out.data ? out.data : "");
	rs_buf_release(&out);
	return rc ? NULL : out_buf;
}

static void test_example_top_pages(void)
{
	char *pipe = read_example("examples/web_analytics/endpoints/top_pages.pipe");
	char *n0, *n1;

	T_OK(pipe != NULL);
	if (!pipe)
		return;
	n0 = node_sql(pipe, 0);
	n1 = node_sql(pipe, 1);
	T_OK(n0 && n1);
	T_EQ_STR(render_qs(n0, ""),
		 "SELECT date, pathname, device, visits, views\n"
		 "FROM daily_pages\n"
		 "WHERE date >= '2024-01-01'\n"
		 "  AND date <= '2030-12-31'\n");
	T_EQ_STR(render_qs(n0, "date_from=2024-03-01&date_to=2024-03-31&device=mobile"),
		 "SELECT date, pathname, device, visits, views\n"
		 "FROM daily_pages\n"
		 "WHERE date >= '2024-03-01'\n"
		 "  AND date <= '2024-03-31'\n"
		 "\n"
		 "  AND device = 'mobile'\n");
	T_CONTAINS(render_qs(n1, ""), "LIMIT toInt32('10')");
	T_CONTAINS(render_qs(n1, "limit=5"), "LIMIT toInt32('5')");
	T_OK(render_qs(n1, "limit=x") == NULL);
	T_EQ_STR(out_err.msg, "Template Syntax Error: Error validating 'x' to type Int32");
	T_OK(render_qs(n0, "date_from=March") == NULL);
	T_EQ_STR(out_err.msg, "Template Syntax Error: Error validating 'March' to type Date");
	free(n0);
	free(n1);
	free(pipe);
}

static void test_example_hourly_kpis(void)
{
	char *pipe = read_example("examples/web_analytics/endpoints/hourly_kpis.pipe");
	char *n0, *n1;

	T_OK(pipe != NULL);
	if (!pipe)
		return;
	n0 = node_sql(pipe, 0);
	n1 = node_sql(pipe, 1);
	/* plain SQL passes through */
	T_EQ_STR(render_qs(n0, "days=3"), "SELECT max(timestamp) AS last_ts FROM page_views");
	T_CONTAINS(render_qs(n1, ""), "- INTERVAL toInt16('1') DAY");
	T_CONTAINS(render_qs(n1, "days=7"), "- INTERVAL toInt16('7') DAY");
	T_OK(render_qs(n1, "days=40000") == NULL);
	T_EQ_STR(out_err.msg, "Template Syntax Error: Error validating '40000' to type Int16");
	free(n0);
	free(n1);
	free(pipe);
}

static void test_example_revenue(void)
{
	char *pipe = read_example("examples/web_analytics/endpoints/revenue_by_region.pipe");
	char *n0;
	const char *r;

	T_OK(pipe != NULL);
	if (!pipe)
		return;
	n0 = node_sql(pipe, 0);
	r = render_qs(n0, "");
	T_OK(r && !strstr(r, "since") && !strstr(r, "{%"));
	T_CONTAINS(render_qs(n0, "since=2024-03-01+00%3A00%3A00"), "AND v.timestamp >= '2024-03-01 00:00:00'");
	T_OK(render_qs(n0, "since=soon") == NULL);
	T_EQ_STR(out_err.msg, "Template Syntax Error: Error validating 'soon' to type DateTime");
	free(n0);
	free(pipe);
}

/* ---- query strings ---- */

static void test_params_parse(void)
{
	struct rs_tmpl_param *p;
	unsigned n;
	const char *qs = "?a=1&b=x%20y&c=1&c=2&d=a+b&e&&f=%zz%4&g=%3D%26";

	T_EQ_INT(rs_tmpl_params_parse(qs, strlen(qs), &p, &n, NULL), 0);
	T_EQ_INT(n, 8);
	if (n == 8) {
		T_EQ_STR(p[0].name, "a");
		T_EQ_STR(p[0].value, "1");
		T_EQ_STR(p[1].value, "x y");
		T_EQ_STR(p[2].name, "c");
		T_EQ_STR(p[3].name, "c");
		T_EQ_STR(p[3].value, "2");
		T_EQ_STR(p[4].value, "a b");
		T_EQ_STR(p[5].name, "e");
		T_EQ_STR(p[5].value, "");
		T_EQ_STR(p[6].value, "%zz%4");
		T_EQ_STR(p[7].value, "=&");
	}
	free(p);
	T_EQ_INT(rs_tmpl_params_parse("", 0, &p, &n, NULL), 0);
	T_EQ_INT(n, 0);
	free(p);
	T_EQ_INT(rs_tmpl_params_parse(NULL, 0, &p, &n, NULL), 0);
	free(p);
	/* repeated parameters are arrays; a scalar use sees the last one */
	T_EQ_STR(render_qs("%\n{{Array(c, 'Int32')}} {{String(c)}}", "c=1&c=2"), "[1,2] '2'");
	T_EQ_STR(render_qs("%\n{{String(n)}}", "n=caf%C3%A9"), "'caf\xc3\xa9'");
}

/* ---- fuzz ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static const char *const corpus[] = {
	"%\nSELECT {{Int32(limit, 10)}} {% if defined(x) %}AND x = {{String(x)}}{% end %}",
	"%\n{% for v in Array(a, 'Int32', default='1,2') %}{{v}}{% if v > 1 %},{% else %};{% end %}{% end %}",
	"%\n{% set n = Int32(p, 0) * Int32(l, 20) %}LIMIT {{n}}, {{Int32(l, 20)}}",
	"%\nWHERE {{sql_and(a__in=Array(x), b__gt=Int32(n, 5))}} {{column(c, 'lvl')}} {{columns(cs, 'a,b')}}",
	"%\n{% if not defined(c) %}{{ error('c is required') }}{% elif c not in ['a', 'b'] %}{{custom_error({'error': 'bad'})}}{% end %}",
	"%\n{{ date_diff_in_hours(s, e) >= 10 }} {{ day_diff(s, e) }} {{ split_to_array(String(m, ''), separator='|') }}",
	"%\n{% for last, x in enumerate_with_last(split_to_array(attr, 'amount')) %}sum({{symbol(x)}}){% if not last %},{% end %}{% end %}",
	"%\n{{ JSON(j, '{}') }} {{ ', '.join(['a', str(1)]) }} {{ [1, (2, 3), {'k': [4]}][1:] }} {{ 'x' * 3 }}",
	"%\n{{DateTime(s, '2024-01-01 00:00:00')}} {{Date(d, '2024-01-01')}} {{Boolean(b, 'true')}} {{Float64(f, 1.5)}}",
	"%\n{# c #}{{! lit }} {% for i in range(3) %}{% for j in range(i) %}{{i * j}}{% break %}{% end %}{% continue %}{% end %}",
	"%\n{{ 1 if x == 'true' else 2 }} {{ (a or 'z')[0] }} {{ -Int(k, 3) // 2 }} {{ 7 % Int(k, 3) }}",
	"SELECT {{x}} {% if %} plain",
};

static const char *const tokens[] = {
	"{{", "}}", "{%", "%}", "{#", "#}", "if ", "elif ", "else", "end", "for ", " in ", "set ",
	"defined(", "String(", "Int32(", "Array(", "column(", "error(", "sql_and(", "range(", "(", ")",
	"[", "]", "{", "}", "'", "\"", ",", "=", "==", " not ", " and ", " or ", "x", "y", "1", "9999999",
	"\n", " ", "\\", "%", "*", "/", "//", "**", "-", "+", ":", ".", "join(", "import", "__", "break",
	"continue", "None", "True", "[x for x in y]", "'a' * 99999", "0x", "1e309", "\x80\xff",
};

static void run_case(const char *sql, size_t len)
{
	static const char *const qss[] = { "", "x=1&a=1,2&limit=5&c=a", "x=abc&a=q&a=w&j=[1,{\"a\":2}]&s=2024-01-01&e=2024-01-02+01:00:00" };
	struct rs_tmpl_param *p;
	unsigned n;
	struct rs_buf out = RS_BUF_INIT;
	struct rs_err err = { 0 };
	struct rs_tmpl_opts o = { .flags = rnd() % 4 == 0 ? RS_TMPL_ANALYSIS : 0 };
	const char *qs = qss[rnd() % RS_ARRAY_SIZE(qss)];
	int rc;

	if (rs_tmpl_params_parse(qs, strlen(qs), &p, &n, NULL))
		return;
	rc = rs_tmpl_render_ex(sql, len, p, n, &out, &o, &err);
	if (rc)
		T_CHECK((rc == -EINVAL || rc == -ENOMEM) && err.code == rc, "rc %d msg '%s' for %.*s", rc,
			err.msg, (int)len, sql);
	rs_buf_release(&out);
	free(p);

	struct rs_tmpl_param_info *pi;
	unsigned np;
	if (!rs_tmpl_params_list(sql, len, &pi, &np, NULL))
		free(pi);
	rs_tmpl_validate(sql, len, NULL);
}

static void test_fuzz(void)
{
	static const char alphabet[] = "{}%#()'\"[],=+-*/<>!.: \nabxy01_";
	const char *env = getenv("ROOST_FUZZ_N"), *seed = getenv("ROOST_FUZZ_SEED");
	long iters = env ? atol(env) : 6000;

	if (seed && atoll(seed))
		rng = (uint64_t)atoll(seed);
	char buf[4096];

	for (long it = 0; it < iters; it++) {
		size_t len = 0;

		if (it % 3 == 0) {
			/* token soup */
			len = 2;
			memcpy(buf, "%\n", 2);
			for (unsigned k = rnd() % 40; k > 0; k--) {
				const char *t = tokens[rnd() % RS_ARRAY_SIZE(tokens)];
				size_t tl = strlen(t);

				if (len + tl >= sizeof(buf))
					break;
				memcpy(buf + len, t, tl);
				len += tl;
			}
		} else if (it % 3 == 1) {
			/* mutated corpus entry */
			const char *src = corpus[rnd() % RS_ARRAY_SIZE(corpus)];

			len = strlen(src);
			memcpy(buf, src, len);
			for (unsigned m = 1 + rnd() % 4; m > 0; m--) {
				size_t at = len ? rnd() % len : 0;

				switch (rnd() % 4) {
				case 0:
					if (len)
						buf[at] = (char)(rnd() & 0xff);
					break;
				case 1:
					if (len) {
						memmove(buf + at, buf + at + 1, len - at - 1);
						len--;
					}
					break;
				case 2:
					if (len + 1 < sizeof(buf)) {
						memmove(buf + at + 1, buf + at, len - at);
						buf[at] = "{}%#()'\",=[]\n "[rnd() % 15];
						len++;
					}
					break;
				default: {
					/* duplicate a slice */
					size_t sl = len ? rnd() % (len - at + 1) : 0;

					if (len + sl < sizeof(buf)) {
						memmove(buf + at + sl, buf + at, len - at);
						len += sl;
					}
				}
				}
			}
		} else {
			/* random bytes */
			len = 2 + rnd() % 120;
			memcpy(buf, "%\n", 2);
			for (size_t i = 2; i < len; i++)
				buf[i] = rnd() % 4 ? alphabet[rnd() % (sizeof(alphabet) - 1)] : (char)(rnd() & 0xff);
		}
		run_case(buf, len);
	}
}

static void test_limits(void)
{
	/* deep nesting, long chains and huge values end in errors, not crashes */
	struct rs_buf b = RS_BUF_INIT;

	rs_buf_adds(&b, "%\n{{ ");
	for (int i = 0; i < 5000; i++)
		rs_buf_adds(&b, "(");
	rs_buf_adds(&b, "1");
	for (int i = 0; i < 5000; i++)
		rs_buf_adds(&b, ")");
	rs_buf_adds(&b, " }}");
	T_OK(render_qs(b.data, "") == NULL);
	T_CONTAINS(out_err.msg, "nested too deeply");
	rs_buf_reset(&b);
	rs_buf_adds(&b, "%\n{{ 1");
	for (int i = 0; i < 100000; i++)
		rs_buf_adds(&b, "+1");
	rs_buf_adds(&b, " }}");
	T_OK(render_qs(b.data, "") == NULL);
	T_CONTAINS(out_err.msg, "nested too deeply");
	rs_buf_reset(&b);
	rs_buf_adds(&b, "%\n");
	for (int i = 0; i < 500; i++)
		rs_buf_adds(&b, "{% if 1 %}");
	T_OK(render_qs(b.data, "") == NULL);
	T_CONTAINS(out_err.msg, "nested too deeply");
	rs_buf_release(&b);
	T_OK(render_qs("%\n{{ 'x' * 100000000 }}", "") == NULL);
	T_OK(render_qs("%\n{% set x = [1] %}{% for i in range(100) %}{% set x = [x] %}{% end %}{{x == x}}", "") == NULL);
	T_CONTAINS(out_err.msg, "nested too deeply");
	T_OK(render_qs("%\n{% set s = 'ab' %}{% for i in range(40) %}{% set s = s + s %}{% end %}", "") == NULL);
	T_OK(render_qs("%\n{% for i in range(100000) %}{{'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' * 20}}{% end %}", "") == NULL);
}

int main(void)
{
	T_RUN(test_example_top_pages);
	T_RUN(test_example_hourly_kpis);
	T_RUN(test_example_revenue);
	T_RUN(test_params_parse);
	T_RUN(test_limits);
	T_RUN(test_fuzz);
	return T_DONE();
}
