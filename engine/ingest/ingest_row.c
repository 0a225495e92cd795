/*
 * ingest_row.c - one input record to one typed row, or to one quarantine
 * row with Tinybird's error columns (SPEC 3, reference 3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../types/value.h"
#include "ingest_int.h"

static inline int col_is_string(const struct rs_ingest *g, unsigned i)
{
	return g->stringish[i];
}

static int is_stringish(const struct rs_type *t)
{
	enum rs_type_id id = rs_type_base(t)->id;

	return id == RS_T_STRING || id == RS_T_FIXEDSTRING;
}

static void add_error(struct rs_ingest *g, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_error(struct rs_ingest *g, const char *col, const char *fmt, ...)
{
	va_list ap;

	/* row-level errors (malformed line, field count) name no column */
	if (*col) {
		rs_buf_add(&g->err_cols, col, strlen(col) + 1);
		g->nerr_cols++;
	}
	va_start(ap, fmt);
	rs_buf_vprintf(&g->err_msgs, fmt, ap);
	va_end(ap);
	rs_buf_addc(&g->err_msgs, 0);
	g->nerr++;
}

static void type_name(const struct rs_type *t, char *out, size_t n)
{
	struct rs_buf b = RS_BUF_INIT;

	rs_type_name(t, &b);
	snprintf(out, n, "%s", b.data ? b.data : "?");
	rs_buf_release(&b);
}

/* quote a raw value for a message: at most 100 bytes */
static void value_error(struct rs_ingest *g, unsigned i, const char *p, size_t len,
			const char *what)
{
	char tn[128];
	const struct rs_colspec *cs = &g->v->schema.cols[i];

	type_name(rs_type_base(cs->type), tn, sizeof(tn));
	if (what)
		add_error(g, cs->name, "value '%.*s%s' on column '%s' %s", (int)RS_MIN(len, 100),
			  p, len > 100 ? "..." : "", cs->name, what);
	else
		add_error(g, cs->name, "value '%.*s%s' on column '%s' is not %s",
			  (int)RS_MIN(len, 100), p, len > 100 ? "..." : "", cs->name, tn);
}

/* A missing or empty value: NULL, DEFAULT, '' for strings, else an error. */
static int push_empty(struct rs_ingest *g, unsigned i, int missing)
{
	struct rs_col *c = &g->cols[i];
	const struct rs_colspec *cs = &g->v->schema.cols[i];

	if (rs_type_is_nullable(cs->type) && !missing)
		return rs_col_push_null(c);
	if (g->v->has_default[i] || (missing && rs_type_is_nullable(cs->type)))
		return rs_col_append(c, &g->defs[i], 0, 1);
	/* an absent list is an empty one: Array columns cannot be Nullable */
	if (rs_type_phys(cs->type) == RS_PHYS_ARRAY)
		return rs_col_push_zero(c);
	if (!missing && (col_is_string(g, i) ||
			 rs_type_base(cs->type)->id == RS_T_AGGSTATE))
		return rs_col_push_zero(c);
	if (missing)
		add_error(g, cs->name, "missing value for column '%s' with no DEFAULT", cs->name);
	else
		value_error(g, i, "", 0, NULL);
	return 1;
}

/* Convert text into column i. Returns 0 ok, 1 row error (recorded), <0 fatal. */
static int push_text(struct rs_ingest *g, unsigned i, const char *p, size_t len, int quoted)
{
	struct rs_col *c = &g->cols[i];
	int rc;

	if (!quoted && (len == 0 || (len == 2 && p[0] == '\\' && p[1] == 'N')))
		return push_empty(g, i, 0);
	if (quoted && len == 0)
		return push_empty(g, i, 0);
	if (col_is_string(g, i) && !rs_utf8_valid(p, len)) {
		value_error(g, i, p, len, "is not valid UTF-8");
		return 1;
	}
	/* a String takes the text as it is: no parser to dispatch to (this is
	 * the hot path of ingestion) */
	if (g->stringish[i] == 1)
		return rs_col_push_str(c, p, len);
	/* a quoted "NULL" or "\N" is text, not NULL */
	rc = quoted ? rs_value_parse_quoted(c, p, len) : rs_value_parse(c, p, len);
	if (rc == -EINVAL) {
		value_error(g, i, p, len, NULL);
		return 1;
	}
	return rc;
}

static void set_raw(struct rs_ingest *g, unsigned i, const char *p, size_t len)
{
	g->raw[i] = p;
	g->raw_len[i] = len;
}

