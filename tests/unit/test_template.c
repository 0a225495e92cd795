/*
 * test_template.c - the templating engine: constructs, value rendering,
 * typed functions, helpers and Tinybird's error messages.
 * (Example pipes, query strings and the fuzz loop: test_template_fuzz.c.)
 */
#include "../../engine/template/template.h"
#include "t.h"

#include <errno.h>
#include <stdlib.h>

static char last_out[8192];
static struct rs_err last_err;

/* Render with a query string; returns the SQL or NULL (message in last_err). */
static const char *R(const char *sql, const char *qs)
{
	struct rs_tmpl_param *p = NULL;
	unsigned n = 0;
	struct rs_buf out = RS_BUF_INIT;
	int rc;

	rs_err_clear(&last_err);
	if (rs_tmpl_params_parse(qs, strlen(qs), &p, &n, &last_err))
		return NULL;
	rc = rs_tmpl_render(sql, strlen(sql), p, n, &out, &last_err);
	free(p);
	if (rc) {
		rs_buf_release(&out);
		return NULL;
	}
	snprintf(last_out, sizeof(last_out), "%s", out.data ? out.data : "");
	rs_buf_release(&out);
	return last_out;
}

/* Render expecting an error; returns its message. */
static const char *E(const char *sql, const char *qs)
{
	if (R(sql, qs))
		return "(no error)";
	return last_err.msg;
}

#define REQ_MSG(names) "Template Syntax Error: Required parameter is not defined. Check the parameters " \
	names ". Please provide a value or set a default value in the pipe code."

static void test_plain_sql_unchanged(void)
{
	T_EQ_STR(R("SELECT {{x}} FROM t WHERE a = '%'", "x=1"), "SELECT {{x}} FROM t WHERE a = '%'");
	T_EQ_STR(R("", ""), "");
	T_OK(!rs_tmpl_is_template("SELECT 1", 8));
	T_OK(rs_tmpl_is_template("%\nSELECT 1", 10));
	T_OK(rs_tmpl_is_template("\n   %  \nSELECT 1", 16));
	T_OK(!rs_tmpl_is_template("%x\nSELECT 1", 10));
}

static void test_header_dropped(void)
{
	T_EQ_STR(R("%\nSELECT 1", ""), "SELECT 1");
	T_EQ_STR(R("  %\r\nSELECT 1", ""), "SELECT 1");
	T_EQ_STR(R("%", ""), "");
	T_EQ_STR(R("%\nSELECT '{a}' {x", ""), "SELECT '{a}' {x");
}

static void test_bare_param_quoted(void)
{
	T_EQ_STR(R("%\nSELECT {{x}}", "x=abc"), "SELECT 'abc'");
	T_EQ_STR(R("%\nSELECT {{ x }}", "x=5"), "SELECT '5'");
	T_EQ_STR(E("%\nSELECT {{ x }}", ""), "expression \"x\" evaluated to null");
	T_EQ_STR(E("%\nSELECT {{ None }}", ""), "expression \"None\" evaluated to null");
}

static void test_escaping(void)
{
	T_EQ_STR(R("%\n{{String(x)}}", "x=it%27s"), "'it\\'s'");
	T_EQ_STR(R("%\n{{String(x)}}", "x=a%5Cb"), "'a\\\\b'");
	T_EQ_STR(R("%\n{{String(x)}}", "x=50%25"), "'50\\%'");
	T_EQ_STR(R("%\n{{String(x)}}", "x=%22q%22"), "'\\\"q\\\"'");
	T_EQ_STR(R("%\n{{String(x)}}", "x=a%60b"), "'a\\`b'");
	T_EQ_STR(R("%\n{{String(x)}}", "x=a%0Ab%09c%0Dd%08"), "'a\\nb\\tc\\rd\\b'");
	T_EQ_STR(R("%\n{{ 'it\\'s' }}", ""), "'it\\'s'");
	T_EQ_STR(R("%\n{{ sql_unescape(String(x), '%') }}", "x=50%25"), "'50%'");
	T_EQ_STR(R("%\n{{String(x)}}", "x='); DROP TABLE t; --"), "'\\'); DROP TABLE t; --'");
}

