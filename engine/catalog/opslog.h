/*
 * opslog.h - a workspace's tinybird.datasources_ops_log and the users'
 * .errors files.
 *
 * The ops log is a real table of the engine (service/ops_log/, one part per
 * operation, merged in the background) and, beside it, its CSV rendering
 * (service/ops_log.csv), which only ever grows: that file is what
 * `tail -f tinybird/datasources_ops_log.csv` follows, with its true size.
 *
 * .errors: one file per (workspace, uid); each user reads only their own.
 * Line format:  <YYYY-MM-DD hh:mm:ss> <op> <path> <ERRNO> <message>
 */
#ifndef RS_CATALOG_OPSLOG_H
#define RS_CATALOG_OPSLOG_H

#include <stdint.h>
#include <sys/types.h>

#include "catalog.h"
#include "svclog.h"

struct rs_opslog_entry {
	const char *event_type;		/* create append replace truncate alter delete rename */
	const char *ds_id;
	const char *ds_name;
	int ok;				/* result 'ok' / 'error' */
	double elapsed;			/* seconds */
	const char *error;		/* NULL when ok */
	const char *import_id;		/* NULL = NULL */
	int64_t rows;			/* -1 = NULL */
	int64_t rows_quarantine;	/* -1 = NULL */
	const char *user;
};

/* Open (creating) the ops log of ws; called by the catalog. */
int rs_opslog_open(struct rs_ws *ws, struct rs_err *err);
void rs_opslog_close(struct rs_ws *ws);
/* Append one row (table + CSV). Failures are logged, not returned to the
 * operation that caused them (which already has its own verdict). */
int rs_opslog_append(struct rs_ws *ws, const struct rs_opslog_entry *e);
/* The schema of the ops log (static, do not free). */
const struct rs_schema *rs_opslog_schema(void);
/* Path of the CSV rendering. */
void rs_opslog_csv_path(struct rs_ws *ws, char *out, size_t outsz);

/* Append a line to the .errors of uid in ws (NULL = the root .errors). */
void rs_errlog_append(struct rs_catalog *c, struct rs_ws *ws, uid_t uid, const char *op,
		      const char *path, int code, const char *msg);
/* Path of the .errors file of uid in ws (NULL = root). */
void rs_errlog_path(struct rs_catalog *c, struct rs_ws *ws, uid_t uid, char *out, size_t outsz);

/* A new import id: 26 chars of Crockford base32, time-ordered (ULID). */
void rs_new_import_id(char out[27]);

#endif
