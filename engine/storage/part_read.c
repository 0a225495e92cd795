/*
 * part_read.c - opening a part (meta validation), decoding granules, min/max,
 * reference counting.
 */
#include "part.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/util.h"
#include "enc.h"
#include "gcache.h"
#include "part_int.h"

/* A bounds-checked reader over the meta bytes. */
struct mcur {
	const uint8_t *p;
	size_t len, pos;
	int bad;
	size_t bad_at;
};

static const uint8_t *take(struct mcur *m, size_t n)
{
	const uint8_t *r;

	if (m->bad || n > m->len - m->pos) {
		if (!m->bad)
			m->bad_at = m->pos;
		m->bad = 1;
		return NULL;
	}
	r = m->p + m->pos;
	m->pos += n;
	return r;
}

static uint64_t take_u(struct mcur *m, size_t n)
{
	const uint8_t *p = take(m, n);

	if (!p)
		return 0;
	switch (n) {
	case 1: return p[0];
	case 2: return rs_ld16(p);
	case 4: return rs_ld32(p);
	default: return rs_ld64(p);
	}
}

static void part_free(struct rs_part *p)
{
	for (unsigned i = 0; i < p->schema.ncols; i++) {
		struct rs_pcol *c = &p->cols[i];
		int fd = atomic_load(&c->fd);

		if (fd >= 0)
			close(fd);
		free(c->path);
		free(c->offs);
		free(c->mm);
		free(c->mm_bytes);
	}
	free(p->cols);
	free(p->grows);
	rs_schema_release(&p->schema);
	free(p->dir);
	free(p);
}

static int meta_bad(const char *path, size_t off, const char *why, struct rs_err *err)
{
	return rs_errf(err, -EIO, "corrupt part meta '%s' at offset %zu: %s", path, off, why);
}

/* Parse one column's section; columns i of p must be allocated. */
static int parse_col(struct rs_part *p, unsigned i, struct mcur *m, const char *path,
		     struct rs_err *err)
{
	struct rs_pcol *c = &p->cols[i];
	size_t at = m->pos, nlen, tlen, mmcap = 0, mmlen = 0;
	const uint8_t *name, *tname;
	struct rs_type *type = NULL;
	char *tstr, buf[PATH_MAX];
	uint64_t size;
	int want;

	nlen = take_u(m, 2);
	name = take(m, nlen);
	tlen = take_u(m, 2);
	tname = take(m, tlen);
	size = take_u(m, 8);
	if (m->bad)
		return meta_bad(path, m->bad_at, "truncated column entry", err);
	tstr = xstrndup((const char *)tname, tlen);
	if (rs_type_parse(tstr, &type, NULL) || memchr(name, 0, nlen)) {
		free(tstr);
		return meta_bad(path, at, "bad column name or type", err);
	}
	free(tstr);
	tstr = xstrndup((const char *)name, nlen);
	rs_schema_add(&p->schema, tstr, type);
	free(tstr);
	snprintf(buf, sizeof(buf), "%s/c%u.bin", p->dir, i);
	c->path = xstrdup(buf);
	c->offs = calloc(p->ngran + 1, sizeof(*c->offs));
	c->mm = calloc(p->ngran ? p->ngran : 1, sizeof(*c->mm));
	if (!c->offs || !c->mm)
		return rs_errf(err, -ENOMEM, "out of memory opening part '%s'", p->dir);
	want = rs_codec_minmax_len(type);
	for (unsigned g = 0; g < p->ngran; g++) {
		size_t gat = m->pos;
		uint64_t off = take_u(m, 8);
		unsigned fl = (unsigned)take_u(m, 1);
		size_t l1 = 0, l2 = 0;

		if (!m->bad && (fl & RS_MM_KNOWN)) {
			l1 = take_u(m, 2);
			take(m, l1);
			l2 = take_u(m, 2);
			take(m, l2);
		}
		if (m->bad)
			return meta_bad(path, m->bad_at, "truncated granule index", err);
		if ((g ? off < c->offs[g - 1] : off != 0) || off > size || (fl & ~3u) ||
		    ((fl & RS_MM_KNOWN) &&
		     (want < 0 || (want ? l1 != (size_t)want || l2 != (size_t)want :
				   l1 > RS_MM_MAXLEN || l2 > RS_MM_MAXLEN))))
			return meta_bad(path, gat, "bad granule entry", err);
		c->offs[g] = off;
		c->mm[g].flags = (uint8_t)fl;
		if (fl & RS_MM_KNOWN) {
			if (mmlen + l1 + l2 > mmcap) {
				size_t ncap = (mmcap ? mmcap * 2 : 256) + l1 + l2;
				uint8_t *nb = realloc(c->mm_bytes, ncap);
				if (!nb)
					return rs_errf(err, -ENOMEM, "out of memory opening part '%s'",
						       p->dir);
				c->mm_bytes = nb;
				mmcap = ncap;
			}
			c->mm[g].min_off = (uint32_t)mmlen;
			c->mm[g].min_len = (uint32_t)l1;
			if (l1)	/* mm_bytes is NULL until a non-empty value */
				memcpy(c->mm_bytes + mmlen, m->p + m->pos - l2 - 2 - l1, l1);
			mmlen += l1;
			c->mm[g].max_off = (uint32_t)mmlen;
			c->mm[g].max_len = (uint32_t)l2;
			if (l2)
				memcpy(c->mm_bytes + mmlen, m->p + m->pos - l2, l2);
			mmlen += l2;
		}
	}
	c->offs[p->ngran] = size;
	return 0;
}