static void test_literals_and_numbers(void)
{
	T_EQ_STR(R("%\n{{ 1 + 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }}", ""), "3 3 -4 1 2");
	T_EQ_STR(R("%\n{{ 1 / 2 }} {{ 2.0 }} {{ 1e3 }} {{ 0.1 + 0.2 }}", ""), "0.5 2.0 1000.0 0.30000000000000004");
	T_EQ_STR(R("%\n{{ True }} {{ False }} {{ 0x10 }}", ""), "1 0 16");
	T_EQ_STR(R("%\n{{ [1, 'a', 2.5] }} {{ (1, 2) }}", ""), "[1,'a',2.5] (1,2)");
	T_EQ_STR(R("%\n{{ 'a' 'b' }} {{ \"x\" + 'y' }} {{ 'ab' * 2 }}", ""), "'ab' 'xy' 'abab'");
	T_EQ_STR(R("%\n{{ 'abc'[1] }} {{ 'abc'[-1] }} {{ 'abcd'[1:3] }} {{ [1,2,3][1:] }}", ""), "'b' 'c' 'bc' [2,3]");
	T_EQ_STR(R("%\n{{ 1 if x else 2 }} {{ 1 if y else 2 }}", "x=1"), "1 2");
	T_EQ_STR(R("%\n{{ {'a': 1}['a'] }}", ""), "1");
	T_EQ_STR(E("%\n{{ 1 / 0 }}", ""), "Template Syntax Error: division by zero");
	T_EQ_STR(E("%\n{{ 'a' + 1 }}", ""),
		 "Template Syntax Error: unsupported operand type(s) for +: 'str' and 'int'");
	T_EQ_STR(E("%\n{{ 9223372036854775807 + 1 }}", ""), "Template Syntax Error: integer overflow");
}

static void test_comparisons_and_logic(void)
{
	T_EQ_STR(R("%\n{% if x == 'true' %}yes{% else %}no{% end %}", "x=true"), "yes");
	T_EQ_STR(R("%\n{% if x == 'true' %}yes{% else %}no{% end %}", ""), "no");
	T_EQ_STR(R("%\n{% if x != '' %}set{% end %}", ""), "set");
	T_EQ_STR(R("%\n{% if x not in ['a', 'b'] %}other{% end %}", "x=c"), "other");
	T_EQ_STR(R("%\n{% if x in ['a', 'b'] %}ab{% end %}", "x=b"), "ab");
	T_EQ_STR(R("%\n{% if 'ell' in x %}in{% end %}", "x=hello"), "in");
	T_EQ_STR(R("%\n{% if x is None %}none{% end %}{% if y is not None %}y{% end %}", "y=1"), "noney");
	T_EQ_STR(R("%\n{% if 1 < 2 < 3 and not 3 < 2 or False %}ok{% end %}", ""), "ok");
	T_EQ_STR(R("%\n{{ x or 'dflt' }} {{ y and 'yes' }}", "y=1"), "'dflt' 'yes'");
	T_EQ_STR(R("%\n{% if service != [''] %}arr{% end %}", ""), "arr");
	T_EQ_STR(R("%\n{% if Int32(n, 0) > 5 %}big{% else %}small{% end %}", "n=7"), "big");
	T_EQ_STR(E("%\n{% if 'a' < 1 %}{% end %}", ""),
		 "Template Syntax Error: '<' not supported between instances of 'str' and 'int'");
}

static void test_if_elif_else(void)
{
	const char *t = "%\n{% if x == '1' %}one{% elif x == '2' %}two{% elif defined(x) %}other{% else %}none{% end %}";

	T_EQ_STR(R(t, "x=1"), "one");
	T_EQ_STR(R(t, "x=2"), "two");
	T_EQ_STR(R(t, "x=3"), "other");
	T_EQ_STR(R(t, ""), "none");
}

static void test_defined(void)
{
	T_EQ_STR(R("%\n{% if defined(x) %}D{% end %}", "x="), "D");
	T_EQ_STR(R("%\n{% if defined(x) %}D{% end %}", "y=1"), "");
	T_EQ_STR(R("%\n{% if not defined(x) %}N{% end %}", ""), "N");
	T_EQ_STR(R("%\n{% set x = 1 %}{% if defined(x) %}D{% end %}", ""), "D");
}

