/*
 * test_json.c - NDJSON line splitting, the JSON tape parser, node API and
 * jsonpaths.
 *
 * Documents are checked through a canonical dump built with the public node
 * API only. Line splitting is checked whole vs every split point and seeded
 * random chunks (escapes and multi-byte characters cut anywhere). Validity
 * is cross-checked against a small recursive reference validator on seeded
 * random inputs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/err.h"
#include "../../engine/base/util.h"
#include "../../engine/ingest/json.h"
#include "t.h"

static uint64_t rng_state = 42;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* ---- a canonical dump through the node API ---- */

static void dump_text(struct rs_buf *b, const char *p, size_t len)
{
	size_t i;

	rs_buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f)
			rs_buf_printf(b, "\\x%02x", c);
		else
			rs_buf_addc(b, (char)c);
	}
	rs_buf_addc(b, '"');
}

static void dump(const struct rs_json_doc *d, int node, struct rs_buf *b)
{
	struct rs_buf scratch = RS_BUF_INIT;
	const char *p;
	size_t len;
	int c;

	switch (rs_json_kind(d, node)) {
	case RS_JSON_NULL:
	case RS_JSON_TRUE:
	case RS_JSON_FALSE:
	case RS_JSON_NUMBER:
		rs_json_raw(d, node, &p, &len);
		rs_buf_add(b, p, len);
		break;
	case RS_JSON_STRING:
		if (rs_json_text(d, node, &scratch, &p, &len))
			rs_buf_adds(b, "<bad>");
		else
			dump_text(b, p, len);
		break;
	case RS_JSON_ARRAY:
	case RS_JSON_OBJECT:
		rs_buf_addc(b, rs_json_kind(d, node) == RS_JSON_ARRAY ? '[' : '{');
		for (c = rs_json_first_child(d, node); c >= 0; c = rs_json_next_sibling(d, c)) {
			if (c != rs_json_first_child(d, node))
				rs_buf_addc(b, ',');
			if (rs_json_kind(d, node) == RS_JSON_OBJECT) {
				T_EQ_INT(rs_json_key(d, c, &scratch, &p, &len), 0);
				dump_text(b, p, len);
				rs_buf_addc(b, ':');
			}
			dump(d, c, b);
		}
		rs_buf_addc(b, rs_json_kind(d, node) == RS_JSON_ARRAY ? ']' : '}');
		break;
	}
	rs_buf_release(&scratch);
}

/* Parse s and return its dump, or "ERR <msg>"; the caller frees. */
static char *parse_dump(struct rs_json_doc *d, const char *s, size_t len)
{
	struct rs_buf b = RS_BUF_INIT;
	struct rs_err err = { 0 };
	int rc = rs_json_parse(d, s, len, &err);

	if (rc) {
		rs_buf_printf(&b, "ERR %s", err.msg);
		T_EQ_INT(rc, -EINVAL);
	} else {
		dump(d, 0, &b);
	}
	rs_buf_addc(&b, 0);
	return rs_buf_detach(&b, NULL);
}

static void check_parse(const char *s, const char *want)
{
	struct rs_json_doc *d = rs_json_doc_new();
	char *got = parse_dump(d, s, strlen(s));

	T_CHECK(!strcmp(got, want), "'%s': got %s, want %s", s, got, want);
	free(got);
	rs_json_doc_free(d);
}

/* ---- rs_lines ---- */

struct lines_out {
	struct rs_buf b;
	struct rs_json_doc *doc;
	int stop_at;
};

static int on_line(void *ctx, const char *line, size_t len, uint64_t no)
{
	struct lines_out *o = ctx;
	char *dumped;

	rs_buf_printf(&o->b, "%llu:", (unsigned long long)no);
	if (o->doc) {
		dumped = parse_dump(o->doc, line, len);
		rs_buf_adds(&o->b, dumped);
		free(dumped);
	} else {
		rs_buf_add(&o->b, line, len);
	}
	rs_buf_addc(&o->b, '\n');
	return o->stop_at && (int)no == o->stop_at ? -ECANCELED : 0;
}

