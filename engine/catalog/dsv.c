/*
 * dsv.c - building a definition version: parse the datafile, derive the
 * schema, keys and quarantine schema, and check the DEFAULT expressions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "../types/value.h"
#include "ds_int.h"

static void dsv_free(struct rs_dsv *v)
{
	if (!v)
		return;
	free(v->text);
	rs_ds_def_release(&v->def);
	rs_schema_release(&v->schema);
	rs_schema_release(&v->qschema);
	rs_key_release(&v->sort_key);
	rs_key_release(&v->part_key);
	free(v->has_default);
	free(v);
}

void rs_dsv_unref(struct rs_dsv *v)
{
	if (v && __atomic_sub_fetch(&v->refs, 1, __ATOMIC_SEQ_CST) == 0)
		dsv_free(v);
}

static struct rs_type *parse_type(const char *s)
{
	struct rs_type *t = NULL;

	rs_type_parse(s, &t, NULL);
	return t;
}

static void build_qschema(struct rs_dsv *v)
{
	rs_schema_init(&v->qschema);
	for (unsigned i = 0; i < v->schema.ncols; i++)
		rs_schema_add(&v->qschema, v->schema.cols[i].name,
			      parse_type("Nullable(String)"));
	rs_schema_add(&v->qschema, "c__error_column", parse_type("Array(String)"));
	rs_schema_add(&v->qschema, "c__error", parse_type("Array(String)"));
	rs_schema_add(&v->qschema, "c__import_id", parse_type("Nullable(String)"));
	rs_schema_add(&v->qschema, "insertion_date", parse_type("DateTime"));
}

/* Evaluate a DEFAULT expression to the text that rs_value_parse takes.
 * Supported: literals ('str', numbers, true/false, NULL, [..]), now(),
 * now64(..), today(), yesterday(), and f(literal) conversions such as
 * toDate('2020-01-01'). Returns 0 and sets *is_null, or -EINVAL. */
