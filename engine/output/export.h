/*
 * export.h - stream every row of a stored table in an output format.
 *
 * Reads a snapshot part by part, granule by granule, only the columns of
 * 'schema' (looked up by name in each part; a column a part lacks takes its
 * default row), and renders them with a format writer. Memory: one granule
 * of decoded columns plus the caller's output buffer.
 * Implementation: export.c.
 */
#ifndef RS_OUTPUT_EXPORT_H
#define RS_OUTPUT_EXPORT_H

#include "../storage/table.h"
#include "format.h"

struct rs_export;

/*
 * schema and defaults (one row per schema column, or NULL for zero values)
 * are borrowed and must outlive the export; the snapshot is referenced by
 * the export (it takes its own reference).
 */
int rs_export_new(const struct rs_schema *schema, const struct rs_col *defaults,
		  struct rs_snapshot *snap, enum rs_format fmt, struct rs_export **out,
		  struct rs_err *err);
/* Append the next piece of output (at least 'want' bytes unless the end
 * comes first). Returns 1 when something was appended, 0 at the end, <0 on
 * error (-EIO for corrupt data, with a message). */
int rs_export_next(struct rs_export *e, struct rs_buf *out, size_t want, struct rs_err *err);
void rs_export_free(struct rs_export *e);

/* Read granule g of part p as 'schema' columns into cols (reset first).
 * Shared with ingestion and merges; query scans pass cached = 1 to read
 * through the granule cache (storage/gcache.h). */
int rs_read_granule_as(struct rs_part *p, unsigned g, const struct rs_schema *schema,
		       const struct rs_col *defaults, struct rs_col *cols, int cached,
		       struct rs_err *err);

#endif
