/*
 * test_types.c - engine/types: type parsing and naming, value parsing and
 * rendering in the four styles, comparison. Dates and times are in
 * test_types_time.c.
 */
#include "t_types.h"

/* ------------------------------------------------------------------------ */

static void test_type_names(void)
{
	static const char *const same[] = {
		"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
		"Float32", "Float64", "Bool", "String", "Date", "Date32", "DateTime", "UUID",
		"Decimal(10, 2)", "DateTime64(3)", "DateTime('UTC')", "DateTime64(3, 'UTC')",
		"Nullable(String)", "LowCardinality(Nullable(String))", "LowCardinality(String)",
		"Array(Nullable(Int32))", "Array(Array(String))", "Array(LowCardinality(String))",
		"AggregateFunction(uniq, String)", "FixedString(4)", "Nullable(Nothing)",
		"AggregateFunction(quantiles(0.5, 0.9), Float64)",
		"SimpleAggregateFunction(sum, UInt64)", "DateTime('Europe/Madrid')",
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		T_EQ_STR(tname(same[i]), same[i]);

	T_EQ_STR(tname("  Decimal(10,2) "), "Decimal(10, 2)");
	T_EQ_STR(tname("Decimal32(3)"), "Decimal(9, 3)");
	T_EQ_STR(tname("Decimal64(4)"), "Decimal(18, 4)");
	T_EQ_STR(tname("Decimal128(5)"), "Decimal(38, 5)");
	T_EQ_STR(tname("Decimal(5)"), "Decimal(5, 0)");
	T_EQ_STR(tname("Boolean"), "Bool");
	T_EQ_STR(tname("DateTime64(6,'UTC')"), "DateTime64(6, 'UTC')");
	T_EQ_STR(tname("AggregateFunction(uniq,Nullable( String ))"),
		 "AggregateFunction(uniq, Nullable(String))");
	T_EQ_STR(tname("SimpleAggregateFunction(max,LowCardinality(String))"),
		 "SimpleAggregateFunction(max, LowCardinality(String))");

	T_EQ_STR(tname("Int33"), "ERR: unknown type 'Int33'");
	T_EQ_STR(tname("int32"), "ERR: unknown type 'int32'");
	T_EQ_STR(tname("Nullable(Int33)"), "ERR: unknown type 'Int33'");
	T_EQ_STR(tname("String("), "ERR: unknown type 'String('");
	T_EQ_STR(tname(""), "ERR: empty type");
	T_EQ_STR(tname("Map(String, String)"), "ERR: type 'Map(String, String)' is not supported");
	T_EQ_STR(tname("Tuple(a Int8)"), "ERR: type 'Tuple(a Int8)' is not supported");
	T_EQ_STR(tname("JSON"), "ERR: type 'JSON' is not supported");
	T_EQ_STR(tname("Enum8('a' = 1)"), "ERR: type 'Enum8('a' = 1)' is not supported");
	T_EQ_STR(tname("IPv4"), "ERR: type 'IPv4' is not supported");
	T_EQ_STR(tname("Int128"), "ERR: type 'Int128' is not supported");
	T_EQ_STR(tname("UInt256"), "ERR: type 'UInt256' is not supported");
	T_EQ_STR(tname("Decimal(40, 2)"), "ERR: type 'Decimal(40, 2)' is not supported");
	T_EQ_STR(tname("Nullable(Array(Int32))"),
		 "ERR: type 'Nullable(Array(Int32))' is not allowed");
	T_EQ_STR(tname("Nullable(Nullable(Int8))"),
		 "ERR: type 'Nullable(Nullable(Int8))' is not allowed");
	T_EQ_STR(tname("Nullable(LowCardinality(String))"),
		 "ERR: type 'Nullable(LowCardinality(String))' is not allowed");
	T_EQ_STR(tname("LowCardinality(Array(String))"),
		 "ERR: type 'LowCardinality(Array(String))' is not allowed");
	T_EQ_STR(tname("Decimal(5, 6)"), "ERR: scale of 'Decimal(5, 6)' exceeds its precision");
	T_EQ_STR(tname("Decimal(0, 0)"), "ERR: precision of 'Decimal(0, 0)' must be 1..38");
	T_EQ_STR(tname("DateTime64(10)"), "ERR: precision of 'DateTime64(10)' must be 0..9");
	T_EQ_STR(tname("DateTime64"), "ERR: invalid type 'DateTime64'");
	T_EQ_STR(tname("DateTime('Mars/Base')"), "ERR: unknown time zone 'Mars/Base'");
	T_EQ_STR(tname("FixedString(0)"), "ERR: invalid type 'FixedString(0)'");
	T_EQ_STR(tname("Array()"), "ERR: invalid type 'Array()'");
	T_EQ_STR(tname("Array(Int8, Int8)"), "ERR: invalid type 'Array(Int8, Int8)'");
	T_EQ_STR(tname("Array(SimpleAggregateFunction(sum, UInt64))"),
		 "ERR: type 'SimpleAggregateFunction(sum, UInt64)' is not allowed");
}

static void test_type_layout(void)
{
	static const struct { const char *t; size_t w; int phys, nullable, isint, sgn; } cases[] = {
		{ "Int8", 1, RS_PHYS_FIXED, 0, 1, 1 },
		{ "UInt8", 1, RS_PHYS_FIXED, 0, 1, 0 },
		{ "Bool", 1, RS_PHYS_FIXED, 0, 1, 0 },
		{ "Int16", 2, RS_PHYS_FIXED, 0, 1, 1 },
		{ "Date", 2, RS_PHYS_FIXED, 0, 0, 0 },
		{ "UInt32", 4, RS_PHYS_FIXED, 0, 1, 0 },
		{ "Float32", 4, RS_PHYS_FIXED, 0, 0, 1 },
		{ "Date32", 4, RS_PHYS_FIXED, 0, 0, 1 },
		{ "DateTime", 4, RS_PHYS_FIXED, 0, 0, 0 },
		{ "Int64", 8, RS_PHYS_FIXED, 0, 1, 1 },
		{ "Float64", 8, RS_PHYS_FIXED, 0, 0, 1 },
		{ "DateTime64(3)", 8, RS_PHYS_FIXED, 0, 0, 1 },
		{ "UUID", 16, RS_PHYS_FIXED, 0, 0, 0 },
		{ "FixedString(5)", 5, RS_PHYS_FIXED, 0, 0, 0 },
		{ "Decimal(9, 2)", 4, RS_PHYS_FIXED, 0, 0, 1 },
		{ "Decimal(18, 2)", 8, RS_PHYS_FIXED, 0, 0, 1 },
		{ "Decimal(19, 2)", 16, RS_PHYS_FIXED, 0, 0, 1 },
		{ "Nullable(Int32)", 4, RS_PHYS_FIXED, 1, 1, 1 },
		{ "LowCardinality(Nullable(String))", 0, RS_PHYS_STRING, 1, 0, 0 },
		{ "LowCardinality(UInt16)", 2, RS_PHYS_FIXED, 0, 1, 0 },
		{ "String", 0, RS_PHYS_STRING, 0, 0, 0 },
		{ "AggregateFunction(sum, UInt64)", 0, RS_PHYS_STRING, 0, 0, 0 },
		{ "Array(Int32)", 0, RS_PHYS_ARRAY, 0, 0, 0 },
		{ "SimpleAggregateFunction(sum, UInt64)", 8, RS_PHYS_FIXED, 0, 1, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rs_type *t, *c;

		T_EQ_INT(rs_type_parse(cases[i].t, &t, NULL), 0);
		T_EQ_INT(rs_type_width(t), cases[i].w);
		T_EQ_INT(rs_type_phys(t), cases[i].phys);
		T_EQ_INT(rs_type_is_nullable(t), cases[i].nullable);
		T_EQ_INT(rs_type_is_int(t), cases[i].isint);
		T_EQ_INT(rs_type_is_signed(t), cases[i].sgn);
		c = rs_type_clone(t);
		T_OK(rs_type_equal(t, c));
		rs_type_free(c);
		rs_type_free(t);
	}

	struct rs_type *a, *b, *n;
	rs_type_parse("SimpleAggregateFunction(sum, UInt64)", &a, NULL);
	T_EQ_INT(a->id, RS_T_UINT64);
	T_EQ_INT(a->simple_agg, 1);
	T_EQ_STR(a->text, "sum");
	rs_type_parse("UInt64", &b, NULL);
	T_OK(!rs_type_equal(a, b));
	rs_type_free(a);
	rs_type_parse("LowCardinality(Nullable(String))", &a, NULL);
	T_EQ_INT(rs_type_base(a)->id, RS_T_STRING);
	rs_type_free(a);
	rs_type_parse("DateTime64(3, 'UTC')", &a, NULL);
	rs_type_parse("DateTime64(3)", &n, NULL);
	T_OK(!rs_type_equal(a, n));
	T_EQ_STR(a->tz, "UTC");
	T_EQ_INT(a->n, 3);
	rs_type_free(a);
	rs_type_free(n);
	rs_type_free(b);
	a = rs_type_new(RS_T_STRING);
	T_EQ_INT(rs_type_phys(a), RS_PHYS_STRING);
	rs_type_free(a);
	rs_type_free(NULL);
}

static void test_ints(void)
{
	T_EQ_STR(rt("Int8", "-128"), "-128");
	T_EQ_STR(rt("Int8", "127"), "127");
	T_EQ_STR(rt("Int8", "128"), "ERR");
	T_EQ_STR(rt("Int8", "-129"), "ERR");
	T_EQ_STR(rt("UInt8", "255"), "255");
	T_EQ_STR(rt("UInt8", "256"), "ERR");
	T_EQ_STR(rt("UInt8", "+7"), "7");
	T_EQ_STR(rt("UInt8", "007"), "7");
	T_EQ_STR(rt("UInt32", "-1"), "ERR");
	T_EQ_STR(rt("UInt32", "-0"), "0");
	T_EQ_STR(rt("UInt32", "4294967295"), "4294967295");
	T_EQ_STR(rt("UInt32", "4294967296"), "ERR");
	T_EQ_STR(rt("Int16", "-32768"), "-32768");
	T_EQ_STR(rt("Int16", "32768"), "ERR");
	T_EQ_STR(rt("UInt16", "65535"), "65535");
	T_EQ_STR(rt("Int32", "-2147483648"), "-2147483648");
	T_EQ_STR(rt("Int32", "2147483648"), "ERR");
	T_EQ_STR(rt("Int64", "-9223372036854775808"), "-9223372036854775808");
	T_EQ_STR(rt("Int64", "9223372036854775807"), "9223372036854775807");
	T_EQ_STR(rt("Int64", "9223372036854775808"), "ERR");
	T_EQ_STR(rt("UInt64", "18446744073709551615"), "18446744073709551615");
	T_EQ_STR(rt("UInt64", "18446744073709551616"), "ERR");
	T_EQ_STR(rt("UInt64", "99999999999999999999"), "ERR");
	T_EQ_STR(rt("Int32", ""), "ERR");
	T_EQ_STR(rt("Int32", "+"), "ERR");
	T_EQ_STR(rt("Int32", "-"), "ERR");
	T_EQ_STR(rt("Int32", "12a"), "ERR");
	T_EQ_STR(rt("Int32", " 12"), "ERR");
	T_EQ_STR(rt("Int32", "1.0"), "ERR");
	T_EQ_STR(rt("Int32", "1e3"), "ERR");
	T_EQ_STR(rt("Int32", "0x10"), "ERR");
	T_EQ_STR(rts("Int64", "-5", RS_RENDER_JSON), "-5");
	T_EQ_STR(rts("UInt64", "18446744073709551615", RS_RENDER_JSON), "18446744073709551615");
	T_EQ_STR(rts("Int32", "42", RS_RENDER_CSV), "42");
	T_EQ_STR(rt("LowCardinality(UInt16)", "500"), "500");
	T_EQ_STR(rt("SimpleAggregateFunction(sum, UInt64)", "12"), "12");
}

static void test_floats(void)
{
	T_EQ_STR(rt("Float64", "0.1"), "0.1");
	T_EQ_STR(rt("Float64", "1e20"), "100000000000000000000");
	T_EQ_STR(rt("Float64", "1e21"), "1e21");
	T_EQ_STR(rt("Float64", "1e-7"), "1e-7");
	T_EQ_STR(rt("Float64", "0.000001"), "0.000001");
	T_EQ_STR(rt("Float64", "0.0000015"), "0.0000015");
	T_EQ_STR(rt("Float64", "1.5e-10"), "1.5e-10");
	T_EQ_STR(rt("Float64", "1e100"), "1e100");
	T_EQ_STR(rt("Float64", "-1.25e300"), "-1.25e300");
	T_EQ_STR(rt("Float64", "5e-324"), "5e-324");
	T_EQ_STR(rt("Float64", "1.7976931348623157e308"), "1.7976931348623157e308");
	T_EQ_STR(rt("Float64", "-0"), "-0");
	T_EQ_STR(rt("Float64", "0"), "0");
	T_EQ_STR(rt("Float64", "nan"), "nan");
	T_EQ_STR(rt("Float64", "NaN"), "nan");
	T_EQ_STR(rt("Float64", "-nan"), "nan");
	T_EQ_STR(rt("Float64", "inf"), "inf");
	T_EQ_STR(rt("Float64", "-inf"), "-inf");
	T_EQ_STR(rt("Float64", "Infinity"), "inf");
	T_EQ_STR(rt("Float64", "+1.5"), "1.5");
	T_EQ_STR(rt("Float64", ".5"), "0.5");
	T_EQ_STR(rt("Float64", "5."), "5");
	T_EQ_STR(rt("Float64", "1e5"), "100000");
	T_EQ_STR(rt("Float64", "1E+5"), "100000");
	T_EQ_STR(rt("Float64", "-123.456"), "-123.456");
	T_EQ_STR(rt("Float64", "0.30000000000000004"), "0.30000000000000004");
	T_EQ_STR(rt("Float64", "0.3333333333333333"), "0.3333333333333333");
	T_EQ_STR(rt("Float64", "9007199254740993"), "9007199254740992");
	T_EQ_STR(rt("Float64", "1152921504606846976"), "1152921504606847000");
	T_EQ_STR(rt("Float64", "123456789012.345"), "123456789012.345");
	T_EQ_STR(rt("Float64", "1.0000000000000002e-6"), "0.0000010000000000000002");
	T_EQ_STR(rt("Float64", "6e-9"), "6e-9");
	T_EQ_STR(rt("Float64", ""), "ERR");
	T_EQ_STR(rt("Float64", "."), "ERR");
	T_EQ_STR(rt("Float64", "1x"), "ERR");
	T_EQ_STR(rt("Float64", "0x10"), "ERR");
	T_EQ_STR(rt("Float64", "e5"), "ERR");
	T_EQ_STR(rt("Float64", "1e"), "ERR");
	T_EQ_STR(rt("Float64", " 1"), "ERR");
	T_EQ_STR(rt("Float64", "nanx"), "ERR");

	T_EQ_STR(rt("Float32", "0.1"), "0.1");
	T_EQ_STR(rt("Float32", "1.1"), "1.1");
	T_EQ_STR(rt("Float32", "16777216"), "16777216");
	T_EQ_STR(rt("Float32", "3.4028235e38"), "3.4028235e38");
	T_EQ_STR(rt("Float32", "0.33333334"), "0.33333334");
	T_EQ_STR(rt("Float32", "-2.5"), "-2.5");
	T_EQ_STR(rt("Float32", "1e-7"), "1e-7");
	T_EQ_STR(rt("Float32", "nan"), "nan");

	T_EQ_STR(rts("Float64", "nan", RS_RENDER_JSON), "null");
	T_EQ_STR(rts("Float64", "-inf", RS_RENDER_JSON), "null");
	T_EQ_STR(rts("Float32", "inf", RS_RENDER_JSON), "null");
	T_EQ_STR(rts("Float64", "0.25", RS_RENDER_JSON), "0.25");
	T_EQ_STR(rts("Float64", "inf", RS_RENDER_CSV), "inf");
	T_EQ_STR(rts("Float64", "nan", RS_RENDER_TSV), "nan");
}

/* Reference shortest: fewest %.{p-1}e digits that read back. */
static int ref_digits(double x)
{
	char buf[64];

	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
		if (strtod(buf, NULL) == x)
			return p;
	}
	return 17;
}

static int sig_digits(const char *s)
{
	int n = 0, started = 0, trailing = 0;

	for (; *s && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s != '0')
			started = 1;
		if (!started)
			continue;
		n++;
		trailing = *s == '0' ? trailing + 1 : 0;
	}
	return n - trailing;
}

