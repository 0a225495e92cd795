/*
 * part_write.c - rs_part_writer: buffer one granule per column, encode and
 * compress it when full, append the blocks to c<i>.bin; meta last. Runs of
 * whole granules can have their columns encoded by several threads
 * (rs_part_writer_add_par): columns are independent files.
 */
#include "part.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "part_int.h"

#define FLUSH_BYTES (128u << 10)	/* write a column's blocks once this many wait */

struct wcol {
	struct rs_col buf;	/* the granule being filled (type from w->schema) */
	struct rs_buf out;	/* blocks not yet written */
	struct rs_buf idx;	/* per granule: u64 offset + min/max (meta layout) */
	uint64_t flushed;	/* bytes already in the file */
	char *path;
};

struct rs_part_writer {
	char *dir;
	struct rs_schema schema;
	struct wcol *cols;
	struct rs_codec *enc;
	uint64_t rows;
	size_t nbuf;		/* rows buffered in cols[].buf */
	uint32_t *grows;	/* rows per granule written */
	size_t ngran, grows_cap;
	int failed;		/* first error; the writer is then unusable */
};

static void writer_free(struct rs_part_writer *w)
{
	for (unsigned i = 0; i < w->schema.ncols; i++) {
		rs_col_release(&w->cols[i].buf);
		rs_buf_release(&w->cols[i].out);
		rs_buf_release(&w->cols[i].idx);
		free(w->cols[i].path);
	}
	free(w->cols);
	free(w->grows);
	rs_codec_free(w->enc);
	rs_schema_release(&w->schema);
	free(w->dir);
	free(w);
}

int rs_part_writer_open(const char *dir, const struct rs_schema *schema,
			struct rs_part_writer **out, struct rs_err *err)
{
	struct rs_part_writer *w;
	char path[PATH_MAX];
	int rc;

	*out = NULL;
	for (unsigned i = 0; i < schema->ncols; i++)
		if (strlen(schema->cols[i].name) > UINT16_MAX)
			return rs_errf(err, -EINVAL, "column name '%.40s...' is too long",
				       schema->cols[i].name);
	if (snprintf(path, sizeof(path), "%s/c%u.bin", dir, schema->ncols) >= (int)sizeof(path))
		return rs_errf(err, -ENAMETOOLONG, "part directory '%s' is too long", dir);
	if (mkdir(dir, 0755) < 0) {
		rc = -errno;
		if (rc == -ENOENT) {
			char parent[PATH_MAX], *slash;

			snprintf(parent, sizeof(parent), "%s", dir);
			slash = strrchr(parent, '/');
			if (slash && slash != parent) {
				*slash = 0;
				rc = rs_mkdir_p(parent, 0755);
				if (!rc)
					rc = mkdir(dir, 0755) < 0 ? -errno : 0;
			}
		}
		if (rc == -EEXIST)
			return rs_errf(err, rc, "part directory '%s' already exists", dir);
		if (rc)
			return rs_errf(err, rc, "cannot create part directory '%s': %s", dir,
				       strerror(-rc));
	}
	w = xcalloc(1, sizeof(*w));
	w->dir = xstrdup(dir);
	rs_schema_copy(&w->schema, schema);
	w->cols = xcalloc(schema->ncols ? schema->ncols : 1, sizeof(*w->cols));
	for (unsigned i = 0; i < schema->ncols; i++) {
		rs_col_init(&w->cols[i].buf, w->schema.cols[i].type);
		snprintf(path, sizeof(path), "%s/c%u.bin", dir, i);
		w->cols[i].path = xstrdup(path);
	}
	w->enc = rs_codec_new();
	*out = w;
	return 0;
}

