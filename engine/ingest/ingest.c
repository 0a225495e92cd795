/*
 * ingest.c - the life cycle of one ingestion: segments between commits,
 * limits, and the atomic commit (SPEC 3 "Ingestion", fuse-notes 1).
 */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../types/value.h"
#include "../catalog/ds_int.h"
#include "../catalog/opslog.h"
#include "ingest_int.h"

static void parser_stop(struct rs_ingest *g);

static void segment_release(struct rs_ingest *g)
{
	struct rs_dsv *v = g->v;

	if (!v)
		return;
	parser_stop(g);
	rs_ingest_stage_wait(g, NULL);
	while (g->q_free) {
		struct rs_qchunk *c = g->q_free;
		g->q_free = c->next;
		free(c);
	}
	g->q_free_bytes = 0;
	for (unsigned k = 0; k < RS_ARRAY_SIZE(g->keyu); k++) {
		free(g->keyu[k]);
		g->keyu[k] = NULL;
	}
	g->keyu_cap = 0;
	for (unsigned i = 0; i < v->schema.ncols; i++) {
		if (g->spare)
			rs_col_release(&g->spare[i]);
		rs_col_release(&g->cols[i]);
		rs_col_release(&g->defs[i]);
		if (g->paths)
			rs_jsonpath_free(g->paths[i]);
	}
	for (unsigned i = 0; i < v->qschema.ncols; i++)
		rs_col_release(&g->qcols[i]);
	free(g->cols);
	free(g->spare);
	g->spare = NULL;
	free(g->defs);
	free(g->qcols);
	free(g->paths);
	free(g->raw);
	free(g->raw_len);
	free(g->stringish);
	g->stringish = NULL;
	free(g->fast);
	free(g->dtc);
	g->fast = NULL;
	g->dtc = NULL;
	free(g->inv);
	g->inv = NULL;
	free(g->map);
	g->cols = g->defs = g->qcols = NULL;
	g->paths = NULL;
	g->raw = NULL;
	g->raw_len = NULL;
	g->map = NULL;
	g->nmap = 0;
	rs_csv_free(g->csv);
	rs_lines_free(g->lines);
	g->csv = NULL;
	g->lines = NULL;
	rs_dsv_unref(v);
	g->v = NULL;
}

/* Start a segment: the current definition, its defaults, fresh parsers. */
static int segment_begin(struct rs_ingest *g, struct rs_err *err)
{
	struct rs_dsv *v = rs_ds_version(g->ds);
	unsigned nc = v->schema.ncols, nq = v->qschema.ncols;
	int rc;

	g->v = v;
	g->cols = xcalloc(nc ? nc : 1, sizeof(*g->cols));
	g->defs = xcalloc(nc ? nc : 1, sizeof(*g->defs));
	g->qcols = xcalloc(nq, sizeof(*g->qcols));
	g->raw = xcalloc(nc ? nc : 1, sizeof(*g->raw));
	g->raw_len = xcalloc(nc ? nc : 1, sizeof(*g->raw_len));
	g->stringish = xcalloc(nc ? nc : 1, 1);
	g->fast = xcalloc(nc ? nc : 1, 1);
	g->inv = xcalloc(nc ? nc : 1, sizeof(*g->inv));
	g->map_full = 0;
	g->dtc = xcalloc(nc ? nc : 1, sizeof(*g->dtc));
	for (unsigned i = 0; i < nc; i++) {
		enum rs_type_id id = rs_type_base(v->schema.cols[i].type)->id;
		rs_col_init(&g->cols[i], v->schema.cols[i].type);
		g->fast[i] = (uint8_t)rs_fast_kind_of(v->schema.cols[i].type);
		g->inv[i] = i;	/* positional until a header says otherwise */
		/* 1: String (stored as is), 2: FixedString (parsed: padded, bounded) */
		g->stringish[i] = id == RS_T_STRING ? 1 : id == RS_T_FIXEDSTRING ? 2 : 0;
	}
	for (unsigned i = 0; i < nq; i++)
		rs_col_init(&g->qcols[i], v->qschema.cols[i].type);
	g->now = rs_wall_time();
	if ((rc = rs_dsv_eval_defaults(v, g->now, g->defs, err))) {
		/* defs were released by the callee; keep them initialised */
		for (unsigned i = 0; i < nc; i++)
			rs_col_init(&g->defs[i], v->schema.cols[i].type);
		return rc;
	}
	if (g->fmt == RS_IN_CSV) {
		g->csv = rs_csv_new(0, g->ds->ws->limits.max_row, rs_ingest_csv_record, g);
	} else {
		char path[512];
		g->paths = xcalloc(nc ? nc : 1, sizeof(*g->paths));
		for (unsigned i = 0; i < nc; i++) {
			const struct rs_ds_column *dc = &v->def.cols[i];
			if (dc->jsonpath)
				snprintf(path, sizeof(path), "%s", dc->jsonpath);
			else
				snprintf(path, sizeof(path), "$['%s']", dc->name);
			if ((rc = rs_jsonpath_compile(path, &g->paths[i], err)))
				return rc;
		}
		g->lines = rs_lines_new(g->ds->ws->limits.max_row, rs_ingest_json_line, g);
		if (!g->doc)
			g->doc = rs_json_doc_new();
	}
	rs_new_import_id(g->import_id);
	g->seen_record = 0;
	g->stage_threads = 1;
	g->rows = g->qrows = 0;
	return 0;
}

