/*
 * svclog.h - a workspace's append-only service data sources (SPEC 7):
 *   tinybird.datasources_ops_log, tinybird.pipe_stats_rt,
 *   tinybird.endpoint_errors
 * Each is a real table of the engine (service/<name>/, one part per row,
 * merged in the background) plus its CSV rendering (service/<name>.csv),
 * which only grows: that file is what `tail -f tinybird/<name>.csv`
 * follows. The CSV is rebuilt from the table at open, so the two agree
 * after a crash.
 * The ops log is written through at once. Request rows (pipe_stats_rt,
 * endpoint_errors) reach the CSV at once but the table in batches (see
 * rs_svc_flush): a request does not wait for a part to be written.
 */
#ifndef RS_CATALOG_SVCLOG_H
#define RS_CATALOG_SVCLOG_H

#include "catalog.h"

enum rs_svc {
	RS_SVC_OPS_LOG,
	RS_SVC_PIPE_STATS_RT,
	RS_SVC_ENDPOINT_ERRORS,
	RS_SVC_N,
};

const char *rs_svc_name(enum rs_svc id);		/* "datasources_ops_log" ... */
int rs_svc_from_name(const char *name);			/* id or -1 */
const struct rs_schema *rs_svc_schema(enum rs_svc id);
void rs_svc_csv_path(struct rs_ws *ws, enum rs_svc id, char *out, size_t outsz);
/* Borrowed, may be NULL. Flushes pending request rows first, so a reader
 * sees every request logged before the call. */
struct rs_table *rs_svc_table(struct rs_ws *ws, enum rs_svc id);
/* Write the pending request rows as one part per table (no-op when none
 * are pending). Takes ws->log_lock: do not call with it held. */
void rs_svc_flush(struct rs_ws *ws);

int rs_svc_open_all(struct rs_ws *ws, struct rs_err *err);
void rs_svc_close_all(struct rs_ws *ws);
/* Append one row (cols laid out as the schema, one row each). Logs
 * failures to stderr and returns them. */
int rs_svc_append(struct rs_ws *ws, enum rs_svc id, const struct rs_col *cols);

/* A request to a pipe endpoint, for pipe_stats_rt (and endpoint_errors
 * when error is set). */
struct rs_pipe_request {
	const char *pipe_id;
	const char *pipe_name;
	double start;			/* unix seconds */
	double duration;		/* seconds */
	uint64_t read_rows, read_bytes, result_rows;
	int status_code;		/* 200, 400, 408, 500 ... */
	const char *error;		/* NULL when ok */
	const char *parameters;		/* the query string */
	const char *user;
};
int rs_pipe_request_log(struct rs_ws *ws, const struct rs_pipe_request *r);

#endif