static double p10i(int k)
{
	double v = 1;

	while (k-- > 0)
		v *= 10;
	return v;
}

static void test_float_roundtrip(void)
{
	struct rs_type *t;
	struct rs_col c;
	struct rs_buf b = RS_BUF_INIT;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	int bad = 0;

	rs_type_parse("Float64", &t, NULL);
	rs_col_init(&c, t);
	for (int i = 0; i < 3000; i++) {
		double x;
		uint64_t bits;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		bits = seed;
		if (i % 3 == 0) {
			/* short decimals exercise the fast path */
			x = (double)(int64_t)(seed >> 40) / p10i(i % 9);
		} else {
			memcpy(&x, &bits, 8);
		}
		if (!isfinite(x))
			continue;
		rs_col_reset(&c);
		rs_col_push_fixed(&c, &x);
		rs_buf_reset(&b);
		rs_value_render(&c, 0, RS_RENDER_TEXT, &b);
		if (strtod(b.data, NULL) != x || (x != 0 && sig_digits(b.data) != ref_digits(x))) {
			if (bad++ < 5)
				fprintf(stderr, "float %.17g rendered as %s (want %d digits)\n",
					x, b.data, ref_digits(x));
		}
	}
	T_EQ_INT(bad, 0);
	rs_buf_release(&b);
	rs_col_release(&c);
	rs_type_free(t);
}

