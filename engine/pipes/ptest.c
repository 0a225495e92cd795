/*
 * ptest.c - endpoint tests (SPEC 7): tests/<pipe>.yaml holds cases
 *
 *   - name: all_devices
 *     description: ...
 *     parameters: date_from=2024-03-01&date_to=2024-03-31
 *     expected_result: |
 *       {"pathname":"/","visits":3,"views":3}
 *
 * Each case runs the pipe with its parameters; its NDJSON result must
 * equal expected_result (JSON lines compared after parsing, so spacing
 * and escaping of '/' do not matter). The report is TAP-like:
 *   ok 1 - all_devices
 *   not ok 2 - mobile_only
 *   #   expected: {...}
 *   #   actual:   {...}
 *   # 1 passed, 1 failed
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "../ingest/json.h"
#include "../output/format.h"
#include "pipes.h"

struct tcase {
	char *name;
	char *params;
	struct rs_buf expected;
};

static char *trim_dup(const char *p, size_t n)
{
	while (n && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= 2 && ((p[0] == '"' && p[n - 1] == '"') || (p[0] == '\'' && p[n - 1] == '\''))) {
		p++;
		n -= 2;
	}
	return xstrndup(p, n);
}

static unsigned indent_of(const char *p, const char *e)
{
	unsigned n = 0;

	while (p + n < e && p[n] == ' ')
		n++;
	return n;
}

/* A small YAML subset: a list of mappings with scalar values and one
 * block scalar (|) for expected_result. */
static int parse_cases(const char *text, size_t len, struct tcase **out, unsigned *n,
		       struct rs_err *err)
{
	const char *p = text, *end = text + len;
	struct tcase *cs = NULL;
	unsigned nc = 0, line = 0;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *q;
		unsigned ind;
		if (!e)
			e = end;
		line++;
		ind = indent_of(p, e);
		q = p + ind;
		if (q < e && *q == '-' && (q + 1 == e || q[1] == ' ')) {
			cs = xrealloc(cs, (nc + 1) * sizeof(*cs));
			memset(&cs[nc], 0, sizeof(*cs));
			nc++;
			q += 2;
			ind += 2;
		}
		if (q < e && *q != '#' && nc) {
			const char *colon = memchr(q, ':', (size_t)(e - q));
			struct tcase *c = &cs[nc - 1];
			if (!colon) {
				p = e + 1;
				continue;
			}
			size_t kl = (size_t)(colon - q);
			const char *v = colon + 1;
			if (kl == 4 && !memcmp(q, "name", 4)) {
				free(c->name);
				c->name = trim_dup(v, (size_t)(e - v));
			} else if (kl == 10 && !memcmp(q, "parameters", 10)) {
				free(c->params);
				c->params = trim_dup(v, (size_t)(e - v));
			} else if (kl == 15 && !memcmp(q, "expected_result", 15)) {
				char *val = trim_dup(v, (size_t)(e - v));
				if (val[0] == '|' || val[0] == '>') {
					/* block: the following lines indented more than the key */
					const char *b = e + 1;
					while (b < end) {
						const char *be = memchr(b, '\n', (size_t)(end - b));
						if (!be)
							be = end;
						unsigned bi = indent_of(b, be);
						if (b + bi < be && bi <= ind)
							break;
						if (b + bi < be) {
							rs_buf_add(&c->expected, b + bi, (size_t)(be - b - bi));
							rs_buf_addc(&c->expected, '\n');
						}
						line++;
						b = be + 1;
					}
					e = b - 1;
				} else {
					rs_buf_adds(&c->expected, val);
					rs_buf_addc(&c->expected, '\n');
				}
				free(val);
			}
		}
		p = e + 1;
	}
	*out = cs;
	*n = nc;
	if (!nc)
		return rs_errf(err, -EINVAL, "no test cases (expected '- name: ...' entries)");
	return 0;
}