/* Feed s in pieces ending at cuts[], each a fresh heap copy. */
static char *lines_run(const char *s, size_t len, size_t max_row, int parse,
		       const size_t *cuts, size_t ncuts)
{
	struct lines_out o = { RS_BUF_INIT, NULL, 0 };
	struct rs_err err = { 0 };
	struct rs_lines *l;
	size_t i, pos = 0;
	int rc = 0;

	if (parse)
		o.doc = rs_json_doc_new();
	l = rs_lines_new(max_row, on_line, &o);
	for (i = 0; i <= ncuts && !rc; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		char *piece = malloc(to - pos + 1);

		memcpy(piece, s + pos, to - pos);
		rc = rs_lines_feed(l, piece, to - pos, &err);
		free(piece);
		pos = to;
	}
	if (!rc)
		rc = rs_lines_finish(l, &err);
	if (rc)
		rs_buf_printf(&o.b, "ERR %d %s\n", rc, err.msg);
	rs_lines_free(l);
	rs_json_doc_free(o.doc);
	rs_buf_addc(&o.b, 0);
	return rs_buf_detach(&o.b, NULL);
}

static void check_lines(const char *s, size_t max_row, int parse, const char *want)
{
	size_t len = strlen(s), i, j, n, cuts[32];
	char *whole = lines_run(s, len, max_row, parse, NULL, 0), *got;

	T_EQ_STR(whole, want);
	for (i = 1; i < len; i++) {
		cuts[0] = i;
		got = lines_run(s, len, max_row, parse, cuts, 1);
		T_CHECK(!strcmp(got, whole), "split at %zu: %s", i, got);
		free(got);
	}
	for (j = 0; j < 20 && len > 1; j++) {
		size_t pos = 0;

		n = 0;
		while (n < RS_ARRAY_SIZE(cuts)) {
			pos += 1 + rng() % (len / 6 + 1);
			if (pos >= len)
				break;
			cuts[n++] = pos;
		}
		got = lines_run(s, len, max_row, parse, cuts, n);
		T_CHECK(!strcmp(got, whole), "random chunks: %s", got);
		free(got);
	}
	free(whole);
}

static void test_lines__split_anywhere(void)
{
	check_lines("a\nbb\r\nccc", 0, 0, "1:a\n2:bb\n3:ccc\n");
	check_lines("\n\r\n  \t\nx\n\n", 0, 0, "4:x\n");
	check_lines("a\rb\n", 0, 0, "1:a\rb\n");
	check_lines("", 0, 0, "");
	check_lines("{\"k\\u00e9\":\"a\\\"b\\ud83d\\ude00\\n\"}\r\n[1,\"\xe2\x82\xac\"]\n", 0, 1,
		    "1:{\"k\xc3\xa9\":\"a\"b\xf0\x9f\x98\x80\\x0a\"}\n"
		    "2:[1,\"\xe2\x82\xac\"]\n");
	check_lines("{\"a\":1}\n{\"a\":\n{\"b\":[true,false,null]}\n", 0, 1,
		    "1:{\"a\":1}\n"
		    "2:ERR malformed JSON at column 6: unexpected end of input\n"
		    "3:{\"b\":[true,false,null]}\n");
}

