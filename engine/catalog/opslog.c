/*
 * opslog.c - tinybird.datasources_ops_log of a workspace, and .errors.
 * See opslog.h for the files. The CSV rendering is rebuilt from the table
 * at open, so the two never disagree after a crash.
 */
#include "opslog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "../output/export.h"
#include "../types/value.h"

static const char *const cols_text[][2] = {
	{ "timestamp", "DateTime" },
	{ "event_type", "String" },
	{ "datasource_id", "String" },
	{ "datasource_name", "String" },
	{ "result", "String" },
	{ "elapsed_time", "Float32" },
	{ "error", "Nullable(String)" },
	{ "request_id", "String" },
	{ "import_id", "Nullable(String)" },
	{ "job_id", "Nullable(String)" },
	{ "rows", "Nullable(UInt64)" },
	{ "rows_quarantine", "Nullable(UInt64)" },
	{ "blocks_ids", "Array(String)" },
	{ "Options.Names", "Array(String)" },
	{ "Options.Values", "Array(String)" },
	{ "user", "String" },
};
#define NCOLS (sizeof(cols_text) / sizeof(cols_text[0]))

static struct rs_schema schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void schema_init(void)
{
	rs_schema_init(&schema);
	for (size_t i = 0; i < NCOLS; i++) {
		struct rs_type *t = NULL;
		rs_type_parse(cols_text[i][1], &t, NULL);
		rs_schema_add(&schema, cols_text[i][0], t);
	}
}

const struct rs_schema *rs_opslog_schema(void)
{
	pthread_once(&schema_once, schema_init);
	return &schema;
}

void rs_opslog_csv_path(struct rs_ws *ws, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/service/ops_log.csv", ws->dir);
}

/* Render the whole table into the CSV file (tmp + rename). */
static int rebuild_csv(struct rs_ws *ws, struct rs_err *err)
{
	char path[PATH_MAX];
	struct rs_snapshot *snap = rs_table_snapshot(ws->ops_log);
	struct rs_export *ex = NULL;
	struct rs_buf out = RS_BUF_INIT;
	int rc;

	rc = rs_export_new(rs_opslog_schema(), NULL, snap, RS_FMT_CSV, &ex, err);
	while (!rc && (rc = rs_export_next(ex, &out, 1 << 20, err)) > 0)
		rc = 0;
	rs_export_free(ex);
	rs_snapshot_unref(snap);
	if (rc < 0) {
		rs_buf_release(&out);
		return rc;
	}
	rs_opslog_csv_path(ws, path, sizeof(path));
	rc = rs_write_file_atomic(path, out.data ? out.data : "", out.len);
	ws->ops_log_size = out.len;
	rs_buf_release(&out);
	return rc ? rs_errf(err, rc, "cannot write '%s'", path) : 0;
}

int rs_opslog_open(struct rs_ws *ws, struct rs_err *err)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/service/ops_log", ws->dir);
	if ((rc = rs_mkdir_p(path, 0755)))
		return rs_errf(err, rc, "cannot create '%s'", path);
	if ((rc = rs_table_open(path, &ws->ops_log, err)))
		return rc;
	return rebuild_csv(ws, err);
}

void rs_opslog_close(struct rs_ws *ws)
{
	rs_table_close(ws->ops_log);
	ws->ops_log = NULL;
}

static int push_s(struct rs_col *c, const char *s)
{
	if (!s)
		return rs_col_push_null(c);
	return rs_col_push_str(c, s, strlen(s));
}

static int fill_row(struct rs_col *c, const struct rs_opslog_entry *e)
{
	uint32_t ts = (uint32_t)rs_wall_time();
	float el = (float)e->elapsed;
	int rc = 0;

	rc |= rs_col_push_fixed(&c[0], &ts);
	rc |= push_s(&c[1], e->event_type);
	rc |= push_s(&c[2], e->ds_id ? e->ds_id : "");
	rc |= push_s(&c[3], e->ds_name ? e->ds_name : "");
	rc |= push_s(&c[4], e->ok ? "ok" : "error");
	rc |= rs_col_push_fixed(&c[5], &el);
	rc |= push_s(&c[6], e->ok ? NULL : (e->error ? e->error : "error"));
	rc |= push_s(&c[7], e->import_id ? e->import_id : "");
	rc |= push_s(&c[8], e->import_id);
	rc |= push_s(&c[9], NULL);
	if (e->rows >= 0) {
		uint64_t v = (uint64_t)e->rows;
		rc |= rs_col_push_fixed(&c[10], &v);
	} else {
		rc |= rs_col_push_null(&c[10]);
	}
	if (e->rows_quarantine >= 0) {
		uint64_t v = (uint64_t)e->rows_quarantine;
		rc |= rs_col_push_fixed(&c[11], &v);
	} else {
		rc |= rs_col_push_null(&c[11]);
	}
	rc |= rs_col_array_close(&c[12]);
	rc |= rs_col_array_close(&c[13]);
	rc |= rs_col_array_close(&c[14]);
	rc |= push_s(&c[15], e->user ? e->user : "");
	return rc ? -ENOMEM : 0;
}