struct rs_ingest *rs_ingest_new(struct rs_catalog *c, struct rs_ds *ds,
				enum rs_ingest_fmt fmt, int replace, const char *user)
{
	struct rs_ingest *g = xcalloc(1, sizeof(*g));

	g->cat = c;
	g->ds = ds;
	__atomic_add_fetch(&ds->refs, 1, __ATOMIC_SEQ_CST);
	g->fmt = fmt;
	g->replace = replace;
	g->user = xstrdup(user ? user : "");
	pthread_mutex_init(&g->q_mu, NULL);
	pthread_cond_init(&g->q_cv, NULL);
	pthread_cond_init(&g->q_space, NULL);
	return g;
}

static int fail(struct rs_ingest *g, int rc, struct rs_err *err)
{
	if (!g->failed) {
		g->failed = rc;
		if (err && err->code)
			g->fail_err = *err;
		else
			rs_errf(&g->fail_err, rc, "%s", strerror(-rc));
	}
	if (err && !err->code)
		*err = g->fail_err;
	return rc;
}

/* ---- the parser thread ---- */

static int feed(struct rs_ingest *g, const char *data, size_t len, struct rs_err *err)
{
	int rc = g->fmt == RS_IN_CSV ? rs_csv_feed(g->csv, data, len, err)
				     : rs_lines_feed(g->lines, data, len, err);

	if (rc < 0 && g->fail_err.code && err && !err->code)
		*err = g->fail_err;
	return rc < 0 ? rc : 0;
}

static void *parser_main(void *arg)
{
	struct rs_ingest *g = arg;

	pthread_mutex_lock(&g->q_mu);
	for (;;) {
		struct rs_qchunk *c;
		while (!g->q_head && !g->q_stop)
			pthread_cond_wait(&g->q_cv, &g->q_mu);
		if (!g->q_head)
			break;	/* stop, and nothing left */
		c = g->q_head;
		g->q_head = c->next;
		if (!g->q_head)
			g->q_tail = NULL;
		g->q_busy = 1;
		pthread_mutex_unlock(&g->q_mu);
		if (!g->q_rc) {
			struct rs_err e = { 0 };
			int rc = feed(g, c->data, c->len, &e);
			if (rc) {
				pthread_mutex_lock(&g->q_mu);
				g->q_rc = rc;
				g->q_err = e;
				pthread_mutex_unlock(&g->q_mu);
			}
		}
		pthread_mutex_lock(&g->q_mu);
		g->q_bytes -= c->len;
		g->q_busy = 0;
		if (g->q_free_bytes + c->cap <= RS_QUEUE_MAX_BYTES) {
			c->next = g->q_free;
			g->q_free = c;
			g->q_free_bytes += c->cap;
		} else {
			free(c);
		}
		pthread_cond_broadcast(&g->q_space);
	}
	pthread_mutex_unlock(&g->q_mu);
	return NULL;
}