static void test_lines__max_row_and_errors(void)
{
	struct lines_out o = { RS_BUF_INIT, NULL, 2 };
	struct rs_err err = { 0 };
	struct rs_lines *l;

	check_lines("12345\n1234\r\n", 5, 0, "1:12345\n2:1234\n");
	check_lines("12345\n12345\r\n", 5, 0, "1:12345\n"
		    "ERR -27 row larger than max_row (5 bytes) at line 2\n");
	check_lines("1\n2\n123456", 5, 0, "1:1\n2:2\n"
		    "ERR -27 row larger than max_row (5 bytes) at line 3\n");
	check_lines("12345", 5, 0, "1:12345\n");

	l = rs_lines_new(0, on_line, &o);
	T_EQ_INT(rs_lines_feed(l, "a\nb\nc\n", 6, &err), -ECANCELED);
	T_EQ_INT(rs_lines_feed(l, "d\n", 2, &err), -ECANCELED);
	T_EQ_INT(rs_lines_finish(l, &err), -ECANCELED);
	T_EQ_STR(o.b.data, "1:a\n2:b\n");
	rs_lines_free(l);
	rs_lines_free(NULL);
	rs_buf_release(&o.b);

	o.stop_at = 0;
	l = rs_lines_new(0, on_line, &o);
	T_EQ_STR(err.msg, "input stopped by an earlier error");
	rs_err_clear(&err);
	T_EQ_INT(rs_lines_finish(l, &err), 0);
	T_EQ_INT(rs_lines_finish(l, &err), 0);
	T_EQ_INT(rs_lines_feed(l, "x", 1, &err), -EINVAL);
	T_EQ_STR(err.msg, "data after the end of input");
	rs_lines_free(l);
}

/* ---- values ---- */

static void test_json__value_kinds(void)
{
	struct rs_json_doc *d = rs_json_doc_new();
	const char *s = " {\"n\":null,\"t\":true,\"f\":false,\"i\":-12,\"x\":1.5e+3,"
			"\"s\":\"hi\",\"a\":[1,[],{}],\"o\":{\"k\":\"v\"}} ";
	static const enum rs_json_kind kinds[] = {
		RS_JSON_NULL, RS_JSON_TRUE, RS_JSON_FALSE, RS_JSON_NUMBER,
		RS_JSON_NUMBER, RS_JSON_STRING, RS_JSON_ARRAY, RS_JSON_OBJECT,
	};
	static const char *raws[] = { "null", "true", "false", "-12", "1.5e+3",
				      "\"hi\"", "[1,[],{}]", "{\"k\":\"v\"}" };
	struct rs_buf scratch = RS_BUF_INIT;
	const char *p;
	size_t len;
	int c, i = 0;

	T_EQ_INT(rs_json_parse(d, s, strlen(s), NULL), 0);
	T_EQ_INT(rs_json_kind(d, 0), RS_JSON_OBJECT);
	T_EQ_INT(rs_json_nchildren(d, 0), 8);
	rs_json_raw(d, 0, &p, &len);
	T_EQ_INT(len, strlen(s) - 2);
	T_EQ_INT(p - s, 1);
	for (c = rs_json_first_child(d, 0); c >= 0; c = rs_json_next_sibling(d, c), i++) {
		T_EQ_INT(rs_json_kind(d, c), kinds[i]);
		rs_json_raw(d, c, &p, &len);
		T_CHECK(len == strlen(raws[i]) && !memcmp(p, raws[i], len), "%d", i);
		T_EQ_INT(rs_json_key(d, c, &scratch, &p, &len), 0);
		T_EQ_INT(len, 1);
		T_EQ_INT(*p, "ntfixsao"[i]);
	}
	T_EQ_INT(i, 8);
	/* text of a string is unquoted; of anything else its raw text */
	c = rs_json_member(d, 0, "s", 1);
	T_EQ_INT(rs_json_text(d, c, &scratch, &p, &len), 0);
	T_CHECK(len == 2 && !memcmp(p, "hi", 2), "text");
	c = rs_json_member(d, 0, "x", 1);
	T_EQ_INT(rs_json_text(d, c, &scratch, &p, &len), 0);
	T_CHECK(len == 6 && !memcmp(p, "1.5e+3", 6), "number text");
	/* empty containers have no children */
	c = rs_json_first_child(d, rs_json_member(d, 0, "a", 1));
	T_EQ_INT(rs_json_kind(d, rs_json_next_sibling(d, c)), RS_JSON_ARRAY);
	T_EQ_INT(rs_json_first_child(d, rs_json_next_sibling(d, c)), -1);
	T_EQ_INT(rs_json_nchildren(d, c), 0);
	/* the root and array elements have no key */
	T_EQ_INT(rs_json_key(d, 0, &scratch, &p, &len), -EINVAL);
	T_EQ_INT(rs_json_key(d, c, &scratch, &p, &len), -EINVAL);
	/* invalid nodes */
	T_EQ_INT(rs_json_kind(d, -1), RS_JSON_NULL);
	T_EQ_INT(rs_json_kind(d, 1000), RS_JSON_NULL);
	T_EQ_INT(rs_json_first_child(d, -1), -1);
	T_EQ_INT(rs_json_next_sibling(d, -1), -1);
	T_EQ_INT(rs_json_text(d, -1, &scratch, &p, &len), -EINVAL);
	T_EQ_INT(len, 0);
	rs_json_raw(d, -1, &p, &len);
	T_EQ_INT(len, 0);

	check_parse("0", "0");
	check_parse("-0.0e-0", "-0.0e-0");
	check_parse(" \"\" ", "\"\"");
	check_parse("[ ]", "[]");
	check_parse("{ }", "{}");
	check_parse("\t[1 ,2\r\n,\n3]", "[1,2,3]");
	check_parse("{\"a\":{\"b\":{\"c\":[{\"d\":[]}]}},\"e\":0}",
		    "{\"a\":{\"b\":{\"c\":[{\"d\":[]}]}},\"e\":0}");
	rs_buf_release(&scratch);
	rs_json_doc_free(d);
}

