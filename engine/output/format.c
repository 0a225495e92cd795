#include "format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "../base/err.h"
#include "../types/value.h"

static const char *const exts[] = {
	[RS_FMT_CSV] = "csv",	    [RS_FMT_TSV] = "tsv",   [RS_FMT_NDJSON] = "ndjson",
	[RS_FMT_JSON] = "json",	    [RS_FMT_PROMETHEUS] = "prometheus",
};

int rs_format_from_ext(const char *ext)
{
	for (int i = 0; i < (int)(sizeof(exts) / sizeof(exts[0])); i++)
		if (!strcmp(ext, exts[i]))
			return i;
	return -1;
}

const char *rs_format_ext(enum rs_format f)
{
	return exts[f];
}

/* JSON string of a name */
static int json_str(struct rs_buf *out, const char *s)
{
	static const struct rs_type str = { .id = RS_T_STRING };
	struct rs_col c;
	int rc;

	rs_col_init(&c, &str);
	rc = rs_col_push_str(&c, s, strlen(s));
	if (!rc)
		rc = rs_value_render(&c, 0, RS_RENDER_JSON, out);
	rs_col_release(&c);
	return rc;
}

int rs_writer_init(struct rs_writer *w, enum rs_format fmt, const struct rs_schema *schema,
		   struct rs_err *err)
{
	struct rs_buf keys = RS_BUF_INIT;

	memset(w, 0, sizeof(*w));
	w->fmt = fmt;
	w->schema = schema;
	w->key_off = xcalloc(schema->ncols + 1, sizeof(size_t));
	for (unsigned i = 0; i < schema->ncols; i++) {
		if (json_str(&keys, schema->cols[i].name)) {
			rs_buf_release(&keys);
			return rs_errf(err, -ENOMEM, "out of memory");
		}
		w->key_off[i + 1] = keys.len;
	}
	w->keys = rs_buf_detach(&keys, NULL);
	if (fmt == RS_FMT_PROMETHEUS) {
		w->prom_name = rs_schema_find(schema, "name");
		w->prom_value = rs_schema_find(schema, "value");
		w->prom_help = rs_schema_find(schema, "help");
		w->prom_type = rs_schema_find(schema, "type");
		w->prom_ts = rs_schema_find(schema, "timestamp");
		w->prom_labels = rs_schema_find(schema, "labels");
		if (w->prom_name < 0 || w->prom_value < 0)
			return rs_errf(err, -EINVAL,
				       "the prometheus format needs columns 'name' and 'value'");
	}
	return 0;
}

void rs_writer_release(struct rs_writer *w)
{
	free(w->keys);
	free(w->key_off);
	w->keys = NULL;
	w->key_off = NULL;
}

int rs_writer_header(struct rs_writer *w, struct rs_buf *out)
{
	const struct rs_schema *s = w->schema;
	int rc = 0;

	switch (w->fmt) {
	case RS_FMT_CSV:
	case RS_FMT_TSV: {
		static const struct rs_type str = { .id = RS_T_STRING };
		enum rs_render_style st = w->fmt == RS_FMT_CSV ? RS_RENDER_CSV : RS_RENDER_TSV;
		for (unsigned i = 0; i < s->ncols && !rc; i++) {
			struct rs_col c;
			rs_col_init(&c, &str);
			if (i)
				rc = rs_buf_addc(out, w->fmt == RS_FMT_CSV ? ',' : '\t');
			if (!rc)
				rc = rs_col_push_str(&c, s->cols[i].name, strlen(s->cols[i].name));
			if (!rc)
				rc = rs_value_render(&c, 0, st, out);
			rs_col_release(&c);
		}
		if (!rc)
			rc = rs_buf_addc(out, '\n');
		return rc;
	}
	case RS_FMT_JSON:
		rc = rs_buf_adds(out, "{\n\t\"meta\":\n\t[");
		for (unsigned i = 0; i < s->ncols && !rc; i++) {
			struct rs_buf tn = RS_BUF_INIT;
			rc = rs_buf_adds(out, i ? ",\n\t\t{\n\t\t\t\"name\": " : "\n\t\t{\n\t\t\t\"name\": ");
			if (!rc)
				rc = json_str(out, s->cols[i].name);
			if (!rc)
				rc = rs_buf_adds(out, ",\n\t\t\t\"type\": ");
			if (!rc)
				rc = rs_type_name(s->cols[i].type, &tn);
			if (!rc)
				rc = json_str(out, tn.data);
			if (!rc)
				rc = rs_buf_adds(out, "\n\t\t}");
			rs_buf_release(&tn);
		}
		if (!rc)
			rc = rs_buf_adds(out, "\n\t],\n\n\t\"data\":\n\t[\n");
		return rc;
	default:
		return 0;
	}
}

