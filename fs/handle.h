/*
 * handle.h - per-open state (fi->fh). One mutex per handle: dup'd and
 * forked descriptors share a handle, and libfuse may run their requests
 * at once (fuse-notes 6).
 */
#ifndef RS_FS_HANDLE_H
#define RS_FS_HANDLE_H

#include <pthread.h>
#include <stdint.h>

#include "fs.h"
#include "../engine/output/format.h"

enum rsfs_hkind {
	H_BUF,		/* read-only snapshot of bytes */
	H_FILE,		/* a backing file: plain files, logs, .errors */
	H_DOC,		/* a validated document being written: definitions, members */
	H_INGEST,	/* writes ingest rows into a data source */
	H_EXPORT,	/* streams a table in an output format */
	H_FIXTURE,	/* a fixture file: kept as a plain file and ingested */
	H_QUERY,	/* runs a pipe or playground query, streams the result */
};

struct rsfs_handle {
	enum rsfs_hkind kind;
	pthread_mutex_t lock;
	char path[4096];
	struct rsfs_node node;		/* resolved at open; holds ws/ds refs */
	int append;			/* O_APPEND */
	uint64_t received;		/* bytes written through this handle */

	/* H_BUF, H_DOC */
	struct rs_buf buf;
	int dirty;			/* H_DOC: changed since last apply */
	int pending;			/* H_DOC: the name exists only through us */

	/* H_FILE, H_FIXTURE */
	int fd;

	/* H_INGEST, H_FIXTURE */
	struct rs_ingest *ing;

	/* H_EXPORT */
	struct rs_export *ex;
	struct rs_snapshot *snap;
	struct rs_col *defs;		/* per column default rows */
	struct rs_dsv *dsv;
	const struct rs_schema *schema;
	int fmt;
	struct rs_buf spool;
	uint64_t spool_off;		/* file offset of spool.data[0] */
	int eof;

	/* H_QUERY: the whole result stays in the spool (bounded by max_result) */
	struct rs_pq *pq;
	struct rs_writer qw;
	int qw_on;
	volatile int cancel;
	uint64_t max_result;
	double started;			/* for pipe_stats_rt */
	char user[64];
	int org_admin;			/* the opener may read organization.<view> */
	int counted;			/* holds one of ws->running_queries */
	struct rs_err qerr;		/* a failure while reading, for endpoint_errors */
};

#endif
