/*
 * ingest_int.h - internals of one ingestion, shared by ingest.c (life
 * cycle, commit), ingest_row.c (records to typed rows or quarantine rows)
 * and ingest_stage.c (sort, partition, write staged parts).
 */
#ifndef RS_INGEST_INGEST_INT_H
#define RS_INGEST_INGEST_INT_H

#include <pthread.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "csv.h"
#include "ingest.h"
#include "ingest_fast.h"
#include "json.h"

struct rs_qchunk {
	struct rs_qchunk *next;
	size_t len, cap;
	char data[];
};

/* bytes queued ahead of the parser before write() waits */
#define RS_QUEUE_MAX_BYTES (16u << 20)

/* staged rows are written as parts past either budget */
#define RS_STAGE_MAX_ROWS (1u << 20)
#define RS_STAGE_MAX_BYTES (64u << 20)
/* threads encoding the columns of a staged set when encoding is the slower
 * side (the worker included) */
#define RS_STAGE_THREADS 2

struct rs_staged {
	char **dirs;
	unsigned n;
};

struct rs_ingest {
	struct rs_catalog *cat;
	struct rs_ds *ds;
	struct rs_dsv *v;		/* definition this segment converts to */
	enum rs_ingest_fmt fmt;
	int replace;			/* next commit replaces */
	char *user;
	const char *event;		/* ops log event_type override ("copy"), or NULL */
	int failed;			/* sticky error code */
	struct rs_err fail_err;

	/* async parsing: write() queues copies of the chunks and returns; a
	 * parser thread feeds them to the parser, so parsing, the caller's
	 * FUSE round trips and the worker's encoding overlap (ingest.c) */
	pthread_t parser;
	int parser_on;
	pthread_mutex_t q_mu;
	pthread_cond_t q_cv;		/* to the parser: a chunk, or stop */
	pthread_cond_t q_space;		/* to writers: room in the queue, or idle */
	struct rs_qchunk *q_head, *q_tail;
	size_t q_bytes;
	/* parsed chunks kept for the next writes (at most RS_QUEUE_MAX_BYTES):
	 * fresh allocations of this size cost a page fault per 4 KiB */
	struct rs_qchunk *q_free;
	size_t q_free_bytes;
	int q_busy, q_stop;
	int q_rc;			/* the parser's first error */
	struct rs_err q_err;

	/* parsers */
	struct rs_csv *csv;
	struct rs_lines *lines;
	struct rs_json_doc *doc;
	struct rs_jsonpath **paths;	/* per column */
	struct rs_buf scratch, scratch2;

	/* current segment (since last commit) */
	int dirty;			/* bytes arrived */
	int seen_record;		/* header detection done */
	int *map;			/* CSV field -> column, by name after a header */
	unsigned nmap;
	unsigned *inv;			/* column -> field: identity, or by a full header */
	int map_full;			/* the header names every column */
	uint64_t bytes_in;		/* whole ingestion, for max_ingest */
	uint64_t rows, qrows;		/* segment counts */
	char import_id[27];
	int64_t now;

	struct rs_col *defs;		/* per column, one row */
	uint8_t *stringish;		/* per column: String or FixedString (UTF-8 checked) */
	uint8_t *fast;			/* per column: enum rs_fast_kind */
	struct rs_fast_dt *dtc;		/* per column: date cache of RS_FK_DATETIME */
	struct rs_col *cols;		/* staged rows */
	struct rs_col *spare;		/* the other set: written by the worker meanwhile */
	uint64_t *keyu[8];		/* the worker's integer sort keys as u64s (reused) */
	size_t keyu_cap;		/* rows each keyu[k] holds */
	pthread_t worker;		/* sorts, encodes and writes a full set */
	int worker_on;
	int worker_done;		/* the worker has finished its set (atomic) */
	unsigned stage_threads;		/* threads encoding a set (see ingest_stage.c) */
	int worker_rc;
	struct rs_err worker_err;
	struct rs_col *qcols;		/* staged quarantine rows */
	struct rs_staged staged, qstaged;
	struct rs_table *qtable;

	/* per-row error collection */
	struct rs_buf err_cols, err_msgs;	/* \0-separated lists */
	unsigned nerr, nerr_cols;
	const char **raw;		/* per column raw text of this row, NULL = absent */
	size_t *raw_len;
};

/* ingest_row.c */
int rs_ingest_csv_record(void *ctx, const struct rs_csv_record *rec);
int rs_ingest_json_line(void *ctx, const char *line, size_t len, uint64_t lineno);

/* ingest_stage.c: write the staged rows (main or quarantine) as parts */
/* last: no more rows will be parsed in this segment */
int rs_ingest_stage_flush(struct rs_ingest *g, int quarantine, int last, struct rs_err *err);
int rs_ingest_stage_full(const struct rs_ingest *g);
/* Wait for the background write of the previous set; its verdict. */
int rs_ingest_stage_wait(struct rs_ingest *g, struct rs_err *err);
void rs_staged_discard(struct rs_staged *s);
void rs_staged_clear(struct rs_staged *s);	/* forget (after commit) */

#endif