/* Write the quarantine row from g->raw and the collected errors. */
static int push_quarantine(struct rs_ingest *g)
{
	const struct rs_schema *qs = &g->v->qschema;
	unsigned nc = g->v->schema.ncols;
	struct rs_col *q = g->qcols;
	uint32_t now = (uint32_t)g->now;
	int rc = 0;

	for (unsigned i = 0; i < nc && !rc; i++)
		rc = g->raw[i] ? rs_col_push_str(&q[i], g->raw[i], g->raw_len[i])
			       : rs_col_push_null(&q[i]);
	for (int k = 0; k < 2 && !rc; k++) {
		struct rs_buf *list = k == 0 ? &g->err_cols : &g->err_msgs;
		struct rs_col *arr = &q[nc + k];
		const char *s = list->data;
		unsigned n = k == 0 ? g->nerr_cols : g->nerr;
		if (!arr->child)
			rc = rs_col_reserve(arr, 1);
		for (unsigned e = 0; e < n && !rc; e++) {
			size_t l = strlen(s);
			rc = rs_col_push_str(arr->child, s, l);
			s += l + 1;
		}
		if (!rc)
			rc = rs_col_array_close(arr);
	}
	if (!rc)
		rc = rs_col_push_str(&q[nc + 2], g->import_id, strlen(g->import_id));
	if (!rc)
		rc = rs_col_push_fixed(&q[nc + 3], &now);
	(void)qs;
	g->qrows++;
	return rc;
}

static void row_begin(struct rs_ingest *g)
{
	rs_buf_reset(&g->err_cols);
	rs_buf_reset(&g->err_msgs);
	g->nerr = 0;
	g->nerr_cols = 0;
	memset(g->raw, 0, g->v->schema.ncols * sizeof(*g->raw));
}

/* The row had errors: undo its partial appends and quarantine it. */
static int row_reject(struct rs_ingest *g, size_t nrows)
{
	for (unsigned i = 0; i < g->v->schema.ncols; i++)
		rs_col_truncate(&g->cols[i], nrows);
	return push_quarantine(g);
}

static int row_end(struct rs_ingest *g, size_t nrows)
{
	if (g->nerr)
		return row_reject(g, nrows);
	g->rows++;
	return 0;
}

static int after_row(struct rs_ingest *g)
{
	int rc = 0;

	if (rs_ingest_stage_full(g))
		rc = rs_ingest_stage_flush(g, 0, 0, &g->fail_err);
	if (!rc && g->qcols[0].n >= 65536)
		rc = rs_ingest_stage_flush(g, 1, 0, &g->fail_err);
	return rc;
}

static int field_is_name(const struct rs_ingest *g, const struct rs_field *f)
{
	for (unsigned i = 0; i < g->v->schema.ncols; i++) {
		const char *n = g->v->schema.cols[i].name;
		if (strlen(n) == f->len && !memcmp(n, f->p, f->len))
			return (int)i;
	}
	return -1;
}

/* A first record whose fields are all column names is a header. */
static int detect_header(struct rs_ingest *g, const struct rs_csv_record *rec)
{
	unsigned nc = g->v->schema.ncols;
	int *map;

	if (rec->malformed || rec->nfields == 0)
		return 0;
	map = xcalloc(rec->nfields, sizeof(int));
	for (unsigned f = 0; f < rec->nfields; f++) {
		map[f] = field_is_name(g, &rec->fields[f]);
		if (map[f] < 0) {
			free(map);
			return 0;
		}
		for (unsigned e = 0; e < f; e++)
			if (map[e] == map[f]) {
				free(map);
				return 0;
			}
	}
	free(g->map);
	g->map = map;
	g->nmap = rec->nfields;
	g->map_full = g->nmap == nc;
	if (g->map_full)	/* every column named once: rows of nc fields take the fast path */
		for (unsigned f = 0; f < nc; f++)
			g->inv[map[f]] = f;
	return 1;
}

/*
 * The common record: well-formed, one field per column (positional, or by a
 * header naming every column). Same rows, quarantine rows and messages as
 * the general path below, with the common field forms converted inline
 * (ingest_fast.h) and UTF-8 checks skipped for all-ASCII records.
 */
