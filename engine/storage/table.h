/*
 * table.h - a stored table: a directory of parts and a manifest naming the
 * live ones, with atomic commits and reference-counted snapshots.
 *
 *   <dir>/manifest        list of live parts (written tmp + fsync + rename)
 *   <dir>/<part>/         parts (part.h)
 *
 * A commit writes its parts first (fsynced), then a new manifest, then
 * fsyncs the directory: a crash before the rename leaves the old manifest
 * and orphan part directories, which rs_table_open removes. Readers take a
 * snapshot (immutable list of opened parts) and never block writers;
 * commits are serialised by the table's own lock. A background merge
 * (rs_table_merge) combines small parts into bigger ones with the caller's
 * row order.
 *
 * A table stores one schema version at a time; parts written under older
 * schemas are read by column name (missing columns are the caller's
 * business: rs_snapshot exposes each part's own schema).
 */
#ifndef RS_STORAGE_TABLE_H
#define RS_STORAGE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "part.h"

struct rs_table;

struct rs_snapshot {
	unsigned nparts;
	struct rs_part **parts;	/* each holds a reference */
	uint64_t rows;		/* sum of part rows */
	uint64_t bytes;		/* sum of part bytes */
	int refs;		/* internal */
};

/* Row order for merges: <0, 0, >0 comparing row ai of parts' columns a with
 * row bi of b (both laid out as the table schema). */
typedef int (*rs_row_cmp_fn)(void *ctx, const struct rs_col *a, size_t ai,
			     const struct rs_col *b, size_t bi);

/* Open (creating if needed) the table stored in 'dir'; removes orphans. */
int rs_table_open(const char *dir, struct rs_table **out, struct rs_err *err);
void rs_table_close(struct rs_table *t);	/* NULL ok; waits for nothing */
const char *rs_table_dir(const struct rs_table *t);

/* A new unique directory path for a part to be written (not created). */
void rs_table_new_part_dir(struct rs_table *t, char *out, size_t outsz);

/* Current snapshot, one reference (release with rs_snapshot_unref). */
struct rs_snapshot *rs_table_snapshot(struct rs_table *t);
void rs_snapshot_unref(struct rs_snapshot *s);
/* Take one more reference on a snapshot the caller already holds. */
struct rs_snapshot *rs_snapshot_ref(struct rs_snapshot *s);

/*
 * Commit: make the finished parts at dirs[0..n) live. With replace = 1 the
 * new manifest holds only them (truncate when n = 0); else they are added.
 * Atomic and durable on return 0. On error the table is unchanged and the
 * new part directories are removed.
 */
int rs_table_commit(struct rs_table *t, char **dirs, unsigned n, int replace,
		    struct rs_err *err);

/*
 * Merge: if the table has more than 'max_parts' parts, or small parts
 * (< min_rows) that can be combined, merge up to 'fanin' of them into one
 * part ordered by cmp (k-way merge of sorted inputs; memory bounded by one
 * granule per input). Only parts whose schema equals 'schema' (same names
 * and types in the same order) are merge candidates.
 * Returns 1 if it merged something, 0 if nothing to do, <0 on error.
 * Concurrent commits are allowed during the merge; the merged parts are
 * swapped atomically if they are all still live.
 */
int rs_table_merge(struct rs_table *t, const struct rs_schema *schema,
		   rs_row_cmp_fn cmp, void *ctx, unsigned max_parts, uint64_t min_rows,
		   unsigned fanin, struct rs_err *err);

/*
 * Rewrite part p (of the current snapshot) keeping only the rows keep()
 * accepts (cols laid out as the part's own schema); a part left empty is
 * dropped. Used for TTL. Returns 1 when the table changed, 0 when every
 * row was kept (or p is no longer live), <0 on error.
 */
typedef int (*rs_row_keep_fn)(void *ctx, const struct rs_schema *schema, const struct rs_col *cols,
			      size_t row);
int rs_table_rewrite(struct rs_table *t, struct rs_part *p, rs_row_keep_fn keep, void *ctx,
		     struct rs_err *err);

#endif