static void test_for_loops(void)
{
	T_EQ_STR(R("%\n{% for v in Array(x, 'String') %}[{{v}}]{% end %}", "x=a,b"), "['a']['b']");
	T_EQ_STR(R("%\n{% for i in range(3) %}{{i}}{% end %}", ""), "012");
	T_EQ_STR(R("%\n{% for i in [] %}x{% else %}empty{% end %}", ""), "empty");
	T_EQ_STR(R("%\n{% for i in range(5) %}{% if i == 3 %}{% break %}{% end %}{{i}}{% end %}", ""), "012");
	T_EQ_STR(R("%\n{% for i in range(4) %}{% if i % 2 %}{% continue %}{% end %}{{i}}{% end %}", ""), "02");
	T_EQ_STR(R("%\n{% for a, b in [(1, 'x'), (2, 'y')] %}{{a}}{{b}}{% end %}", ""), "1'x'2'y'");
	T_EQ_STR(R("%\n{% for last, c in enumerate_with_last(split_to_array(x)) %}{{symbol(c)}}{% if not last %},{% end %}{% end %}",
		   "x=a, b,c"), "`a`,`b`,`c`");
	T_EQ_STR(R("%\n{% for i, v in enumerate(['a','b']) %}{{i}}{{v}}{% end %}", ""), "0'a'1'b'");
	T_EQ_STR(E("%\n{% for i in range(1000000000) %}{% end %}", ""),
		 "Template Syntax Error: range too large (limit 100000)");
	T_EQ_STR(E("%\n{% for i in range(100000) %}{% for j in range(100000) %}{% end %}{% end %}", ""),
		 "Template Syntax Error: too many loop iterations (limit 100000)");
	T_EQ_STR(E("%\n{% for a, b in [1] %}{% end %}", ""),
		 "Template Syntax Error: cannot unpack non-iterable int object");
	T_EQ_STR(E("%\n{% for a in 5 %}{% end %}", ""), "Template Syntax Error: 'int' object is not iterable");
}

static void test_set(void)
{
	T_EQ_STR(R("%\n{% set n = Int32(limit, 10) %}LIMIT {{n}}", ""), "LIMIT toInt32('10')");
	T_EQ_STR(R("%\n{% set n = Int32(limit, 10) %}LIMIT {{n}}", "limit=3"), "LIMIT toInt32('3')");
	T_EQ_STR(R("%\n{% set a, b = 1, 2 %}{{a + b}}", ""), "3");
	T_EQ_STR(R("%\n{% set x = 'local' %}{{x}}", "x=param"), "'local'");
	T_EQ_STR(R("%\n{% set _single_day = day_diff(d0, d1) == 0 %}{% if _single_day %}one{% else %}many{% end %}",
		   "d0=2024-01-01&d1=2024-01-01"), "one");
}

static void test_nested_blocks(void)
{
	const char *t = "%\nSELECT 1\n"
			"{% if defined(a) %}\n"
			"  {% for v in Array(a, 'Int32') %}\n"
			"    {% if v > 1 %}{% set last = v %}{{v}}{% else %}-{% end %}\n"
			"  {% end %}\n"
			"  LAST {{last}}\n"
			"{% end %}";

	T_EQ_STR(R(t, "a=1,2,3"), "SELECT 1\n\n  \n    -\n  \n    2\n  \n    3\n  \n  LAST 3\n");
	T_EQ_STR(R(t, ""), "SELECT 1\n");
}