static int fast_record(struct rs_ingest *g, const struct rs_csv_record *rec)
{
	unsigned nc = g->v->schema.ncols;
	size_t nrows = g->cols[0].n;
	int r;

	rs_buf_reset(&g->err_cols);
	rs_buf_reset(&g->err_msgs);
	g->nerr = g->nerr_cols = 0;
	for (unsigned i = 0; i < nc; i++) {
		const struct rs_field *f = &rec->fields[g->inv[i]];
		struct rs_col *c = &g->cols[i];
		enum rs_fast_kind k = g->fast[i];

		if (!f->len || (!f->quoted && f->len == 2 && f->p[0] == '\\' && f->p[1] == 'N'))
			/* a String without DEFAULT takes '' (push_empty's answer) */
			r = k == RS_FK_STRING && !g->v->has_default[i] ? rs_fast_put_str(c, "", 0)
								    : push_empty(g, i, 0);
		else if (k == RS_FK_STRING && (rec->ascii || rs_utf8_valid(f->p, f->len)))
			r = rs_fast_put_str(c, f->p, f->len);
		else if (k == RS_FK_GENERIC || k == RS_FK_STRING ||
			 (r = rs_fast_push(k, &g->dtc[i], c, f->p, f->len)) == 1)
			r = push_text(g, i, f->p, f->len, f->quoted);
		if (r < 0)
			return r;
	}
	if (g->nerr) {
		for (unsigned i = 0; i < nc; i++) {
			const struct rs_field *f = &rec->fields[g->inv[i]];
			set_raw(g, i, f->p, f->len);
		}
		if ((r = row_reject(g, nrows)))
			return r;
	} else {
		g->rows++;
	}
	return after_row(g);
}

int rs_ingest_csv_record(void *ctx, const struct rs_csv_record *rec)
{
	struct rs_ingest *g = ctx;
	unsigned nc = g->v->schema.ncols;
	size_t nrows = g->cols[0].n;
	int rc = 0;

	if (!g->seen_record) {
		g->seen_record = 1;
		if (detect_header(g, rec))
			return 0;
	}
	if (!rec->malformed && nc &&
	    (g->map ? g->map_full && rec->nfields == g->nmap : rec->nfields == nc))
		return fast_record(g, rec);
	row_begin(g);
	if (rec->malformed) {
		for (unsigned f = 0; f < rec->nfields && f < nc; f++)
			set_raw(g, f, rec->fields[f].p, rec->fields[f].len);
		add_error(g, "", "line %llu: %s", (unsigned long long)rec->line,
			  rec->msg ? rec->msg : "malformed CSV");
		rc = push_quarantine(g);
		return rc ? rc : after_row(g);
	}
	if (g->map) {
		/* by name: columns not in the header are missing */
		int seen[nc ? nc : 1];
		memset(seen, 0, sizeof(seen));
		for (unsigned f = 0; f < rec->nfields && f < g->nmap; f++)
			set_raw(g, (unsigned)g->map[f], rec->fields[f].p, rec->fields[f].len);
		if (rec->nfields != g->nmap)
			add_error(g, "", "line %llu: the row has %u fields, the header has %u",
				  (unsigned long long)rec->line, rec->nfields, g->nmap);
		for (unsigned i = 0; i < nc && rc >= 0; i++) {
			int r;
			unsigned f;
			for (f = 0; f < g->nmap && f < rec->nfields; f++)
				if (g->map[f] == (int)i)
					break;
			if (f < g->nmap && f < rec->nfields)
				r = push_text(g, i, rec->fields[f].p, rec->fields[f].len,
					      rec->fields[f].quoted);
			else
				r = push_empty(g, i, 1);
			if (r < 0)
				rc = r;
		}
	} else {
		for (unsigned f = 0; f < rec->nfields && f < nc; f++)
			set_raw(g, f, rec->fields[f].p, rec->fields[f].len);
		if (rec->nfields > nc)
			add_error(g, "", "line %llu: the row has %u fields, the data source has %u columns",
				  (unsigned long long)rec->line, rec->nfields, nc);
		for (unsigned i = 0; i < nc && rc >= 0; i++) {
			int r;
			if (i < rec->nfields)
				r = push_text(g, i, rec->fields[i].p, rec->fields[i].len,
					      rec->fields[i].quoted);
			else
				r = push_empty(g, i, 1);
			if (r < 0)
				rc = r;
		}
	}
	if (rc < 0)
		return rc;
	if ((rc = row_end(g, nrows)))
		return rc;
	return after_row(g);
}

/* ---- NDJSON ---- */

static const char *json_scalar_text(struct rs_ingest *g, int node, const struct rs_type *t,
				    struct rs_buf *scratch, size_t *len, int *err)
{
	const char *p;
	enum rs_json_kind k = rs_json_kind(g->doc, node);

	*err = 0;
	if (k == RS_JSON_TRUE || k == RS_JSON_FALSE) {
		int is_bool = rs_type_base(t)->id == RS_T_BOOL || is_stringish(t);
		p = k == RS_JSON_TRUE ? (is_bool ? "true" : "1") : (is_bool ? "false" : "0");
		*len = strlen(p);
		return p;
	}
	if (rs_json_text(g->doc, node, scratch, &p, len) < 0) {
		*err = 1;
		return NULL;
	}
	return p;
}