/* canonical JSON of one line, so "/" and "\/" compare equal */
static int canon(struct rs_json_doc *d, const char *s, size_t n, struct rs_buf *out)
{
	struct rs_err e = { 0 };
	int rc = rs_json_parse(d, s, n, &e);

	if (rc)
		return rs_buf_add(out, s, n);
	/* walk the top object: key=text pairs */
	for (int c = rs_json_first_child(d, 0); c >= 0; c = rs_json_next_sibling(d, c)) {
		struct rs_buf k = RS_BUF_INIT, v = RS_BUF_INIT;
		const char *kp, *vp;
		size_t kl, vl;
		rs_json_key(d, c, &k, &kp, &kl);
		rs_json_text(d, c, &v, &vp, &vl);
		rs_buf_add(out, kp, kl);
		rs_buf_addc(out, '=');
		rs_buf_add(out, vp, vl);
		rs_buf_addc(out, ';');
		rs_buf_release(&k);
		rs_buf_release(&v);
	}
	return 0;
}

static int same_lines(const char *a, const char *b)
{
	struct rs_json_doc *d = rs_json_doc_new();
	struct rs_buf ca = RS_BUF_INIT, cb = RS_BUF_INIT;
	int same;

	for (int k = 0; k < 2; k++) {
		const char *p = k ? b : a;
		struct rs_buf *o = k ? &cb : &ca;
		while (p && *p) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			if (n) {
				canon(d, p, n, o);
				rs_buf_addc(o, '\n');
			}
			p += n + (e ? 1 : 0);
		}
	}
	same = ca.len == cb.len && (!ca.len || !memcmp(ca.data, cb.data, ca.len));
	rs_buf_release(&ca);
	rs_buf_release(&cb);
	rs_json_doc_free(d);
	return same;
}

static void commented(struct rs_buf *out, const char *label, const char *text)
{
	const char *p = text && *text ? text : "(nothing)\n";

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		rs_buf_printf(out, "#   %s %.*s\n", label, (int)n, p);
		p += n + (e ? 1 : 0);
	}
}

int rs_pipe_tests_run(struct rs_catalog *c, struct rs_ws *ws, const char *name, const char *pipe,
		      size_t plen, const char *yaml, size_t ylen, struct rs_buf *out,
		      struct rs_err *err)
{
	struct tcase *cs = NULL;
	unsigned nc = 0, pass = 0;
	int rc;

	if ((rc = parse_cases(yaml, ylen, &cs, &nc, err)))
		goto out;
	for (unsigned i = 0; i < nc; i++) {
		struct rs_pipe_req req = { .cat = c, .ws = ws, .name = name, .text = pipe,
					   .len = plen, .query = cs[i].params };
		struct rs_err qerr = { 0 };
		struct rs_buf got = RS_BUF_INIT;
		struct rs_pq *pq = NULL;
		struct rs_writer w;
		const struct rs_col *cols;
		size_t n;
		int qrc = rs_pipe_open(&req, &pq, &qerr);

		if (!qrc && !(qrc = rs_writer_init(&w, RS_FMT_NDJSON,
						   rs_query_schema(rs_pq_query(pq)), &qerr))) {
			while ((qrc = rs_query_next(rs_pq_query(pq), &cols, &n, &qerr)) > 0)
				rs_writer_rows(&w, cols, 0, n, &got);
			rs_writer_release(&w);
		}
		rs_pq_close(pq);
		if (qrc == 0 && same_lines(cs[i].expected.data, got.data)) {
			pass++;
			rs_buf_printf(out, "ok %u - %s\n", i + 1, cs[i].name ? cs[i].name : "");
		} else {
			rs_buf_printf(out, "not ok %u - %s\n", i + 1, cs[i].name ? cs[i].name : "");
			if (qrc)
				rs_buf_printf(out, "#   error: %s\n", qerr.msg);
			commented(out, "expected:", cs[i].expected.data);
			commented(out, "actual:  ", got.data);
		}
		rs_buf_release(&got);
	}
	rs_buf_printf(out, "# %u passed, %u failed\n", pass, nc - pass);
out:
	for (unsigned i = 0; i < nc; i++) {
		free(cs[i].name);
		free(cs[i].params);
		rs_buf_release(&cs[i].expected);
	}
	free(cs);
	return rc;
}