static void test_typed_ints(void)
{
	T_EQ_STR(R("%\n{{Int8(x)}} {{Int16(x)}} {{Int32(x)}} {{Int64(x)}}", "x=5"),
		 "toInt8('5') toInt16('5') toInt32('5') toInt64('5')");
	T_EQ_STR(R("%\n{{UInt8(x)}} {{UInt256(x)}} {{Int128(x)}}", "x=007"), "toUInt8('7') toUInt256('7') toInt128('7')");
	T_EQ_STR(R("%\n{{Int(x)}} {{Integer(x)}}", "x=-12"), "-12 -12");
	T_EQ_STR(R("%\n{{Int8(x)}}", "x=-128"), "toInt8('-128')");
	T_EQ_STR(E("%\n{{Int8(x)}}", "x=128"), "Template Syntax Error: Error validating '128' to type Int8");
	T_EQ_STR(E("%\n{{Int8(x)}}", "x=-129"), "Template Syntax Error: Error validating '-129' to type Int8");
	T_EQ_STR(E("%\n{{UInt8(x)}}", "x=-1"), "Template Syntax Error: Error validating '-1' to type UInt8");
	T_EQ_STR(E("%\n{{Int32(x)}}", "x=abc"), "Template Syntax Error: Error validating 'abc' to type Int32");
	T_EQ_STR(E("%\n{{Int32(x)}}", "x=1.5"), "Template Syntax Error: Error validating '1.5' to type Int32");
	T_EQ_STR(E("%\n{{Int64(x)}}", "x=9223372036854775808"),
		 "Template Syntax Error: Error validating '9223372036854775808' to type Int64");
	T_EQ_STR(R("%\n{{UInt64(x)}}", "x=18446744073709551615"), "toUInt64('18446744073709551615')");
	T_EQ_STR(R("%\n{{Int256(x)}}",
		   "x=-57896044618658097711785492504343953926634992332820282019728792003956564819968"),
		 "toInt256('-57896044618658097711785492504343953926634992332820282019728792003956564819968')");
	T_EQ_STR(E("%\n{{Int(x)}}", "x=3000000000"), "Template Syntax Error: Error validating '3000000000' to type Int");
	T_EQ_STR(R("%\nLIMIT {{Int32(page, 0) * Int32(limit, 20)}}, {{Int32(limit, 20)}}", "page=2"),
		 "LIMIT 40, toInt32('20')");
}

static void test_typed_others(void)
{
	T_EQ_STR(R("%\n{{Float32(x)}} {{Float64(x, 1.5)}}", "x=2.25"), "toFloat32('2.25') toFloat64('2.25')");
	T_EQ_STR(R("%\n{{Float64(x, 1.5)}}", ""), "toFloat64('1.5')");
	T_EQ_STR(E("%\n{{Float64(x)}}", "x=1.5x"), "Template Syntax Error: Error validating '1.5x' to type Float64");
	T_EQ_STR(R("%\n{{Date(x)}}", "x=2024-01-31"), "'2024-01-31'");
	T_EQ_STR(E("%\n{{Date(x)}}", "x=2024-02-30"), "Template Syntax Error: Error validating '2024-02-30' to type Date");
	T_EQ_STR(E("%\n{{Date(x)}}", "x=yesterday"), "Template Syntax Error: Error validating 'yesterday' to type Date");
	T_EQ_STR(R("%\n{{DateTime(x)}}", "x=2024-01-01+10:20:30"), "'2024-01-01 10:20:30'");
	T_EQ_STR(R("%\n{{DateTime(x)}}", "x=2024-01-01"), "'2024-01-01'");
	T_EQ_STR(E("%\n{{DateTime(x)}}", "x=2024-01-01+25:00:00"),
		 "Template Syntax Error: Error validating '2024-01-01 25:00:00' to type DateTime");
	T_EQ_STR(R("%\n{{DateTime64(x)}}", "x=2024-01-01+00:00:00.123"), "'2024-01-01 00:00:00.123'");
	T_EQ_STR(R("%\n{{Boolean(a)}}{{Boolean(b)}}{{Boolean(c)}}{{Boolean(d)}}", "a=true&b=False&c=1&d=0"), "1010");
	T_EQ_STR(E("%\n{{Boolean(a)}}", "a=maybe"), "Template Syntax Error: Error validating 'maybe' to type Boolean");
	T_EQ_STR(R("%\n{{String(x, 'dflt')}} {{String(y, default='d2')}}", ""), "'dflt' 'd2'");
	T_EQ_STR(R("%\n{{String(x, 'dflt', description='a thing', required=False, example='e')}}", "x=v"), "'v'");
	T_EQ_STR(R("%\n{{String(x, enum=['a', 'b'])}}", "x=a"), "'a'");
	T_EQ_STR(E("%\n{{String(x, enum=['a', 'b'])}}", "x=c"), "Template Syntax Error: Error validating 'c' to type String");
	T_EQ_STR(R("%\n{{JSON(j)['a'][1]}}", "j={\"a\":[1,2]}"), "2");
	T_EQ_STR(R("%\n{% for k, v in JSON(j, '{}').items() %}{{k}}={{v}};{% end %}", "j={\"x\":1,\"y\":\"s\"}"),
		 "'x'=1;'y'='s';");
	T_EQ_STR(E("%\n{{JSON(j)}}", "j={bad"), "Template Syntax Error: Error validating '{bad' to type JSON");
}