/* Append the pending blocks of column c to its file (fsync when asked). */
static int flush_col(struct rs_part_writer *w, struct wcol *c, int sync, struct rs_err *err)
{
	int fd, rc;

	if (!c->out.len && !sync)
		return 0;
	fd = open(c->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		return rs_errf(err, rc, "cannot open '%s': %s", c->path, strerror(-rc));
	}
	rc = rs_write_all(fd, c->out.data, c->out.len);
	if (!rc && sync && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc)
		return rs_errf(err, rc, "cannot write '%s': %s", c->path, strerror(-rc));
	c->flushed += c->out.len;
	rs_buf_reset(&c->out);
	return 0;
}

/* Room for k more granules in w->grows. */
static int grows_room(struct rs_part_writer *w, size_t k, struct rs_err *err)
{
	size_t cap = w->grows_cap ? w->grows_cap : 64;
	uint32_t *p;

	if (w->ngran + k <= w->grows_cap)
		return 0;
	while (cap < w->ngran + k)
		cap *= 2;
	p = realloc(w->grows, cap * sizeof(*p));
	if (!p)
		return rs_errf(err, -ENOMEM, "out of memory writing part '%s'", w->dir);
	w->grows = p;
	w->grows_cap = cap;
	return 0;
}

/* Encode rows [from, from+count) of column i as its next granule, with the
 * codec scratch enc (one per thread). */
static int put_col_granule(struct rs_part_writer *w, struct rs_codec *enc, unsigned i,
			   const struct rs_col *col, size_t from, size_t count, struct rs_err *err)
{
	struct wcol *c = &w->cols[i];
	uint8_t off[8];
	int rc;

	rs_st64(off, c->flushed + c->out.len);
	if (rs_buf_add(&c->idx, off, 8) || rs_codec_minmax_put(col, from, count, &c->idx))
		return rs_errf(err, -ENOMEM, "out of memory writing part '%s'", w->dir);
	rc = rs_codec_put_col(enc, col, from, count, &c->out);
	if (rc == -EFBIG)
		return rs_errf(err, rc, "granule of column '%s' is too large",
			       w->schema.cols[i].name);
	if (rc)
		return rs_errf(err, rc, "out of memory writing part '%s'", w->dir);
	if (c->out.len >= FLUSH_BYTES && (rc = flush_col(w, c, 0, err)))
		return rc;
	return 0;
}

/* Encode rows [from, from+count) of cols[] as the next granule. */
static int put_granule(struct rs_part_writer *w, const struct rs_col *cols, size_t from,
		       size_t count, struct rs_err *err)
{
	int rc;

	if ((rc = grows_room(w, 1, err)))
		return rc;
	for (unsigned i = 0; i < w->schema.ncols; i++)
		if ((rc = put_col_granule(w, w->enc, i, &cols[i], from, count, err)))
			return rc;
	w->grows[w->ngran++] = (uint32_t)count;
	return 0;
}

static int flush_buffered(struct rs_part_writer *w, struct rs_err *err)
{
	struct rs_col *tmp;
	int rc;

	if (!w->nbuf)
		return 0;
	tmp = xmalloc(w->schema.ncols * sizeof(*tmp));
	for (unsigned i = 0; i < w->schema.ncols; i++)
		tmp[i] = w->cols[i].buf;
	rc = put_granule(w, tmp, 0, w->nbuf, err);
	free(tmp);
	for (unsigned i = 0; i < w->schema.ncols; i++)
		rs_col_reset(&w->cols[i].buf);
	w->nbuf = 0;
	return rc;
}

/* The rows to add exist and have the part's types. */
static int check_add(struct rs_part_writer *w, const struct rs_col *cols, size_t from,
		     size_t count, struct rs_err *err)
{
	if (w->failed)
		return rs_errf(err, w->failed, "part writer for '%s' failed earlier", w->dir);
	for (unsigned i = 0; i < w->schema.ncols; i++) {
		if (cols[i].type != w->schema.cols[i].type &&
		    !rs_type_equal(cols[i].type, w->schema.cols[i].type))
			return rs_errf(err, -EINVAL, "column '%s' does not have the part's type",
				       w->schema.cols[i].name);
		if (from > cols[i].n || count > cols[i].n - from)
			return rs_errf(err, -EINVAL, "rows %zu..%zu are out of column '%s'", from,
				       from + count, w->schema.cols[i].name);
	}
	return 0;
}

