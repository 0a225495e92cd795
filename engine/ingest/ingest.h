/*
 * ingest.h - one ingestion into a data source: bytes in, committed rows out.
 *
 * A writer handle owns one rs_ingest. Bytes arrive in write() chunks cut
 * anywhere; rows are parsed (CSV or NDJSON), converted to the data source's
 * column types, and staged: whenever the staged rows reach a memory budget
 * they are sorted by the sorting key, split by partition and written as
 * parts that nobody references yet. rs_ingest_commit (FUSE flush) makes
 * everything staged since the previous commit live atomically, or nothing
 * of it. Rows that do not convert go to the quarantine table with
 * Tinybird's columns and messages; they do not fail the commit.
 *
 * Replace mode (O_TRUNC, rename-over, fixtures): the first commit replaces
 * every row; later commits append.
 *
 * Thread safety: one thread at a time per rs_ingest (the FUSE handle's
 * mutex); commits into one data source are serialised by ds->commit_lock.
 */
#ifndef RS_INGEST_INGEST_H
#define RS_INGEST_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "../catalog/catalog.h"

enum rs_ingest_fmt {
	RS_IN_CSV,
	RS_IN_NDJSON,
};

struct rs_ingest_result {
	uint64_t rows;			/* rows committed */
	uint64_t rows_quarantine;	/* rows sent to quarantine */
	int committed;			/* 0 when the commit was a no-op */
	char import_id[27];
};

struct rs_ingest;

/* ds is referenced by the ingestion; user is copied (for the ops log). */
struct rs_ingest *rs_ingest_new(struct rs_catalog *c, struct rs_ds *ds,
				enum rs_ingest_fmt fmt, int replace, const char *user);
/* -EFBIG (max_row, max_ingest), -EDQUOT, -ENOSPC, -EIO, -ENOMEM. After an
 * error the ingestion is failed: later writes return the same error and the
 * next commit discards what was staged and returns it too. */
int rs_ingest_write(struct rs_ingest *g, const char *data, size_t len, struct rs_err *err);
/* Append n rows given as columns of schema s (a query's result: a
 * materialized view, a copy pipe): columns map by name, missing ones take
 * their DEFAULT, other types convert through their text. */
int rs_ingest_add_cols(struct rs_ingest *g, const struct rs_schema *s, const struct rs_col *cols,
		       size_t n, struct rs_err *err);
/* Commit what was written since the previous commit. res may be NULL. */
int rs_ingest_commit(struct rs_ingest *g, struct rs_ingest_result *res, struct rs_err *err);
/* The ops log's event_type for this ingestion's commits (static string),
 * e.g. "copy"; default "append" or "replace". */
void rs_ingest_set_event(struct rs_ingest *g, const char *event);
/* Did anything arrive since the last commit? */
int rs_ingest_dirty(const struct rs_ingest *g);
void rs_ingest_free(struct rs_ingest *g);	/* discards anything uncommitted */

#endif