static void test_decimal(void)
{
	T_EQ_STR(rt("Decimal(10, 2)", "1.5"), "1.5");
	T_EQ_STR(rt("Decimal(10, 2)", "1.50"), "1.5");
	T_EQ_STR(rt("Decimal(10, 2)", "-0.05"), "-0.05");
	T_EQ_STR(rt("Decimal(10, 2)", "123.45"), "123.45");
	T_EQ_STR(rt("Decimal(10, 2)", "0"), "0");
	T_EQ_STR(rt("Decimal(10, 2)", "-0.001"), "0");
	T_EQ_STR(rt("Decimal(10, 2)", "1.239"), "1.23");
	T_EQ_STR(rt("Decimal(10, 2)", "100"), "100");
	T_EQ_STR(rt("Decimal(10, 2)", "+.5"), "0.5");
	T_EQ_STR(rt("Decimal(10, 2)", "12345678.99"), "12345678.99");
	T_EQ_STR(rt("Decimal(10, 2)", "123456789"), "ERR");
	T_EQ_STR(rt("Decimal(10, 2)", "1.2.3"), "ERR");
	T_EQ_STR(rt("Decimal(10, 2)", ""), "ERR");
	T_EQ_STR(rt("Decimal(10, 2)", "abc"), "ERR");
	T_EQ_STR(rt("Decimal(10, 2)", "1.5e2"), "150");
	T_EQ_STR(rt("Decimal(10, 2)", "15e-3"), "0.01");
	T_EQ_STR(rt("Decimal(9, 0)", "999999999"), "999999999");
	T_EQ_STR(rt("Decimal(9, 0)", "1000000000"), "ERR");
	T_EQ_STR(rt("Decimal(18, 6)", "-123456789012.123456"), "-123456789012.123456");
	T_EQ_STR(rt("Decimal(38, 4)", "1234567890123456789012345678901234.5678"),
		 "1234567890123456789012345678901234.5678");
	T_EQ_STR(rt("Decimal(38, 4)", "-9999999999999999999999999999999999.9999"),
		 "-9999999999999999999999999999999999.9999");
	T_EQ_STR(rt("Decimal(38, 4)", "99999999999999999999999999999999999"), "ERR");
	T_EQ_STR(rt("Decimal(38, 0)", "12345678901234567890123"), "12345678901234567890123");
	T_EQ_STR(rts("Decimal(10, 2)", "-1.5", RS_RENDER_JSON), "-1.5");
	T_EQ_STR(rts("Decimal(10, 2)", "-1.5", RS_RENDER_CSV), "-1.5");
}