/* Wait until the parser has consumed everything queued; its verdict. */
static int drain(struct rs_ingest *g, struct rs_err *err)
{
	int rc;

	if (!g->parser_on)
		return 0;
	pthread_mutex_lock(&g->q_mu);
	while (g->q_head || g->q_busy)
		pthread_cond_wait(&g->q_space, &g->q_mu);
	rc = g->q_rc;
	if (rc && err && !err->code)
		*err = g->q_err;
	pthread_mutex_unlock(&g->q_mu);
	return rc;
}

/* Stop the parser thread (after a drain, or discarding what is queued). */
static void parser_stop(struct rs_ingest *g)
{
	if (!g->parser_on)
		return;
	pthread_mutex_lock(&g->q_mu);
	g->q_stop = 1;
	pthread_cond_broadcast(&g->q_cv);
	pthread_mutex_unlock(&g->q_mu);
	pthread_join(g->parser, NULL);
	g->parser_on = 0;
	g->q_stop = 0;
	g->q_rc = 0;
	memset(&g->q_err, 0, sizeof(g->q_err));
}

int rs_ingest_write(struct rs_ingest *g, const char *data, size_t len, struct rs_err *err)
{
	struct rs_limits *lim = &g->ds->ws->limits;
	struct rs_qchunk *c;
	int rc;

	if (g->failed)
		return fail(g, g->failed, err);
	if (!g->v && (rc = segment_begin(g, err)))
		return fail(g, rc, err);
	g->dirty = 1;
	g->bytes_in += len;
	if (lim->max_ingest && g->bytes_in > lim->max_ingest)
		return fail(g, rs_errf(err, -EFBIG, "ingestion larger than max_ingest (%llu bytes)",
				       (unsigned long long)lim->max_ingest), err);
	if (!g->parser_on) {
		if (pthread_create(&g->parser, NULL, parser_main, g) != 0) {
			/* no thread: parse here */
			rc = feed(g, data, len, err);
			return rc ? fail(g, rc, err) : 0;
		}
		g->parser_on = 1;
	}
	pthread_mutex_lock(&g->q_mu);
	c = g->q_free;
	if (c && c->cap >= len) {
		g->q_free = c->next;
		g->q_free_bytes -= c->cap;
	} else {
		c = NULL;
	}
	pthread_mutex_unlock(&g->q_mu);
	if (!c) {
		size_t cap = len < (64u << 10) ? len : (len + 0xffff) & ~(size_t)0xffff;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return fail(g, rs_errf(err, -ENOMEM, "out of memory queueing %zu bytes", len),
				    err);
		c->cap = cap;
	}
	c->next = NULL;
	c->len = len;
	memcpy(c->data, data, len);
	pthread_mutex_lock(&g->q_mu);
	while (g->q_bytes > RS_QUEUE_MAX_BYTES && !g->q_rc)
		pthread_cond_wait(&g->q_space, &g->q_mu);
	rc = g->q_rc;
	if (rc) {
		/* a row the parser refused (max_row...): this write fails */
		if (err && !err->code)
			*err = g->q_err;
		pthread_mutex_unlock(&g->q_mu);
		free(c);
		return fail(g, rc, err);
	}
	if (g->q_tail)
		g->q_tail->next = c;
	else
		g->q_head = c;
	g->q_tail = c;
	g->q_bytes += len;
	pthread_cond_signal(&g->q_cv);
	pthread_mutex_unlock(&g->q_mu);
	return 0;
}

