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
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "../output/export.h"
#include "../types/value.h"
#include "svclog.h"

const struct rs_schema *rs_opslog_schema(void)
{
	return rs_svc_schema(RS_SVC_OPS_LOG);
}

void rs_opslog_csv_path(struct rs_ws *ws, char *out, size_t outsz)
{
	rs_svc_csv_path(ws, RS_SVC_OPS_LOG, out, outsz);
}

int rs_opslog_open(struct rs_ws *ws, struct rs_err *err)
{
	return rs_svc_open_all(ws, err);
}

void rs_opslog_close(struct rs_ws *ws)
{
	rs_svc_close_all(ws);
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
	struct rs_col cols[16];
	int rc;

	for (unsigned i = 0; i < s->ncols; i++)
		rs_col_init(&cols[i], s->cols[i].type);
	rc = fill_row(cols, e);
	if (!rc)
		rc = rs_svc_append(ws, RS_SVC_OPS_LOG, cols);
	for (unsigned i = 0; i < s->ncols; i++)
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

	clock_gettime(CLOCK_REALTIME, &tsp);
	ms = (uint64_t)tsp.tv_sec * 1000 + (uint64_t)tsp.tv_nsec / 1000000;
	/* one syscall, no descriptor (this runs once per request) */
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		rnd = rs_now_ns() ^ __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
		memcpy(r, &rnd, 8);
		r[8] = r[9] = 0;
	}
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