int rs_part_writer_add(struct rs_part_writer *w, const struct rs_col *cols, size_t from,
		       size_t count, struct rs_err *err)
{
	int rc;

	if ((rc = check_add(w, cols, from, count, err)))
		return rc;
	while (count && !rc) {
		size_t take;

		if (!w->nbuf && count >= RS_GRANULE_ROWS) {
			/* whole granule at hand: encode it in place */
			rc = put_granule(w, cols, from, RS_GRANULE_ROWS, err);
			take = RS_GRANULE_ROWS;
		} else {
			take = RS_GRANULE_ROWS - w->nbuf;
			take = take < count ? take : count;
			for (unsigned i = 0; i < w->schema.ncols && !rc; i++)
				if (rs_col_append(&w->cols[i].buf, &cols[i], from, take))
					rc = rs_errf(err, -ENOMEM, "out of memory writing part '%s'",
						     w->dir);
			if (!rc) {
				w->nbuf += take;
				if (w->nbuf == RS_GRANULE_ROWS)
					rc = flush_buffered(w, err);
			}
		}
		from += take;
		count -= take;
		if (!rc)
			w->rows += take;
	}
	if (rc)
		w->failed = rc;
	return rc;
}


/* ---- whole granules, columns shared out among threads ---- */

struct par {
	struct rs_part_writer *w;
	const struct rs_col *cols;
	size_t from, ngran;
	unsigned next;			/* next column to take (atomic) */
	int rc;				/* first error (atomic) */
	pthread_mutex_t mu;
	struct rs_err err;		/* its message */
};