static void test_uuid(void)
{
	T_EQ_STR(rt("UUID", "61f0c404-5cb3-11e7-907b-a6006ad3dba0"),
		 "61f0c404-5cb3-11e7-907b-a6006ad3dba0");
	T_EQ_STR(rt("UUID", "61F0C404-5CB3-11E7-907B-A6006AD3DBA0"),
		 "61f0c404-5cb3-11e7-907b-a6006ad3dba0");
	T_EQ_STR(rt("UUID", "61f0c4045cb311e7907ba6006ad3dba0"),
		 "61f0c404-5cb3-11e7-907b-a6006ad3dba0");
	T_EQ_STR(rt("UUID", "00000000-0000-0000-0000-000000000000"),
		 "00000000-0000-0000-0000-000000000000");
	T_EQ_STR(rt("UUID", "61f0c404-5cb3-11e7-907b-a6006ad3dba"), "ERR");
	T_EQ_STR(rt("UUID", "61f0c404_5cb3-11e7-907b-a6006ad3dba0"), "ERR");
	T_EQ_STR(rt("UUID", "g1f0c404-5cb3-11e7-907b-a6006ad3dba0"), "ERR");
	T_EQ_STR(rts("UUID", "61f0c404-5cb3-11e7-907b-a6006ad3dba0", RS_RENDER_CSV),
		 "\"61f0c404-5cb3-11e7-907b-a6006ad3dba0\"");
	T_EQ_STR(rts("UUID", "61f0c404-5cb3-11e7-907b-a6006ad3dba0", RS_RENDER_JSON),
		 "\"61f0c404-5cb3-11e7-907b-a6006ad3dba0\"");
}