static int default_text(const char *expr, int64_t now, struct rs_buf *out, int *is_null)
{
	const char *p = expr, *q;
	size_t n;

	*is_null = 0;
	rs_buf_reset(out);
	while (isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (!n)
		return -EINVAL;
	if (n == 4 && !strncasecmp(p, "NULL", 4)) {
		*is_null = 1;
		return 0;
	}
	if (p[0] == '\'' && n >= 2 && p[n - 1] == '\'') {
		for (size_t i = 1; i + 1 < n; i++) {
			if (p[i] == '\\' && i + 2 < n) {
				i++;
				switch (p[i]) {
				case 'n': rs_buf_addc(out, '\n'); break;
				case 't': rs_buf_addc(out, '\t'); break;
				case '0': rs_buf_addc(out, '\0'); break;
				default: rs_buf_addc(out, p[i]);
				}
			} else if (p[i] == '\'' && i + 2 < n && p[i + 1] == '\'') {
				rs_buf_addc(out, '\'');
				i++;
			} else if (p[i] == '\'') {
				return -EINVAL;	/* 'a' || 'b' and such */
			} else {
				rs_buf_addc(out, p[i]);
			}
		}
		return 0;
	}
	q = p;
	while (q < p + n && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	if (q > p && q < p + n && *q == '(' && p[n - 1] == ')') {
		size_t fl = (size_t)(q - p);
		char fn[64];
		if (fl >= sizeof(fn))
			return -EINVAL;
		memcpy(fn, p, fl);
		fn[fl] = 0;
		if (!strcmp(fn, "now") || !strcmp(fn, "now64")) {
			char dt[20];
			rs_fmt_datetime(now, dt);
			return rs_buf_adds(out, dt);
		}
		if (!strcmp(fn, "today") || !strcmp(fn, "yesterday")) {
			char d[11];
			int64_t days = now / 86400 - (fn[0] == 'y');
			rs_fmt_date((int32_t)days, d);
			return rs_buf_adds(out, d);
		}
		if (!strcmp(fn, "array") || !strcmp(fn, "tuple"))
			return -EINVAL;
		/* conversion of one literal: toDate('...'), toUInt8(0) ... */
		char inner[512];
		size_t il = n - fl - 2;
		if (il >= sizeof(inner))
			return -EINVAL;
		memcpy(inner, q + 1, il);
		inner[il] = 0;
		if (strchr(inner, '(') || !*inner)
			return -EINVAL;
		return default_text(inner, now, out, is_null);
	}
	/* a number, true/false, or an array literal: the value parser decides */
	return rs_buf_add(out, p, n);
}

int rs_dsv_eval_defaults(const struct rs_dsv *v, int64_t now, struct rs_col *defs,
			 struct rs_err *err)
{
	struct rs_buf text = RS_BUF_INIT;
	int rc = 0;
	unsigned i;

	for (i = 0; i < v->schema.ncols; i++)
		rs_col_init(&defs[i], v->schema.cols[i].type);
	for (i = 0; i < v->schema.ncols && !rc; i++) {
		const struct rs_ds_column *dc = &v->def.cols[i];
		int is_null = 0;

		if (!dc->default_expr) {
			if (rs_type_is_nullable(v->schema.cols[i].type))
				rc = rs_col_push_null(&defs[i]);
			else
				rc = rs_col_push_zero(&defs[i]);
			continue;
		}
		rc = default_text(dc->default_expr, now, &text, &is_null);
		if (!rc) {
			if (is_null)
				rc = rs_col_push_null(&defs[i]);
			else
				rc = rs_value_parse(&defs[i], text.data ? text.data : "", text.len);
		}
		if (rc == -EINVAL)
			rc = rs_errf(err, -EINVAL,
				     "%u:1: column '%s': unsupported DEFAULT expression '%s' for type %s",
				     dc->line, dc->name, dc->default_expr, dc->type_text);
	}
	rs_buf_release(&text);
	if (rc)
		for (i = 0; i < v->schema.ncols; i++)
			rs_col_release(&defs[i]);
	return rc;
}

int rs_dsv_build(const char *text, size_t len, const struct rs_limits *lim,
		 struct rs_dsv **out, struct rs_err *err)
{
	struct rs_dsv *v = xcalloc(1, sizeof(*v));
	struct rs_col *defs;
	int rc;

	v->refs = 1;
	v->text = xmalloc(len + 1);
	memcpy(v->text, text, len);
	v->text[len] = 0;
	v->len = len;
	rs_schema_init(&v->schema);
	rs_schema_init(&v->qschema);
	if ((rc = rs_ds_parse(text, len, &v->def, err))) {
		dsv_free(v);
		return rc;
	}
	if (lim && v->def.ncols > lim->max_columns) {
		rc = rs_errf(err, -EINVAL, "too many columns: %u, max_columns is %u",
			     v->def.ncols, lim->max_columns);
		dsv_free(v);
		return rc;
	}
	v->has_default = xcalloc(v->def.ncols ? v->def.ncols : 1, 1);
	for (unsigned i = 0; i < v->def.ncols; i++) {
		rs_schema_add(&v->schema, v->def.cols[i].name,
			      rs_type_clone(v->def.cols[i].type));
		v->has_default[i] = v->def.cols[i].default_expr != NULL;
	}
	if ((rc = rs_key_parse(v->def.sorting_key, &v->schema, "ENGINE_SORTING_KEY",
			       &v->sort_key, err)) ||
	    (rc = rs_key_parse(v->def.partition_key, &v->schema, "ENGINE_PARTITION_KEY",
			       &v->part_key, err)) ||
	    (rc = rs_ttl_parse(v->def.ttl, &v->schema, &v->ttl, err))) {
		dsv_free(v);
		return rc;
	}
	defs = xcalloc(v->schema.ncols ? v->schema.ncols : 1, sizeof(*defs));
	rc = rs_dsv_eval_defaults(v, rs_wall_time(), defs, err);
	if (!rc)
		for (unsigned i = 0; i < v->schema.ncols; i++)
			rs_col_release(&defs[i]);
	free(defs);
	if (rc) {
		dsv_free(v);
		return rc;
	}
	build_qschema(v);
	*out = v;
	return 0;
}