int rs_ingest_add_cols(struct rs_ingest *g, const struct rs_schema *s, const struct rs_col *cols,
		      size_t n, struct rs_err *err)
{
	struct rs_buf text = RS_BUF_INIT;
	int rc = 0;

	if (g->failed)
		return fail(g, g->failed, err);
	if (!g->v && (rc = segment_begin(g, err)))
		return fail(g, rc, err);
	g->dirty = 1;
	for (unsigned i = 0; i < g->v->schema.ncols && !rc; i++) {
		const struct rs_colspec *t = &g->v->schema.cols[i];
		int j = rs_schema_find(s, t->name);
		struct rs_col *c = &g->cols[i];

		if (j < 0) {
			/* a column the query does not give: its DEFAULT */
			for (size_t r = 0; r < n && !rc; r++)
				rc = rs_col_append(c, &g->defs[i], 0, 1);
		} else if (rs_type_equal(s->cols[j].type, t->type)) {
			rc = rs_col_append(c, &cols[j], 0, n);
		} else {
			/* another type: through its text, as ClickHouse's CAST */
			for (size_t r = 0; r < n && !rc; r++) {
				if (rs_col_is_null(&cols[j], r)) {
					rc = rs_type_is_nullable(t->type) ? rs_col_push_null(c)
									  : rs_col_push_zero(c);
					continue;
				}
				rs_buf_reset(&text);
				rc = rs_value_render(&cols[j], r, RS_RENDER_TEXT, &text);
				if (!rc)
					rc = rs_value_parse(c, text.data ? text.data : "", text.len);
				if (rc == -EINVAL)
					rc = rs_errf(err, -EINVAL,
						     "column '%s': cannot convert the query's value to %s",
						     t->name, rs_type_base(t->type)->id == RS_T_AGGSTATE ?
						     "an aggregate state" : "its type");
			}
		}
	}
	rs_buf_release(&text);
	if (rc) {
		for (unsigned i = 0; i < g->v->schema.ncols; i++)
			rs_col_reset(&g->cols[i]);
		return fail(g, rc, err);
	}
	g->rows += n;
	if (rs_ingest_stage_full(g) && (rc = rs_ingest_stage_flush(g, 0, 0, err)))
		return fail(g, rc, err);
	return 0;
}

void rs_ingest_set_event(struct rs_ingest *g, const char *event)
{
	g->event = event;
}

int rs_ingest_dirty(const struct rs_ingest *g)
{
	return g->dirty;
}

static void log_result(struct rs_ingest *g, const char *event, int rc, const struct rs_err *err,
		       uint64_t t0, uint64_t rows, uint64_t qrows)
{
	struct rs_opslog_entry e = {
		.event_type = event,
		.ds_id = g->ds->id,
		.ds_name = g->ds->name,
		.ok = rc == 0,
		.elapsed = (double)(rs_now_ns() - t0) / 1e9,
		.error = rc ? (err && err->msg[0] ? err->msg : strerror(-rc)) : NULL,
		.import_id = g->import_id[0] ? g->import_id : NULL,
		.rows = (int64_t)rows,
		.rows_quarantine = (int64_t)qrows,
		.user = g->user,
	};
	rs_opslog_append(g->ds->ws, &e);
}

static uint64_t staged_bytes(struct rs_staged *s)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < s->n; i++) {
		struct rs_part *p;
		if (rs_part_open(s->dirs[i], &p, NULL) == 0) {
			total += rs_part_bytes(p);
			rs_part_unref(p);
		}
	}
	return total;
}

static uint64_t ws_bytes(struct rs_catalog *c, struct rs_ws *w)
{
	uint64_t total = 0;

	pthread_rwlock_rdlock(&c->lock);
	for (unsigned i = 0; i < w->nds; i++) {
		struct rs_snapshot *s = rs_table_snapshot(w->ds[i]->data);
		total += s->bytes;
		rs_snapshot_unref(s);
	}
	pthread_rwlock_unlock(&c->lock);
	return total;
}

