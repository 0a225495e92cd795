#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"

struct rs_export {
	const struct rs_schema *schema;
	const struct rs_col *defaults;
	struct rs_snapshot *snap;
	struct rs_writer w;
	struct rs_col *cols;
	unsigned part, granule;
	int state;		/* 0 header, 1 rows, 2 footer, 3 done */
	uint64_t t0, bytes_read, rows_read;
};

int rs_read_granule_as(struct rs_part *p, unsigned g, const struct rs_schema *schema,
		       const struct rs_col *defaults, struct rs_col *cols, int cached,
		       struct rs_err *err)
{
	const struct rs_schema *ps = rs_part_schema(p);
	uint32_t n = rs_part_granule_rows(p, g);
	int rc;

	for (unsigned i = 0; i < schema->ncols; i++) {
		int j = rs_schema_find(ps, schema->cols[i].name);

		rs_col_reset(&cols[i]);
		if (j >= 0 && rs_type_equal(ps->cols[j].type, schema->cols[i].type)) {
			if ((rc = cached ? rs_part_read_cached(p, (unsigned)j, g, &cols[i], err) :
				  rs_part_read(p, (unsigned)j, g, &cols[i], err)))
				return rc;
			continue;
		}
		/* column added after this part was written */
		for (uint32_t r = 0; r < n; r++) {
			if (defaults)
				rc = rs_col_append(&cols[i], &defaults[i], 0, 1);
			else if (rs_type_is_nullable(schema->cols[i].type))
				rc = rs_col_push_null(&cols[i]);
			else
				rc = rs_col_push_zero(&cols[i]);
			if (rc)
				return rs_errf(err, rc, "out of memory");
		}
	}
	return 0;
}

int rs_export_new(const struct rs_schema *schema, const struct rs_col *defaults,
		  struct rs_snapshot *snap, enum rs_format fmt, struct rs_export **out,
		  struct rs_err *err)
{
	struct rs_export *e = xcalloc(1, sizeof(*e));
	int rc;

	e->schema = schema;
	e->defaults = defaults;
	e->snap = rs_snapshot_ref(snap);
	e->t0 = rs_now_ns();
	if ((rc = rs_writer_init(&e->w, fmt, schema, err))) {
		rs_export_free(e);
		return rc;
	}
	e->cols = xcalloc(schema->ncols ? schema->ncols : 1, sizeof(*e->cols));
	for (unsigned i = 0; i < schema->ncols; i++)
		rs_col_init(&e->cols[i], schema->cols[i].type);
	*out = e;
	return 0;
}

int rs_export_next(struct rs_export *e, struct rs_buf *out, size_t want, struct rs_err *err)
{
	size_t start = out->len;
	int rc;

	while (out->len - start < want || e->state == 0) {
		if (e->state == 0) {
			if ((rc = rs_writer_header(&e->w, out)))
				return rs_errf(err, rc, "out of memory");
			e->state = 1;
			continue;
		}
		if (e->state == 1) {
			struct rs_part *p;

			if (e->part >= e->snap->nparts) {
				e->state = 2;
				continue;
			}
			p = e->snap->parts[e->part];
			if (e->granule >= rs_part_ngranules(p)) {
				e->part++;
				e->granule = 0;
				continue;
			}
			if ((rc = rs_read_granule_as(p, e->granule, e->schema, e->defaults,
						     e->cols, 0, err)))
				return rc;
			size_t n = rs_part_granule_rows(p, e->granule);
			e->rows_read += n;
			e->granule++;
			if ((rc = rs_writer_rows(&e->w, e->cols, 0, n, out)))
				return rs_errf(err, rc, "out of memory");
			continue;
		}
		if (e->state == 2) {
			struct rs_fmt_stats st = {
				.elapsed = (double)(rs_now_ns() - e->t0) / 1e9,
				.rows_read = e->rows_read,
				.bytes_read = e->snap->bytes,
				.rows_before_limit = -1,
			};
			if ((rc = rs_writer_footer(&e->w, &st, out)))
				return rs_errf(err, rc, "out of memory");
			e->state = 3;
		}
		break;
	}
	return out->len > start ? 1 : 0;
}

void rs_export_free(struct rs_export *e)
{
	if (!e)
		return;
	if (e->cols)
		for (unsigned i = 0; i < e->schema->ncols; i++)
			rs_col_release(&e->cols[i]);
	free(e->cols);
	rs_writer_release(&e->w);
	rs_snapshot_unref(e->snap);
	free(e);
}