static void test_arrays(void)
{
	T_EQ_STR(R("%\n{{Array(x, 'Int32')}}", "x=1,2,3"), "[1,2,3]");
	T_EQ_STR(R("%\n{{Array(x)}} {{Array(x, 'String')}}", "x=a,b"), "['a','b'] ['a','b']");
	T_EQ_STR(R("%\n{{Array(x, 'Int32', default='1,2')}}", ""), "[1,2]");
	T_EQ_STR(R("%\n{{Array(x, 'String', default=['a'])}}", ""), "['a']");
	T_EQ_STR(R("%\n{{Array(x, 'Int32')}}", "x=1&x=2&x=3"), "[1,2,3]");
	T_EQ_STR(R("%\n{{Array(x, 'String')}}", "x=a,b&x=c"), "['a,b','c']");
	T_EQ_STR(R("%\n{{Array(x, 'Float64')}} {{Array(y, 'Date')}}", "x=1.5,2&y=2024-01-01"), "[1.5,2.0] ['2024-01-01']");
	T_EQ_STR(R("%\n{{Array(x, 'String')}}", "x=it%27s"), "['it\\'s']");
	T_EQ_STR(E("%\n{{Array(x, 'Int32')}}", "x=1,a"), "Template Syntax Error: Error validating 'a' to type Int32");
	T_EQ_STR(E("%\n{{Array(x, 'Nope')}}", "x=1"), "Template Syntax Error: Array type 'Nope' is not supported");
	T_EQ_STR(R("%\nIN {{Array(x)}} n={{len(Array(x))}}", "x=a,b,c"), "IN ['a','b','c'] n=3");
	T_EQ_STR(R("%\n{{ split_to_array(x, '') }}", "x=a|b+|c"), "['a|b |c']");
	T_EQ_STR(R("%\n{{ split_to_array(String(x, ''), separator='|') }}", "x=a|b+|c"), "['a','b','c']");
	T_EQ_STR(R("%\n{{ split_to_array(x, 'amount') }}", ""), "['amount']");
	T_EQ_STR(R("%\n{{ split_to_array(x) }}", ""), "['']");
}

static void test_columns_and_symbols(void)
{
	T_EQ_STR(R("%\nSELECT {{column(c, 'level')}}", ""), "SELECT `level`");
	T_EQ_STR(R("%\nSELECT {{column(c, 'level')}}", "c=service"), "SELECT `service`");
	T_EQ_STR(R("%\nSELECT {{column(c)}}", "c=a.b"), "SELECT `a`.`b`");
	T_EQ_STR(R("%\nSELECT {{column(c)}}", "c=x%60y"), "SELECT `x\\`y`");
	T_EQ_STR(R("%\n{% set var_1 = 'name' %}{{column(var_1)}}", ""), "`name`");
	T_EQ_STR(R("%\nSELECT {{columns(c, 'a,b')}}", ""), "SELECT `a`,`b`");
	T_EQ_STR(R("%\nSELECT {{columns(c)}}", "c=x,+y"), "SELECT `x`,`y`");
	T_EQ_STR(R("%\n{{symbol(s)}} {{Symbol(s)}} {{Column(s)}}", "s=k"), "`k` `k` `k`");
	T_EQ_STR(R("%\nFROM {{table(t)}}", "t=events_mv"), "FROM events_mv");
	T_EQ_STR(E("%\nFROM {{table(t)}}", "t=a;b"), "Template Syntax Error: Error validating 'a;b' to type table");
	T_EQ_STR(E("%\nSELECT {{column(c)}}", ""), REQ_MSG("c"));
}