static void test_json__escapes(void)
{
	check_parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
		    "\"a\"b\\c/d\\x08\\x0c\\x0a\\x0d\\x09\"");
	check_parse("\"\\u00e9\\u20AC\\ud83d\\ude00\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	check_parse("\"\\u0041\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
		    "\"A\\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\"");
	check_parse("\"\\udbff\\udfff\"", "\"\xf4\x8f\xbf\xbf\"");
	check_parse("\"\\u0000x\"", "\"\\x00x\"");
	check_parse("{\"\\u006b\\\"\":1}", "{\"k\"\":1}");
	check_parse("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	/* a long string exercises the 16-byte scan and its tail */
	check_parse("\"0123456789abcdef0123456789abcdef\\n0123456789\"",
		    "\"0123456789abcdef0123456789abcdef\\x0a0123456789\"");
}

static void test_json__malformed_with_columns(void)
{
	static const struct {
		const char *in;
		unsigned col;
		const char *why;
	} cases[] = {
		{ "", 1, "empty input" },
		{ "  ", 3, "unexpected end of input" },
		{ "{", 2, "unexpected end of input" },
		{ "[1,", 4, "unexpected end of input" },
		{ "[1,]", 4, "unexpected character ']'" },
		{ "{\"a\":1,}", 8, "unexpected character '}' (expected an object key)" },
		{ "{\"a\" 1}", 6, "unexpected character '1' (expected ':')" },
		{ "{1:2}", 2, "unexpected character '1' (expected an object key)" },
		{ "[1 2]", 4, "unexpected character '2' (expected ',' or ']')" },
		{ "{\"a\":1]", 7, "unexpected character ']' (expected ',' or '}')" },
		{ "[1}", 3, "unexpected character '}' (expected ',' or ']')" },
		{ "01", 1, "invalid number (leading zero)" },
		{ "-", 1, "invalid number" },
		{ "-a", 1, "invalid number" },
		{ "1.", 1, "invalid number" },
		{ "1.e5", 1, "invalid number" },
		{ "1e", 1, "invalid number" },
		{ "1e+", 1, "invalid number" },
		{ ".5", 1, "unexpected character '.'" },
		{ "+1", 1, "unexpected character '+'" },
		{ "[1.5x]", 5, "unexpected character 'x' (expected ',' or ']')" },
		{ "tru", 1, "invalid literal (expected 'true')" },
		{ "nul", 1, "invalid literal (expected 'null')" },
		{ "[falsy]", 2, "invalid literal (expected 'false')" },
		{ "truex", 5, "unexpected character 'x' after the value" },
		{ "{} x", 4, "unexpected character 'x' after the value" },
		{ "1 2", 3, "unexpected character '2' after the value" },
		{ "\"abc", 1, "unterminated string" },
		{ "[\"abc\\", 2, "unterminated string" },
		{ "\"a\\x\"", 3, "invalid escape '\\x'" },
		{ "\"a\\'\"", 3, "invalid escape '\\''" },
		{ "\"\\u12g4\"", 2, "invalid \\u escape" },
		{ "\"\\u12\"", 2, "invalid \\u escape" },
		{ "\"\\ud800\"", 2, "lone surrogate in \\u escape" },
		{ "\"\\udc00\"", 2, "lone surrogate in \\u escape" },
		{ "\"\\ud800\\u0041\"", 2, "lone surrogate in \\u escape" },
		{ "\"a\tb\"", 3, "control character 0x09 in string" },
		{ "\"0123456789abcdef\nx\"", 18, "control character 0x0a in string" },
		{ "\"\xc3\x28\"", 1, "invalid UTF-8 in string" },
		{ "[\"\xed\xa0\x80\"]", 2, "invalid UTF-8 in string" },
		{ "\x01", 1, "unexpected byte 0x01" },
		{ "\xff", 1, "unexpected byte 0xff" },
		{ "'a'", 1, "unexpected character '''" },
	};
	struct rs_json_doc *d = rs_json_doc_new();
	size_t i;

	for (i = 0; i < RS_ARRAY_SIZE(cases); i++) {
		struct rs_err err = { 0 };
		char want[200];

		snprintf(want, sizeof(want), "malformed JSON at column %u: %s",
			 cases[i].col, cases[i].why);
		T_EQ_INT(rs_json_parse(d, cases[i].in, strlen(cases[i].in), &err), -EINVAL);
		T_EQ_STR(err.msg, want);
		T_EQ_INT(err.col, cases[i].col);
		T_EQ_INT(err.code, -EINVAL);
	}
	/* a NUL byte is just another bad byte */
	{
		struct rs_err err = { 0 };

		T_EQ_INT(rs_json_parse(d, "[1,\0]", 5, &err), -EINVAL);
		T_EQ_STR(err.msg, "malformed JSON at column 4: unexpected byte 0x00");
		rs_err_clear(&err);
		T_EQ_INT(rs_json_parse(d, "\"a\0\"", 4, &err), -EINVAL);
		T_EQ_STR(err.msg, "malformed JSON at column 3: control character 0x00 in string");
	}
	/* after a failed parse there are no nodes */
	T_EQ_INT(rs_json_parse(d, "[1", 2, NULL), -EINVAL);
	T_EQ_INT(rs_json_first_child(d, 0), -1);
	T_EQ_INT(rs_json_kind(d, 0), RS_JSON_NULL);
	rs_json_doc_free(d);
}