static void test_fixedstring_bool(void)
{
	struct rs_type *t;
	struct rs_col c;

	rs_type_parse("FixedString(3)", &t, NULL);
	rs_col_init(&c, t);
	T_EQ_INT(rs_value_parse(&c, "ab", 2), 0);
	T_EQ_INT(rs_value_parse(&c, "abcd", 4), -EINVAL);
	T_EQ_INT(rs_value_parse(&c, "xyz", 3), 0);
	T_EQ_INT(c.n, 2);
	T_OK(!memcmp(rs_col_fixed(&c, 0), "ab\0", 3));
	T_OK(!memcmp(rs_col_fixed(&c, 1), "xyz", 3));
	rs_col_release(&c);
	rs_type_free(t);
	T_EQ_STR(rts("FixedString(3)", "ab", RS_RENDER_TSV), "ab\\0");
	T_EQ_STR(rts("FixedString(3)", "ab", RS_RENDER_JSON), "\"ab\\u0000\"");
	T_EQ_STR(rts("FixedString(3)", "a\"", RS_RENDER_CSV), "\"a\"\"");	/* NUL follows */
	T_EQ_STR(rts("Array(FixedString(2))", "['a']", RS_RENDER_TEXT), "['a\\0']");

	T_EQ_STR(rt("Bool", "true"), "true");
	T_EQ_STR(rt("Bool", "false"), "false");
	T_EQ_STR(rt("Bool", "1"), "true");
	T_EQ_STR(rt("Bool", "0"), "false");
	T_EQ_STR(rt("Bool", "TRUE"), "true");
	T_EQ_STR(rt("Bool", "False"), "false");
	T_EQ_STR(rt("Bool", "yes"), "true");
	T_EQ_STR(rt("Bool", "off"), "false");
	T_EQ_STR(rt("Bool", "2"), "ERR");
	T_EQ_STR(rt("Bool", "maybe"), "ERR");
	T_EQ_STR(rt("Bool", ""), "ERR");
	T_EQ_STR(rts("Bool", "1", RS_RENDER_JSON), "true");
	T_EQ_STR(rts("Bool", "0", RS_RENDER_CSV), "false");
	T_EQ_STR(rts("Bool", "1", RS_RENDER_TSV), "true");
}