static void test_sql_and(void)
{
	T_EQ_STR(R("%\nWHERE {{sql_and(a__in=Array(x), b__gt=Int32(n, 5), c=String(s, None, defined=False))}}",
		   "x=p,q"), "WHERE a IN ['p','q'] and b > toInt32('5')");
	T_EQ_STR(R("%\nWHERE {{sql_and(a=String(s, None, defined=False))}}", ""), "WHERE 1");
	T_EQ_STR(R("%\nWHERE {{sql_and(a__not_in=[1, 2], b__lte=3, c__gte=1, d__lt=0)}}", ""),
		 "WHERE a NOT IN [1,2] and b <= 3 and c >= 1 and d < 0");
}

static void test_helpers(void)
{
	T_EQ_STR(R("%\n{{ day_diff(a, b) }}", "a=2024-01-01&b=2024-01-31"), "30");
	T_EQ_STR(R("%\n{{ date_diff_in_days(a, b) }}", "a=2024-01-01+00:00:00&b=2024-01-03+12:00:00"), "2");
	T_EQ_STR(R("%\n{{ date_diff_in_hours(a, b) }}", "a=2024-01-01+00:00:00&b=2024-01-01+10:30:00"), "10");
	T_EQ_STR(R("%\n{{ date_diff_in_minutes(a, b) }}", "a=2024-01-01&b=2024-01-01+01:00:00"), "60");
	T_EQ_STR(R("%\n{{ date_diff_in_seconds('2022-12-19T18:42:23.521Z', '2022-12-19T18:42:24.531Z', "
		   "date_format='%Y-%m-%dT%H:%M:%S.%fZ') }}", ""), "1");
	T_EQ_STR(R("%\n{{ date_diff_in_hours(a, b, none_if_error=True) is None }}", "a=x&b=y"), "1");
	T_EQ_STR(E("%\n{{ date_diff_in_hours(a, b) }}", "a=x&b=2024-01-01"),
		 "Template Syntax Error: date_diff_in_hours: invalid date 'x'");
	T_EQ_STR(R("%\nSELECT 1{{max_threads(2)}}{{cache_ttl('5m')}}{{activate('analyzer')}}{{backend_hint('x')}}", ""),
		 "SELECT 1");
	T_EQ_STR(R("%\n{{ len('abc') }} {{ sum([1, 2, 3]) }} {{ str(5) }} {{ int('7') + 1 }} {{ float('1.5') }}", ""),
		 "3 6 '5' 8 1.5");
	T_EQ_STR(R("%\n{{ min(3, 1, 2) }} {{ max([1, 5]) }} {{ abs(-2) }} {{ round(2.6) }}", ""), "1 5 2 3");
	T_EQ_STR(R("%\n{{ ', '.join(['a', 'b']) }} {{ 'A,b'.lower().split(',') }} {{ ' x '.strip() }}", ""),
		 "'a, b' ['a','b'] 'x'");
	T_EQ_STR(R("%\n{{ 'abc'.replace('b', 'X') }} {{ 'abc'.startswith('ab') }} {{ {'a': 1}.get('b', 2) }}", ""),
		 "'aXc' 1 2");
	T_EQ_STR(R("%\n{{ tb_secret('s', 'dflt') }}", ""), "'dflt'");
	T_EQ_STR(E("%\n{{ tb_secret('db_password') }}", ""), "Cannot access secret 'db_password'");
	T_EQ_STR(E("%\n{{ tb_var('v') }}", ""), "Cannot access secret 'v'");
	T_EQ_STR(E("%\n{{ nosuch(1) }}", ""), "Template Syntax Error: name 'nosuch' is not defined");
	T_EQ_STR(E("%\n{{ 'a'.upper2() }}", ""), "Template Syntax Error: 'str' object has no attribute 'upper2'");
}