static int prom_row(struct rs_writer *w, const struct rs_col *cols, size_t r, struct rs_buf *out)
{
	int rc = 0;
	struct rs_buf name = RS_BUF_INIT;

	rc = rs_value_render(&cols[w->prom_name], r, RS_RENDER_TEXT, &name);
	if (!rc && w->prom_help >= 0 && !rs_col_is_null(&cols[w->prom_help], r)) {
		rc = rs_buf_printf(out, "# HELP %s ", name.data);
		if (!rc)
			rc = rs_value_render(&cols[w->prom_help], r, RS_RENDER_TEXT, out);
		if (!rc)
			rc = rs_buf_addc(out, '\n');
	}
	if (!rc && w->prom_type >= 0 && !rs_col_is_null(&cols[w->prom_type], r)) {
		rc = rs_buf_printf(out, "# TYPE %s ", name.data);
		if (!rc)
			rc = rs_value_render(&cols[w->prom_type], r, RS_RENDER_TEXT, out);
		if (!rc)
			rc = rs_buf_addc(out, '\n');
	}
	if (!rc)
		rc = rs_buf_add(out, name.data, name.len);
	if (!rc && w->prom_labels >= 0 && !rs_col_is_null(&cols[w->prom_labels], r)) {
		/* labels as a String 'k="v",...' or an Array(String) of k=v */
		struct rs_buf lb = RS_BUF_INIT;
		rc = rs_value_render(&cols[w->prom_labels], r, RS_RENDER_TEXT, &lb);
		if (!rc && lb.len && strcmp(lb.data, "[]"))
			rc = rs_buf_printf(out, "{%s}", lb.data);
		rs_buf_release(&lb);
	}
	if (!rc)
		rc = rs_buf_addc(out, ' ');
	if (!rc)
		rc = rs_value_render(&cols[w->prom_value], r, RS_RENDER_TEXT, out);
	if (!rc && w->prom_ts >= 0 && !rs_col_is_null(&cols[w->prom_ts], r)) {
		rc = rs_buf_addc(out, ' ');
		if (!rc)
			rc = rs_value_render(&cols[w->prom_ts], r, RS_RENDER_TEXT, out);
	}
	if (!rc)
		rc = rs_buf_addc(out, '\n');
	rs_buf_release(&name);
	return rc;
}

int rs_writer_rows(struct rs_writer *w, const struct rs_col *cols, size_t from, size_t n,
		   struct rs_buf *out)
{
	const struct rs_schema *s = w->schema;
	int rc = 0;

	for (size_t r = from; r < from + n && !rc; r++) {
		switch (w->fmt) {
		case RS_FMT_CSV:
		case RS_FMT_TSV: {
			char sep = w->fmt == RS_FMT_CSV ? ',' : '\t';
			enum rs_render_style st =
				w->fmt == RS_FMT_CSV ? RS_RENDER_CSV : RS_RENDER_TSV;
			for (unsigned i = 0; i < s->ncols && !rc; i++) {
				if (i)
					rc = rs_buf_addc(out, sep);
				if (!rc)
					rc = rs_value_render(&cols[i], r, st, out);
			}
			if (!rc)
				rc = rs_buf_addc(out, '\n');
			break;
		}
		case RS_FMT_NDJSON:	/* {"k":v,"k":v}\n */
		case RS_FMT_JSON:	/* \t\t{\n\t\t\t"k": v,\n ... \n\t\t} (ClickHouse JSON) */
			if (w->fmt == RS_FMT_JSON)
				rc = rs_buf_adds(out, w->rows ? ",\n\t\t{\n\t\t\t" : "\t\t{\n\t\t\t");
			else
				rc = rs_buf_addc(out, '{');
			for (unsigned i = 0; i < s->ncols && !rc; i++) {
				if (i)
					rc = rs_buf_adds(out, w->fmt == RS_FMT_JSON ? ",\n\t\t\t" : ",");
				if (!rc)
					rc = rs_buf_add(out, w->keys + w->key_off[i],
							w->key_off[i + 1] - w->key_off[i]);
				if (!rc)
					rc = rs_buf_adds(out, w->fmt == RS_FMT_JSON ? ": " : ":");
				if (!rc)
					rc = rs_value_render(&cols[i], r, RS_RENDER_JSON, out);
			}
			if (!rc)
				rc = rs_buf_adds(out, w->fmt == RS_FMT_JSON ? "\n\t\t}" : "}\n");
			break;
		case RS_FMT_PROMETHEUS:
			rc = prom_row(w, cols, r, out);
			break;
		}
		w->rows++;
	}
	return rc;
}

int rs_writer_footer(struct rs_writer *w, const struct rs_fmt_stats *st, struct rs_buf *out)
{
	int rc;

	if (w->fmt != RS_FMT_JSON)
		return 0;
	rc = rs_buf_printf(out, "\n\t],\n\n\t\"rows\": %llu,\n", (unsigned long long)w->rows);
	if (!rc && st && st->rows_before_limit >= 0)
		rc = rs_buf_printf(out, "\n\t\"rows_before_limit_at_least\": %lld,\n",
				   (long long)st->rows_before_limit);
	if (!rc)
		rc = rs_buf_printf(out,
				   "\n\t\"statistics\":\n\t{\n\t\t\"elapsed\": %.6f,\n\t\t\"rows_read\": %llu,\n\t\t\"bytes_read\": %llu\n\t}\n}\n",
				   st ? st->elapsed : 0.0,
				   (unsigned long long)(st ? st->rows_read : 0),
				   (unsigned long long)(st ? st->bytes_read : 0));
	return rc;
}