static void test_strings(void)
{
	static const char s[] = "a'b\"c\td\ne\\f/g\rh\x01i\bj\fk";
	size_t n = sizeof(s) - 1;

	T_EQ_STR(rt_len("String", s, n, RS_RENDER_TEXT), s);
	T_EQ_STR(rt_len("String", s, n, RS_RENDER_TSV),
		 "a\\'b\"c\\td\\ne\\\\f/g\\rh\x01i\\bj\\fk");
	T_EQ_STR(rt_len("String", s, n, RS_RENDER_CSV),
		 "\"a'b\"\"c\td\ne\\f/g\rh\x01i\bj\fk\"");
	T_EQ_STR(rt_len("String", s, n, RS_RENDER_JSON),
		 "\"a'b\\\"c\\td\\ne\\\\f\\/g\\rh\\u0001i\\bj\\fk\"");
	T_EQ_STR(rts("String", "", RS_RENDER_CSV), "\"\"");
	T_EQ_STR(rts("String", "", RS_RENDER_JSON), "\"\"");
	T_EQ_STR(rts("String", "", RS_RENDER_TSV), "");
	T_EQ_STR(rts("String", "caf\xc3\xa9 \xe2\x80\xa8 \x1f", RS_RENDER_JSON),
		 "\"caf\xc3\xa9 \\u2028 \\u001F\"");
	T_EQ_STR(rts("String", "\\N", RS_RENDER_TEXT), "\\N");
	T_EQ_STR(rts("LowCardinality(String)", "x/y", RS_RENDER_JSON), "\"x\\/y\"");
	T_EQ_STR(rts("AggregateFunction(uniq, String)", "\x01state", RS_RENDER_TEXT), "\x01state");
	T_EQ_STR(rt_len("String", "a\0b", 3, RS_RENDER_TSV), "a\\0b");
}

static void test_arrays(void)
{
	T_EQ_STR(rt("Array(Int32)", "[1, 2,3]"), "[1,2,3]");
	T_EQ_STR(rt("Array(Int32)", " [ ] "), "[]");
	T_EQ_STR(rt("Array(Int32)", "[]"), "[]");
	T_EQ_STR(rt("Array(Int32)", "[1,]"), "ERR");
	T_EQ_STR(rt("Array(Int32)", "[1"), "ERR");
	T_EQ_STR(rt("Array(Int32)", "1,2"), "ERR");
	T_EQ_STR(rt("Array(Int32)", "[1 2]"), "ERR");
	T_EQ_STR(rt("Array(Int32)", "[,]"), "ERR");
	T_EQ_STR(rt("Array(String)", "['a','b\\'c']"), "['a','b\\'c']");
	T_EQ_STR(rt("Array(String)", "[\"a\", \"b\"]"), "['a','b']");
	T_EQ_STR(rt("Array(String)", "['x,y', ']']"), "['x,y',']']");
	T_EQ_STR(rt("Array(String)", "['it''s']"), "['it\\'s']");
	T_EQ_STR(rt("Array(String)", "['a\\tb\\\\c']"), "['a\\tb\\\\c']");
	T_EQ_STR(rt("Array(String)", "[a]"), "ERR");
	T_EQ_STR(rt("Array(String)", "['a]"), "ERR");
	T_EQ_STR(rt("Array(Nullable(Int32))", "[NULL,1]"), "[NULL,1]");
	T_EQ_STR(rt("Array(Nullable(String))", "['NULL', NULL]"), "['NULL',NULL]");
	T_EQ_STR(rt("Array(Array(Int8))", "[[1],[2, 3], []]"), "[[1],[2,3],[]]");
	T_EQ_STR(rt("Array(Array(String))", "[['a]'], ['b']]"), "[['a]'],['b']]");
	T_EQ_STR(rt("Array(Array(Int8))", "[[1],[2,300]]"), "ERR");
	T_EQ_STR(rt("Array(Date)", "['2024-01-01']"), "['2024-01-01']");
	T_EQ_STR(rt("Array(Date)", "[2024-01-01]"), "['2024-01-01']");
	T_EQ_STR(rt("Array(Float64)", "[0.1, -inf, nan]"), "[0.1,-inf,nan]");
	T_EQ_STR(rt("Array(Decimal(10, 2))", "[1.50, -2]"), "[1.5,-2]");
	T_EQ_STR(rt("Array(Bool)", "[true, 0]"), "[true,false]");
	T_EQ_STR(rt("Array(UUID)", "['61f0c404-5cb3-11e7-907b-a6006ad3dba0']"),
		 "['61f0c404-5cb3-11e7-907b-a6006ad3dba0']");
	T_EQ_STR(rt("Array(LowCardinality(String))", "['a']"), "['a']");

	T_EQ_STR(rts("Array(Date)", "['2024-01-01']", RS_RENDER_JSON), "[\"2024-01-01\"]");
	T_EQ_STR(rts("Array(Date)", "['2024-01-01']", RS_RENDER_CSV), "\"['2024-01-01']\"");
	T_EQ_STR(rts("Array(Date)", "['2024-01-01']", RS_RENDER_TSV), "['2024-01-01']");
	T_EQ_STR(rts("Array(String)", "['a\"b', 'c/d']", RS_RENDER_CSV), "\"['a\"\"b','c/d']\"");
	T_EQ_STR(rts("Array(String)", "['a\"b', 'c/d']", RS_RENDER_JSON), "[\"a\\\"b\",\"c\\/d\"]");
	T_EQ_STR(rts("Array(String)", "['x\\'y']", RS_RENDER_TSV), "['x\\'y']");
	T_EQ_STR(rts("Array(Nullable(Float64))", "[NULL, nan, 1.5]", RS_RENDER_JSON),
		 "[null,null,1.5]");
	T_EQ_STR(rts("Array(Array(Int8))", "[[1],[]]", RS_RENDER_JSON), "[[1],[]]");
	T_EQ_STR(rts("Array(Int32)", "[]", RS_RENDER_CSV), "\"[]\"");

	/* a rejected row leaves no elements behind */
	struct rs_type *t;
	struct rs_col c;
	struct rs_buf b = RS_BUF_INIT;

	rs_type_parse("Array(Array(Int8))", &t, NULL);
	rs_col_init(&c, t);
	T_EQ_INT(rs_value_parse(&c, "[[1],[2]]", 9), 0);
	T_EQ_INT(rs_value_parse(&c, "[[3],[4,999]]", 13), -EINVAL);
	T_EQ_INT(rs_value_parse(&c, "[[5,6]]", 7), 0);
	T_EQ_INT(c.n, 2);
	T_EQ_INT(c.child->n, 3);
	T_EQ_INT(c.child->child->n, 4);
	rs_value_render(&c, 1, RS_RENDER_TEXT, &b);
	T_EQ_STR(b.data, "[[5,6]]");
	rs_buf_release(&b);
	rs_col_release(&c);
	rs_type_free(t);
}