static void test_missing_required(void)
{
	T_EQ_STR(E("%\nSELECT {{Int32(x)}}", ""), REQ_MSG("x"));
	T_EQ_STR(E("%\nSELECT {{Int32(x)}}, {{String(y)}}", ""), REQ_MSG("x and y"));
	T_EQ_STR(E("%\n{{DateTime(a)}} {{Date(b)}} {{Array(c)}} {{Float64(a)}}", ""), REQ_MSG("a, b and c"));
	/* the missing parameter wins over a later error */
	T_EQ_STR(E("%\n{{String(x)}} {{error('later')}}", ""), REQ_MSG("x"));
	/* defined=False: no error, None */
	T_EQ_STR(R("%\n{% if String(x, defined=False) is None %}n{% end %}", ""), "n");
	T_EQ_STR(R("%\n{% if defined(x) %}{{Int32(x)}}{% end %}", ""), "");
	T_EQ_STR(R("%\n{{String(x, required=True)}}", "x=v"), "'v'");
	T_EQ_STR(E("%\n{{String(x, required=True)}}", ""), REQ_MSG("x"));
}

static void test_error_functions(void)
{
	struct rs_tmpl_opts o = { 0 };
	struct rs_buf out = RS_BUF_INIT;
	struct rs_err err = { 0 };
	const char *t = "%\n{% if not defined(column_name) %}{{ error('column_name (String) query param is required', 403) }}{% end %}";

	T_EQ_STR(E(t, ""), "column_name (String) query param is required");
	T_EQ_STR(R(t, "column_name=level"), "");
	T_EQ_INT(rs_tmpl_render_ex(t, strlen(t), NULL, 0, &out, &o, &err), -EINVAL);
	T_EQ_INT(o.http_status, 403);
	rs_buf_release(&out);
	T_EQ_STR(E("%\n{{ custom_error({'error': 'Bad input', 'code': 'E1'}) }}", ""), "Bad input");
	T_EQ_STR(E("%\n{{ custom_error({'msg': 'x', 'n': 1}) }}", ""), "{\"msg\": \"x\", \"n\": 1}");
	/* analysis mode: error() is a no-op, missing values become placeholders */
	o.flags = RS_TMPL_ANALYSIS;
	const char *a = "%\n{{error('x')}}{{String(s)}} {{Int32(i)}} {{Date(d)}} {{DateTime(t)}} {{Array(a, 'Int32')}}";
	T_EQ_INT(rs_tmpl_render_ex(a, strlen(a), NULL, 0, &out, &o, &err), 0);
	T_EQ_STR(out.data, "'__no_value__' toInt32('0') '2019-01-01' '2019-01-01 00:00:00' [0,0]");
	rs_buf_release(&out);
}

static void test_syntax_errors(void)
{
	T_EQ_STR(E("%\nSELECT 1\n{% if defined(x) %}\nAND 1", ""), "Missing {% end %} block for if at line 3");
	T_EQ_INT(last_err.line, 3);
	T_EQ_STR(E("%\n{% for x in [1] %}", ""), "Missing {% end %} block for for at line 2");
	T_EQ_STR(E("%\nSELECT 1 {% end %}", ""), "Extra {% end %} block at line 2");
	T_EQ_STR(E("%\n{% else %}", ""), "'else' outside 'if' block at line 2");
	T_EQ_STR(E("%\n{% import os %}", ""), "import is forbidden");
	T_EQ_STR(E("%\n{% from os import path %}", ""), "import is forbidden");
	T_EQ_STR(E("%\n{{ __import__('os') }}", ""), "import is forbidden");
	T_EQ_STR(E("%\n{{ 2 ** 10 }}", ""), "Syntax error: ** is forbidden at line 2");
	T_EQ_STR(E("%\n{% while 1 %}{% end %}", ""), "unknown operator: 'while' at line 2");
	T_EQ_STR(E("%\n\n{{ 1 + }}", ""), "Syntax error: unexpected end of expression at line 3");
	T_EQ_STR(E("%\n{{ }}", ""), "Empty expression at line 2");
	T_EQ_STR(E("%\n{{ x", ""), "Missing end expression }} at line 2");
	T_EQ_STR(E("%\n{% if x", ""), "Missing end block %} at line 2");
	T_EQ_STR(E("%\n{{ 'abc }}", ""), "Syntax error: unterminated string at line 2");
	T_EQ_STR(E("%\n{{ x.__class__ }}", ""), "Syntax error: private attributes are forbidden at line 2");
	T_EQ_STR(E("%\n{{ lambda: 1 }}", ""), "Syntax error: lambda is forbidden at line 2");
	T_EQ_STR(E("%\n{% break %}", ""), "Syntax error: 'break' outside loop");
	T_EQ_INT(rs_tmpl_validate("%\nSELECT {% if 1 %}", 18, &last_err), -EINVAL);
	T_EQ_INT(rs_tmpl_validate("%\nSELECT {{Int32(x)}}", 21, NULL), 0);
}