static void test_json__depth_limit(void)
{
	struct rs_json_doc *d = rs_json_doc_new();
	size_t n = 1000000, i;
	char *s = malloc(n);
	struct rs_err err = { 0 };

	for (i = 0; i < RS_JSON_DEPTH_MAX; i++) {
		s[i] = '[';
		s[2 * RS_JSON_DEPTH_MAX - 1 - i] = ']';
	}
	T_EQ_INT(rs_json_parse(d, s, 2 * RS_JSON_DEPTH_MAX, &err), 0);
	T_EQ_INT(rs_json_kind(d, RS_JSON_DEPTH_MAX - 1), RS_JSON_ARRAY);
	T_EQ_INT(rs_json_first_child(d, RS_JSON_DEPTH_MAX - 1), -1);
	/* one more level fails, however deep the input goes */
	memset(s, '[', n);
	T_EQ_INT(rs_json_parse(d, s, n, &err), -EINVAL);
	T_EQ_STR(err.msg, "malformed JSON at column 129: nesting deeper than 128 levels");
	for (i = 0; i < n; i++)
		s[i] = i % 6 == 5 ? '[' : "{\"a\":"[i % 6];
	rs_err_clear(&err);
	T_EQ_INT(rs_json_parse(d, s, n, &err), -EINVAL);
	T_CONTAINS(err.msg, "nesting deeper than 128 levels");
	free(s);
	rs_json_doc_free(d);
}