/* Column files must exist with the size meta gives. */
static int check_files(struct rs_part *p, struct rs_err *err)
{
	for (unsigned i = 0; i < p->schema.ncols; i++) {
		struct stat st;
		const char *path = p->cols[i].path;

		if (stat(path, &st) < 0) {
			int e = errno;
			if (e == ENOENT)
				return rs_errf(err, -EIO, "missing column file '%s'", path);
			return rs_errf(err, -e, "cannot stat '%s': %s", path, strerror(e));
		}
		if ((uint64_t)st.st_size != p->cols[i].offs[p->ngran])
			return rs_errf(err, -EIO, "column file '%s' has %llu bytes, meta says %llu",
				       path, (unsigned long long)st.st_size,
				       (unsigned long long)p->cols[i].offs[p->ngran]);
		p->nbytes += (uint64_t)st.st_size;
	}
	return 0;
}

static int parse_meta(struct rs_part *p, const uint8_t *data, size_t len, const char *path,
		      struct rs_err *err)
{
	struct mcur m = { data, len - 4, 0, 0, 0 };
	uint64_t sum = 0;
	unsigned ncols;
	int rc;

	if (len < RS_META_HDR + 4 || memcmp(data, RS_META_MAGIC, 8))
		return meta_bad(path, 0, "bad magic", err);
	if (rs_block_crc32c(0, data, len - 4) != rs_ld32(data + len - 4))
		return meta_bad(path, len - 4, "checksum mismatch", err);
	take(&m, 8);
	if (take_u(&m, 4) != RS_META_VERSION)
		return meta_bad(path, 8, "unknown version", err);
	ncols = (unsigned)take_u(&m, 4);
	p->nrows = take_u(&m, 8);
	p->ngran = (unsigned)take_u(&m, 4);
	take_u(&m, 4);
	/* every column needs >= 12 bytes, every granule >= 4 + 9 per column */
	if (ncols > len / 12 || p->ngran > len / 4)
		return meta_bad(path, 12, "bad counts", err);
	p->grows = malloc((p->ngran ? p->ngran : 1) * sizeof(*p->grows));
	p->cols = calloc(ncols ? ncols : 1, sizeof(*p->cols));
	if (!p->grows || !p->cols)
		return rs_errf(err, -ENOMEM, "out of memory opening part '%s'", p->dir);
	for (unsigned i = 0; i < ncols; i++)
		atomic_init(&p->cols[i].fd, -1);
	for (unsigned g = 0; g < p->ngran; g++) {
		size_t at = m.pos;
		uint32_t r = (uint32_t)take_u(&m, 4);

		if (m.bad || !r || r > RS_GRANULE_ROWS)
			return meta_bad(path, at, "bad granule row count", err);
		p->grows[g] = r;
		sum += r;
	}
	if (sum != p->nrows)
		return meta_bad(path, 16, "row count does not match the granules", err);
	for (unsigned i = 0; i < ncols; i++)
		if ((rc = parse_col(p, i, &m, path, err)))
			return rc;
	if (m.pos != m.len)
		return meta_bad(path, m.pos, "trailing bytes", err);
	return 0;
}

int rs_part_open(const char *dir, struct rs_part **out, struct rs_err *err)
{
	struct rs_part *p;
	char path[PATH_MAX];
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/meta", dir) >= (int)sizeof(path))
		return rs_errf(err, -ENAMETOOLONG, "part directory '%s' is too long", dir);
	rc = rs_read_file(path, &data, &len);
	if (rc == -ENOENT)
		return rs_errf(err, rc, "part '%s' has no meta", dir);
	if (rc)
		return rs_errf(err, rc, "cannot read '%s': %s", path, strerror(-rc));
	p = xcalloc(1, sizeof(*p));
	p->serial = rs_part_serial_next();
	atomic_init(&p->refs, 1);
	atomic_init(&p->doomed, 0);
	p->dir = xstrdup(dir);
	rs_schema_init(&p->schema);
	rc = parse_meta(p, (const uint8_t *)data, len, path, err);
	if (!rc)
		rc = check_files(p, err);
	free(data);
	if (rc) {
		part_free(p);
		return rc;
	}
	p->nbytes += len;
	*out = p;
	return 0;
}

