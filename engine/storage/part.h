/*
 * part.h - immutable on-disk parts of a table.
 *
 * A part is a directory holding one file per column plus a meta file (row
 * count, column names and types, granule index with per-granule min/max).
 * Column data is cut into granules of RS_GRANULE_ROWS rows; each granule of
 * each column is one or more blocks: header (magic, codec, raw size, packed
 * size, checksum) + payload compressed with lz4, after an optional
 * lightweight encoding (delta for integers/dates, dictionary for
 * LowCardinality and repetitive strings). Layout: part_int.h.
 *
 * Parts are written once (rs_part_writer) and never edited; merges write new
 * parts. An opened part (rs_part) is reference counted and safe to read from
 * several threads at once.
 *
 * Corruption is never trusted: bad magic, sizes, checksums or lz4 payloads
 * give -EIO with a message naming the file and offset.
 */
#ifndef RS_STORAGE_PART_H
#define RS_STORAGE_PART_H

#include <stddef.h>
#include <stdint.h>

#include "../types/column.h"
#include "../types/schema.h"

#define RS_GRANULE_ROWS 8192

struct rs_err;
struct rs_part;
struct rs_part_writer;

/*
 * Start writing a part into directory 'dir' (created; must not exist).
 * 'schema' is copied. Rows must be added in their final (sorted) order.
 */
int rs_part_writer_open(const char *dir, const struct rs_schema *schema,
			struct rs_part_writer **out, struct rs_err *err);
/* Append rows [from, from+count) of cols[0..schema.ncols) (same types as the
 * schema). Full granules are compressed and written as they fill, so memory
 * stays bounded by one granule per column. */
int rs_part_writer_add(struct rs_part_writer *w, const struct rs_col *cols,
		       size_t from, size_t count, struct rs_err *err);
/* The same, with the columns of whole granules encoded by up to nthreads
 * threads (this one included; at most 8); same bytes on disk. */
int rs_part_writer_add_par(struct rs_part_writer *w, const struct rs_col *cols, size_t from,
			   size_t count, unsigned nthreads, struct rs_err *err);
/* Write the last granule and the meta file, fsync every file and the
 * directory. The part is then complete (but referenced by nobody until a
 * table manifest names it). Frees w in all cases. */
int rs_part_writer_finish(struct rs_part_writer *w, struct rs_err *err);
/* Abandon: remove the directory, free w. NULL is a no-op. */
void rs_part_writer_abort(struct rs_part_writer *w);
uint64_t rs_part_writer_rows(const struct rs_part_writer *w);

/* Open a finished part. *out holds one reference. -ENOENT, -EIO, -ENOMEM. */
int rs_part_open(const char *dir, struct rs_part **out, struct rs_err *err);
struct rs_part *rs_part_ref(struct rs_part *p);
void rs_part_unref(struct rs_part *p);		/* NULL is a no-op */

const char *rs_part_dir(const struct rs_part *p);
uint64_t rs_part_rows(const struct rs_part *p);
uint64_t rs_part_bytes(const struct rs_part *p);	/* compressed bytes on disk */
const struct rs_schema *rs_part_schema(const struct rs_part *p);
unsigned rs_part_ngranules(const struct rs_part *p);
uint32_t rs_part_granule_rows(const struct rs_part *p, unsigned g);

/*
 * Decode granule g of column 'col' (index in rs_part_schema) and APPEND its
 * rows to dst (dst->type must equal the column's type). -EIO on corruption.
 */
int rs_part_read(struct rs_part *p, unsigned col, unsigned g, struct rs_col *dst,
		 struct rs_err *err);
/* The same through the granule cache (gcache.h): for query scans. */
int rs_part_read_cached(struct rs_part *p, unsigned col, unsigned g, struct rs_col *dst,
			struct rs_err *err);

/*
 * Dictionary view of granule g of a String column 'col' (not Nullable, not
 * an array; LowCardinality(String) included): when the granule is
 * dictionary-encoded, dict (rs_col_init'ed by the caller with the column's
 * type) receives the distinct values and codes[0..rows) the index of each
 * row's value in dict, and 1 is returned. Otherwise dict receives the rows
 * themselves, codes is untouched and 0 is returned. No per-row strings are
 * built either way. -EINVAL for other column types, -EIO on corruption.
 */
int rs_part_read_codes(struct rs_part *p, unsigned col, unsigned g, uint32_t *codes,
		       struct rs_col *dict, struct rs_err *err);

/*
 * Per-granule min/max of column 'col', as two one-row columns of the
 * column's base type (Nullable/LowCardinality stripped) written into
 * min/max (initialised by the caller with rs_col_init on that base type,
 * rows appended). Returns 1 when known, 0 when not kept (arrays, long
 * strings, all-NULL granule), <0 on error. *has_null tells whether the
 * granule holds NULLs (may be NULL).
 */
int rs_part_minmax(struct rs_part *p, unsigned col, unsigned g, struct rs_col *min,
		   struct rs_col *max, int *has_null);

#endif