int rs_ingest_commit(struct rs_ingest *g, struct rs_ingest_result *res, struct rs_err *err)
{
	uint64_t t0 = rs_now_ns();
	const char *event = g->event ? g->event : g->replace ? "replace" : "append";
	struct rs_staged done = { 0 };
	struct rs_part **newp = NULL;
	unsigned nnew = 0;
	uint64_t rows = 0, qrows = 0;
	int rc = 0;

	if (res)
		memset(res, 0, sizeof(*res));
	if (!g->dirty && !g->replace)
		return 0;	/* a close with nothing new */
	if (g->failed) {
		rc = g->failed;
		if (err)
			*err = g->fail_err;
		goto discard;
	}
	if (!g->v && (rc = segment_begin(g, err)))
		goto discard;
	if ((rc = drain(g, err))) {
		fail(g, rc, err);
		goto discard;
	}
	parser_stop(g);
	/* the end of a segment ends its last line */
	if (g->csv)
		rc = rs_csv_finish(g->csv, err);
	else
		rc = rs_lines_finish(g->lines, err);
	if (rc < 0) {
		if (g->fail_err.code && err && !err->code)
			*err = g->fail_err;
		goto discard;
	}
	if ((rc = rs_ingest_stage_flush(g, 0, 1, err)) || (rc = rs_ingest_stage_wait(g, err)) ||
	    (rc = rs_ingest_stage_flush(g, 1, 1, err)))
		goto discard;
	rows = g->rows;
	qrows = g->qrows;
	pthread_mutex_lock(&g->ds->commit_lock);
	if (g->ds->deleted) {
		pthread_mutex_unlock(&g->ds->commit_lock);
		rc = rs_errf(err, -ENOENT, "data source '%s' was deleted", g->ds->name);
		goto discard;
	}
	if (g->ds->ws->limits.max_storage) {
		uint64_t now = ws_bytes(g->cat, g->ds->ws), add = staged_bytes(&g->staged);
		if (now + add > g->ds->ws->limits.max_storage) {
			pthread_mutex_unlock(&g->ds->commit_lock);
			rc = rs_errf(err, -EDQUOT,
				     "workspace storage quota exceeded: max_storage is %llu bytes",
				     (unsigned long long)g->ds->ws->limits.max_storage);
			goto discard;
		}
	}
	rc = rs_table_commit(g->ds->data, g->staged.dirs, g->staged.n, g->replace, err);
	if (!rc) {
		/* hold the new parts for the commit hook: merges may replace
		 * them in the table before it runs */
		if (g->cat->on_commit && g->staged.n) {
			struct rs_snapshot *snap = rs_table_snapshot(g->ds->data);
			newp = xcalloc(g->staged.n, sizeof(*newp));
			for (unsigned i = 0; i < snap->nparts; i++)
				for (unsigned k = 0; k < g->staged.n; k++)
					if (!strcmp(rs_part_dir(snap->parts[i]), g->staged.dirs[k]))
						newp[nnew++] = rs_part_ref(snap->parts[i]);
			rs_snapshot_unref(snap);
		}
		done = g->staged;
		memset(&g->staged, 0, sizeof(g->staged));
		if (g->qstaged.n) {
			rc = rs_table_commit(g->qtable, g->qstaged.dirs, g->qstaged.n, 0, err);
			if (!rc)
				rs_staged_clear(&g->qstaged);
		}
	}
	pthread_mutex_unlock(&g->ds->commit_lock);
	if (rc)
		goto discard;
	log_result(g, event, 0, NULL, t0, rows, qrows);
	rs_staged_clear(&done);
	if (nnew)
		g->cat->on_commit(g->cat, g->ds, newp, nnew, g->user);
	for (unsigned i = 0; i < nnew; i++)
		rs_part_unref(newp[i]);
	free(newp);
	if (res) {
		res->rows = rows;
		res->rows_quarantine = qrows;
		res->committed = 1;
		memcpy(res->import_id, g->import_id, sizeof(res->import_id));
	}
	g->replace = 0;
	g->dirty = 0;
	segment_release(g);
	return 0;

discard:
	rs_staged_clear(&done);
	for (unsigned i = 0; i < nnew; i++)
		rs_part_unref(newp[i]);
	free(newp);
	parser_stop(g);
	rs_ingest_stage_wait(g, NULL);
	rs_staged_discard(&g->staged);
	rs_staged_discard(&g->qstaged);
	log_result(g, event, rc, err, t0, 0, 0);
	/* the failure is reported once; the handle may go on */
	g->failed = 0;
	memset(&g->fail_err, 0, sizeof(g->fail_err));
	g->replace = 0;
	g->dirty = 0;
	segment_release(g);
	return rc;
}

void rs_ingest_free(struct rs_ingest *g)
{
	if (!g)
		return;
	parser_stop(g);
	if (g->v)
		rs_ingest_stage_wait(g, NULL);
	rs_staged_discard(&g->staged);
	rs_staged_discard(&g->qstaged);
	segment_release(g);
	rs_json_doc_free(g->doc);
	rs_buf_release(&g->scratch);
	rs_buf_release(&g->scratch2);
	rs_buf_release(&g->err_cols);
	rs_buf_release(&g->err_msgs);
	rs_ds_unref(g->cat, g->ds);
	pthread_mutex_destroy(&g->q_mu);
	pthread_cond_destroy(&g->q_cv);
	pthread_cond_destroy(&g->q_space);
	free(g->user);
	free(g);
}