static void test_json__doc_reuse(void)
{
	struct rs_json_doc *d = rs_json_doc_new();
	struct rs_buf b = RS_BUF_INIT;
	int i;

	/* a big document grows the tape; a small one after it still works */
	rs_buf_addc(&b, '[');
	for (i = 0; i < 5000; i++)
		rs_buf_printf(&b, "%s{\"i\":%d}", i ? "," : "", i);
	rs_buf_addc(&b, ']');
	T_EQ_INT(rs_json_parse(d, b.data, b.len, NULL), 0);
	T_EQ_INT(rs_json_nchildren(d, 0), 5000);
	T_EQ_INT(rs_json_parse(d, "{\"x\":[7]}", 9, NULL), 0);
	T_EQ_INT(rs_json_nchildren(d, 0), 1);
	T_EQ_INT(rs_json_kind(d, 2), RS_JSON_NUMBER);
	T_EQ_INT(rs_json_next_sibling(d, 1), -1);
	T_EQ_INT(rs_json_kind(d, 3), RS_JSON_NULL);
	rs_buf_release(&b);
	rs_json_doc_free(d);
	rs_json_doc_free(NULL);
}

/* ---- paths ---- */

static int look(struct rs_json_doc *d, const char *path)
{
	struct rs_jsonpath *p;
	struct rs_err err = { 0 };
	int n;

	if (rs_jsonpath_compile(path, &p, &err)) {
		fprintf(stderr, "compile '%s': %s\n", path, err.msg);
		return -2;
	}
	n = rs_jsonpath_lookup(d, p);
	rs_jsonpath_free(p);
	return n;
}

static char *look_dump(struct rs_json_doc *d, const char *path)
{
	struct rs_buf b = RS_BUF_INIT;
	int n = look(d, path);

	if (n < 0)
		rs_buf_printf(&b, "%d", n);
	else
		dump(d, n, &b);
	rs_buf_addc(&b, 0);
	return rs_buf_detach(&b, NULL);
}

#define T_LOOK(d, path, want) do { char *got_ = look_dump((d), (path)); \
	T_EQ_STR(got_, (want)); free(got_); } while (0)