/* Take columns until none is left: each gets all its granules. */
static int par_run(struct par *p, struct rs_codec *enc)
{
	struct rs_part_writer *w = p->w;
	struct rs_err err = { 0 };
	unsigned i;
	int rc = 0;

	while (!__atomic_load_n(&p->rc, __ATOMIC_RELAXED) &&
	       (i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < w->schema.ncols) {
		for (size_t g = 0; g < p->ngran && !rc; g++)
			rc = put_col_granule(w, enc, i, &p->cols[i], p->from + g * RS_GRANULE_ROWS,
					     RS_GRANULE_ROWS, &err);
		if (rc) {
			pthread_mutex_lock(&p->mu);
			if (!p->rc) {
				p->err = err;
				__atomic_store_n(&p->rc, rc, __ATOMIC_RELAXED);
			}
			pthread_mutex_unlock(&p->mu);
			break;
		}
	}
	return rc;
}

static void *par_main(void *arg)
{
	struct par *p = arg;
	struct rs_codec *enc = rs_codec_new();

	par_run(p, enc);
	rs_codec_free(enc);
	return NULL;
}

int rs_part_writer_add_par(struct rs_part_writer *w, const struct rs_col *cols, size_t from,
			   size_t count, unsigned nthreads, struct rs_err *err)
{
	struct par p = { .w = w, .cols = cols, .from = from, .ngran = count / RS_GRANULE_ROWS };
	pthread_t th[8];
	unsigned nth = 0;
	int rc;

	if (nthreads > 8)
		nthreads = 8;
	if (w->nbuf || p.ngran < 2 || nthreads < 2 || w->schema.ncols < 2)
		return rs_part_writer_add(w, cols, from, count, err);
	if ((rc = check_add(w, cols, from, count, err)) || (rc = grows_room(w, p.ngran, err)))
		return rc;
	pthread_mutex_init(&p.mu, NULL);
	while (nth + 1 < nthreads && pthread_create(&th[nth], NULL, par_main, &p) == 0)
		nth++;
	par_run(&p, w->enc);
	for (unsigned t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&p.mu);
	if (p.rc) {
		*err = p.err;
		w->failed = p.rc;
		return p.rc;
	}
	for (size_t g = 0; g < p.ngran; g++)
		w->grows[w->ngran++] = RS_GRANULE_ROWS;
	w->rows += p.ngran * RS_GRANULE_ROWS;
	from += p.ngran * RS_GRANULE_ROWS;
	count -= p.ngran * RS_GRANULE_ROWS;
	return count ? rs_part_writer_add(w, cols, from, count, err) : 0;
}

uint64_t rs_part_writer_rows(const struct rs_part_writer *w)
{
	return w->rows;
}

static int add16(struct rs_buf *b, const char *s, size_t n)
{
	uint8_t len[2];

	rs_st16(len, (uint16_t)n);
	return rs_buf_add(b, len, 2) || rs_buf_add(b, s, n) ? -ENOMEM : 0;
}

static int build_meta(struct rs_part_writer *w, struct rs_buf *m, struct rs_err *err)
{
	uint8_t h[RS_META_HDR] = { 0 };
	struct rs_buf tname = RS_BUF_INIT;
	int rc = 0;

	memcpy(h, RS_META_MAGIC, 8);
	rs_st32(h + 8, RS_META_VERSION);
	rs_st32(h + 12, w->schema.ncols);
	rs_st64(h + 16, w->rows);
	rs_st32(h + 24, (uint32_t)w->ngran);
	if (rs_buf_add(m, h, sizeof(h)))
		rc = -ENOMEM;
	for (size_t g = 0; g < w->ngran && !rc; g++) {
		uint8_t r[4];
		rs_st32(r, w->grows[g]);
		rc = rs_buf_add(m, r, 4);
	}
	for (unsigned i = 0; i < w->schema.ncols && !rc; i++) {
		const char *name = w->schema.cols[i].name;
		uint8_t sz[8];

		rs_buf_reset(&tname);
		if ((rc = rs_type_name(w->schema.cols[i].type, &tname)))
			break;
		if (tname.len > UINT16_MAX) {
			rc = rs_errf(err, -EINVAL, "type of column '%s' is too long", name);
			break;
		}
		rs_st64(sz, w->cols[i].flushed);
		if (add16(m, name, strlen(name)) || add16(m, tname.data, tname.len) ||
		    rs_buf_add(m, sz, 8) || rs_buf_add(m, w->cols[i].idx.data, w->cols[i].idx.len))
			rc = -ENOMEM;
	}
	rs_buf_release(&tname);
	if (!rc) {
		uint8_t crc[4];
		rs_st32(crc, rs_block_crc32c(0, m->data, m->len));
		rc = rs_buf_add(m, crc, 4);
	}
	if (rc == -ENOMEM)
		rs_errf(err, rc, "out of memory writing part '%s'", w->dir);
	return rc;
}

int rs_part_writer_finish(struct rs_part_writer *w, struct rs_err *err)
{
	struct rs_buf meta = RS_BUF_INIT;
	char path[PATH_MAX];
	int rc = w->failed;

	if (rc)
		rs_errf(err, rc, "part writer for '%s' failed earlier", w->dir);
	if (!rc)
		rc = flush_buffered(w, err);
	for (unsigned i = 0; i < w->schema.ncols && !rc; i++)
		rc = flush_col(w, &w->cols[i], 1, err);
	if (!rc)
		rc = build_meta(w, &meta, err);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/meta", w->dir);
		rc = rs_write_file_atomic(path, meta.data, meta.len);
		if (rc)
			rs_errf(err, rc, "cannot write '%s': %s", path, strerror(-rc));
	}
	rs_buf_release(&meta);
	if (rc)
		rs_rm_rf(w->dir);
	writer_free(w);
	return rc;
}

void rs_part_writer_abort(struct rs_part_writer *w)
{
	if (!w)
		return;
	rs_rm_rf(w->dir);
	writer_free(w);
}