static void test_nullable(void)
{
	T_EQ_STR(rts("Nullable(Int32)", "\\N", RS_RENDER_TEXT), "\\N");
	T_EQ_STR(rts("Nullable(Int32)", "NULL", RS_RENDER_TSV), "\\N");
	T_EQ_STR(rts("Nullable(Int32)", "NULL", RS_RENDER_CSV), "\\N");
	T_EQ_STR(rts("Nullable(Int32)", "null", RS_RENDER_CSV), "ERR");
	T_EQ_STR(rts("Nullable(String)", "null", RS_RENDER_CSV), "\"null\"");
	T_EQ_STR(rt("Array(Nullable(Int32))", "[null, 1, \\N]"), "[NULL,1,NULL]");
	T_EQ_STR(rts("Nullable(Int32)", "\\N", RS_RENDER_JSON), "null");
	T_EQ_STR(rts("Nullable(Int32)", "7", RS_RENDER_JSON), "7");
	T_EQ_STR(rts("Nullable(String)", "\\N", RS_RENDER_JSON), "null");
	T_EQ_STR(rts("Nullable(String)", "x", RS_RENDER_CSV), "\"x\"");
	T_EQ_STR(rts("LowCardinality(Nullable(String))", "NULL", RS_RENDER_JSON), "null");
	T_EQ_STR(rts("LowCardinality(Nullable(String))", "v", RS_RENDER_JSON), "\"v\"");
	T_EQ_STR(rts("Nullable(DateTime)", "\\N", RS_RENDER_CSV), "\\N");
	T_EQ_STR(rts("Nullable(Nothing)", "\\N", RS_RENDER_JSON), "null");
	T_EQ_STR(rt("Nullable(Nothing)", "1"), "ERR");
	T_EQ_STR(rt("Int32", "\\N"), "ERR");
	T_EQ_STR(rt("Nullable(Int32)", "x"), "ERR");
	T_EQ_STR(rt("String", "NULL"), "NULL");

	struct rs_type *t;
	struct rs_col c;
	struct rs_buf b = RS_BUF_INIT;

	rs_type_parse("Nullable(String)", &t, NULL);
	rs_col_init(&c, t);
	T_EQ_INT(rs_value_parse_quoted(&c, "NULL", 4), 0);
	T_EQ_INT(rs_value_parse(&c, "NULL", 4), 0);
	T_EQ_INT(rs_col_is_null(&c, 0), 0);
	T_EQ_INT(rs_col_is_null(&c, 1), 1);
	rs_value_render(&c, 0, RS_RENDER_JSON, &b);
	T_EQ_STR(b.data, "\"NULL\"");
	rs_buf_release(&b);
	rs_col_release(&c);
	rs_type_free(t);
}