int rs_opslog_append(struct rs_ws *ws, const struct rs_opslog_entry *e)
{
	const struct rs_schema *s = rs_opslog_schema();
	struct rs_col cols[NCOLS];
	struct rs_part_writer *pw = NULL;
	struct rs_writer w;
	struct rs_buf line = RS_BUF_INIT;
	struct rs_err err = { 0 };
	char dir[PATH_MAX], path[PATH_MAX];
	char *dirs[1] = { dir };
	int rc, fd;

	for (size_t i = 0; i < NCOLS; i++)
		rs_col_init(&cols[i], s->cols[i].type);
	rc = fill_row(cols, e);
	pthread_mutex_lock(&ws->log_lock);
	if (!rc && ws->ops_log && !ws->deleted) {
		rs_table_new_part_dir(ws->ops_log, dir, sizeof(dir));
		rc = rs_part_writer_open(dir, s, &pw, &err);
		if (!rc)
			rc = rs_part_writer_add(pw, cols, 0, 1, &err);
		if (!rc) {
			rc = rs_part_writer_finish(pw, &err);
			pw = NULL;
		}
		if (!rc)
			rc = rs_table_commit(ws->ops_log, dirs, 1, 0, &err);
		if (!rc && !(rc = rs_writer_init(&w, RS_FMT_CSV, s, &err))) {
			if (ws->ops_log_size == 0)
				rc = rs_writer_header(&w, &line);
			if (!rc)
				rc = rs_writer_rows(&w, cols, 0, 1, &line);
			rs_writer_release(&w);
		}
		if (!rc) {
			rs_opslog_csv_path(ws, path, sizeof(path));
			fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
			if (fd < 0 || rs_write_all(fd, line.data, line.len) < 0)
				rc = -EIO;
			else
				ws->ops_log_size += line.len;
			if (fd >= 0)
				close(fd);
		}
	}
	if (pw)
		rs_part_writer_abort(pw);
	pthread_mutex_unlock(&ws->log_lock);
	if (rc)
		fprintf(stderr, "roost: cannot append to the ops log of '%s': %s\n", ws->name,
			err.msg[0] ? err.msg : strerror(-rc));
	rs_buf_release(&line);
	for (size_t i = 0; i < NCOLS; i++)
		rs_col_release(&cols[i]);
	return rc;
}

void rs_errlog_path(struct rs_catalog *c, struct rs_ws *ws, uid_t uid, char *out, size_t outsz)
{
	if (ws)
		snprintf(out, outsz, "%s/errors/%u", ws->dir, (unsigned)uid);
	else
		snprintf(out, outsz, "%s/errors/%u", c->root, (unsigned)uid);
}

void rs_errlog_append(struct rs_catalog *c, struct rs_ws *ws, uid_t uid, const char *op,
		      const char *path, int code, const char *msg)
{
	char file[PATH_MAX], ts[20];
	struct rs_buf line = RS_BUF_INIT;
	pthread_mutex_t *lock = ws ? &ws->log_lock : &c->errors_lock;
	int fd;

	rs_fmt_datetime(rs_wall_time(), ts);
	rs_buf_printf(&line, "%s %s %s %s %s\n", ts, op, path, rs_errno_name(code),
		      msg && *msg ? msg : strerror(code < 0 ? -code : code));
	/* one line per failure: newlines inside a message would forge lines */
	for (size_t i = 0; line.len && i < line.len - 1; i++)
		if (line.data[i] == '\n')
			line.data[i] = ' ';
	rs_errlog_path(c, ws, uid, file, sizeof(file));
	pthread_mutex_lock(lock);
	if (ws) {
		char d[PATH_MAX];
		snprintf(d, sizeof(d), "%s/errors", ws->dir);
		rs_mkdir_p(d, 0755);
	}
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		rs_write_all(fd, line.data, line.len);
		close(fd);
	}
	pthread_mutex_unlock(lock);
	fprintf(stderr, "roost: uid %u %s", (unsigned)uid, line.data);
	rs_buf_release(&line);
}

void rs_new_import_id(char out[27])
{
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	static uint64_t counter;
	struct timespec tsp;
	uint64_t ms, rnd;
	unsigned char r[10];
	int fd;

	clock_gettime(CLOCK_REALTIME, &tsp);
	ms = (uint64_t)tsp.tv_sec * 1000 + (uint64_t)tsp.tv_nsec / 1000000;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r)) {
		rnd = rs_now_ns() ^ __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
		memcpy(r, &rnd, 8);
		r[8] = r[9] = 0;
	}
	if (fd >= 0)
		close(fd);
	/* 48-bit time in 10 chars, 80 random bits in 16 chars */
	for (int i = 9; i >= 0; i--) {
		out[i] = b32[ms & 31];
		ms >>= 5;
	}
	for (int i = 0; i < 16; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = (unsigned)r[byte] << 8 | (byte + 1 < 10 ? r[byte + 1] : 0);
		out[10 + i] = b32[(v >> (11 - off)) & 31];
	}
	out[26] = 0;
}