static void test_jsonpath__lookup(void)
{
	struct rs_json_doc *d = rs_json_doc_new();
	const char *s = "{\"a\":{\"b\":{\"c\":3}},\"k.with.dots\":1,\"items\":[10,{\"id\":\"x\"},[]],"
			"\"dup\":1,\"dup\":2,\"n\":null,\"es\\u0063\":\"e\",\"it's\":5,\"\":6}";
	struct rs_jsonpath *p;

	T_EQ_INT(rs_json_parse(d, s, strlen(s), NULL), 0);
	T_LOOK(d, "$.a.b.c", "3");
	T_LOOK(d, "$.a.b", "{\"c\":3}");
	T_LOOK(d, "$['a']['b'].c", "3");
	T_LOOK(d, "$[\"a\"].b[\"c\"]", "3");
	T_LOOK(d, "$['k.with.dots']", "1");
	T_LOOK(d, "$.k.with.dots", "-1");
	T_LOOK(d, "$.items[0]", "10");
	T_LOOK(d, "$.items[1].id", "\"x\"");
	T_LOOK(d, "$.items[2]", "[]");
	T_LOOK(d, "$.items[3]", "-1");
	T_LOOK(d, "$.items[:]", "[10,{\"id\":\"x\"},[]]");
	T_LOOK(d, "$.dup", "1");		/* the first one wins */
	T_LOOK(d, "$.n", "null");		/* null is a node */
	T_LOOK(d, "$.esc", "\"e\"");		/* keys compare unescaped */
	T_LOOK(d, "$['it\\'s']", "5");
	T_LOOK(d, "$['']", "6");
	T_LOOK(d, "$.missing", "-1");
	T_LOOK(d, "$.a.b.c.d", "-1");		/* through a number */
	T_LOOK(d, "$.items.id", "-1");		/* a key of an array */
	T_LOOK(d, "$.a[0]", "-1");		/* an index of an object */
	T_LOOK(d, "$.a[:]", "-1");
	T_LOOK(d, "$.n.x", "-1");
	T_LOOK(d, "$[0]", "-1");
	T_EQ_INT(look(d, "$"), 0);

	T_EQ_INT(rs_jsonpath_compile("$.items[:]", &p, NULL), 0);
	T_EQ_INT(rs_jsonpath_is_array(p), 1);
	rs_jsonpath_free(p);
	T_EQ_INT(rs_jsonpath_compile("$.items[0]", &p, NULL), 0);
	T_EQ_INT(rs_jsonpath_is_array(p), 0);
	rs_jsonpath_free(p);
	rs_jsonpath_free(NULL);

	/* a root array, and a doc whose parse failed */
	T_EQ_INT(rs_json_parse(d, "[[1,2],[3]]", 11, NULL), 0);
	T_LOOK(d, "$[1][0]", "3");
	T_LOOK(d, "$[0][:]", "[1,2]");
	T_LOOK(d, "$.a", "-1");
	T_EQ_INT(rs_json_parse(d, "[", 1, NULL), -EINVAL);
	T_EQ_INT(look(d, "$"), -1);
	rs_json_doc_free(d);
}

static void test_jsonpath__invalid(void)
{
	static const char *bad[] = {
		"", "a", "$.", "$..a", "$a", "$[", "$[]", "$[x]", "$['a'", "$['a']x",
		"$[\"a']", "$.a[:].b", "$.a[:][0]", "$.a[-1]", "$ .a", "$.a b",
		"$.a]", "$[1", "$[99999999999]", "$.a'b", "$[:", "$[*]",
	};
	size_t i;

	for (i = 0; i < RS_ARRAY_SIZE(bad); i++) {
		struct rs_jsonpath *p = (struct rs_jsonpath *)&p;
		struct rs_err err = { 0 };
		char want[64];

		snprintf(want, sizeof(want), "invalid jsonpath '%s'", bad[i]);
		T_EQ_INT(rs_jsonpath_compile(bad[i], &p, &err), -EINVAL);
		T_EQ_STR(err.msg, want);
		T_CHECK(p == NULL, "%s", bad[i]);
	}
}

/* ---- a recursive reference validator for random inputs ---- */

static const unsigned char *ref_value(const unsigned char *p, const unsigned char *e, int depth);