/* column of 'type' from the given texts */
static void fill(struct rs_col *c, struct rs_type **t, const char *type,
		 const char *const *vals, size_t n)
{
	rs_type_parse(type, t, NULL);
	rs_col_init(c, *t);
	for (size_t i = 0; i < n; i++)
		T_EQ_INT(rs_value_parse(c, vals[i], strlen(vals[i])), 0);
}

/* every row must compare below the next one, and equal to itself */
static void check_sorted(const char *type, const char *const *vals, size_t n)
{
	struct rs_type *t;
	struct rs_col c;

	fill(&c, &t, type, vals, n);
	for (size_t i = 0; i < n; i++) {
		T_EQ_INT(rs_value_cmp(&c, i, &c, i), 0);
		for (size_t j = i + 1; j < n; j++) {
			if (rs_value_cmp(&c, i, &c, j) >= 0 || rs_value_cmp(&c, j, &c, i) <= 0)
				T_CHECK(0, "%s: '%s' !< '%s'", type, vals[i], vals[j]);
		}
	}
	rs_col_release(&c);
	rs_type_free(t);
}

#define SORTED(type, ...) do { static const char *const v_[] = { __VA_ARGS__ }; \
	check_sorted(type, v_, sizeof(v_) / sizeof(v_[0])); } while (0)

static void test_cmp(void)
{
	SORTED("Int32", "-2147483648", "-5", "0", "7", "2147483647");
	SORTED("Int8", "-128", "-1", "0", "127");
	SORTED("UInt64", "0", "1", "9223372036854775808", "18446744073709551615");
	SORTED("Float64", "-inf", "-1.5", "0", "1e-300", "2", "inf", "nan");
	SORTED("Float32", "-1", "0.5", "nan");
	SORTED("Decimal(38, 2)", "-99999999999999999999.99", "-0.01", "0", "0.5",
	       "99999999999999999999.99");
	SORTED("Decimal(9, 2)", "-1.5", "1", "1.01");
	SORTED("String", "", "A", "a", "ab", "b", "\xc3\xa9");
	SORTED("FixedString(2)", "a", "ab", "b");
	SORTED("Date", "1970-01-01", "2024-02-29", "2149-06-06");
	SORTED("Date32", "1900-01-01", "1969-12-31", "2024-01-01");
	SORTED("DateTime", "1970-01-01 00:00:00", "2024-01-01 00:00:00", "2106-01-01 00:00:00");
	SORTED("DateTime64(3)", "1950-01-01 00:00:00", "2024-01-01 00:00:00.001",
	       "2024-01-01 00:00:00.002");
	SORTED("Bool", "false", "true");
	/* ClickHouse orders UUIDs by their second half first */
	SORTED("UUID", "ffffffff-ffff-ffff-0000-000000000001",
	       "00000000-0000-0000-0000-000000000002",
	       "00000000-0000-0001-0000-000000000002");
	SORTED("Array(Int32)", "[]", "[1]", "[1,2]", "[1,2,3]", "[1,3]", "[2]");
	SORTED("Array(String)", "[]", "['a']", "['a','b']", "['b']");
	SORTED("Nullable(Int32)", "-1", "5", "\\N");
	SORTED("Array(Nullable(Int32))", "[1]", "[1,NULL]", "[NULL]");

	/* NULL equals NULL; distinct columns of the same type compare */
	struct rs_type *t;
	struct rs_col a, b;
	static const char *const va[] = { "\\N", "3" }, *const vb[] = { "\\N", "2" };

	fill(&a, &t, "Nullable(Int64)", va, 2);
	rs_col_init(&b, t);
	for (size_t i = 0; i < 2; i++)
		rs_value_parse(&b, vb[i], strlen(vb[i]));
	T_EQ_INT(rs_value_cmp(&a, 0, &b, 0), 0);
	T_EQ_INT(rs_value_cmp(&a, 1, &b, 1), 1);
	T_EQ_INT(rs_value_cmp(&a, 1, &b, 0), -1);
	rs_col_release(&a);
	rs_col_release(&b);
	rs_type_free(t);
}

int main(void)
{
	T_RUN(test_type_names);
	T_RUN(test_type_layout);
	T_RUN(test_ints);
	T_RUN(test_floats);
	T_RUN(test_float_roundtrip);
	T_RUN(test_decimal);
	T_RUN(test_uuid);
	T_RUN(test_fixedstring_bool);
	T_RUN(test_strings);
	T_RUN(test_arrays);
	T_RUN(test_nullable);
	T_RUN(test_cmp);
	rs_tz_release_all();
	return T_DONE();
}
