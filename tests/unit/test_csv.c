/*
 * test_csv.c - the streaming CSV reader and UTF-8 validation.
 *
 * Every input is fed whole, cut at every split point, in 1-byte chunks and
 * in seeded random chunks; the delivered records (serialized as text) must
 * be identical. Each chunk is a fresh heap copy freed right after feed(), so
 * a field that still points into an old chunk is caught by ASan/valgrind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/buf.h"
#include "../../engine/base/err.h"
#include "../../engine/base/util.h"
#include "../../engine/ingest/csv.h"
#include "t.h"

/* ---- helpers ---- */

/* Records as text: "<line>:f1|f2\n", malformed "<line>!<msg>:...",
 * quoted fields in <>, control bytes escaped. */
static int ser_rec(void *ctx, const struct rs_csv_record *r)
{
	struct rs_buf *b = ctx;
	unsigned i;
	size_t k;

	/* ascii = 1 is a promise the ingestion relies on (it skips UTF-8
	 * checks): never given for a record with a byte >= 0x80 */
	for (i = 0; r->ascii && i < r->nfields; i++)
		T_CHECK(rs_ascii_only(r->fields[i].p, r->fields[i].len),
			"record at line %llu marked ASCII", (unsigned long long)r->line);
	rs_buf_printf(b, "%llu", (unsigned long long)r->line);
	if (r->malformed)
		rs_buf_printf(b, "!%s", r->msg);
	rs_buf_addc(b, ':');
	for (i = 0; i < r->nfields; i++) {
		const struct rs_field *f = &r->fields[i];

		if (i)
			rs_buf_addc(b, '|');
		if (f->quoted)
			rs_buf_addc(b, '<');
		for (k = 0; k < f->len; k++) {
			unsigned char ch = (unsigned char)f->p[k];
			size_t run = k;

			while (run < f->len && (unsigned char)f->p[run] >= 0x20 &&
			       (unsigned char)f->p[run] < 0x7f)
				run++;
			if (run > k) {
				rs_buf_add(b, f->p + k, run - k);
				k = run - 1;
				continue;
			}
			if (ch == '\n')
				rs_buf_adds(b, "\\n");
			else if (ch == '\r')
				rs_buf_adds(b, "\\r");
			else if (ch < 0x20 || ch >= 0x7f)
				rs_buf_printf(b, "\\x%02x", ch);
			else
				rs_buf_addc(b, (char)ch);
		}
		if (f->quoted)
			rs_buf_addc(b, '>');
	}
	rs_buf_addc(b, '\n');
	return 0;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Feed s[0..len) in pieces ending at cuts[0..ncuts) (ascending), then
 * finish. Returns the serialized records plus "ERR <code> <msg>" on error;
 * the caller frees. */
static char *run_cuts(const char *s, size_t len, char delim, size_t max_row,
		      const size_t *cuts, size_t ncuts, char *detected)
{
	struct rs_buf out = RS_BUF_INIT;
	struct rs_err err = { 0 };
	struct rs_csv *c = rs_csv_new(delim, max_row, ser_rec, &out);
	size_t i, pos = 0;
	int rc = 0;

	for (i = 0; i <= ncuts && !rc; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		char *piece = malloc(to - pos + 1);

		memcpy(piece, s + pos, to - pos);
		rc = rs_csv_feed(c, piece, to - pos, &err);
		free(piece);
		pos = to;
	}
	if (!rc)
		rc = rs_csv_finish(c, &err);
	if (rc)
		rs_buf_printf(&out, "ERR %d %s\n", rc, err.msg);
	if (detected)
		*detected = rs_csv_delim(c);
	rs_csv_free(c);
	rs_buf_addc(&out, 0);
	return rs_buf_detach(&out, NULL);
}

static char *run_whole(const char *s, size_t len, char delim, size_t max_row)
{
	return run_cuts(s, len, delim, max_row, NULL, 0, NULL);
}

/* Whole vs every 2-piece and 3-piece split (short inputs), 1-byte chunks
 * and random chunks: all must give 'want' (checked against the whole run). */
static void check_splits(const char *s, size_t len, char delim, size_t max_row,
			 const char *want)
{
	char *whole = run_whole(s, len, delim, max_row), *got;
	size_t cuts[64], i, j, n;

	if (want)
		T_EQ_STR(whole, want);
	for (i = 1; i < len; i += len > 1000 ? 97 : 1) {
		cuts[0] = i;
		got = run_cuts(s, len, delim, max_row, cuts, 1, NULL);
		T_CHECK(!strcmp(got, whole), "split at %zu: %s", i, got);
		free(got);
		if (len > 24)
			continue;
		for (j = i + 1; j < len; j++) {
			cuts[1] = j;
			got = run_cuts(s, len, delim, max_row, cuts, 2, NULL);
			T_CHECK(!strcmp(got, whole), "split at %zu,%zu: %s", i, j, got);
			free(got);
		}
	}
	if (len > 1 && len < 4096) {
		size_t *all = malloc(len * sizeof(*all));

		for (i = 1; i < len; i++)
			all[i - 1] = i;
		got = run_cuts(s, len, delim, max_row, all, len - 1, NULL);
		T_CHECK(!strcmp(got, whole), "1-byte chunks: %s", got);
		free(got);
		free(all);
	}
	for (j = 0; j < 20 && len > 1; j++) {
		size_t pos = 0;

		n = 0;
		while (n < RS_ARRAY_SIZE(cuts)) {
			pos += 1 + rng() % (len / 8 + 2);
			if (pos >= len)
				break;
			cuts[n++] = pos;
		}
		got = run_cuts(s, len, delim, max_row, cuts, n, NULL);
		T_CHECK(!strcmp(got, whole), "random chunks (%zu): %s", n, got);
		free(got);
	}
	free(whole);
}

#define CHECK(input, delim, max_row, want) \
	check_splits((input), sizeof(input) - 1, (delim), (max_row), (want))


static unsigned long long nl_in(const char *p, const char *end)
{
	unsigned long long n = 0;

	for (; p < end; p++)
		n += *p == '\n';
	return n;
}

/* ---- a bytewise reference tokenizer of the same rules ---- */

static void ref_field(struct rs_buf *b, int first, int quoted, const char *p, size_t len)
{
	struct rs_field f = { p, len, quoted };
	struct rs_csv_record r = { &f, 1, 0, 0, NULL, 0 };
	struct rs_buf one = RS_BUF_INIT;
	char *colon;

	/* reuse ser_rec for the escaping of one field */
	ser_rec(&one, &r);
	colon = strchr(one.data, ':');
	if (!first)
		rs_buf_addc(b, '|');
	rs_buf_add(b, colon + 1, strlen(colon + 1) - 1);
	rs_buf_release(&one);
}

static char *ref_parse(const char *s, size_t n, char d)
{
	struct rs_buf out = RS_BUF_INIT, rec = RS_BUF_INIT, val = RS_BUF_INIT;
	size_t pos = 0, fs, nf;
	unsigned long long line = 1, nl;
	const char *bad;
	unsigned long long badline;

	while (pos < n) {
		if (s[pos] == '\n') {
			line++;
			pos++;
			continue;
		}
		if (s[pos] == '\r' && (pos + 1 == n || s[pos + 1] == '\n')) {
			line++;
			pos += pos + 1 < n ? 2 : 1;
			continue;
		}
		rs_buf_reset(&rec);
		nf = 0;
		nl = 0;
		bad = NULL;
		badline = 0;
		for (;;) {
			fs = pos;
			if (pos < n && s[pos] == '"') {
				rs_buf_reset(&val);
				pos++;
				for (;;) {
					if (pos >= n)
						break;
					if (s[pos] == '"') {
						if (pos + 1 < n && s[pos + 1] == '"') {
							rs_buf_addc(&val, '"');
							pos += 2;
							continue;
						}
						break;
					}
					nl += s[pos] == '\n';
					rs_buf_addc(&val, s[pos++]);
				}
				if (pos >= n) {
					size_t len = n - fs;

					bad = "unterminated quoted field";
					badline = line + nl - nl_in(s + fs, s + n);
					if (len && s[fs + len - 1] == '\n')
						len--;
					if (len && s[fs + len - 1] == '\r')
						len--;
					ref_field(&rec, !nf++, 0, s + fs, len);
					pos = n;
					goto end;
				}
				pos++;
				if (pos == n) {
					ref_field(&rec, !nf++, 1, val.data ? val.data : "", val.len);
					goto end;
				}
				if (s[pos] == d || s[pos] == '\n') {
					ref_field(&rec, !nf++, 1, val.data ? val.data : "", val.len);
					if (s[pos++] == d)
						continue;
					goto end;
				}
				if (s[pos] == '\r' && (pos + 1 == n || s[pos + 1] == '\n')) {
					ref_field(&rec, !nf++, 1, val.data ? val.data : "", val.len);
					pos += pos + 1 < n ? 2 : 1;
					goto end;
				}
				bad = "text after closing quote";
				badline = line + nl;
				goto raw;
			}
			while (pos < n && s[pos] != d && s[pos] != '\n' && s[pos] != '"')
				pos++;
			if (pos < n && s[pos] == '"') {
				bad = "unexpected quote in unquoted field";
				badline = line + nl;
				pos++;
				goto raw;
			}
			{
				size_t len = pos - fs;

				if (len && (pos == n || s[pos] == '\n') && s[pos - 1] == '\r')
					len--;
				ref_field(&rec, !nf++, 0, s + fs, len);
			}
			if (pos < n && s[pos++] == d)
				continue;
			goto end;
		}
raw:
		for (;;) {
			while (pos < n && s[pos] != d && s[pos] != '\n')
				pos++;
			{
				size_t len = pos - fs;

				if (len && (pos == n || s[pos] == '\n') && s[pos - 1] == '\r')
					len--;
				ref_field(&rec, !nf++, 0, s + fs, len);
			}
			if (pos < n && s[pos] == d) {
				fs = ++pos;
				continue;
			}
			if (pos < n)
				pos++;
			break;
		}
end:
		rs_buf_printf(&out, "%llu", line);
		if (bad)
			rs_buf_printf(&out, "!%s at line %llu", bad, badline);
		rs_buf_addc(&out, ':');
		rs_buf_add(&out, rec.data ? rec.data : "", rec.len);
		rs_buf_addc(&out, '\n');
		line += 1 + nl;
	}
	rs_buf_release(&rec);
	rs_buf_release(&val);
	rs_buf_addc(&out, 0);
	return rs_buf_detach(&out, NULL);
}

/* ---- tests ---- */

static void test_csv__simple_records_and_header(void)
{
	CHECK("id,name\n1,ann\n2,bob\n", ',', 0, "1:id|name\n2:1|ann\n3:2|bob\n");
	CHECK("a,b", ',', 0, "1:a|b\n");
	CHECK("a,,b,\n,\n", ',', 0, "1:a||b|\n2:|\n");
	CHECK("x\n", ',', 0, "1:x\n");
	CHECK("", ',', 0, "");
}

static void test_csv__crlf_and_empty_lines(void)
{
	CHECK("a,b\r\nc,d\r\n", ',', 0, "1:a|b\n2:c|d\n");
	CHECK("\n\na\n\r\nb\n\n", ',', 0, "3:a\n5:b\n");
	CHECK("a\r\n\r\n", ',', 0, "1:a\n");
	CHECK("a,b\r", ',', 0, "1:a|b\n");
	CHECK("\r", ',', 0, "");
	/* a bare \r inside a field is data */
	CHECK("a\rb,c\n", ',', 0, "1:a\\rb|c\n");
	CHECK("\rx\n", ',', 0, "1:\\rx\n");
}

static void test_csv__quoting(void)
{
	CHECK("\"a,b\",\"c\"\"d\",e\n", ',', 0, "1:<a,b>|<c\"d>|e\n");
	CHECK("\"\",\"\"\"\"\n", ',', 0, "1:<>|<\">\n");
	CHECK("\"\"\"a\"\"\"\"b\"\"\",x\n", ',', 0, "1:<\"a\"\"b\">|x\n");
	CHECK("\"x\"", ',', 0, "1:<x>\n");
	CHECK("\"x\"\r", ',', 0, "1:<x>\n");
	CHECK("\"x\"\r\n\"y\"\n", ',', 0, "1:<x>\n2:<y>\n");
	CHECK("a,\"b\"\n", ',', 0, "1:a|<b>\n");
	CHECK("\"a\",\n", ',', 0, "1:<a>|\n");
}

static void test_csv__embedded_newlines_count_lines(void)
{
	CHECK("\"x\r\ny\",z\r\nnext,1\r\n", ',', 0,
	      "1:<x\\r\\ny>|z\n3:next|1\n");
	CHECK("a,\"1\n2\n3\"\nb,c\n\"\n\"\nd\n", ',', 0,
	      "1:a|<1\\n2\\n3>\n4:b|c\n5:<\\n>\n7:d\n");
	/* a lone \r inside quotes is data too */
	CHECK("\"a\rb\"\n", ',', 0, "1:<a\\rb>\n");
}

static void test_csv__delimiter_detection(void)
{
	static const struct {
		const char *in;
		char want;
	} cases[] = {
		{ "a,b,c\n1,2,3\n", ',' },
		{ "a;b;c\n1;2;3\n", ';' },
		{ "a\tb\tc\n1\t2\t3\n", '\t' },
		{ "a|b|c\n1|2|3\n", '|' },
		{ "a;b,c;d\n", ';' },
		{ "abc\n", ',' },		/* none */
		{ "a;b|c\n", ',' },		/* tie */
		{ "a,b;c\n", ',' },
		{ "\"x;y;z\",b\n", ',' },	/* quoted ones do not count */
		{ "\"x\n;;;\";b;c\n", ';' },	/* the first record spans lines */
		{ "\n\r\na|b\n", '|' },	/* empty lines before it */
		{ "a|b", '|' },			/* detected at finish */
	};
	size_t i;

	for (i = 0; i < RS_ARRAY_SIZE(cases); i++) {
		char d = 0;
		char *out = run_cuts(cases[i].in, strlen(cases[i].in), 0, 0, NULL, 0, &d);

		T_CHECK(d == cases[i].want, "case %zu: got '%c'", i, d);
		free(out);
		check_splits(cases[i].in, strlen(cases[i].in), 0, 0, NULL);
	}
	CHECK("\n\r\nx;y\n1;2\n", 0, 0, "3:x|y\n4:1|2\n");
	CHECK("t\tu\n\"a\tb\"\tc\n", 0, 0, "1:t|u\n2:<a\\x09b>|c\n");
}

static void test_csv__detection_of_a_huge_first_line(void)
{
	/* detection reads at most 64 KiB of the first record */
	size_t n = 100000, i;
	char *s = malloc(n + 4), d = 0, *out;

	for (i = 0; i < n; i++)
		s[i] = i < 70000 ? 'x' : ';';
	memcpy(s + n, "\na\n", 4);
	out = run_cuts(s, n + 3, 0, 0, NULL, 0, &d);
	T_EQ_INT(d, ',');
	free(out);
	free(s);
}

static void test_csv__malformed_records_resync(void)
{
	CHECK("a,b\"c,d\ne,f\n", ',', 0,
	      "1!unexpected quote in unquoted field at line 1:a|b\"c|d\n2:e|f\n");
	CHECK("x\n\"ab\"c,d\ne\n", ',', 0,
	      "1:x\n2!text after closing quote at line 2:\"ab\"c|d\n3:e\n");
	/* the quote error is on the record's third line */
	CHECK("\"1\n2\",\"3\n4\"x,\"y\"\nz\n", ',', 0,
	      "1!text after closing quote at line 3:<1\\n2>|\"3\\n4\"x|\"y\"\n4:z\n");
	CHECK("a,\"b\"\rc\nd\n", ',', 0,
	      "1!text after closing quote at line 1:a|\"b\"\\rc\n2:d\n");
	/* after a malformed field quotes are data: the record ends at \n */
	CHECK("a\"b,\"c\nd\",e\n", ',', 0,
	      "1!unexpected quote in unquoted field at line 1:a\"b|\"c\n"
	      "2!unexpected quote in unquoted field at line 2:d\"|e\n");
	CHECK("ok\na,\"bc\nd\n", ',', 0,
	      "1:ok\n2!unterminated quoted field at line 2:a|\"bc\\nd\n");
	CHECK("\"", ',', 0, "1!unterminated quoted field at line 1:\"\n");
	CHECK("\"abc\"\"", ',', 0,
	      "1!unterminated quoted field at line 1:\"abc\"\"\n");
	CHECK("a\"", ',', 0, "1!unexpected quote in unquoted field at line 1:a\"\n");
	CHECK("\"a\"b", ',', 0, "1!text after closing quote at line 1:\"a\"b\n");
}

static void test_csv__max_row(void)
{
	char *out;

	/* 10 bytes fit; \r counts, \n does not */
	CHECK("0123456789\nab\n", ',', 10, "1:0123456789\n2:ab\n");
	CHECK("0123456789", ',', 10, "1:0123456789\n");
	CHECK("short\n01234567890\nx\n", ',', 10,
	      "1:short\nERR -27 row larger than max_row (10 bytes) at line 2\n");
	CHECK("short\n01234567890", ',', 10,
	      "1:short\nERR -27 row larger than max_row (10 bytes) at line 2\n");
	CHECK("0123456789\r\n", ',', 10,
	      "ERR -27 row larger than max_row (10 bytes) at line 1\n");
	CHECK("a\n\"x\ny\",\"0123456789\"\n", ',', 10,
	      "1:a\nERR -27 row larger than max_row (10 bytes) at line 2\n");
	CHECK("\"0123456789", ',', 10,
	      "ERR -27 row larger than max_row (10 bytes) at line 1\n");
	CHECK("\"012345678\"", ',', 10,
	      "ERR -27 row larger than max_row (10 bytes) at line 1\n");
	CHECK("\"01234567\"", ',', 10, "1:<01234567>\n");
	/* detection does not fail a long first line; the row check does */
	CHECK("0123456789;x\n", 0, 10,
	      "ERR -27 row larger than max_row (10 bytes) at line 1\n");

	/* the parser refuses input after the error */
	{
		struct rs_buf b = RS_BUF_INIT;
		struct rs_err err = { 0 };
		struct rs_csv *c = rs_csv_new(',', 4, ser_rec, &b);

		T_EQ_INT(rs_csv_feed(c, "abcdefgh\n", 9, &err), -EFBIG);
		rs_err_clear(&err);
		T_EQ_INT(rs_csv_feed(c, "a\n", 2, &err), -EFBIG);
		T_EQ_STR(err.msg, "row larger than max_row (4 bytes) at line 1");
		T_EQ_INT(rs_csv_finish(c, NULL), -EFBIG);
		T_EQ_INT(b.len, 0);
		rs_csv_free(c);
		rs_buf_release(&b);
	}
	out = run_whole("a\nb\n", 4, ',', 1);
	T_EQ_STR(out, "1:a\n2:b\n");
	free(out);
}

static int stop_at_2(void *ctx, const struct rs_csv_record *r)
{
	int *n = ctx;

	return ++*n == 2 ? -ECANCELED : 0;
}

static void test_csv__callback_error_stops(void)
{
	struct rs_err err = { 0 };
	int n = 0;
	struct rs_csv *c = rs_csv_new(',', 0, stop_at_2, &n);

	T_EQ_INT(rs_csv_feed(c, "a\nb\nc\n", 6, &err), -ECANCELED);
	T_EQ_INT(n, 2);
	T_EQ_INT(rs_csv_feed(c, "d\n", 2, &err), -ECANCELED);
	T_EQ_INT(n, 2);
	rs_csv_free(c);

	c = rs_csv_new(',', 0, stop_at_2, &n);
	T_EQ_INT(rs_csv_finish(c, &err), 0);
	T_EQ_INT(rs_csv_finish(c, &err), 0);
	rs_err_clear(&err);
	T_EQ_INT(rs_csv_feed(c, "x", 1, &err), -EINVAL);
	T_EQ_STR(err.msg, "csv data after the end of input");
	rs_csv_free(c);
	rs_csv_free(NULL);
}

static void test_csv__many_fields(void)
{
	struct rs_buf in = RS_BUF_INIT, want = RS_BUF_INIT;
	int i;

	rs_buf_adds(&want, "1:");
	for (i = 0; i < 1000; i++) {
		rs_buf_printf(&in, i % 7 ? "%s%d" : "%s\"%d\"\"\"", i ? "," : "", i);
		rs_buf_printf(&want, i % 7 ? "%s%d" : "%s<%d\">", i ? "|" : "", i);
	}
	rs_buf_adds(&in, "\nz\n");
	rs_buf_adds(&want, "\n2:z\n");
	check_splits(in.data, in.len, ',', 0, want.data);
	rs_buf_release(&in);
	rs_buf_release(&want);
}

static void test_csv__nul_bytes_and_garbage(void)
{
	static const char alphabet[] = "ab,;\"\"\n\r\0\xff\xc3";
	size_t i, n, round;

	CHECK("a\0b,\0\n\"\0\"\n", ',', 0, "1:a\\x00b|\\x00\n2:<\\x00>\n");
	for (round = 0; round < 40; round++) {
		char buf[200];

		n = 1 + rng() % sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = round & 1 ? (char)rng()
				 : alphabet[rng() % (sizeof(alphabet) - 1)];
		check_splits(buf, n, round % 3 ? ',' : 0, round % 4 ? 0 : 24, NULL);
	}
}

static void test_csv__long_quoted_field_across_many_chunks(void)
{
	size_t n = 200000, i;
	char *s = malloc(n), *whole, *got;
	size_t cuts[40];

	for (i = 0; i < n; i++)
		s[i] = "ab\n,\"\"c"[i % 7];
	s[0] = '"';
	s[n - 2] = '"';
	s[n - 1] = '\n';
	whole = run_whole(s, n, ',', 0);
	T_OK(!strncmp(whole, "1:<b\\n,\"c", 9));
	for (i = 0; i < RS_ARRAY_SIZE(cuts); i++)
		cuts[i] = (i + 1) * (n / 41);
	got = run_cuts(s, n, ',', 0, cuts, RS_ARRAY_SIZE(cuts), NULL);
	T_OK(!strcmp(got, whole));
	free(got);
	free(whole);
	free(s);
}


static void test_csv__matches_reference_tokenizer(void)
{
	static const char alphabet[] = "abc,,;\"\"\"\n\n\r ";
	size_t i, n, round;

	for (round = 0; round < 3000; round++) {
		char buf[64], *got, *want;

		n = rng() % sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = alphabet[rng() % (sizeof(alphabet) - 1)];
		got = run_whole(buf, n, ',', 0);
		want = ref_parse(buf, n, ',');
		T_CHECK(!strcmp(got, want), "round %zu: got\n%s\nwant\n%s", round, got, want);
		free(got);
		free(want);
	}
}

static void test_utf8__valid(void)
{
	T_EQ_INT(rs_utf8_valid("", 0), 1);
	T_EQ_INT(rs_utf8_valid("plain ascii text, longer than sixteen bytes", 43), 1);
	T_EQ_INT(rs_utf8_valid("caf\xc3\xa9", 5), 1);
	T_EQ_INT(rs_utf8_valid("\xe2\x82\xac and \xf0\x9f\x98\x80 ok", 14), 1);
	T_EQ_INT(rs_utf8_valid("\xc2\x80", 2), 1);		/* U+0080 */
	T_EQ_INT(rs_utf8_valid("\xdf\xbf", 2), 1);		/* U+07FF */
	T_EQ_INT(rs_utf8_valid("\xe0\xa0\x80", 3), 1);		/* U+0800 */
	T_EQ_INT(rs_utf8_valid("\xed\x9f\xbf", 3), 1);		/* U+D7FF */
	T_EQ_INT(rs_utf8_valid("\xee\x80\x80", 3), 1);		/* U+E000 */
	T_EQ_INT(rs_utf8_valid("\xef\xbf\xbf", 3), 1);		/* U+FFFF */
	T_EQ_INT(rs_utf8_valid("\xf0\x90\x80\x80", 4), 1);	/* U+10000 */
	T_EQ_INT(rs_utf8_valid("\xf4\x8f\xbf\xbf", 4), 1);	/* U+10FFFF */
	T_EQ_INT(rs_utf8_valid("a\0b", 3), 1);
	T_EQ_INT(rs_utf8_valid("0123456789abcdef\xc3\xa9" "0123456789", 28), 1);
}

static void test_utf8__invalid(void)
{
	T_EQ_INT(rs_utf8_valid("\x80", 1), 0);			/* lone continuation */
	T_EQ_INT(rs_utf8_valid("\xbf", 1), 0);
	T_EQ_INT(rs_utf8_valid("\xc0\xaf", 2), 0);		/* overlong / */
	T_EQ_INT(rs_utf8_valid("\xc1\xbf", 2), 0);
	T_EQ_INT(rs_utf8_valid("\xe0\x9f\xbf", 3), 0);		/* overlong */
	T_EQ_INT(rs_utf8_valid("\xf0\x8f\xbf\xbf", 4), 0);	/* overlong */
	T_EQ_INT(rs_utf8_valid("\xed\xa0\x80", 3), 0);		/* U+D800 */
	T_EQ_INT(rs_utf8_valid("\xed\xbf\xbf", 3), 0);		/* U+DFFF */
	T_EQ_INT(rs_utf8_valid("\xf4\x90\x80\x80", 4), 0);	/* U+110000 */
	T_EQ_INT(rs_utf8_valid("\xf5\x80\x80\x80", 4), 0);
	T_EQ_INT(rs_utf8_valid("\xff", 1), 0);
	T_EQ_INT(rs_utf8_valid("\xfe", 1), 0);
	T_EQ_INT(rs_utf8_valid("caf\xc3", 4), 0);		/* truncated */
	T_EQ_INT(rs_utf8_valid("\xe2\x82", 2), 0);
	T_EQ_INT(rs_utf8_valid("\xf0\x9f\x98", 3), 0);
	T_EQ_INT(rs_utf8_valid("\xc3\x28", 2), 0);		/* bad continuation */
	T_EQ_INT(rs_utf8_valid("\xe2\x28\xa1", 3), 0);
	T_EQ_INT(rs_utf8_valid("\xf0\x9f\x98\x28", 4), 0);
	/* the fast path must not skip a bad byte in the middle of a word */
	T_EQ_INT(rs_utf8_valid("0123456789abcde\x80" "0123456789abcdef", 32), 0);
	T_EQ_INT(rs_utf8_valid("0123456\xff", 8), 0);
	/* but the caller's length is honoured: a valid prefix */
	T_EQ_INT(rs_utf8_valid("ab\xc3\xa9\xc3", 4), 1);
}

static void test_utf8__random_matches_reference(void)
{
	/* a bytewise reference decoder, compared on random mostly-valid input */
	size_t round;

	for (round = 0; round < 2000; round++) {
		unsigned char buf[40];
		size_t n = rng() % sizeof(buf), i = 0;
		int want = 1;

		for (i = 0; i < n; i++) {
			uint64_t r = rng();

			buf[i] = r % 4 ? (unsigned char)(r >> 8) % 0x80
					: (unsigned char)(r >> 16);
		}
		for (i = 0; i < n && want;) {
			unsigned c = buf[i], cp, k, len;

			if (c < 0x80) {
				i++;
				continue;
			}
			len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
			if (!len || c > 0xF4 || i + len > n) {
				want = 0;
				break;
			}
			cp = c & (0x7F >> len);
			for (k = 1; k < len; k++) {
				if ((buf[i + k] & 0xC0) != 0x80)
					want = 0;
				cp = cp << 6 | (buf[i + k] & 0x3F);
			}
			if (want && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
				     (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
				     (cp >= 0xD800 && cp <= 0xDFFF)))
				want = 0;
			i += len;
		}
		T_CHECK(rs_utf8_valid((char *)buf, n) == want, "round %zu", round);
	}
}

int main(void)
{
	rng_state = 42;
	T_RUN(test_csv__simple_records_and_header);
	T_RUN(test_csv__crlf_and_empty_lines);
	T_RUN(test_csv__quoting);
	T_RUN(test_csv__embedded_newlines_count_lines);
	T_RUN(test_csv__delimiter_detection);
	T_RUN(test_csv__detection_of_a_huge_first_line);
	T_RUN(test_csv__malformed_records_resync);
	T_RUN(test_csv__max_row);
	T_RUN(test_csv__callback_error_stops);
	T_RUN(test_csv__matches_reference_tokenizer);
	T_RUN(test_csv__many_fields);
	T_RUN(test_csv__nul_bytes_and_garbage);
	T_RUN(test_csv__long_quoted_field_across_many_chunks);
	T_RUN(test_utf8__valid);
	T_RUN(test_utf8__invalid);
	T_RUN(test_utf8__random_matches_reference);
	return T_DONE();
}