struct rs_part *rs_part_ref(struct rs_part *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	return p;
}

void rs_part_unref(struct rs_part *p)
{
	if (!p || atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (atomic_load(&p->doomed))
		rs_rm_rf(p->dir);
	part_free(p);
}

void rs_part_doom(struct rs_part *p)
{
	atomic_store(&p->doomed, 1);
}

const char *rs_part_dir(const struct rs_part *p)
{
	return p->dir;
}

uint64_t rs_part_rows(const struct rs_part *p)
{
	return p->nrows;
}

uint64_t rs_part_bytes(const struct rs_part *p)
{
	return p->nbytes;
}

const struct rs_schema *rs_part_schema(const struct rs_part *p)
{
	return &p->schema;
}

unsigned rs_part_ngranules(const struct rs_part *p)
{
	return p->ngran;
}

uint32_t rs_part_granule_rows(const struct rs_part *p, unsigned g)
{
	return g < p->ngran ? p->grows[g] : 0;
}

static int col_fd(struct rs_part *p, unsigned col, struct rs_err *err)
{
	struct rs_pcol *c = &p->cols[col];
	int fd = atomic_load_explicit(&c->fd, memory_order_acquire), expect = -1;

	if (fd >= 0)
		return fd;
	fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return rs_errf(err, -EIO, "missing column file '%s'", c->path);
		return rs_errf(err, -e, "cannot open '%s': %s", c->path, strerror(e));
	}
	if (!atomic_compare_exchange_strong(&c->fd, &expect, fd)) {
		close(fd);
		fd = expect;
	}
	return fd;
}

/* Read granule g of column col into a padded buffer *bufp (the caller
 * frees it) and point cur at it. */
static int load_granule(struct rs_part *p, unsigned col, unsigned g, struct rs_block_cur *cur,
			uint8_t **bufp, struct rs_err *err)
{
	uint64_t off = p->cols[col].offs[g], size = p->cols[col].offs[g + 1] - off;
	uint8_t *buf;
	int fd, rc;

	if ((fd = col_fd(p, col, err)) < 0)
		return fd;
	buf = malloc(size + RS_BLOCK_PAD);
	if (!buf)
		return rs_errf(err, -ENOMEM, "out of memory reading '%s'", p->cols[col].path);
	rc = rs_pread_all(fd, buf, size, (off_t)off);
	if (rc) {
		free(buf);
		if (rc == -EIO)
			return rs_errf(err, rc, "short read of '%s' at offset %llu",
				       p->cols[col].path, (unsigned long long)off);
		return rs_errf(err, rc, "cannot read '%s': %s", p->cols[col].path, strerror(-rc));
	}
	memset(buf + size, 0, RS_BLOCK_PAD);
	cur->file = p->cols[col].path;
	cur->base = off;
	cur->p = buf;
	cur->len = size;
	cur->trusted = 0;
	cur->pos = 0;
	*bufp = buf;
	return 0;
}

/*
 * load_granule through the granule cache: the cursor walks a cached image
 * (*img set, release with rs_gcache_unref), or the granule read from disk
 * when the cache is off or full (*bufp set, free it). A granule read from
 * disk is checked and inflated into an image once, then cached.
 */
static int load_granule_cached(struct rs_part *p, unsigned col, unsigned g,
			       struct rs_block_cur *cur, uint8_t **bufp,
			       const struct rs_gimg **img, struct rs_err *err)
{
	uint8_t *im;
	size_t len;
	int rc;

	*img = NULL;
	*bufp = NULL;
	if (!rs_gcache_budget())
		return load_granule(p, col, g, cur, bufp, err);
	if (!(*img = rs_gcache_get(p->serial, col, g))) {
		if ((rc = load_granule(p, col, g, cur, bufp, err)))
			return rc;
		if ((rc = rs_block_inflate(cur, &im, &len, err))) {
			free(*bufp);
			*bufp = NULL;
			return rc;
		}
		if (!(*img = rs_gcache_put(p->serial, col, g, im, len))) {
			free(im);	/* larger than the whole cache: read it as it is */
			cur->pos = 0;
			return 0;
		}
		free(*bufp);
		*bufp = NULL;
	}
	cur->file = p->cols[col].path;
	cur->base = p->cols[col].offs[g];
	cur->p = (*img)->p;
	cur->len = (*img)->len;
	cur->pos = 0;
	cur->trusted = 1;
	return 0;
}