static int push_json_array(struct rs_ingest *g, unsigned i, int node)
{
	struct rs_col *c = &g->cols[i];
	const struct rs_type *et = rs_type_base(g->v->schema.cols[i].type)->sub;
	size_t base;
	int rc, e;

	if (!c->child && (rc = rs_col_reserve(c, 1)))
		return rc;
	base = c->child->n;
	for (e = rs_json_first_child(g->doc, node); e >= 0; e = rs_json_next_sibling(g->doc, e)) {
		const char *p;
		size_t len;
		int bad;

		if (rs_json_kind(g->doc, e) == RS_JSON_NULL) {
			rc = rs_type_is_nullable(et) ? rs_col_push_null(c->child) : rs_col_push_zero(c->child);
		} else {
			p = json_scalar_text(g, e, et, &g->scratch2, &len, &bad);
			rc = bad ? -EINVAL : rs_value_parse(c->child, p, len);
		}
		if (rc == -EINVAL) {
			const char *raw;
			size_t rl;
			rs_col_truncate(c->child, base);
			rs_json_raw(g->doc, node, &raw, &rl);
			value_error(g, i, raw, rl, NULL);
			return 1;
		}
		if (rc)
			return rc;
	}
	return rs_col_array_close(c);
}

int rs_ingest_json_line(void *ctx, const char *line, size_t len, uint64_t lineno)
{
	struct rs_ingest *g = ctx;
	unsigned nc = g->v->schema.ncols;
	size_t nrows = g->cols[0].n;
	struct rs_err jerr = { 0 };
	int rc = 0;

	/* blank lines are not rows */
	size_t k = 0;
	while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
		k++;
	if (k == len)
		return 0;
	row_begin(g);
	if (rs_json_parse(g->doc, line, len, &jerr) < 0 ||
	    rs_json_kind(g->doc, 0) != RS_JSON_OBJECT) {
		/* the whole line is kept in the first column so nothing is lost */
		if (nc)
			set_raw(g, 0, line, len);
		if (!rs_utf8_valid(line, len))
			add_error(g, "", "line %llu: invalid UTF-8", (unsigned long long)lineno);
		else
			add_error(g, "", "line %llu: %s", (unsigned long long)lineno,
				  jerr.msg[0] ? jerr.msg : "not a JSON object");
		rc = push_quarantine(g);
		return rc ? rc : after_row(g);
	}
	for (unsigned i = 0; i < nc && rc >= 0; i++) {
		int node = rs_jsonpath_lookup(g->doc, g->paths[i]);
		const struct rs_type *t = g->v->schema.cols[i].type;
		int r;

		if (node >= 0) {
			const char *raw;
			size_t rl;
			rs_json_raw(g->doc, node, &raw, &rl);
			if (rs_json_kind(g->doc, node) == RS_JSON_STRING && rl >= 2)
				set_raw(g, i, raw + 1, rl - 2);
			else
				set_raw(g, i, raw, rl);
		}
		if (node < 0 || rs_json_kind(g->doc, node) == RS_JSON_NULL) {
			r = push_empty(g, i, 1);
			if (r == 1 && node >= 0 && rs_type_is_nullable(t))
				r = 0;
		} else if (rs_type_phys(t) == RS_PHYS_ARRAY) {
			if (rs_json_kind(g->doc, node) != RS_JSON_ARRAY) {
				const char *raw;
				size_t rl;
				rs_json_raw(g->doc, node, &raw, &rl);
				value_error(g, i, raw, rl, NULL);
				r = 1;
			} else {
				r = push_json_array(g, i, node);
			}
		} else if ((rs_json_kind(g->doc, node) == RS_JSON_OBJECT ||
			    rs_json_kind(g->doc, node) == RS_JSON_ARRAY) && !is_stringish(t)) {
			const char *raw;
			size_t rl;
			rs_json_raw(g->doc, node, &raw, &rl);
			value_error(g, i, raw, rl, NULL);
			r = 1;
		} else {
			const char *p;
			size_t pl;
			int bad;
			p = json_scalar_text(g, node, t, &g->scratch, &pl, &bad);
			if (bad) {
				add_error(g, g->v->schema.cols[i].name, "bad escape in column '%s'",
					  g->v->schema.cols[i].name);
				r = 1;
			} else {
				/* strings in JSON are quoted: an empty one is '' not NULL */
				r = push_text(g, i, p, pl, rs_json_kind(g->doc, node) == RS_JSON_STRING);
			}
		}
		if (r < 0)
			rc = r;
	}
	if (rc < 0)
		return rc;
	if ((rc = row_end(g, nrows)))
		return rc;
	return after_row(g);
}
