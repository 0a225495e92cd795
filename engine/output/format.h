/*
 * format.h - output formats of tables and query results (SPEC 2):
 *   csv         ClickHouse CSVWithNames: header row of quoted names, then rows
 *   tsv         ClickHouse TSVWithNames
 *   ndjson      JSONEachRow: one object per row
 *   json        Tinybird's envelope laid out as ClickHouse FORMAT JSON (tabs,
 *               one key per line in meta entries and data rows): meta, data, rows,
 *               rows_before_limit_at_least (when given), statistics
 *   prometheus  text exposition from columns name, value [, help, type,
 *               timestamp, labels]
 * A writer renders a header, any number of row batches, then a footer, each
 * appended to a buffer, so output can stream. Implementation: format.c.
 */
#ifndef RS_OUTPUT_FORMAT_H
#define RS_OUTPUT_FORMAT_H

#include <stdint.h>

#include "../types/column.h"
#include "../types/schema.h"

struct rs_buf;
struct rs_err;

enum rs_format {
	RS_FMT_CSV,
	RS_FMT_TSV,
	RS_FMT_NDJSON,
	RS_FMT_JSON,
	RS_FMT_PROMETHEUS,
};

/* "csv" -> RS_FMT_CSV ...; -1 when unknown. */
int rs_format_from_ext(const char *ext);
const char *rs_format_ext(enum rs_format f);

struct rs_fmt_stats {
	double elapsed;			/* seconds */
	uint64_t rows_read, bytes_read;
	int64_t rows_before_limit;	/* -1 = absent */
};

struct rs_writer {
	enum rs_format fmt;
	const struct rs_schema *schema;	/* borrowed */
	uint64_t rows;			/* rows written so far */
	int prom_name, prom_value, prom_help, prom_type, prom_ts, prom_labels;
	char *keys;			/* JSON-quoted column names, back to back */
	size_t *key_off;		/* ncols + 1 offsets into keys */
};

/* -EINVAL for prometheus without 'name' and 'value' columns. */
int rs_writer_init(struct rs_writer *w, enum rs_format fmt, const struct rs_schema *schema,
		   struct rs_err *err);
void rs_writer_release(struct rs_writer *w);
int rs_writer_header(struct rs_writer *w, struct rs_buf *out);
/* Rows [from, from+n) of cols (laid out as the schema). */
int rs_writer_rows(struct rs_writer *w, const struct rs_col *cols, size_t from, size_t n,
		   struct rs_buf *out);
int rs_writer_footer(struct rs_writer *w, const struct rs_fmt_stats *st, struct rs_buf *out);

#endif