/* The granule was decoded but bytes are left over. */
static int trailing(const struct rs_block_cur *cur, struct rs_err *err)
{
	return rs_errf(err, -EIO, "corrupt block in '%s' at offset %llu: %s", cur->file,
		       (unsigned long long)(cur->base + cur->pos), "trailing data in granule");
}

static int part_read(struct rs_part *p, unsigned col, unsigned g, struct rs_col *dst,
		     int cached, struct rs_err *err)
{
	struct rs_block_cur cur;
	const struct rs_gimg *img = NULL;
	size_t n0 = dst->n;
	uint8_t *buf;
	int rc;

	if (col >= p->schema.ncols || g >= p->ngran)
		return rs_errf(err, -EINVAL, "no granule %u of column %u in part '%s'", g, col,
			       p->dir);
	if (dst->type != p->schema.cols[col].type &&
	    !rs_type_equal(dst->type, p->schema.cols[col].type))
		return rs_errf(err, -EINVAL, "column '%s' is read into a column of another type",
			       p->schema.cols[col].name);
	if ((rc = cached ? load_granule_cached(p, col, g, &cur, &buf, &img, err) :
		  load_granule(p, col, g, &cur, &buf, err)))
		return rc;
	rc = rs_codec_get_col(&cur, dst, p->grows[g], err);
	if (!rc && cur.pos != cur.len) {
		rs_col_truncate(dst, n0);
		rc = trailing(&cur, err);
	}
	free(buf);
	rs_gcache_unref(img);
	return rc;
}

int rs_part_read(struct rs_part *p, unsigned col, unsigned g, struct rs_col *dst,
		 struct rs_err *err)
{
	return part_read(p, col, g, dst, 0, err);
}

int rs_part_read_cached(struct rs_part *p, unsigned col, unsigned g, struct rs_col *dst,
			struct rs_err *err)
{
	return part_read(p, col, g, dst, 1, err);
}

int rs_part_read_codes(struct rs_part *p, unsigned col, unsigned g, uint32_t *codes,
		       struct rs_col *dict, struct rs_err *err)
{
	struct rs_block_cur cur;
	const struct rs_gimg *img = NULL;
	const struct rs_type *t;
	uint8_t *buf;
	int rc;

	if (col >= p->schema.ncols || g >= p->ngran)
		return rs_errf(err, -EINVAL, "no granule %u of column %u in part '%s'", g, col,
			       p->dir);
	t = p->schema.cols[col].type;
	if (rs_type_phys(t) != RS_PHYS_STRING || rs_type_is_nullable(t) ||
	    rs_type_phys(dict->type) != RS_PHYS_STRING || dict->nulls)
		return rs_errf(err, -EINVAL, "column '%s' has no dictionary view",
			       p->schema.cols[col].name);
	if ((rc = load_granule_cached(p, col, g, &cur, &buf, &img, err)))
		return rc;
	rc = rs_codec_get_str_codes(&cur, codes, dict, p->grows[g], err);
	if (rc >= 0 && cur.pos != cur.len) {
		rs_col_reset(dict);
		rc = trailing(&cur, err);
	}
	free(buf);
	rs_gcache_unref(img);
	return rc;
}

int rs_part_minmax(struct rs_part *p, unsigned col, unsigned g, struct rs_col *min,
		   struct rs_col *max, int *has_null)
{
	const struct rs_mm *mm;
	const uint8_t *b;
	int rc;

	if (col >= p->schema.ncols || g >= p->ngran)
		return -EINVAL;
	mm = &p->cols[col].mm[g];
	if (has_null)
		*has_null = !!(mm->flags & RS_MM_NULLS);
	if (!(mm->flags & RS_MM_KNOWN))
		return 0;
	b = p->cols[col].mm_bytes;
	if (rs_type_phys(min->type) == RS_PHYS_STRING) {
		if ((rc = rs_col_push_str(min, (const char *)b + mm->min_off, mm->min_len)) ||
		    (rc = rs_col_push_str(max, (const char *)b + mm->max_off, mm->max_len)))
			return rc;
		return 1;
	}
	if (rs_type_phys(min->type) != RS_PHYS_FIXED || min->width != mm->min_len ||
	    max->width != mm->max_len)
		return -EINVAL;
	if ((rc = rs_col_push_fixed(min, b + mm->min_off)) ||
	    (rc = rs_col_push_fixed(max, b + mm->max_off)))
		return rc;
	return 1;
}