static void test_comments_and_escapes(void)
{
	T_EQ_STR(R("%\nSELECT {# a comment #}1", ""), "SELECT 1");
	T_EQ_STR(R("%\nSELECT '{{!x}}'", ""), "SELECT '{{x}}'");
	T_EQ_STR(R("%\n{% comment hello %}x", ""), "x");
}

static void test_reserved_names(void)
{
	T_EQ_STR(E("%\n{{String(format)}}", ""),
		 "Template Syntax Error: 'format' is a reserved parameter name and cannot be used in a pipe. Please use a different name");
	T_EQ_STR(E("%\n{% if defined(q) %}{% end %}", ""),
		 "Template Syntax Error: 'q' is a reserved parameter name and cannot be used in a pipe. Please use a different name");
	/* a local variable of that name is fine, and so is q in the request */
	T_EQ_STR(R("%\n{% set q = 1 %}{{q}}", ""), "1");
	T_EQ_STR(R("%\n{{String(x)}}", "x=1&q=SELECT+1&format=json"), "'1'");
}

static void test_params_list(void)
{
	struct rs_tmpl_param_info *pi;
	unsigned n;
	const char *t = "%\n{% if defined(device) %}{{String(device, description='Device')}}{% end %}"
			"{{Int32(limit, 10, required=True)}} {{Array(ids, 'Int32', default='1,2')}}"
			"{% set v = 1 %}{{v}}{% if flag == 'true' %}{% end %}";

	T_EQ_INT(rs_tmpl_params_list(t, strlen(t), &pi, &n, NULL), 0);
	T_EQ_INT(n, 4);
	if (n == 4) {
		T_EQ_STR(pi[0].name, "device");
		T_EQ_STR(pi[0].type, "String");
		T_EQ_STR(pi[0].description, "Device");
		T_OK(pi[0].default_value == NULL);
		T_EQ_STR(pi[1].name, "limit");
		T_EQ_STR(pi[1].type, "Int32");
		T_EQ_STR(pi[1].default_value, "10");
		T_EQ_INT(pi[1].required, 1);
		T_EQ_STR(pi[2].type, "Array(Int32)");
		T_EQ_STR(pi[2].default_value, "1,2");
		T_EQ_STR(pi[3].name, "flag");
	}
	free(pi);
	T_EQ_INT(rs_tmpl_params_list("SELECT 1", 8, &pi, &n, NULL), 0);
	T_EQ_INT(n, 0);
	free(pi);
}

int main(void)
{
	T_RUN(test_plain_sql_unchanged);
	T_RUN(test_header_dropped);
	T_RUN(test_bare_param_quoted);
	T_RUN(test_escaping);
	T_RUN(test_literals_and_numbers);
	T_RUN(test_comparisons_and_logic);
	T_RUN(test_if_elif_else);
	T_RUN(test_defined);
	T_RUN(test_for_loops);
	T_RUN(test_set);
	T_RUN(test_nested_blocks);
	T_RUN(test_typed_ints);
	T_RUN(test_typed_others);
	T_RUN(test_arrays);
	T_RUN(test_columns_and_symbols);
	T_RUN(test_sql_and);
	T_RUN(test_helpers);
	T_RUN(test_missing_required);
	T_RUN(test_error_functions);
	T_RUN(test_syntax_errors);
	T_RUN(test_comments_and_escapes);
	T_RUN(test_reserved_names);
	T_RUN(test_params_list);
	return T_DONE();
}