static const unsigned char *ref_ws(const unsigned char *p, const unsigned char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const unsigned char *ref_string(const unsigned char *p, const unsigned char *e)
{
	int k;

	if (p >= e || *p++ != '"')
		return NULL;
	while (p < e && *p != '"') {
		if (*p < 0x20 || *p >= 0x80)	/* the random inputs are ASCII */
			return NULL;
		if (*p++ != '\\')
			continue;
		if (p >= e)
			return NULL;
		if (strchr("\"\\/bfnrt", *p) && *p) {
			p++;
			continue;
		}
		if (*p++ != 'u' || e - p < 4)
			return NULL;
		for (k = 0; k < 4; k++)
			if (!strchr("0123456789abcdefABCDEF", p[k]) || !p[k])
				return NULL;
		/* no surrogates in the generated inputs' alphabet (no 'd' after \u) */
		p += 4;
	}
	return p < e ? p + 1 : NULL;
}

static const unsigned char *ref_digits(const unsigned char *p, const unsigned char *e)
{
	const unsigned char *s = p;

	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

static const unsigned char *ref_value(const unsigned char *p, const unsigned char *e, int depth)
{
	p = ref_ws(p, e);
	if (p >= e)
		return NULL;
	if (*p == '[' || *p == '{') {
		unsigned char close = *p == '[' ? ']' : '}';

		if (depth == RS_JSON_DEPTH_MAX)
			return NULL;
		p = ref_ws(p + 1, e);
		if (p < e && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = ref_string(ref_ws(p, e), e);
				if (!p)
					return NULL;
				p = ref_ws(p, e);
				if (p >= e || *p++ != ':')
					return NULL;
			}
			p = ref_value(p, e, depth + 1);
			if (!p)
				return NULL;
			p = ref_ws(p, e);
			if (p < e && *p == ',') {
				p++;
				continue;
			}
			return p < e && *p == close ? p + 1 : NULL;
		}
	}
	if (*p == '"')
		return ref_string(p, e);
	if (e - p >= 4 && (!memcmp(p, "true", 4) || !memcmp(p, "null", 4)))
		return p + 4;
	if (e - p >= 5 && !memcmp(p, "false", 5))
		return p + 5;
	if (*p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (!(p = ref_digits(p, e)))
		return NULL;
	if (p < e && *p == '.' && !(p = ref_digits(p + 1, e)))
		return NULL;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!(p = ref_digits(p, e)))
			return NULL;
	}
	return p;
}

static int ref_valid(const char *s, size_t n)
{
	const unsigned char *e = (const unsigned char *)s + n;
	const unsigned char *p = ref_value((const unsigned char *)s, e, 0);

	return p && ref_ws(p, e) == e;
}

static void test_json__matches_reference_validator(void)
{
	static const char *atoms[] = {
		"{", "}", "[", "]", ",", ":", " ", "\"a\"", "\"\\n\"", "\"\\u00e9\"",
		"\"\\x\"", "\"", "0", "-1", "1.5", "2e3", "01", "true", "null", "fals",
		"\\", "u", "\t", "\"k\":", "[1,2]", "{\"a\":", "x",
	};
	struct rs_json_doc *d = rs_json_doc_new();
	int round, nvalid = 0;

	for (round = 0; round < 20000; round++) {
		char buf[256];
		size_t n = 0, k = 1 + rng() % 12, i;

		for (i = 0; i < k; i++) {
			const char *a = atoms[rng() % RS_ARRAY_SIZE(atoms)];

			memcpy(buf + n, a, strlen(a));
			n += strlen(a);
		}
		if (rng() % 3 == 0 && n) {	/* mostly-valid inputs too */
			static const char ok[] = "{\"a\":[1,{\"b\":\"c\"}],\"d\":-2.5e1}";

			n = sizeof(ok) - 1;
			memcpy(buf, ok, n);
			buf[rng() % n] = "{}[],:\"0 x"[rng() % 10];
		}
		i = rs_json_parse(d, buf, n, NULL) == 0;
		T_CHECK((int)i == ref_valid(buf, n), "'%.*s'", (int)n, buf);
		nvalid += (int)i;
	}
	T_CHECK(nvalid > 500, "only %d valid inputs", nvalid);
	rs_json_doc_free(d);
}

int main(void)
{
	T_RUN(test_lines__split_anywhere);
	T_RUN(test_lines__max_row_and_errors);
	T_RUN(test_json__value_kinds);
	T_RUN(test_json__escapes);
	T_RUN(test_json__malformed_with_columns);
	T_RUN(test_json__depth_limit);
	T_RUN(test_json__doc_reuse);
	T_RUN(test_jsonpath__lookup);
	T_RUN(test_jsonpath__invalid);
	T_RUN(test_json__matches_reference_validator);
	return T_DONE();
}
